package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer answers every request with its path and counts the
// connections it accepted.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestInlineTransportKeepsConnectionsAlive(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/big" {
			// Larger than net/http's buffer: sent chunked.
			io.WriteString(w, strings.Repeat("x", 64<<10))
			return
		}
		io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
	})
	c := NewClient(srv.URL, 2)
	for i := range 50 {
		path := "/small"
		if i%5 == 0 {
			path = "/big"
		}
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader("hello"))
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/big" && len(b) != 64<<10 || path == "/small" && string(b) != "POST /small hello" {
			t.Fatalf("%s: got %d bytes %.40q", path, len(b), b)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("50 requests in a row took %d connections, want 1", n)
	}
}

// A pooled connection the server closed while it sat idle is noticed
// before use; one closed under a request is retried once on a new
// connection when that is safe (GET, or an Idempotency-Key), and a POST
// without a key fails rather than risk being carried out twice. An answer
// that says "Connection: close" does not go back to the pool.
func TestInlineTransportClosedConnections(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/last" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, r.Method+" "+string(body))
	})
	c := NewClient(srv.URL, 2)
	tr := c.HTTP.Transport.(*inlineTransport)
	send := func(method, path string, headers ...string) (string, error) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader("again"))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	must := func(method, path string, headers ...string) {
		t.Helper()
		if got, err := send(method, path, headers...); err != nil || got != method+" again" {
			t.Fatalf("%s %s: %q %v", method, path, got, err)
		}
	}

	must("POST", "/first") // connection 1
	srv.CloseClientConnections()
	time.Sleep(50 * time.Millisecond) // the close reaches the client
	tr.checkIdleAfter = 0
	must("POST", "/checked") // connection 1 found closed: connection 2

	tr.checkIdleAfter = time.Hour // the close goes unseen until a request meets it
	srv.CloseClientConnections()
	must("GET", "/read") // fails on connection 2, retried on 3
	srv.CloseClientConnections()
	if _, err := send("POST", "/order"); err == nil { // fails on 3
		t.Error("a POST without an Idempotency-Key was sent again")
	}
	must("POST", "/warm") // connection 4
	srv.CloseClientConnections()
	must("POST", "/keyed", "Idempotency-Key", "key-0001") // fails on 4, retried on 5
	must("POST", "/last")
	must("POST", "/after") // the previous answer closed its connection: 6
	if n := conns.Load(); n != 6 {
		t.Errorf("connections: %d, want 6", n)
	}
}

// The context's deadline bounds an exchange, and a failure at the deadline
// is reported as the deadline's, so the load tool does not count the end
// of a run as errors.
func TestInlineTransportDeadline(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	})
	c := NewClient(srv.URL, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Call(ctx, "GET", "/slow", "", nil, nil, http.StatusOK)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow answer: %v, want the deadline", err)
	}
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("gave up after %v", took)
	}
}

// An https target goes through net/http's transport.
func TestInlineTransportHandsHTTPSOn(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer srv.Close()
	c := NewClient(srv.URL, 2)
	c.HTTP.Transport.(*inlineTransport).tls = srv.Client().Transport
	var got struct{ OK bool }
	if err := c.Call(context.Background(), "GET", "/", "", nil, &got, http.StatusOK); err != nil || !got.OK {
		t.Fatalf("https: %v %+v", err, got)
	}
}
