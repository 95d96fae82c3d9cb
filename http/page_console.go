package http

import (
	"html/template"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"minimall"
	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/rights"
)

// The operators' console at /console: an operator signs in with their
// token and the ticket they work on (kept in a cookie); every action's
// form names the ticket again, and the audit log records it.

// reasonCookie keeps the console's current ticket (X-Access-Reason's
// value for the pages): a necessary cookie of the console.
const reasonCookie = "minimall_ticket"

func (s *Server) registerConsolePages() {
	s.handlePage("GET /console/signin", s.pageConsoleSignIn)
	s.handlePage("POST /console/signin", s.pageConsoleSignInPost)
	s.handlePage("GET /console", s.pageConsole)
	s.handlePage("POST /console/signout", s.pageConsoleSignOut)
	if s.Kernel != nil {
		s.handlePage("GET /console/audit", s.pageConsoleAudit)
		s.handlePage("POST /console/audit/verify", s.pageConsoleAuditVerify)
	}
	if s.Lifecycle != nil {
		s.handlePage("GET /console/retention", s.pageConsoleRetention)
		s.handlePage("POST /console/retention/run", s.pageConsoleRetentionRun)
	}
	if s.Rights != nil {
		s.handlePage("GET /console/rights", s.pageConsoleRights)
		s.handlePage("GET /console/rights/{id}", s.pageConsoleRequest)
		s.handlePage("POST /console/rights/{id}/answer", s.pageConsoleAnswer)
		s.handlePage("POST /console/rights/{id}/refuse", s.pageConsoleRefuse)
		s.handlePage("GET /console/complaints", s.pageConsoleComplaints)
		s.handlePage("POST /console/complaints/{id}", s.pageConsoleComplaint)
	}
	s.registerConsoleOpsPages()
	s.registerConsoleStatePages()
}

// operatorPage returns the signed-in operator with a ticket, or sends the
// browser to the console's sign-in and reports false.
func (s *Server) operatorPage(w nethttp.ResponseWriter, r *nethttp.Request) (minimall.Actor, bool) {
	a := minimall.ActorFromContext(r.Context())
	if a.Kind == minimall.Operator && a.Reason != "" {
		return a, true
	}
	seeOther(w, r, "/console/signin")
	return a, false
}

// actionTicket checks the ticket an action's form names and makes it the
// actor's reason for this action; it answers the refusal itself.
func (s *Server) actionTicket(w nethttp.ResponseWriter, r *nethttp.Request, a *minimall.Actor) bool {
	t := r.PostForm.Get("ticket")
	if !privacy.ValidAccessReason(t) {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "Name the ticket or request this action is for (%s). 请注明此操作所依据的工单或请求号。", privacy.AccessReasonRule))
		return false
	}
	a.Reason = t
	return true
}

type consoleSignInData struct {
	Ticket string
	Error  string
}

// pageConsoleSignIn handles "GET /console/signin".
func (s *Server) pageConsoleSignIn(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "console_signin", "console.signin", consoleSignInData{})
}

// pageConsoleSignInPost handles "POST /console/signin": the operator's
// token goes into the session cookie, the ticket into the console's.
func (s *Server) pageConsoleSignInPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	token, ticket := r.PostForm.Get("token"), r.PostForm.Get("ticket")
	d := consoleSignInData{Ticket: ticket}
	if !privacy.ValidAccessReason(ticket) {
		d.Error = message("console.badticket", langOf(r))
		s.render(w, r, nethttp.StatusUnauthorized, "console_signin", "console.signin", d)
		return
	}
	cs := s.Consoles
	if cs == nil {
		s.pageError(w, r, minimall.Errorf(minimall.Unavailable, "", "The console is not available here. 控制台不可用。"))
		return
	}
	// The browser keeps a console session, never the operator's token.
	session, _, err := cs.StartConsole(r.Context(), token, consoleSession)
	if minimall.IsCode(err, minimall.Unauthorized) {
		d.Error = message("console.badtoken", langOf(r))
		s.render(w, r, nethttp.StatusUnauthorized, "console_signin", "console.signin", d)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	strict := nethttp.SameSiteStrictMode
	s.setCookie(w, nethttp.Cookie{Name: sessionCookie, Value: session, MaxAge: seconds(consoleSession), SameSite: strict})
	s.setCookie(w, nethttp.Cookie{Name: reasonCookie, Value: ticket, Path: "/console", MaxAge: seconds(consoleSession), SameSite: strict})
	seeOther(w, r, "/console")
}

// consoleSession is how long a console sign-in lasts.
const consoleSession = 8 * time.Hour

// pageConsoleSignOut handles "POST /console/signout".
func (s *Server) pageConsoleSignOut(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil && strings.HasPrefix(c.Value, privacy.ConsoleTokenPrefix) {
		if cs := s.Consoles; cs != nil {
			if err := cs.EndConsole(r.Context(), c.Value); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
	}
	s.clearSession(w)
	s.setCookie(w, nethttp.Cookie{Name: reasonCookie, Path: "/console", MaxAge: -1, SameSite: nethttp.SameSiteStrictMode})
	seeOther(w, r, "/console/signin")
}

type consoleData struct {
	Role   minimall.Role
	Ticket string
	// The views the role may use, besides those every operator may.
	Appeals, Incidents, Disclosures bool
}

// pageConsole handles "GET /console": who is signed in, on which ticket,
// and the views of the role.
func (s *Server) pageConsole(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	d := consoleData{Role: a.Role, Ticket: a.Reason,
		Appeals:     s.Decisions != nil && (a.Role == minimall.RoleSecurity || a.Role == minimall.RoleDPO),
		Incidents:   s.Incidents != nil && privacy.RoleMayActFor(a.Role, privacy.ForIncidentResponse),
		Disclosures: s.Policy != nil && (a.Role == minimall.RoleDPO || a.Role == minimall.RoleLegalHold)}
	s.render(w, r, nethttp.StatusOK, "console", "console.title", d)
}

type consoleRightsData struct {
	Requests []*rights.Request
	State    string
	Ticket   string
	// Chart shows the open requests by age against the 15-day deadline.
	Chart template.HTML
}

// rightsDeadlineDays is the answer deadline the chart draws (四(八)).
const rightsDeadlineDays = 15

// pageConsoleRights handles "GET /console/rights": the rights queue,
// overdue first, then by deadline; ?state= filters.
func (s *Server) pageConsoleRights(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	state := r.URL.Query().Get("state")
	list, err := s.Rights.List(r.Context(), a, rights.Filter{State: rights.State(state)})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	now := s.Clock.Now()
	var ages []int
	for _, req := range list {
		if req.State != rights.Answered && req.State != rights.Refused {
			ages = append(ages, int(now.Sub(req.ReceivedAt).Hours()/24))
		}
	}
	l := langOf(r)
	chart := ageChart(ages, 30, rightsDeadlineDays, message("console.chart", l), message("console.chart.axis", l))
	s.render(w, r, nethttp.StatusOK, "console_rights", "console.rights", consoleRightsData{Requests: list, State: state, Ticket: a.Reason, Chart: chart})
}

type consoleRequestData struct {
	Request *rights.Request
	Reasons []string
	Ticket  string
	Error   string
}

// pageConsoleRequest handles "GET /console/rights/{id}".
func (s *Server) pageConsoleRequest(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	req, err := s.Rights.Get(r.Context(), a, r.PathValue("id"), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "console_request", "console.request", consoleRequestData{Request: req, Reasons: rights.RefusalReasons(), Ticket: a.Reason})
}

// pageConsoleAnswer handles "POST /console/rights/{id}/answer".
func (s *Server) pageConsoleAnswer(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	_, err := s.Rights.Answer(r.Context(), a, r.PathValue("id"))
	s.afterConsoleAction(w, r, a, err)
}

// pageConsoleRefuse handles "POST /console/rights/{id}/refuse".
func (s *Server) pageConsoleRefuse(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	_, err := s.Rights.Refuse(r.Context(), a, r.PathValue("id"), r.PostForm.Get("reason"))
	s.afterConsoleAction(w, r, a, err)
}

// afterConsoleAction shows the request again: refused actions with why.
func (s *Server) afterConsoleAction(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, err error) {
	if err == nil {
		seeOther(w, r, "/console/rights/"+url.PathEscape(r.PathValue("id")))
		return
	}
	s.refused(w, r, err, func(status int, msg string) {
		// The request again, with why the action was refused; if the
		// operator may not even see it, the refusal alone.
		req, gerr := s.Rights.Get(r.Context(), a, r.PathValue("id"), "")
		if gerr != nil {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, status, "console_request", "console.request", consoleRequestData{Request: req, Reasons: rights.RefusalReasons(),
			Ticket: a.Reason, Error: msg})
	})
}

type consoleComplaintsData struct {
	Complaints []*rights.ComplaintRequest
	Reasons    []string
	Ticket     string
	Error      string
}

// pageConsoleComplaints handles "GET /console/complaints": the open
// complaints (八), overdue first, each with its text, and the forms that
// move it on: in progress, answered with an answer, refused with a reason.
func (s *Server) pageConsoleComplaints(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	s.showComplaints(w, r, a, nethttp.StatusOK, "")
}

func (s *Server) showComplaints(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, msg string) {
	list, err := s.Rights.ComplaintQueue(r.Context(), a, false)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "console_complaints", "console.complaints", consoleComplaintsData{Complaints: list,
		Reasons: rights.ComplaintRefusalReasons, Ticket: a.Reason, Error: msg})
}

// pageConsoleComplaint handles "POST /console/complaints/{id}".
func (s *Server) pageConsoleComplaint(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	f := r.PostForm
	_, err := s.Rights.UpdateComplaint(r.Context(), a, r.PathValue("id"), rights.ComplaintUpdate{State: rights.State(f.Get("state")),
		Answer: f.Get("answer"), RefusalReason: f.Get("reason")})
	if err == nil {
		seeOther(w, r, "/console/complaints")
		return
	}
	s.refused(w, r, err, func(status int, msg string) { s.showComplaints(w, r, a, status, msg) })
}

type consoleRetentionData struct {
	Last   *lifecycle.Report // nil before the first sweep
	Ticket string
	Error  string
}

// pageConsoleRetention handles "GET /console/retention": the last
// retention sweep (五(一)) — when, what each area removed or anonymised,
// which period's transaction-record keys were destroyed — and a sweep now.
func (s *Server) pageConsoleRetention(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	// The same roles as GET /api/v1/ops/retention/last: the page is no
	// side door to what the API keeps from other roles.
	if err := lifecycleOperator(r); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showRetention(w, r, a, nethttp.StatusOK, "")
}

func (s *Server) showRetention(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, msg string) {
	last, err := s.Lifecycle.LastReport(r.Context())
	if minimall.IsCode(err, minimall.NotFound) {
		last, err = nil, nil
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "console_retention", "console.retention", consoleRetentionData{Last: last, Ticket: a.Reason, Error: msg})
}

// pageConsoleRetentionRun handles "POST /console/retention/run" (the DPO
// or ops): one sweep now, or a dry run that only counts.
func (s *Server) pageConsoleRetentionRun(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	if a.Role != minimall.RoleDPO && a.Role != minimall.RoleOps {
		s.pageError(w, r, minimall.Errorf(minimall.Denied, "", "Only the DPO or ops may do this. 仅个人信息保护负责人或运维可操作。"))
		return
	}
	st, err := s.Lifecycle.Status(r.Context())
	if err == nil {
		_, err = s.Lifecycle.Sweep(r.Context(), lifecycle.Options{DryRun: r.PostForm.Get("dry_run") == "yes", Shutdown: st.Stopped})
	}
	if err != nil {
		s.refused(w, r, err, func(status int, msg string) { s.showRetention(w, r, a, status, msg) })
		return
	}
	seeOther(w, r, "/console/retention")
}

type consoleAuditData struct {
	Durable, Allowed, Denied int64
	Report                   *privacy.AuditReport // after a verification
	Ticket                   string
	// Heads are the chains' checkpointed ends; Check is where the
	// background verification stands (zero when it is not running).
	Heads       []privacy.AuditHead
	Check       privacy.AuditCheck
	CheckIntact bool // the last background pass found the log intact
}

// auditState reads the log's counts, chain heads and background check.
func (s *Server) auditState(r *nethttp.Request, d *consoleAuditData) error {
	d.Durable, d.Allowed, d.Denied = s.Kernel.AuditStats()
	d.Check = s.Kernel.AuditCheck()
	d.CheckIntact = !d.Check.LastRun.IsZero() && d.Check.LastRun.Equal(d.Check.LastSuccess)
	var err error
	d.Heads, err = s.Kernel.AuditHeads(r.Context())
	return err
}

// pageConsoleAudit handles "GET /console/audit": the audit log's counts
// since start, and a verification of every chain on request (it reads the
// whole log, so it is not run on every view).
func (s *Server) pageConsoleAudit(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	d := consoleAuditData{Ticket: a.Reason}
	if err := s.auditState(r, &d); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "console_audit", "console.audit", d)
}

// pageConsoleAuditVerify handles "POST /console/audit/verify" (the DPO):
// every chain checked against its key and its checkpointed head.
func (s *Server) pageConsoleAuditVerify(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	if a.Role != minimall.RoleDPO && a.Role != minimall.RoleSecurity {
		s.pageError(w, r, minimall.Errorf(minimall.Denied, "", "Only the DPO or security may verify the audit log. 仅个人信息保护负责人或安全人员可校验审计日志。"))
		return
	}
	rep, err := s.Kernel.VerifyAudit(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := consoleAuditData{Ticket: a.Reason, Report: rep}
	if err := s.auditState(r, &d); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "console_audit", "console.audit", d)
}
