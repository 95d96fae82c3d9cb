package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minimall"
	"minimall/account"
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
	"minimall/partner/sandbox"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/recommend"
	"minimall/rights"
	"minimall/search"
	"minimall/security"
	"minimall/sqldb"
	"minimall/transfer"
)

var (
	errHelp   = errors.New("help shown")
	errUsage  = errors.New("usage error")
	errFailed = errors.New("failed")
)

// parse parses a command's flags, printing its usage on -h and on errors.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, synopsis string) error {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: minimall %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage
	}
	return nil
}

// Main is the assembled platform: stores, kernel and HTTP server. Tests
// start it on 127.0.0.1:0 with Run and stop it with Close.
type Main struct {
	Config Config
	Stdout io.Writer
	Logger *slog.Logger

	DB        *sqldb.DB
	KeysDB    *sqldb.DB
	Kernel    *privacy.Kernel
	HTTP      *mhttp.Server
	FakeClock *minimall.FakeClock
	Accounts  *account.Service
	Security  *security.Service
	SMS       account.Sender
	Partners  *partner.Gateway
	Lifecycle *lifecycle.Service
	Engage    *engage.Service
	Recommend *recommend.Service
	Transfers *transfer.Service
	Decisions *decision.Service
	Incidents *incident.Service
	Sandboxes *sandbox.Set
	Identity  *identity.Service
	Catalog   *catalog.Service
	Search    *search.Service
	Carts     *cart.Service
	Orders    *order.Service
	OAuth     *oauth.Service
	Rights    *rights.Service
	Policy    *policy.Service

	stopFollowers context.CancelFunc
	background    context.Context // lives until Close: followers and the retention schedule
	closers       []func() error
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main { return &Main{Config: DefaultConfig(), Stdout: io.Discard} }

func (m *Main) clock() minimall.Clock {
	if m.Config.FakeClock {
		if m.FakeClock == nil {
			m.FakeClock = &minimall.FakeClock{}
		}
		return m.FakeClock
	}
	return minimall.SystemClock{}
}

// openStores opens the data database and the key store, migrating both
// unless told not to, in which case an outdated schema is refused.
func (m *Main) openStores(ctx context.Context, migrate bool) error {
	if err := m.Config.resolve(); err != nil {
		return err
	}
	clock := m.clock()
	var err error
	if m.DB, err = sqldb.Open(ctx, m.Config.dataDSN(), clock); err != nil {
		return fmt.Errorf("open data database: %w", err)
	}
	if sqldb.IsPostgresDSN(m.Config.keysDSN()) {
		if err := ensurePostgresDatabase(ctx, m.Config.keysDSN()); err != nil {
			return err
		}
	}
	if m.KeysDB, err = sqldb.Open(ctx, m.Config.keysDSN(), clock); err != nil {
		return fmt.Errorf("open key store: %w", err)
	}
	if err := migrateOrCheck(ctx, m.DB, sqldb.DataMigrations, "data database", migrate); err != nil {
		return err
	}
	return migrateOrCheck(ctx, m.KeysDB, sqldb.KeystoreMigrations, "key store", migrate)
}

func (m *Main) kernelConfig() privacy.Config {
	return privacy.Config{Data: m.DB, Keys: m.KeysDB, KeysDir: m.Config.KeysDir, Clock: m.clock(), Chain: m.Config.Node}
}

// Run opens everything and starts serving; it returns once the server
// listens.
func (m *Main) Run(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if err := m.openStores(ctx, !m.Config.NoMigrate); err != nil {
		return err
	}
	var err error
	if m.Kernel, err = privacy.Open(ctx, m.kernelConfig()); err != nil {
		return err
	}
	if err := m.openPartners(ctx); err != nil {
		return err
	}
	m.Accounts = account.NewService(m.DB, m.Kernel, m.SMS, m.Config.Accounts)
	m.Accounts.UsePhoneChecker(partner.Carrier{Gateway: m.Partners})
	m.Security = security.NewService(m.DB, m.Kernel)
	m.Identity = identity.NewService(m.DB, m.Kernel, m.Partners, m.Accounts)
	m.Catalog = catalog.NewService(m.DB)
	if m.Search, err = search.Open(ctx, m.DB, m.Kernel, m.Catalog, search.Config{Dir: m.Config.SearchDir, Node: m.Config.Node}); err != nil {
		return fmt.Errorf("open search index: %w", err)
	}
	m.closers = append(m.closers, m.Search.Close)
	m.Search.Follow()
	stock := m.Catalog.Stock()
	m.Carts = cart.NewService(m.DB, m.Kernel, stock)
	m.Orders = order.NewService(m.DB, m.Kernel, stock, m.Carts, m.Partners, order.Config{
		PaymentKey: m.Sandboxes.Payment.Endpoint().VerifyKey, LogisticsKey: m.Sandboxes.Logistics.Endpoint().VerifyKey})
	m.Accounts.UseOrderHistory(m.Orders) // completed orders count toward the account level
	m.Engage = engage.NewService(m.DB, m.Kernel, m.Catalog)
	m.Engage.UseMembers(m.Accounts)
	m.closers = append(m.closers, m.Engage.Close)
	if m.Recommend, err = recommend.NewService(ctx, m.DB, m.Kernel, m.Catalog, m.Partners, recommend.Config{}); err != nil {
		return err
	}
	m.Recommend.UseEngage(m.Engage)
	m.Recommend.Follow()
	m.closers = append(m.closers, m.Recommend.Close)
	m.OAuth = oauth.NewService(m.DB, m.Kernel, m.Partners, m.Accounts, oauth.DefaultConfig())
	// Automated decisions (四(六), PIPL art. 24): risk control and ranking
	// record theirs with the main factors; an overturned one is reversed.
	m.Decisions = decision.NewService(m.DB, m.Kernel)
	m.Decisions.UseReverser(m.Accounts, decision.CodeLoginRefused, decision.LoginLocked)
	m.Accounts.UseDecisions(m.Decisions)
	m.Search.UseDecisions(m.Decisions)
	// Retention: the sweeper runs at start and then daily (五(一)).
	m.Lifecycle = lifecycle.NewService(m.DB, m.Kernel, account.Holders{DB: m.DB}, retentionSweepers(m.DB, m.Kernel, m.Engage, m.Search)...)
	m.Transfers = transfer.NewService(m.DB, m.Kernel, m.Orders, m.Partners)
	m.Incidents = incident.NewService(m.DB, m.Kernel, m.Lifecycle)
	// Rights: every area contributes its part (rights.Part); cmd wires them.
	m.Rights = rights.NewService(m.DB, m.Kernel, m.Accounts, m.Partners, m.Accounts.RightsPart(), m.Identity.RightsPart(),
		m.Security.RightsPart(), m.Search.RightsPart(), m.Carts.RightsPart(), m.Orders.RightsPart(), m.OAuth.RightsPart(),
		m.Decisions.RightsPart(), m.Engage.RightsPart(), m.Transfers.RightsPart(), m.Incidents.RightsPart())
	m.Decisions.UseAppeals(m.Rights) // appeals join the rights queue (15-day deadline)
	m.Rights.Logger = m.Logger
	m.Rights.Decisions = m.Decisions
	// Policy versions: the ledger learns the current and last major version
	// now, and within 2 s of a publish on another node or by the CLI.
	m.Policy = policy.NewService(m.DB, m.Kernel, policy.Contact{DPO: m.Config.DPOContact})
	if err := m.Policy.Load(ctx); err != nil {
		return err
	}
	m.Policy.Follow(2 * time.Second)
	m.closers = append(m.closers, m.Policy.Close)
	if err := m.followChanges(ctx); err != nil {
		return err
	}
	go m.Lifecycle.Run(m.background, 24*time.Hour)
	m.HTTP = &mhttp.Server{
		Addr: m.Config.Addr, TLSCert: m.Config.TLSCert, TLSKey: m.Config.TLSKey,
		DB: m.DB, Kernel: m.Kernel, Operators: m.Kernel.Operators, Accounts: m.Accounts, Security: m.Security, Partners: m.Partners,
		Identity: m.Identity, Catalog: m.Catalog, Search: m.Search,
		Carts: m.Carts, Orders: m.Orders, OAuth: m.OAuth, Policy: m.Policy, Rights: m.Rights, Lifecycle: m.Lifecycle,
		Engage: m.Engage, Recommend: m.Recommend, Transfers: m.Transfers, Incidents: m.Incidents, Decisions: m.Decisions,
		Clock: m.clock(), FakeClock: m.FakeClock, Logger: m.Logger,
	}
	if err := m.HTTP.Open(); err != nil {
		return err
	}
	m.Orders.SetCallbackBase(m.HTTP.URL()) // payment and logistics partners call back here
	return nil
}

// followChanges keeps this node's caches in step with changes made on
// other nodes (revoked sessions, locked accounts), through the change feed.
func (m *Main) followChanges(ctx context.Context) error {
	fl := &outbox.Follower{Feed: m.Kernel.Feed(), Name: "account-cache", Interval: 500 * time.Millisecond, Handle: m.Accounts.OnChange}
	if err := fl.Start(ctx); err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(context.Background())
	m.stopFollowers, m.background = stop, runCtx
	go fl.Run(runCtx)
	return nil
}

// Close stops serving and closes the kernel and the stores. It may be
// called more than once.
func (m *Main) Close() error {
	var errs []error
	if m.HTTP != nil {
		errs = append(errs, m.HTTP.Close())
		m.HTTP = nil
	}
	if m.stopFollowers != nil {
		m.stopFollowers()
		m.stopFollowers = nil
	}
	for _, c := range m.closers {
		errs = append(errs, c())
	}
	m.closers = nil
	if m.Kernel != nil {
		errs = append(errs, m.Kernel.Close())
		m.Kernel = nil
	}
	if m.KeysDB != nil {
		errs = append(errs, m.KeysDB.Close())
		m.KeysDB = nil
	}
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

// migrateOrCheck applies pending migrations, or with migrate false refuses
// a schema that has any pending.
func migrateOrCheck(ctx context.Context, db *sqldb.DB, fsys fs.FS, what string, migrate bool) error {
	if migrate {
		if _, err := db.Migrate(ctx, fsys); err != nil {
			return fmt.Errorf("migrate %s: %w", what, err)
		}
		return nil
	}
	pending, err := db.Pending(ctx, fsys)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("the %s schema is outdated (%d migrations pending): run `minimall migrate`, or start without --no-migrate", what, len(pending))
	}
	return nil
}

// keysDatabaseURL names the key store database beside a PostgreSQL data
// database: the same server, database "<name>_keys".
func keysDatabaseURL(dataURL string) string {
	u, err := url.Parse(dataURL)
	if err != nil {
		return dataURL + "_keys"
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = "postgres"
	}
	u.Path = "/" + name + "_keys"
	return u.String()
}

// ensurePostgresDatabase creates the database dsn names if it is missing.
func ensurePostgresDatabase(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return fmt.Errorf("connect to create %s: %w", name, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create key store database: %w", err)
		}
	}
	return nil
}
