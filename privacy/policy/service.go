package policy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service keeps the published policy versions (policy 六), the DPO
// contact and complaint channel the policy names (八; complaints are rights
// requests, in the rights queue) and the record of public disclosures
// (三(三)). It tells the
// consent ledger which version is current and which was the last major
// one, so consents given before a major change stop counting until the
// person accepts the new version.
type Service struct {
	db *sqldb.DB
	k  *privacy.Kernel

	// Broadcast tells every account holder of a controller transfer.
	Broadcast Broadcaster

	mu      sync.Mutex
	contact Contact
	loaded  [2]int // current and last major version last given to the ledger
	stop    chan struct{}
	done    chan struct{}
}

// NewService returns the service; call Load before serving.
func NewService(db *sqldb.DB, k *privacy.Kernel, c Contact) *Service {
	return &Service{db: db, k: k, contact: c}
}

// Contact returns the configured contact.
func (s *Service) Contact() Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.contact
}

// ChangeContact changes the configured contact (as a restart with another
// --dpo-contact would); it takes effect in the next published version.
func (s *Service) ChangeContact(c Contact) {
	s.mu.Lock()
	c.Controller = s.contact.Controller // set by transfers, not by configuration
	s.contact = c
	s.mu.Unlock()
}

// Version is one published version.
type Version struct {
	Version     int             `json:"version"`
	PublishedAt time.Time       `json:"published_at"`
	Major       bool            `json:"major"`
	Kind        string          `json:"kind"` // initial, major or minor
	Reasons     []Reason        `json:"reasons"`
	PublishedBy string          `json:"published_by"`
	Text        string          `json:"text,omitempty"`
	Registry    json.RawMessage `json:"registry,omitempty"`
}

// Load reads the current and last major version and hands them to the
// consent ledger. With nothing published yet, version 1 is current (the
// version people accept at registration before the first publish).
func (s *Service) Load(ctx context.Context) error {
	var cur, major int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 1), COALESCE(MAX(CASE WHEN major = 1 THEN version ELSE 0 END), 1) FROM policy_versions`).Scan(&cur, &major)
	if err != nil {
		return sqldb.FormatError("policy.Load", err)
	}
	if major < 1 {
		major = 1
	}
	ctrl, err := s.loadController(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.contact.Controller = ctrl
	changed := s.loaded != [2]int{cur, major}
	s.loaded = [2]int{cur, major}
	s.mu.Unlock()
	if changed || s.k.Consents.PolicyVersion() != cur {
		s.k.Consents.SetPolicyVersions(cur, major)
	}
	return nil
}

// Follow reloads the versions every interval, so a version published on
// another node or by the CLI takes effect here within interval.
func (s *Service) Follow(interval time.Duration) {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), interval)
				s.Load(ctx) // a failed poll is retried at the next tick
				cancel()
			}
		}
	}()
}

// Close stops following.
func (s *Service) Close() error {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
	return nil
}

// Pending classifies the running registry against the last published
// version: what publishing now would be.
func (s *Service) Pending(ctx context.Context) (last int, c Change, err error) {
	last, snap, err := s.lastSnapshot(ctx, s.db)
	if err != nil {
		return 0, Change{}, err
	}
	return last, Classify(snap, Current(s.Contact())), nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) lastSnapshot(ctx context.Context, q queryer) (int, *Snapshot, error) {
	var v int
	var reg string
	err := q.QueryRowContext(ctx, `SELECT version, registry FROM policy_versions ORDER BY version DESC LIMIT 1`).Scan(&v, &reg)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, sqldb.FormatError("policy.lastSnapshot", err)
	}
	snap, err := ParseSnapshot([]byte(reg))
	if err != nil {
		return 0, nil, fmt.Errorf("policy: stored snapshot %d: %w", v, err)
	}
	return v, snap, nil
}

// Publish snapshots the policy text and the field registry as a new
// version, classified against the last one. Only the DPO (or the CLI, a
// system actor) publishes; with nothing changed there is nothing to
// publish.
func (s *Service) Publish(ctx context.Context, a minimall.Actor) (*Version, error) {
	const op = "policy.Publish"
	if !(a.Kind == minimall.System || a.Kind == minimall.Operator && a.Role == minimall.RoleDPO) {
		return nil, minimall.Errorf(minimall.Denied, op, "Only the personal-information protection officer publishes the policy. 仅个人信息保护负责人可发布隐私政策。")
	}
	var v *Version
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		last, snap, err := s.lastSnapshot(ctx, tx)
		if err != nil {
			return err
		}
		next := Current(s.Contact())
		change := Classify(snap, next)
		if change.Kind() == "none" {
			return minimall.Errorf(minimall.Conflict, op, "Nothing changed since version %d; nothing to publish. 自第 %d 版以来没有变化，无需发布。", last, last)
		}
		v = &Version{Version: last + 1, PublishedAt: tx.Now(), Major: change.Major, Kind: change.Kind(), Reasons: change.Reasons,
			PublishedBy: a.String(), Registry: next.Canonical()}
		if v.Text, err = Render(v.Version, v.PublishedAt.UTC().Format("2006-01-02"), next.Contact); err != nil {
			return err
		}
		reasons, _ := json.Marshal(v.Reasons)
		_, err = tx.ExecContext(ctx, `INSERT INTO policy_versions (version, published_at, major, reasons, body, registry, published_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			v.Version, sqldb.Micros(v.PublishedAt), boolInt(v.Major), string(reasons), v.Text, string(v.Registry), v.PublishedBy)
		if err != nil {
			return sqldb.FormatError(op, err) // a concurrent publish took the number: Conflict
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The audit log shares the data database's one SQLite writer, so it is
	// written after the commit, never inside the transaction.
	if err := s.k.AuditAppend(ctx, a, "", "policy_publish", fmt.Sprintf("v%d %s", v.Version, v.Kind)); err != nil {
		return nil, err
	}
	return v, s.Load(ctx)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Versions lists every published version, newest first, without texts.
func (s *Service) Versions(ctx context.Context) ([]*Version, error) {
	const op = "policy.Versions"
	rows, err := s.db.QueryContext(ctx, `SELECT version, published_at, major, reasons, published_by FROM policy_versions ORDER BY version DESC`)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []*Version{}
	for rows.Next() {
		v, err := scanVersion(rows.Scan, false)
		if err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		out = append(out, v)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// Version returns version n with its archived text and registry snapshot.
func (s *Service) Version(ctx context.Context, n int) (*Version, error) {
	const op = "policy.Version"
	row := s.db.QueryRowContext(ctx, `SELECT version, published_at, major, reasons, published_by, body, registry FROM policy_versions WHERE version = ?`, n)
	v, err := scanVersion(row.Scan, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, minimall.Errorf(minimall.NotFound, op, "No policy version %d. 没有第 %d 版隐私政策。", n, n)
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	return v, nil
}

func scanVersion(scan func(...any) error, full bool) (*Version, error) {
	var v Version
	var at int64
	var major int
	var reasons, body, reg string
	dest := []any{&v.Version, &at, &major, &reasons, &v.PublishedBy}
	if full {
		dest = append(dest, &body, &reg)
	}
	if err := scan(dest...); err != nil {
		return nil, err
	}
	v.PublishedAt, v.Major = sqldb.FromMicros(at), major == 1
	if err := json.Unmarshal([]byte(reasons), &v.Reasons); err != nil {
		return nil, err
	}
	v.Kind = Change{Major: v.Major, Reasons: v.Reasons}.Kind()
	if full {
		v.Text, v.Registry = body, json.RawMessage(reg)
	}
	return &v, nil
}

// Current returns the policy in force: the newest published version with
// its text, or before the first publication the draft, numbered 1.
func (s *Service) Current(ctx context.Context) (*Version, error) {
	vs, err := s.Versions(ctx)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return s.Version(ctx, vs[0].Version)
	}
	text, err := s.Draft(ctx)
	if err != nil {
		return nil, err
	}
	return &Version{Version: 1, Text: text}, nil
}

// Draft renders the policy as publishing now would, numbered as the next
// version.
func (s *Service) Draft(ctx context.Context) (string, error) {
	last, _, err := s.lastSnapshot(ctx, s.db)
	if err != nil {
		return "", err
	}
	return Render(last+1, "", s.Contact())
}

// Notice is what a person who must accept a new version is shown.
type Notice struct {
	Version         int      `json:"version"`
	AcceptedVersion int      `json:"accepted_version"`
	Summary         []Reason `json:"summary"`
	Text            string   `json:"text"`
	Accept          string   `json:"accept"`
	Message         string   `json:"message"`
}

// Notice returns what subject must accept, or nil if they are up to date:
// after a major change their acceptance is outdated.
func (s *Service) Notice(ctx context.Context, subject minimall.SubjectID) (*Notice, error) {
	state, rec, err := s.k.Consents.State(ctx, subject, privacy.PolicyScope)
	if err != nil || state == privacy.Granted {
		return nil, err
	}
	cur := s.k.PolicyVersion()
	n := &Notice{Version: cur, AcceptedVersion: rec.PolicyVersion, Summary: []Reason{},
		Text: fmt.Sprintf("/api/v1/policy/versions/%d", cur), Accept: "/api/v1/policy/accept",
		Message: "隐私政策有重大更新，请阅读并接受新版本；接受前依赖您同意的附加功能暂停，基本功能不受影响。 " +
			"The privacy policy changed in a major way: read and accept the new version. Until then, functions that rest on your consent are paused; basic functions go on."}
	rows, err := s.db.QueryContext(ctx, `SELECT reasons FROM policy_versions WHERE version > ? AND major = 1 ORDER BY version`, rec.PolicyVersion)
	if err != nil {
		return nil, sqldb.FormatError("policy.Notice", err)
	}
	defer rows.Close()
	for rows.Next() {
		var reasons string
		var rs []Reason
		if err := rows.Scan(&reasons); err != nil {
			return nil, sqldb.FormatError("policy.Notice", err)
		}
		if err := json.Unmarshal([]byte(reasons), &rs); err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.Major {
				n.Summary = append(n.Summary, r)
			}
		}
	}
	return n, sqldb.FormatError("policy.Notice", rows.Err())
}

// AcceptRequest is a person's acceptance of a version.
type AcceptRequest struct {
	Version int `json:"version"`
	// Renew, unless false, renews the consents the major change paused,
	// each as it was given; the person may withdraw any of them afterwards.
	Renew *bool `json:"renew,omitempty"`
}

// Acceptance is what accepting recorded.
type Acceptance struct {
	Version int             `json:"version"`
	Renewed []privacy.Scope `json:"renewed"`
}

// Accept records that the actor accepted the current version and, unless
// told not to, renews the consents a major change paused.
func (s *Service) Accept(ctx context.Context, a minimall.Actor, req AcceptRequest, requestID string) (*Acceptance, error) {
	const op = "policy.Accept"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	cur := s.k.PolicyVersion()
	if req.Version != cur {
		return nil, minimall.Errorf(minimall.Conflict, op, "Version %d is current; read it and accept that one. 当前为第 %d 版，请阅读并接受该版本。", cur, cur)
	}
	type renewal struct {
		scope privacy.Scope
		kind  privacy.ConsentKind
	}
	var renew []renewal
	if req.Renew == nil || *req.Renew {
		for _, f := range privacy.Features() {
			st, rec, err := s.k.Consents.State(ctx, a.Subject, privacy.FeatureScope(f.ID))
			if err != nil {
				return nil, err
			}
			if st == privacy.Outdated {
				renew = append(renew, renewal{rec.Scope, rec.Kind})
			}
		}
	}
	var out *Acceptance
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: a.Subject, Scope: privacy.PolicyScope, Kind: privacy.General,
			Action: privacy.Grant, Channel: "api", Evidence: requestID})
		if err != nil {
			return err
		}
		out = &Acceptance{Version: cur, Renewed: []privacy.Scope{}}
		for _, r := range renew {
			_, err := s.k.Consents.RecordTx(ctx, tx, privacy.ConsentChange{Subject: a.Subject, Scope: r.scope, Kind: r.kind,
				Action: privacy.Grant, Channel: "api", Evidence: "policy-accept " + requestID})
			if err != nil {
				return err
			}
			out.Renewed = append(out.Renewed, r.scope)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The ledger dropped its cache when recording; drop it again now the
	// rows are visible, so no read in between cached the old state.
	s.k.Consents.Forget(a.Subject)
	return out, nil
}
