// Package addressbook keeps the recipients a person saved to pick at
// checkout (二(三)2): optional — checkout works without it — sealed under
// the person's key, in their export, removed entry by entry or with them.
// An order copies the recipient it ships to; the book itself is never
// shared with anyone.
package addressbook

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/mobile"
	"minimall/privacy"
	"minimall/sqldb"
)

// Address is a saved recipient.
type Address struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxAddresses bounds a person's book.
const MaxAddresses = 20

// addresses is the area's table; its sealed columns come from the registry.
var addresses = privacy.TableOf("addresses")

// Service is the address book.
type Service struct {
	db *sqldb.DB
	k  *privacy.Kernel
}

// NewService returns the address book over db.
func NewService(db *sqldb.DB, k *privacy.Kernel) *Service { return &Service{db: db, k: k} }

// Add saves a recipient: a name, an address and a mobile number, as an
// order's recipient needs them. Returns Unauthorized for a visitor,
// Invalid for a missing or malformed value, Conflict when the book is full.
func (s *Service) Add(ctx context.Context, a minimall.Actor, n Address) (*Address, error) {
	const op = "addressbook.Add"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	n.Name, n.Address = strings.TrimSpace(n.Name), strings.TrimSpace(n.Address)
	phone, err := mobile.Normalize(n.Phone)
	const rule = "Give a name (1-50 characters) and an address (5-200). 请填写收货人姓名（1至50字）和地址（5至200字）。"
	switch {
	case !text(n.Name, 1, 50):
		return nil, minimall.InvalidField(op, "name", lengthRule(n.Name), rule)
	case !text(n.Address, 5, 200):
		return nil, minimall.InvalidField(op, "address", lengthRule(n.Address), rule)
	case err != nil:
		return nil, minimall.AtField(err, "phone")
	}
	n.Phone, n.ID = phone, minimall.NewRowID("ad_")
	sealed, err := s.k.Guard().SealTableRow(ctx, addresses, a.Subject, n.ID,
		map[privacy.Field]string{privacy.AddressName: n.Name, privacy.AddressAddress: n.Address, privacy.AddressPhone: n.Phone})
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM addresses WHERE subject = ?`, string(a.Subject)).Scan(&count); err != nil {
			return sqldb.FormatError(op, err)
		}
		if count >= MaxAddresses {
			return minimall.Errorf(minimall.Conflict, op, "The address book holds %d addresses; remove one first. 地址簿最多保存%d个地址，请先删除一个。", MaxAddresses, MaxAddresses)
		}
		n.CreatedAt = tx.Now()
		_, err := tx.ExecContext(ctx, `INSERT INTO addresses (id, subject, created_at, `+sealed.Columns+`) VALUES (?, ?, ?, `+sealed.Marks+`)`,
			append([]any{n.ID, string(a.Subject), sqldb.Micros(n.CreatedAt)}, sealed.Args...)...)
		return sqldb.FormatError(op, err)
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func text(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && n >= min && n <= max && !strings.ContainsAny(s, "\x00")
}

// List returns the person's saved recipients, oldest first, opened for
// their own checkout.
func (s *Service) List(ctx context.Context, a minimall.Actor) ([]Address, error) {
	const op = "addressbook.List"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	specs := addresses.Sealed()
	rows, err := s.db.QueryContext(ctx, `SELECT id, created_at, `+privacy.Columns(specs)+` FROM addresses WHERE subject = ? ORDER BY created_at, id`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	type sealedRow struct {
		id      string
		created int64
		values  privacy.Values
	}
	var found []sealedRow
	for rows.Next() {
		var r sealedRow
		dest, collect := privacy.ScanInto(specs)
		if err := rows.Scan(append([]any{&r.id, &r.created}, dest...)...); err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		r.values = collect()
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	out := make([]Address, 0, len(found))
	for _, r := range found {
		ad := Address{ID: r.id, CreatedAt: sqldb.FromMicros(r.created)}
		for f, dst := range map[privacy.Field]*string{privacy.AddressName: &ad.Name, privacy.AddressAddress: &ad.Address, privacy.AddressPhone: &ad.Phone} {
			if *dst, err = s.k.Guard().OpenString(ctx, a, a.Subject, f, privacy.ForOrder, r.id, r.values[f]); err != nil {
				return nil, err
			}
		}
		out = append(out, ad)
	}
	return out, nil
}

// Get returns one saved recipient. Returns NotFound for another person's.
func (s *Service) Get(ctx context.Context, a minimall.Actor, id string) (*Address, error) {
	list, err := s.List(ctx, a)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, minimall.Errorf(minimall.NotFound, "addressbook.Get", "No such address. 没有这个地址。")
}

// Remove deletes a saved recipient, journalled first in the kernel's
// deletion ledger so a restored backup never brings it back. Returns
// NotFound for another person's.
func (s *Service) Remove(ctx context.Context, a minimall.Actor, id string) error {
	const op = "addressbook.Remove"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	notFound := minimall.Errorf(minimall.NotFound, op, "No such address. 没有这个地址。")
	found, err := s.k.RecordDeletion(ctx, a.Subject, "addresses", id)
	if err != nil {
		return err
	}
	if !found {
		return notFound
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM addresses WHERE id = ? AND subject = ?`, id, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound
		}
		return nil
	})
}

// lengthRule says which rule a text that failed text broke: an empty one
// is missing; otherwise its length (or a NUL in it) is wrong.
func lengthRule(s string) minimall.Rule {
	if s == "" {
		return minimall.RuleRequired
	}
	return minimall.RuleLength
}
