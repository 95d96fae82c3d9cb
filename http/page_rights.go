package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	nethttp "net/http"
	"regexp"
	"time"

	"minimall"
	"minimall/partner"
	"minimall/privacy"
	"minimall/rights"
)

// registerRightsPages registers the privacy centre's rights: who used my
// data, what was shared, my requests, download my data, deregistration.
func (s *Server) registerRightsPages() {
	s.handlePage("GET /account/privacy/data", s.pageMyData)
	s.handlePage("POST /account/privacy/requests", s.pageRightsFile)
	s.handlePage("GET /account/privacy/requests/{id}", s.pageRightsRequest)
	s.handlePage("POST /account/privacy/requests/{id}/verify", s.pageRightsVerify)
	s.handlePage("GET /account/privacy/requests/{id}/export", s.pageRightsExport)
	s.handlePage("GET /account/deregister", s.pageDeregister)
	s.handlePage("GET /account/correct", s.pageCorrect)
	s.handlePage("POST /account/correct", s.pageCorrectPost)
}

type myData struct {
	Accesses []privacy.Access
	// KeptFrom is the date from which the audit log holds every entry:
	// older ones went past privacy.AuditRetention. Zero: none went yet.
	KeptFrom    time.Time
	KeptYears   int // how long entries are kept, in years
	Disclosures []partner.Record
	Requests    []*rights.Request
	Holds       []*privacy.Hold
	Authority   []*partner.AuthorityDisclosure
}

// trackerSize is how many of the newest uses of a person's data by others
// the page shows.
const trackerSize = 100

// pageMyData handles "GET /account/privacy/data": who opened my data and
// why (every use by someone else, from the audit log's index by person),
// what was shared with partners, my rights requests and their deadlines,
// and the way to download it all.
func (s *Server) pageMyData(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	var d myData
	var err error
	if d.Accesses, err = s.Kernel.AccessesByOthers(r.Context(), a, trackerSize); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.KeptFrom, err = s.Kernel.AuditKeptFrom(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	d.KeptYears = int(privacy.AuditRetention.Hours() / 24 / 365)
	if d.Accesses, err = s.withoutWithheld(r.Context(), a.Subject, d.Accesses); err != nil {
		s.pageError(w, r, err)
		return
	}
	if s.Authorities != nil {
		if d.Authority, err = s.Authorities.Mine(r.Context(), a); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if s.Partners != nil {
		if d.Disclosures, err = s.Partners.Disclosures(r.Context(), a.Subject); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if d.Requests, err = s.Rights.Mine(r.Context(), a); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Holds, err = s.Kernel.MyHolds(r.Context(), a); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "mydata", "mydata.title", d)
}

// pageRightsFile handles "POST /account/privacy/requests": a request of
// the person's own (a copy of their data, deregistration); a code goes to
// the account's phone to prove it is them.
func (s *Server) pageRightsFile(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	kind := rights.Kind(r.PostForm.Get("kind"))
	if kind != rights.Copy && kind != rights.Deregister {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "This page files copies and deregistrations. 此页面只受理复制和注销请求。"))
		return
	}
	req, err := s.Rights.File(r.Context(), a, kind, rights.Details{}, requestIDFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/privacy/requests/"+req.ID)
}

type requestData struct {
	Request *rights.Request
	Error   string
}

// pageRightsRequest handles "GET /account/privacy/requests/{id}": its
// state and deadline, the code to enter, and once served its answer.
func (s *Server) pageRightsRequest(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	req, err := s.Rights.Get(r.Context(), a, r.PathValue("id"), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "request", "request.title", requestData{Request: req})
}

// pageRightsVerify handles "POST /account/privacy/requests/{id}/verify":
// the code from the text. A copy is then ready; a deregistration erases
// the account, and the browser is signed out.
func (s *Server) pageRightsVerify(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	id := r.PathValue("id")
	req, err := s.Rights.Verify(r.Context(), a, id, r.PostForm.Get("code"))
	if err != nil {
		s.refused(w, r, err, func(status int, msg string) {
			current, gerr := s.Rights.Get(r.Context(), a, id, "")
			if gerr != nil {
				s.pageError(w, r, gerr)
				return
			}
			s.render(w, r, status, "request", "request.title", requestData{Request: current, Error: msg})
		})
		return
	}
	if req.Kind == rights.Deregister && req.State == rights.Answered {
		s.clearSession(w)
		s.render(w, r, nethttp.StatusOK, "deregistered", "deregistered.title", nil)
		return
	}
	seeOther(w, r, "/account/privacy/requests/"+id)
}

// exportStyle lets the readable export page's own style in, by its hash:
// the page is rights.WritePage's, shared with the API.
var exportStyle = func() string {
	var b bytes.Buffer
	rights.WritePage(&b, &rights.Export{})
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindSubmatch(b.Bytes())
	if m == nil {
		return ""
	}
	sum := sha256.Sum256(m[1])
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// pageRightsExport handles "GET /account/privacy/requests/{id}/export": a
// copy of the person's data, JSON to download (portability) or, with
// ?format=html, a page to read.
func (s *Server) pageRightsExport(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	e, err := s.Rights.Export(r.Context(), a, r.PathValue("id"), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "html" {
		var buf bytes.Buffer
		if err := rights.WritePage(&buf, e); err != nil {
			s.pageError(w, r, err)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+exportStyle+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="minimall-export-`+e.RequestID+`.json"`)
	writeJSON(w, nethttp.StatusOK, e)
}

type deregisterData struct {
	Pending []rights.Pending
}

// pageDeregister handles "GET /account/deregister": the conditions first
// (what must finish before an account can go), then the request.
func (s *Server) pageDeregister(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	left, err := s.Rights.Conditions(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "deregister", "deregister.title", deregisterData{Pending: left})
}

type correctData struct {
	Fields []correctField
	Error  string
}

type correctField struct {
	Field      privacy.Field
	Name, Seen string // the name, and the value sent (after a refusal)
}

// correctable lists the fields this page corrects: the member name and
// the profile, which a person may correct themselves. The password and the
// bound phone number have flows of their own (a code to the new number).
func correctable() []privacy.Field {
	var out []privacy.Field
	for _, f := range privacy.Fields() {
		if f.PersonMayEdit && (f.Field == privacy.MemberName || f.Table == "profiles") {
			out = append(out, f.Field)
		}
	}
	return out
}

// pageCorrect handles "GET /account/correct": the fields a person may
// correct (四(二) 更正、补充), each with a box for the new value.
func (s *Server) pageCorrect(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, ok := s.signedInPage(w, r); !ok {
		return
	}
	s.render(w, r, nethttp.StatusOK, "correct", "correct.title", s.correctData(r, nil))
}

func (s *Server) correctData(r *nethttp.Request, sent map[privacy.Field]string) *correctData {
	d := &correctData{}
	for _, f := range correctable() {
		spec, _ := privacy.Spec(f)
		name := spec.Name
		if langOf(r) == en {
			name = spec.NameEN
		}
		d.Fields = append(d.Fields, correctField{Field: f, Name: name, Seen: sent[f]})
	}
	return d
}

// pageCorrectPost handles "POST /account/correct": the boxes filled in
// become a correction request; a texted code proves it is the person, and
// the correction is then made at once.
func (s *Server) pageCorrectPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	sent := map[privacy.Field]string{}
	for _, f := range correctable() {
		if v := r.PostForm.Get(string(f)); v != "" {
			sent[f] = v
		}
	}
	req, err := s.Rights.File(r.Context(), a, rights.Correct, rights.Details{Corrections: sent}, requestIDFrom(r.Context()))
	if err != nil {
		d := s.correctData(r, sent)
		s.formError(w, r, err, "correct", "correct.title", d, &d.Error)
		return
	}
	seeOther(w, r, "/account/privacy/requests/"+req.ID)
}
