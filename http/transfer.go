package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/transfer"
)

func (s *Server) registerTransferRoutes() {
	s.handleFunc("GET /api/v1/cross-border/notice", s.handleTransferNotice)
	s.handleFunc("POST /api/v1/cross-border/consents", s.handleTransferConsent)
	s.handleFunc("POST /api/v1/cross-border/transfers", s.handleTransferSend)
	s.handleFunc("GET /api/v1/cross-border/transfers", s.handleTransferList)
}

// handleTransferNotice handles "GET /api/v1/cross-border/notice?order=":
// what the person is told before consenting to a transfer abroad.
func (s *Server) handleTransferNotice(w nethttp.ResponseWriter, r *nethttp.Request) {
	n, err := s.Transfers.Notice(r.Context(), minimall.ActorFromContext(r.Context()), r.URL.Query().Get("order"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, n)
}

// handleTransferConsent handles "POST /api/v1/cross-border/consents".
func (s *Server) handleTransferConsent(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req transfer.ConsentRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.Transfers.Consent(r.Context(), minimall.ActorFromContext(r.Context()), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, c)
}

type transferRequest struct {
	Order string `json:"order"`
}

// handleTransferSend handles "POST /api/v1/cross-border/transfers".
func (s *Server) handleTransferSend(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req transferRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	t, err := s.Transfers.Send(r.Context(), minimall.ActorFromContext(r.Context()), req.Order, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, t)
}

// handleTransferList handles "GET /api/v1/cross-border/transfers".
func (s *Server) handleTransferList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Transfers.List(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"transfers": list})
}
