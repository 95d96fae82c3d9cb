package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/privacy"
	"minimall/rights"
)

func (s *Server) registerConsentRoutes() {
	s.handleFunc("GET /api/v1/consents", s.handleConsentList)
	s.handleFunc("POST /api/v1/consents", s.handleConsentChange)
}

type consentList struct {
	PolicyVersion int                      `json:"policy_version"`
	Features      []privacy.FeatureConsent `json:"features"`
	History       []privacy.ConsentRecord  `json:"history"`
}

// handleConsentList handles "GET /api/v1/consents": every function, basic
// or additional, the person's answer for each, and the full history.
func (s *Server) handleConsentList(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := minimall.SignedIn(a, "http.consents"); err != nil {
		s.problem(w, r, err)
		return
	}
	features, err := s.Kernel.Consents.Features(r.Context(), a.Subject)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	hist, err := s.Kernel.Consents.History(r.Context(), a.Subject)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, consentList{PolicyVersion: s.Kernel.PolicyVersion(), Features: features,
		History: append([]privacy.ConsentRecord{}, hist...)})
}

type consentChangeRequest struct {
	Feature privacy.FeatureID `json:"feature"`
	Action  string            `json:"action"` // grant or withdraw
}

// handleConsentChange handles "POST /api/v1/consents": grant or withdraw
// an additional function (policy 四(四)), the change of consent the rights
// area serves. Withdrawal stops processing at once. A basic function rests
// on the contract, not on consent, and says so.
func (s *Server) handleConsentChange(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	// Before reading the body: a visitor learns nothing from it.
	if err := minimall.SignedIn(a, "http.consents"); err != nil {
		s.problem(w, r, err)
		return
	}
	var req consentChangeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	rec, err := s.Rights.ChangeConsent(r.Context(), a,
		rights.ConsentChange{Feature: req.Feature, Action: req.Action}, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, rec)
}
