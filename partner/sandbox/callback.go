package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"minimall/partner"
)

// callbackClient carries the partners' reports back to minimall.
var callbackClient = &http.Client{Timeout: 10 * time.Second, Transport: partner.KeepAliveTransport()}

// callBack POSTs v as JSON to the URL minimall gave, signed with this
// partner's own key in the X-Partner-* headers (the request form of the
// signature: timestamp, method, path, body), so minimall can tell the
// report is the partner's. It returns minimall's status.
func (s *Sandbox) callBack(to string, v any) (int, error) {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, fmt.Errorf("sandbox %s: bad callback URL", s.name)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, to, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts, nonce := partner.Timestamp(time.Now()), partner.NewNonce()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(partner.HeaderPartnerTimestamp, ts)
	req.Header.Set(partner.HeaderPartnerNonce, nonce)
	req.Header.Set(partner.HeaderPartnerSignature, partner.SignRequest(s.answerKey, ts, nonce, http.MethodPost, u.EscapedPath(), body))
	resp, err := callbackClient.Do(req)
	if err != nil {
		return 0, err
	}
	// Drained so the connection is kept for the next report.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// book is a partner's own state of its trades or waybills, by its number.
// It holds references and amounts, no personal information.
type book[T any] struct {
	mu sync.Mutex
	m  map[string]*T
}

func newBook[T any]() *book[T] { return &book[T]{m: map[string]*T{}} }

func (b *book[T]) put(id string, v *T) {
	b.mu.Lock()
	b.m[id] = v
	b.mu.Unlock()
}

// update runs fn on the entry under the lock; false if there is none.
func (b *book[T]) update(id string, fn func(*T)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[id]
	if ok {
		fn(v)
	}
	return ok
}

// decodeControl reads a test control's JSON body.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(v)
}
