package account

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Reindexer writes the account area's blind indexes anew when the phone
// or member-name lookup key is rotated (privacy.Kernel.RotateLookup).
// Both indexes of an account are rewritten together: a held child's
// member-name index is made under the phone purpose too (pendingIndex).
type Reindexer struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
}

func (Reindexer) Lookups() []privacy.Field {
	return []privacy.Field{privacy.AccountPhone, privacy.MemberName}
}

// Reindex rewrites every account's indexes, then drops what keeps only a
// keyed hash of something typed and cannot be made anew: sign-in counters
// (a day at most) and, for the phone, one-time codes (minutes): a code
// asked for before the rotation is asked for again.
func (r Reindexer) Reindex(ctx context.Context, f privacy.Field) (int, error) {
	const op = "account.Reindex"
	s := &Service{db: r.DB, k: r.Kernel}
	n, err := s.reindexAccounts(ctx)
	if err != nil {
		return n, err
	}
	drop := []string{`DELETE FROM login_throttle`}
	if f == privacy.AccountPhone {
		drop = append(drop, `DELETE FROM verification_codes`)
	}
	return n, r.DB.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		for _, q := range drop {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		return nil
	})
}

// accountIndexes is one account's new indexes.
type accountIndexes struct {
	subject, status string
	phone, name     []byte
}

func (s *Service) reindexAccounts(ctx context.Context) (int, error) {
	const op = "account.Reindex"
	total, after := 0, ""
	for {
		batch, err := s.indexBatch(ctx, after)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			for _, x := range batch {
				if x.phone == nil {
					continue // erased meanwhile
				}
				_, err := tx.ExecContext(ctx, `UPDATE accounts SET phone_index = ?, member_name_index = ? WHERE subject = ? AND status = ?`,
					x.phone, x.name, x.subject, x.status)
				if err != nil {
					return sqldb.FormatError(op, err)
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		after = batch[len(batch)-1].subject
	}
}

// indexBatch reads the accounts after subject after that have indexes (a
// deregistered one holds random tombstones) and makes their new indexes.
func (s *Service) indexBatch(ctx context.Context, after string) ([]accountIndexes, error) {
	const op = "account.Reindex"
	rows, err := s.db.QueryContext(ctx, `SELECT subject, status, phone_sealed, phone_version, member_name_sealed FROM accounts
		WHERE subject > ? AND status <> ? ORDER BY subject LIMIT 500`, after, StatusDeregistered)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	type sealedAccount struct {
		accountIndexes
		phoneSealed, nameSealed []byte
		version                 uint64
	}
	var read []sealedAccount
	for rows.Next() {
		var x sealedAccount
		if err := rows.Scan(&x.subject, &x.status, &x.phoneSealed, &x.version, &x.nameSealed); err != nil {
			rows.Close()
			return nil, sqldb.FormatError(op, err)
		}
		read = append(read, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	out := make([]accountIndexes, len(read))
	for i, x := range read {
		out[i] = x.accountIndexes
		if out[i].phone, out[i].name, err = s.newIndexes(ctx, x.subject, x.status, x.version, x.phoneSealed, x.nameSealed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newIndexes opens an account's phone and member name and makes their
// indexes under the current keys; nil for a person erased.
func (s *Service) newIndexes(ctx context.Context, subject, status string, version uint64, phoneSealed, nameSealed []byte) ([]byte, []byte, error) {
	subj := minimall.SubjectID(subject)
	phone, skip, err := s.k.OpenForReindex(ctx, subj, privacy.AccountPhone, privacy.ForLogin, subject, version, phoneSealed)
	if skip || err != nil {
		return nil, nil, err
	}
	name, skip, err := s.k.OpenForReindex(ctx, subj, privacy.MemberName, privacy.ForLogin, subject, 0, nameSealed)
	if skip || err != nil {
		return nil, nil, err
	}
	p, n := s.phoneIndex(string(phone)), s.nameIndex(string(name))
	if status == StatusPendingGuardian || status == StatusGuardianWithdrawn {
		p, n = s.pendingIndex(p), s.pendingIndex(n)
	}
	return p, n, nil
}
