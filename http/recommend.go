package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/recommend"
)

func (s *Server) registerRecommendRoutes() {
	s.handleFunc("GET /api/v1/recommendations", s.handleRecommendations)
	s.handleFunc("GET /api/v1/recommendations/hot", s.handleRecommendationsHot)
	s.handleFunc("POST /api/v1/recommendations/feedback", s.handleRecommendationFeedback)
	s.handleFunc("GET /api/v1/recommendations/tags", s.handleRecommendationTags)
	s.handleFunc("DELETE /api/v1/recommendations/tags/{category}", s.handleRecommendationTagDelete)
	s.handleFunc("GET /api/v1/recommendations/blocks", s.handleRecommendationBlocks)
	s.handleFunc("POST /api/v1/recommendations/blocks", s.handleRecommendationBlock)
	s.handleFunc("DELETE /api/v1/recommendations/blocks", s.handleRecommendationBlocksClear)
	s.handleFunc("GET /api/v1/recommendations/settings", s.handleRecommendationSettings)
	s.handleFunc("PUT /api/v1/recommendations/settings", s.handleRecommendationSettingsSet)
	s.handleFunc("GET /api/v1/ads", s.handleAds)
}

// handleRecommendations handles "GET /api/v1/recommendations".
func (s *Server) handleRecommendations(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	list, err := s.Recommend.Recommend(r.Context(), minimall.ActorFromContext(r.Context()), page)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, list)
}

// handleRecommendationsHot handles "GET /api/v1/recommendations/hot".
func (s *Server) handleRecommendationsHot(w nethttp.ResponseWriter, r *nethttp.Request) {
	items, err := s.Recommend.Hot(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"items": items})
}

type feedbackRequest struct {
	Item string         `json:"item"`
	Kind recommend.Kind `json:"kind"` // view or click
}

// handleRecommendationFeedback handles "POST /api/v1/recommendations/feedback":
// the client reports a view or click, which adjusts recommendations in
// real time (policy 二(二)4: 实时反馈).
func (s *Server) handleRecommendationFeedback(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req feedbackRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	if req.Kind != recommend.View && req.Kind != recommend.Click {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "http.feedback", "kind is view or click. kind 须为 view 或 click。"))
		return
	}
	if _, err := s.Catalog.Item(r.Context(), req.Item); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Recommend.Observe(r.Context(), minimall.ActorFromContext(r.Context()), recommend.Signal{Kind: req.Kind, Item: req.Item}); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusAccepted)
}

// handleRecommendationBlocks handles "GET /api/v1/recommendations/blocks".
func (s *Server) handleRecommendationBlocks(w nethttp.ResponseWriter, r *nethttp.Request) {
	bl, err := s.Recommend.Blocks(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, bl)
}

// handleRecommendationTags handles "GET /api/v1/recommendations/tags": the
// interests the recommender inferred, in plain words (二(二)4).
func (s *Server) handleRecommendationTags(w nethttp.ResponseWriter, r *nethttp.Request) {
	tags, err := s.Recommend.Tags(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, tags)
}

// handleRecommendationTagDelete handles "DELETE
// /api/v1/recommendations/tags/{category}": the interest goes and is not
// learnt again.
func (s *Server) handleRecommendationTagDelete(w nethttp.ResponseWriter, r *nethttp.Request) {
	tags, err := s.Recommend.DeleteTag(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("category"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, tags)
}

type blockRequest struct {
	Category  string `json:"category"`
	SimilarTo string `json:"similar_to"`
}

// handleRecommendationBlock handles "POST /api/v1/recommendations/blocks".
func (s *Server) handleRecommendationBlock(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req blockRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	bl, err := s.Recommend.Block(r.Context(), minimall.ActorFromContext(r.Context()), req.Category, req.SimilarTo)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, bl)
}

// handleRecommendationBlocksClear handles "DELETE /api/v1/recommendations/blocks".
func (s *Server) handleRecommendationBlocksClear(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Recommend.ClearBlocks(r.Context(), minimall.ActorFromContext(r.Context())); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// deviceCookie keeps a visitor's switches on their device: "r1a0" means
// recommendation on, personalised ads off. It is optional: set only after
// the visitor allows optional cookies, deleted when they withdraw. The
// server keeps no copy and never carries it into an account: after
// sign-in the person is asked again (policy 二(二)4 措施4).
const deviceCookie = "mm_reco"

func deviceSettings(r *nethttp.Request) *recommend.Settings {
	set := &recommend.Settings{Scope: "device"}
	if cookieChoice(r) != "yes" {
		return set // an optional cookie counts only while allowed
	}
	if c, err := r.Cookie(deviceCookie); err == nil && len(c.Value) == 4 && c.Value[0] == 'r' && c.Value[2] == 'a' {
		set.Recommendation, set.PersonalisedAds = c.Value[1] == '1', c.Value[3] == '1'
	}
	return set
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// handleRecommendationSettings handles "GET /api/v1/recommendations/settings".
func (s *Server) handleRecommendationSettings(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if a.Kind != minimall.Shopper {
		writeJSON(w, nethttp.StatusOK, deviceSettings(r))
		return
	}
	set, err := s.Recommend.Settings(r.Context(), a)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, set)
}

// handleRecommendationSettingsSet handles "PUT /api/v1/recommendations/settings".
func (s *Server) handleRecommendationSettingsSet(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req recommend.Change
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	a := minimall.ActorFromContext(r.Context())
	if a.Kind == minimall.Shopper {
		set, err := s.Recommend.SetSettings(r.Context(), a, req, requestIDFrom(r.Context()))
		if err != nil {
			s.problem(w, r, err)
			return
		}
		writeJSON(w, nethttp.StatusOK, set)
		return
	}
	if cookieChoice(r) != "yes" {
		s.problem(w, r, minimall.Errorf(minimall.Conflict, "", "A visitor's switches are kept on the device only in an optional cookie: allow optional cookies first (/cookies). 访客的开关只能保存在可选 Cookie 中，请先在 /cookies 允许。"))
		return
	}
	set := deviceSettings(r)
	if req.Recommendation != nil {
		set.Recommendation = *req.Recommendation
	}
	if req.PersonalisedAds != nil {
		set.PersonalisedAds = *req.PersonalisedAds
	}
	s.setCookie(w, nethttp.Cookie{Name: deviceCookie, Value: "r" + bit(set.Recommendation) + "a" + bit(set.PersonalisedAds), MaxAge: 365 * 24 * 3600})
	writeJSON(w, nethttp.StatusOK, set)
}

// handleAds handles "GET /api/v1/ads?slot=…".
func (s *Server) handleAds(w nethttp.ResponseWriter, r *nethttp.Request) {
	fill, err := s.Recommend.Ads(r.Context(), minimall.ActorFromContext(r.Context()), r.URL.Query().Get("slot"), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, fill)
}
