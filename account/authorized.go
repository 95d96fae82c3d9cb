package account

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// AppValues opens, for purpose p on behalf of a, the fields a third-party
// app may receive through authorized login (policy 二(一)2): the nickname
// and avatar, and the account phone for binding. The guard decides, so a
// purpose the registry does not allow or a consent not in force is
// refused; an unset field is left out. Returns Invalid for any other field.
func (s *Service) AppValues(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, p privacy.Purpose, fields ...privacy.Field) (map[privacy.Field]string, error) {
	const op = "account.AppValues"
	var profile []privacy.Field
	out := map[privacy.Field]string{}
	for _, f := range fields {
		switch f {
		case privacy.Nickname, privacy.Avatar:
			profile = append(profile, f)
		case privacy.AccountPhone:
			var sealed []byte
			var version uint64
			err := s.db.QueryRowContext(ctx, `SELECT phone_sealed, phone_version FROM accounts WHERE subject = ?`, string(subject)).Scan(&sealed, &version)
			if err != nil {
				return nil, sqldb.FormatError(op, err)
			}
			v, err := s.k.Guard().OpenVersionString(ctx, a, subject, f, p, string(subject), version, sealed)
			if err != nil {
				return nil, err
			}
			out[f] = v
		default:
			return nil, minimall.Errorf(minimall.Invalid, op, "An app cannot receive that field. 第三方应用不能获取该信息。")
		}
	}
	if len(profile) == 0 {
		return out, nil
	}
	vals, err := s.profileValues(ctx, a, subject, p, profile...)
	if err != nil {
		return nil, err
	}
	for f, v := range vals {
		out[f] = v
	}
	return out, nil
}
