package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/decision"
)

// registerDecisionPages registers the person's automated decisions (四(六)):
// what was decided about them, why, and an appeal to a person.
func (s *Server) registerDecisionPages() {
	s.handlePage("GET /account/decisions", s.pageDecisions)
	s.handlePage("GET /account/decisions/{id}", s.pageDecision)
	s.handlePage("POST /account/decisions/{id}/appeal", s.pageDecisionAppeal)
}

// pageDecisions handles "GET /account/decisions".
func (s *Server) pageDecisions(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	list, err := s.Decisions.List(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "decisions", "decisions.title", list)
}

type decisionData struct {
	*decision.Explanation
	Reasons []appealReason
	Error   string
}

type appealReason struct{ Code, Text, TextEN string }

// pageDecision handles "GET /account/decisions/{id}": the decision with
// each factor explained, and the appeal form while none was filed.
func (s *Server) pageDecision(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	s.showDecision(w, r, a, nethttp.StatusOK, "")
}

func (s *Server) showDecision(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, msg string) {
	e, err := s.Decisions.Explain(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := decisionData{Explanation: e, Error: msg}
	for _, code := range e.AppealReasons {
		zh, en := decision.ReasonText(code)
		d.Reasons = append(d.Reasons, appealReason{code, zh, en})
	}
	s.render(w, r, status, "decision", "decision.title", d)
}

// pageDecisionAppeal handles "POST /account/decisions/{id}/appeal": the
// appeal joins the rights queue, answered by a person within 15 days.
func (s *Server) pageDecisionAppeal(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	_, err := s.Decisions.Appeal(r.Context(), a, r.PathValue("id"), r.PostForm.Get("reason"))
	switch {
	case err == nil:
		seeOther(w, r, "/account/decisions/"+r.PathValue("id"))
	case minimall.ErrorCode(err) == minimall.NotFound:
		s.pageError(w, r, err)
	default:
		s.refused(w, r, err, func(status int, msg string) { s.showDecision(w, r, a, status, msg) })
	}
}
