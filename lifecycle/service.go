package lifecycle

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service runs retention sweeps and the shutdown procedure.
type Service struct {
	db       *sqldb.DB
	k        *privacy.Kernel
	sweepers []Sweeper
	holders  Holders
	Logger   *slog.Logger

	mu       sync.Mutex // one sweep at a time per node
	shutting sync.Mutex // one shutdown procedure at a time per node
}

// NewService returns the lifecycle service over the areas' sweepers.
// holders lists the account holders the shutdown notice goes to; it may be
// nil when the shutdown procedure is not used.
func NewService(db *sqldb.DB, k *privacy.Kernel, holders Holders, sweepers ...Sweeper) *Service {
	return &Service{db: db, k: k, holders: holders, sweepers: sweepers, Logger: slog.New(slog.DiscardHandler)}
}

// Options tune one sweep.
type Options struct {
	DryRun   bool
	Shutdown bool
	Progress func(n int)

	procedure bool // the shutdown procedure's own sweep (shutdown.go)
}

// Report is what a sweep removed: counts per area and table, the retention
// keys destroyed, and how fast it went. It holds nothing about a person.
type Report struct {
	ID         string        `json:"id"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	DryRun     bool          `json:"dry_run"`
	Shutdown   bool          `json:"shutdown"`
	Areas      []SweepReport `json:"areas"`
	// RetentionPeriod is the last completion month (YYYY-MM) whose
	// transaction records are past E-commerce Law art. 31's three years;
	// RetentionKeys is how many of their keys were destroyed.
	RetentionPeriod  string  `json:"retention_period"`
	RetentionKeys    int     `json:"retention_keys_destroyed"`
	Removed          int     `json:"removed"`
	Seconds          float64 `json:"seconds"`
	RecordsPerSecond float64 `json:"records_per_second"`
	// ShutdownProcedure marks the sweep that completed the shutdown
	// procedure; a later call of it answers with this report.
	ShutdownProcedure bool `json:"shutdown_procedure,omitempty"`
}

// Sweep runs one sweep now: it destroys the retention keys whose period
// ended, then asks every area to remove what has expired, and records the
// report (a dry run changes nothing and records nothing). Returns Conflict
// if a sweep is already running on this node.
func (s *Service) Sweep(ctx context.Context, o Options) (*Report, error) {
	const op = "lifecycle.Sweep"
	if !s.mu.TryLock() {
		return nil, minimall.Errorf(minimall.Conflict, op, "A retention sweep is already running. 保存期限清理正在进行。")
	}
	defer s.mu.Unlock()
	started := time.Now()
	now := s.db.Now()
	rep := &Report{ID: "rr_" + minimall.RandomToken(8), StartedAt: now, DryRun: o.DryRun, Shutdown: o.Shutdown, ShutdownProcedure: o.procedure}
	rules := Rules{Now: now, Shutdown: o.Shutdown, DryRun: o.DryRun, Progress: o.Progress}
	rep.RetentionPeriod = privacy.ExpiredRetentionPeriod(now)
	if !o.DryRun {
		var err error
		// Keys first: a record whose key is gone is unreadable everywhere,
		// in backups too, before its row is deleted.
		if rep.RetentionPeriod, rep.RetentionKeys, err = s.k.DestroyRetentionPeriodsBefore(ctx, now); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	for _, w := range s.sweepers {
		ar, err := w.Sweep(ctx, rules)
		if ar.Area == "" {
			ar.Area = w.Area()
		}
		rep.Areas = append(rep.Areas, ar)
		rep.Removed += ar.Total()
		if err != nil {
			return rep, fmt.Errorf("%s: %s: %w", op, w.Area(), err)
		}
	}
	rep.FinishedAt = s.db.Now()
	rep.Seconds = time.Since(started).Seconds()
	if rep.Seconds > 0 {
		rep.RecordsPerSecond = float64(rep.Removed) / rep.Seconds
	}
	if o.DryRun {
		return rep, nil
	}
	return rep, s.save(ctx, rep)
}

func (s *Service) save(ctx context.Context, rep *Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO retention_runs (id, started_at, finished_at, dry_run, shutdown, removed, report) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		rep.ID, sqldb.Micros(rep.StartedAt), sqldb.Micros(rep.FinishedAt), 0, boolInt(rep.Shutdown), rep.Removed, string(b))
	return sqldb.FormatError("lifecycle.save", err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LastReport returns the report of the latest sweep. Returns NotFound if
// none ran yet.
func (s *Service) LastReport(ctx context.Context) (*Report, error) {
	const op = "lifecycle.LastReport"
	var b string
	err := s.db.QueryRowContext(ctx, `SELECT report FROM retention_runs ORDER BY started_at DESC, id DESC LIMIT 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, minimall.Errorf(minimall.NotFound, op, "No retention sweep has run yet. 尚未执行保存期限清理。")
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	var rep Report
	if err := json.Unmarshal([]byte(b), &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &rep, nil
}

// Run sweeps every interval until ctx ends; serve runs it in the
// background. A failed sweep is logged and retried at the next tick.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 24 * time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		shut, err := s.shutDown(ctx)
		if err != nil {
			s.Logger.Error("retention sweep", "err", err)
			continue
		}
		rep, err := s.Sweep(ctx, Options{Shutdown: shut})
		if err != nil {
			if !minimall.IsCode(err, minimall.Conflict) {
				s.Logger.Error("retention sweep", "err", err)
			}
			continue
		}
		s.Logger.Info("retention sweep", "id", rep.ID, "removed", rep.Removed, "retention_keys", rep.RetentionKeys, "seconds", rep.Seconds)
	}
}

// shutDown reports whether the platform has stopped: scheduled sweeps go
// on with the shutdown rule then.
func (s *Service) shutDown(ctx context.Context) (bool, error) {
	_, ok, err := s.k.ShutDownAt(ctx)
	return ok, err
}
