package http

import (
	nethttp "net/http"
	"strconv"

	"minimall/account"
)

// registerSignUpPages registers sign-up: phone, then the code with a
// member name and password. Accepting the policy is the one act sign-up
// asks for; every additional function is a separate choice afterwards,
// off until the person turns it on (policy 二, 四(四)).
func (s *Server) registerSignUpPages() {
	s.handlePage("GET /register", s.pageRegister)
	s.handlePage("POST /register/code", s.pageRegisterCode)
	s.handlePage("POST /register", s.pageRegisterPost)
}

type registerData struct {
	Step          int // 1: the phone; 2: the code, name and password
	Phone         string
	MemberName    string
	PolicyVersion int
	Error         string
	// GuardianToken is shown when a registration waits for a guardian.
	GuardianToken string
}

// pageRegister handles "GET /register".
func (s *Server) pageRegister(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "register", "register.title", registerData{Step: 1})
}

// pageRegisterCode handles "POST /register/code": a code by SMS to the
// phone number, then the second step.
func (s *Server) pageRegisterCode(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	d := registerData{Step: 2, Phone: r.PostForm.Get("phone"), PolicyVersion: s.Kernel.PolicyVersion()}
	_, err := s.Accounts.SendCode(r.Context(), account.CodeRequest{Phone: d.Phone, Purpose: account.CodeRegister}, s.clientKey(r), requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "register", "register.title", registerData{Step: 1, Phone: d.Phone}, &d.Error)
		return
	}
	s.render(w, r, nethttp.StatusOK, "register", "register.title", d)
}

// pageRegisterPost handles "POST /register": the account, and the person
// signed in.
func (s *Server) pageRegisterPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	d := registerData{Step: 2, Phone: f.Get("phone"), MemberName: f.Get("member_name"), PolicyVersion: s.Kernel.PolicyVersion()}
	if f.Get("accept_policy") != "yes" {
		d.Error = message("register.mustaccept", langOf(r))
		s.render(w, r, nethttp.StatusBadRequest, "register", "register.title", d)
		return
	}
	version := 0
	if f.Get("policy_version") == strconv.Itoa(d.PolicyVersion) {
		version = d.PolicyVersion // the version the page showed is the one accepted
	}
	a, sess, err := s.Accounts.RegisterAndSignIn(r.Context(), account.RegisterRequest{Phone: d.Phone, Code: f.Get("code"),
		MemberName: d.MemberName, Password: f.Get("password"), AcceptPolicyVersion: version, Under14: f.Get("under_14") == "yes"},
		account.SessionWeb, requestIDFrom(r.Context()))
	if err != nil {
		s.formError(w, r, err, "register", "register.title", d, &d.Error)
		return
	}
	if sess == nil {
		d.Step, d.GuardianToken = 3, a.GuardianToken
		s.render(w, r, nethttp.StatusAccepted, "register", "register.title", d)
		return
	}
	s.setSession(w, sess)
	seeOther(w, r, "/account/privacy")
}
