// Command minimall runs the minimall shopping platform and its operator
// tools. See `minimall help`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `minimall: a shopping platform whose handling of personal information is
enforced by code exactly as its privacy policy promises.

Usage: minimall <command> [subcommand] [arguments and flags, in any order]

Commands:
  serve            run the platform (HTTP API, health, metrics)
  demo             run the platform with sample data in ./minimall-demo on 127.0.0.1:8080
  migrate          apply pending migrations to the data database and the key store
  audit verify     check the hash-chained audit log and its index by person, against the witness's signed
                   heads (--witness URL), or an archive on its own (--archive FILE); exit status 1 if tampered
  audit sweep      archive (--archive FILE) or drop audit entries past their retention (3 years)
  policy lists     print the personal-information collection list and the sharing list
  policy publish   publish the policy and field registry as a new version (major/minor)
  policy show      print a published version of the policy (--version N)
  keys rotate      make a new master key and rewrap every subject key under it
  keys rotate-lookup  with minimall stopped, give a blind index a new lookup key (--purpose FIELD|all), re-index, destroy the old
  operator add     create an operator with a role and print its token once
  seed             fill the store with a Chinese demo catalogue and seeded shoppers (--items N --users N)
  retention run    delete what is past its retention, destroy expired retention keys (--dry-run)
  backup           copy the data database to a folder (--to DIR), never the keys (SQLite; pg_dump on PostgreSQL)
  restore          with minimall stopped, put a backup back (--from DIR), keep the keys, replay erasures
  rights           the DPO's rights-request queue: list, show, answer, refuse, review (via the API)
  loadgen          drive a running server with timed flows and report req/s, latency, kernel work
  help             show this text

Run "minimall <command> --help" for a command's flags. A flag that configures
(stores, folders, addresses, limits, the server's URL, tokens, timeouts) can
also be set with the MINIMALL_* environment variable its help names in
brackets; the flag wins. Flags that say what one run does (--dry-run,
--reason, --items, --format, --to …) have no variable.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stdout, stderr, false)
	case "demo":
		err = runServe(ctx, rest, stdout, stderr, true)
	case "migrate":
		err = runMigrate(ctx, rest, stdout, stderr)
	case "audit":
		err = runAudit(ctx, rest, stdout, stderr)
	case "policy":
		err = runPolicy(ctx, rest, stdout, stderr)
	case "keys":
		err = runKeys(ctx, rest, stdout, stderr)
	case "seed":
		err = runSeed(ctx, rest, stdout, stderr)
	case "operator":
		err = runOperator(ctx, rest, stdout, stderr)
	case "rights":
		err = runRights(ctx, rest, stdout, stderr)
	case "loadgen":
		err = runLoadgen(ctx, rest, stdout, stderr)
	case "retention":
		err = runRetention(ctx, rest, stdout, stderr)
	case "backup":
		err = runBackup(ctx, rest, stdout, stderr)
	case "restore":
		err = runRestore(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "minimall: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case err == errHelp:
		return 0
	case err == errUsage:
		return 2
	case err == errFailed:
		return 1
	}
	fmt.Fprintf(stderr, "minimall %s: %v\n", cmd, err)
	return 1
}
