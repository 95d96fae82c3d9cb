package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"minimall/privacy"
)

const auditUsage = "Usage: minimall audit verify [--archive FILE] [--witness URL] [flags] | sweep [--archive FILE] [--dry-run] [--json] [flags]"

// runAudit runs "audit verify" and "audit sweep".
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "verify":
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "sweep":
		return runAuditSweep(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, auditUsage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return errHelp
	}
	return errUsage
}

// runAuditVerify runs "audit verify": the log in the stores, or an
// archive a sweep wrote (--archive), on its own.
func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var archive string
	m, err := openForCommand(ctx, "audit verify", args, stderr, "audit verify [--archive FILE] [--witness URL] [flags]", false, func(fs *flag.FlagSet) {
		fs.StringVar(&archive, "archive", "", "verify this archive file a sweep wrote, on its own, instead of the log")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if archive != "" {
		return verifyArchive(m, archive, stdout)
	}
	r, err := verifyLog(ctx, m)
	if err != nil {
		return err
	}
	return printVerify(stdout, r)
}

// verifyLog verifies the log, against the witness's heads if one is named.
func verifyLog(ctx context.Context, m *Main) (*privacy.AuditReport, error) {
	if m.Config.AuditWitness == "" {
		return privacy.VerifyAudit(ctx, m.kernelConfig())
	}
	return privacy.VerifyAuditWitnessed(ctx, m.kernelConfig(), m.Config.AuditWitness)
}

func printVerify(stdout io.Writer, r *privacy.AuditReport) error {
	if r.Witnessed > 0 || r.WitnessArchived > 0 {
		fmt.Fprintf(stdout, "%d witnessed heads checked (%d more lie before the log's start: archived or dropped)\n", r.Witnessed, r.WitnessArchived)
	}
	if r.OK {
		fmt.Fprintf(stdout, "OK: %d audit entries verified\n", r.Rows)
		return nil
	}
	for _, p := range r.Problems {
		fmt.Fprintf(stdout, "chain %s seq %d %s: %s\n", p.Chain, p.Seq, p.Kind, p.Detail)
	}
	fmt.Fprintf(stdout, "TAMPERED: %d problems in %d entries\n", len(r.Problems), r.Rows)
	return errFailed
}

func verifyArchive(m *Main, path string, stdout io.Writer) error {
	segs, problems, err := privacy.VerifyAuditArchive(m.kernelConfig(), path)
	if err != nil {
		return err
	}
	for _, s := range segs {
		fmt.Fprintf(stdout, "chain %s: %d entries, seqs %d to %d, closing head %s\n", s.Chain, s.Rows, s.From+1, s.To, s.EndMAC)
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "OK: archive %s verified\n", path)
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "chain %s seq %d %s: %s\n", p.Chain, p.Seq, p.Kind, p.Detail)
	}
	fmt.Fprintf(stdout, "TAMPERED: %d problems in archive %s\n", len(problems), path)
	return errFailed
}

// runAuditSweep runs "audit sweep": the retention sweep's audit part on
// its own, archiving to a file the operator names.
func runAuditSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var archive string
	var dry, asJSON bool
	m, err := openForCommand(ctx, "audit sweep", args, stderr, "audit sweep [--archive FILE] [--dry-run] [--json] [flags]", false, func(fs *flag.FlagSet) {
		fs.StringVar(&archive, "archive", "", "write the entries that go to this new file first; without it they are dropped")
		fs.BoolVar(&dry, "dry-run", false, "count what would go; change nothing")
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	k, err := privacy.Open(ctx, m.kernelConfig())
	if err != nil {
		return err
	}
	defer k.Close()
	rep, err := k.SweepAudit(ctx, m.DB.Now(), archive, dry)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printAuditSweep(stdout, rep)
	return nil
}

func printAuditSweep(w io.Writer, rep *privacy.AuditSweep) {
	what := "dropped"
	switch {
	case rep.DryRun:
		what = "would remove"
	case rep.Archive != "":
		what = "archived to " + rep.Archive
	}
	fmt.Fprintf(w, "audit sweep: entries written before %s (kept %d days, privacy.AuditRetention): %d %s\n",
		rep.Cutoff.Format(time.DateOnly), int(privacy.AuditRetention.Hours()/24), rep.Removed, what)
	for _, s := range rep.Segments {
		fmt.Fprintf(w, "  chain %s: seqs %d to %d (%d entries)\n", s.Chain, s.From+1, s.To, s.Rows)
	}
}
