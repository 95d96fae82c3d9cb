// Package app builds the whole platform from a Config: the privacy kernel,
// every domain area, the partner gateway and the HTTP server. The binary
// (cmd/minimall) and the API tests (internal/testenv) both build it here,
// so what is tested is what runs.
//
// Areas are built in dependency order, each from what is built before it;
// no area is handed another after it is built. Where two areas need each
// other's news, one follows the change feed instead.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"minimall"
	"minimall/account"
	"minimall/addressbook"
	"minimall/cart"
	"minimall/catalog"
	"minimall/decision"
	"minimall/engage"
	mhttp "minimall/http"
	"minimall/identity"
	"minimall/incident"
	"minimall/lifecycle"
	"minimall/oauth"
	"minimall/order"
	"minimall/outbox"
	"minimall/partner"
	"minimall/pickup"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/recommend"
	"minimall/rights"
	"minimall/search"
	"minimall/security"
	"minimall/sqldb"
	"minimall/transfer"
)

// Config says what to build the platform on. The stores are opened (and
// migrated) by the caller, which also closes them after App.Close.
type Config struct {
	DB      *sqldb.DB // the data database
	KeysDB  *sqldb.DB // the key store, never beside the data
	KeysDir string    // master key and audit checkpoints
	Node    string    // this node's audit chain and change-feed followers

	Clock     minimall.Clock      // default: the system clock
	FakeClock *minimall.FakeClock // non-nil: operators may move time (tests, --fake-clock)

	// Partners are where each partner is reached (the sandboxes' addresses
	// in demo and tests). The payment and logistics endpoints' keys also
	// verify their signed callbacks.
	Partners map[privacy.PartnerID]partner.Endpoint
	// PartnerTimeout bounds one call to a partner; 0 means
	// partner.DefaultTimeout.
	PartnerTimeout time.Duration
	SearchDir      string // the search index folder, a derived store

	Accounts   account.Config
	OAuth      oauth.Config
	DPOContact string

	Addr            string // where the HTTP server listens, e.g. 127.0.0.1:0
	TLSCert, TLSKey string
	Logger          *slog.Logger // default: discard

	// FollowEvery is how often followers poll the change feed, and
	// FollowGrace how long they wait for a gap in event ids; zero keeps
	// each follower's own default. Tests shorten both.
	FollowEvery, FollowGrace time.Duration
	// SweepEvery runs the retention sweep at start and then this often;
	// zero runs none (tests run sweeps themselves).
	SweepEvery time.Duration
	// ResumeEvery is how often rights requests a crash left unfinished
	// are resumed (rights.Service.Resume), besides once at start; zero
	// means every minute. ResumeGrace is how long a request may sit
	// identity-checked before Resume serves it; zero: rights.ResumeGrace.
	ResumeEvery, ResumeGrace time.Duration
	// AuditCheckEvery verifies the whole audit log in the background after
	// start and then this often (privacy.Kernel.StartAuditCheck); zero runs
	// none.
	AuditCheckEvery time.Duration
	// AuditArchiveDir is where the retention sweep archives audit entries
	// past privacy.AuditRetention; empty: they are dropped.
	AuditArchiveDir string
	// AuditWitness is the URL of the witness the audit chains' signed heads
	// are published to (privacy.Kernel.StartAnchor) every AnchorEvery (zero:
	// a minute); empty publishes none.
	AuditWitness string
	AnchorEvery  time.Duration
}

// App is the running platform.
type App struct {
	Config Config

	Kernel      *privacy.Kernel
	Partners    *partner.Gateway
	Accounts    *account.Service
	Security    *security.Service
	AddressBook *addressbook.Service
	Pickup      *pickup.Service
	Identity    *identity.Service
	Catalog     *catalog.Service
	Search      *search.Service
	Carts       *cart.Service
	Orders      *order.Service
	Engage      *engage.Service
	Recommend   *recommend.Service
	OAuth       *oauth.Service
	Decisions   *decision.Service
	Lifecycle   *lifecycle.Service
	Transfers   *transfer.Service
	Incidents   *incident.Service
	Authorities *partner.Authorities // requests from authorities (三(五)2)
	Rights      *rights.Service
	Policy      *policy.Service
	HTTP        *mhttp.Server

	stop    context.CancelFunc // ends the background work: followers, sweeps
	closers []func() error     // run last first, as deferred calls are
}

// New builds the platform on cfg and starts serving. On an error what was
// built is closed again.
func New(ctx context.Context, cfg Config) (*App, error) {
	cfg.defaults()
	a := &App{Config: cfg}
	if err := a.build(ctx); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return a, nil
}

func (c *Config) defaults() {
	if c.OAuth == (oauth.Config{}) {
		c.OAuth = oauth.DefaultConfig()
	}
	if c.Clock == nil {
		c.Clock = minimall.SystemClock{}
		if c.FakeClock != nil {
			c.Clock = c.FakeClock
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Node == "" {
		c.Node = "main"
	}
}

// URL is the base URL the platform serves on.
func (a *App) URL() string { return a.HTTP.URL() }

func (a *App) build(ctx context.Context) error {
	cfg := &a.Config
	background, stop := context.WithCancel(context.Background())
	a.stop = stop
	var err error
	if a.Kernel, err = privacy.Open(ctx, privacy.Config{Data: cfg.DB, Keys: cfg.KeysDB, KeysDir: cfg.KeysDir, Clock: cfg.Clock, Chain: cfg.Node,
		AuditArchiveDir: cfg.AuditArchiveDir}); err != nil {
		return err
	}
	a.closers = append(a.closers, a.Kernel.Close)
	// The server listens first, so the partners that call back are told
	// where from the start.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a.HTTP = &mhttp.Server{TLSCert: cfg.TLSCert, TLSKey: cfg.TLSKey, Listener: ln}
	if err := a.buildAreas(ctx, background); err != nil {
		return err
	}
	a.fillServer()
	return a.HTTP.Open()
}

// buildAreas builds every area in dependency order: each is given, when
// it is built, every area it calls. The three pairs that need each other
// are split so one side comes first: the decision log (what account and
// search record) before the decision service (which reverses account's
// locks); the rights queue (where appeals go) before the rights service
// (which reads the decision area's part); identity (real-name records)
// before account, which runs the guardian's consent across both.
func (a *App) buildAreas(ctx context.Context, background context.Context) error {
	cfg, k, db := &a.Config, a.Kernel, a.Config.DB
	var client *http.Client
	if cfg.PartnerTimeout > 0 {
		client = &http.Client{Timeout: cfg.PartnerTimeout, Transport: partner.KeepAliveTransport()}
	}
	a.Partners = partner.NewGateway(db, k, cfg.Partners, client)
	a.Catalog = catalog.NewService(db)
	stock := a.Catalog.Stock()
	a.Carts = cart.NewService(db, k, stock)
	a.Orders = order.NewService(db, k, stock, a.Carts, a.Partners, order.Config{
		PaymentKey:   cfg.Partners[privacy.PartnerPayment].VerifyKey,
		LogisticsKey: cfg.Partners[privacy.PartnerLogistics].VerifyKey,
		CallbackBase: a.HTTP.URL(),
	})
	a.Security = security.NewService(db, k)
	a.AddressBook = addressbook.NewService(db, k)
	a.Pickup = pickup.NewService(db, k)
	a.Identity = identity.NewService(db, k, a.Partners)
	decisions := decision.NewLog(db, k)
	a.Accounts = account.NewService(db, k, cfg.Accounts, account.Deps{
		SMS: partner.SMS{Gateway: a.Partners}, Phones: partner.Carrier{Gateway: a.Partners},
		Orders: a.Orders, Decisions: decisions, Identity: a.Identity,
	})
	var err error
	if a.Search, err = search.Open(ctx, db, k, a.Catalog, search.Config{Dir: cfg.SearchDir, Node: cfg.Node,
		Interval: cfg.FollowEvery, Grace: cfg.FollowGrace, Decisions: decisions}); err != nil {
		return fmt.Errorf("open search index: %w", err)
	}
	a.closers = append(a.closers, a.Search.Close)
	a.Search.Follow()
	a.Engage = engage.NewService(db, k, a.Catalog, a.Accounts)
	a.closers = append(a.closers, a.Engage.Close)
	if a.Recommend, err = recommend.NewService(ctx, db, k, a.Catalog, a.Partners,
		recommend.Config{Interval: cfg.FollowEvery, Grace: cfg.FollowGrace,
			Engage: a.Engage, Carts: a.Carts, Orders: a.Orders, Searches: a.Search}); err != nil {
		return err
	}
	a.Recommend.Follow()
	a.closers = append(a.closers, a.Recommend.Close)
	a.OAuth = oauth.NewService(db, k, a.Partners, a.Accounts, cfg.OAuth)
	// Automated decisions (四(六), PIPL art. 24): an appeal joins the rights
	// queue (15-day deadline); an overturned sign-in decision is undone by
	// account.
	queue := rights.NewQueue(db, k, cfg.Logger)
	a.Decisions = decision.NewService(decisions, queue, map[decision.Kind]decision.Reverser{
		decision.CodeLoginRefused: a.Accounts, decision.LoginThrottled: a.Accounts, decision.LoginLocked: a.Accounts,
	})
	a.Lifecycle = lifecycle.NewService(db, k, account.Holders{DB: db}, Sweepers(db, k, a.Engage, a.Search)...)
	a.Transfers = transfer.NewService(db, k, a.Orders, a.Partners)
	a.Incidents = incident.NewService(db, k, a.Lifecycle)
	a.Authorities = partner.NewAuthorities(db, k, a.Partners, a.Lifecycle)
	// Rights: every area contributes its part (rights.Part).
	a.Rights = rights.NewService(queue, rights.Deps{Accounts: a.Accounts, Partners: a.Partners, Decisions: a.Decisions, Recipients: a.Orders},
		a.Accounts.RightsPart(), a.Identity.RightsPart(), a.Security.RightsPart(), a.Search.RightsPart(), a.Carts.RightsPart(),
		a.Orders.RightsPart(), a.OAuth.RightsPart(), a.Decisions.RightsPart(), a.Engage.RightsPart(), a.Transfers.RightsPart(),
		a.Incidents.RightsPart(), a.AddressBook.RightsPart())
	return a.startBackground(ctx, background)
}

// startBackground starts what runs beside the requests: the policy-version
// and account-cache followers, the retention schedule and the background
// verification of the audit log.
func (a *App) startBackground(ctx context.Context, background context.Context) error {
	cfg := &a.Config
	// Policy versions: the ledger learns the current and last major version
	// now, and within 2 s of a publish on another node or by the CLI.
	a.Policy = policy.NewService(cfg.DB, a.Kernel, policy.Contact{DPO: cfg.DPOContact})
	a.Policy.Broadcast = a.Lifecycle
	if err := a.Policy.Load(ctx); err != nil {
		return err
	}
	a.Policy.Follow(2 * time.Second)
	a.closers = append(a.closers, a.Policy.Close)
	// Revoked sessions and locked accounts hold on every node: each node's
	// caches follow the change feed.
	every := cfg.FollowEvery
	if every == 0 {
		every = 500 * time.Millisecond
	}
	fl := &outbox.Follower{Feed: a.Kernel.Feed(), Name: "account-cache", Interval: every, Handle: a.Accounts.OnChange}
	if err := fl.Start(ctx); err != nil {
		return err
	}
	go fl.Run(background)
	// Retention: the sweeper runs at start and then on schedule (五(一)).
	if cfg.SweepEvery > 0 {
		go a.Lifecycle.Run(background, cfg.SweepEvery)
	}
	// Rights requests a crash interrupted are finished, at start and on
	// schedule, and unconfirmed partner notices retried.
	a.Rights.Grace = cfg.ResumeGrace
	resume := cfg.ResumeEvery
	if resume == 0 {
		resume = time.Minute
	}
	// What people did for their privacy or security since the data's last
	// start (a consent withdrawn, an app's authorization revoked, a lock,
	// a password reset) is made again on data a restore brought back.
	if n, err := a.Kernel.ReplayActs(ctx); err != nil {
		return fmt.Errorf("replay held acts after a restore: %w", err)
	} else if n > 0 {
		cfg.Logger.Info("held acts replayed after a restore", "acts", n)
	}
	// A restored backup brings erased people's rows back; their keys are
	// gone, and each area deletes what it holds of them again.
	if n, err := a.Rights.RepeatErasures(ctx); err != nil {
		return fmt.Errorf("repeat erasures after a restore: %w", err)
	} else if n > 0 {
		cfg.Logger.Info("erasures repeated after a restore", "people", n)
	}
	a.Rights.ResumeEvery(resume)
	// Incident notices a crash left unsent go out, at start and on the same
	// schedule.
	go resumeEvery(background, resume, a.Incidents.ResumeNotices, "incident: notices still pending", cfg.Logger.Warn)
	go resumeEvery(background, resume, a.Policy.ResumeNotices, "policy: controller-transfer notices still pending", cfg.Logger.Warn)
	go resumeEvery(background, resume, a.Lifecycle.ResumeShutdown, "lifecycle: an interrupted shutdown is still unfinished", cfg.Logger.Warn)
	a.closers = append(a.closers, func() error { a.Rights.Close(); return nil })
	// The audit log: Open checked its recent rows; the rest, paced.
	if cfg.AuditCheckEvery > 0 {
		a.Kernel.StartAuditCheck(cfg.AuditCheckEvery, cfg.Logger)
	}
	// Its heads, signed, to a witness the keys folder's holder cannot rewrite.
	if cfg.AuditWitness != "" {
		every := cfg.AnchorEvery
		if every == 0 {
			every = time.Minute
		}
		a.Kernel.StartAnchor(cfg.AuditWitness, every, cfg.Logger)
	}
	return nil
}

// resumeEvery runs finish now and then every interval until ctx ends,
// logging what it could not finish: notices a crash left unsent.
func resumeEvery(ctx context.Context, interval time.Duration, finish func(context.Context) (int, error), pending string, warn func(string, ...any)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := finish(ctx); err != nil && ctx.Err() == nil {
			warn(pending, "finished", n, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// fillServer hands the HTTP server every area.
func (a *App) fillServer() {
	s, cfg := a.HTTP, &a.Config
	s.DB, s.Kernel, s.Operators, s.Consoles, s.Partners, s.Authorities = cfg.DB, a.Kernel, a.Kernel.Operators, a.Kernel.Operators, a.Partners, a.Authorities
	s.Accounts, s.Security, s.Identity, s.OAuth = a.Accounts, a.Security, a.Identity, a.OAuth
	s.Catalog, s.Search, s.Recommend, s.Engage = a.Catalog, a.Search, a.Recommend, a.Engage
	s.Carts, s.Orders, s.Transfers, s.AddressBook, s.Pickup = a.Carts, a.Orders, a.Transfers, a.AddressBook, a.Pickup
	s.Rights, s.Policy, s.Lifecycle, s.Decisions, s.Incidents = a.Rights, a.Policy, a.Lifecycle, a.Decisions, a.Incidents
	s.Clock, s.FakeClock, s.Logger = cfg.Clock, cfg.FakeClock, cfg.Logger
	// The pay button's answer leads to the payment institution's cashier.
	if ep, ok := cfg.Partners[privacy.PartnerPayment]; ok {
		if u, err := url.Parse(ep.URL); err == nil && u.Host != "" {
			s.FormOrigins = []string{u.Scheme + "://" + u.Host}
		}
	}
}

// Close stops serving and the background work, then closes the areas and
// the kernel (not the stores: they are the caller's). It may be called
// more than once.
func (a *App) Close() error {
	var errs []error
	if a.HTTP != nil {
		errs = append(errs, a.HTTP.Close())
		a.HTTP = nil
	}
	if a.stop != nil {
		a.stop()
	}
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
