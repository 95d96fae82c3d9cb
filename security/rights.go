package security

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// RightsPart returns the security area's part of rights requests: device
// signals and fraud reports.
func (s *Service) RightsPart() rights.Part { return securityPart{s} }

type securityPart struct{ s *Service }

func (securityPart) Name() string { return "security" }

// The security area's tables; their sealed columns come from the registry.
var (
	devices      = privacy.TableOf("devices")
	fraudReports = privacy.TableOf("fraud_reports")
)

func (securityPart) Holds() []privacy.Field { return rights.Holds(devices, fraudReports) }

func (p securityPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "security", devices, fraudReports)
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
	for _, t := range []*privacy.Table{devices, fraudReports} {
		n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, t)
		if err != nil {
			return d, err
		}
		d.Removed[t.Sealed()[0].Field] = n
	}
	return d, nil
}

func (securityPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
