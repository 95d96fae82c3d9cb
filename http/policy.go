package http

import (
	"context"
	nethttp "net/http"
	"strconv"

	"minimall"
	"minimall/account"
	"minimall/privacy/policy"
	"minimall/rights"
)

// registerPolicyRoutes: policy versions and acceptance (policy 六), the
// contact and complaint channel (八), public disclosures (三(三)).
func (s *Server) registerPolicyRoutes() {
	s.handleFunc("GET /api/v1/policy/lists", s.handlePolicyLists)
	s.handleFunc("GET /api/v1/policy/text", s.handlePolicyText)
	s.handleFunc("GET /api/v1/policy/versions", s.handlePolicyVersionList)
	s.handleFunc("GET /api/v1/policy/versions/{n}", s.handlePolicyVersionGet)
	s.handleFunc("POST /api/v1/policy/versions", s.handlePolicyPublish)
	s.handleFunc("GET /api/v1/policy/changes", s.handlePolicyChanges)
	s.handleFunc("POST /api/v1/policy/accept", s.handlePolicyAccept)
	s.handleFunc("GET /api/v1/policy/disclosure-grounds", s.handleDisclosureGrounds)
	s.handleFunc("GET /api/v1/contact", s.handleContact)
	s.handleFunc("POST /api/v1/complaints", s.handleComplaintCreate)
	s.handleFunc("GET /api/v1/complaints", s.handleComplaintList)
	s.handleFunc("GET /api/v1/ops/complaints", s.handleComplaintQueue)
	s.handleFunc("POST /api/v1/ops/complaints/{id}", s.handleComplaintUpdate)
	s.handleFunc("POST /api/v1/ops/public-disclosures", s.handlePublicDisclosureCreate)
	s.handleFunc("GET /api/v1/ops/public-disclosures", s.handlePublicDisclosureList)
	s.handleFunc("GET /api/v1/account/public-disclosures", s.handleMyPublicDisclosures)
	s.handleFunc("GET /api/v1/policy/controller", s.handleController)
	s.handleFunc("POST /api/v1/ops/controller-transfers", s.handleControllerTransfer)
}

// handleController handles "GET /api/v1/policy/controller": who processes
// the information now, and every transfer (三(二)). Public.
func (s *Server) handleController(w nethttp.ResponseWriter, r *nethttp.Request) {
	v, err := s.Policy.Controller(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, v)
}

// handleControllerTransfer handles "POST /api/v1/ops/controller-transfers"
// (DPO, with the deal's reference in X-Access-Reason).
func (s *Server) handleControllerTransfer(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req policy.TransferRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	t, err := s.Policy.TransferController(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, t)
}

// handlePolicyLists handles "GET /api/v1/policy/lists": the collection and
// sharing lists, generated from the field registry.
func (s *Server) handlePolicyLists(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, policy.Lists{Collection: policy.CollectionList(), Sharing: policy.SharingList()})
}

// handlePolicyText handles "GET /api/v1/policy/text": the current
// version's text as plain text; before the first publish, the draft.
func (s *Server) handlePolicyText(w nethttp.ResponseWriter, r *nethttp.Request) {
	v, err := s.Policy.Current(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeText(w, v.Text)
}

func writeText(w nethttp.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(nethttp.StatusOK)
	w.Write([]byte(text))
}

// handlePolicyVersionList handles "GET /api/v1/policy/versions": every
// published version with its classification, newest first.
func (s *Server) handlePolicyVersionList(w nethttp.ResponseWriter, r *nethttp.Request) {
	vs, err := s.Policy.Versions(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"current": s.Kernel.PolicyVersion(), "versions": vs})
}

// handlePolicyVersionGet handles "GET /api/v1/policy/versions/{n}": an
// archived version with its text and registry snapshot; ?format=text
// gives the text alone.
func (s *Server) handlePolicyVersionGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "A version is a positive number. 版本号须为正整数。"))
		return
	}
	v, err := s.Policy.Version(r.Context(), n)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "text":
		writeText(w, v.Text)
	case "", "json":
		writeJSON(w, nethttp.StatusOK, v)
	default:
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "", "format is json or text. format 须为 json 或 text。"))
	}
}

// handlePolicyPublish handles "POST /api/v1/policy/versions": the DPO
// publishes the running policy as a new version.
func (s *Server) handlePolicyPublish(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, err := requireOperator(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	v, err := s.Policy.Publish(r.Context(), a)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	v.Text, v.Registry = "", nil // both are at GET /api/v1/policy/versions/{n}
	writeJSON(w, nethttp.StatusCreated, v)
}

// handlePolicyChanges handles "GET /api/v1/policy/changes": how the
// running registry differs from the last published version, classified.
func (s *Server) handlePolicyChanges(w nethttp.ResponseWriter, r *nethttp.Request) {
	last, c, err := s.Policy.Pending(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if c.Reasons == nil {
		c.Reasons = []policy.Reason{}
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"last_published": last, "kind": c.Kind(), "major": c.Major, "reasons": c.Reasons})
}

// handlePolicyAccept handles "POST /api/v1/policy/accept".
func (s *Server) handlePolicyAccept(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req policy.AcceptRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	acc, err := s.Policy.Accept(r.Context(), minimall.ActorFromContext(r.Context()), req, requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, acc)
}

// handleDisclosureGrounds handles "GET /api/v1/policy/disclosure-grounds":
// the closed list of grounds for public disclosure (三(三), 三(五)).
func (s *Server) handleDisclosureGrounds(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, map[string]any{"grounds": policy.Grounds()})
}

type contactInfo struct {
	DPO           string `json:"dpo"`
	Complaints    string `json:"complaints"`
	ReplyDays     int    `json:"reply_days"`
	Policy        string `json:"policy"`
	Note          string `json:"note"`
	FurtherRemedy string `json:"further_remedy"`
}

// handleContact handles "GET /api/v1/contact" (policy 八).
func (s *Server) handleContact(w nethttp.ResponseWriter, r *nethttp.Request) {
	writeJSON(w, nethttp.StatusOK, contactInfo{
		DPO: s.Policy.Contact().DPO, Complaints: policy.ComplaintPath, ReplyDays: policy.ReplyDays, Policy: "/api/v1/policy/text",
		Note:          "个人信息保护负责人，请说明具体事实情况；我们将在 15 天内回复。 The personal-information protection officer: describe the facts; we answer within 15 days.",
		FurtherRemedy: "如对答复不满意，可向履行个人信息保护职责的部门投诉或向有管辖权的法院起诉。 If not satisfied, complain to the authority or go to court.",
	})
}

// handleComplaintCreate handles "POST /api/v1/complaints": a complaint
// joins the rights queue. A visitor is told where else to write (八).
func (s *Server) handleComplaintCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req rights.NewComplaint
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	a := minimall.ActorFromContext(r.Context())
	if minimall.SignedIn(a, "") != nil {
		dpo := s.Policy.Contact().DPO
		s.problem(w, r, minimall.Errorf(minimall.Unauthorized, "http.complaints", "Sign in to file a complaint, or write to the personal-information protection officer at %s. 请登录后投诉，或发邮件至个人信息保护负责人 %s。", dpo, dpo))
		return
	}
	c, err := s.Rights.FileComplaint(r.Context(), a, req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, c)
}

// handleComplaintList handles "GET /api/v1/complaints": the person's own.
func (s *Server) handleComplaintList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Rights.MyComplaints(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"complaints": list})
}

// handleComplaintQueue handles "GET /api/v1/ops/complaints" (DPO): open
// complaints by deadline, overdue ones flagged; ?all=true adds closed ones.
func (s *Server) handleComplaintQueue(w nethttp.ResponseWriter, r *nethttp.Request) {
	all, _ := strconv.ParseBool(r.URL.Query().Get("all"))
	list, err := s.Rights.ComplaintQueue(r.Context(), minimall.ActorFromContext(r.Context()), all)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	overdue := 0
	for _, c := range list {
		if c.Overdue {
			overdue++
		}
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"complaints": list, "overdue": overdue})
}

// handleComplaintUpdate handles "POST /api/v1/ops/complaints/{id}" (DPO).
func (s *Server) handleComplaintUpdate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var u rights.ComplaintUpdate
	if err := decodeJSON(r, &u); err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.Rights.UpdateComplaint(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), u)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, c)
}

// handlePublicDisclosureCreate handles "POST /api/v1/ops/public-disclosures"
// (DPO or legal hold).
func (s *Server) handlePublicDisclosureCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req policy.DisclosureRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	d, err := s.Policy.RecordDisclosure(r.Context(), minimall.ActorFromContext(r.Context()), req)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, d)
}

// handlePublicDisclosureList handles "GET /api/v1/ops/public-disclosures?subject=".
func (s *Server) handlePublicDisclosureList(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Policy.Disclosures(r.Context(), minimall.ActorFromContext(r.Context()), minimall.SubjectID(r.URL.Query().Get("subject")))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"disclosures": list})
}

// handleMyPublicDisclosures handles "GET /api/v1/account/public-disclosures":
// the person's own record of public disclosures.
func (s *Server) handleMyPublicDisclosures(w nethttp.ResponseWriter, r *nethttp.Request) {
	list, err := s.Policy.MyDisclosures(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"disclosures": list})
}

// accountView is GET /api/v1/account's answer: the account and, after a
// major policy change the person has not accepted, the notice shown
// prominently (policy 六).
type accountView struct {
	*account.Account
	PolicyUpdateRequired *policy.Notice `json:"policy_update_required,omitempty"`
}

// withPolicyNotice adds the policy notice to an account, when one is due.
func (s *Server) withPolicyNotice(ctx context.Context, a *account.Account) (any, error) {
	if s.Policy == nil || a == nil {
		return a, nil
	}
	n, err := s.Policy.Notice(ctx, a.Subject)
	if err != nil {
		return nil, err
	}
	return accountView{Account: a, PolicyUpdateRequired: n}, nil
}
