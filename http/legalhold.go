package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/privacy"
)

// registerLegalHoldRoutes registers legal holds (五(一)): the legal-hold
// role places and releases them; the person sees that one exists.
func (s *Server) registerLegalHoldRoutes() {
	s.handleFunc("POST /api/v1/ops/legal-holds", s.handleLegalHoldPlace)
	s.handleFunc("GET /api/v1/ops/legal-holds", s.handleLegalHoldList)
	s.handleFunc("POST /api/v1/ops/legal-holds/{id}/release", s.handleLegalHoldRelease)
	s.handleFunc("GET /api/v1/account/legal-holds", s.handleMyLegalHolds)
}

// handleLegalHoldPlace handles "POST /api/v1/ops/legal-holds": a hold on
// a person's transaction records ({"subject"}) or one order's
// ({"order_id"}), with the kind and number of its legal reference.
func (s *Server) handleLegalHoldPlace(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	var req privacy.HoldRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	// The role is checked before the order is looked up, so a caller who
	// may not hold learns nothing of which orders exist.
	if req.OrderID != "" && a.Kind == minimall.Operator && a.Role == minimall.RoleLegalHold {
		buyer, period, err := s.Orders.HoldTarget(r.Context(), req.OrderID)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if req.Subject != "" && req.Subject != buyer {
			s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "Name the order or the person, not both. 请只指定订单或用户之一。"))
			return
		}
		req.Subject, req.Period = buyer, period
	}
	h, err := s.Kernel.PlaceHold(r.Context(), a, req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, h)
}

// handleLegalHoldList handles "GET /api/v1/ops/legal-holds?subject=".
func (s *Server) handleLegalHoldList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Kernel.Holds(r.Context(), minimall.ActorFromContext(r.Context()), minimall.SubjectID(r.URL.Query().Get("subject")))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"holds": list})
}

// handleLegalHoldRelease handles "POST /api/v1/ops/legal-holds/{id}/release".
func (s *Server) handleLegalHoldRelease(w nethttp.ResponseWriter, r *nethttp.Request) {
	h, err := s.Kernel.ReleaseHold(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, h)
}

// handleMyLegalHolds handles "GET /api/v1/account/legal-holds": the holds
// on the person's records — the kind of legal reference, what it covers
// and when it was placed or released; never who placed it.
func (s *Server) handleMyLegalHolds(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Kernel.MyHolds(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"holds": list})
}
