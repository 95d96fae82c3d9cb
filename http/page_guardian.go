package http

import (
	"bytes"
	nethttp "net/http"
	"sort"

	"minimall"
	"minimall/account"
	"minimall/rights"
)

// registerGuardianPages registers the page where the guardian of a child
// under 14 exercises the child's rights (七): the guardian token and the
// phone recorded at consent, a texted code, then a readable copy, a copy
// to download, or the deletion of the child's data, through the same
// rights queue as the person's own requests.
func (s *Server) registerGuardianPages() {
	if s.Rights == nil || s.Accounts == nil {
		return
	}
	s.handlePage("GET /guardian", s.pageGuardian)
	s.handlePage("POST /guardian/code", s.pageGuardianCode)
	s.handlePage("POST /guardian", s.pageGuardianPost)
}

type guardianData struct {
	Step         int // 1: token and phone; 2: code and request; 3: answered
	Token, Phone string
	Grounds      []groundOption
	Answer       *rights.Request
	Error        string
}

// groundOption is a ground for deletion (四(三)) with its "中文 / English" text.
type groundOption struct{ Key, Text string }

func groundKeys() []groundOption {
	out := make([]groundOption, 0, len(rights.Grounds))
	for k, text := range rights.Grounds {
		out = append(out, groundOption{k, text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// pageGuardian handles "GET /guardian".
func (s *Server) pageGuardian(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "guardian", "guardian.title", guardianData{Step: 1})
}

// pageGuardianCode handles "POST /guardian/code": a code to the phone,
// then the request.
func (s *Server) pageGuardianCode(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	d := guardianData{Step: 2, Token: r.PostForm.Get("guardian_token"), Phone: r.PostForm.Get("guardian_phone"), Grounds: groundKeys()}
	_, err := s.Accounts.SendCode(r.Context(), account.CodeRequest{Phone: d.Phone, Purpose: account.CodeGuardian}, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "guardian", "guardian.title", guardianData{Step: 1, Token: d.Token, Phone: d.Phone}, &d.Error)
		return
	}
	s.render(w, r, nethttp.StatusOK, "guardian", "guardian.title", d)
}

// pageGuardianPost handles "POST /guardian": the request, served at once.
// A copy comes back in the answer itself (a page to read, or JSON to
// download): the guardian has no account to come back to.
func (s *Server) pageGuardianPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	d := guardianData{Step: 2, Token: f.Get("guardian_token"), Phone: f.Get("guardian_phone"), Grounds: groundKeys()}
	req := rights.GuardianRequest{Token: d.Token, Phone: d.Phone, Code: f.Get("code"), Kind: rights.Kind(f.Get("kind"))}
	if req.Kind == rights.Delete {
		req.Details = rights.Details{All: true, Ground: f.Get("ground")}
	}
	out, err := s.Rights.FileGuardian(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "guardian", "guardian.title", &d, &d.Error)
		return
	}
	if req.Kind == rights.Access || req.Kind == rights.Copy {
		s.guardianCopy(w, r, out, req.Kind)
		return
	}
	d.Step, d.Answer = 3, out
	s.render(w, r, nethttp.StatusOK, "guardian", "guardian.title", d)
}

// guardianCopy answers the child's data: a page to read for access, JSON
// to download for a copy.
func (s *Server) guardianCopy(w nethttp.ResponseWriter, r *nethttp.Request, req *rights.Request, kind rights.Kind) {
	e, err := s.Rights.Export(r.Context(), minimall.Actor{Kind: minimall.Anonymous}, req.ID, req.Token)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if kind == rights.Copy {
		w.Header().Set("Content-Disposition", `attachment; filename="minimall-export-`+e.RequestID+`.json"`)
		writeJSON(w, nethttp.StatusOK, e)
		return
	}
	var buf bytes.Buffer
	if err := rights.WritePage(&buf, e); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+exportStyle+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
