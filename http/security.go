package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/account"
	"minimall/security"
)

func (s *Server) registerSecurityRoutes() {
	s.handleFunc("POST /api/v1/security/devices", s.handleDeviceReport)
	s.handleFunc("GET /api/v1/security/devices", s.handleDeviceList)
	s.handleFunc("DELETE /api/v1/security/devices/{id}", s.handleDeviceRemove)
	s.handleFunc("POST /api/v1/security/lock", s.handleAccountLock)
	s.handleFunc("POST /api/v1/security/unlock", s.handleAccountUnlock)
	s.handleFunc("POST /api/v1/security/fraud-reports", s.handleFraudReport)
	s.handleFunc("GET /api/v1/security/fraud-reports", s.handleFraudReportList)
}

// handleDeviceReport handles "POST /api/v1/security/devices".
func (s *Server) handleDeviceReport(w nethttp.ResponseWriter, r *nethttp.Request) {
	var d security.DeviceSignals
	if err := decodeJSON(r, &d); err != nil {
		s.problem(w, r, err)
		return
	}
	dev, err := s.Security.ReportDevice(r.Context(), minimall.ActorFromContext(r.Context()), d)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, dev)
}

// handleDeviceList handles "GET /api/v1/security/devices".
func (s *Server) handleDeviceList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Security.Devices(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"devices": list})
}

// handleDeviceRemove handles "DELETE /api/v1/security/devices/{id}".
func (s *Server) handleDeviceRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Security.RemoveDevice(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id")); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleAccountLock handles "POST /api/v1/security/lock".
func (s *Server) handleAccountLock(w nethttp.ResponseWriter, r *nethttp.Request) {
	if err := s.Accounts.Lock(r.Context(), minimall.ActorFromContext(r.Context())); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

// handleAccountUnlock handles "POST /api/v1/security/unlock" with an SMS
// code (purpose "unlock") sent to the account's phone.
func (s *Server) handleAccountUnlock(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req account.UnlockRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Accounts.Unlock(r.Context(), req); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(nethttp.StatusNoContent)
}

type fraudReportRequest struct {
	Text string `json:"text"`
}

// handleFraudReport handles "POST /api/v1/security/fraud-reports".
func (s *Server) handleFraudReport(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req fraudReportRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	rep, err := s.Security.ReportFraud(r.Context(), minimall.ActorFromContext(r.Context()), req.Text)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, rep)
}

// handleFraudReportList handles "GET /api/v1/security/fraud-reports".
func (s *Server) handleFraudReportList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Security.FraudReports(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"reports": list})
}
