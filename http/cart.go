package http

import (
	nethttp "net/http"

	"minimall"
)

func (s *Server) registerCartRoutes() {
	s.handleFunc("GET /api/v1/cart", s.handleCartGet)
	s.handleFunc("POST /api/v1/cart/items", s.handleCartAdd)
	s.handleFunc("PATCH /api/v1/cart/items/{id}", s.handleCartUpdate)
	s.handleFunc("DELETE /api/v1/cart/items/{id}", s.handleCartRemove)
	s.handleFunc("GET /api/v1/cart/price-drops", s.handleCartPriceDrops)
}

// handleCartGet handles "GET /api/v1/cart".
func (s *Server) handleCartGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	c, err := s.Carts.Get(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, c)
}

type cartAddRequest struct {
	Item     string `json:"item"`
	Quantity int64  `json:"quantity"`
}

// handleCartAdd handles "POST /api/v1/cart/items": adds an item, or more
// of one already in the cart.
func (s *Server) handleCartAdd(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req cartAddRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	if req.Quantity == 0 {
		req.Quantity = 1
	}
	l, err := s.Carts.Add(r.Context(), minimall.ActorFromContext(r.Context()), req.Item, req.Quantity)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, l)
}

type cartUpdateRequest struct {
	Quantity int64 `json:"quantity"`
}

// handleCartUpdate handles "PATCH /api/v1/cart/items/{id}": a new quantity.
func (s *Server) handleCartUpdate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req cartUpdateRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	l, err := s.Carts.SetQuantity(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Quantity)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, l)
}

// handleCartRemove handles "DELETE /api/v1/cart/items/{id}".
func (s *Server) handleCartRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Carts.Remove(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleCartPriceDrops handles "GET /api/v1/cart/price-drops": the items in
// the cart that cost less now than when they were added.
func (s *Server) handleCartPriceDrops(w nethttp.ResponseWriter, r *nethttp.Request) {
	lines, err := s.Carts.PriceDrops(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"items": lines})
}
