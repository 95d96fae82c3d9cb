package http

import (
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/engage"
)

// engagePaths names each kind's collection under /api/v1/account: the
// seed's "我的淘宝 — 收藏 / 订阅店铺 / 足迹 / 关注".
var engagePaths = []struct {
	path string
	kind engage.Kind
}{
	{"favourites", engage.Favourite},
	{"subscriptions", engage.Subscription},
	{"footprints", engage.Footprint},
	{"follows", engage.Follow},
	{"shares", engage.Share},
	{"likes", engage.Like},
}

func (s *Server) registerEngageRoutes() {
	for _, p := range engagePaths {
		base := "/api/v1/account/" + p.path
		s.handleFunc("POST "+base, s.handleEngageAdd(p.kind))
		s.handleFunc("GET "+base, s.handleEngageList(p.kind))
		s.handleFunc("DELETE "+base, s.handleEngageClear(p.kind))
		s.handleFunc("DELETE "+base+"/{id}", s.handleEngageRemove(p.kind))
	}
}

// handleEngageAdd handles "POST /api/v1/account/{kind}": 201 with a new
// record, 200 with the one already there.
func (s *Server) handleEngageAdd(k engage.Kind) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		a := minimall.ActorFromContext(r.Context())
		// Before reading the body: a visitor learns nothing from it.
		if err := minimall.SignedIn(a, "http.engage"); err != nil {
			s.problem(w, r, err)
			return
		}
		var req engage.NewEntry
		if err := decodeJSON(r, &req); err != nil {
			s.problem(w, r, err)
			return
		}
		e, created, err := s.Engage.Add(r.Context(), a, k, req)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		status := nethttp.StatusOK
		if created {
			status = nethttp.StatusCreated
		}
		writeJSON(w, status, e)
	}
}

// handleEngageList handles "GET /api/v1/account/{kind}?page=&per_page=".
func (s *Server) handleEngageList(k engage.Kind) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		page, err := pageParam(r)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		perPage := 0
		if v := r.URL.Query().Get("per_page"); v != "" {
			if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 {
				s.problem(w, r, minimall.Errorf(minimall.Invalid, "http.engage", "per_page must be a whole number from 1. 每页条数须为正整数。"))
				return
			}
		}
		p, err := s.Engage.List(r.Context(), minimall.ActorFromContext(r.Context()), k, page, perPage)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		writeJSON(w, nethttp.StatusOK, p)
	}
}

// handleEngageClear handles "DELETE /api/v1/account/{kind}": all of them.
func (s *Server) handleEngageClear(k engage.Kind) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		n, err := s.Engage.Clear(r.Context(), minimall.ActorFromContext(r.Context()), k)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		writeJSON(w, nethttp.StatusOK, map[string]int64{"deleted": n})
	}
}

// handleEngageRemove handles "DELETE /api/v1/account/{kind}/{id}".
func (s *Server) handleEngageRemove(k engage.Kind) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if err := s.Engage.Remove(r.Context(), minimall.ActorFromContext(r.Context()), k, r.PathValue("id")); err != nil {
			s.problem(w, r, err)
			return
		}
		w.WriteHeader(nethttp.StatusNoContent)
	}
}
