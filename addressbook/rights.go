package addressbook

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

// RightsPart returns the address book's part of rights requests: its
// entries are in the export, and go when deleted or with the account.
func (s *Service) RightsPart() rights.Part { return bookPart{s} }

type bookPart struct{ s *Service }

func (bookPart) Name() string { return "addressbook" }

func (bookPart) Holds() []privacy.Field { return rights.Holds(addresses) }

func (p bookPart) Export(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (rights.Section, error) {
	return rights.ExportTables(ctx, p.s.db, p.s.k.Guard(), a, subject, "addressbook", addresses)
}

// Correct is not served here: an entry is removed and saved anew.
func (bookPart) Correct(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f privacy.Field, value, requestID string) error {
	return rights.NotHere("addressbook.RightsCorrect", f)
}

// Delete removes every entry: nothing here is kept for a duty.
func (p bookPart) Delete(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, fields []privacy.Field, requestID string) (rights.Deleted, error) {
	d := rights.Deleted{Removed: map[privacy.Field]int{}, Kept: map[privacy.Field]string{}}
	n, err := rights.DeleteRows(ctx, p.s.db, p.s.k, subject, addresses)
	if err != nil {
		return d, err
	}
	d.Removed[privacy.AddressName] = n
	return d, nil
}

func (bookPart) Pending(ctx context.Context, s minimall.SubjectID) ([]rights.Pending, error) {
	return nil, nil
}
