// Package sandbox runs minimall's partners as real HTTP servers on
// loopback, so anyone can check from outside what crossed the boundary
// (policy 三(一)3: partners see only what their duty needs). Each sandbox
// verifies minimall's signature on every request (401 otherwise), checks
// the fields it got against the field registry for its partner and the
// request's purpose (403 otherwise: a second line of defence behind the
// gateway), records every request in memory and in
// <dir>/<partner>/requests.jsonl — its own folder, never minimall's data
// folder — and signs every answer with its own key. Keys are generated at
// start; Endpoint hands them to the gateway.
//
// Every sandbox serves:
//
//	GET  /requests  what it received, as a JSON list; anyone on loopback may look, that is the point
//	POST /deletion  {"partner_ref"}: forget every record under that ref (signed)
//
// SMS provider (sms):
//
//	POST /sms/send  fields account.phone or notify.contact_phone, params {"text"} → {"message_id"};
//	                purposes account (registration codes), login, account_recovery, notification,
//	                incident_response, marketing, rights_request
//	GET  /sms/last?phone=13800138000  → {"text", "at"} of the last SMS sent to that number.
//	                TEST CONVENIENCE: how a tester reads a one-time code; unsigned.
//
// Identity authority (identity): POST /identity/verify
//
//	purpose identity_check: verification.real_name and verification.id_number
//	  (verification.id_type optional) → {"match", "birth_date"}. Rule: match
//	  when the ID number has 18 characters, a valid GB 11643 check character
//	  (ISO 7064 MOD 11-2) and a real date in digits 7-14, returned as
//	  birth_date (YYYY-MM-DD).
//	purpose face_verification: verification.face only → {"match"}. Rule
//	  (test convention): match when the face value equals "face-of-" + the
//	  ID number last matched under the same partner_ref. The registry lets
//	  face data go to the authority for face verification only, never with
//	  the ID number, so the real-person check follows a real-name check.
//
// Carrier (carrier):
//
//	POST /carrier/risk      account.phone → {"risk": "high"} for numbers ending in 0000, else "low"
//	POST /carrier/recycled  account.phone and account.phone_bound_at (RFC 3339 or YYYY-MM-DD)
//	                        → {"recycled"}. Rule: numbers starting with 170 were
//	                        reassigned on 2026-01-01 (UTC), so one bound before then
//	                        has changed hands; no other number was ever reassigned.
//
// Payment institution (payment), real-name status:
//
//	POST /payment/realname-status      no fields, only the partner_ref, purpose identity_check
//	                                   or activity → {"verified"}. Rule: true when the ref's
//	                                   first character is a letter from a to p, unless set.
//	POST /payment/realname-status/set  {"partner_ref", "verified"}: TEST CONTROL, unsigned, not
//	                                   part of any real partner's interface.
//
// Payment institution (payment), payments (Alipay-like), purpose payment:
//
//	POST /payment/create      order.number, payment.amount (fen); params payment_id,
//	                          notify_url, channel → {"trade_no", "pay_url"}
//	POST /payment/pay-for-me  the same plus payment.payer_phone and/or
//	                          payment.payer_account (the payer) → {"trade_no", "pay_url"}
//	POST /payment/refund      order.number, payment.amount; params trade_no → {"refund_no", "status"}
//	POST /payment/pay         {"trade_no"} or ?trade_no=: TEST CONTROL, unsigned: the payer
//	                          confirms; the sandbox POSTs a signed notice {payment_id,
//	                          trade_no, status, amount_fen, channel, paid_at} to notify_url
//	                          and answers {"paid", "notified": minimall's status}.
//
// Logistics information system (logistics), Cainiao-like, purpose delivery:
//
//	POST /logistics/shipments  exactly order.recipient_name, order.recipient_address,
//	                           order.recipient_phone, order.items (parcel contents);
//	                           params shipment_id, callback_url → {"waybill_no"}
//	POST /logistics/advance    {"waybill_no", "status": in_transit|delivered, "description"}:
//	                           TEST CONTROL, unsigned: POSTs a signed tracking report to
//	                           callback_url and answers {"notified": minimall's status}.
//
// Callbacks to minimall are signed with the partner's own key (the one its
// answers are signed with) in X-Partner-Timestamp and X-Partner-Signature,
// over the request form (partner.SignRequest).
//
// Authority (authority), a court, the police or a regulator, purpose legal_duty:
//
//	POST /authority/disclose  the fields the authority's request named (only those the
//	                          registry lets an authority receive); params request_id,
//	                          authority_kind, authority, authority_ref, legal_basis → {"receipt"}
//
// Other declared partners get a sandbox with only the common routes.
//
// A request whose envelope carries an idempotency key the operation saw
// before is not acted on again: it gets the first answer, and its record
// says "replayed". Tests make a partner fail with SetDown (503, nothing
// done) and SetFault: slow (the answer comes after SetSlowFor), malformed
// JSON, a wrong signature, a 500 or a body cut short, each after the
// partner acted.
package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"minimall/partner"
	"minimall/privacy"
)

// Request is one request a sandbox received, as it shows in GET /requests.
// A rejected request keeps no field values: the sandbox will not hold what
// it may not receive.
type Request struct {
	At         time.Time                `json:"at"`
	Operation  string                   `json:"operation"`
	PartnerRef string                   `json:"partner_ref,omitempty"`
	Purpose    privacy.Purpose          `json:"purpose,omitempty"`
	Fields     map[privacy.Field]string `json:"fields,omitempty"`
	Params     map[string]any           `json:"params,omitempty"`
	Status     int                      `json:"status"`
	Answer     any                      `json:"answer,omitempty"`
	Rejected   string                   `json:"rejected,omitempty"` // why it was refused
	// IdempotencyKey names one logical call across its retries; Replayed
	// marks a retry answered with the first answer, not acted on again.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Replayed       bool   `json:"replayed,omitempty"`
}

// Sandbox is one partner running as an HTTP server on loopback.
type Sandbox struct {
	name       privacy.PartnerID
	dir        string
	requestKey []byte // NB: verifies minimall's requests; minimall's SignKey
	answerKey  []byte // NB: signs this partner's answers; minimall's VerifyKey
	kind       kind
	records    *records
	srv        *http.Server
	url        string

	mu       sync.Mutex
	verified map[string]bool // payment: real-name statuses set by the test control

	down   atomic.Bool // SetDown: every operation answers 503, nothing is recorded
	faults faults      // SetFault: answers spoiled after the partner acted

	keysMu sync.Mutex
	keys   map[string]Request // the first answer to each operation and idempotency key
}

// SetDown makes the partner unavailable (true) or available again (false):
// while down, every operation and deletion notice answers 503 and nothing
// is recorded, as a partner whose service is down would. Listing its
// requests still works.
func (s *Sandbox) SetDown(down bool) { s.down.Store(down) }

// Start starts the sandbox of partner name listening on addr
// ("127.0.0.1:0" in tests), keeping its records in dir/<name>/. Records
// left there by an earlier run are loaded; keys are always new.
func Start(name privacy.PartnerID, dir, addr string) (*Sandbox, error) {
	if _, ok := privacy.Partner(name); !ok {
		return nil, fmt.Errorf("sandbox: unknown partner %q", name)
	}
	s := &Sandbox{name: name, dir: filepath.Join(dir, string(name)), kind: kindOf(name), verified: map[string]bool{}, keys: map[string]Request{}}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox %s: %w", name, err)
	}
	var err error
	if s.requestKey, err = newKey(); err != nil {
		return nil, err
	}
	if s.answerKey, err = newKey(); err != nil {
		return nil, err
	}
	if s.records, err = openRecords(filepath.Join(s.dir, "requests.jsonl")); err != nil {
		return nil, fmt.Errorf("sandbox %s: %w", name, err)
	}
	if err := s.listen(addr); err != nil {
		s.records.close()
		return nil, fmt.Errorf("sandbox %s: %w", name, err)
	}
	return s, nil
}

func newKey() ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("sandbox: key: %w", err)
	}
	return k, nil
}

func (s *Sandbox) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return nil
}

// Name returns the partner this sandbox plays.
func (s *Sandbox) Name() privacy.PartnerID { return s.name }

// Dir returns the folder its records live in.
func (s *Sandbox) Dir() string { return s.dir }

// URL returns its base URL.
func (s *Sandbox) URL() string { return s.url }

// Endpoint returns what minimall's gateway needs to reach it.
func (s *Sandbox) Endpoint() partner.Endpoint {
	return partner.Endpoint{URL: s.url, SignKey: s.requestKey, VerifyKey: s.answerKey}
}

// Requests returns every request it received, oldest first.
func (s *Sandbox) Requests() []Request { return s.records.all() }

// Close stops the server, letting requests in flight finish for up to a
// second, and closes the records file.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	return errors.Join(err, s.records.close())
}

// forget removes everything held under ref.
func (s *Sandbox) forget(ref string) (int, error) {
	s.mu.Lock()
	delete(s.verified, ref)
	s.mu.Unlock()
	return s.records.removeRef(ref)
}
