package incident

import (
	"context"
	"strings"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// RightsPart returns the incident area's part of rights requests. It
// stores no value of a registry field; what it holds is which incidents
// affected the person and which of their fields each involved, and the
// person's export lists them (PIPL art. 45, 57): what happened, when,
// their information involved, the impact, what was done, what they can do
// and when they were told.
func (s *Service) RightsPart() rights.Part { return rightsPart{s} }

type rightsPart struct{ s *Service }

// RecordIncident is the kind of record this part lists and keeps.
const RecordIncident = "security_incident"

const keepReason = "安全事件处置记录依法保存，用于向监管部门报告处置情况（《个人信息保护法》第57条）；记录仅含编号和字段类别，不含您的信息内容 / " +
	"the record of an incident's handling is kept for the report to the regulator (PIPL art. 57); it holds ids and field kinds, none of your values"

func (rightsPart) Name() string { return "incident" }

func (rightsPart) Holds() []privacy.Field { return nil }

func (p rightsPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	const op = "incident.RightsExport"
	rows, err := p.s.db.QueryContext(ctx, `SELECT i.id, i.title, i.what, i.impact, i.measures, i.advice, i.since, i.until, i.created_at, i.notified_at, s.fields
		FROM incident_subjects s JOIN incidents i ON i.id = s.incident WHERE s.subject = ? ORDER BY i.created_at, i.id`, string(subject))
	if err != nil {
		return rights.Section{}, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	sec := rights.Section{Part: "incident", Values: []rights.Value{}}
	for rows.Next() {
		var in Incident
		var since, until, created, notified int64
		var fields string
		if err := rows.Scan(&in.ID, &in.Title, &in.What, &in.Impact, &in.Measures, &in.Advice, &since, &until, &created, &notified, &fields); err != nil {
			return rights.Section{}, sqldb.FormatError(op, err)
		}
		in.Since, in.Until, in.CreatedAt = sqldb.FromMicros(since), sqldb.FromMicros(until), sqldb.FromMicros(created)
		if notified != 0 {
			in.NotifiedAt = sqldb.FromMicros(notified)
		}
		sec.Records = append(sec.Records, incidentRecord(&in, splitStrings[privacy.Field](fields)))
	}
	return sec, sqldb.FormatError(op, rows.Err())
}

// incidentRecord states one incident as the notice told it, with the
// person's own fields it involved.
func incidentRecord(in *Incident, yours []privacy.Field) rights.Record {
	fact := func(key, label, value string) rights.Fact { return rights.Fact{Key: key, Label: label, Value: value} }
	const stamp = "2006-01-02 15:04 UTC"
	names := make([]string, 0, len(yours))
	for _, f := range yours {
		if spec, ok := privacy.Spec(f); ok {
			names = append(names, spec.Name+" / "+spec.NameEN)
		}
	}
	notified := "尚未告知 / not yet notified"
	if !in.NotifiedAt.IsZero() {
		notified = in.NotifiedAt.UTC().Format(stamp) + "（站内消息 / message centre）"
	}
	return rights.Record{Part: "incident", Kind: RecordIncident, ID: in.ID, At: in.CreatedAt,
		Title: "个人信息安全事件：" + in.Title + " / Security incident",
		Facts: []rights.Fact{
			fact("what", "发生了什么 / What happened", in.What),
			fact("window", "时间 / When", in.Since.UTC().Format(stamp)+" – "+in.Until.UTC().Format(stamp)),
			fact("your_information", "涉及您的信息 / Your information involved", strings.Join(names, "；")),
			fact("impact", "可能的影响 / Possible impact", in.Impact),
			fact("measures", "已采取的措施 / What we have done", in.Measures),
			fact("advice", "您可以做什么 / What you can do", in.Advice),
			fact("notified", "告知时间 / When you were told", notified),
		}}
}

func (rightsPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("incident.RightsCorrect", f)
}

// Delete keeps the incident records: they are the account of the incident
// given to the regulator, hold no personal values, and are reported kept.
func (rightsPart) Delete(ctx context.Context, a minimall.Actor, s minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	if len(fields) > 0 {
		return rights.Deleted{}, nil
	}
	return rights.Deleted{KeptRecords: map[string]string{RecordIncident: keepReason}}, nil
}

func (rightsPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
