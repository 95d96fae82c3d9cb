// Package privacy is the only way to read or write personal information.
// It holds the field registry (what may be held, why, for how long, and who
// may receive it), the consent ledger, the guard that seals and opens values
// through the vault, the operators who may act for declared purposes, and
// the hash-chained audit log every decision goes to.
package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
	"minimall/sqldb"
)

// Config says where the kernel keeps its state.
type Config struct {
	Data    *sqldb.DB // the data database
	Keys    *sqldb.DB // the key store: a separate database outside the data folder
	KeysDir string    // holds the master, lookup and audit keys
	Clock   minimall.Clock
	Chain   string // this node's audit chain; one per writer node
	// AuditMaxDelay bounds how long a guard decision's audit entry may wait
	// before it is durable; zero means the audit package default.
	AuditMaxDelay time.Duration
	// AuditArchiveDir is where the scheduled audit sweep writes the entries
	// past AuditRetention before they go; empty: they are dropped.
	AuditArchiveDir string
}

// Kernel is the opened privacy kernel.
type Kernel struct {
	db        *sqldb.DB
	keys      *sqldb.DB // the key store: the deletion ledger lives there
	vault     *vault.Vault
	audit     *audit.Log
	guard     *Guard
	clock     minimall.Clock
	Consents  *Ledger
	Operators *Operators
	feed      *outbox.Feed
	cfg       Config // for the checks that reopen the stores (VerifyAudit)
	stop      context.CancelFunc
	done      chan struct{}
	checker   *auditChecker // the background verification, if started
	anchor    *anchor       // the publisher of signed heads, if started
	replayed  DeletionReplay
	// replayers replay held acts (heldacts.go), by act.
	actsMu    sync.Mutex
	replayers map[string]ActReplayer
}

// Open opens the kernel: the vault on the key store, the audit log, and the
// consent ledger; it replays the erasure and deletion ledgers onto the data
// database and starts following the change feed to drop caches other nodes
// invalidate.
func Open(ctx context.Context, c Config) (*Kernel, error) {
	if c.Clock == nil {
		c.Clock = minimall.SystemClock{}
	}
	v, err := vault.Open(ctx, c.Keys, c.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("privacy: open vault: %w", err)
	}
	if err := v.PrepareLookups(ctx, lookupNames()); err != nil {
		return nil, fmt.Errorf("privacy: open vault: %w", err)
	}
	log, err := audit.Open(ctx, c.Data, c.Keys, c.KeysDir, audit.Options{Chain: c.Chain, MaxDelay: c.AuditMaxDelay})
	if err != nil {
		return nil, fmt.Errorf("privacy: open audit log: %w", err)
	}
	k := &Kernel{db: c.Data, keys: c.Keys, vault: v, audit: log, clock: c.Clock, Consents: newLedger(c.Data), feed: outbox.NewFeed(c.Data), cfg: c}
	k.guard = &Guard{vault: v, audit: log, consents: k.Consents, erased: newErasedSet(), minors: newMinorSet(), clock: c.Clock}
	k.Operators = &Operators{db: c.Data}
	k.Consents.held = k
	k.OnReplayAct(ActConsentWithdrawn, k.Consents.replayWithdrawal)
	if _, err := k.replayErasures(ctx); err != nil {
		log.Close()
		return nil, fmt.Errorf("privacy: replay erasures: %w", err)
	}
	if k.replayed, err = k.ReplayDeletions(ctx); err != nil {
		log.Close()
		return nil, fmt.Errorf("privacy: replay deletions: %w", err)
	}
	if err := k.loadMinors(ctx); err != nil {
		log.Close()
		return nil, err
	}
	if err := k.follow(ctx); err != nil {
		log.Close()
		return nil, err
	}
	return k, nil
}

// follow starts the change-feed follower that drops this node's cached
// consents and keys when another node changes them. The bound on a stale
// cache across nodes is the follower's poll interval (500 ms).
func (k *Kernel) follow(ctx context.Context) error {
	fl := &outbox.Follower{Feed: k.feed, Name: "privacy-cache", Interval: 500 * time.Millisecond, Handle: k.onChange}
	if err := fl.Start(ctx); err != nil {
		return fmt.Errorf("privacy: follow change feed: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	k.stop, k.done = stop, make(chan struct{})
	go func() {
		defer close(k.done)
		t := time.NewTicker(fl.Interval)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				fl.Poll(runCtx)
			}
		}
	}()
	return nil
}

func (k *Kernel) onChange(ctx context.Context, evs []outbox.Event) error {
	for _, e := range evs {
		switch e.Topic {
		case outbox.TopicConsentChanged:
			k.Consents.Forget(e.Subject)
		case outbox.TopicSubjectErased:
			k.guard.erased.add(e.Subject)
			k.vault.Forget(e.Subject)
		case outbox.TopicKeysChanged:
			k.vault.Forget(e.Subject)
		case outbox.TopicRetentionExpired:
			var p struct {
				UpTo string `json:"up_to"`
			}
			if json.Unmarshal(e.Payload, &p) == nil && p.UpTo != "" {
				k.vault.ForgetRetention(p.UpTo)
			}
		case TopicMinorChanged:
			k.reloadMinor(ctx, e.Subject)
		}
	}
	return nil
}

// Close stops the follower and the background verification, and flushes
// the audit log.
func (k *Kernel) Close() error {
	if k.stop != nil {
		k.stop()
		<-k.done
	}
	if k.checker != nil {
		k.checker.close()
	}
	k.closeAnchor()
	return k.audit.Close()
}

// DeletionsReplayed returns what the replay of the deletion ledger at Open
// did (the restore command reports it).
func (k *Kernel) DeletionsReplayed() DeletionReplay { return k.replayed }

// Guard returns the guard.
func (k *Kernel) Guard() *Guard { return k.guard }

// Feed returns the change feed.
func (k *Kernel) Feed() *outbox.Feed { return k.feed }

// PolicyVersion returns the policy version new consents are recorded under.
func (k *Kernel) PolicyVersion() int { return k.Consents.PolicyVersion() }

// AddSubject registers in tx a person the platform will hold data about,
// with the region their data is stored in (policy 五(二)). The caller
// mints s (minimall.NewSubjectID) before the write and seals the person's
// values under it first: the first Seal makes the person's key in the key
// store, a database of its own, so no write waits on it (sqldb: seal
// outside the write). A write that then fails leaves a key under which
// nothing was stored: harmless, and as safe to erase as any.
func (k *Kernel) AddSubject(ctx context.Context, tx *sqldb.Tx, s minimall.SubjectID, region string) error {
	if region == "" {
		region = "CN"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO subjects (id, region, created_at) VALUES (?, ?, ?)`, string(s), region, sqldb.Micros(tx.Now()))
	return sqldb.FormatError("privacy.AddSubject", err)
}

// Pseudonym returns a stable pseudonymous id of s for one domain (such as
// "ads"), derived from s's key: erasing s unlinks every pseudonym at once.
func (k *Kernel) Pseudonym(ctx context.Context, s minimall.SubjectID, domain string) (string, error) {
	p, err := k.vault.Pseudonym(ctx, s, domain)
	if errors.Is(err, vault.ErrErased) {
		return "", &Denied{Reason: SubjectErased}
	}
	return p, err
}

// BlindIndex returns a keyed hash of value of field f for equality lookups
// on sealed columns (sign-in by phone, unique member names). Only f's
// lookup key (LookupFields), wrapped by the master key, can compute it.
func (k *Kernel) BlindIndex(f Field, value []byte) []byte {
	return k.vault.BlindIndex(string(f), value)
}

// AuditAppend writes an audit entry and waits until it is durable.
func (k *Kernel) AuditAppend(ctx context.Context, a minimall.Actor, s minimall.SubjectID, decision, reason string) error {
	_, err := k.audit.Append(ctx, audit.Entry{At: k.clock.Now(), Actor: a.String(), Subject: string(s), Decision: decision, Reason: reason, Ref: a.Reason})
	return err
}

// AuditStats counts the audit entries made durable since the kernel
// opened: all of them, and the guard's allowed and denied decisions.
func (k *Kernel) AuditStats() (durable, allowed, denied int64) {
	st := k.audit.Stats()
	return st.Durable.Load(), st.Allowed.Load(), st.Denied.Load()
}

// TamperedOpens counts the opens refused since start because the sealed
// value failed authentication: altered, moved, or an older value written
// back into a versioned cell (each refusal is also an audit entry).
func (k *Kernel) TamperedOpens() int64 { return k.guard.tampered.Load() }

// AuditFlush waits until every audit entry recorded so far is durable.
func (k *Kernel) AuditFlush(ctx context.Context) error { return k.audit.Flush(ctx) }

// AuditEntry is an audit log row as other packages see it.
type AuditEntry = audit.Record

// AuditFind returns audit entries about subject s (for exports and for
// computing who an incident affected).
func (k *Kernel) AuditFind(ctx context.Context, s minimall.SubjectID, since, until time.Time, limit int) ([]AuditEntry, error) {
	return k.audit.Find(ctx, audit.Filter{Subject: string(s), Since: since, Until: until, Limit: limit})
}
