// Package security holds the security centre (policy 二(七), 五(三)4): the
// device and network signals a signed-in client reports, kept as security
// logs and opened for the security purpose only, and fraud reports.
package security

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// DeviceSignals is what a client may report about its device. Only the
// device identifier is required; every value is sealed. Installed software
// is never accepted: it is processed on the device only (二(七)).
type DeviceSignals struct {
	DeviceID      string `json:"device_id"`
	ResettableIDs string `json:"resettable_ids,omitempty"` // IDFA, IDFV, OAID, GAID
	AppInfo       string `json:"app_info,omitempty"`
	Params        string `json:"params,omitempty"` // device type, model, OS
	WiFi          string `json:"wifi,omitempty"`   // network configuration, never the MAC
	Bluetooth     string `json:"bluetooth,omitempty"`
	Sensors       string `json:"sensors,omitempty"`
	Carrier       string `json:"carrier,omitempty"`
	Broadcast     string `json:"broadcast,omitempty"`
	Cell          string `json:"cell,omitempty"`
}

func (d DeviceSignals) values() map[privacy.Field]string {
	return map[privacy.Field]string{
		privacy.DeviceID: d.DeviceID, privacy.ResettableIDs: d.ResettableIDs, privacy.AppInfo: d.AppInfo,
		privacy.DeviceParams: d.Params, privacy.WiFiConfig: d.WiFi, privacy.Bluetooth: d.Bluetooth,
		privacy.Sensors: d.Sensors, privacy.CarrierInfo: d.Carrier, privacy.BroadcastInfo: d.Broadcast, privacy.CellInfo: d.Cell,
	}
}

// deviceColumns maps each signal to its column; the names come from this
// fixed map, never from input.
var deviceColumns = map[privacy.Field]string{
	privacy.DeviceID: "device_id_sealed", privacy.ResettableIDs: "resettable_ids_sealed", privacy.AppInfo: "app_info_sealed",
	privacy.DeviceParams: "params_sealed", privacy.WiFiConfig: "wifi_sealed", privacy.Bluetooth: "bluetooth_sealed",
	privacy.Sensors: "sensors_sealed", privacy.CarrierInfo: "carrier_sealed", privacy.BroadcastInfo: "broadcast_sealed", privacy.CellInfo: "cell_sealed",
}

// Device is one of the person's devices as the security centre shows it.
type Device struct {
	ID        string    `json:"id"`
	Params    string    `json:"params,omitempty"`
	FirstSeen time.Time `json:"first_seen_at"`
	LastSeen  time.Time `json:"last_seen_at"`
}

// Service is the security centre.
type Service struct {
	db *sqldb.DB
	k  *privacy.Kernel
}

// NewService returns the security centre.
func NewService(db *sqldb.DB, k *privacy.Kernel) *Service { return &Service{db: db, k: k} }

// ReportDevice records the signals of the client's device (new, or seen
// again). Returns Invalid without a device identifier or with an oversized
// value.
func (s *Service) ReportDevice(ctx context.Context, a minimall.Actor, d DeviceSignals) (*Device, error) {
	const op = "security.ReportDevice"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	vals := d.values()
	if d.DeviceID == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "device_id is required. 须提供设备标识符。")
	}
	for _, v := range vals {
		if len(v) > 1024 || !utf8.ValidString(v) {
			return nil, minimall.Errorf(minimall.Invalid, op, "A device signal is at most 1 KiB of text. 设备信息过长。")
		}
	}
	idx := deviceIndex(s.k, a.Subject, d.DeviceID)
	id, err := s.writeDevice(ctx, a.Subject, idx, vals)
	if errors.Is(err, errDeviceRaced) {
		id, err = s.writeDevice(ctx, a.Subject, idx, vals) // the row exists now: sealed under its id
	}
	if err != nil {
		return nil, err
	}
	return s.device(ctx, a, id)
}

// errDeviceRaced says the device's row was created meanwhile under
// another id than the one its values were sealed under.
var errDeviceRaced = errors.New("security: device row created meanwhile")

// writeDevice seals the device's values under its row id (the one stored,
// or a new one) before the write, which then only runs SQL.
func (s *Service) writeDevice(ctx context.Context, subject minimall.SubjectID, idx []byte, vals map[privacy.Field]string) (string, error) {
	const op = "security.ReportDevice"
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM devices WHERE subject = ? AND device_index = ?`, string(subject), idx).Scan(&id)
	if err = sqldb.FormatError(op, err); minimall.IsCode(err, minimall.NotFound) {
		id, err = "dv_"+minimall.RandomToken(8), nil
	}
	if err != nil {
		return "", err
	}
	sealed := map[privacy.Field][]byte{}
	for f, v := range vals {
		if v == "" {
			continue
		}
		if sealed[f], err = s.k.Guard().Seal(ctx, subject, f, id, []byte(v)); err != nil {
			return "", err
		}
	}
	return id, s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		got, err := upsertDevice(ctx, tx, subject, idx, id)
		if err != nil {
			return err
		}
		if got != id {
			return errDeviceRaced
		}
		for f, b := range sealed {
			// The column name comes from the fixed map, never from input.
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET `+deviceColumns[f]+` = ? WHERE id = ?`, b, id); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		return nil
	})
}

// upsertDevice returns the row id of the subject's device, creating it
// as id.
func upsertDevice(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID, idx []byte, id string) (string, error) {
	const op = "security.ReportDevice"
	now := sqldb.Micros(tx.Now())
	var got string
	err := tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE subject = ? AND device_index = ?`, string(subject), idx).Scan(&got)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE devices SET last_seen_at = ? WHERE id = ?`, now, got)
		return got, sqldb.FormatError(op, err)
	}
	if !minimall.IsCode(sqldb.FormatError(op, err), minimall.NotFound) {
		return "", sqldb.FormatError(op, err)
	}
	// The identifier column is NOT NULL; writeDevice fills it right after.
	_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, subject, device_index, device_id_sealed, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, string(subject), idx, []byte{}, now, now)
	return id, sqldb.FormatError(op, err)
}

// Devices lists the person's devices (五(三)4 设备管理).
func (s *Service) Devices(ctx context.Context, a minimall.Actor) ([]Device, error) {
	const op = "security.Devices"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM devices WHERE subject = ? ORDER BY last_seen_at DESC`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Device{}
	for _, id := range ids {
		d, err := s.device(ctx, a, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

func (s *Service) device(ctx context.Context, a minimall.Actor, id string) (*Device, error) {
	var params []byte
	var first, last int64
	err := s.db.QueryRowContext(ctx, `SELECT params_sealed, first_seen_at, last_seen_at FROM devices WHERE id = ? AND subject = ?`, id, string(a.Subject)).Scan(&params, &first, &last)
	if err != nil {
		return nil, sqldb.FormatError("security.Device", err)
	}
	d := &Device{ID: id, FirstSeen: sqldb.FromMicros(first), LastSeen: sqldb.FromMicros(last)}
	if len(params) > 0 {
		if d.Params, err = s.k.Guard().OpenString(ctx, a, a.Subject, privacy.DeviceParams, privacy.ForSecurity, id, params); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// RemoveDevice deletes a device and its signals, journalled first in the
// kernel's deletion ledger so a restored backup never brings it back.
// Returns NotFound for a device that is not the actor's.
func (s *Service) RemoveDevice(ctx context.Context, a minimall.Actor, id string) error {
	const op = "security.RemoveDevice"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such device. 设备不存在。")
	found, err := s.k.RecordDeletion(ctx, a.Subject, "devices", id)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = ? AND subject = ?`, id, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound
		}
		return outbox.Emit(ctx, tx, TopicDeviceRemoved, a.Subject, map[string]string{"device": id})
	})
}

// FraudReport is a report of fraud the person submitted (五(三)4).
type FraudReport struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// ReportFraud records a fraud report. Returns Invalid for an empty or
// oversized text.
func (s *Service) ReportFraud(ctx context.Context, a minimall.Actor, text string) (*FraudReport, error) {
	const op = "security.ReportFraud"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(text); n == 0 || n > 2000 || !utf8.ValidString(text) {
		return nil, minimall.Errorf(minimall.Invalid, op, "A report has 1 to 2000 characters. 举报内容须为1至2000个字符。")
	}
	r := &FraudReport{ID: "fr_" + minimall.RandomToken(8), Text: text, Status: "received"}
	sealed, err := s.k.Guard().Seal(ctx, a.Subject, privacy.FraudReport, r.ID, []byte(text))
	if err != nil {
		return nil, err
	}
	var out *FraudReport
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		r.CreatedAt = tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO fraud_reports (id, subject, report_sealed, status, created_at) VALUES (?, ?, ?, ?, ?)`,
			r.ID, string(a.Subject), sealed, r.Status, sqldb.Micros(r.CreatedAt)); err != nil {
			return sqldb.FormatError(op, err)
		}
		if err := outbox.Emit(ctx, tx, TopicFraudReported, a.Subject, map[string]string{"report": r.ID}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// FraudReports lists the person's own reports.
func (s *Service) FraudReports(ctx context.Context, a minimall.Actor) ([]FraudReport, error) {
	const op = "security.FraudReports"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, report_sealed, status, created_at FROM fraud_reports WHERE subject = ? ORDER BY created_at`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []FraudReport{}
	for rows.Next() {
		var r FraudReport
		var sealed []byte
		var at int64
		if err := rows.Scan(&r.ID, &sealed, &r.Status, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = sqldb.FromMicros(at)
		if r.Text, err = s.k.Guard().OpenString(ctx, a, a.Subject, privacy.FraudReport, privacy.ForSecurity, r.ID, sealed); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Change-feed topics of the security centre; payloads name the row only.
const (
	TopicDeviceRemoved = "security.device_removed"
	TopicFraudReported = "security.fraud_reported"
)
