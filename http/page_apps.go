package http

import (
	nethttp "net/http"
)

// registerAppPages registers the authorized apps (二(十), 三(一)4): every
// third-party app the person let sign in with their account, what it may
// read, and a revocation that takes effect at once.
func (s *Server) registerAppPages() {
	s.handlePage("GET /account/apps", s.pageApps)
	s.handlePage("POST /account/apps/{id}/revoke", s.pageAppRevoke)
}

// pageApps handles "GET /account/apps".
func (s *Server) pageApps(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	list, err := s.OAuth.Authorizations(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "apps", "apps.title", list)
}

// pageAppRevoke handles "POST /account/apps/{id}/revoke".
func (s *Server) pageAppRevoke(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.OAuth.Revoke(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/apps")
}
