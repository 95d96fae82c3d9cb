package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The page flows load the web pages as a browser does: HTML, the session
// in a cookie, a form token for a form. Their rates compare with
// baseline's in the same run.

// PageHome is the shop's home page for a visitor: the non-personalised
// feed, the hot list, the categories.
func PageHome() Flow {
	return Flow{Name: "page-home", Setup: visitor, Do: func(ctx context.Context, c *Client, _ any) error {
		return c.page(ctx, "GET", "/", "", nil, http.StatusOK)
	}}
}

// PageItem is an item's page, signed in (a session cookie), so a footprint
// is recorded as on the item flow.
func PageItem() Flow {
	return Flow{Name: "page-item", Setup: signedIn, Do: func(ctx context.Context, c *Client, st any) error {
		s := st.(*shopper)
		return c.page(ctx, "GET", "/items/"+url.PathEscape(pick(s.rnd, s.cat.items)), s.token, nil, http.StatusOK)
	}}
}

// pageSearcher is a signed-in shopper with the results addresses of the
// queries: the search form posts a query once, and the page it leads to
// (the query sealed into its address) is what the flow loads.
type pageSearcher struct {
	*shopper
	results []string
}

// PageSearch is a search results page, signed in, so the query goes into
// the person's history as on the search flow.
func PageSearch() Flow {
	return Flow{Name: "page-search",
		Setup: func(ctx context.Context, c *Client, w int) (any, error) {
			s, err := signIn(ctx, c, w)
			if err != nil {
				return nil, err
			}
			ps := &pageSearcher{shopper: s}
			for _, q := range Queries {
				loc, err := c.searchForm(ctx, s.token, q)
				if err != nil {
					return nil, err
				}
				ps.results = append(ps.results, loc)
			}
			return ps, nil
		},
		Do: func(ctx context.Context, c *Client, st any) error {
			s := st.(*pageSearcher)
			return c.page(ctx, "GET", pick(s.rnd, s.results), s.token, nil, http.StatusOK)
		}}
}

// page loads a page with the session token in the session cookie, as a
// browser sends it, and reads it whole.
func (c *Client) page(ctx context.Context, method, path, token string, form url.Values, want int) error {
	resp, err := c.pageResponse(ctx, method, path, token, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %w %d (want %d)", method, path, ErrStatus, resp.StatusCode, want)
	}
	return nil
}

const pageCSRF = "loadgen-form-token-00000" // the double-submit token this client keeps

func (c *Client) pageResponse(ctx context.Context, method, path, token string, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		form.Set("csrf", pageCSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return nil, err
	}
	cookie := "minimall_csrf=" + pageCSRF
	if token != "" {
		cookie += "; minimall_session=" + token
	}
	req.Header.Set("Cookie", cookie)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.Base)
	}
	return c.HTTP.Transport.RoundTrip(req) // redirects are answers here, not followed
}

// searchForm posts the search form and returns the results' address.
func (c *Client) searchForm(ctx context.Context, token, q string) (string, error) {
	resp, err := c.pageResponse(ctx, "POST", "/search", token, url.Values{"q": {q}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/search?") {
		return "", fmt.Errorf("search form: %w %d", ErrStatus, resp.StatusCode)
	}
	return loc, nil
}
