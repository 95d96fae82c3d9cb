package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Call sends one JSON request with an optional bearer token and extra
// headers (name, value pairs), and decodes the answer into out (if not
// nil). An answer other than want is an error carrying the status.
func (c *Client) Call(ctx context.Context, method, path, token string, body, out any, want int, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		// Read to the end, so the connection goes back to the pool: a
		// body left unread (a decoder stops before the final newline)
		// closes it, and the next request pays for a new one.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
	}()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %w %d (want %d): %s", method, path, ErrStatus, resp.StatusCode, want, b)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// callURL is Call for an absolute URL elsewhere (a sandbox partner's page).
func (c *Client) callURL(ctx context.Context, method, u string, out any, want int) error {
	other := Client{HTTP: c.HTTP}
	return other.Call(ctx, method, u, "", nil, out, want)
}
