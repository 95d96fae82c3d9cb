package http

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	nethttp "net/http"
	"strconv"
	"time"

	"minimall"
	"minimall/account"
	"minimall/mobile"
	"minimall/privacy"
	"minimall/recommend"
)

// registerSessionPages registers signing in and out, the language switch,
// the stylesheet and the items' generated images.
func (s *Server) registerSessionPages() {
	static, _ := fs.Sub(htmlFiles, "html/static")
	s.handlePage("GET /static/{file}", nethttp.StripPrefix("/static/", nethttp.FileServerFS(static)).ServeHTTP)
	s.handlePage("GET /images/items/{id}", s.pageItemImage)
	s.handlePage("POST /lang", s.pageLang)
	s.handlePage("GET /cookies", s.pageCookies)
	s.handlePage("POST /cookies/choice", s.pageCookieChoice)
	s.handlePage("POST /cookies/switches", s.pageDeviceSwitches)
	if s.Accounts != nil {
		s.handlePage("GET /signin", s.pageSignIn)
		s.handlePage("POST /signin", s.pageSignInPost)
		s.handlePage("POST /signin/code", s.pageSignInCode)
		s.handlePage("POST /signout", s.pageSignOut)
	}
}

// pageLang handles "POST /lang": the language switch, kept in a necessary
// cookie for a year.
func (s *Server) pageLang(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	l, ok := parseLang(r.PostForm.Get("lang"))
	if !ok {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "Choose zh or en. 请选择 zh 或 en。"))
		return
	}
	s.setCookie(w, nethttp.Cookie{Name: langCookie, Value: l.Code(), MaxAge: seconds(langCookieLife)})
	seeOther(w, r, localPath(r.PostForm.Get("next")))
}

const langCookieLife = 365 * 24 * time.Hour

// cookieView is a declared cookie in the page's language.
type cookieView struct {
	Name, Purpose, Lifetime string
	Necessary               bool
}

// pageCookies handles "GET /cookies": every cookie the site may set, why,
// for how long, and whether it is necessary (the registry's list).
func (s *Server) pageCookies(w nethttp.ResponseWriter, r *nethttp.Request) {
	var list []cookieView
	for _, c := range privacy.Cookies() {
		v := cookieView{Name: c.Name, Purpose: c.Purpose, Lifetime: c.Lifetime, Necessary: c.Necessary}
		if langOf(r) == en {
			v.Purpose, v.Lifetime = c.PurposeEN, c.LifeEN
		}
		list = append(list, v)
	}
	d := cookiesData{Cookies: list, Choice: cookieChoice(r), Device: deviceSettings(r),
		Visitor: minimall.ActorFromContext(r.Context()).Kind != minimall.Shopper}
	s.render(w, r, nethttp.StatusOK, "cookies", "cookies.title", d)
}

type cookiesData struct {
	Cookies []cookieView
	Choice  string // yes, no, or "" before a choice
	// Device is a visitor's switches kept in the optional cookie.
	Device  *recommend.Settings
	Visitor bool
}

type signInData struct {
	Login string // kept after a failed attempt; never the password
	Phone string // the SMS sign-in's number, once a code was sent
	Next  string
	Error string
	// Throttled says that password tries must wait, and for how long;
	// CodePhone fills the code sign-in's number when the login was one.
	Throttled string
	CodePhone string
}

// pageSignIn handles "GET /signin".
func (s *Server) pageSignIn(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "signin", "signin.title", signInData{Next: localPath(r.URL.Query().Get("next"))})
}

// pageSignInPost handles "POST /signin": a web session, in the session
// cookie, for the member name or phone number and password.
func (s *Server) pageSignInPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	d := signInData{Login: r.PostForm.Get("login"), Phone: r.PostForm.Get("phone"), Next: localPath(r.PostForm.Get("next"))}
	req := account.LoginRequest{Login: d.Login, Password: r.PostForm.Get("password"), Kind: account.SessionWeb}
	if code := r.PostForm.Get("code"); code != "" {
		req = account.LoginRequest{Phone: d.Phone, Code: code, Kind: account.SessionWeb, RequestID: requestIDFrom(r.Context())}
	}
	sess, err := s.Accounts.Login(r.Context(), req, s.clientKey(r))
	if errors.Is(err, account.ErrThrottled) {
		s.pageSignInThrottled(w, r, &d, minimall.RetryAfter(err))
		return
	}
	if err != nil {
		s.formError(w, r, err, "signin", "signin.title", &d, &d.Error)
		return
	}
	s.setSession(w, sess)
	seeOther(w, r, d.Next)
}

// pageSignInThrottled shows the sign-in page while password tries wait:
// how long, in the page's language, and the code sign-in that needs no
// wait. The words are the same whether or not the account exists.
func (s *Server) pageSignInThrottled(w nethttp.ResponseWriter, r *nethttp.Request, d *signInData, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	d.Throttled = fmt.Sprintf(message("signin.throttled", langOf(r)), secs)
	if phone, err := mobile.Normalize(d.Login); err == nil {
		d.CodePhone = phone
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.render(w, r, nethttp.StatusTooManyRequests, "signin", "signin.title", d)
}

// pageSignInCode handles "POST /signin/code": a sign-in code texted to
// the phone, then the form for it.
func (s *Server) pageSignInCode(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	d := signInData{Phone: r.PostForm.Get("phone"), Next: localPath(r.PostForm.Get("next"))}
	if _, err := s.Accounts.SendCode(r.Context(), account.CodeRequest{Phone: d.Phone, Purpose: account.CodeLogin}, s.clientKey(r), requestIDFrom(r.Context())); err != nil {
		d.Phone = ""
		s.formError(w, r, err, "signin", "signin.title", &d, &d.Error)
		return
	}
	s.render(w, r, nethttp.StatusOK, "signin", "signin.title", d)
}

func (s *Server) setSession(w nethttp.ResponseWriter, sess *account.Session) {
	s.setCookie(w, nethttp.Cookie{Name: sessionCookie, Value: sess.Token, Expires: sess.ExpiresAt})
}

func (s *Server) clearSession(w nethttp.ResponseWriter) {
	s.setCookie(w, nethttp.Cookie{Name: sessionCookie, MaxAge: -1})
}

// pageSignOut handles "POST /signout": the session ends on the server, not
// only in the browser.
func (s *Server) pageSignOut(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	if a := minimall.ActorFromContext(r.Context()); a.Kind == minimall.Shopper {
		if err := s.Accounts.Revoke(r.Context(), a, a.ID); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.clearSession(w)
	seeOther(w, r, "/")
}

// pageItemImage handles "GET /images/items/{id}": the picture the seller
// uploaded (re-encoded, no metadata), or one drawn here from the item's id,
// so every page shows a picture from this site and none from a host that
// does not exist.
func (s *Server) pageItemImage(w nethttp.ResponseWriter, r *nethttp.Request) {
	id := r.PathValue("id")
	if !validItemID(id) {
		nethttp.NotFound(w, r)
		return
	}
	img, err := s.Catalog.ItemImage(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if img != nil {
		w.Header().Set("Content-Type", img.ContentType)
		w.Header().Set("Cache-Control", "public, max-age=300") // a new picture shows within minutes
		w.Write(img.Data)
		return
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	sum := h.Sum32()
	hue, hue2 := sum%360, (sum/360)%360
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240">`+
		`<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(%d,70%%,62%%)"/><stop offset="1" stop-color="hsl(%d,65%%,42%%)"/></linearGradient></defs>`+
		`<rect width="240" height="240" fill="url(#g)"/>`+
		`<circle cx="%d" cy="%d" r="%d" fill="rgba(255,255,255,0.35)"/>`+
		`<rect x="%d" y="%d" width="%d" height="%d" rx="12" fill="rgba(255,255,255,0.25)"/></svg>`,
		hue, hue2, 60+sum%120, 60+(sum>>8)%120, 30+(sum>>16)%40, 40+(sum>>4)%80, 120+(sum>>12)%60, 60+(sum>>20)%60, 40+(sum>>24)%40)
}

// validItemID accepts the shape of the catalogue's ids.
func validItemID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
