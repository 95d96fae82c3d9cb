package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"minimall/privacy/internal/audit"
)

// SignedHead is an audit chain's checkpointed head signed with the
// platform's Ed25519 audit signing key (keys folder, audit-sign.key), as
// a witness keeps it. It holds a chain name, a seq and a mac: nothing
// about a person.
type SignedHead = audit.SignedHead

// anchorTimeout bounds one exchange with the witness.
const anchorTimeout = 10 * time.Second

// anchor publishes signed heads to the witness; its state is the last
// seq it published per chain.
type anchor struct {
	url  string
	sent map[string]int64
	mu   sync.Mutex // one publish at a time
	stop context.CancelFunc
	done chan struct{}
}

// StartAnchor publishes every audit chain's checkpointed head, signed, to
// the witness at url, now and then every `every`, and a last time at
// Close: whoever holds the keys folder (audit key, checkpoints) cannot
// rewrite what a published head covers without `audit verify --witness`
// failing. A head the witness did not take is tried again at the next
// tick; failures are logged at WARN with the chain, never a head's mac.
func (k *Kernel) StartAnchor(url string, every time.Duration, log *slog.Logger) {
	ctx, stop := context.WithCancel(context.Background())
	a := &anchor{url: strings.TrimSuffix(url, "/"), sent: map[string]int64{}, stop: stop, done: make(chan struct{})}
	k.anchor = a
	go func() {
		defer close(a.done)
		for {
			if err := k.publish(ctx); err != nil && ctx.Err() == nil {
				log.Warn("audit heads not published to the witness", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
		}
	}()
}

// PublishHeads publishes the audit chains' heads that moved since the last
// publish to the witness now; nothing if no witness was started.
func (k *Kernel) PublishHeads(ctx context.Context) error {
	if k.anchor == nil {
		return nil
	}
	if err := k.AuditFlush(ctx); err != nil {
		return err
	}
	return k.publish(ctx)
}

func (k *Kernel) publish(ctx context.Context) error {
	a := k.anchor
	a.mu.Lock()
	defer a.mu.Unlock()
	heads, err := audit.SignHeads(ctx, k.cfg.Keys, k.cfg.KeysDir, k.clock.Now())
	if err != nil {
		return err
	}
	for i := range heads {
		h := &heads[i]
		if h.Seq <= a.sent[h.Chain] {
			continue
		}
		if err := postHead(ctx, a.url, h); err != nil {
			return fmt.Errorf("chain %q: %w", h.Chain, err)
		}
		a.sent[h.Chain] = h.Seq
	}
	return nil
}

func postHead(ctx context.Context, url string, h *SignedHead) error {
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, anchorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/heads", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the witness answered %s", resp.Status)
	}
	return nil
}

// closeAnchor publishes the last heads and stops the publisher.
func (k *Kernel) closeAnchor() {
	if k.anchor == nil {
		return
	}
	k.anchor.stop()
	<-k.anchor.done
	ctx, cancel := context.WithTimeout(context.Background(), anchorTimeout)
	defer cancel()
	k.PublishHeads(ctx) // best effort: the next start publishes what this missed
}

// FetchWitnessed returns every head the witness at url keeps.
func FetchWitnessed(ctx context.Context, url string) ([]SignedHead, error) {
	ctx, cancel := context.WithTimeout(ctx, anchorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/heads", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("privacy: fetch witnessed heads: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("privacy: fetch witnessed heads: the witness answered %s", resp.Status)
	}
	var heads []SignedHead
	if err := json.NewDecoder(resp.Body).Decode(&heads); err != nil {
		return nil, fmt.Errorf("privacy: fetch witnessed heads: %w", err)
	}
	return heads, nil
}

// VerifyAuditWitnessed verifies the audit log as VerifyAudit does and then
// holds it to every head the witness at url keeps: an entry rewritten,
// removed or reordered at or before a witnessed head fails it, even when
// the log was re-chained with the audit key and re-checkpointed.
func VerifyAuditWitnessed(ctx context.Context, c Config, url string) (*AuditReport, error) {
	r, err := VerifyAudit(ctx, c)
	if err != nil {
		return nil, err
	}
	heads, err := FetchWitnessed(ctx, url)
	if err != nil {
		return nil, err
	}
	w, err := audit.CheckWitnessed(ctx, c.Data, c.Keys, c.KeysDir, heads)
	if err != nil {
		return nil, fmt.Errorf("privacy: verify audit: %w", err)
	}
	r.Witnessed, r.WitnessArchived = w.Heads, w.Archived
	for _, p := range w.Problems {
		r.Problems = append(r.Problems, AuditProblem{Chain: p.Chain, Seq: p.Seq, Kind: p.Kind.String(), Detail: p.Detail})
	}
	r.OK = len(r.Problems) == 0
	return r, nil
}
