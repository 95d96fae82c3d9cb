package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"minimall"
	"minimall/account"
	"minimall/catalog"
	"minimall/catalog/seed"
	"minimall/order"
	"minimall/partner"
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/search"
)

// seedOptions are the flags of "seed".
type seedOptions struct {
	users, items, orders int
	firstUser            int
	index                string
	rand                 uint64
	realCost             bool
}

// runSeed runs "seed": it fills the store with a Chinese-language
// catalogue and seeded shoppers, then builds the search index from it.
//
// Shoppers are registered through account.Service's real path (a one-time
// code, caught in memory instead of texted, then Register). Argon2id at
// the production cost takes ~30 ms a hash, 5 minutes for 10,000 people on
// two cores; their passwords are derived from their number anyway (see
// package seed), so by default they are hashed at a token cost (64 KiB, one
// pass), which the PHC string records, so sign-in checks them at that cost.
// --real-password-cost hashes at the production cost instead.
//
// Orders are placed through order.Service's real path too, in process:
// Place as the shopper, then Cancel, or Pay at a payment sandbox started
// for the run and PaymentNotified as its verified notice would.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o seedOptions
	m, err := parseCommand("seed", args, stderr, "seed [--users N] [--items N] [--orders N] [flags]", func(fs *flag.FlagSet) {
		fs.StringVar(&o.index, "search", "", searchUsage)
		fs.IntVar(&o.users, "users", 100, "seeded shoppers to register")
		fs.IntVar(&o.firstUser, "first-user", 1, "number of the first seeded shopper (shopper000001 …)")
		fs.IntVar(&o.items, "items", 1000, "items to add")
		fs.IntVar(&o.orders, "orders", 0, "orders to place, spread over the seeded shoppers (needs --users 1 or more; existing shoppers count): about 80% paid, 12% awaiting payment, 8% cancelled")
		fs.Uint64Var(&o.rand, "seed", 1, "random seed: the same seed gives the same catalogue")
		fs.BoolVar(&o.realCost, "real-password-cost", false, "hash seeded passwords at the production argon2id cost (~30 ms each)")
	})
	if err != nil {
		return err
	}
	if o.users < 0 || o.items < 0 || o.orders < 0 || o.firstUser < 1 || o.firstUser+o.users > 100_000_000 {
		fmt.Fprintln(stderr, "--users, --items, --orders: want 0 or more; --first-user: 1 or more")
		return errUsage
	}
	if o.orders > 0 && o.users == 0 {
		fmt.Fprintln(stderr, "--orders: orders are placed by the shoppers of --first-user and --users; give --users 1 or more")
		return errUsage
	}
	if err := m.open(ctx, true); err != nil {
		return err
	}
	defer m.Close()
	if m.Kernel, err = privacy.Open(ctx, m.kernelConfig()); err != nil {
		return err
	}
	cat := catalog.NewService(m.DB)
	start := time.Now()
	bar := newProgressBar(stderr, "items")
	rep, err := seed.Catalog(ctx, cat, seed.Options{Items: o.items, Seed: o.rand, Progress: bar.set})
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalogue: %d categories, %d shops, %d items in %s\n", rep.Categories, rep.Shops, rep.Items, time.Since(start).Round(time.Millisecond))
	if err := seedUsers(ctx, m, o, stdout, stderr); err != nil {
		return err
	}
	if err := seedOrders(ctx, m, cat, o, stdout, stderr); err != nil {
		return err
	}
	return seedIndex(ctx, m, cat, o, stdout)
}

// seedUsers registers the seeded shoppers.
func seedUsers(ctx context.Context, m *Main, o seedOptions, stdout, stderr io.Writer) error {
	if o.users == 0 {
		return nil
	}
	cfg := m.Config.Accounts
	cfg.CodeCooldown, cfg.CodesPerHour = 0, 1_000_000
	if !o.realCost {
		cfg.PasswordMemoryKiB, cfg.PasswordTime = 64, 1
	}
	catcher := &seed.CodeCatcher{}
	acc := account.NewService(m.DB, m.Kernel, cfg, account.Deps{SMS: catcher})
	start := time.Now()
	bar := newProgressBar(stderr, "users")
	n, err := seed.Users(ctx, acc, catcher, m.Kernel.PolicyVersion(), o.firstUser, o.users, bar.set)
	bar.done()
	if err != nil {
		return err
	}
	last := o.firstUser + o.users - 1
	fmt.Fprintf(stdout, "users: %d registered (%d existed) in %s\n", n, o.users-n, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  sign in as shopper N (%d..%d): member name %s, password %s (\"seedpw-\" + the six digits)\n",
		o.firstUser, last, seed.MemberName(o.firstUser), seed.Password(o.firstUser))
	return nil
}

// seedOrders places the seeded orders, spread over the seeded shoppers.
func seedOrders(ctx context.Context, m *Main, cat *catalog.Service, o seedOptions, stdout, stderr io.Writer) error {
	if o.orders == 0 {
		return nil
	}
	acc := account.NewService(m.DB, m.Kernel, m.Config.Accounts, account.Deps{SMS: &seed.CodeCatcher{}})
	shoppers, phones := make([]minimall.SubjectID, o.users), make([]string, o.users)
	for i := range o.users {
		phones[i] = seed.Phone(o.firstUser + i)
		s, err := acc.SubjectByPhone(ctx, phones[i])
		if err != nil {
			return fmt.Errorf("seeded shopper %d: %w", o.firstUser+i, err)
		}
		shoppers[i] = s
	}
	// Paying needs the payment partner: its sandbox, for this run, its
	// records beside the others' (<data>.sandbox/payment).
	pay, err := sandbox.Start(privacy.PartnerPayment, m.Config.SandboxDir, "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the payment sandbox: %w", err)
	}
	defer pay.Close()
	gw := partner.NewGateway(m.DB, m.Kernel, map[privacy.PartnerID]partner.Endpoint{privacy.PartnerPayment: pay.Endpoint()}, nil)
	// The notice is recorded in process, so nobody calls this back; it
	// names where a server on the configured address would listen.
	svc := order.NewService(m.DB, m.Kernel, cat.Stock(), nil, gw, order.Config{PaymentKey: pay.Endpoint().VerifyKey, CallbackBase: "http://" + m.Config.Addr})
	start := time.Now()
	bar := newProgressBar(stderr, "orders")
	rep, err := seed.Orders(ctx, svc, cat, seed.OrderOptions{Orders: o.orders, Seed: o.rand, Shoppers: shoppers, Phones: phones, Progress: bar.set})
	bar.done()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "orders: %d placed in %s (%.0f/s): %d paid, %d awaiting payment, %d cancelled\n", rep.Orders, took.Round(time.Millisecond),
		float64(rep.Orders)/took.Seconds(), rep.ByStatus[order.Paid], rep.ByStatus[order.PendingPayment], rep.ByStatus[order.Cancelled])
	return nil
}

// seedIndex brings the search index up to date with what was seeded.
func seedIndex(ctx context.Context, m *Main, cat *catalog.Service, o seedOptions, stdout io.Writer) error {
	dir := o.index
	if dir == "" {
		dir = search.DefaultDir(strings.TrimRight(m.Config.DataDir, `/\`))
	}
	_, statErr := os.Stat(dir)
	start := time.Now()
	s, err := search.Open(ctx, m.DB, m.Kernel, cat, search.Config{Dir: dir, Node: m.Config.Node})
	if err != nil {
		return err
	}
	defer s.Close()
	// A new index is built by Open; an existing one is rebuilt, which is
	// faster than replaying one event per seeded batch.
	stats := &search.RebuildStats{Duration: time.Since(start)}
	if statErr == nil {
		if stats, err = s.Rebuild(ctx); err != nil {
			return err
		}
	}
	if n, err := s.Index().DocCount(); err == nil {
		stats.Items = int(n)
	}
	fmt.Fprintf(stdout, "search index: %d items in %s, built in %s\n", stats.Items, dir, stats.Duration.Round(time.Millisecond))
	return nil
}

// progressBar draws "items [#####.....] 45% 4500/10000" on one line of
// stderr, at most ten times a second, when stderr is a terminal.
type progressBar struct {
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: onTerminal(w), label: label}
}

// onTerminal returns w if it is a terminal, else io.Discard: a bar redraws
// its line with \r, which in a file or a pipe is only noise.
func onTerminal(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return w
		}
	}
	return io.Discard
}

func (b *progressBar) set(done, total int) {
	if total <= 0 || (time.Since(b.last) < 100*time.Millisecond && done < total) {
		return
	}
	b.last, b.drawn = time.Now(), true
	const width = 30
	filled := done * width / total
	fmt.Fprintf(b.w, "\r%-6s [%s%s] %3d%% %d/%d", b.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done*100/total, done, total)
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
