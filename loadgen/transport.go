package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// inlineTransport is the load tool's HTTP/1.1 transport: a request is
// written, and its answer read, on the goroutine that asked, over a
// kept-alive connection from a pool per host. net/http's Transport hands
// each request to two goroutines of the connection's own; on a 2-core
// machine that hand-off was a fifth of the tool's CPU, taken from the
// server it measures. https goes through net/http's own transport.
type inlineTransport struct {
	tls    http.RoundTripper
	dialer net.Dialer
	mu     sync.Mutex
	idle   map[string][]*inlineConn // by host:port
	// maxIdle is how many idle connections a host keeps.
	maxIdle int
	// timeout bounds one exchange. It is applied here, as a connection
	// deadline, rather than by http.Client, which would start a timer
	// goroutine per request for a transport it does not know.
	timeout time.Duration
	// checkIdleAfter is how long a connection may sit in the pool before
	// it is checked for a close by the server, which net/http's transport
	// sees from its reader goroutine. Within a flow connections are never
	// idle that long, so the check costs nothing there.
	checkIdleAfter time.Duration
}

type inlineConn struct {
	net.Conn
	r         *bufio.Reader
	w         *bufio.Writer
	idleSince time.Time
}

func newInlineTransport(maxIdle int, timeout time.Duration) *inlineTransport {
	return &inlineTransport{dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second},
		idle: map[string][]*inlineConn{}, maxIdle: maxIdle, timeout: timeout, tls: tlsTransport(maxIdle), checkIdleAfter: time.Second}
}

func tlsTransport(maxIdle int) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.ResponseHeaderTimeout = maxIdle, maxIdle, 30*time.Second
	return tr
}

// RoundTrip sends req and reads its answer. A request that failed on a
// kept-alive connection the server closed meanwhile is sent again once on
// a new one when it is safe to, as net/http's transport does: a GET, HEAD,
// OPTIONS or TRACE, or a request with an Idempotency-Key.
func (t *inlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" {
		return t.tls.RoundTrip(req)
	}
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.get(req.Context(), host)
		if err != nil {
			closeBody(req)
			return nil, contextError(req.Context(), err)
		}
		resp, err := t.exchange(req, c)
		if err == nil {
			resp.Body = &inlineBody{ReadCloser: resp.Body, t: t, c: c, host: host, keep: !resp.Close}
			return resp, nil
		}
		c.Close()
		if err := contextError(req.Context(), err); !reused || attempt > 0 || !rewind(req) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
	}
}

// exchange writes req on c and reads the answer's head.
func (t *inlineTransport) exchange(req *http.Request, c *inlineConn) (*http.Response, error) {
	deadline := time.Now().Add(t.timeout)
	if d, ok := req.Context().Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if err := req.Write(c.w); err != nil {
		return nil, err
	}
	if err := c.w.Flush(); err != nil {
		return nil, err
	}
	return http.ReadResponse(c.r, req)
}

// contextError reports a failure at or after ctx's deadline as the
// deadline's: the connection's deadline, set to the same instant, can fire
// a moment before the context says it is done.
func contextError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	return err
}

// get returns an idle connection to host, or dials a new one.
func (t *inlineTransport) get(ctx context.Context, host string) (c *inlineConn, reused bool, err error) {
	for {
		t.mu.Lock()
		c = nil
		if list := t.idle[host]; len(list) > 0 {
			c = list[len(list)-1]
			t.idle[host] = list[:len(list)-1]
		}
		t.mu.Unlock()
		if c == nil {
			break
		}
		if time.Since(c.idleSince) < t.checkIdleAfter || open(c) {
			return c, true, nil
		}
		c.Close()
	}
	conn, err := t.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, false, err
	}
	return &inlineConn{Conn: conn, r: bufio.NewReader(conn), w: bufio.NewWriter(conn)}, false, nil
}

// open tells whether the server has left c open: nothing is waiting to
// be read on it, neither data nor the end of the stream. The deadline is a
// moment ahead: one already past fails the read before it looks.
func open(c *inlineConn) bool {
	if err := c.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		return false
	}
	_, err := c.r.Peek(1)
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// put returns c to host's pool, or closes it when the pool is full.
func (t *inlineTransport) put(host string, c *inlineConn) {
	c.idleSince = time.Now()
	t.mu.Lock()
	if len(t.idle[host]) < t.maxIdle {
		t.idle[host] = append(t.idle[host], c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// CloseIdleConnections closes the pooled connections (http.Client calls
// it through CloseIdleConnections).
func (t *inlineTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[string][]*inlineConn{}
	t.mu.Unlock()
	t.tls.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	for _, list := range idle {
		for _, c := range list {
			c.Close()
		}
	}
}

// rewind makes req ready to be sent again; false when that is not safe
// (a request that changes something, without an idempotency key, may have
// been carried out) or its body cannot be read again.
func rewind(req *http.Request) bool {
	switch req.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "":
	default:
		if req.Header.Get("Idempotency-Key") == "" {
			return false
		}
	}
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	if req.GetBody == nil {
		return false
	}
	b, err := req.GetBody()
	if err != nil {
		return false
	}
	req.Body = b
	return true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// inlineBody gives its connection back once the answer has been read to
// the end, and closes it otherwise: the next request must start at a
// response's beginning.
type inlineBody struct {
	io.ReadCloser
	t      *inlineTransport
	c      *inlineConn
	host   string
	keep   bool
	closed bool
}

func (b *inlineBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	// What a caller left unread is drained, up to a bound; a larger rest
	// costs a new connection rather than a long read.
	_, err := io.Copy(io.Discard, io.LimitReader(b.ReadCloser, 256<<10))
	whole := err == nil && drained(b.ReadCloser)
	b.ReadCloser.Close()
	if b.keep && whole {
		b.t.put(b.host, b.c)
		return nil
	}
	return b.c.Close()
}

// drained tells whether r is at its end.
func drained(r io.Reader) bool {
	var one [1]byte
	n, err := r.Read(one[:])
	return n == 0 && errors.Is(err, io.EOF)
}
