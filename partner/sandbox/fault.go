package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is how a sandbox spoils its answers, so tests can check what
// minimall does when a partner misbehaves. Every fault but down spoils the
// answer after the partner acted (a trade opened, an SMS sent, a refund
// made): the worst case for the caller, who cannot tell whether the act
// happened.
type Fault string

// Faults a sandbox can be set to (SetFault). SetDown is the other one: the
// partner answers 503 and does nothing.
const (
	FaultNone         Fault = ""
	FaultSlow         Fault = "slow"          // answers after SlowFor, beyond the client's timeout
	FaultMalformed    Fault = "malformed"     // a signed answer that is not JSON
	FaultBadSignature Fault = "bad_signature" // a JSON answer with a wrong signature
	FaultServerError  Fault = "server_error"  // a signed 500
	FaultTruncated    Fault = "truncated"     // the body stops short of its Content-Length
)

// DefaultSlowFor is how long a slow answer waits unless SetSlowFor says.
const DefaultSlowFor = 3 * time.Second

// faults is a sandbox's fault setting.
type faults struct {
	mu      sync.Mutex
	fault   Fault
	times   int // answers left to spoil; < 0: until cleared
	slowFor time.Duration
}

// SetFault spoils the next times answers to operations with f (times < 0:
// every answer until SetFault(FaultNone, 0)). Listing requests, test
// controls and replies refused before the partner acted are not spoiled.
func (s *Sandbox) SetFault(f Fault, times int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fault, s.faults.times = f, times
	if f == FaultNone || times == 0 {
		s.faults.fault, s.faults.times = FaultNone, 0
	}
}

// SetSlowFor sets how long a slow answer waits (DefaultSlowFor when unset).
func (s *Sandbox) SetSlowFor(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.slowFor = d
}

// take returns the fault to apply to this answer, counting it down.
func (f *faults) take() (Fault, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fault == FaultNone {
		return FaultNone, 0
	}
	fault := f.fault
	if f.times > 0 {
		if f.times--; f.times == 0 {
			f.fault = FaultNone
		}
	}
	slow := f.slowFor
	if slow <= 0 {
		slow = DefaultSlowFor
	}
	return fault, slow
}

// answer writes an operation's answer, spoiled by the fault set, if any.
func (s *Sandbox) answer(w http.ResponseWriter, status int, v any) {
	f, slowFor := s.faults.take()
	if f == FaultSlow {
		time.Sleep(slowFor) // the caller has given up by now
	}
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encode"}`)
	}
	switch f {
	case FaultMalformed:
		s.write(w, status, []byte(`{"answer": "cut`), nil)
	case FaultServerError:
		s.write(w, http.StatusInternalServerError, []byte(`{"error":"internal"}`), nil)
	case FaultBadSignature:
		s.write(w, status, body, []byte(`{"answer":"another"}`))
	case FaultTruncated:
		// Signed and announced whole, sent half: the connection closes
		// before the rest arrives.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		s.write(w, status, body[:len(body)/2], body)
	default:
		s.write(w, status, body, nil)
	}
}
