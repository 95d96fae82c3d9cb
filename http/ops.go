package http

import (
	_ "embed"
	nethttp "net/http"
	"time"

	"minimall"
)

//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) registerOpsRoutes() {
	s.handleFunc("GET /healthz", s.handleHealth)
	s.handleFunc("GET /api/v1/ping", s.handlePing)
	s.handleFunc("GET /api/v1/openapi.json", s.handleOpenAPI)
	s.handleFunc("POST /api/v1/ops/clock/advance", s.handleClockAdvance)
	s.handleFunc("GET /api/v1/ops/clock", s.handleClockGet)
}

// handleHealth handles "GET /healthz": the process is up and the database answers.
func (s *Server) handleHealth(w nethttp.ResponseWriter, r *nethttp.Request) {
	if s.DB != nil {
		var one int
		if err := s.DB.QueryRowContext(r.Context(), `SELECT 1`).Scan(&one); err != nil {
			s.problem(w, r, &minimall.Error{Code: minimall.Unavailable, Message: "Database unavailable. 数据库不可用。", Err: err})
			return
		}
	}
	writeJSON(w, nethttp.StatusOK, map[string]string{"status": "ok"})
}

// handlePing handles "GET /api/v1/ping": the cheapest JSON answer, through
// the same middleware as every other request; load runs measure against it.
func (s *Server) handlePing(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, map[string]bool{"pong": true})
}

// handleOpenAPI handles "GET /api/v1/openapi.json".
func (s *Server) handleOpenAPI(w nethttp.ResponseWriter, r *nethttp.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}

type clockAdvanceRequest struct {
	Seconds int64 `json:"seconds"`
}

type clockResponse struct {
	Now time.Time `json:"now"`
}

// handleClockAdvance handles "POST /api/v1/ops/clock/advance": moves the
// fake clock forward so deadlines and retention can be tested from outside
// the process. It exists only under --fake-clock.
func (s *Server) handleClockAdvance(w nethttp.ResponseWriter, r *nethttp.Request) {
	if s.FakeClock == nil {
		s.handleNotFound(w, r)
		return
	}
	if _, err := requireOperator(r); err != nil {
		s.problem(w, r, err)
		return
	}
	var req clockAdvanceRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	if req.Seconds <= 0 || req.Seconds > 20*365*24*3600 {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "seconds must be between 1 and 20 years; time never runs backwards. 秒数须为正。"))
		return
	}
	now := s.FakeClock.Advance(time.Duration(req.Seconds) * time.Second)
	writeJSON(w, nethttp.StatusOK, clockResponse{Now: now})
}

// handleClockGet handles "GET /api/v1/ops/clock": the platform's current time.
func (s *Server) handleClockGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, clockResponse{Now: s.Clock.Now()})
}
