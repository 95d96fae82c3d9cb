package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/account"
	"minimall/identity"
)

func (s *Server) registerIdentityRoutes() {
	s.handleFunc("GET /api/v1/identity", s.handleIdentityStatus)
	s.handleFunc("POST /api/v1/identity/real-name", s.handleRealNameVerify)
	s.handleFunc("POST /api/v1/identity/payment-real-name", s.handlePaymentRealName)
	s.handleFunc("POST /api/v1/identity/face", s.handleFaceVerify)
	s.handleFunc("POST /api/v1/guardian-consents", s.handleGuardianConsent)
	s.handleFunc("POST /api/v1/account-recovery", s.handleAccountRecovery)
}

// handleIdentityStatus handles "GET /api/v1/identity".
func (s *Server) handleIdentityStatus(w nethttp.ResponseWriter, r *nethttp.Request) {
	st, err := s.Identity.Status(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, st)
}

// handleRealNameVerify handles "POST /api/v1/identity/real-name".
func (s *Server) handleRealNameVerify(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req identity.RealNameRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Identity.VerifyRealName(r.Context(), minimall.ActorFromContext(r.Context()), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, st)
}

// handlePaymentRealName handles "POST /api/v1/identity/payment-real-name".
func (s *Server) handlePaymentRealName(w nethttp.ResponseWriter, r *nethttp.Request) {
	st, err := s.Identity.VerifyPayment(r.Context(), minimall.ActorFromContext(r.Context()), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, st)
}

// handleFaceVerify handles "POST /api/v1/identity/face".
func (s *Server) handleFaceVerify(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req identity.FaceRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Identity.VerifyFace(r.Context(), minimall.ActorFromContext(r.Context()), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, st)
}

// handleGuardianConsent handles "POST /api/v1/guardian-consents": a
// guardian consents for a child under 14, without signing in.
func (s *Server) handleGuardianConsent(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.GuardianConsentRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Accounts.GuardianConsent(r.Context(), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, out)
}

// handleAccountRecovery handles "POST /api/v1/account-recovery": set a new
// password after proving the account's phone and, where the account is
// real-name verified, the real name and ID number.
func (s *Server) handleAccountRecovery(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.RecoveryRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Accounts.Recover(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context())); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}
