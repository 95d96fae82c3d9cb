package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"minimall"
	"minimall/privacy"
)

// Audit decisions of a hand-over, written by the guard's permit.
const (
	DecisionDisclose          = privacy.DecisionDisclose
	DecisionDiscloseCancelled = privacy.DecisionDiscloseCancelled
)

var operationPattern = regexp.MustCompile(`^[a-z0-9_/-]+$`)

// maxResponse bounds what is read of a partner's answer.
const maxResponse = 1 << 20

// Send hands d to its partner and returns the partner's JSON answer. The
// guard decides first and issues a permit (privacy.Guard.PermitDisclosure:
// the registry's recipients, consent, erasure; it audits its refusals);
// the gateway carries only what the permit covers. The disclosure is
// logged (table, change feed, audit log) before the request leaves, once
// however often it is tried, and marked failed if the call fails.
//
// A call that fails fast (refused connection, 5xx, an answer garbled,
// cut short or badly signed) is tried again, up to attempts times in
// all, with the same idempotency key, so the partner acts at most once; a
// timeout is not tried again within the call (the person has waited long
// enough) and neither is a partner's 4xx, which is its answer.
//
// Returns a *privacy.Denied, audited, when a field may not go to that
// partner for that purpose, or the person's consent or erasure forbids it;
// Invalid for an unknown partner or purpose, a malformed operation or a
// param named like a field; Unavailable, with a Retry-After, when the
// partner has no endpoint, cannot be reached, answers other than 2xx, or
// answers unsigned, badly signed, stale or not JSON.
func (g *Gateway) Send(ctx context.Context, d Disclosure) (json.RawMessage, error) {
	const op = "partner.Send"
	if err := checkShape(op, d); err != nil {
		return nil, err
	}
	permit, err := g.k.Guard().PermitDisclosure(ctx, g.actorFor(d), d.Subject, d.Partner, d.Purpose, sortedFields(d.Fields))
	if err != nil {
		return nil, err
	}
	ep, err := g.endpoint(op, d.Partner)
	if err != nil {
		return nil, err
	}
	logged, err := g.logOnce(ctx, d, permit)
	if err != nil {
		return nil, err
	}
	// The key is the disclosure's id: the same on every try of this call.
	env := Envelope{PartnerRef: logged.ref, Purpose: d.Purpose, Fields: d.Fields, Params: d.Params, IdempotencyKey: logged.id}
	out, err := g.callRetrying(ctx, op, ep, d.Operation, env)
	if err != nil {
		// The call may have reached the partner before failing, so the row
		// stays in the log (as failed) and deletion notices still cover it.
		return nil, also(err, g.setStatus(context.WithoutCancel(ctx), logged.id, StatusSent, StatusFailed))
	}
	if logged.again {
		if err := g.setStatus(context.WithoutCancel(ctx), logged.id, StatusFailed, StatusSent); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attempts is how many times Send tries a call that fails fast;
// retryPause, times the try, is the wait between two tries.
const (
	attempts   = 3
	retryPause = 100 * time.Millisecond
)

// callRetrying is call, tried again while it fails fast (retryable).
func (g *Gateway) callRetrying(ctx context.Context, op string, ep Endpoint, operation string, env Envelope) (json.RawMessage, error) {
	for try := 1; ; try++ {
		out, err := g.call(ctx, op, ep, operation, env)
		if err == nil || try == attempts || !retryable(err) {
			return out, err
		}
		select {
		case <-time.After(retryPause * time.Duration(try)):
		case <-ctx.Done():
			return nil, err
		}
	}
}

// errRefused marks a partner's 4xx: its answer, not a fault.
var errRefused = errors.New("partner: refused")

// retryable reports whether a failed call is worth trying again at once:
// the partner was unavailable, not slow, and did not refuse.
func retryable(err error) bool {
	var ne net.Error
	return minimall.IsCode(err, minimall.Unavailable) && !errors.Is(err, errRefused) &&
		!(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// checkShape refuses a malformed d before the guard is asked.
func checkShape(op string, d Disclosure) error {
	if !validOperation(d.Operation) {
		return minimall.Errorf(minimall.Invalid, op, "Malformed partner operation. 合作方接口路径格式错误。")
	}
	for k := range d.Params {
		// Params are for codes and amounts; a field smuggled in as a param
		// would pass the guard's field check.
		if _, isField := privacy.Spec(privacy.Field(k)); isField {
			return minimall.Errorf(minimall.Invalid, op, "Personal information must go in fields, not params. 个人信息须放在 fields 中。")
		}
	}
	return nil
}

// validOperation accepts a relative path of plain segments. "deletion" is
// NotifyDeletion's alone: a deletion notice is not a disclosure.
func validOperation(s string) bool {
	return operationPattern.MatchString(s) && !strings.HasPrefix(s, "/") && !strings.HasSuffix(s, "/") &&
		!strings.Contains(s, "//") && s != opDeletion
}

func (g *Gateway) actorFor(d Disclosure) minimall.Actor {
	a := g.actor
	a.Reason = d.RequestID
	return a
}

func sortedFields(m map[privacy.Field]string) []privacy.Field {
	out := make([]privacy.Field, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (g *Gateway) endpoint(op string, p privacy.PartnerID) (Endpoint, error) {
	ep, ok := g.endpoints[p]
	if !ok {
		return Endpoint{}, unavailable(op, fmt.Errorf("no endpoint for partner %s", p))
	}
	u, err := url.Parse(ep.URL)
	// Plain http only to a partner on this machine (the sandboxes): what
	// crosses a network goes over TLS.
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) || u.Host == "" || len(ep.SignKey) == 0 || len(ep.VerifyKey) == 0 {
		return Endpoint{}, unavailable(op, fmt.Errorf("endpoint of partner %s is misconfigured", p))
	}
	return ep, nil
}

// call POSTs env to the partner's operation and returns its verified answer.
func (g *Gateway) call(ctx context.Context, op string, ep Endpoint, operation string, env Envelope) (json.RawMessage, error) {
	body, err := json.Marshal(env)
	if err != nil {
		return nil, minimall.Errorf(minimall.Invalid, op, "Params must be plain JSON values. 参数须为 JSON 值。")
	}
	req, err := newRequest(ctx, ep, operation, body)
	if err != nil {
		return nil, unavailable(op, err)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("call %s: %w", operation, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("read answer to %s: %w", operation, err))
	}
	if len(data) > maxResponse {
		return nil, unavailable(op, fmt.Errorf("answer to %s is too large", operation))
	}
	h := resp.Header
	if err := VerifyResponse(ep.VerifyKey, h.Get(HeaderPartnerTimestamp), h.Get(HeaderPartnerSignature), req.Header.Get(HeaderSignature), resp.StatusCode, data, time.Now()); err != nil {
		return nil, unavailable(op, fmt.Errorf("answer to %s: %w", operation, err))
	}
	// The partner's error body is not quoted: it may echo what it got.
	if resp.StatusCode >= 400 && resp.StatusCode < 500 {
		return nil, unavailable(op, fmt.Errorf("%s answered status %d: %w", operation, resp.StatusCode, errRefused))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, unavailable(op, fmt.Errorf("%s answered status %d", operation, resp.StatusCode))
	}
	if !json.Valid(data) {
		return nil, unavailable(op, fmt.Errorf("answer to %s is not JSON", operation))
	}
	return data, nil
}

func newRequest(ctx context.Context, ep Endpoint, operation string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(ep.URL, "/")+"/"+operation, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	ts, nonce := Timestamp(time.Now()), NewNonce()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderSignature, SignRequest(ep.SignKey, ts, nonce, http.MethodPost, req.URL.Path, body))
	return req, nil
}

// RetryAfter is when a person may try again after a partner failed: long
// enough for a partner's hiccup to pass, short enough to wait for.
const RetryAfter = 30 * time.Second

// unavailable is the one error a caller sees for a failed partner call;
// the cause stays in Err for the operator's log and names no person.
func unavailable(op string, cause error) error {
	return &minimall.Error{Code: minimall.Unavailable, Op: op, Message: "The partner service is unavailable; try again later. 合作方服务暂不可用，请稍后再试。",
		Err: cause, RetryAfter: RetryAfter}
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
