package partner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// logDisclosure writes the disclosure row and its change-feed event in one
// transaction (with d.Within's writes), and the permit's audit entry, both
// before the request leaves: a disclosure the log does not show must be
// impossible (PIPL art. 55-56). The two are written at once, so they
// share a turn of the writer instead of taking one each; if the row fails
// after the entry is durable, a second entry cancels it.
func (g *Gateway) logDisclosure(ctx context.Context, d Disclosure, permit *privacy.Permit, ref string) (string, error) {
	id := minimall.NewRowID("pd_")
	fields := joinFields(permit.Fields)
	audited := make(chan error, 1)
	go func() { audited <- permit.Log(ctx) }()
	err := g.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if d.Within != nil {
			if err := d.Within(ctx, tx); err != nil {
				return err
			}
		}
		claim := ""
		if d.Subject == "" {
			claim = d.Claim
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO partner_disclosures
			(id, subject, partner, purpose, operation, fields, partner_ref, request_id, at, status, claim, idem_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(d.Subject), string(d.Partner), string(d.Purpose), d.Operation, fields, ref, d.RequestID, sqldb.Micros(tx.Now()), StatusSent, claim,
			d.IdempotencyKey)
		if err != nil {
			return sqldb.FormatError("partner.logDisclosure", err)
		}
		payload := map[string]string{"id": id, "partner": string(d.Partner), "purpose": string(d.Purpose), "operation": d.Operation, "fields": fields}
		return outbox.Emit(ctx, tx, TopicDisclosed, d.Subject, payload)
	})
	auditErr := <-audited
	if err != nil {
		if auditErr == nil {
			permit.Cancel(context.WithoutCancel(ctx))
		}
		return "", err
	}
	if auditErr != nil {
		// Not audited means not sent.
		return "", also(fmt.Errorf("partner: audit disclosure: %w", auditErr), g.setStatus(context.WithoutCancel(ctx), id, StatusSent, StatusFailed))
	}
	g.disclosed.Add(1)
	return id, nil
}

// also returns err, with extra joined to it when there is one; err keeps
// its type when there is not, so callers can still match it.
func also(err, extra error) error {
	if extra == nil {
		return err
	}
	return errors.Join(err, extra)
}

func joinFields(fs []privacy.Field) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func splitFields(s string) []privacy.Field {
	if s == "" {
		return []privacy.Field{}
	}
	parts := strings.Split(s, ",")
	out := make([]privacy.Field, len(parts))
	for i, p := range parts {
		out[i] = privacy.Field(p)
	}
	return out
}

// setStatus moves a disclosure from one status to another.
func (g *Gateway) setStatus(ctx context.Context, id, from, to string) error {
	_, err := g.db.ExecContext(ctx, `UPDATE partner_disclosures SET status = ? WHERE id = ? AND status = ?`, to, id, from)
	if err != nil {
		return fmt.Errorf("partner: mark %s: %w", to, err)
	}
	return nil
}

// logged is a disclosure's row in the log: its id (the idempotency key
// the partner gets), the ref the partner knows the person by, and whether
// an earlier try of the same call logged it.
type logged struct {
	id, ref string
	again   bool
}

// logOnce logs d, unless an earlier try of the same call (d's
// IdempotencyKey) already did: then that row is the disclosure, and
// neither the log nor the audit log gets a second one.
func (g *Gateway) logOnce(ctx context.Context, d Disclosure, permit *privacy.Permit) (logged, error) {
	if d.IdempotencyKey != "" {
		if l, err := g.findLogged(ctx, d); l.id != "" || err != nil {
			return l, err
		}
	}
	id, err := g.logDisclosure(ctx, d, permit, permit.Ref)
	if d.IdempotencyKey != "" && minimall.IsCode(err, minimall.Conflict) {
		// A concurrent try of the same call logged it first.
		if l, ferr := g.findLogged(ctx, d); l.id != "" || ferr != nil {
			return l, ferr
		}
	}
	return logged{id: id, ref: permit.Ref}, err
}

// findLoggedQuery finds a disclosure by its partner and idempotency key.
// The condition that idem_key is not empty lets the planner use the partial index (it cannot tell
// that the bound key is not empty): without it every payment scanned the
// whole log, and checkout ran at 0.7 of its speed.
const findLoggedQuery = `SELECT id, partner_ref FROM partner_disclosures WHERE partner = ? AND idem_key = ? AND idem_key <> ''`

// findLogged returns the row logged under d's partner and idempotency key,
// or a zero logged.
func (g *Gateway) findLogged(ctx context.Context, d Disclosure) (logged, error) {
	l := logged{again: true}
	err := g.db.QueryRowContext(ctx, findLoggedQuery, string(d.Partner), d.IdempotencyKey).Scan(&l.id, &l.ref)
	if errors.Is(err, sql.ErrNoRows) {
		return logged{}, nil
	}
	return l, sqldb.FormatError("partner.findLogged", err)
}

// Disclosures returns every disclosure of subject's information, oldest
// first: who received which fields, when, why and what became of it — the
// person's own sharing record (PIPL art. 45) and part of their export.
// A disclosure to an authority whose request says the law forbids telling
// the person is left out until that prohibition is lifted (三(五)2,
// authority.go). Returns Invalid for an empty subject.
func (g *Gateway) Disclosures(ctx context.Context, subject minimall.SubjectID) ([]Record, error) {
	const op = "partner.Disclosures"
	if subject == "" {
		return nil, minimall.Errorf(minimall.Invalid, op, "A subject is required. 需要指定用户。")
	}
	rows, err := g.db.QueryContext(ctx, `SELECT id, partner, purpose, operation, fields, request_id, at, status
		FROM partner_disclosures WHERE subject = ? AND request_id NOT IN
			(SELECT id FROM authority_requests WHERE subject = ? AND withheld = 1 AND lifted_at = 0)
		ORDER BY at, id`, string(subject), string(subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		var fields string
		var at int64
		if err := rows.Scan(&r.ID, &r.Partner, &r.Purpose, &r.Operation, &fields, &r.RequestID, &at, &r.Status); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		r.Fields, r.At = splitFields(fields), sqldb.FromMicros(at)
		out = append(out, r)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// heldRefs returns, per partner, the refs under which the partner may still
// hold subject's information: every disclosure not yet confirmed deleted,
// failed ones included (a failed call may still have arrived).
func (g *Gateway) heldRefs(ctx context.Context, subject minimall.SubjectID) (map[privacy.PartnerID][]string, error) {
	rows, err := g.db.QueryContext(ctx, `SELECT DISTINCT partner, partner_ref FROM partner_disclosures
		WHERE subject = ? AND status <> ? AND partner_ref <> ''`, string(subject), StatusDeleted)
	if err != nil {
		return nil, sqldb.FormatError("partner.heldRefs", err)
	}
	defer rows.Close()
	out := map[privacy.PartnerID][]string{}
	for rows.Next() {
		var p privacy.PartnerID
		var ref string
		if err := rows.Scan(&p, &ref); err != nil {
			return nil, sqldb.FormatError("partner.heldRefs", err)
		}
		out[p] = append(out[p], ref)
	}
	return out, sqldb.FormatError("partner.heldRefs", rows.Err())
}

// markDeleted records the partner's confirmation in one transaction with
// its change-feed event. The ref is cleared: the partner holds nothing
// under it any more, so keeping the link would serve no purpose (PIPL
// art. 47).
func (g *Gateway) markDeleted(ctx context.Context, subject minimall.SubjectID, p privacy.PartnerID, ref string) error {
	err := g.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE partner_disclosures SET status = ?, partner_ref = ''
			WHERE subject = ? AND partner = ? AND partner_ref = ? AND status <> ?`,
			StatusDeleted, string(subject), string(p), ref, StatusDeleted)
		if err != nil {
			return sqldb.FormatError("partner.markDeleted", err)
		}
		n, _ := res.RowsAffected()
		return outbox.Emit(ctx, tx, TopicDeletionNotified, subject, map[string]any{"partner": p, "disclosures": n})
	})
	if err != nil {
		return err
	}
	return nil
}

// ClaimTx attaches, inside tx, the disclosures made before subject had an
// account under claim (Disclosure.Claim) to subject: from then on they are
// in the person's sharing list, and the deletion notices of their erasure
// reach the partners that received them. Returns how many were attached.
func (g *Gateway) ClaimTx(ctx context.Context, tx *sqldb.Tx, claim string, subject minimall.SubjectID) (int64, error) {
	if claim == "" || subject == "" {
		return 0, minimall.Errorf(minimall.Invalid, "partner.ClaimTx", "A claim and a subject are required. 需要认领键和用户。")
	}
	res, err := tx.ExecContext(ctx, `UPDATE partner_disclosures SET subject = ?, claim = '' WHERE claim = ? AND subject = ''`, string(subject), claim)
	if err != nil {
		return 0, sqldb.FormatError("partner.ClaimTx", err)
	}
	return res.RowsAffected()
}

// DayCount is how many disclosures one partner received on one day (UTC).
type DayCount struct {
	Partner privacy.PartnerID
	Day     time.Time
	Count   int
}

const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// DailyCounts counts the disclosures per partner per day since since, by
// partner then day: counts only, for the operators' console; no subject
// is read. Returns Unauthorized for a visitor, Denied for anyone but an
// operator.
func (g *Gateway) DailyCounts(ctx context.Context, a minimall.Actor, since time.Time) ([]DayCount, error) {
	const op = "partner.DailyCounts"
	if a.Kind == minimall.Anonymous {
		return nil, minimall.SignedIn(a, op)
	}
	if a.Kind != minimall.Operator {
		return nil, minimall.Errorf(minimall.Denied, op, "Operators only. 仅限操作人员。")
	}
	rows, err := g.db.QueryContext(ctx, `SELECT partner, at / `+strconv.FormatInt(microsPerDay, 10)+` AS day, COUNT(*)
		FROM partner_disclosures WHERE at >= ? GROUP BY partner, day ORDER BY partner, day`, sqldb.Micros(since))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []DayCount
	for rows.Next() {
		var c DayCount
		var day int64
		if err := rows.Scan(&c.Partner, &day, &c.Count); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		c.Day = time.UnixMicro(day * microsPerDay).UTC()
		out = append(out, c)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
