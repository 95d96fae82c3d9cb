package partner_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
	"minimall/partner"
	"minimall/privacy"
)

var (
	ourKey     = []byte("minimall request key for tests..")
	partnerKey = []byte("partner answer key for tests....")
)

// fakePartner answers every request with status and body, signed with key
// at time at (no signature when key is nil).
func fakePartner(t *testing.T, status int, body string, key []byte, at time.Time) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key != nil {
			ts := partner.Timestamp(at)
			w.Header().Set(partner.HeaderPartnerTimestamp, ts)
			w.Header().Set(partner.HeaderPartnerSignature, partner.SignResponse(key, ts, r.Header.Get(partner.HeaderSignature), status, []byte(body)))
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAnswerChecked: an answer that is unsigned, forged, stale, not 2xx or
// not JSON is refused with Unavailable, and the disclosure is marked failed.
func TestAnswerChecked(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		w := newWorld(t, st)
		s := w.newSubject(t)
		cases := []struct {
			name   string
			status int
			body   string
			key    []byte
			at     time.Time
			cause  error
		}{
			{"OK", 200, `{"message_id":"m1"}`, partnerKey, time.Now(), nil},
			{"Unsigned", 200, `{"message_id":"m1"}`, nil, time.Now(), partner.ErrUnsigned},
			{"Forged", 200, `{"message_id":"m1"}`, []byte("someone else's key"), time.Now(), partner.ErrBadSignature},
			{"Stale", 200, `{"message_id":"m1"}`, partnerKey, time.Now().Add(-6 * time.Minute), partner.ErrStale},
			{"Status500", 500, `{"error":"boom"}`, partnerKey, time.Now(), nil},
			{"NotJSON", 200, `message sent`, partnerKey, time.Now(), nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				srv := fakePartner(t, c.status, c.body, c.key, c.at)
				gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: srv.URL, SignKey: ourKey, VerifyKey: partnerKey}}, nil)
				_, err := gw.Send(context.Background(), smsTo(s, "13912345678"))
				rs := rows(t, st)
				last := rs[len(rs)-1]
				if c.name == "OK" {
					if err != nil || last.status != partner.StatusSent {
						t.Fatalf("got %v, row %+v", err, last)
					}
					return
				}
				if !minimall.IsCode(err, minimall.Unavailable) || (c.cause != nil && !errors.Is(err, c.cause)) {
					t.Fatalf("got %v, want Unavailable (%v)", err, c.cause)
				}
				if last.status != partner.StatusFailed {
					t.Fatalf("row %+v, want failed", last)
				}
			})
		}
	})
}

// TestNoRedirect: a redirect is never followed, so personal information
// cannot be bounced to an address the registry never named.
func TestNoRedirect(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	w := newWorld(t, st)
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ts := partner.Timestamp(time.Now())
		rw.Header().Set("Location", elsewhere.URL+"/collect")
		rw.Header().Set(partner.HeaderPartnerTimestamp, ts)
		rw.Header().Set(partner.HeaderPartnerSignature, partner.SignResponse(partnerKey, ts, r.Header.Get(partner.HeaderSignature), http.StatusTemporaryRedirect, nil))
		rw.WriteHeader(http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: srv.URL, SignKey: ourKey, VerifyKey: partnerKey}}, http.DefaultClient)
	if _, err := gw.Send(context.Background(), smsTo(w.newSubject(t), "13912345678")); !minimall.IsCode(err, minimall.Unavailable) {
		t.Fatalf("got %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

// TestTimeout: the client's timeout bounds a call; the disclosure is
// marked failed even though the caller's wait is over.
func TestTimeout(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	w := newWorld(t, st)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: srv.URL, SignKey: ourKey, VerifyKey: partnerKey}}, &http.Client{Timeout: 100 * time.Millisecond})
	if _, err := gw.Send(context.Background(), smsTo(w.newSubject(t), "13912345678")); !minimall.IsCode(err, minimall.Unavailable) {
		t.Fatalf("got %v", err)
	}
	if rs := rows(t, st); rs[0].status != partner.StatusFailed {
		t.Fatalf("row %+v", rs[0])
	}
}

// TestSignedRequest: what the gateway sends verifies with the key the
// partner holds, over the exact path and body.
func TestSignedRequest(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	w := newWorld(t, st)
	verr := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := r.Header
		verr <- partner.VerifyRequest(ourKey, h.Get(partner.HeaderTimestamp), h.Get(partner.HeaderNonce), h.Get(partner.HeaderSignature), r.Method, r.URL.Path, body, time.Now())
		ts := partner.Timestamp(time.Now())
		rw.Header().Set(partner.HeaderPartnerTimestamp, ts)
		rw.Header().Set(partner.HeaderPartnerSignature, partner.SignResponse(partnerKey, ts, h.Get(partner.HeaderSignature), 200, []byte(`{}`)))
		rw.Write([]byte(`{}`))
	}))
	defer srv.Close()
	gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: srv.URL + "/v1/", SignKey: ourKey, VerifyKey: partnerKey}}, nil)
	if _, err := gw.Send(context.Background(), smsTo(w.newSubject(t), "13912345678")); err != nil {
		t.Fatal(err)
	}
	if err := <-verr; err != nil {
		t.Fatalf("partner could not verify the request: %v", err)
	}
}

// TestAnswerBoundToRequest (hardening): a partner's signed answer is good
// for the request it answers only. A partner (or anyone on the path) that
// plays back an answer signed for an earlier request — an identity match,
// a birth date — is refused, and nothing is taken from it.
func TestAnswerBoundToRequest(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	w := newWorld(t, st)
	var first string // the signature of the first request the partner saw
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if first == "" {
			first = r.Header.Get(partner.HeaderSignature)
		}
		ts := partner.Timestamp(time.Now())
		rw.Header().Set(partner.HeaderPartnerTimestamp, ts)
		rw.Header().Set(partner.HeaderPartnerSignature, partner.SignResponse(partnerKey, ts, first, 200, []byte(`{}`)))
		rw.Write([]byte(`{}`))
	}))
	defer srv.Close()
	gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: srv.URL, SignKey: ourKey, VerifyKey: partnerKey}}, nil)
	s := w.newSubject(t)
	if _, err := gw.Send(context.Background(), smsTo(s, "13912345678")); err != nil {
		t.Fatalf("the answer to its own request: %v", err)
	}
	if _, err := gw.Send(context.Background(), smsTo(s, "13912345678")); minimall.ErrorCode(err) != minimall.Unavailable {
		t.Fatalf("an answer signed for another request was taken: %v", err)
	}
}

// TestPlainHTTPOnlyToThisMachine: a partner reached over a network is
// reached over TLS; plain http is for the sandboxes on this machine.
func TestPlainHTTPOnlyToThisMachine(t *testing.T) {
	st := testkit.MustOpenSQLite(t)
	w := newWorld(t, st)
	for url, ok := range map[string]bool{"http://partner.example/v1": false, "http://10.0.0.7:8080": false,
		"https://partner.example/v1": true, "http://127.0.0.1:1": true, "http://localhost:1": true, "http://[::1]:1": true} {
		gw := partner.NewGateway(st.DB, w.k, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerSMS: {URL: url, SignKey: ourKey, VerifyKey: partnerKey}}, nil)
		_, err := gw.Send(context.Background(), smsTo(w.newSubject(t), "13912345678"))
		misconfigured := err != nil && strings.Contains(fmt.Sprint(errors.Unwrap(err)), "misconfigured")
		if misconfigured == ok {
			t.Errorf("%s: %v", url, err)
		}
	}
}
