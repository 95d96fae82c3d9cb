package http

import (
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"minimall"
	"minimall/decision"
	"minimall/incident"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// The console's views of automated-decision appeals, incidents and public
// disclosures. Each calls the same service method as the API behind it,
// so a role the API refuses is refused here too.

func (s *Server) registerConsoleOpsPages() {
	if s.Decisions != nil {
		s.handlePage("GET /console/appeals", s.pageConsoleAppeals)
		s.handlePage("POST /console/appeals/{id}/answer", s.pageConsoleAppealAnswer)
	}
	if s.Incidents != nil {
		s.handlePage("GET /console/incidents", s.pageConsoleIncidents)
		s.handlePage("POST /console/incidents", s.pageConsoleIncidentRecord)
		s.handlePage("GET /console/incidents/{id}", s.pageConsoleIncident)
	}
	if s.Policy != nil {
		s.handlePage("GET /console/disclosures", s.pageConsoleDisclosures)
		s.handlePage("POST /console/disclosures", s.pageConsoleDisclosureRecord)
	}
}

type consoleAppealsData struct {
	Appeals []*decision.Decision
	Reasons map[string]string // appeal reason code → text in the page's language
	Ticket  string
	Error   string
}

// pageConsoleAppeals handles "GET /console/appeals": the appeals of
// automated decisions awaiting an answer (四(六)), oldest first, each with
// what was decided and why the person appealed, and the answer's form.
func (s *Server) pageConsoleAppeals(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	s.showAppeals(w, r, a, nethttp.StatusOK, "")
}

func (s *Server) showAppeals(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, msg string) {
	list, err := s.Decisions.Queue(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	reasons := map[string]string{}
	for _, code := range decision.AppealReasons() {
		textZH, textEN := decision.ReasonText(code)
		reasons[code] = textZH
		if langOf(r) == en {
			reasons[code] = textEN
		}
	}
	s.render(w, r, status, "console_appeals", "console.appeals", consoleAppealsData{Appeals: list, Reasons: reasons, Ticket: a.Reason, Error: msg})
}

// pageConsoleAppealAnswer handles "POST /console/appeals/{id}/answer":
// upheld or overturned, as POST /api/v1/ops/decisions/{id}/answer.
func (s *Server) pageConsoleAppealAnswer(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	_, err := s.Decisions.Answer(r.Context(), a, r.PathValue("id"), r.PostForm.Get("outcome"))
	if err == nil {
		seeOther(w, r, "/console/appeals")
		return
	}
	s.refused(w, r, err, func(status int, msg string) { s.showAppeals(w, r, a, status, msg) })
}

type consoleIncidentsData struct {
	Incidents []*incident.Incident
	Fields    []*privacy.FieldSpec
	Form      incidentForm
	Ticket    string
	Error     string
}

// incidentForm is the record form's values, shown again when refused.
type incidentForm struct {
	Title, What, Impact, Measures, Advice, Since, Until string
	Fields                                              map[privacy.Field]bool
}

// pageConsoleIncidents handles "GET /console/incidents": the incidents
// recorded (五(三)3), newest first, and the form that records one.
func (s *Server) pageConsoleIncidents(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	s.showIncidents(w, r, a, nethttp.StatusOK, incidentForm{}, "")
}

func (s *Server) showIncidents(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, f incidentForm, msg string) {
	list, err := s.Incidents.List(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "console_incidents", "console.incidents", consoleIncidentsData{Incidents: list, Fields: privacy.Fields(),
		Form: f, Ticket: a.Reason, Error: msg})
}

// formTime is the layout of a datetime-local input; the console's times
// are UTC.
const formTime = "2006-01-02T15:04"

// pageConsoleIncidentRecord handles "POST /console/incidents": records an
// incident as POST /api/v1/ops/incidents does, which notifies the people
// it affected; then shows its page.
func (s *Server) pageConsoleIncidentRecord(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	p := r.PostForm
	f := incidentForm{Title: p.Get("title"), What: p.Get("what"), Impact: p.Get("impact"), Measures: p.Get("measures"),
		Advice: p.Get("advice"), Since: p.Get("since"), Until: p.Get("until"), Fields: map[privacy.Field]bool{}}
	req := incident.Request{Title: f.Title, What: f.What, Impact: f.Impact, Measures: f.Measures, Advice: f.Advice}
	for _, v := range p["fields"] {
		req.Fields = append(req.Fields, privacy.Field(v))
		f.Fields[privacy.Field(v)] = true
	}
	// A time left empty or malformed stays zero: Record refuses it, after
	// checking the role as the API does.
	req.Since, _ = time.ParseInLocation(formTime, f.Since, time.UTC)
	req.Until, _ = time.ParseInLocation(formTime, f.Until, time.UTC)
	in, err := s.Incidents.Record(r.Context(), a, req)
	if err == nil {
		seeOther(w, r, "/console/incidents/"+url.PathEscape(in.ID))
		return
	}
	s.refused(w, r, err, func(status int, msg string) { s.showIncidents(w, r, a, status, f, msg) })
}

type consoleIncidentData struct {
	Report *incident.Report
	Ticket string
}

// pageConsoleIncident handles "GET /console/incidents/{id}": the
// incident's report for the regulator — the people affected and told,
// per field, and the timeline; counts, never a person.
func (s *Server) pageConsoleIncident(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	rep, err := s.Incidents.Report(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "console_incident", "console.incident", consoleIncidentData{Report: rep, Ticket: a.Reason})
}

type consoleDisclosuresData struct {
	Disclosures []*policy.Disclosure
	Grounds     []policy.GroundSpec
	// Ground is the ground chosen for the form: its publishable fields
	// are the only ones offered.
	Ground *policy.GroundSpec
	Ticket string
	Error  string
}

// pageConsoleDisclosures handles "GET /console/disclosures": the latest
// public disclosures (三(三)) without the person, and the form that
// records one; ?ground= picks the ground, whose publishable fields the
// form then offers.
func (s *Server) pageConsoleDisclosures(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok {
		return
	}
	s.showDisclosures(w, r, a, nethttp.StatusOK, r.URL.Query().Get("ground"), "")
}

func (s *Server) showDisclosures(w nethttp.ResponseWriter, r *nethttp.Request, a minimall.Actor, status int, ground, msg string) {
	list, err := s.Policy.RecentDisclosures(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := consoleDisclosuresData{Disclosures: list, Grounds: policy.Grounds(), Ticket: a.Reason, Error: msg}
	for i := range d.Grounds {
		if string(d.Grounds[i].Ground) == ground {
			d.Ground = &d.Grounds[i]
		}
	}
	s.render(w, r, status, "console_disclosures", "console.disclosures", d)
}

// pageConsoleDisclosureRecord handles "POST /console/disclosures": as
// POST /api/v1/ops/public-disclosures (the DPO or legal hold).
func (s *Server) pageConsoleDisclosureRecord(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.operatorPage(w, r)
	if !ok || !s.checkForm(w, r) || !s.actionTicket(w, r, &a) {
		return
	}
	p := r.PostForm
	req := policy.DisclosureRequest{Subject: minimall.SubjectID(strings.TrimSpace(p.Get("subject"))), Ground: policy.Ground(p.Get("ground")),
		LegalRef: strings.TrimSpace(p.Get("legal_ref"))}
	for _, v := range p["fields"] {
		req.Fields = append(req.Fields, privacy.Field(v))
	}
	_, err := s.Policy.RecordDisclosure(r.Context(), a, req)
	if err == nil {
		seeOther(w, r, "/console/disclosures")
		return
	}
	s.refused(w, r, err, func(status int, msg string) { s.showDisclosures(w, r, a, status, string(req.Ground), msg) })
}
