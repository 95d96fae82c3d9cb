package http

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/account"
)

// sessionCookie carries the web session; HttpOnly so scripts cannot read
// it, SameSite=Lax against cross-site requests, Secure over HTTPS.
const sessionCookie = "minimall_session"

func (s *Server) registerAccountRoutes() {
	s.handleFunc("GET /api/v1/policy", s.handlePolicyGet)
	s.handleFunc("POST /api/v1/accounts/codes", s.handleAccountCodeSend)
	s.handleFunc("POST /api/v1/accounts", s.handleAccountRegister)
	s.handleFunc("GET /api/v1/account", s.handleAccountGet)
	s.handleFunc("POST /api/v1/sessions", s.handleSessionCreate)
	s.handleFunc("GET /api/v1/sessions", s.handleSessionList)
	s.handleFunc("DELETE /api/v1/sessions/current", s.handleSessionLogout)
	s.handleFunc("DELETE /api/v1/sessions/{id}", s.handleSessionRevoke)
	s.handleFunc("GET /api/v1/account/profile", s.handleProfileGet)
	s.handleFunc("PATCH /api/v1/account/profile", s.handleProfileUpdate)
	s.handleFunc("GET /api/v1/members/{id}", s.handleMemberGet)
	s.handleFunc("POST /api/v1/guardian-consents/withdrawal", s.handleGuardianWithdrawal)
}

// handleGuardianWithdrawal handles "POST /api/v1/guardian-consents/withdrawal":
// a guardian withdraws the consent they gave for a child under 14, without
// signing in (account/guardian.go).
func (s *Server) handleGuardianWithdrawal(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.GuardianWithdrawalRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Accounts.WithdrawGuardianConsent(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

// handleProfileGet handles "GET /api/v1/account/profile".
func (s *Server) handleProfileGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	p, err := s.Accounts.Profile(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, p)
}

// handleProfileUpdate handles "PATCH /api/v1/account/profile".
func (s *Server) handleProfileUpdate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var u account.ProfileUpdate
	if err := decodeJSON(r, &u); err != nil {
		s.problem(w, r, err)
		return
	}
	p, err := s.Accounts.UpdateProfile(r.Context(), minimall.ActorFromContext(r.Context()), u, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, p)
}

// handleMemberGet handles "GET /api/v1/members/{id}": the public nickname
// and avatar, as reviews and shares show them.
func (s *Server) handleMemberGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	p, err := s.Accounts.PublicProfile(r.Context(), minimall.ActorFromContext(r.Context()), minimall.SubjectID(r.PathValue("id")))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, p)
}

type policyInfo struct {
	Version int    `json:"version"`
	Lists   string `json:"lists"`
}

// handlePolicyGet handles "GET /api/v1/policy": the version a person must
// accept to register.
func (s *Server) handlePolicyGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, policyInfo{Version: s.Kernel.PolicyVersion(), Lists: "/api/v1/policy/lists"})
}

// handleAccountCodeSend handles "POST /api/v1/accounts/codes".
func (s *Server) handleAccountCodeSend(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.CodeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	sent, err := s.Accounts.SendCode(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusAccepted, sent)
}

// handleAccountRegister handles "POST /api/v1/accounts".
func (s *Server) handleAccountRegister(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.RegisterRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Accounts.Register(r.Context(), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, a)
}

// handleAccountGet handles "GET /api/v1/account"; ?full=true shows the
// whole phone number instead of the masked one.
func (s *Server) handleAccountGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	full, _ := strconv.ParseBool(r.URL.Query().Get("full"))
	a, err := s.Accounts.Get(r.Context(), minimall.ActorFromContext(r.Context()), full)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	view, err := s.withPolicyNotice(r.Context(), a) // policy.go: a pending major policy change
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, view)
}

// handleSessionCreate handles "POST /api/v1/sessions": sign in. A web
// session comes back as a cookie too.
func (s *Server) handleSessionCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.LoginRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	sess, err := s.Accounts.Login(r.Context(), req, s.clientKey(r))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if sess.Kind == account.SessionWeb {
		s.setSession(w, sess)
	}
	writeJSON(w, nethttp.StatusCreated, sess)
}

// handleSessionList handles "GET /api/v1/sessions".
func (s *Server) handleSessionList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Accounts.Sessions(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"sessions": list})
}

// handleSessionLogout handles "DELETE /api/v1/sessions/current".
func (s *Server) handleSessionLogout(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := s.Accounts.Revoke(r.Context(), a, a.ID); err != nil {
		s.problem(w, r, err)
		return
	}
	s.clearSession(w)
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleSessionRevoke handles "DELETE /api/v1/sessions/{id}".
func (s *Server) handleSessionRevoke(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Accounts.Revoke(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// clientKey identifies the client for rate limits: a hash of its address
// with a per-process salt, held in memory only; the address itself is
// personal information and is never stored or logged.
func (s *Server) clientKey(r *nethttp.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	h := sha256.Sum256(append(s.salt[:], host...))
	return hex.EncodeToString(h[:12])
}
