package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"minimall/loadgen"
)

// runLoadgen runs "loadgen": timed flows against a running server.
func runLoadgen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of a running minimall [MINIMALL_URL]")
	concurrency := fs.Int("concurrency", 32, "workers per flow")
	duration := fs.Duration("duration", 10*time.Second, "how long each flow runs")
	format := fs.String("format", "text", "text or json")
	// NB: package flag takes a `quoted` word of a usage text as the flag's
	// type name, so the usage quotes with "".
	fs.IntVar(&loadgen.Users, "users", loadgen.Users, `seeded shoppers to sign in as (shopper000001…, as "minimall seed --users N" made them)`)
	flowList := fs.String("flows", strings.Join(loadgen.FlowNames(), ","), "flows to run, in order")
	if err := parseArgs(fs, args, stderr, "loadgen [flags]   (drive a running server; see the README for seeding first)"); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintln(stderr, "loadgen: --format must be text or json")
		return errUsage
	}
	if *concurrency < 1 || *duration <= 0 {
		fmt.Fprintln(stderr, "loadgen: --concurrency and --duration must be positive")
		return errUsage
	}
	names := strings.Split(*flowList, ",")
	for _, n := range names {
		if !slices.Contains(loadgen.FlowNames(), n) {
			fmt.Fprintf(stderr, "loadgen: unknown flow %q (have %s)\n", n, strings.Join(loadgen.FlowNames(), ", "))
			return errUsage
		}
	}
	c := loadgen.NewClient(*target, *concurrency)
	results := map[string]loadgen.Result{}
	for _, n := range names {
		if ctx.Err() != nil {
			break
		}
		if *format == "text" {
			fmt.Fprintf(stderr, "loadgen: %s for %s at concurrency %d…\n", n, *duration, *concurrency)
		}
		results[n] = loadgen.Run(ctx, c, loadgen.FlowNamed(n), *concurrency, *duration)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"target": *target, "concurrency": *concurrency, "duration": duration.String(), "flows": results})
	}
	base := results["baseline"].RPS
	fmt.Fprintf(stdout, "%-9s %10s %8s %9s %9s %7s %8s %8s %7s %8s %8s\n", "flow", "req/s", "×base", "p50 ms", "p99 ms", "errors", "audit", "allowed", "denied", "shared", "w/commit")
	for _, n := range names {
		r := results[n]
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.3f", r.RPS/base)
		}
		perCommit := "-"
		if r.Kernel.Commits > 0 {
			perCommit = fmt.Sprintf("%.1f", float64(r.Kernel.Writes)/float64(r.Kernel.Commits))
		}
		fmt.Fprintf(stdout, "%-9s %10.0f %8s %9.2f %9.2f %7d %8d %8d %7d %8d %8s\n", n, r.RPS, ratio, r.P50ms, r.P99ms, r.Errors,
			r.Kernel.AuditDurable, r.Kernel.GuardAllowed, r.Kernel.GuardDenied, r.Kernel.Disclosures, perCommit)
		if r.FirstError != "" {
			fmt.Fprintf(stdout, "          first error: %s\n", r.FirstError)
		}
	}
	return nil
}
