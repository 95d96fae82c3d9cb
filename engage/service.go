package engage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service keeps the records. Every method is one transaction.
type Service struct {
	db      *sqldb.DB
	k       *privacy.Kernel
	catalog Catalog
	members Members
}

// NewService returns the service; c and m check that a favourite's item or
// shop and a followed member exist, and either may be nil (no check).
func NewService(db *sqldb.DB, k *privacy.Kernel, c Catalog, m Members) *Service {
	return &Service{db: db, k: k, catalog: c, members: m}
}

// Add adds a record of kind k for the signed-in person and reports whether
// it is new; adding a target already there returns the existing record
// (a footprint moves to the top). Returns Unauthorized for a visitor,
// Invalid for a malformed request, NotFound for an unknown target.
func (s *Service) Add(ctx context.Context, a minimall.Actor, k Kind, n NewEntry) (*Entry, bool, error) {
	const op = "engage.Add"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, false, err
	}
	ks, err := spec(op, k)
	if err != nil {
		return nil, false, err
	}
	if err := n.validate(op, ks, k); err != nil {
		return nil, false, err
	}
	if n.Type == Member && n.Target == string(a.Subject) {
		return nil, false, invalid(op, "You cannot follow yourself. 不能关注自己。")
	}
	if err := s.exists(ctx, op, n.Type, n.Target); err != nil {
		return nil, false, err
	}
	return s.add(ctx, a.Subject, k, ks, sealedTarget{Type: n.Type, ID: n.Target, Channel: n.Channel})
}

// exists asks the catalogue (or the member directory) whether the target
// exists; with no checker wired, every well-formed id is taken.
func (s *Service) exists(ctx context.Context, op string, t TargetType, id string) error {
	var ok bool
	var err error
	switch {
	case t == Item && s.catalog != nil:
		ok, err = s.catalog.ItemExists(ctx, id)
	case t == Shop && s.catalog != nil:
		ok, err = s.catalog.ShopExists(ctx, id)
	case t == Member && s.members != nil:
		ok, err = s.members.MemberExists(ctx, minimall.SubjectID(id))
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: check %s: %w", op, t, err)
	}
	if !ok {
		return minimall.Errorf(minimall.NotFound, op, "No such %s. 对象不存在。", t)
	}
	return nil
}

// pending is a record sealed and ready to write.
type pending struct {
	subject minimall.SubjectID
	id      string // the new row's id, used if the target is not there yet
	idx     string
	sealed  []byte
	entry   Entry
}

// prepare seals a record before any transaction, so the write lock is
// never held during cryptography. The target is sealed under the person's
// keys (registry field ks.field) and found again by the person's
// pseudonym of it: a keyed hash from their own data key rather than the
// platform's lookup key, so erasing them unlinks the index too, and nobody
// holding the data folder can test "did this person look at item X"
// without it.
func (s *Service) prepare(ctx context.Context, subject minimall.SubjectID, k Kind, ks kindSpec, t sealedTarget) (*pending, error) {
	idx, err := s.k.Pseudonym(ctx, subject, "engage."+string(k)+"\x00"+string(t.Type)+":"+t.ID)
	if err != nil {
		return nil, err
	}
	p := &pending{subject: subject, id: minimall.NewRowID(ks.prefix), idx: idx,
		entry: Entry{Kind: k, Type: t.Type, Target: t.ID, Channel: t.Channel}}
	plain, _ := json.Marshal(t)
	if p.sealed, err = s.k.Guard().Seal(ctx, subject, ks.field, p.id, plain); err != nil {
		return nil, err
	}
	return p, nil
}

// write stores p in tx and reports whether it is new; the row already
// there wins on a repeat (a footprint takes the new time).
func (p *pending) write(ctx context.Context, tx *sqldb.Tx, ks kindSpec) (bool, error) {
	var at int64
	err := tx.QueryRowContext(ctx, upsertSQL(p.entry.Kind, ks), p.id, string(p.subject), p.idx, p.sealed, sqldb.Micros(tx.Now())).Scan(&p.entry.ID, &at)
	if err != nil {
		return false, sqldb.FormatError("engage.Add", err)
	}
	p.entry.At = sqldb.FromMicros(at)
	return p.entry.ID == p.id, nil
}

// add stores one record in a transaction of its own.
func (s *Service) add(ctx context.Context, subject minimall.SubjectID, k Kind, ks kindSpec, t sealedTarget) (*Entry, bool, error) {
	p, err := s.prepare(ctx, subject, k, ks, t)
	if err != nil {
		return nil, false, err
	}
	var created bool
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		if created, err = p.write(ctx, tx, ks); err != nil || !created && k != Footprint {
			return err
		}
		// A footprint seen again is a change: recommendations learn from
		// views in real time (二(二)4).
		return outbox.Emit(ctx, tx, TopicAdded, subject, Changed{Kind: k, Entries: []string{p.entry.ID}})
	})
	if err != nil {
		return nil, false, err
	}
	return &p.entry, created, nil
}

// upsertSQL inserts a record, or on a repeat returns the existing row (a
// footprint gets the new time). One statement, so concurrent views of the
// same item never collide on the unique index.
func upsertSQL(k Kind, ks kindSpec) string {
	q := `INSERT INTO ` + ks.table() + ` (id, subject, target_index, ` + ks.column() + `, at) VALUES (?, ?, ?, ?, ?)`
	switch {
	case !ks.unique:
	case k == Footprint:
		q += ` ON CONFLICT (subject, target_index) DO UPDATE SET at = excluded.at`
	default:
		q += ` ON CONFLICT (subject, target_index) DO UPDATE SET at = ` + ks.table() + `.at`
	}
	return q + ` RETURNING id, at`
}

// List returns a page of the person's records of kind k, newest first.
// page counts from 1; perPage 0 means DefaultPerPage. Returns Unauthorized
// for a visitor, Invalid for a bad kind or paging.
func (s *Service) List(ctx context.Context, a minimall.Actor, k Kind, page, perPage int) (*Page, error) {
	const op = "engage.List"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	ks, err := spec(op, k)
	if err != nil {
		return nil, err
	}
	if k == Footprint {
		// Views from the item page may still be queued: show them too.
		if err := s.db.Flush(ctx); err != nil {
			return nil, err
		}
	}
	if perPage == 0 {
		perPage = DefaultPerPage
	}
	if page < 1 || page > 100000 || perPage < 1 || perPage > MaxPerPage {
		return nil, invalid(op, fmt.Sprintf("page must be 1 or more and per_page 1 to %d. 分页参数错误。", MaxPerPage))
	}
	sealed, at, total, err := s.findRows(ctx, a.Subject, ks, perPage, (page-1)*perPage)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	p := &Page{Entries: []Entry{}, Total: total, Page: page, PerPage: perPage}
	for i, o := range s.k.Guard().OpenAll(ctx, a, a.Subject, ks.purpose, sealed) {
		if o.Err != nil {
			return nil, o.Err
		}
		e, err := entryOf(k, o.Row, o.Value, at[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		p.Entries = append(p.Entries, *e)
	}
	if page*perPage < total {
		p.NextPage = page + 1
	}
	return p, nil
}

func entryOf(k Kind, id string, plain []byte, at int64) (*Entry, error) {
	var t sealedTarget
	if err := json.Unmarshal(plain, &t); err != nil {
		return nil, fmt.Errorf("decode %s: %w", id, err)
	}
	return &Entry{ID: id, Kind: k, Type: t.Type, Target: t.ID, Channel: t.Channel, At: sqldb.FromMicros(at)}, nil
}

// Targets returns the records ids of subject that are still there, opened
// for purpose p on behalf of a in one go: the guard checks and audits once
// for the lot (privacy.Guard.OpenAll), as the recommendation follower reads
// a person's views of one group commit. A record gone meanwhile is left
// out; the guard's denial is returned.
func (s *Service) Targets(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, k Kind, ids []string, p privacy.Purpose) ([]*Entry, error) {
	const op = "engage.Targets"
	ks, err := spec(op, k)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := []any{string(subject)}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, `+ks.column()+`, at FROM `+ks.table()+` WHERE subject = ? AND id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, args...)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var sealed []privacy.Sealed
	at := map[string]int64{}
	for rows.Next() {
		var it privacy.Sealed
		var when int64
		if err := rows.Scan(&it.Row, &it.Value, &when); err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		it.Field, at[it.Row] = ks.field, when
		sealed = append(sealed, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var out []*Entry
	for _, o := range s.k.Guard().OpenAll(ctx, a, subject, p, sealed) {
		if o.Err != nil {
			if errors.As(o.Err, new(*privacy.Denied)) {
				return nil, o.Err
			}
			continue
		}
		e, err := entryOf(k, o.Row, o.Value, at[o.Row])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Target returns one record of subject, opened for purpose p on behalf of
// a (the recommendation area, following the change feed, opens with
// privacy.ForRecommendation, which needs the person's consent). Returns
// NotFound for an unknown record, or the guard's denial.
func (s *Service) Target(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, k Kind, id string, p privacy.Purpose) (*Entry, error) {
	const op = "engage.Target"
	ks, err := spec(op, k)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	var at int64
	err = s.db.QueryRowContext(ctx, `SELECT `+ks.column()+`, at FROM `+ks.table()+` WHERE id = ? AND subject = ?`, id, string(subject)).Scan(&sealed, &at)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	plain, err := s.k.Guard().Open(ctx, a, subject, ks.field, p, id, sealed)
	if err != nil {
		return nil, err
	}
	return entryOf(k, id, plain, at)
}

// Remove deletes one of the person's records, journalled first in the
// kernel's deletion ledger so a restored backup never brings it back.
// Returns NotFound for an unknown record or someone else's (which is not
// revealed to exist).
func (s *Service) Remove(ctx context.Context, a minimall.Actor, k Kind, id string) error {
	const op = "engage.Remove"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	ks, err := spec(op, k)
	if err != nil {
		return err
	}
	if k == Footprint {
		// A view still queued is deleted too.
		if err := s.db.Flush(ctx); err != nil {
			return err
		}
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such %s record. 记录不存在。", ks.name)
	found, err := s.k.RecordDeletion(ctx, a.Subject, ks.table(), id)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+ks.table()+` WHERE id = ? AND subject = ?`, id, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound
		}
		// Derived stores (recommendations) forget it too.
		return outbox.Emit(ctx, tx, TopicRemoved, a.Subject, Changed{Kind: k, Entries: []string{id}, Reason: "user"})
	})
}

// Clear deletes all the person's records of kind k, up to now, and
// returns how many went. It is journalled first in the kernel's deletion
// ledger, so a restored backup never brings them back. Returns
// Unauthorized for a visitor.
func (s *Service) Clear(ctx context.Context, a minimall.Actor, k Kind) (int64, error) {
	const op = "engage.Clear"
	if err := minimall.SignedIn(a, op); err != nil {
		return 0, err
	}
	ks, err := spec(op, k)
	if err != nil {
		return 0, err
	}
	if err := s.db.Flush(ctx); err != nil { // views still queued go too
		return 0, err
	}
	upTo, found, err := s.k.RecordClear(ctx, a.Subject, ks.table())
	if err != nil || !found {
		return 0, err
	}
	return s.clear(ctx, a.Subject, k, ks, "user", upTo)
}

// clear deletes subject's records of kind k up to upTo (all of them when
// zero), as a replay of the ledger would.
func (s *Service) clear(ctx context.Context, subject minimall.SubjectID, k Kind, ks kindSpec, reason string, upTo time.Time) (int64, error) {
	q, args := `DELETE FROM `+ks.table()+` WHERE subject = ?`, []any{string(subject)}
	if !upTo.IsZero() {
		q, args = q+` AND at <= ?`, append(args, sqldb.Micros(upTo))
	}
	var out int64
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return sqldb.FormatError("engage.Clear", err)
		}
		n, _ := res.RowsAffected()
		if n > 0 {
			if err := outbox.Emit(ctx, tx, TopicRemoved, subject, Changed{Kind: k, All: true, Reason: reason}); err != nil {
				return err
			}
		}
		out = n
		return nil
	})
	return out, err
}

// Forget deletes every record of an erased or deregistered person. Their
// sealed targets were unreadable already (crypto-shredding); this drops
// the rows and tells derived stores. The rights area calls it.
func (s *Service) Forget(ctx context.Context, subject minimall.SubjectID) error {
	for _, k := range Kinds {
		if _, err := s.clear(ctx, subject, k, kinds[k], "erased", time.Time{}); err != nil {
			return err
		}
	}
	return nil
}
