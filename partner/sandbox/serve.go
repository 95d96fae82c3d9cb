package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"time"

	"minimall/partner"
	"minimall/privacy"
)

// operation is one signed POST a partner serves.
type operation struct {
	purposes []privacy.Purpose // the purposes it serves
	fields   []privacy.Field   // the fields it takes; each must also be allowed by the registry
	// handle answers an accepted request with a status and a JSON value.
	handle func(s *Sandbox, q *Request) (int, any)
}

// kind is what one partner's sandbox serves beyond the common routes.
type kind struct {
	ops      map[string]operation // by path, without the leading slash
	controls map[string]func(s *Sandbox) http.HandlerFunc
}

func kindOf(p privacy.PartnerID) kind {
	switch p {
	case privacy.PartnerSMS:
		return smsKind()
	case privacy.PartnerIdentity:
		return identityKind()
	case privacy.PartnerCarrier:
		return carrierKind()
	case privacy.PartnerPayment:
		return paymentKind()
	case privacy.PartnerLogistics:
		return logisticsKind()
	case privacy.PartnerAds:
		return adsKind()
	case privacy.PartnerOverseas:
		return overseasKind() // overseas.go
	case privacy.PartnerAuthority:
		return authorityKind() // authority.go
	}
	return kind{}
}

const maxBody = 1 << 20

// answerWriter carries the signature of the request being answered to
// reply.
type answerWriter struct {
	http.ResponseWriter
	requestSignature string
}

func answering(w http.ResponseWriter) string {
	if aw, ok := w.(*answerWriter); ok {
		return aw.requestSignature
	}
	return ""
}

// handler serves routes, each answer bound to its request.
func (s *Sandbox) handler() http.Handler {
	mux := s.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(&answerWriter{ResponseWriter: w, requestSignature: r.Header.Get(partner.HeaderSignature)}, r)
	})
}

func (s *Sandbox) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /requests", func(w http.ResponseWriter, r *http.Request) { s.reply(w, http.StatusOK, s.Requests()) })
	mux.HandleFunc("POST /deletion", s.unlessDown(s.deletion))
	for path, op := range s.kind.ops {
		mux.HandleFunc("POST /"+path, s.unlessDown(s.signed(path, op)))
	}
	for pattern, h := range s.kind.controls {
		mux.HandleFunc(pattern, h(s))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.reply(w, http.StatusNotFound, errorBody("not_found")) })
	return mux
}

// unlessDown answers 503 while the partner is down (SetDown).
func (s *Sandbox) unlessDown(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			s.reply(w, http.StatusServiceUnavailable, errorBody("down"))
			return
		}
		h(w, r)
	}
}

// signed serves one operation: check, handle, record, answer. A request
// carrying an idempotency key the operation saw before is not handled
// again: it gets the first answer, and its record says it was replayed.
func (s *Sandbox) signed(path string, op operation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := Request{At: time.Now().UTC(), Operation: path}
		env, status, why := s.accept(r, op)
		if env != nil {
			q.PartnerRef, q.Purpose, q.IdempotencyKey = env.PartnerRef, env.Purpose, env.IdempotencyKey
		}
		if why != "" {
			q.Status, q.Rejected = status, why
			s.recordAndReply(w, q, errorBody(why))
			return
		}
		q.Fields, q.Params = env.Fields, env.Params
		s.handleOnce(path, op, &q)
		if err := s.records.add(q); err != nil {
			s.reply(w, http.StatusInternalServerError, errorBody("record_failed"))
			return
		}
		s.answer(w, q.Status, q.Answer)
	}
}

// handleOnce handles q, or replays the first answer to its key. An
// answer of 5xx is not kept: the act failed, and a retry may try again.
func (s *Sandbox) handleOnce(path string, op operation, q *Request) {
	if q.IdempotencyKey == "" {
		q.Status, q.Answer = op.handle(s, q)
		return
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	key := path + "\x00" + q.IdempotencyKey
	if first, ok := s.keys[key]; ok {
		q.Status, q.Answer, q.Replayed = first.Status, first.Answer, true
		return
	}
	q.Status, q.Answer = op.handle(s, q)
	if q.Status < http.StatusInternalServerError {
		s.keys[key] = *q
	}
}

// accept verifies a request and checks what it carries against the
// registry. It returns the envelope once the signature holds (so a refusal
// can name the ref), and a status and reason when it refuses.
func (s *Sandbox) accept(r *http.Request, op operation) (*partner.Envelope, int, string) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, http.StatusBadRequest, "unreadable"
	}
	h := r.Header
	if err := partner.VerifyRequest(s.requestKey, h.Get(partner.HeaderTimestamp), h.Get(partner.HeaderNonce), h.Get(partner.HeaderSignature), r.Method, r.URL.Path, body, time.Now()); err != nil {
		return nil, http.StatusUnauthorized, signatureReason(err)
	}
	env := &partner.Envelope{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(env); err != nil {
		return nil, http.StatusBadRequest, "malformed"
	}
	if env.PartnerRef == "" {
		return env, http.StatusBadRequest, "partner_ref_missing"
	}
	if status, why := s.admit(op, env); why != "" {
		return env, status, why
	}
	return env, 0, ""
}

func signatureReason(err error) string {
	switch {
	case errors.Is(err, partner.ErrUnsigned):
		return "unsigned"
	case errors.Is(err, partner.ErrStale):
		return "stale"
	}
	return "bad_signature"
}

// admit is the second line of defence: every field must be one the
// registry lets this partner receive for the request's purpose (三(一)3
// 委托处理), and one this operation takes.
func (s *Sandbox) admit(op operation, env *partner.Envelope) (int, string) {
	if !slices.Contains(op.purposes, env.Purpose) {
		return http.StatusForbidden, "purpose_not_served"
	}
	fields := make([]privacy.Field, 0, len(env.Fields))
	for f := range env.Fields {
		fields = append(fields, f)
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i] < fields[j] })
	for _, f := range fields {
		if spec, ok := privacy.Spec(f); !ok || !spec.MayReceive(s.name, env.Purpose) {
			return http.StatusForbidden, "field_not_allowed: " + string(f)
		}
		if !slices.Contains(op.fields, f) {
			return http.StatusBadRequest, "field_not_expected: " + string(f)
		}
	}
	return 0, ""
}

// deletion honours a deletion notice: every record under the ref goes.
// The notice itself is recorded without the ref, so nothing of it stays.
func (s *Sandbox) deletion(w http.ResponseWriter, r *http.Request) {
	q := Request{At: time.Now().UTC(), Operation: "deletion"}
	// A notice serves no purpose and takes no fields: any field is refused.
	env, status, why := s.accept(r, operation{purposes: []privacy.Purpose{""}})
	if why != "" {
		q.Status, q.Rejected = status, why
		s.recordAndReply(w, q, errorBody(why))
		return
	}
	n, err := s.forget(env.PartnerRef)
	if err != nil {
		s.reply(w, http.StatusInternalServerError, errorBody("delete_failed"))
		return
	}
	q.Status, q.Answer = http.StatusOK, map[string]int{"deleted": n}
	s.recordAndReply(w, q, q.Answer)
}

// recordAndReply records q and answers with v; if the record cannot be
// written the request fails, so nothing is received unrecorded.
func (s *Sandbox) recordAndReply(w http.ResponseWriter, q Request, v any) {
	if err := s.records.add(q); err != nil {
		s.reply(w, http.StatusInternalServerError, errorBody("record_failed"))
		return
	}
	s.reply(w, q.Status, v)
}

// reply writes v as JSON, signed with the sandbox's own key.
func (s *Sandbox) reply(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encode"}`)
	}
	s.write(w, status, body, nil)
}

// write sends body with status, signed over signed (body when nil): a
// fault signs another body than the one it sends.
func (s *Sandbox) write(w http.ResponseWriter, status int, body, signed []byte) {
	if signed == nil {
		signed = body
	}
	ts := partner.Timestamp(time.Now())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(partner.HeaderPartnerTimestamp, ts)
	// The answer signs the request it answers (answering), so it is good
	// for that request only.
	w.Header().Set(partner.HeaderPartnerSignature, partner.SignResponse(s.answerKey, ts, answering(w), status, signed))
	w.WriteHeader(status)
	w.Write(body)
}

func errorBody(code string) map[string]string { return map[string]string{"error": code} }

// bad is a handler's answer to a request missing what the operation needs.
func bad(code string) (int, any) { return http.StatusBadRequest, errorBody(code) }
