// Package identity holds real-name and real-person verification through
// the identity authority, the payment institution's real-name status as
// the alternative the policy names (二(一)3), and the guardian procedure
// for children under 14 (七). The name, the ID number and the result are
// sealed and open only for verification, the legal duty, the person's own
// rights and, with separate consent, account recovery; face data goes to
// the identity authority and is never stored.
package identity

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service verifies identities and runs the guardian procedure.
type Service struct {
	db       *sqldb.DB
	k        *privacy.Kernel
	partners *partner.Gateway
}

// NewService returns the identity service. The account area is built on
// it: it needs it for children's registrations and for account recovery.
func NewService(db *sqldb.DB, k *privacy.Kernel, partners *partner.Gateway) *Service {
	return &Service{db: db, k: k, partners: partners}
}

// ID document types the identity authority checks.
const (
	ResidentID = "resident_id" // 居民身份证
	Passport   = "passport"
	HKMacao    = "hk_macao_permit" // 港澳居民来往内地通行证
	Taiwan     = "taiwan_permit"   // 台湾居民来往大陆通行证
)

// RealNameRequest is what a person gives for a real-name check.
type RealNameRequest struct {
	RealName string `json:"real_name"`
	IDNumber string `json:"id_number"`
	IDType   string `json:"id_type,omitempty"` // default resident_id
}

// normalize checks the shape of a real-name request and returns it
// normalised. Returns Invalid naming what is wrong, never echoing it.
func (r RealNameRequest) normalize(op string) (RealNameRequest, error) {
	bad := func(msg string) (RealNameRequest, error) { return r, minimall.Errorf(minimall.Invalid, op, "%s", msg) }
	r.RealName = strings.TrimSpace(r.RealName)
	r.IDNumber = strings.ToUpper(strings.TrimSpace(r.IDNumber))
	if r.IDType == "" {
		r.IDType = ResidentID
	}
	if n := utf8.RuneCountInString(r.RealName); n < 2 || n > 40 || !nameChars(r.RealName) {
		return bad("Give your name as on your ID document. 请填写与证件一致的姓名。")
	}
	switch r.IDType {
	case ResidentID:
		if !residentIDShape(r.IDNumber) {
			return bad("A resident ID number has 18 characters: 17 digits and a digit or X. 居民身份证号码为18位：17位数字加1位数字或X。")
		}
	case Passport, HKMacao, Taiwan:
		if n := len(r.IDNumber); n < 5 || n > 20 || !alnum(r.IDNumber) {
			return bad("The document number has 5 to 20 letters and digits. 证件号码为5至20位字母或数字。")
		}
	default:
		return bad("id_type is resident_id, passport, hk_macao_permit or taiwan_permit. 证件类型无效。")
	}
	return r, nil
}

func nameChars(s string) bool {
	for _, c := range s {
		if !unicode.IsLetter(c) && c != '·' && c != ' ' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func residentIDShape(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return (s[17] >= '0' && s[17] <= '9') || s[17] == 'X'
}

func alnum(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func parseDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

// under reports whether a person born on birth is younger than years at now.
func under(years int, birth, now time.Time) bool { return birth.AddDate(years, 0, 0).After(now) }

// maskName keeps the first character: 张*, 欧阳**.
func maskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// maskID keeps the first and last two characters.
func maskID(s string) string {
	if len(s) < 5 {
		return "****"
	}
	return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
}
