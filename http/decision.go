package http

import (
	nethttp "net/http"

	"minimall"
)

// Automated decisions (policy 四(六), PIPL art. 24): the person lists the
// decisions that affected them, asks for an explanation and appeals; a
// security officer or the DPO answers.
func (s *Server) registerDecisionRoutes() {
	s.handleFunc("GET /api/v1/account/decisions", s.handleDecisionList)
	s.handleFunc("GET /api/v1/account/decisions/{id}", s.handleDecisionExplain)
	s.handleFunc("POST /api/v1/account/decisions/{id}/appeal", s.handleDecisionAppeal)
	s.handleFunc("POST /api/v1/ops/decisions/{id}/answer", s.handleDecisionAnswer)
}

// handleDecisionList handles "GET /api/v1/account/decisions".
func (s *Server) handleDecisionList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Decisions.List(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"decisions": list})
}

// handleDecisionExplain handles "GET /api/v1/account/decisions/{id}".
func (s *Server) handleDecisionExplain(w nethttp.ResponseWriter, r *nethttp.Request) {
	e, err := s.Decisions.Explain(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, e)
}

type decisionAppealRequest struct {
	Reason string `json:"reason"` // a code from the closed list
}

// handleDecisionAppeal handles "POST /api/v1/account/decisions/{id}/appeal".
func (s *Server) handleDecisionAppeal(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req decisionAppealRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	d, err := s.Decisions.Appeal(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Reason)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, d)
}

type decisionAnswerRequest struct {
	Outcome string `json:"outcome"` // upheld or overturned
}

// handleDecisionAnswer handles "POST /api/v1/ops/decisions/{id}/answer".
func (s *Server) handleDecisionAnswer(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req decisionAnswerRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	d, err := s.Decisions.Answer(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Outcome)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, d)
}
