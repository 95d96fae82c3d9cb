package http

import (
	nethttp "net/http"
	"net/url"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
	"minimall/search"
)

// registerPrivacyPages registers the privacy centre (我的淘宝-设置-隐私):
// the functions and their consents, the search ranking switch.
func (s *Server) registerPrivacyPages() {
	s.handlePage("GET /account/privacy", s.pagePrivacy)
	if s.Rights != nil {
		s.handlePage("POST /account/privacy/functions", s.pagePrivacyFunction)
	}
	if s.Search != nil {
		s.handlePage("POST /account/privacy/search", s.pagePrivacySearch)
	}
}

// signedInPage returns the signed-in person, or sends a visitor to sign
// in and back and reports false.
func (s *Server) signedInPage(w nethttp.ResponseWriter, r *nethttp.Request) (minimall.Actor, bool) {
	a := minimall.ActorFromContext(r.Context())
	if a.Kind == minimall.Shopper {
		return a, true
	}
	back := r.URL.Path
	if r.Method != "GET" {
		back = "/"
	}
	seeOther(w, r, "/signin?"+url.Values{"next": {back}}.Encode())
	return a, false
}

type privacyData struct {
	Functions       []functionView
	HasSearch       bool
	NonPersonalised bool
	PolicyVersion   int
}

type functionView struct {
	privacy.FeatureConsent
	On   bool
	Name string // in the page's language
}

// pagePrivacy handles "GET /account/privacy".
func (s *Server) pagePrivacy(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	fs, err := s.Kernel.Consents.Features(r.Context(), a.Subject)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := privacyData{PolicyVersion: s.Kernel.PolicyVersion(), HasSearch: s.Search != nil}
	l := langOf(r)
	for _, f := range fs {
		name := f.Name
		if l == en {
			name = f.NameEN
		}
		d.Functions = append(d.Functions, functionView{FeatureConsent: f, On: f.State == "granted", Name: name})
	}
	if s.Search != nil {
		set, err := s.Search.Settings(r.Context(), a)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d.NonPersonalised = set.NonPersonalised
	}
	s.render(w, r, nethttp.StatusOK, "privacy", "privacy.title", d)
}

// pagePrivacyFunction handles "POST /account/privacy/functions": one
// additional function turned on or off; off stops it at once (四(四)).
func (s *Server) pagePrivacyFunction(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	_, err := s.Rights.ChangeConsent(r.Context(), a, rights.ConsentChange{Feature: privacy.FeatureID(r.PostForm.Get("feature")),
		Action: r.PostForm.Get("action")}, requestIDFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/privacy#functions")
}

// pagePrivacySearch handles "POST /account/privacy/search": the 去个性化排序
// switch (二(二)4 措施2).
func (s *Server) pagePrivacySearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Search.SetSettings(r.Context(), a, search.Settings{NonPersonalised: r.PostForm.Get("non_personalised") == "yes"}); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, localPath(r.PostForm.Get("next")))
}
