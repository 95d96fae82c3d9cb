package http

import (
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/privacy/policy"
)

// registerPolicyPages registers the policy (六): the current text, every
// published version with what changed, and after a major change the page
// where a person reads and accepts the new version. Every signed-in page
// shows the banner while their acceptance is outdated.
func (s *Server) registerPolicyPages() {
	s.handlePage("GET /policy", s.pagePolicy)
	s.handlePage("GET /policy/versions", s.pagePolicyVersions)
	s.handlePage("GET /policy/versions/{n}", s.pagePolicyVersion)
	s.handlePage("GET /policy/accept", s.pagePolicyAccept)
	s.handlePage("POST /policy/accept", s.pagePolicyAcceptPost)
}

// policyNotice returns the major-change notice a signed-in person must
// answer, or nil (a visitor, or up to date).
func (s *Server) policyNotice(r *nethttp.Request) *policy.Notice {
	a := minimall.ActorFromContext(r.Context())
	if s.Policy == nil || a.Kind != minimall.Shopper {
		return nil
	}
	n, err := s.Policy.Notice(r.Context(), a.Subject)
	if err != nil {
		s.Logger.Warn("policy notice", "request_id", requestIDFrom(r.Context()), "err", err)
		return nil
	}
	return n
}

// pagePolicy handles "GET /policy": the current privacy policy's text.
func (s *Server) pagePolicy(w nethttp.ResponseWriter, r *nethttp.Request) {
	v, err := s.Policy.Current(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "policy", "policy.title", v)
}

// pagePolicyVersions handles "GET /policy/versions": the archive, newest
// first, each with its kind (major or minor).
func (s *Server) pagePolicyVersions(w nethttp.ResponseWriter, r *nethttp.Request) {
	vs, err := s.Policy.Versions(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "policy_versions", "policy.archive", vs)
}

// pagePolicyVersion handles "GET /policy/versions/{n}": one version's
// text and what changed from the one before.
func (s *Server) pagePolicyVersion(w nethttp.ResponseWriter, r *nethttp.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.pageError(w, r, minimall.Errorf(minimall.NotFound, "", "No such version. 没有这个版本。"))
		return
	}
	v, err := s.Policy.Version(r.Context(), n)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "policy", "policy.title", v)
}

type acceptData struct {
	Notice *policy.Notice
	Error  string
}

// pagePolicyAccept handles "GET /policy/accept": what changed in a major
// way, and the acceptance; consents the change paused come back only if
// the person ticks the box.
func (s *Server) pagePolicyAccept(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, ok := s.signedInPage(w, r); !ok {
		return
	}
	n := s.policyNotice(r)
	if n == nil {
		seeOther(w, r, "/policy")
		return
	}
	s.render(w, r, nethttp.StatusOK, "policy_accept", "policy.accept", acceptData{Notice: n})
}

// pagePolicyAcceptPost handles "POST /policy/accept".
func (s *Server) pagePolicyAcceptPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	renew := r.PostForm.Get("renew") == "yes"
	if _, err := s.Policy.Accept(r.Context(), a, policy.AcceptRequest{Version: version, Renew: &renew}, requestIDFrom(r.Context())); err != nil {
		d := &acceptData{Notice: s.policyNotice(r)}
		s.formError(w, r, err, "policy_accept", "policy.accept", d, &d.Error)
		return
	}
	seeOther(w, r, "/account/privacy")
}
