package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"minimall/app"
	"minimall/engage"
	"strings"

	"minimall/account"
	"minimall/lifecycle"
	"minimall/privacy"
)

// runRetention runs "retention run [--dry-run] [--json]".
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "Usage: minimall retention run [--dry-run] [--json] [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	var dry, asJSON bool
	m, err := openForCommand(ctx, "retention run", args[1:], stderr, "retention run [--dry-run] [--json] [flags]", false, func(fs *flag.FlagSet) {
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
	svc := lifecycle.NewService(m.DB, k, account.Holders{DB: m.DB}, app.Sweepers(m.DB, k, engage.NewService(m.DB, k, nil, nil), nil)...)
	st, err := svc.Status(ctx)
	if err != nil {
		return err
	}
	opts := lifecycle.Options{DryRun: dry, Shutdown: st.Stopped}
	if !dry {
		// Count first, so a large run can show how far it is.
		plan, err := svc.Sweep(ctx, lifecycle.Options{DryRun: true, Shutdown: st.Stopped})
		if err != nil {
			return err
		}
		if plan.Removed >= 10_000 {
			bar := &sweepBar{w: onTerminal(stderr), total: plan.Removed}
			opts.Progress = bar.add
			defer bar.done()
		}
	}
	rep, err := svc.Sweep(ctx, opts)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

func printReport(w io.Writer, rep *lifecycle.Report) {
	what := "removed"
	if rep.DryRun {
		what = "would remove"
	}
	fmt.Fprintf(w, "retention sweep %s (%s): %s %d records in %.2fs (%.0f records/s)\n", rep.ID, mode(rep), what, rep.Removed, rep.Seconds, rep.RecordsPerSecond)
	fmt.Fprintf(w, "  transaction records completed up to %s are past three years (E-commerce Law art. 31): %d retention keys destroyed\n", rep.RetentionPeriod, rep.RetentionKeys)
	for _, a := range rep.Areas {
		for table, n := range a.Removed {
			if n > 0 {
				fmt.Fprintf(w, "  %-10s %-22s %d\n", a.Area, table, n)
			}
		}
	}
}

func mode(rep *lifecycle.Report) string {
	m := "normal"
	if rep.Shutdown {
		m = "shutdown rule"
	}
	if rep.DryRun {
		m += ", dry run"
	}
	return m
}

// sweepBar draws "[#####.....] 50%" on one terminal line (onTerminal).
type sweepBar struct {
	w     io.Writer
	total int
	n     int
	shown int
}

func (b *sweepBar) add(n int) {
	b.n += n
	pct := b.n * 100 / b.total
	if pct > 100 {
		pct = 100
	}
	if pct == b.shown && b.n != n {
		return
	}
	b.shown = pct
	fill := pct / 5
	fmt.Fprintf(b.w, "\r[%s%s] %3d%% %d/%d", strings.Repeat("#", fill), strings.Repeat(".", 20-fill), pct, b.n, b.total)
}

func (b *sweepBar) done() { fmt.Fprintln(b.w) }
