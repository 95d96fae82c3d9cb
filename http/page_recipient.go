package http

import (
	nethttp "net/http"

	"minimall/account"
	"minimall/privacy"
	"minimall/rights"
)

// registerRecipientPages registers the page of a person an order named as
// its recipient, who has no account (四): they prove they hold the phone
// with a texted code, then see, correct or delete what minimall holds
// about them. The phone travels in forms only, never in an address.
func (s *Server) registerRecipientPages() {
	if s.Rights == nil || s.Accounts == nil {
		return
	}
	s.handlePage("GET /recipient", s.pageRecipient)
	s.handlePage("POST /recipient/code", s.pageRecipientCode)
	s.handlePage("POST /recipient", s.pageRecipientPost)
}

type recipientData struct {
	Step   int // 1: the phone; 2: the code and what to do; 3: the answer
	Phone  string
	Action string
	Answer *rights.RecipientAnswer
	Error  string
}

// pageRecipient handles "GET /recipient".
func (s *Server) pageRecipient(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "recipient", "recipient.title", recipientData{Step: 1})
}

// pageRecipientCode handles "POST /recipient/code": a code to the phone,
// then the choice of what to do.
func (s *Server) pageRecipientCode(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	d := recipientData{Step: 2, Phone: r.PostForm.Get("phone")}
	_, err := s.Accounts.SendCode(r.Context(), account.CodeRequest{Phone: d.Phone, Purpose: account.CodeRecipient}, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "recipient", "recipient.title", recipientData{Step: 1, Phone: d.Phone}, &d.Error)
		return
	}
	s.render(w, r, nethttp.StatusOK, "recipient", "recipient.title", d)
}

// pageRecipientPost handles "POST /recipient": the request, answered at
// once (access, deletion, or one order's correction).
func (s *Server) pageRecipientPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	d := recipientData{Step: 2, Phone: f.Get("phone"), Action: f.Get("action")}
	req := rights.RecipientRequest{Phone: d.Phone, Code: f.Get("code"), Action: d.Action, Order: f.Get("order")}
	if d.Action == "correct" {
		req.Corrections = map[privacy.Field]string{}
		for _, field := range []privacy.Field{privacy.RecipientName, privacy.RecipientAddress} {
			if v := f.Get(string(field)); v != "" {
				req.Corrections[field] = v
			}
		}
	}
	out, err := s.Rights.FileRecipient(r.Context(), req, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "recipient", "recipient.title", &d, &d.Error)
		return
	}
	d.Step, d.Answer = 3, out
	s.render(w, r, nethttp.StatusOK, "recipient", "recipient.title", d)
}
