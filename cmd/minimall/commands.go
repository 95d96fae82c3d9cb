package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"minimall"
	"minimall/catalog/seed"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// newLogger writes JSON logs to stderr at the configured level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// loadConfig starts from the defaults and the environment.
func loadConfig() (Config, error) {
	c := DefaultConfig()
	return c, parseEnv(&c)
}

// runServe runs "serve" and "demo" until the context ends.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demo bool) error {
	m := NewMain()
	var err error
	if m.Config, err = loadConfig(); err != nil {
		return err
	}
	name, synopsis := "serve", "serve [flags]"
	if demo {
		name, synopsis = "demo", "demo [flags]   (serve with sample data in ./minimall-demo)"
		if os.Getenv("MINIMALL_DATA") == "" && os.Getenv("MINIMALL_DB") == "" {
			m.Config.DataDir = "minimall-demo"
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	m.Config.serveFlags(fs)
	if err := parseArgs(fs, args, stderr, synopsis); err != nil {
		return err
	}
	if m.Logger, err = newLogger(stderr, m.Config.LogLevel); err != nil {
		return err
	}
	// Packages without a logger of their own (sqldb's writes behind) use
	// the default.
	slog.SetDefault(m.Logger)
	m.Stdout = stdout
	tuneGC()
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	fmt.Fprintf(stdout, "minimall listening on %s\n", m.HTTP.URL())
	if err := m.publishFirstPolicy(ctx, stdout); err != nil {
		return err
	}
	if demo {
		if err := m.seedDemo(ctx, stdout); err != nil {
			return err
		}
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "minimall shutting down")
	return nil
}

// What the demo seeds on its first start.
const demoItems, demoUsers = 2000, 20

// seedDemo prints what a visitor of the demo needs: where to look and an
// operator token for the DPO console endpoints.
func (m *Main) seedDemo(ctx context.Context, stdout io.Writer) error {
	// The first start fills an empty catalogue, so there is something to
	// browse, search and buy; later starts keep what is there.
	if items, err := m.Catalog.ScanItems(ctx, "", 1); err != nil {
		return err
	} else if len(items) == 0 {
		rep, err := seed.Catalog(ctx, m.Catalog, seed.Options{Items: demoItems, Seed: 1})
		if err != nil {
			return fmt.Errorf("seed the demo catalogue: %w", err)
		}
		if err := seedUsers(ctx, m, seedOptions{users: demoUsers, firstUser: 1}, stdout, io.Discard); err != nil {
			return fmt.Errorf("seed the demo shoppers: %w", err)
		}
		fmt.Fprintf(stdout, "demo catalogue: %d categories, %d shops, %d items\n", rep.Categories, rep.Shops, rep.Items)
	}
	id, token, err := m.Kernel.Operators.Add(ctx, minimall.RoleDPO)
	if err != nil {
		return err
	}
	base := m.HTTP.URL()
	fmt.Fprintf(stdout, `
minimall demo
  shop:     %[1]s/   (open it in a browser)
  health:   %[1]s/healthz
  metrics:  %[1]s/metrics
  API docs: %[1]s/api/v1/openapi.json
  data:     %[2]s   keys: %[3]s
  DPO operator %[4]s, token (shown once): %[5]s
    curl -H 'Authorization: Bearer %[5]s' -H 'X-Access-Reason: DEMO-1' %[1]s/api/v1/ops/clock
`, base, m.Config.DataDir, m.Config.KeysDir, id, token)
	fmt.Fprint(stdout, browserWalkthrough(base, m.Sandboxes.SMS.URL()))
	fmt.Fprintf(stdout, "sandbox partners (records in %s; GET <url>/requests lists what each received):\n", m.Config.SandboxDir)
	for _, sb := range m.Sandboxes.All() {
		fmt.Fprintf(stdout, "  %-9s %s\n", sb.Name(), sb.URL())
	}
	fmt.Fprintf(stdout, "audit witness (GET <url>/heads lists the signed chain heads it keeps): %s\n", m.Config.AuditWitness)
	fmt.Fprintf(stdout, "\nPaste these into your shell (the ports change at every start), then walk through:\n")
	for _, line := range demoExports(base, token, m.Sandboxes) {
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "\n%s\nPress Ctrl-C to stop.\n", walkthrough)
	return nil
}

// browserWalkthrough is what a person does in the browser, in the order
// the README gives it; base is the shop, sms the SMS sandbox (where a
// texted code can be read, as a phone would).
func browserWalkthrough(base, sms string) string {
	return fmt.Sprintf(`
In the browser, at %[1]s/ (Chinese, or English with the switch at the top):
  1. Pick a category, search 耳机, open an item.
  2. Register (免费注册) with a phone number such as 13800138000; the texted code is at
     %[2]s/sms/last?phone=13800138000
  3. Add the item to the cart, check out (a name, an address, a phone), pay on the payment sandbox's page.
  4. 隐私设置 (Privacy): turn recommendations on and off; 我的数据 (My data): who opened your data and why,
     what was shared, a copy to download; 注销账户: deregister.
  5. The operators' console: %[1]s/console/signin with the DPO token below and a ticket such as DEMO-1.
`, base, sms)
}

// walkthrough is the README's walk-through of the demo: register, sign
// in, shop, pay, the sharing list, export, deregistration. The README holds
// the same text (TestDemo checks it, then runs it with curl).
//
//go:embed walkthrough.sh
var walkthrough string

// demoExports are the shell lines that name the demo's base URL ($B), the
// DPO token ($OPS) and each sandbox's URL ($SMS_SANDBOX_URL, …).
func demoExports(base, token string, set *sandbox.Set) []string {
	lines := []string{"export B=" + base, "export OPS=" + token}
	for _, sb := range set.All() {
		lines = append(lines, fmt.Sprintf("export %s_SANDBOX_URL=%s", strings.ToUpper(string(sb.Name())), sb.URL()))
	}
	return lines
}

// runMigrate applies pending migrations.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m, err := openForCommand(ctx, "migrate", args, stderr, "migrate [flags]", true)
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintln(stdout, "migrations applied; data database and key store are up to date")
	return nil
}

// openForCommand parses the store flags and opens the stores. A command
// that does not migrate works on the store that is there: it refuses a
// missing one before opening anything, since opening would create it.
func openForCommand(ctx context.Context, name string, args []string, stderr io.Writer, synopsis string, migrate bool, extra ...func(*flag.FlagSet)) (*Main, error) {
	m, err := parseCommand(name, args, stderr, synopsis, extra...)
	if err != nil {
		return nil, err
	}
	if !migrate {
		if err := m.Config.requireStore(); err != nil {
			return nil, err
		}
	}
	return m, m.open(ctx, migrate)
}

// parseCommand loads the configuration and parses a command's store flags
// and any extra ones.
func parseCommand(name string, args []string, stderr io.Writer, synopsis string, extra ...func(*flag.FlagSet)) (*Main, error) {
	m := NewMain()
	var err error
	if m.Config, err = loadConfig(); err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	m.Config.storeFlags(fs)
	if f := commandConfigFlags[name]; f != nil {
		f(&m.Config, fs)
	}
	for _, f := range extra {
		f(fs)
	}
	if err := parseArgs(fs, args, stderr, synopsis); err != nil {
		return nil, err
	}
	return m, nil
}

// open opens the stores, closing whatever opened if one fails.
func (m *Main) open(ctx context.Context, migrate bool) error {
	if err := m.openStores(ctx, migrate); err != nil {
		m.Close()
		return err
	}
	return nil
}

// runPolicy runs "policy lists", "policy publish" and "policy show".
func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "publish" {
		return runPolicyPublish(ctx, args[1:], stdout, stderr) // policy_publish.go
	}
	if len(args) > 0 && args[0] == "show" {
		return runPolicyShow(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "lists" {
		fmt.Fprintln(stderr, "Usage: minimall policy lists [--format text|json] | publish --ticket ID [--dry-run] | show [--version N]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := flag.NewFlagSet("policy lists", flag.ContinueOnError)
	format := fs.String("format", "text", "text or json")
	if err := parseArgs(fs, args[1:], stderr, "policy lists [--format text|json]"); err != nil {
		return err
	}
	switch *format {
	case "text":
		return policy.WriteText(stdout)
	case "json":
		return policy.WriteJSON(stdout)
	}
	fmt.Fprintf(stderr, "--format: want text or json, got %q\n", *format)
	return errUsage
}

// runKeys runs "keys rotate" and "keys rotate-lookup".
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "rotate-lookup" {
		return runRotateLookup(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(stderr, "Usage: minimall keys rotate [flags]\n       minimall keys rotate-lookup --purpose FIELD|all [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	m, err := openForCommand(ctx, "keys rotate", args[1:], stderr, "keys rotate [flags]", false)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := privacy.RotateKeys(ctx, m.kernelConfig())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new master key in %s; %d subject keys rewrapped\n", m.Config.KeysDir, n)
	return nil
}

// runOperator runs "operator add --role R".
func runOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "Usage: minimall operator add --role customer_service|security|dpo|legal_hold|ops [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	var role string
	roleFlag := func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "customer_service, security, dpo, legal_hold or ops (required)")
	}
	m, err := parseCommand("operator add", args[1:], stderr, "operator add --role R [flags]", roleFlag)
	if err != nil {
		return err
	}
	// Check the role before touching the stores, so a typo creates nothing.
	if !privacy.ValidRole(minimall.Role(role)) {
		fmt.Fprintf(stderr, "--role: want one of %s\n", strings.Join(roleNames(), ", "))
		return errUsage
	}
	if err := m.open(ctx, true); err != nil {
		return err
	}
	defer m.Close()
	k, err := privacy.Open(ctx, m.kernelConfig())
	if err != nil {
		return err
	}
	m.Kernel = k
	id, token, err := k.Operators.Add(ctx, minimall.Role(role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "operator %s (%s)\ntoken (shown once; keep it secret): %s\n", id, role, token)
	return nil
}

func roleNames() []string {
	var out []string
	for _, r := range minimall.Roles {
		out = append(out, string(r))
	}
	return out
}

// serveGCPercent is the garbage collector's target while serving, unless
// GOGC says otherwise: a request's garbage is small and short-lived, and
// collecting at four times the live heap instead of twice cuts the
// collector's share of a busy server's CPU (checkout +11%, item page +17%
// measured with loadgen on the 2-core development machine) for about
// 250 MB more resident memory under that load (365 → 615 MB).
const serveGCPercent = 400

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
