package rights

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// requestRow is a rights_requests row as stored.
type requestRow struct {
	id, filedBy, refused, answer string
	ref                          string
	subject                      minimall.SubjectID
	kind                         Kind
	state                        State
	request, proof, kin, token   []byte
	receivedAt, dueAt            time.Time
	checkedAt, closedAt          int64
}

// requestColumns are a request's plain columns, then its sealed ones as
// its table declares them (privacy/tables.go and the registry).
var requestColumns = `id, subject, kind, filed_by, state, token_hash, refused_reason, answer, received_at, due_at, checked_at, closed_at, ref, ` +
	privacy.Columns(requests.Sealed())

func scanRequest(sc interface{ Scan(...any) error }) (*requestRow, error) {
	r := &requestRow{}
	var received, due int64
	sealed, collect := privacy.ScanInto(requests.Sealed())
	err := sc.Scan(append([]any{&r.id, &r.subject, &r.kind, &r.filedBy, &r.state, &r.token, &r.refused, &r.answer,
		&received, &due, &r.checkedAt, &r.closedAt, &r.ref}, sealed...)...)
	v := collect()
	r.request, r.proof, r.kin = v[privacy.RightsRequestRecord], v[privacy.RightsIdentityProof], v[privacy.NextOfKinEvidence]
	r.receivedAt, r.dueAt = sqldb.FromMicros(received), sqldb.FromMicros(due)
	return r, err
}

// insert stores a new request, its details sealed under the subject's
// retention key so the record outlives a deregistration.
func (s *Queue) insert(ctx context.Context, subject minimall.SubjectID, kind Kind, by string, d Details, token []byte) (*Request, error) {
	return s.insertWith(ctx, newRequestID(), subject, kind, by, Received, "", d, token, nil)
}

func newRequestID() string { return "rr_" + minimall.RandomToken(10) }

// insertWith stores a new request id in state st about ref; inTx, when
// given, runs in the same transaction, after the insert, so another area's
// change and the request stand or fall together. Sealing happens before
// the transaction: it may touch the key store.
func (s *Queue) insertWith(ctx context.Context, id string, subject minimall.SubjectID, kind Kind, by string, st State, ref string, d Details, token []byte,
	inTx func(*sqldb.Tx, *Request) error) (*Request, error) {
	const op = "rights.File"
	now := s.db.Now()
	plain, _ := json.Marshal(d)
	values := map[privacy.Field]string{privacy.RightsRequestRecord: string(plain)}
	if by == ByNextOfKin {
		ev, _ := json.Marshal(map[string]string{"relation": d.Relation, "evidence": d.Evidence})
		values[privacy.NextOfKinEvidence] = string(ev)
	}
	sealed, err := s.k.Guard().SealTableRowRetained(ctx, requests, subject, id, now, values)
	if err != nil {
		return nil, err
	}
	r := &Request{ID: id, Subject: subject, Kind: kind, FiledBy: by, State: st, ReceivedAt: now, DueAt: deadline(now), Ref: ref}
	var checked int64
	if st != Received {
		checked = sqldb.Micros(now) // filed in a signed-in session: nothing further to prove
		r.CheckedAt = &now
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if by == ByRecipient {
			// A recipient has no account: the request makes them a subject.
			if err := s.k.AddSubject(ctx, tx, subject, ""); err != nil {
				return err
			}
		}
		var err error
		_, err = tx.ExecContext(ctx, `INSERT INTO rights_requests (id, subject, kind, filed_by, state, token_hash, received_at, due_at, checked_at, ref, `+sealed.Columns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, `+sealed.Marks+`)`, append([]any{id, string(subject), string(kind), by, string(st), token,
			sqldb.Micros(now), sqldb.Micros(deadline(now)), checked, ref}, sealed.Args...)...)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if inTx != nil {
			if err := inTx(tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.k.AuditAppend(ctx, minimall.SystemActor("rights"), subject, "rights_request", string(kind)+":"+by); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Queue) load(ctx context.Context, op, id string) (*requestRow, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM rights_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(op)
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	return r, nil
}

// details opens what a request asks for.
func (s *Service) details(ctx context.Context, a minimall.Actor, r *requestRow) (Details, error) {
	var d Details
	b, err := s.k.Guard().Open(ctx, a, r.subject, privacy.RightsRequestRecord, privacy.ForRightsRequest, r.id, r.request)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(b, &d)
}

// overdue is the queue's rule for every request: open past its deadline.
func overdue(st State, due, now time.Time) bool {
	return st != Answered && st != Refused && now.After(due)
}

// view turns a row into what its reader sees; details are opened for the
// person and the DPO, and left out when the guard refuses (after erasure)
// or there are none (a complaint moved into the queue by 0026).
func (s *Service) view(ctx context.Context, a minimall.Actor, r *requestRow) *Request {
	now := s.db.Now()
	v := &Request{ID: r.id, Subject: r.subject, Kind: r.kind, FiledBy: r.filedBy, State: r.state, ReceivedAt: r.receivedAt,
		DueAt: r.dueAt, RefusedReason: r.refused, Ref: r.ref}
	// The flag marks what is open past its deadline; a late answer stays
	// on record as answered_late.
	v.Overdue = overdue(r.state, r.dueAt, now)
	v.AnsweredLate = r.closedAt != 0 && sqldb.FromMicros(r.closedAt).After(r.dueAt)
	if r.checkedAt != 0 {
		t := sqldb.FromMicros(r.checkedAt)
		v.CheckedAt = &t
	}
	if r.closedAt != 0 {
		t := sqldb.FromMicros(r.closedAt)
		v.ClosedAt = &t
	}
	if r.answer != "" {
		v.Answer = &Answer{}
		json.Unmarshal([]byte(r.answer), v.Answer)
	}
	if (a.Kind != minimall.System || a.ID != "rights:list") && len(r.request) > 0 {
		if d, err := s.details(ctx, a, r); err == nil {
			v.Details = &d
		}
	}
	return v
}

// Get returns one request to the person who filed it, to a next of kin or
// a guardian holding its token, or to the DPO. Anyone else gets NotFound.
func (s *Service) Get(ctx context.Context, a minimall.Actor, id, token string) (*Request, error) {
	const op = "rights.Get"
	r, err := s.load(ctx, op, id)
	if err != nil {
		return nil, err
	}
	reader, err := s.reader(op, a, r, token)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, reader, r), nil
}

// reader returns the actor a request is read and served as: the person,
// the DPO, or for a next of kin with the request's token the platform
// acting for the request (audited under the request id).
func (s *Service) reader(op string, a minimall.Actor, r *requestRow, token string) (minimall.Actor, error) {
	switch {
	case a.Kind == minimall.Shopper && a.Subject == r.subject && r.filedBy == BySelf:
		return a, nil
	case a.Kind == minimall.Operator && requireDPO(a, op) == nil:
		return a, nil
	case token != "" && r.filedBy == ByNextOfKin && len(r.token) > 0 && subtle.ConstantTimeCompare(tokenHash(token), r.token) == 1:
		return minimall.Actor{Kind: minimall.System, ID: "rights:next-of-kin", Reason: r.id}, nil
	case token != "" && r.filedBy == ByGuardian && len(r.token) > 0 && subtle.ConstantTimeCompare(tokenHash(token), r.token) == 1:
		// A child's guardian reads as themselves, so the child sees it (七).
		return minimall.GuardianActor(r.subject, r.id), nil
	case token != "" && r.filedBy == ByRecipient && len(r.token) > 0 && subtle.ConstantTimeCompare(tokenHash(token), r.token) == 1:
		return minimall.Actor{Kind: minimall.System, ID: "rights:recipient", Reason: r.id}, nil
	}
	return minimall.Actor{}, notFound(op)
}

// Mine lists the signed-in person's requests, newest first.
func (s *Service) Mine(ctx context.Context, a minimall.Actor) ([]*Request, error) {
	const op = "rights.Mine"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	return s.find(ctx, op, minimall.Actor{Kind: minimall.System, ID: "rights:list"},
		`SELECT `+requestColumns+` FROM rights_requests WHERE subject = ? AND filed_by = ? ORDER BY received_at DESC, id`, string(a.Subject), BySelf)
}

// Filter selects requests for the operators' queue.
type Filter struct {
	State   State
	Overdue bool
	Limit   int
}

// List returns the queue for the DPO, oldest deadline first, each marked
// overdue when past its deadline unanswered. Returns Denied for anyone else.
func (s *Service) List(ctx context.Context, a minimall.Actor, f Filter) ([]*Request, error) {
	const op = "rights.List"
	if err := requireDPO(a, op); err != nil {
		return nil, err
	}
	where, args := []string{}, []any{}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Overdue {
		where = append(where, "state NOT IN (?, ?) AND due_at < ?")
		args = append(args, string(Answered), string(Refused), sqldb.Micros(s.db.Now()))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT ` + requestColumns + ` FROM rights_requests`
	for i, w := range where {
		if i == 0 {
			q += " WHERE " + w
		} else {
			q += " AND " + w
		}
	}
	q += ` ORDER BY due_at, id LIMIT ?`
	return s.find(ctx, op, minimall.Actor{Kind: minimall.System, ID: "rights:list"}, q, append(args, f.Limit)...)
}

func (s *Service) find(ctx context.Context, op string, a minimall.Actor, q string, args ...any) ([]*Request, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []*Request{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out = append(out, s.view(ctx, a, r))
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// requestsPart is the rights area's own records as a part of the export.
type requestsPart struct{ s *Service }

func (requestsPart) Name() string { return "rights" }

// requests is the table of rights requests; its sealed columns come from
// the registry.
var requests = privacy.TableOf("rights_requests")

func (requestsPart) Holds() []privacy.Field { return Holds(requests) }

func (p requestsPart) Export(ctx context.Context, a minimall.Actor, s minimall.SubjectID) (Section, error) {
	return ExportTables(ctx, p.s.db, p.s.k.Guard(), a, s, "rights", requests)
}

func (requestsPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return minimall.Errorf(minimall.Invalid, "rights.Correct", "Rights requests are records of how we answered; they cannot be changed. 权利请求记录不可更改。")
}

// Delete keeps every request record: they show how minimall answered, for
// the limitation period (Civil Code art. 188), under retention keys.
func (requestsPart) Delete(ctx context.Context, a minimall.Actor, s minimall.SubjectID, fields []privacy.Field, requestID string) (Deleted, error) {
	return KeepAll(requestsPart{}.Holds(), fields), nil
}

func (requestsPart) Pending(ctx context.Context, s minimall.SubjectID) ([]Pending, error) {
	return nil, nil
}

func contains(fs []privacy.Field, f privacy.Field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}
