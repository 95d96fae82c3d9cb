package http

import (
	nethttp "net/http"

	"minimall/privacy"
	"minimall/recommend"
)

// registerInterestPages registers the person's interests page (二(二)4
// 偏好特征): the interests the recommender inferred, in plain words, each
// deletable; a deleted one is never learnt again.
func (s *Server) registerInterestPages() {
	if s.Recommend == nil {
		return
	}
	s.handlePage("GET /account/interests", s.pageInterests)
	s.handlePage("POST /account/interests/{category}/delete", s.pageInterestDelete)
}

type interestsData struct {
	On   bool // personalised recommendation is on
	Tags *recommend.Tags
}

// pageInterests handles "GET /account/interests".
func (s *Server) pageInterests(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	st, _, err := s.Kernel.Consents.State(r.Context(), a.Subject, privacy.FeatureScope(privacy.FeatRecommendation))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	tags, err := s.Recommend.Tags(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "interests", "interests.title", interestsData{On: st == privacy.Granted, Tags: tags})
}

// pageInterestDelete handles "POST /account/interests/{category}/delete".
func (s *Server) pageInterestDelete(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Recommend.DeleteTag(r.Context(), a, r.PathValue("category")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/interests")
}
