package sandbox

import (
	"encoding/json"
	"net/http"

	"minimall/privacy"
)

func paymentKind() kind {
	return kind{
		ops: map[string]operation{
			// Only the ref crosses: the payment institution knows its own
			// customers; minimall asks whether this one is verified.
			"payment/realname-status": {purposes: []privacy.Purpose{privacy.ForIdentityCheck, privacy.ForActivity}, handle: paymentStatus},
		},
		controls: map[string]func(*Sandbox) http.HandlerFunc{"POST /payment/realname-status/set": paymentSet},
	}
}

// paymentStatus: a status set by the test control, else verified when the
// ref's first character is a letter from a to p (about half of refs).
func paymentStatus(s *Sandbox, q *Request) (int, any) {
	s.mu.Lock()
	v, set := s.verified[q.PartnerRef]
	s.mu.Unlock()
	if !set {
		c := q.PartnerRef[0]
		v = c >= 'a' && c <= 'p'
	}
	return http.StatusOK, map[string]bool{"verified": v}
}

// paymentSet is a TEST CONTROL, unsigned and not part of any real
// partner's interface: it sets the real-name status of a ref.
func paymentSet(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerRef string `json:"partner_ref"`
			Verified   bool   `json:"verified"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil || in.PartnerRef == "" {
			s.reply(w, http.StatusBadRequest, errorBody("malformed"))
			return
		}
		s.mu.Lock()
		s.verified[in.PartnerRef] = in.Verified
		s.mu.Unlock()
		s.reply(w, http.StatusOK, map[string]bool{"verified": in.Verified})
	}
}
