package http

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath: a "next" parameter becomes a path on this site as a
// browser reads it: browsers drop tabs and newlines from a URL and take a
// backslash for a slash, so "/\t/evil.example" is "//evil.example", another
// site. What localPath returns is the input or "/", and is left alone the
// second time.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/items/it_1?q=a", "//evil.example", "/\\evil.example", "https://evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\r\\evil.example", " //evil.example", "", "/%2F/evil.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		out := localPath(next)
		if out != next && out != "/" {
			t.Fatalf("localPath(%q) = %q", next, out)
		}
		if again := localPath(out); again != out {
			t.Fatalf("localPath(%q) = %q, then %q", next, out, again)
		}
		read := strings.ReplaceAll(strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, out), "\\", "/")
		u, err := url.Parse("https://minimall.example" + read)
		if !strings.HasPrefix(read, "/") || strings.HasPrefix(read, "//") || err == nil && u.Host != "minimall.example" {
			t.Fatalf("localPath(%q) = %q, which a browser reads as %q: another site", next, out, read)
		}
	})
}

// FuzzPageCookies: whatever Cookie header a browser sends, the page
// language is Chinese or English, the consent answer is yes, no or not
// given, and the recently viewed items are at most recentMax well-shaped
// ids from the cookie, read only with consent.
func FuzzPageCookies(f *testing.F) {
	f.Add("minimall_lang=en; minimall_cookie_choice=yes; minimall_recent=it_1.it_2..x y", "en-US,en;q=0.9")
	f.Add("minimall_lang=fr; minimall_cookie_choice=no; minimall_recent=it_1", "zh-CN")
	f.Add("minimall_cookie_choice=yes; minimall_recent="+strings.Repeat("a.", 40), "*;q=0")
	f.Add("minimall_lang=\"en\"; minimall_lang=zh", "en;q=abc")
	f.Fuzz(func(t *testing.T, cookies, acceptLanguage string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", cookies)
		r.Header.Set("Accept-Language", acceptLanguage)
		if l := langOf(r); l != zh && l != en {
			t.Fatalf("langOf = %d", l)
		}
		choice := cookieChoice(r)
		if choice != "" && choice != "yes" && choice != "no" {
			t.Fatalf("cookieChoice = %q", choice)
		}
		ids := recentItems(r)
		if len(ids) > recentMax || choice != "yes" && len(ids) > 0 {
			t.Fatalf("recentItems = %q with choice %q", ids, choice)
		}
		for _, id := range ids {
			if !validItemID(id) || !strings.Contains(cookies, id) {
				t.Fatalf("recentItems = %q from %q", ids, cookies)
			}
		}
	})
}
