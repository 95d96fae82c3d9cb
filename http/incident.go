package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/incident"
)

func (s *Server) registerIncidentRoutes() {
	s.handleFunc("POST /api/v1/ops/incidents", s.handleIncidentRecord)
	s.handleFunc("GET /api/v1/ops/incidents/{id}", s.handleIncidentGet)
	s.handleFunc("GET /api/v1/ops/incidents/{id}/report", s.handleIncidentReport)
}

// handleIncidentRecord handles "POST /api/v1/ops/incidents": a security
// or DPO operator records an incident; the affected people are notified.
func (s *Server) handleIncidentRecord(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req incident.Request
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	in, err := s.Incidents.Record(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, in)
}

// handleIncidentGet handles "GET /api/v1/ops/incidents/{id}".
func (s *Server) handleIncidentGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	in, err := s.Incidents.FindByID(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, in)
}

// handleIncidentReport handles "GET /api/v1/ops/incidents/{id}/report":
// the report for the regulator, with counts and no personal values.
func (s *Server) handleIncidentReport(w nethttp.ResponseWriter, r *nethttp.Request) {
	rep, err := s.Incidents.Report(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, rep)
}
