package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/account"
)

// registerAccountCheckRoutes lists the account level (二(一)1) and the
// phone-number checks (二(一)3 号码验证).
func (s *Server) registerAccountCheckRoutes() {
	s.handleFunc("GET /api/v1/account/level", s.handleAccountLevel)
	s.handleFunc("GET /api/v1/account/phone-check", s.handlePhoneCheckGet)
	s.handleFunc("POST /api/v1/account/phone-check", s.handlePhoneCheckRun)
	s.handleFunc("POST /api/v1/account/phone/codes", s.handlePhoneChangeCode)
	s.handleFunc("PUT /api/v1/account/phone", s.handlePhoneChange)
}

// handlePhoneChangeCode handles "POST /api/v1/account/phone/codes": a code
// to the bound number or to the one that replaces it (更换绑定手机).
func (s *Server) handlePhoneChangeCode(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.PhoneCodeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	sent, err := s.Accounts.SendPhoneCode(r.Context(), minimall.ActorFromContext(r.Context()), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusAccepted, sent)
}

// handlePhoneChange handles "PUT /api/v1/account/phone": bind a new number.
func (s *Server) handlePhoneChange(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.PhoneChangeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Accounts.ChangePhone(r.Context(), minimall.ActorFromContext(r.Context()), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

// handleAccountLevel handles "GET /api/v1/account/level": the rule, the
// person's usage and level, its rights and what the next level needs.
func (s *Server) handleAccountLevel(w nethttp.ResponseWriter, r *nethttp.Request) {
	info, err := s.Accounts.Level(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, info)
}

// handlePhoneCheckGet handles "GET /api/v1/account/phone-check": the
// state of the carrier checks on the person's number.
func (s *Server) handlePhoneCheckGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	pc, err := s.Accounts.PhoneStatus(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, pc)
}

// handlePhoneCheckRun handles "POST /api/v1/account/phone-check": ask the
// carrier now how risky the person's number is.
func (s *Server) handlePhoneCheckRun(w nethttp.ResponseWriter, r *nethttp.Request) {
	pc, err := s.Accounts.CheckPhone(r.Context(), minimall.ActorFromContext(r.Context()), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, pc)
}
