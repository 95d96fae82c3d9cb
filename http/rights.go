package http

import (
	"bytes"
	nethttp "net/http"

	"minimall"
	"minimall/rights"
)

func (s *Server) registerRightsRoutes() {
	s.handleFunc("POST /api/v1/rights/requests", s.handleRightsFile)
	s.handleFunc("GET /api/v1/rights/requests", s.handleRightsMine)
	s.handleFunc("GET /api/v1/rights/requests/{id}", s.handleRightsGet)
	s.handleFunc("POST /api/v1/rights/requests/{id}/verify", s.handleRightsVerify)
	s.handleFunc("GET /api/v1/rights/requests/{id}/export", s.handleRightsExport)
	s.handleFunc("GET /api/v1/rights/deregistration/conditions", s.handleRightsConditions)
	s.handleFunc("POST /api/v1/rights/consents", s.handleRightsConsent)
	s.handleFunc("POST /api/v1/rights/next-of-kin", s.handleRightsNextOfKin)
	s.handleFunc("POST /api/v1/rights/guardian", s.handleRightsGuardian)
	s.handleFunc("POST /api/v1/rights/recipient", s.handleRightsRecipient)
	s.handleFunc("GET /api/v1/ops/rights/requests", s.handleRightsQueue)
	s.handleFunc("GET /api/v1/ops/rights/requests/{id}", s.handleRightsGet)
	s.handleFunc("POST /api/v1/ops/rights/requests/{id}/review", s.handleRightsReview)
	s.handleFunc("POST /api/v1/ops/rights/requests/{id}/answer", s.handleRightsAnswer)
	s.handleFunc("POST /api/v1/ops/rights/requests/{id}/refuse", s.handleRightsRefuse)
}

type rightsFileRequest struct {
	Kind rights.Kind `json:"kind"`
	rights.Details
}

// handleRightsFile handles "POST /api/v1/rights/requests": the signed-in
// person files a request; a code goes to the account phone.
func (s *Server) handleRightsFile(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rightsFileRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.File(r.Context(), minimall.ActorFromContext(r.Context()), req.Kind, req.Details, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, out)
}

// handleRightsMine handles "GET /api/v1/rights/requests".
func (s *Server) handleRightsMine(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Rights.Mine(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"requests": list})
}

// handleRightsGet handles "GET /api/v1/rights/requests/{id}" (the person,
// or a next of kin with X-Rights-Token) and the operators' view of it.
func (s *Server) handleRightsGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	out, err := s.Rights.Get(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), r.Header.Get("X-Rights-Token"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

type rightsVerifyRequest struct {
	Code string `json:"code"`
}

// handleRightsVerify handles "POST /api/v1/rights/requests/{id}/verify".
func (s *Server) handleRightsVerify(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rightsVerifyRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.Verify(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Code)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

// handleRightsExport handles "GET /api/v1/rights/requests/{id}/export":
// JSON for portability, or ?format=html for a readable page.
func (s *Server) handleRightsExport(w nethttp.ResponseWriter, r *nethttp.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "html" {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "format is json or html. format 须为 json 或 html。"))
		return
	}
	e, err := s.Rights.Export(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), r.Header.Get("X-Rights-Token"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // personal information: never cached
	if format == "html" {
		var buf bytes.Buffer
		if err := rights.WritePage(&buf, e); err != nil {
			s.problem(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="minimall-export-`+e.RequestID+`.json"`)
	writeJSON(w, nethttp.StatusOK, e)
}

// handleRightsConditions handles "GET /api/v1/rights/deregistration/conditions".
func (s *Server) handleRightsConditions(w nethttp.ResponseWriter, r *nethttp.Request) {
	left, err := s.Rights.Conditions(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"may_deregister": len(left) == 0, "pending": left})
}

// handleRightsConsent handles "POST /api/v1/rights/consents".
func (s *Server) handleRightsConsent(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rights.ConsentChange
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	rec, err := s.Rights.ChangeConsent(r.Context(), minimall.ActorFromContext(r.Context()), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, rec)
}

// handleRightsNextOfKin handles "POST /api/v1/rights/next-of-kin".
func (s *Server) handleRightsNextOfKin(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rights.NextOfKinRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.FileNextOfKin(r.Context(), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, out)
}

// handleRightsGuardian handles "POST /api/v1/rights/guardian": a child's
// guardian files a request for the child (七) with the guardian token and
// a code sent to the guardian's phone; it is served at once and followed
// with the returned token (X-Rights-Token).
func (s *Server) handleRightsGuardian(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rights.GuardianRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.FileGuardian(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, out)
}

// handleRightsRecipient handles "POST /api/v1/rights/recipient": an
// order's recipient without an account asks to see, correct or delete what
// minimall holds about them (四), with a code sent to the phone the orders
// name (purpose recipient).
func (s *Server) handleRightsRecipient(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rights.RecipientRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.FileRecipient(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // personal information: never cached
	writeJSON(w, nethttp.StatusCreated, out)
}

// handleRightsQueue handles "GET /api/v1/ops/rights/requests": the DPO's
// queue, oldest deadline first, overdue requests flagged.
func (s *Server) handleRightsQueue(w nethttp.ResponseWriter, r *nethttp.Request) {
	q := r.URL.Query()
	f := rights.Filter{State: rights.State(q.Get("state")), Overdue: q.Get("overdue") == "true"}
	list, err := s.Rights.List(r.Context(), minimall.ActorFromContext(r.Context()), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"requests": list})
}

type rightsReviewRequest struct {
	Accept bool `json:"accept"`
}

// handleRightsReview handles "POST /api/v1/ops/rights/requests/{id}/review".
func (s *Server) handleRightsReview(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rightsReviewRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.Review(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Accept)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

// handleRightsAnswer handles "POST /api/v1/ops/rights/requests/{id}/answer".
func (s *Server) handleRightsAnswer(w nethttp.ResponseWriter, r *nethttp.Request) {
	out, err := s.Rights.Answer(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}

type rightsRefuseRequest struct {
	Reason string `json:"reason"`
}

// handleRightsRefuse handles "POST /api/v1/ops/rights/requests/{id}/refuse".
func (s *Server) handleRightsRefuse(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rightsRefuseRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	out, err := s.Rights.Refuse(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req.Reason)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, out)
}
