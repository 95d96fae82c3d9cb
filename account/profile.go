package account

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Profile is the optional profile (policy 二(一)1). Every field may be
// empty; refusing all of them blocks nothing.
type Profile struct {
	Nickname string `json:"nickname,omitempty"`
	Gender   string `json:"gender,omitempty"`   // female, male, other
	Avatar   string `json:"avatar,omitempty"`   // an image URL
	Birthday string `json:"birthday,omitempty"` // MM-DD: month and day only, never the year
}

// ProfileUpdate changes the fields that are set; an empty string deletes
// that field.
type ProfileUpdate struct {
	Nickname *string `json:"nickname,omitempty"`
	Gender   *string `json:"gender,omitempty"`
	Avatar   *string `json:"avatar,omitempty"`
	Birthday *string `json:"birthday,omitempty"`
}

// PublicProfile is what others may see (二(一)1: shown in reviews, shares
// and interactions) while the person's profile consent stands.
type PublicProfile struct {
	Nickname string `json:"nickname,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
}

func (u ProfileUpdate) fields() map[privacy.Field]*string {
	return map[privacy.Field]*string{privacy.Nickname: u.Nickname, privacy.Gender: u.Gender, privacy.Avatar: u.Avatar, privacy.BirthdayMonth: u.Birthday}
}

var profileColumns = fieldColumns(profilesTable)

// Validate checks the values given. Returns Invalid naming the field.
func (u ProfileUpdate) Validate() error {
	bad := func(msg string) error { return minimall.Errorf(minimall.Invalid, "account.UpdateProfile", "%s", msg) }
	if v := u.Nickname; v != nil && *v != "" && (utf8.RuneCountInString(*v) > 20 || !utf8.ValidString(*v)) {
		return bad("A nickname has at most 20 characters. 昵称最多20个字符。")
	}
	if v := u.Gender; v != nil && *v != "" && *v != "female" && *v != "male" && *v != "other" {
		return bad("gender is female, male, other, or empty. 性别须为 female、male、other 或留空。")
	}
	if v := u.Avatar; v != nil && *v != "" {
		if p, err := url.Parse(*v); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(*v) > 512 {
			return bad("avatar is an http(s) image URL. 头像须为图片网址。")
		}
	}
	if v := u.Birthday; v != nil && *v != "" {
		if _, err := time.Parse("01-02", *v); err != nil {
			return bad("birthday is month and day, MM-DD. 生日须为“月-日”格式。")
		}
	}
	return nil
}

// UpdateProfile sets or deletes optional profile fields. Setting a field is
// the person's consent to the profile feature (recorded in the ledger with
// the request id); deleting a field removes its sealed value. Returns
// Unauthorized for a visitor, Invalid for a bad value, Denied if the
// person withdrew the profile consent and gives a value without granting
// it again.
func (s *Service) UpdateProfile(ctx context.Context, a minimall.Actor, u ProfileUpdate, requestID string) (*Profile, error) {
	if err := minimall.SignedIn(a, "account.UpdateProfile"); err != nil {
		return nil, err
	}
	if err := s.updateProfile(ctx, a.Subject, u, requestID, false); err != nil {
		return nil, err
	}
	return s.Profile(ctx, a)
}

// updateProfile writes u to subject's profile. A guardian correcting a
// child's profile (byGuardian) cannot consent by giving a value: the
// profile consent must be in force already.
func (s *Service) updateProfile(ctx context.Context, subject minimall.SubjectID, u ProfileUpdate, requestID string, byGuardian bool) error {
	const op = "account.UpdateProfile"
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.consentByGiving(ctx, subject, u, requestID, byGuardian); err != nil {
		return err
	}
	sealed := map[privacy.Field][]byte{} // nil deletes the value
	for f, v := range u.fields() {
		if v == nil {
			continue
		}
		sealed[f] = nil
		if *v != "" {
			b, err := s.k.Guard().Seal(ctx, subject, f, string(subject), []byte(*v))
			if err != nil {
				return err
			}
			sealed[f] = b
		}
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO profiles (subject, updated_at) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING`, string(subject), sqldb.Micros(tx.Now())); err != nil {
			return sqldb.FormatError(op, err)
		}
		for f, sealed := range sealed {
			// The column name comes from the fixed map above, never from input.
			if _, err := tx.ExecContext(ctx, `UPDATE profiles SET `+profileColumns[f]+` = ?, updated_at = ? WHERE subject = ?`, sealed, sqldb.Micros(tx.Now()), string(subject)); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		return outbox.Emit(ctx, tx, TopicProfileChanged, subject, nil)
	})
}

// consentByGiving records the profile consent when the person gives a value
// and has never answered; a person who withdrew must grant it again
// explicitly (through the consent API), so a withdrawal is never undone by
// accident.
func (s *Service) consentByGiving(ctx context.Context, subject minimall.SubjectID, u ProfileUpdate, requestID string, byGuardian bool) error {
	giving := false
	for _, v := range u.fields() {
		giving = giving || (v != nil && *v != "")
	}
	if !giving {
		return nil
	}
	state, _, err := s.k.Consents.State(ctx, subject, privacy.FeatureScope(privacy.FeatProfile))
	if err != nil || state == privacy.Granted {
		return err
	}
	if byGuardian {
		return minimall.Errorf(minimall.Denied, "account.UpdateProfile", "The child's profile consent is not in force; a correction does not give it. 儿童的个人资料授权未生效，更正不构成授权。")
	}
	if state == privacy.Withdrawn {
		return minimall.Errorf(minimall.Denied, "account.UpdateProfile", "You withdrew consent for your profile; grant it again first. 您已撤回个人资料授权，请先重新授权。")
	}
	if state == privacy.Outdated {
		// After a major policy change the person accepts the new version
		// first (policy 六); giving a value is no acceptance of it.
		return minimall.Errorf(minimall.Denied, "account.UpdateProfile", "The privacy policy changed: accept the new version first (POST /api/v1/policy/accept). 隐私政策已更新，请先接受新版本。")
	}
	_, err = s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: subject, Scope: privacy.FeatureScope(privacy.FeatProfile),
		Kind: privacy.General, Action: privacy.Grant, Channel: "api", Evidence: requestID})
	return err
}

// Profile returns the actor's own profile.
func (s *Service) Profile(ctx context.Context, a minimall.Actor) (*Profile, error) {
	if err := minimall.SignedIn(a, "account.Profile"); err != nil {
		return nil, err
	}
	vals, err := s.profileValues(ctx, a, a.Subject, privacy.ForAccount, privacy.Nickname, privacy.Gender, privacy.Avatar, privacy.BirthdayMonth)
	if err != nil {
		return nil, err
	}
	return &Profile{Nickname: vals[privacy.Nickname], Gender: vals[privacy.Gender], Avatar: vals[privacy.Avatar], Birthday: vals[privacy.BirthdayMonth]}, nil
}

// PublicProfile returns a person's nickname and avatar as anyone may see
// them; with the profile consent withdrawn both are empty.
func (s *Service) PublicProfile(ctx context.Context, viewer minimall.Actor, subject minimall.SubjectID) (*PublicProfile, error) {
	vals, err := s.profileValues(ctx, viewer, subject, privacy.ForPublicDisplay, privacy.Nickname, privacy.Avatar)
	var d *privacy.Denied
	if errors.As(err, &d) && (d.Reason == privacy.ConsentWithdrawn || d.Reason == privacy.ConsentMissing || d.Reason == privacy.ConsentOutdated) {
		return &PublicProfile{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &PublicProfile{Nickname: vals[privacy.Nickname], Avatar: vals[privacy.Avatar]}, nil
}

// profileValues opens the set fields of a profile for purpose p.
func (s *Service) profileValues(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, p privacy.Purpose, fields ...privacy.Field) (map[privacy.Field]string, error) {
	const op = "account.Profile"
	var n, g, av, b []byte
	err := s.db.QueryRowContext(ctx, `SELECT nickname_sealed, gender_sealed, avatar_sealed, birthday_sealed FROM profiles WHERE subject = ?`, string(subject)).Scan(&n, &g, &av, &b)
	out := map[privacy.Field]string{}
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil // no profile: nothing set, which is fine
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	sealed := map[privacy.Field][]byte{privacy.Nickname: n, privacy.Gender: g, privacy.Avatar: av, privacy.BirthdayMonth: b}
	for _, f := range fields {
		if len(sealed[f]) == 0 {
			continue
		}
		v, err := s.k.Guard().OpenString(ctx, a, subject, f, p, string(subject), sealed[f])
		if err != nil {
			return nil, err
		}
		out[f] = v
	}
	return out, nil
}
