package policy

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Ground is a ground on which minimall may disclose someone's personal
// information publicly.
type Ground string

// The closed list of grounds, from policy 三(三) and 三(五).
const (
	BySeparateConsent Ground = "separate_consent" // 三(三)1
	RuleViolation     Ground = "rule_violation"   // 三(三)2
	PublicSafety      Ground = "public_safety"    // 三(三)2
	LegalDuty         Ground = "legal_duty"       // 三(五)2
	Emergency         Ground = "emergency"        // 三(五)3
	NewsReporting     Ground = "news_reporting"   // 三(五)4
	AlreadyPublic     Ground = "already_public"   // 三(五)5
	OtherStatutory    Ground = "other_statutory"  // 三(五)6
)

// GroundSpec describes a ground.
type GroundSpec struct {
	Ground Ground `json:"ground"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Clause string `json:"clause"`
	// Consent: the ground is the person's separate consent; every other
	// ground needs a legal reference (a decision, case or ticket number).
	Consent bool `json:"consent"`
	// Fields are all the ground may ever publish (the registry's
	// privacy.Publishable); a disclosure naming any other is refused.
	Fields []privacy.Field `json:"fields"`
}

var grounds = []GroundSpec{
	{BySeparateConsent, "基于您的主动选择及其他单独同意的情况", "your own choice or other separate consent", "三(三)1", true, nil},
	{RuleViolation, "您违反法律法规或严重违反平台协议及规则时，披露相关违规行为及平台已对您采取的措施", "a breach of law or a serious breach of the platform's rules: the breach and the measures taken", "三(三)2", false, nil},
	{PublicSafety, "为保护平台用户或公众的人身财产安全免遭侵害", "protecting users' or the public's safety and property", "三(三)2", false, nil},
	{LegalDuty, "为履行法定职责或者法定义务所必需（含有权机关依法提出的要求）", "a legal duty, including lawful requests of the authorities", "三(五)2", false, nil},
	{Emergency, "为应对突发公共卫生事件，或者紧急情况下为保护自然人的生命健康和财产安全所必需", "a public-health emergency, or protecting life, health and property in an emergency", "三(五)3", false, nil},
	{NewsReporting, "为公共利益实施新闻报道、舆论监督等行为，在合理的范围内处理", "news reporting and public supervision in the public interest, within reason", "三(五)4", false, nil},
	{AlreadyPublic, "在合理的范围内处理您自行公开的或者其他已经合法公开的个人信息", "information you made public yourself or already lawfully public, within reason", "三(五)5", false, nil},
	{OtherStatutory, "法律法规规定的其他情形", "other cases the law provides for", "三(五)6", false, nil},
}

// Grounds returns the closed list of disclosure grounds.
func Grounds() []GroundSpec {
	out := make([]GroundSpec, len(grounds))
	for i, g := range grounds {
		out[i] = withFields(g)
	}
	return out
}

func groundOf(g Ground) (GroundSpec, bool) {
	for _, x := range grounds {
		if x.Ground == g {
			return withFields(x), true
		}
	}
	return GroundSpec{}, false
}

func withFields(g GroundSpec) GroundSpec {
	g.Fields = privacy.Publishable(string(g.Ground))
	return g
}

// DisclosureRequest asks to record a public disclosure.
type DisclosureRequest struct {
	Subject  minimall.SubjectID `json:"subject"`
	Fields   []privacy.Field    `json:"fields"`
	Ground   Ground             `json:"ground"`
	LegalRef string             `json:"legal_ref,omitempty"`
}

// Disclosure is a recorded public disclosure: field names and the ground,
// never the values.
type Disclosure struct {
	ID        string             `json:"id"`
	Subject   minimall.SubjectID `json:"subject,omitempty"`
	Fields    []privacy.Field    `json:"fields"`
	Ground    GroundSpec         `json:"ground"`
	LegalRef  string             `json:"legal_ref,omitempty"`
	ConsentID string             `json:"consent_id,omitempty"`
	Operator  string             `json:"operator,omitempty"`
	Reference string             `json:"reference,omitempty"`
	At        time.Time          `json:"at"`
}

var validRef = regexp.MustCompile(`^[A-Za-z0-9._:/-]{3,64}$`)

// Decisions this file writes to the audit log.
const (
	DecisionDisclose = "public_disclosure"
	DecisionDeny     = "deny"
)

// RecordDisclosure records that minimall disclosed fields of a person
// publicly. Only the DPO or the legal-hold role may, and only on a ground
// of the closed list: the person's separate consent for public disclosure
// in force, or a legal ground with a reference. Every decision, recorded
// or refused, goes to the audit log.
func (s *Service) RecordDisclosure(ctx context.Context, a minimall.Actor, req DisclosureRequest) (*Disclosure, error) {
	const op = "policy.RecordDisclosure"
	switch {
	case a.Kind == minimall.Anonymous:
		return nil, minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator:
		return nil, minimall.Errorf(minimall.Denied, op, "Operators only. 仅限操作人员。")
	}
	deny := func(err error, why string) (*Disclosure, error) {
		if aerr := s.k.AuditAppend(ctx, a, req.Subject, DecisionDeny, "public_disclosure:"+why); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if a.Role != minimall.RoleDPO && a.Role != minimall.RoleLegalHold {
		return deny(minimall.Errorf(minimall.Denied, op, "Only the DPO or legal hold may record a public disclosure. 仅个人信息保护负责人或法务可登记公开披露。"), "role")
	}
	g, ok := groundOf(req.Ground)
	if !ok {
		return deny(minimall.Errorf(minimall.Invalid, op, "ground must be one of the closed list in GET /api/v1/policy/disclosure-grounds. 公开披露须基于列明的情形。"), "ground")
	}
	d := &Disclosure{ID: "pd_" + minimall.RandomToken(8), Subject: req.Subject, Ground: g, Operator: a.ID, Reference: a.Reason}
	if err := validFields(req.Fields); err != nil {
		return deny(minimall.Errorf(minimall.Invalid, op, "%s", err.Error()), "fields")
	}
	for _, f := range req.Fields {
		if !privacy.MayPublish(string(g.Ground), f) {
			return deny(minimall.Errorf(minimall.Denied, op, "The ground %s may never publish %s: see its fields in GET /api/v1/policy/disclosure-grounds. 该情形不得公开披露此项信息。", g.Ground, f), "field_not_publishable")
		}
	}
	d.Fields = req.Fields
	if exists, erased, err := s.subjectState(ctx, req.Subject); err != nil {
		return nil, err
	} else if !exists || erased {
		return deny(minimall.Errorf(minimall.NotFound, op, "No such person. 无此用户。"), "subject")
	}
	if g.Consent {
		if req.LegalRef != "" {
			return deny(minimall.Errorf(minimall.Invalid, op, "A disclosure on the person's consent takes no legal_ref. 基于同意的披露无需法律依据编号。"), "legal_ref")
		}
		state, rec, err := s.k.Consents.State(ctx, req.Subject, privacy.FeatureScope(privacy.FeatPublicDisclosure))
		if err != nil {
			return nil, err
		}
		if state != privacy.Granted || rec.Kind == privacy.General {
			return deny(minimall.Errorf(minimall.Denied, op, "The person has not given separate consent to public disclosure (or withdrew it). 该用户未单独同意公开披露，或已撤回。"), "no_separate_consent")
		}
		d.ConsentID = rec.ID
	} else {
		if !validRef.MatchString(req.LegalRef) {
			return deny(minimall.Errorf(minimall.Invalid, op, "A legal ground needs legal_ref: the decision, case or ticket number (3-64 of A-Z a-z 0-9 . _ : / -). 法定情形须提供依据编号。"), "legal_ref")
		}
		d.LegalRef = req.LegalRef
	}
	// Audited before the row is written: a disclosure is never on record
	// without its audit entry. (The audit log shares the SQLite writer, so
	// not inside the transaction.)
	if err := s.k.AuditAppend(ctx, a, req.Subject, DecisionDisclose, string(g.Ground)+" "+d.ID); err != nil {
		return nil, err
	}
	var out *Disclosure
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		d.At = tx.Now()
		_, err = tx.ExecContext(ctx, `INSERT INTO public_disclosures (id, subject, fields, ground, legal_ref, consent_id, operator, reference, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, string(d.Subject), joinFields(d.Fields), string(g.Ground), d.LegalRef, d.ConsentID, d.Operator, d.Reference, sqldb.Micros(d.At))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		out = d
		return nil
	})
	return out, err
}

func validFields(fs []privacy.Field) error {
	if len(fs) == 0 || len(fs) > 32 {
		return errors.New("fields must list 1 to 32 registry fields. 须列明披露的个人信息字段。")
	}
	seen := map[privacy.Field]bool{}
	for _, f := range fs {
		if _, ok := privacy.Spec(f); !ok || seen[f] {
			return errors.New("fields must be distinct fields of the registry (GET /api/v1/policy/lists). 字段须为登记表中的字段且不重复。")
		}
		seen[f] = true
	}
	return nil
}

func joinFields(fs []privacy.Field) string {
	ss := make([]string, len(fs))
	for i, f := range fs {
		ss[i] = string(f)
	}
	return strings.Join(ss, ",")
}

func (s *Service) subjectState(ctx context.Context, subject minimall.SubjectID) (exists, erased bool, err error) {
	if subject == "" {
		return false, false, nil
	}
	var erasedAt sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT erased_at FROM subjects WHERE id = ?`, string(subject)).Scan(&erasedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, sqldb.FormatError("policy.subjectState", err)
	}
	return true, erasedAt.Valid && erasedAt.Int64 != 0, nil
}

// MyDisclosures lists the public disclosures of the signed-in person.
func (s *Service) MyDisclosures(ctx context.Context, a minimall.Actor) ([]*Disclosure, error) {
	if err := minimall.SignedIn(a, "policy.MyDisclosures"); err != nil {
		return nil, err
	}
	list, err := s.findDisclosures(ctx, a.Subject)
	for _, d := range list {
		d.Subject, d.Operator = "", "" // who on the staff acted stays internal; the ground and reference are shown
	}
	return list, err
}

// Disclosures lists a person's public disclosures for the DPO or legal hold.
func (s *Service) Disclosures(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) ([]*Disclosure, error) {
	const op = "policy.Disclosures"
	switch {
	case a.Kind == minimall.Anonymous:
		return nil, minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || (a.Role != minimall.RoleDPO && a.Role != minimall.RoleLegalHold):
		return nil, minimall.Errorf(minimall.Denied, op, "Only the DPO or legal hold. 仅个人信息保护负责人或法务。")
	case subject == "":
		return nil, minimall.Errorf(minimall.Invalid, op, "Give ?subject=. 请指定用户。")
	}
	return s.findDisclosures(ctx, subject)
}

// RecentDisclosures lists the latest public disclosures (at most 200,
// newest first) for the DPO or legal hold, without the person: the
// fields, ground, reference and who recorded it.
func (s *Service) RecentDisclosures(ctx context.Context, a minimall.Actor) ([]*Disclosure, error) {
	const op = "policy.RecentDisclosures"
	switch {
	case a.Kind == minimall.Anonymous:
		return nil, minimall.SignedIn(a, op)
	case a.Kind != minimall.Operator || (a.Role != minimall.RoleDPO && a.Role != minimall.RoleLegalHold):
		return nil, minimall.Errorf(minimall.Denied, op, "Only the DPO or legal hold. 仅个人信息保护负责人或法务。")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, fields, ground, legal_ref, consent_id, operator, reference, at FROM public_disclosures
		ORDER BY at DESC, id LIMIT 200`)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	return scanDisclosures(op, rows, "")
}

func (s *Service) findDisclosures(ctx context.Context, subject minimall.SubjectID) ([]*Disclosure, error) {
	const op = "policy.findDisclosures"
	rows, err := s.db.QueryContext(ctx, `SELECT id, fields, ground, legal_ref, consent_id, operator, reference, at FROM public_disclosures WHERE subject = ? ORDER BY at, id`, string(subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	return scanDisclosures(op, rows, subject)
}

// scanDisclosures reads public_disclosures rows, each given subject.
func scanDisclosures(op string, rows *sql.Rows, subject minimall.SubjectID) ([]*Disclosure, error) {
	defer rows.Close()
	out := []*Disclosure{}
	for rows.Next() {
		d := &Disclosure{Subject: subject}
		var fields, ground string
		var at int64
		if err := rows.Scan(&d.ID, &fields, &ground, &d.LegalRef, &d.ConsentID, &d.Operator, &d.Reference, &at); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		for _, f := range strings.Split(fields, ",") {
			d.Fields = append(d.Fields, privacy.Field(f))
		}
		d.Ground, _ = groundOf(Ground(ground))
		d.At = sqldb.FromMicros(at)
		out = append(out, d)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
