package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/lifecycle"
)

func (s *Server) registerLifecycleRoutes() {
	s.handleFunc("POST /api/v1/ops/retention/run", s.handleRetentionRun)
	s.handleFunc("GET /api/v1/ops/retention/last", s.handleRetentionLast)
	s.handleFunc("POST /api/v1/ops/shutdown", s.handleShutdown)
	s.handleFunc("GET /api/v1/ops/shutdown", s.handleShutdownStatus)
	s.handleFunc("GET /api/v1/account/notifications", s.handleNotifications)
}

// lifecycleOperator admits the DPO and ops, who run retention and shutdown.
func lifecycleOperator(r *nethttp.Request) error {
	a, err := requireOperator(r)
	if err != nil {
		return err
	}
	if a.Role != minimall.RoleDPO && a.Role != minimall.RoleOps {
		return minimall.Errorf(minimall.Denied, "", "Only the DPO or ops may do this. 仅个人信息保护负责人或运维可操作。")
	}
	return nil
}

type retentionRunRequest struct {
	DryRun bool `json:"dry_run"`
}

// handleRetentionRun handles "POST /api/v1/ops/retention/run": one sweep
// now, answered with its report.
func (s *Server) handleRetentionRun(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := lifecycleOperator(r); err != nil {
		s.problem(w, r, err)
		return
	}
	var req retentionRunRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			s.problem(w, r, err)
			return
		}
	}
	st, err := s.Lifecycle.Status(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	rep, err := s.Lifecycle.Sweep(r.Context(), lifecycle.Options{DryRun: req.DryRun, Shutdown: st.Stopped})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, rep)
}

// handleRetentionLast handles "GET /api/v1/ops/retention/last".
func (s *Server) handleRetentionLast(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := lifecycleOperator(r); err != nil {
		s.problem(w, r, err)
		return
	}
	rep, err := s.Lifecycle.LastReport(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, rep)
}

type shutdownRequest struct {
	Reason  string `json:"reason"`
	Confirm string `json:"confirm"`
}

// handleShutdown handles "POST /api/v1/ops/shutdown": the shutdown
// procedure of policy 三(四). It answers 200 with the completed procedure
// (this call's, or an earlier one's), and 202 while another call is still
// carrying it out.
func (s *Server) handleShutdown(w nethttp.ResponseWriter, r *nethttp.Request) {
	a := minimall.ActorFromContext(r.Context())
	if err := lifecycleOperator(r); err != nil {
		s.problem(w, r, err)
		return
	}
	var req shutdownRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	rep, err := s.Lifecycle.Shutdown(r.Context(), a, req.Reason, req.Confirm)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	status := nethttp.StatusOK
	if rep.State == lifecycle.ShutdownUnderWay {
		status = nethttp.StatusAccepted
	}
	writeJSON(w, status, rep)
}

// handleShutdownStatus handles "GET /api/v1/ops/shutdown".
func (s *Server) handleShutdownStatus(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, err := requireOperator(r); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Lifecycle.Status(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, st)
}

// handleNotifications handles "GET /api/v1/account/notifications": the
// notices sent to the signed-in person.
func (s *Server) handleNotifications(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Lifecycle.Notifications(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"notifications": list})
}
