package privacy

import (
	"context"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"minimall/privacy/internal/audit"
)

// AuditCheck is where the background verification of the audit log
// stands, for metrics and alerts.
type AuditCheck struct {
	LastSuccess time.Time     // when the last pass that found the log intact ended; zero if none yet
	LastRun     time.Time     // when the last pass ended, whatever it found; zero if none yet
	Failures    int64         // passes that found tampering or could not finish
	Problems    int           // problems the last finished pass found
	Rows        int64         // entries the last finished pass read
	Took        time.Duration // how long the last finished pass took, pauses included
}

// auditChecker runs the background verification; its state is read by
// metrics while it runs.
type auditChecker struct {
	mu    sync.Mutex
	state AuditCheck
	stop  context.CancelFunc
	done  chan struct{}
}

// StartAuditCheck verifies the whole audit log and its index by person in
// the background, once now and then every `every`, in one goroutine that
// pauses after each page it reads (pacing), so requests keep the machine.
// Open checked only the rows since the last such pass at start; this
// covers the rest. A pass that finds tampering logs one line at ERROR,
// "audit log tampered", with the first problem's chain, seq and kind.
// Close stops it.
func (k *Kernel) StartAuditCheck(every time.Duration, log *slog.Logger) {
	ctx, stop := context.WithCancel(context.Background())
	c := &auditChecker{stop: stop, done: make(chan struct{})}
	k.checker = c
	go func() {
		defer close(c.done)
		for {
			c.pass(ctx, k.cfg, log)
			select {
			case <-ctx.Done():
				return
			case <-time.After(every):
			}
		}
	}()
}

// AuditCheck returns where the background verification stands; zero if
// it was not started.
func (k *Kernel) AuditCheck() AuditCheck {
	if k.checker == nil {
		return AuditCheck{}
	}
	k.checker.mu.Lock()
	defer k.checker.mu.Unlock()
	return k.checker.state
}

// pass runs one verification and records its outcome.
func (c *auditChecker) pass(ctx context.Context, cfg Config, log *slog.Logger) {
	start := time.Now()
	resumed := start
	r, err := audit.Recheck(ctx, cfg.Data, cfg.Keys, cfg.KeysDir, func() {
		pause(ctx, time.Since(resumed)) // the page read and the macs computed since the last pause
		resumed = time.Now()
	})
	if ctx.Err() != nil {
		return // stopped, not failed
	}
	took := time.Since(start)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.LastRun = time.Now()
	switch {
	case err != nil:
		c.state.Failures++
		log.Error("audit log verification could not run", "err", err)
	case !r.OK():
		c.state.Failures++
		c.state.Problems, c.state.Took = len(r.Problems), took
		p := r.Problems[0]
		log.Error("audit log tampered", "problems", len(r.Problems), "chain", p.Chain, "seq", p.Seq, "kind", p.Kind.String())
	default:
		c.state.LastSuccess, c.state.Problems, c.state.Took = c.state.LastRun, 0, took
		c.state.Rows = rows(r)
		log.Info("audit log verified", "entries", c.state.Rows, "took", took.Round(time.Millisecond))
	}
}

func rows(r *audit.Report) (n int64) {
	for _, c := range r.Chains {
		n += c.Rows
	}
	return n
}

// pause waits four times as long as the work since the last pause took
// (5 ms at least, 1 s at most): the check takes at most a fifth of one
// core's time, and leaves the database's connections free in between.
func pause(ctx context.Context, took time.Duration) {
	t := time.NewTimer(min(max(4*took, 5*time.Millisecond), time.Second))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// close stops the check and waits for it.
func (c *auditChecker) close() {
	c.stop()
	<-c.done
}

// AuditHead is one audit chain's checkpointed end: its last seq, the head
// mac (hex) and when the checkpoint was written.
type AuditHead struct {
	Chain        string
	Seq          int64
	Hash         string
	CheckpointAt time.Time
}

// AuditHeads returns every audit chain's checkpointed head, for the
// operators' console; the log's state, with no entry and no person.
func (k *Kernel) AuditHeads(ctx context.Context) ([]AuditHead, error) {
	if err := k.AuditFlush(ctx); err != nil {
		return nil, err
	}
	hs, err := audit.Heads(ctx, k.cfg.Keys)
	if err != nil {
		return nil, err
	}
	out := make([]AuditHead, 0, len(hs))
	for _, h := range hs {
		out = append(out, AuditHead{Chain: h.Chain, Seq: h.Seq, Hash: hex.EncodeToString(h.MAC), CheckpointAt: h.At})
	}
	return out, nil
}
