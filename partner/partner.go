// Package partner is the gateway through which personal information leaves
// minimall: it hands each partner only the fields the field registry lets
// that partner receive for the purpose at hand, signs every request, checks
// every response, and logs every disclosure before it happens (policy 三(一),
// PIPL art. 21 and 23). No other package talks to a partner.
package partner

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Endpoint is where a partner listens and the keys of the channel to it.
//
// NB: both keys are secrets; never log them.
type Endpoint struct {
	URL       string // base URL; operations are appended as path segments
	SignKey   []byte // signs minimall's requests (the partner verifies with it)
	VerifyKey []byte // checks the partner's responses
}

// Gateway sends disclosures to partners and keeps the disclosure log.
// Its methods are safe for concurrent use.
type Gateway struct {
	db        *sqldb.DB
	k         *privacy.Kernel
	endpoints map[privacy.PartnerID]Endpoint
	client    *http.Client
	actor     minimall.Actor
	disclosed atomic.Int64 // disclosures logged since start, for metrics
}

// Disclosed counts the disclosures logged since the gateway started.
func (g *Gateway) Disclosed() int64 { return g.disclosed.Load() }

// DefaultTimeout bounds a partner call when NewGateway gets no client.
const DefaultTimeout = 10 * time.Second

// KeepAliveTransport is an HTTP transport that keeps enough idle
// connections to one partner for the requests in flight: Go's default
// keeps two per host, so under load most calls would open (and close) a
// TCP connection of their own.
func KeepAliveTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 64
	return tr
}

// NewGateway returns a gateway over db and kernel k, reaching each partner
// at its endpoint. client carries the timeout; nil means DefaultTimeout.
// Redirects are never followed, whatever client says: a redirect would
// resend personal information to an address the registry never named.
func NewGateway(db *sqldb.DB, k *privacy.Kernel, endpoints map[privacy.PartnerID]Endpoint, client *http.Client) *Gateway {
	c := &http.Client{Timeout: DefaultTimeout, Transport: KeepAliveTransport()}
	if client != nil {
		cc := *client
		c = &cc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	eps := make(map[privacy.PartnerID]Endpoint, len(endpoints))
	for id, ep := range endpoints {
		eps[id] = ep
	}
	return &Gateway{db: db, k: k, endpoints: eps, client: c, actor: minimall.SystemActor("partner-gateway")}
}

// Disclosure is one hand-over of personal information to a partner.
type Disclosure struct {
	Partner privacy.PartnerID
	Purpose privacy.Purpose
	// Subject is whose information it is; empty before an account exists
	// (a registration code sent to a phone), when a one-off ref is used.
	Subject minimall.SubjectID
	// Operation is the partner's path, e.g. "sms/send".
	Operation string
	// Fields holds personal information the caller has already opened
	// through the guard for Purpose, keyed by field.
	//
	// NB: plaintext personal information; never log it.
	Fields map[privacy.Field]string
	// Params holds parameters that are not personal: codes, amounts,
	// statuses. A key that names a registry field is refused.
	Params    map[string]any
	RequestID string // the request that caused it; kept in the log
	// Claim, for a disclosure made before the person has an account
	// (Subject empty), is a pseudonymous key (a blind index) under which
	// ClaimTx later attaches it to the account.
	Claim string
	// Within, when set, runs in the transaction that logs the disclosure,
	// before anything is sent: the caller's own row (a payment) commits
	// with the log of what goes out for it, in one turn of the writer. Its
	// error stops the disclosure and is returned as is. It must only write
	// through tx (see sqldb.DB.Write).
	Within func(ctx context.Context, tx *sqldb.Tx) error
	// IdempotencyKey, when set, names one logical call across the
	// caller's retries (e.g. "refund:" and a payment id): a Send with a key
	// already in the log reuses that disclosure (its id, ref and audit
	// entry; Within does not run again) and sends the partner the same
	// idempotency key, so the partner does not act twice and the sharing
	// list shows the hand-over once. Without it, the key covers Send's own
	// retries only.
	IdempotencyKey string
}

// Disclosure statuses.
const (
	StatusSent    = "sent"    // logged and handed to the partner
	StatusFailed  = "failed"  // the call failed; the partner may or may not hold it
	StatusDeleted = "deleted" // the partner confirmed deletion
)

// Record is one logged disclosure: who received which fields, when and why.
// It holds field ids, never values, and not the partner's ref.
type Record struct {
	ID        string            `json:"id"`
	Partner   privacy.PartnerID `json:"partner"`
	Purpose   privacy.Purpose   `json:"purpose"`
	Operation string            `json:"operation"`
	Fields    []privacy.Field   `json:"fields"`
	RequestID string            `json:"request_id"`
	At        time.Time         `json:"at"`
	Status    string            `json:"status"`
}

// TopicDisclosed is the change-feed topic of a disclosure; its payload
// holds ids and codes only.
const TopicDisclosed = "partner.disclosed"

// TopicDeletionNotified is the change-feed topic of a confirmed deletion
// notice.
const TopicDeletionNotified = "partner.deletion_notified"
