package http

import (
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/search"
)

func (s *Server) registerSearchRoutes() {
	s.handleFunc("GET /api/v1/search", s.handleSearch)
	s.handleFunc("GET /api/v1/search/history", s.handleSearchHistory)
	s.handleFunc("DELETE /api/v1/search/history", s.handleSearchHistoryClear)
	s.handleFunc("DELETE /api/v1/search/history/{id}", s.handleSearchHistoryDelete)
	s.handleFunc("GET /api/v1/search/settings", s.handleSearchSettings)
	s.handleFunc("PUT /api/v1/search/settings", s.handleSearchSettingsSet)
}

// searchRequest reads a search from the query string. The query text
// never reaches the access log: it logs the route pattern only.
func searchRequest(r *nethttp.Request) (search.Request, error) {
	q := r.URL.Query()
	req := search.Request{Query: q.Get("q"), Category: q.Get("category"), Shop: q.Get("shop"), Sort: q.Get("sort")}
	ints := []struct {
		name string
		dst  *int64
	}{{"min_price", &req.MinPriceFen}, {"max_price", &req.MaxPriceFen}}
	for _, p := range ints {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return req, minimall.Errorf(minimall.Invalid, "http.search", "%s must be a whole number of fen. %s 须为整数（分）。", p.name, p.name)
			}
			*p.dst = n
		}
	}
	page, err := pageParam(r)
	req.Page = page
	return req, err
}

// handleSearch handles "GET /api/v1/search".
func (s *Server) handleSearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	req, err := searchRequest(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	res, err := s.Search.Search(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, res)
}

// handleSearchHistory handles "GET /api/v1/search/history".
func (s *Server) handleSearchHistory(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Search.History(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"history": list})
}

// handleSearchHistoryClear handles "DELETE /api/v1/search/history".
func (s *Server) handleSearchHistoryClear(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, err := s.Search.ClearHistory(r.Context(), minimall.ActorFromContext(r.Context())); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleSearchHistoryDelete handles "DELETE /api/v1/search/history/{id}".
func (s *Server) handleSearchHistoryDelete(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Search.DeleteHistoryEntry(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleSearchSettings handles "GET /api/v1/search/settings".
func (s *Server) handleSearchSettings(w nethttp.ResponseWriter, r *nethttp.Request) {
	set, err := s.Search.Settings(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, set)
}

// handleSearchSettingsSet handles "PUT /api/v1/search/settings".
func (s *Server) handleSearchSettingsSet(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req search.Settings
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	set, err := s.Search.SetSettings(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, set)
}
