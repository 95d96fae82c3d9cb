package sandbox

import (
	"net/http"
	"time"

	"minimall/privacy"
)

func identityKind() kind {
	return kind{ops: map[string]operation{
		"identity/verify": {
			purposes: []privacy.Purpose{privacy.ForIdentityCheck, privacy.ForFaceVerification},
			fields:   []privacy.Field{privacy.RealName, privacy.IDNumber, privacy.IDType, privacy.FaceData},
			handle:   identityVerify,
		},
	}}
}

// identityVerify answers a real-name check, or a real-person (face) check.
// Which fields may come with which purpose is the registry's rule, applied
// before this runs: face data never arrives with the ID number.
func identityVerify(s *Sandbox, q *Request) (int, any) {
	if q.Purpose == privacy.ForFaceVerification {
		return s.verifyFace(q)
	}
	if q.Fields[privacy.RealName] == "" || q.Fields[privacy.IDNumber] == "" {
		return bad("real_name_missing")
	}
	birth, ok := IDNumberBirthDate(q.Fields[privacy.IDNumber])
	if !ok {
		return http.StatusOK, map[string]any{"match": false}
	}
	return http.StatusOK, map[string]any{"match": true, "birth_date": birth.Format(time.DateOnly)}
}

// verifyFace matches the face against the ID number last verified under
// the same ref (test convention: the face of ID n is "face-of-" + n).
func (s *Sandbox) verifyFace(q *Request) (int, any) {
	face, ok := q.Fields[privacy.FaceData]
	if !ok {
		return bad("face_missing")
	}
	last, found := s.records.last(func(r *Request) bool {
		_, valid := IDNumberBirthDate(r.Fields[privacy.IDNumber])
		return r.PartnerRef == q.PartnerRef && r.Operation == "identity/verify" && r.Status == http.StatusOK && valid
	})
	match := found && face != "" && face == "face-of-"+last.Fields[privacy.IDNumber]
	return http.StatusOK, map[string]bool{"match": match}
}

// idWeights are the GB 11643-1999 weights of the first 17 characters.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDCheckChar returns the GB 11643 check character (ISO 7064 MOD 11-2) of
// the first 17 digits of a resident ID number, or 0 if they are not 17
// digits.
func IDCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// IDNumberBirthDate returns the birth date in digits 7-14 of an 18-character
// resident ID number whose check character is valid; ok is false otherwise.
func IDNumberBirthDate(id string) (birth time.Time, ok bool) {
	if len(id) != 18 {
		return time.Time{}, false
	}
	check := id[17]
	if check == 'x' {
		check = 'X'
	}
	if c := IDCheckChar(id[:17]); c == 0 || c != check {
		return time.Time{}, false
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return time.Time{}, false
	}
	return birth, true
}
