package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/privacy"
)

func (s *Server) registerConsentRoutes() {
	s.handleFunc("GET /api/v1/consents", s.handleConsentList)
	s.handleFunc("POST /api/v1/consents", s.handleConsentChange)
}

// featureConsent is one function and where the person stands on it.
type featureConsent struct {
	Feature         privacy.FeatureID `json:"feature"`
	Name            string            `json:"name"`
	NameEN          string            `json:"name_en"`
	Basic           bool              `json:"basic"`
	SeparateConsent bool              `json:"separate_consent"`
	State           string            `json:"state"` // not_needed, never_asked, granted, withdrawn, outdated
}

type consentList struct {
	PolicyVersion int                     `json:"policy_version"`
	Features      []featureConsent        `json:"features"`
	History       []privacy.ConsentRecord `json:"history"`
}

var stateNames = map[privacy.ConsentState]string{privacy.NeverAsked: "never_asked", privacy.Granted: "granted", privacy.Withdrawn: "withdrawn", privacy.Outdated: "outdated"}

// handleConsentList handles "GET /api/v1/consents": every function, basic
// or additional, the person's answer for each, and the full history.
func (s *Server) handleConsentList(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := minimall.SignedIn(a, "http.consents"); err != nil {
		s.problem(w, r, err)
		return
	}
	out := consentList{PolicyVersion: s.Kernel.PolicyVersion(), Features: []featureConsent{}}
	for _, f := range privacy.Features() {
		fc := featureConsent{Feature: f.ID, Name: f.Name, NameEN: f.NameEN, Basic: f.Basic, SeparateConsent: f.SeparateConsent, State: "not_needed"}
		if !f.Basic {
			st, _, err := s.Kernel.Consents.State(r.Context(), a.Subject, privacy.FeatureScope(f.ID))
			if err != nil {
				s.problem(w, r, err)
				return
			}
			fc.State = stateNames[st]
		}
		out.Features = append(out.Features, fc)
	}
	hist, err := s.Kernel.Consents.History(r.Context(), a.Subject)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out.History = append([]privacy.ConsentRecord{}, hist...)
	writeJSON(w, nethttp.StatusOK, out)
}

type consentChangeRequest struct {
	Feature privacy.FeatureID `json:"feature"`
	Action  string            `json:"action"` // grant or withdraw
}

// handleConsentChange handles "POST /api/v1/consents": grant or withdraw
// an additional function (policy 四(四)). Withdrawal stops processing at
// once. A basic function rests on the contract, not on consent, and says so.
func (s *Server) handleConsentChange(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := minimall.SignedIn(a, "http.consents"); err != nil {
		s.problem(w, r, err)
		return
	}
	var req consentChangeRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	f, ok := privacy.Feature(req.Feature)
	if !ok || (req.Action != "grant" && req.Action != "withdraw") {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "Give a feature from GET /api/v1/consents and an action, grant or withdraw. 请指定功能及 grant 或 withdraw。"))
		return
	}
	if f.Basic {
		// 四(四): what a basic function needs cannot be withdrawn piecemeal.
		s.problem(w, r, minimall.Errorf(minimall.Conflict, "", "%s is a basic function: it rests on your contract with us, not on consent. To stop it, delete your account. %s 是基本功能，依据合同履行所必需，无法单独撤回；如需停止，请注销账户。", f.NameEN, f.Name))
		return
	}
	kind := privacy.General
	if f.SeparateConsent {
		kind = privacy.Separate // the person acts on this feature alone: a separate consent
	}
	rec, err := s.Kernel.Consents.Record(r.Context(), privacy.ConsentChange{Subject: a.Subject, Scope: privacy.FeatureScope(f.ID),
		Kind: kind, Action: privacy.ConsentAction(req.Action), Channel: "api", Evidence: requestIDFrom(r.Context())})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, rec)
}
