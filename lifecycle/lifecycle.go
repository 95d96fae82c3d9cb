// Package lifecycle keeps the policy's promises about how long personal
// information lives (policy 五(一)) and what happens when the platform
// stops (三(四)): a retention sweeper that deletes what the field registry
// no longer lets minimall keep, destroys the retention keys of transaction
// records whose legal period ended, reports what went, and a shutdown
// procedure that stops collection, tells every user, and sweeps with the
// shutdown rule. Each area sweeps its own tables through the Sweeper
// interface; this package never reads another area's tables.
package lifecycle

import (
	"context"
	"time"

	"minimall/privacy"
)

// Rules are what one sweep applies: the time it runs at, and whether the
// platform is shutting down, in which case everything not kept under a
// legal duty goes (policy 三(四), 四(三)5).
type Rules struct {
	Now      time.Time
	Shutdown bool
	// DryRun counts what would go and changes nothing.
	DryRun bool
	// Batch bounds the rows one delete statement removes, so a sweep never
	// holds the write lock long; zero means DefaultBatch.
	Batch int
	// Progress, if set, is told how many rows each batch removed (or, in
	// a dry run, counted).
	Progress func(n int)
}

// DefaultBatch is the rows one delete statement removes.
const DefaultBatch = 50_000

func (r Rules) batch() int {
	if r.Batch <= 0 {
		return DefaultBatch
	}
	return r.Batch
}

// CutoffFor returns the instant before which data kept under rule k goes,
// and false if none goes by time. Security logs and other records kept for
// a legal duty keep their period even at shutdown (Cybersecurity Law art.
// 21: at least six months); data kept until erased goes only at shutdown.
// Transaction records (AfterCompletion) go by destroying their retention
// keys; their cutoff is the completion time before which that happened.
func (r Rules) CutoffFor(k privacy.Retention) (time.Time, bool) {
	switch k.Rule {
	case privacy.SinceCollection, privacy.AfterCompletion:
		if k.Period > 0 {
			return r.Now.Add(-k.Period), true
		}
	case privacy.UntilErased:
		if r.Shutdown {
			// Everything held until now goes; a microsecond covers rows
			// written in the sweep's own microsecond.
			return r.Now.Add(time.Microsecond), true
		}
	}
	return time.Time{}, false
}

// Cutoff is CutoffFor the retention the registry declares for f. An
// undeclared field has no cutoff.
func (r Rules) Cutoff(f privacy.Field) (time.Time, bool) {
	spec, ok := privacy.Spec(f)
	if !ok {
		return time.Time{}, false
	}
	return r.CutoffFor(spec.Retention)
}

// Sweeper is one area's part of a sweep: it removes or anonymises, in its
// own tables, what rules say has expired, and reports how many rows went.
type Sweeper interface {
	Area() string
	Sweep(ctx context.Context, r Rules) (SweepReport, error)
}

// SweepFunc adapts a function to a Sweeper.
type SweepFunc struct {
	Name string
	Fn   func(ctx context.Context, r Rules) (SweepReport, error)
}

// Area returns the area's name.
func (f SweepFunc) Area() string { return f.Name }

// Sweep calls the function.
func (f SweepFunc) Sweep(ctx context.Context, r Rules) (SweepReport, error) { return f.Fn(ctx, r) }

// SweepReport is what one area removed. It holds counts per table, never
// anything about a person.
type SweepReport struct {
	Area       string         `json:"area"`
	Removed    map[string]int `json:"removed,omitempty"`
	Anonymised map[string]int `json:"anonymised,omitempty"`
}

// NewReport returns an empty report for area.
func NewReport(area string) SweepReport {
	return SweepReport{Area: area, Removed: map[string]int{}, Anonymised: map[string]int{}}
}

// Total is the rows removed or anonymised.
func (s SweepReport) Total() int {
	n := 0
	for _, v := range s.Removed {
		n += v
	}
	for _, v := range s.Anonymised {
		n += v
	}
	return n
}
