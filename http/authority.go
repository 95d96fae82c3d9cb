package http

import (
	"context"
	nethttp "net/http"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
)

// registerAuthorityRoutes registers requests from authorities (三(五)2):
// the DPO or legal hold records one and the named fields go to the
// authority; the person sees what went, unless the law forbids telling
// them yet.
func (s *Server) registerAuthorityRoutes() {
	s.handleFunc("POST /api/v1/ops/authority-requests", s.handleAuthorityRecord)
	s.handleFunc("GET /api/v1/ops/authority-requests", s.handleAuthorityList)
	s.handleFunc("POST /api/v1/ops/authority-requests/{id}/lift", s.handleAuthorityLift)
	s.handleFunc("GET /api/v1/account/authority-requests", s.handleMyAuthorityRequests)
}

// handleAuthorityRecord handles "POST /api/v1/ops/authority-requests".
func (s *Server) handleAuthorityRecord(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req partner.AuthorityRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	d, err := s.Authorities.Record(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, d)
}

// handleAuthorityList handles "GET /api/v1/ops/authority-requests?subject=".
func (s *Server) handleAuthorityList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Authorities.Requests(r.Context(), minimall.ActorFromContext(r.Context()), minimall.SubjectID(r.URL.Query().Get("subject")))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"requests": list})
}

// handleAuthorityLift handles "POST /api/v1/ops/authority-requests/{id}/lift":
// the law no longer forbids telling the person; they are told now.
func (s *Server) handleAuthorityLift(w nethttp.ResponseWriter, r *nethttp.Request) {
	d, err := s.Authorities.LiftProhibition(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, d)
}

// handleMyAuthorityRequests handles "GET /api/v1/account/authority-requests":
// which authority obtained which of the person's fields, when and on what
// legal basis — every request they may be told of.
func (s *Server) handleMyAuthorityRequests(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Authorities.Mine(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"requests": list})
}

// withoutWithheld drops from a person's tracker the audit entries of
// authority requests whose notice the law still forbids (their ref is
// the request's id).
func (s *Server) withoutWithheld(ctx context.Context, subject minimall.SubjectID, accs []privacy.Access) ([]privacy.Access, error) {
	if s.Authorities == nil {
		return accs, nil
	}
	hidden, err := s.Authorities.Withheld(ctx, subject)
	if err != nil || len(hidden) == 0 {
		return accs, err
	}
	out := accs[:0:0]
	for _, a := range accs {
		if !hidden[a.Ref] {
			out = append(out, a)
		}
	}
	return out, nil
}
