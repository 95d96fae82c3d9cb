package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"minimall"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// AuditRetention is how long an audit entry is kept from when it was
// written (policy 五(三)1): as long as the longest retention in the
// registry of the records the entries prove (transaction records, kept
// three years from completion, E-commerce Law art. 31). Older entries are
// archived or dropped by the audit sweep.
var AuditRetention = LongestTransactionRetention()

// DecisionAuditSweep is the audit decision that records old audit entries
// archived or dropped past AuditRetention.
const DecisionAuditSweep = "audit_sweep"

// AuditSweep is what one sweep of the audit log removed. It holds seqs and
// counts, never an entry's content.
type AuditSweep struct {
	Cutoff   time.Time      `json:"cutoff"` // entries written before it went
	Removed  int64          `json:"removed"`
	Archive  string         `json:"archive,omitempty"` // the file they went to; empty: dropped
	Segments []AuditSegment `json:"segments,omitempty"`
	DryRun   bool           `json:"dry_run"`
}

// AuditSegment is the part of one chain a sweep removed: seqs after From
// up to To.
type AuditSegment struct {
	Chain string `json:"chain"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
	Rows  int64  `json:"rows"`
}

// SweepAudit removes the audit entries written before now minus
// AuditRetention, after verifying the whole log: to a new file at archive
// (made durable before any row goes), or dropped if archive is empty. Each
// chain's last entry stays, and each chain's new start is recorded in the
// key store, so `audit verify` passes over what remains and still finds a
// row removed at its start. The sweep is itself audited. A dry run counts
// and changes nothing. Returns Conflict if the log does not verify (nothing
// is removed) or the archive file exists.
func (k *Kernel) SweepAudit(ctx context.Context, now time.Time, archive string, dryRun bool) (*AuditSweep, error) {
	const op = "privacy.SweepAudit"
	if err := k.AuditFlush(ctx); err != nil {
		return nil, err
	}
	cutoff, err := k.auditCutoff(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	s, err := audit.PlanSweep(ctx, k.cfg.Data, k.cfg.Keys, k.cfg.KeysDir, cutoff)
	if errors.Is(err, audit.ErrNotVerified) {
		return nil, &minimall.Error{Code: minimall.Conflict, Op: op, Err: err,
			Message: "The audit log does not verify; nothing was removed. 审计日志校验未通过，未删除任何记录。"}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rep := &AuditSweep{Cutoff: cutoff, Removed: s.Rows(), DryRun: dryRun}
	for _, seg := range s.Segments {
		rep.Segments = append(rep.Segments, AuditSegment{Chain: seg.Chain, From: seg.From, To: seg.To, Rows: seg.Rows})
	}
	if dryRun || len(s.Segments) == 0 {
		return rep, nil
	}
	if archive != "" && s.Rows() > 0 {
		if err := writeArchiveFile(ctx, s, archive); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		rep.Archive = archive
	}
	if err := s.Drop(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	how := "dropped"
	if rep.Archive != "" {
		how = "archived"
	}
	_, err = k.audit.Append(ctx, audit.Entry{At: k.clock.Now(), Actor: minimall.SystemActor("retention").String(), Decision: DecisionAuditSweep,
		Reason: fmt.Sprintf("%s:%d", how, rep.Removed), Ref: "before=" + cutoff.UTC().Format(time.RFC3339)})
	return rep, err
}

// AuditArchiveFile names the file the scheduled sweep at now archives to:
// a new one in Config.AuditArchiveDir; empty if none is set.
func (k *Kernel) AuditArchiveFile(now time.Time) string {
	if k.cfg.AuditArchiveDir == "" {
		return ""
	}
	return filepath.Join(k.cfg.AuditArchiveDir, "audit-"+now.UTC().Format("20060102T150405")+".jsonl")
}

// writeArchiveFile writes the sweep's entries to a new file at path and
// makes it durable: only then may the rows go.
func writeArchiveFile(ctx context.Context, s *audit.Sweep, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return minimall.Errorf(minimall.Conflict, "privacy.SweepAudit", "The archive file exists already; name a new one. 归档文件已存在。")
	}
	if err != nil {
		return fmt.Errorf("create audit archive: %w", err)
	}
	err = s.WriteArchive(ctx, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write audit archive: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // the new name, too, survives a power loss
		d.Close()
	}
	return nil
}

// AuditKeptFrom returns the date from which the audit log holds every
// entry: the cutoff of the latest sweep that removed entries. Zero if none
// was ever removed.
func (k *Kernel) AuditKeptFrom(ctx context.Context) (time.Time, error) {
	return audit.KeptFrom(ctx, k.cfg.Keys)
}

// ArchivedAuditSegment is one segment of an audit archive as
// VerifyAuditArchive found it.
type ArchivedAuditSegment = audit.ArchivedSegment

// VerifyAuditArchive checks an archive file a sweep wrote, on its own,
// with the audit key in c.KeysDir: its entries chain from each segment's
// start to the head that closes it.
func VerifyAuditArchive(c Config, path string) ([]ArchivedAuditSegment, []AuditProblem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	segs, problems, err := audit.VerifyArchive(f, c.KeysDir)
	var out []AuditProblem
	for _, p := range problems {
		out = append(out, AuditProblem{Chain: p.Chain, Seq: p.Seq, Kind: p.Kind.String(), Detail: p.Detail})
	}
	return segs, out, err
}

// auditCutoff is the time before which audit entries may go: now minus
// AuditRetention, or earlier while a legal hold stands (五(一)): the log
// proving what happened to held records since the hold was placed is
// evidence the hold keeps too.
func (k *Kernel) auditCutoff(ctx context.Context, now time.Time) (time.Time, error) {
	cutoff := now.Add(-AuditRetention)
	var held sql.NullInt64
	if err := k.cfg.Data.QueryRowContext(ctx, `SELECT MIN(placed_at) FROM legal_holds WHERE released_at = 0`).Scan(&held); err != nil {
		return cutoff, err
	}
	if held.Valid {
		if placed := sqldb.FromMicros(held.Int64); placed.Before(cutoff) {
			cutoff = placed
		}
	}
	return cutoff, nil
}
