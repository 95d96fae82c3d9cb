package http

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	nethttp "net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// The pages: server-rendered HTML from templates embedded in the binary,
// for shoppers, sellers and operators. They call the same area services
// as the JSON API; only the rendering differs. Every page works without
// JavaScript.

//go:embed html
var htmlFiles embed.FS

// pageTemplates holds, per language, one template per page: the layout
// and the page.
type pageTemplates [2]map[string]*template.Template

// parsePages parses html/layout.html with each html/page_*.html, once per
// language. The files are one set for both languages: a fixed message
// ({{.T "key"}}) is put in as text before parsing, so rendering a page
// calls nothing for it; a message chosen at render time ({{.T (print
// "status." .Status)}}) stays a call of view.T.
func parsePages() (pageTemplates, error) {
	names, err := fs.Glob(htmlFiles, "html/page_*.html")
	if err != nil {
		return pageTemplates{}, err
	}
	layout, err := htmlFiles.ReadFile("html/layout.html")
	if err != nil {
		return pageTemplates{}, err
	}
	var out pageTemplates
	for _, l := range []lang{zh, en} {
		out[l] = map[string]*template.Template{}
		for _, name := range names {
			page, err := htmlFiles.ReadFile(name)
			if err != nil {
				return pageTemplates{}, err
			}
			t := template.New("layout.html").Funcs(pageFuncs).Funcs(langFuncs(l))
			if _, err := t.Parse(translate(string(layout), l)); err != nil {
				return pageTemplates{}, fmt.Errorf("layout.html: %w", err)
			}
			if _, err := t.New(name).Parse(translate(string(page), l)); err != nil {
				return pageTemplates{}, fmt.Errorf("%s: %w", name, err)
			}
			out[l][strings.TrimSuffix(strings.TrimPrefix(name, "html/page_"), ".html")] = t
		}
	}
	return out, nil
}

// fixedMessage matches a message a template names by a constant key.
var fixedMessage = regexp.MustCompile(`\{\{\s*\$?\.T "([^"]+)"\s*\}\}`)

// translate puts the fixed messages of a template's text in as escaped
// text of language l.
func translate(text string, l lang) string {
	return fixedMessage.ReplaceAllStringFunc(text, func(m string) string {
		return html.EscapeString(message(fixedMessage.FindStringSubmatch(m)[1], l))
	})
}

var pageFuncs = template.FuncMap{
	"yuan":   yuan,
	"minus1": func(n int) int { return n - 1 },
}

// langFuncs are the template functions whose answer depends on the
// page's language.
func langFuncs(l lang) template.FuncMap {
	return template.FuncMap{
		// pick returns the text in the page's language of a pair.
		"pick": func(zhText, enText string) string {
			if l == en {
				return enText
			}
			return zhText
		},
		// side returns the page's side of "中文 / English".
		"side": func(s string) string {
			zhPart, enPart, ok := strings.Cut(s, " / ")
			switch {
			case !ok:
				return s
			case l == en:
				return enPart
			}
			return zhPart
		},
		// field names a registry field, e.g. "收货人电话" or "recipient's phone".
		"field": func(f string) string {
			spec, ok := privacy.Spec(privacy.Field(f))
			switch {
			case !ok:
				return f
			case l == en && spec.NameEN != "":
				return spec.NameEN
			}
			return spec.Name
		},
	}
}

// yuan formats a price in fen as yuan with two decimals.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	cents := strconv.FormatInt(100+fen%100, 10)[1:] // two digits
	return sign + "¥" + strconv.FormatInt(fen/100, 10) + "." + cents
}

// view is what every page template sees: the language, the signed-in
// person (only whether there is one), the form token and the page's own
// data in Data.
type view struct {
	Lang     lang
	Title    string
	SignedIn bool
	Operator bool // an operator in the console
	CSRF     string
	Path     string // the page's path, for the language switch; never a query
	Data     any
	// PolicyNotice is set while a signed-in person has not accepted the
	// policy after a major change: every page shows the banner.
	PolicyNotice *policy.Notice
	// Header is the page's header, the same on every page but for the
	// form token and the path (headers).
	Header template.HTML
	// CookieQuestion: a visitor who has not answered about the optional
	// cookie is asked, on every page, until they answer.
	CookieQuestion bool
}

// headers holds each language's header for a visitor, a signed-in person
// and an operator, rendered once with markers where the form token and
// the page's path go: every page has it, and filling in two strings costs
// less than rendering it.
type headers [2][3]string

// Who a header is for.
const (
	forVisitor = iota
	forShopper
	forOperator
)

const (
	csrfMarker = "CSRFMARKERCSRFMARKER0000" // the shape of a form token
	pathMarker = "/PATHMARKER"
)

func (s *Server) renderHeaders() error {
	for _, l := range []lang{zh, en} {
		for who := forVisitor; who <= forOperator; who++ {
			var b strings.Builder
			v := &view{Lang: l, SignedIn: who == forShopper, Operator: who == forOperator, CSRF: csrfMarker, Path: pathMarker}
			if err := s.pages[l]["error"].ExecuteTemplate(&b, "header", v); err != nil {
				return err
			}
			s.headers[l][who] = b.String()
		}
	}
	return nil
}

// header returns the header for a page: the language's, with the form
// token and the page's path (escaped for the attribute it goes in).
func (s *Server) header(l lang, who int, csrf, path string) template.HTML {
	h := s.headers[l][who]
	h = strings.ReplaceAll(h, csrfMarker, csrf)
	return template.HTML(strings.Replace(h, pathMarker, html.EscapeString(path), 1))
}

// T returns the message key in the page's language.
func (v *view) T(key string) string { return message(key, v.Lang) }

// render writes page name with data, or an error page if it fails to
// render (nothing is sent before the whole page is ready).
func (s *Server) render(w nethttp.ResponseWriter, r *nethttp.Request, status int, name, titleKey string, data any) {
	v := s.newView(w, r, titleKey, data)
	t := s.pages[v.Lang][name]
	var buf bytes.Buffer
	if t == nil {
		s.Logger.Error("page template missing", "page", name)
		nethttp.Error(w, "page missing", nethttp.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, v); err != nil {
		s.Logger.Error("page render", "page", name, "request_id", requestIDFrom(r.Context()), "err", err)
		nethttp.Error(w, "page failed", nethttp.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang.Tag())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) newView(w nethttp.ResponseWriter, r *nethttp.Request, titleKey string, data any) *view {
	l := langOf(r)
	v := &view{
		Lang:         l,
		Title:        message(titleKey, l),
		SignedIn:     minimall.ActorFromContext(r.Context()).Kind == minimall.Shopper,
		CSRF:         s.csrfToken(w, r),
		Path:         r.URL.Path,
		Data:         data,
		PolicyNotice: s.policyNotice(r),
	}
	who, kind := forVisitor, minimall.ActorFromContext(r.Context()).Kind
	switch kind {
	case minimall.Shopper:
		who = forShopper
	case minimall.Operator:
		who = forOperator
	}
	v.Header = s.header(l, who, v.CSRF, v.Path)
	v.CookieQuestion = kind == minimall.Anonymous && cookieChoice(r) == ""
	return v
}

// pageError renders an error as a page: its message in the page's
// language, the status its code maps to, the request id to quote.
func (s *Server) pageError(w nethttp.ResponseWriter, r *nethttp.Request, err error) {
	code := minimall.ErrorCode(err)
	status := statuses[code]
	if code == minimall.Internal {
		s.Logger.Error("internal error", "request_id", requestIDFrom(r.Context()), "route", routeFrom(r.Context()), "err", err)
	}
	msg := localize(minimall.ErrorMessage(err), langOf(r))
	if code == minimall.Internal {
		msg = message("error.internal", langOf(r))
	}
	if code == minimall.TooMany {
		w.Header().Set("Retry-After", retryAfter(err))
	}
	s.render(w, r, status, "error", "error.title", struct {
		Status    int
		Message   string
		RequestID string
	}{status, msg, requestIDFrom(r.Context())})
}

// registerPages parses the templates and registers the pages of the
// areas the server has.
func (s *Server) registerPages() {
	pages, err := parsePages()
	if err != nil {
		panic(err) // the templates are built in: a test catches this first
	}
	s.pages, s.queryKey = pages, newQueryKey()
	if err := s.renderHeaders(); err != nil {
		panic(err)
	}
	s.registerSessionPages()
	if s.Catalog != nil {
		s.registerShopPages()
	}
	if s.Accounts != nil && s.Kernel != nil {
		s.registerSignUpPages()
		s.registerPrivacyPages()
		s.registerInterestPages()
		s.registerPickupPages()
		s.registerRecipientPages()
		s.registerGuardianPages()
		s.registerHistoryPages()
		if s.Rights != nil {
			s.registerRightsPages()
		}
		if s.Decisions != nil {
			s.registerDecisionPages()
		}
		if s.Security != nil {
			s.registerSecurityPages()
		}
		if s.AddressBook != nil {
			s.registerAddressPages()
		}
		if s.OAuth != nil {
			s.registerAppPages()
		}
	}
	if s.Carts != nil && s.Catalog != nil {
		s.registerOrderPages()
	}
	if s.Catalog != nil && s.Accounts != nil {
		s.registerSellerPages()
	}
	if s.Operators != nil {
		s.registerConsolePages()
	}
	if s.Policy != nil && s.Kernel != nil {
		s.registerPolicyPages()
	}
}

// refused answers an action the area refused: the error page for an
// internal error, else show, given the status and the refusal in the
// page's language (the form or page again, saying why).
func (s *Server) refused(w nethttp.ResponseWriter, r *nethttp.Request, err error, show func(status int, msg string)) {
	code := minimall.ErrorCode(err)
	if code == minimall.Internal {
		s.pageError(w, r, err)
		return
	}
	if code == minimall.TooMany {
		w.Header().Set("Retry-After", retryAfter(err))
	}
	show(statuses[code], localize(minimall.ErrorMessage(err), langOf(r)))
}

// formError shows a refused form again with the refusal in *msg, a field
// of data.
func (s *Server) formError(w nethttp.ResponseWriter, r *nethttp.Request, err error, page, titleKey string, data any, msg *string) {
	s.refused(w, r, err, func(status int, m string) {
		*msg = m
		s.render(w, r, status, page, titleKey, data)
	})
}

// handlePage registers a page route: like handle, but not part of the
// API's routes (PageRoutes lists them) and served with the pages'
// security headers.
func (s *Server) handlePage(pattern string, h nethttp.HandlerFunc) {
	s.pageRoutes = append(s.pageRoutes, pattern)
	s.mux.Handle(pattern, observed(pattern, s.pageHeaders(h)))
}

// PageRoutes lists the registered page routes.
func (s *Server) PageRoutes() []string { return s.pageRoutes }

// contentSecurityPolicy allows only this site's own styles, scripts,
// images and forms, and no framing: no inline script, no other host. A
// form may lead to the payment institution's cashier (the pay button's
// answer is a redirect there, which form-action governs too).
func contentSecurityPolicy(formOrigins []string) string {
	action := "'self'"
	for _, o := range formOrigins {
		action += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"form-action " + action + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
}

// pageHeaders sets the security headers every page carries.
func (s *Server) pageHeaders(next nethttp.Handler) nethttp.Handler {
	csp, tls := contentSecurityPolicy(s.FormOrigins), s.TLSCert != ""
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin") // not no-referrer: with it a browser sends "Origin: null" on its own forms
		h.Set("X-Frame-Options", "DENY")
		if tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// csrfCookie holds the form token: a necessary cookie, random per browser,
// that every state-changing form repeats in a hidden field (the
// double-submit pattern). A site that cannot read the cookie cannot fill
// in the field.
const csrfCookie = "minimall_csrf"

// setCookie sets one of the site's cookies: HttpOnly always, Secure under
// TLS, path "/" and SameSite=Lax unless c says otherwise. A MaxAge below
// zero deletes it. The name must be declared (privacy/cookies.go).
func (s *Server) setCookie(w nethttp.ResponseWriter, c nethttp.Cookie) {
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 {
		c.SameSite = nethttp.SameSiteLaxMode
	}
	c.HttpOnly, c.Secure = true, s.TLS()
	nethttp.SetCookie(w, &c)
}

// seconds turns a cookie's life into its Max-Age.
func seconds(d time.Duration) int { return int(d / time.Second) }

// csrfToken returns the browser's form token, setting one if it has none.
func (s *Server) csrfToken(w nethttp.ResponseWriter, r *nethttp.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && validCSRF(c.Value) {
		return c.Value
	}
	var b [18]byte
	rand.Read(b[:])
	t := base64.RawURLEncoding.EncodeToString(b[:])
	s.setCookie(w, nethttp.Cookie{Name: csrfCookie, Value: t})
	return t
}

func validCSRF(t string) bool {
	return len(t) == 24 && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}

// checkForm parses a posted form and checks its token; it answers the
// refusal itself and reports false when the form must not be acted on.
func (s *Server) checkForm(w nethttp.ResponseWriter, r *nethttp.Request) bool {
	parse := r.ParseForm
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		parse = func() error { return r.ParseMultipartForm(maxUpload) }
	}
	if err := parse(); err != nil {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "The form could not be read. 表单无法读取。"))
		return false
	}
	c, err := r.Cookie(csrfCookie)
	sent := r.PostForm.Get("csrf")
	if err != nil || !validCSRF(c.Value) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(sent)) != 1 {
		s.pageError(w, r, minimall.Errorf(minimall.Denied, "", "This form has expired or came from another site; please try again. 表单已过期或来自其他网站，请重试。"))
		return false
	}
	return true
}

// seeOther redirects after a form, so reloading the page repeats nothing.
func seeOther(w nethttp.ResponseWriter, r *nethttp.Request, path string) {
	nethttp.Redirect(w, r, path, nethttp.StatusSeeOther)
}

// localPath returns p if it is a path on this site, else "/": a "next"
// parameter must not send anyone elsewhere. Control characters are
// refused, not just CR and LF: browsers drop tabs and newlines from a URL,
// so "/\t/evil.example" would reach them as "//evil.example".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsFunc(p, isControl) {
		return "/"
	}
	return p
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
