package rights

import (
	"context"
	"sort"

	"minimall"
	"minimall/privacy"
)

// correct applies the corrections through each area's own update rules.
func (s *Service) correct(ctx context.Context, a minimall.Actor, row *requestRow, d Details) (*Answer, error) {
	held := s.held()
	ans := &Answer{}
	fields := make([]privacy.Field, 0, len(d.Corrections))
	for f := range d.Corrections {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i] < fields[j] })
	for _, f := range fields {
		if err := held[f].Correct(ctx, a, row.subject, f, d.Corrections[f], row.id); err != nil {
			return nil, err
		}
		ans.Corrected = append(ans.Corrected, f)
	}
	return ans, nil
}

// deleteChosen deletes the chosen fields in the parts that hold them and
// sends deletion notices to the partners that received any of them.
func (s *Service) deleteChosen(ctx context.Context, a minimall.Actor, row *requestRow, fields []privacy.Field) (*Answer, error) {
	byPart := map[Part][]privacy.Field{}
	held := s.held()
	for _, f := range fields {
		byPart[held[f]] = append(byPart[held[f]], f)
	}
	ans := &Answer{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	for _, p := range s.parts {
		if len(byPart[p]) == 0 {
			continue
		}
		d, err := p.Delete(ctx, a, row.subject, byPart[p], row.id)
		if err != nil {
			return nil, err
		}
		merge(ans, d)
	}
	ans.PartnerNotices = s.notify(ctx, row, fields)
	return ans, nil
}

func merge(ans *Answer, d Deleted) {
	for f, n := range d.Removed {
		ans.Removed[f] += n
	}
	for f, r := range d.Kept {
		ans.Kept[f] = r
	}
	for k, r := range d.KeptRecords {
		if ans.KeptRecords == nil {
			ans.KeptRecords = map[string]string{}
		}
		ans.KeptRecords[k] = r
	}
}

// notify sends deletion notices (PIPL art. 47; policy 四(三)) to every
// partner that received one of fields (all fields when empty), through the
// gateway, which audits each confirmation. A partner that cannot answer
// now is retried by the next call; the request says so.
func (s *Service) notify(ctx context.Context, row *requestRow, fields []privacy.Field) string {
	if s.partners == nil {
		return NoticesNone
	}
	recs, err := s.partners.Disclosures(ctx, row.subject)
	if err != nil {
		s.Logger.Error("rights: list disclosures", "request", row.id, "err", err)
		return NoticesRetrying
	}
	set := map[privacy.PartnerID]bool{}
	var to []privacy.PartnerID
	for _, r := range recs {
		// An authority holds what it obtained under its own legal powers
		// (三(五)2); a deletion notice is not for it.
		if r.Status == "deleted" || set[r.Partner] || r.Partner == privacy.PartnerAuthority {
			continue
		}
		for _, f := range r.Fields {
			if Wants(fields, f) {
				set[r.Partner] = true
				to = append(to, r.Partner)
				break
			}
		}
	}
	if len(to) == 0 {
		return NoticesNone
	}
	if err := s.partners.NotifyDeletion(ctx, row.subject, to...); err != nil {
		s.Logger.Warn("rights: deletion notice not confirmed", "request", row.id, "subject", string(row.subject), "err", err)
		return NoticesRetrying
	}
	s.Logger.Info("rights: deletion notices confirmed", "request", row.id, "subject", string(row.subject), "partners", len(to))
	return NoticesSent
}

// Conditions lists what the signed-in person must finish before they can
// deregister (policy 四(五)); empty means nothing stands in the way.
func (s *Service) Conditions(ctx context.Context, a minimall.Actor) ([]Pending, error) {
	if err := minimall.SignedIn(a, "rights.Conditions"); err != nil {
		return nil, err
	}
	return s.pending(ctx, a.Subject)
}

func (s *Service) pending(ctx context.Context, subject minimall.SubjectID) ([]Pending, error) {
	out := []Pending{}
	for _, p := range s.parts {
		ps, err := p.Pending(ctx, subject)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// deregister checks the conditions first and states what is left; then it
// erases the person.
func (s *Service) deregister(ctx context.Context, a minimall.Actor, row *requestRow) (*Answer, error) {
	left, err := s.pending(ctx, row.subject)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return &Answer{Pending: left, Message: "注销前请先完成以下事项 / finish these before you can deregister"}, nil
	}
	return s.erase(ctx, a, row, "deregistered")
}

// erase removes the person: each part deletes what it may (rows of derived
// stores included; sessions end), the kernel destroys the person's data key
// (crypto-shredding: every copy of their sealed data becomes unreadable),
// and partners get deletion notices. Transaction records stay under
// retention keys, readable for the legal duty only (E-commerce Law art. 31).
func (s *Service) erase(ctx context.Context, a minimall.Actor, row *requestRow, reason string) (*Answer, error) {
	if err := s.markErasing(ctx, row); err != nil {
		return nil, err
	}
	if err := s.stepDone("marked"); err != nil {
		return nil, err
	}
	ans := &Answer{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	for _, p := range s.parts {
		d, err := p.Delete(ctx, a, row.subject, nil, row.id)
		if err != nil {
			return nil, err
		}
		merge(ans, d)
	}
	if err := s.stepDone("parts"); err != nil {
		return nil, err
	}
	if err := s.k.Erase(ctx, a, row.subject, privacy.EraseAccount, reason); err != nil {
		return nil, err
	}
	if err := s.stepDone("erased"); err != nil {
		return nil, err
	}
	ans.Erased = true
	ans.PartnerNotices = s.notify(ctx, row, nil)
	ans.Message = "您的账户已注销，个人信息已删除；交易记录依法仅为法定义务保存 / your account is closed and your data erased; transaction records are kept for the legal duty only"
	return ans, nil
}
