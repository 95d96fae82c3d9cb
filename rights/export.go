package rights

import (
	"context"
	"sync"
	"time"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
)

// Export is everything minimall holds about a person (PIPL art. 45): every
// registered field with its values, purposes and retention; every declared
// field it does not hold, with why; consents with their history;
// disclosures to partners; automated decisions.
type Export struct {
	Subject            minimall.SubjectID `json:"subject"`
	RequestID          string             `json:"request_id"`
	GeneratedAt        time.Time          `json:"generated_at"`
	PolicyVersion      int                `json:"policy_version"`
	Fields             []FieldExport      `json:"fields"`
	NotHeld            []NotHeld          `json:"declared_not_held"`
	Consents           ConsentExport      `json:"consents"`
	Disclosures        []partner.Record   `json:"disclosures"`
	AutomatedDecisions DecisionExport     `json:"automated_decisions"`
	Records            []Record           `json:"records,omitempty"` // transfers abroad, incidents (Section.Records)
	Notes              []string           `json:"notes,omitempty"`
}

// FieldExport is one registered field and the values held.
type FieldExport struct {
	Field      privacy.Field     `json:"field"`
	Name       string            `json:"name"`
	NameEN     string            `json:"name_en"`
	Category   privacy.Category  `json:"category"`
	Sensitive  bool              `json:"sensitive"`
	Basis      string            `json:"basis"`
	Purposes   []PurposeExport   `json:"purposes"`
	Retention  RetentionExport   `json:"retention"`
	Recipients []RecipientExport `json:"recipients,omitempty"`
	MayEdit    bool              `json:"may_edit"`
	HeldBy     string            `json:"held_by"`
	Values     []Value           `json:"values"`
}

// PurposeExport is one purpose a field serves and its legal basis.
type PurposeExport struct {
	Purpose privacy.Purpose `json:"purpose"`
	Name    string          `json:"name"`
	NameEN  string          `json:"name_en"`
	Basis   string          `json:"basis"`
}

// RetentionExport is how long a field is kept and why.
type RetentionExport struct {
	Rule       string `json:"rule"`
	PeriodDays int    `json:"period_days,omitempty"`
	Reason     string `json:"reason"`
}

// RecipientExport is a partner that may receive the field, and why.
type RecipientExport struct {
	Partner privacy.PartnerID `json:"partner"`
	Name    string            `json:"name"`
	Purpose privacy.Purpose   `json:"purpose"`
}

// NotHeld is a declared field no part of this build stores.
type NotHeld struct {
	Field  privacy.Field `json:"field"`
	Name   string        `json:"name"`
	NameEN string        `json:"name_en"`
	Reason string        `json:"reason"`
}

// ConsentExport is the person's consents: where each additional function
// stands, and every grant and withdrawal.
type ConsentExport struct {
	Current []ConsentState          `json:"current"`
	History []privacy.ConsentRecord `json:"history"`
}

// ConsentState is one scope's current state.
type ConsentState struct {
	Scope privacy.Scope `json:"scope"`
	Name  string        `json:"name"`
	Basic bool          `json:"basic"`
	State string        `json:"state"`
}

// DecisionExport lists automated decisions that affected the person.
type DecisionExport struct {
	Entries []any  `json:"entries"`
	Note    string `json:"note,omitempty"`
}

// notHeldReason says why a stored field has no part in this build.
func notHeldReason(spec *privacy.FieldSpec) string {
	if spec.Retention.Rule == privacy.NotStored || spec.Table == "" {
		return spec.Retention.Reason
	}
	return "本版本尚无保存该信息的功能（" + spec.Table + "），未收集 / no function of this build stores it yet (" + spec.Table + "); nothing is collected"
}

// Export returns the export of an access or copy request, once its
// identity check is done; fetching it answers the request. Returns
// NotFound for a request the caller may not see, Conflict for one of
// another kind or not yet checked.
func (s *Service) Export(ctx context.Context, a minimall.Actor, id, token string) (*Export, error) {
	const op = "rights.Export"
	row, err := s.load(ctx, op, id)
	if err != nil {
		return nil, err
	}
	reader, err := s.reader(op, a, row, token)
	if err != nil {
		return nil, err
	}
	if row.kind != Access && row.kind != Copy {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only access and copy requests have an export. 仅查阅与复制请求可导出。")
	}
	if row.state != IdentityChecked && row.state != InProgress && row.state != Answered {
		return nil, minimall.Errorf(minimall.Conflict, op, "Confirm your identity first (state %s). 请先完成身份核验。", row.state)
	}
	if reader.Kind == minimall.Operator || reader.Kind == minimall.System {
		reader.Reason = row.id // every operator look names the request
	}
	e, err := s.build(ctx, reader, row.subject, row.id)
	if err != nil {
		return nil, err
	}
	if row.state != Answered {
		if err := s.finish(ctx, row, &Answer{Message: "已导出 / exported"}, nil); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// build assembles the export from every part.
func (s *Service) build(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, requestID string) (*Export, error) {
	e := &Export{Subject: subject, RequestID: requestID, GeneratedAt: s.db.Now(), PolicyVersion: s.k.PolicyVersion()}
	values := map[privacy.Field][]Value{}
	holder := map[privacy.Field]string{}
	secs, err := s.sections(ctx, a, subject)
	if err != nil {
		return nil, err
	}
	for i, p := range s.parts {
		sec := secs[i]
		for _, v := range sec.Values {
			values[v.Field] = append(values[v.Field], v)
		}
		for _, f := range p.Holds() {
			holder[f] = p.Name()
		}
		e.Notes = append(e.Notes, sec.Notes...)
		e.Records = append(e.Records, sec.Records...)
	}
	for _, spec := range privacy.Fields() {
		if holder[spec.Field] == "" {
			e.NotHeld = append(e.NotHeld, NotHeld{Field: spec.Field, Name: spec.Name, NameEN: spec.NameEN, Reason: notHeldReason(spec)})
			continue
		}
		fe := describe(spec)
		fe.HeldBy, fe.Values = holder[spec.Field], values[spec.Field]
		if fe.Values == nil {
			fe.Values = []Value{}
		}
		e.Fields = append(e.Fields, fe)
	}
	if e.Consents, err = s.consents(ctx, subject); err != nil {
		return nil, err
	}
	e.Disclosures = []partner.Record{}
	if s.partners != nil {
		if e.Disclosures, err = s.partners.Disclosures(ctx, subject); err != nil {
			return nil, err
		}
	}
	e.AutomatedDecisions = DecisionExport{Entries: []any{},
		Note: "未接入自动化决策记录 / no record of automated decisions is wired"}
	if s.decisions != nil {
		if e.AutomatedDecisions.Entries, err = s.decisions.Decisions(ctx, subject); err != nil {
			return nil, err
		}
		e.AutomatedDecisions.Note = ""
	}
	return e, nil
}

// sections asks every part for its section at once: each reads only its
// own tables and opens through the guard, so they need not wait for one
// another, and a person with years of orders and behaviour gets the export
// in the time of the largest part rather than the sum (BenchmarkScale in
// internal/scalebench). The sections come back in the parts' order; the
// first part's error, in that order, is returned.
func (s *Service) sections(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) ([]Section, error) {
	secs := make([]Section, len(s.parts))
	errs := make([]error, len(s.parts))
	var wg sync.WaitGroup
	for i, p := range s.parts {
		wg.Go(func() { secs[i], errs[i] = p.Export(ctx, a, subject) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return secs, nil
}

// describe copies what the registry says of a field.
func describe(spec *privacy.FieldSpec) FieldExport {
	fe := FieldExport{Field: spec.Field, Name: spec.Name, NameEN: spec.NameEN, Category: spec.Category, Sensitive: spec.Sensitive,
		Basis: spec.Basis.String(), MayEdit: spec.PersonMayEdit,
		Retention: RetentionExport{Rule: spec.Retention.Rule.String(), PeriodDays: int(spec.Retention.Period / privacy.Day), Reason: spec.Retention.Reason}}
	for _, u := range spec.Uses {
		pe := PurposeExport{Purpose: u.Purpose, Basis: u.Basis.String()}
		if ps, ok := privacy.PurposeOf(u.Purpose); ok {
			pe.Name, pe.NameEN = ps.Name, ps.NameEN
		}
		fe.Purposes = append(fe.Purposes, pe)
	}
	for _, r := range spec.Recipients {
		re := RecipientExport{Partner: r.Partner, Purpose: r.Purpose}
		if ps, ok := privacy.Partner(r.Partner); ok {
			re.Name = ps.Name
		}
		fe.Recipients = append(fe.Recipients, re)
	}
	return fe
}

func (s *Service) consents(ctx context.Context, subject minimall.SubjectID) (ConsentExport, error) {
	out := ConsentExport{Current: []ConsentState{}}
	features, err := s.k.Consents.Features(ctx, subject)
	if err != nil {
		return out, err
	}
	for _, f := range features {
		out.Current = append(out.Current, ConsentState{Scope: privacy.FeatureScope(f.Feature), Name: f.Name + " / " + f.NameEN, Basic: f.Basic, State: f.State})
	}
	hist, err := s.k.Consents.History(ctx, subject)
	out.History = append([]privacy.ConsentRecord{}, hist...)
	return out, err
}
