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

// A kept-alive connection the server closed while it sat idle is retried
// once on a new connection, body and all; an answer that says
// "Connection: close" does not go back to the pool.
func TestInlineTransportRetriesClosedConnection(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/last" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, string(body))
	})
	c := NewClient(srv.URL, 2)
	post := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader("again"))
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post("/first")
	srv.CloseClientConnections() // the idle connection in the pool is now dead
	if got := post("/second"); got != "again" {
		t.Fatalf("after the server closed the connection: %q", got)
	}
	post("/last")
	post("/after")
	if n := conns.Load(); n != 3 {
		t.Errorf("connections: %d, want 3 (first, after the close, after Connection: close)", n)
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
