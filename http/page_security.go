package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/account"
	"minimall/security"
)

// registerSecurityPages registers the security centre (二(一)4, 二(九)):
// the sessions signed in and the devices seen, each removable; locking
// the account at once; a fraud report.
func (s *Server) registerSecurityPages() {
	s.handlePage("GET /account/security", s.pageSecurity)
	s.handlePage("POST /account/security/sessions/{id}/revoke", s.pageSessionRevoke)
	s.handlePage("POST /account/security/devices/{id}/remove", s.pageDeviceRemove)
	s.handlePage("POST /account/security/lock", s.pageAccountLock)
	s.handlePage("POST /account/security/fraud-reports", s.pageFraudReport)
}

type securityData struct {
	Sessions []account.Session
	Devices  []security.Device
	Reports  []security.FraudReport
	Error    string
}

// pageSecurity handles "GET /account/security".
func (s *Server) pageSecurity(w nethttp.ResponseWriter, r *nethttp.Request) {
	if _, ok := s.signedInPage(w, r); !ok {
		return
	}
	d, err := s.securityData(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "security", "security.title", d)
}

func (s *Server) securityData(r *nethttp.Request) (*securityData, error) {
	a := minimall.ActorFromContext(r.Context())
	var d securityData
	var err error
	if d.Sessions, err = s.Accounts.Sessions(r.Context(), a); err != nil {
		return nil, err
	}
	if d.Devices, err = s.Security.Devices(r.Context(), a); err != nil {
		return nil, err
	}
	if d.Reports, err = s.Security.FraudReports(r.Context(), a); err != nil {
		return nil, err
	}
	return &d, nil
}

// pageSessionRevoke handles "POST /account/security/sessions/{id}/revoke":
// a session ends (the current one signs this browser out).
func (s *Server) pageSessionRevoke(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := s.Accounts.Revoke(r.Context(), a, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	if id == a.ID {
		s.clearSession(w)
		seeOther(w, r, "/")
		return
	}
	seeOther(w, r, "/account/security")
}

// pageDeviceRemove handles "POST /account/security/devices/{id}/remove".
func (s *Server) pageDeviceRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.Security.RemoveDevice(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/security")
}

// pageAccountLock handles "POST /account/security/lock": the account is
// frozen at once (a lost phone, a stolen password); unlocking takes a code
// texted to the account's phone.
func (s *Server) pageAccountLock(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.Accounts.Lock(r.Context(), a); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.clearSession(w)
	s.render(w, r, nethttp.StatusOK, "locked", "security.locked", nil)
}

// pageFraudReport handles "POST /account/security/fraud-reports".
func (s *Server) pageFraudReport(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Security.ReportFraud(r.Context(), a, r.PostForm.Get("text")); err != nil {
		d, derr := s.securityData(r)
		if derr != nil {
			s.pageError(w, r, derr)
			return
		}
		s.formError(w, r, err, "security", "security.title", d, &d.Error)
		return
	}
	seeOther(w, r, "/account/security#reports")
}
