package security

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the security area's part of rights requests: device
// signals and fraud reports.
func (s *Service) RightsPart() rights.Part { return securityPart{s} }

type securityPart struct{ s *Service }

func (securityPart) Name() string { return "security" }

var deviceFields = []privacy.Field{privacy.DeviceID, privacy.ResettableIDs, privacy.AppInfo, privacy.DeviceParams, privacy.WiFiConfig,
	privacy.Bluetooth, privacy.Sensors, privacy.CarrierInfo, privacy.BroadcastInfo, privacy.CellInfo}

func (securityPart) Holds() []privacy.Field {
	return append(append([]privacy.Field{}, deviceFields...), privacy.FraudReport)
}

func (p securityPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	const op = "security.RightsExport"
	rows, err := p.s.db.QueryContext(ctx, `SELECT id, device_id_sealed, resettable_ids_sealed, app_info_sealed, params_sealed, wifi_sealed,
		bluetooth_sealed, sensors_sealed, carrier_sealed, broadcast_sealed, cell_sealed FROM devices WHERE subject = ? ORDER BY first_seen_at, id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	var items []privacy.Sealed
	for rows.Next() {
		var id string
		v := make([][]byte, len(deviceFields))
		dest := []any{&id}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return rights.Section{}, err
		}
		for i, f := range deviceFields {
			items = rights.AppendSealed(items, id, f, v[i])
		}
	}
	rows.Close()
	rows, err = p.s.db.QueryContext(ctx, `SELECT id, report_sealed FROM fraud_reports WHERE subject = ? ORDER BY created_at, id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var v []byte
		if err := rows.Scan(&id, &v); err != nil {
			return rights.Section{}, err
		}
		items = rights.AppendSealed(items, id, privacy.FraudReport, v)
	}
	if err := rows.Err(); err != nil {
		return rights.Section{}, err
	}
	return rights.Section{Part: "security", Values: rights.OpenValues(ctx, p.s.k.Guard(), a, subject, items)}, nil
}

func (securityPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("security.RightsCorrect", f)
}

// Delete keeps security logs for their six months (Cybersecurity Law art.
// 21) when chosen; a device can still be removed from the security centre.
// On deregistration the rows go: the erased key has made them unreadable
// already, so keeping them would serve no duty.
func (p securityPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	if len(fields) > 0 {
		for _, f := range fields {
			d.Kept[f] = rights.KeepReason(f)
		}
		return d, nil
	}
	for table, f := range map[string]privacy.Field{"devices": privacy.DeviceID, "fraud_reports": privacy.FraudReport} {
		// The table name comes from the fixed map, never from input.
		res, err := p.s.db.ExecContext(ctx, `DELETE FROM `+table+` WHERE subject = ?`, string(subject))
		if err != nil {
			return d, sqldb.FormatError("security.RightsDelete", err)
		}
		n, _ := res.RowsAffected()
		d.Removed[f] = int(n)
	}
	return d, nil
}

func (securityPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
