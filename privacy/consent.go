package privacy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/sqldb"
)

// Scope is what a consent covers: a feature, a purpose or a recipient.
type Scope string

// FeatureScope is the consent scope of a feature.
func FeatureScope(f FeatureID) Scope { return Scope("feature:" + string(f)) }

// RecipientScope is the consent scope of handing data to a partner.
func RecipientScope(p PartnerID) Scope { return Scope("recipient:" + string(p)) }

// PolicyScope is the scope of accepting the privacy policy itself.
const PolicyScope Scope = "policy"

// ConsentKind distinguishes general consent from the separate consent the
// law asks for (PIPL art. 23, 25, 29, 39) and a guardian's consent for a
// child under 14 (PIPL art. 31).
type ConsentKind string

const (
	General  ConsentKind = "general"
	Separate ConsentKind = "separate"
	Guardian ConsentKind = "guardian"
)

// ConsentAction is a grant or a withdrawal.
type ConsentAction string

const (
	Grant    ConsentAction = "grant"
	Withdraw ConsentAction = "withdraw"
)

// ConsentRecord is one row of the append-only consent ledger.
type ConsentRecord struct {
	ID            string             `json:"id"`
	Subject       minimall.SubjectID `json:"subject"`
	Scope         Scope              `json:"scope"`
	Kind          ConsentKind        `json:"kind"`
	Action        ConsentAction      `json:"action"`
	PolicyVersion int                `json:"policy_version"`
	Channel       string             `json:"channel"`
	Evidence      string             `json:"evidence"`
	At            time.Time          `json:"at"`
}

// ConsentState is the current state of one scope for one subject.
type ConsentState int

const (
	NeverAsked ConsentState = iota
	Granted
	Withdrawn
	// Outdated: granted under a policy version older than the last major
	// change (policy 六): consent-based features stop until re-accepted.
	Outdated
)

// Ledger is the consent ledger: grants and withdrawals are appended, never
// rewritten; withdrawal stops processing at once (PIPL art. 15).
type Ledger struct {
	db *sqldb.DB
	// held journals withdrawals before they are written (nil in tests
	// that build a ledger alone).
	held interface {
		RecordAct(ctx context.Context, s minimall.SubjectID, act, target string) error
	}
	// policyVersion is the version new records are made under;
	// majorVersion the oldest version whose consents still count.
	policyVersion atomic.Int64
	majorVersion  atomic.Int64
	seq           atomic.Int64

	mu    sync.RWMutex
	cache map[minimall.SubjectID]cachedConsents
	// forgets counts Forget calls: a load that began before one may have
	// read the records it was about, so it is not kept.
	forgets uint64
}

type cachedConsents struct {
	latest map[Scope]ConsentRecord
	loaded time.Time
}

// consentCacheTTL bounds how stale a node's cached consents can be even if
// a change-feed invalidation were lost; in-process changes invalidate at
// once, other nodes within the feed's poll interval.
const consentCacheTTL = 30 * time.Second

func newLedger(db *sqldb.DB) *Ledger {
	l := &Ledger{db: db, cache: map[minimall.SubjectID]cachedConsents{}}
	l.policyVersion.Store(1)
	l.majorVersion.Store(1)
	return l
}

// SetPolicyVersions sets the current policy version and the last major one.
func (l *Ledger) SetPolicyVersions(current, lastMajor int) {
	l.policyVersion.Store(int64(current))
	l.majorVersion.Store(int64(lastMajor))
	l.mu.Lock()
	l.cache = map[minimall.SubjectID]cachedConsents{}
	l.mu.Unlock()
}

// PolicyVersion returns the current policy version.
func (l *Ledger) PolicyVersion() int { return int(l.policyVersion.Load()) }

// ConsentChange is a grant or withdrawal to record.
type ConsentChange struct {
	Subject  minimall.SubjectID
	Scope    Scope
	Kind     ConsentKind
	Action   ConsentAction
	Channel  string // api, web, cli
	Evidence string // request id or consent-screen id; never personal information
}

// Record appends a change in its own transaction. A withdrawal is first
// journalled in the key store (Kernel.RecordAct), so a restore of a data
// backup taken before it never grants the consent again.
func (l *Ledger) Record(ctx context.Context, c ConsentChange) (ConsentRecord, error) {
	var out ConsentRecord
	if c.Action == Withdraw && l.held != nil {
		if err := c.validate(); err != nil {
			return out, &minimall.Error{Code: minimall.Invalid, Op: "consent.Record", Message: err.Error()}
		}
		if err := l.held.RecordAct(ctx, c.Subject, ActConsentWithdrawn, string(c.Scope)); err != nil {
			return out, err
		}
	}
	err := l.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		rec, err := l.RecordTx(ctx, tx, c)
		if err != nil {
			return err
		}
		out = rec
		return nil
	})
	return out, err
}

// RecordTx appends a change inside the caller's transaction and emits a
// change-feed event so other nodes drop their cached consents. The local
// cache is dropped at once; a rolled-back transaction only costs a reload.
func (l *Ledger) RecordTx(ctx context.Context, tx *sqldb.Tx, c ConsentChange) (ConsentRecord, error) {
	const op = "consent.Record"
	if err := c.validate(); err != nil {
		return ConsentRecord{}, &minimall.Error{Code: minimall.Invalid, Op: op, Message: err.Error()}
	}
	rec := ConsentRecord{
		ID: l.newID(tx.Now()), Subject: c.Subject, Scope: c.Scope, Kind: c.Kind,
		Action: c.Action, PolicyVersion: l.PolicyVersion(), Channel: c.Channel, Evidence: c.Evidence, At: tx.Now(),
	}
	if err := l.insert(ctx, tx, rec); err != nil {
		return ConsentRecord{}, err
	}
	return rec, nil
}

// insert appends rec and emits a change-feed event so other nodes drop
// their cached consents. The local cache is dropped at once, and again
// once the change is committed: a reader between the two would otherwise
// cache the state without it.
func (l *Ledger) insert(ctx context.Context, tx *sqldb.Tx, rec ConsentRecord) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO consents (id, subject, scope, kind, action, policy_version, channel, evidence, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.ID, string(rec.Subject), string(rec.Scope), string(rec.Kind), string(rec.Action), rec.PolicyVersion, rec.Channel, rec.Evidence, sqldb.Micros(rec.At))
	if err != nil {
		return sqldb.FormatError("consent.Record", err)
	}
	if err := outbox.Emit(ctx, tx, outbox.TopicConsentChanged, rec.Subject, map[string]string{"scope": string(rec.Scope), "action": string(rec.Action)}); err != nil {
		return err
	}
	l.Forget(rec.Subject)
	tx.AfterCommit(func() { l.Forget(rec.Subject) })
	return nil
}

// newID returns an id that sorts in the order records were made: the
// transaction time, then a process-wide counter for records made within
// the same microsecond, then randomness to keep nodes apart.
func (l *Ledger) newID(now time.Time) string {
	return fmt.Sprintf("c_%014x%08x%s", sqldb.Micros(now), l.seq.Add(1)&0xffffffff, minimall.RandomToken(3))
}

func (c ConsentChange) validate() error {
	switch {
	case c.Subject == "":
		return fmt.Errorf("consent needs a subject")
	case !validScope(c.Scope):
		return fmt.Errorf("unknown consent scope %q", c.Scope)
	case c.Kind != General && c.Kind != Separate && c.Kind != Guardian:
		return fmt.Errorf("unknown consent kind %q", c.Kind)
	case c.Action != Grant && c.Action != Withdraw:
		return fmt.Errorf("unknown consent action %q", c.Action)
	case c.Channel == "":
		return fmt.Errorf("consent needs a channel")
	}
	return nil
}

func validScope(s Scope) bool {
	if s == PolicyScope {
		return true
	}
	for _, f := range features {
		if s == FeatureScope(f.ID) {
			return true
		}
	}
	for _, p := range partners {
		if s == RecipientScope(p.ID) {
			return true
		}
	}
	return false
}

// Forget drops a subject's cached consents (called on local writes and on
// change-feed events from other nodes).
func (l *Ledger) Forget(s minimall.SubjectID) {
	l.mu.Lock()
	delete(l.cache, s)
	l.forgets++
	l.mu.Unlock()
}

// State returns the current state of scope for subject, with the record
// that decided it.
func (l *Ledger) State(ctx context.Context, s minimall.SubjectID, scope Scope) (ConsentState, ConsentRecord, error) {
	latest, err := l.latest(ctx, s)
	if err != nil {
		return NeverAsked, ConsentRecord{}, err
	}
	rec, ok := latest[scope]
	switch {
	case !ok:
		return NeverAsked, rec, nil
	case rec.Action == Withdraw:
		return Withdrawn, rec, nil
	case int64(rec.PolicyVersion) < l.majorVersion.Load():
		return Outdated, rec, nil
	}
	return Granted, rec, nil
}

func (l *Ledger) latest(ctx context.Context, s minimall.SubjectID) (map[Scope]ConsentRecord, error) {
	l.mu.RLock()
	c, ok := l.cache[s]
	forgets := l.forgets
	l.mu.RUnlock()
	if ok && time.Since(c.loaded) < consentCacheTTL {
		return c.latest, nil
	}
	hist, err := l.History(ctx, s)
	if err != nil {
		return nil, err
	}
	latest := make(map[Scope]ConsentRecord, len(hist))
	for _, r := range hist { // oldest first, so the last record per scope wins
		latest[r.Scope] = r
	}
	l.mu.Lock()
	if l.forgets == forgets {
		l.cache[s] = cachedConsents{latest: latest, loaded: time.Now()}
	}
	l.mu.Unlock()
	return latest, nil
}

// History returns every consent record of a subject, oldest first.
func (l *Ledger) History(ctx context.Context, s minimall.SubjectID) ([]ConsentRecord, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, scope, kind, action, policy_version, channel, evidence, at FROM consents WHERE subject = ? ORDER BY id`, string(s))
	if err != nil {
		return nil, fmt.Errorf("consent history: %w", err)
	}
	defer rows.Close()
	var out []ConsentRecord
	for rows.Next() {
		r := ConsentRecord{Subject: s}
		var at int64
		if err := rows.Scan(&r.ID, &r.Scope, &r.Kind, &r.Action, &r.PolicyVersion, &r.Channel, &r.Evidence, &at); err != nil {
			return nil, fmt.Errorf("consent history: %w", err)
		}
		r.At = sqldb.FromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

var consentStateNames = [...]string{NeverAsked: "never_asked", Granted: "granted", Withdrawn: "withdrawn", Outdated: "outdated"}

// String names the state as the API and the export show it.
func (c ConsentState) String() string {
	if int(c) < len(consentStateNames) {
		return consentStateNames[c]
	}
	return "unknown"
}

// ConsentKindFor returns the kind of consent a person's own answer on
// scope is: separate for handing data to a recipient (PIPL art. 23) and
// for a feature the law asks it for (FeatureSpec.SeparateConsent: art. 25,
// 29, 39), general otherwise. A guardian's consent is given through the
// guardian procedure, never chosen here.
func ConsentKindFor(scope Scope) ConsentKind {
	if strings.HasPrefix(string(scope), "recipient:") {
		return Separate
	}
	if f, ok := Feature(FeatureID(strings.TrimPrefix(string(scope), "feature:"))); ok && f.SeparateConsent {
		return Separate
	}
	return General
}

// FeatureConsent is one function and where a person stands on it.
type FeatureConsent struct {
	Feature         FeatureID `json:"feature"`
	Name            string    `json:"name"`
	NameEN          string    `json:"name_en"`
	Basic           bool      `json:"basic"`
	SeparateConsent bool      `json:"separate_consent"`
	// State is not_needed for a basic function, which rests on the
	// contract, and otherwise the ledger's ConsentState.
	State string `json:"state"`
}

// Features lists every function, basic or additional, in the registry's
// order, with where s stands on each: the one consent list the person's
// consent page and their rights export both show.
func (l *Ledger) Features(ctx context.Context, s minimall.SubjectID) ([]FeatureConsent, error) {
	out := make([]FeatureConsent, 0, len(features))
	for _, f := range Features() {
		fc := FeatureConsent{Feature: f.ID, Name: f.Name, NameEN: f.NameEN, Basic: f.Basic, SeparateConsent: f.SeparateConsent, State: "not_needed"}
		if !f.Basic {
			st, _, err := l.State(ctx, s, FeatureScope(f.ID))
			if err != nil {
				return nil, err
			}
			fc.State = st.String()
		}
		out = append(out, fc)
	}
	return out, nil
}

// ConsentDay is how many grants and withdrawals one feature's consent
// saw on one day (UTC): counts only, never a person.
type ConsentDay struct {
	Feature     FeatureID
	Day         time.Time
	Grants      int
	Withdrawals int
}

// microsPerDay turns the ledger's microsecond times into UTC days in SQL.
const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// DailyCounts counts the feature consents granted and withdrawn per day
// since since, by feature then day: for the operators' console charts.
// It reads no subject.
func (l *Ledger) DailyCounts(ctx context.Context, since time.Time) ([]ConsentDay, error) {
	const op = "privacy.ConsentDailyCounts"
	rows, err := l.db.QueryContext(ctx, `SELECT scope, at / `+strconv.FormatInt(microsPerDay, 10)+` AS day,
		SUM(CASE WHEN action = 'grant' THEN 1 ELSE 0 END), SUM(CASE WHEN action = 'withdraw' THEN 1 ELSE 0 END)
		FROM consents WHERE scope LIKE 'feature:%' AND at >= ? GROUP BY scope, day ORDER BY scope, day`, sqldb.Micros(since))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []ConsentDay
	for rows.Next() {
		var scope string
		var day int64
		var c ConsentDay
		if err := rows.Scan(&scope, &day, &c.Grants, &c.Withdrawals); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		c.Feature, c.Day = FeatureID(strings.TrimPrefix(scope, "feature:")), time.UnixMicro(day*microsPerDay).UTC()
		out = append(out, c)
	}
	return out, sqldb.FormatError(op, rows.Err())
}
