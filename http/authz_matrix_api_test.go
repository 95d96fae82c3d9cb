package http_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// caller is one kind of person asking: the owner of the resources,
// another shopper, a visitor, a signed-out session, a forged token, or an
// operator of a role with or without a stated reason.
type caller struct {
	name   string
	role   minimall.Role // operators only
	reason bool          // operators: X-Access-Reason (API) or the ticket cookie (console)
}

var (
	ownerCaller   = caller{name: "owner"}
	otherCaller   = caller{name: "other"}
	visitorCaller = caller{name: "visitor"}
	revokedCaller = caller{name: "revoked"}
	forgedCaller  = caller{name: "forged"}
)

// callers lists everyone the matrix asks as, the owner last: the owner's
// writes change the fixtures.
func callers() []caller {
	out := []caller{otherCaller, visitorCaller, revokedCaller, forgedCaller}
	for _, role := range minimall.Roles {
		out = append(out, caller{name: string(role), role: role, reason: true}, caller{name: string(role) + "-no-reason", role: role})
	}
	return append(out, ownerCaller)
}

// answer is what the matrix records of one request.
type answer struct {
	status int
	code   string // the problem's code, when the answer is a problem
}

// formToken is a well-formed CSRF token: every page form is sent with it
// in the cookie and the field, so a refusal is about who asks.
const formToken = "authzmatrixformtoken0123"

// noRedirect keeps a page's redirect as the answer.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// ask sends method path as c: API routes with a bearer token and an empty
// JSON object, pages with the session cookie and a form carrying the
// form token.
func (w *authzWorld) ask(t *testing.T, e *testenv.Env, c caller, method, path, jsonBody string) answer {
	t.Helper()
	page := !strings.HasPrefix(path, "/api/") && path != "/healthz" && path != "/metrics"
	var body io.Reader
	contentType := "application/json"
	if method != "GET" && method != "DELETE" {
		body = strings.NewReader(cmp.Or(jsonBody, "{}"))
		if page {
			contentType = "application/x-www-form-urlencoded"
			form := url.Values{"csrf": {formToken}}
			if c.role != "" && c.reason {
				form.Set("ticket", "TICKET-7") // a console action names its ticket
			}
			body = strings.NewReader(form.Encode())
			if strings.HasSuffix(path, "/picture") {
				body, contentType = pictureForm(t, form)
			}
		}
	}
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	token := w.token(c)
	switch {
	case page:
		req.AddCookie(&http.Cookie{Name: "minimall_csrf", Value: formToken})
		if token != "" {
			req.AddCookie(&http.Cookie{Name: "minimall_session", Value: token})
		}
		if c.role != "" && c.reason {
			req.AddCookie(&http.Cookie{Name: "minimall_ticket", Value: "TICKET-7"})
		}
	case token != "":
		req.Header.Set("Authorization", "Bearer "+token)
		if c.role != "" && c.reason {
			req.Header.Set("X-Access-Reason", "TICKET-7")
		}
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		var p struct{ Code string }
		json.Unmarshal(b, &p)
		a.code = p.Code
	}
	return a
}

// pictureForm returns form as a multipart upload with a one-pixel PNG,
// so an upload is refused for who sends it, not for what.
func pictureForm(t *testing.T, form url.Values) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k := range form {
		mw.WriteField(k, form.Get(k))
	}
	fw, err := mw.CreateFormFile("picture", "pixel.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(fw, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// token returns the credential c presents, "" for a visitor.
func (w *authzWorld) token(c caller) string {
	switch {
	case c.role != "":
		return w.operators[c.role]
	case c == ownerCaller:
		return w.owner.Token
	case c == otherCaller:
		return w.other.Token
	case c == revokedCaller:
		return w.revoked
	case c == forgedCaller:
		return "mms_forgedforgedforgedforged00"
	}
	return ""
}

// pathOf fills route's pattern with the owner's fixture, or with an id
// of the same shape that names nothing when missing is set.
func (w *authzWorld) pathOf(t *testing.T, route string, r row, missing bool) (method, path string) {
	method, path, _ = strings.Cut(route, " ")
	path = strings.TrimSuffix(path, "{$}")
	if r.fixture == "" {
		return method, path
	}
	id, ok := w.ids[r.fixture]
	if !ok {
		t.Fatalf("%s: no fixture %q", route, r.fixture)
	}
	if missing {
		id = missingID(id)
	}
	for _, v := range []string{"{id}", "{n}", "{file}", "{category}"} {
		path = strings.Replace(path, v, url.PathEscape(id), 1)
	}
	return method, path
}

// missingID returns an id shaped like id that names nothing.
func missingID(id string) string {
	if _, err := strconv.Atoi(id); err == nil {
		return "9" + id + "9"
	}
	b := []byte(id)
	for i := len(b) - 1; i >= 0 && i >= len(b)-4; i-- {
		switch {
		case b[i] >= 'a' && b[i] <= 'y', b[i] >= '0' && b[i] <= '8':
			b[i]++
		case b[i] == 'z':
			b[i] = 'a'
		case b[i] == '9':
			b[i] = '0'
		}
	}
	return string(b)
}

// lastRoutes end a session, lock an account or act on the whole platform:
// they are asked after every other route, in this order, each caller with
// a fresh session.
var lastRoutes = []string{
	"DELETE /api/v1/sessions/current", "POST /signout", "POST /console/signout",
	"POST /api/v1/ops/shutdown", "POST /api/v1/security/lock", "POST /account/security/lock",
}

// asked is one route's answers: per caller, for the owner's id and for
// an id that names nothing.
type asked struct {
	real, missing map[string]answer
	used          map[string]bool // the fixture was used up before the caller asked
}

// askAll asks every route as every caller: all other callers first, then
// the owner reading, then the owner writing, then the last routes.
func (w *authzWorld) askAll(t *testing.T, e *testenv.Env, routes []string) map[string]*asked {
	t.Helper()
	out := map[string]*asked{}
	once := func(route string, c caller) {
		r := matrix[route]
		a := out[route]
		if a == nil {
			a = &asked{real: map[string]answer{}, missing: map[string]answer{}, used: map[string]bool{}}
			out[route] = a
		}
		m, p := w.pathOf(t, route, r, false)
		got := w.ask(t, e, c, m, p, r.body)
		a.real[c.name], a.used[c.name] = got, w.used[r.fixture]
		if m != "GET" && (c == ownerCaller || c.role != "" && c.reason) && (got.status < 300 || got.status == http.StatusSeeOther) {
			w.used[r.fixture], w.used[r.uses] = true, true
		}
		if r.fixture != "" {
			m, p = w.pathOf(t, route, r, true)
			a.missing[c.name] = w.ask(t, e, c, m, p, r.body)
		}
	}
	var main []string
	for _, route := range routes {
		if _, ok := matrix[route]; ok && !slices.Contains(lastRoutes, route) {
			main = append(main, route)
		}
	}
	cs := callers()
	for _, route := range main {
		for _, c := range cs[:len(cs)-1] {
			once(route, c)
		}
	}
	slices.SortStableFunc(main, func(a, b string) int {
		return boolInt(!strings.HasPrefix(a, "GET ")) - boolInt(!strings.HasPrefix(b, "GET "))
	})
	for _, route := range main {
		once(route, ownerCaller)
	}
	for _, route := range lastRoutes {
		if !slices.Contains(routes, route) {
			continue
		}
		for _, c := range cs {
			signIn(t, e, w.owner)
			signIn(t, e, w.other)
			once(route, c)
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAPIAuthorizationMatrix (五(三)1, PIPL art. 51): every route the
// server registers, API and pages, asked as the owner, another shopper, a
// visitor, a signed-out session, a forged token and each operator role
// with and without a stated reason, answers as its row in matrix says;
// someone else's thing answers exactly as a thing that does not exist; a
// route without a row fails.
func TestAPIAuthorizationMatrix(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		w := newAuthzWorld(t, e, st)
		routes := append(append([]string{}, e.Server.Routes()...), e.Server.PageRoutes()...)
		for _, route := range routes {
			if _, ok := matrix[route]; !ok {
				t.Errorf("route %s has no row in the authorization matrix", route)
			}
		}
		for route := range matrix {
			if !slices.Contains(routes, route) {
				t.Errorf("the matrix lists %s, which the server does not register", route)
			}
		}
		got := w.askAll(t, e, routes)
		n := 0
		for _, route := range routes {
			if got[route] == nil {
				continue
			}
			for _, c := range callers() {
				n++
				checkAnswer(t, route, c, got[route])
			}
		}
		t.Logf("authorization matrix: %d routes × %d callers = %d answers", len(routes), len(callers()), n)
	})
}

// checkAnswer compares one answer with its row.
func checkAnswer(t *testing.T, route string, c caller, a *asked) {
	t.Helper()
	r := matrix[route]
	real, missing := a.real[c.name], a.missing[c.name]
	want := r.want(route, c)
	switch {
	case real.status >= 500:
		t.Errorf("%s as %s: %d", route, c.name, real.status)
	case want == allowed && real.status == http.StatusNotFound && a.used[c.name]:
	case want == allowed && (real.status == 401 || real.status == 403 || real.status == 404):
		t.Errorf("%s as %s: refused with %d %s, want allowed", route, c.name, real.status, real.code)
	case want == hidden && (real != missing || real.status != http.StatusNotFound):
		t.Errorf("%s as %s: %d %s for the owner's thing, %d %s for none: want the same 404", route, c.name, real.status, real.code, missing.status, missing.code)
	case want > 0 && real.status != want:
		t.Errorf("%s as %s: %d %s, want %d", route, c.name, real.status, real.code, want)
	}
	// A refusal never tells whether someone else's thing exists.
	if r.fixture != "" && want != allowed && want != hidden && r.class != "public" && r.class != "page" && r.class != "seller" && real != missing {
		t.Errorf("%s as %s: %d %s for the owner's thing but %d %s for none", route, c.name, real.status, real.code, missing.status, missing.code)
	}
}
