package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"minimall/account"
	"minimall/rights"
)

// Config is every setting of the binary: defaults, then MINIMALL_*
// environment variables, then flags (flags win). Nothing else reads flags
// or the environment; values are passed into constructors.
type Config struct {
	Addr      string
	DataDir   string // the embedded store's folder (SQLite)
	DB        string // postgres://… instead of the embedded store
	KeysDir   string // master, lookup and audit keys; the key store on SQLite
	KeysDB    string // postgres://… key store; default: DB's server, database "<name>_keys"
	TLSCert   string
	TLSKey    string
	NoMigrate bool
	FakeClock bool
	Node      string // audit chain of this node
	LogLevel  string
	Accounts  account.Config
	// SandboxDir holds the sandbox partners' records, never inside the
	// data folder: what a partner holds is not minimall's to back up.
	SandboxDir string // default <data>.sandbox
	// PaymentEndpoint, when set, names the endpoint file of a payment
	// partner running in a process of its own (endpointFile); serve then
	// starts no payment sandbox of its own.
	PaymentEndpoint string
	// SearchDir holds the search index, a derived store rebuilt from the
	// database when missing.
	SearchDir string // default <data>.search
	// DPOContact is the personal-information protection officer's contact
	// the policy names (policy 八).
	DPOContact string
	// ResumeEvery and ResumeGrace: how often rights requests a crash left
	// unfinished are resumed, and how long an identity-checked one is
	// left to the Verify that may still be serving it.
	ResumeEvery, ResumeGrace time.Duration
	// AuditArchiveDir is where the scheduled audit sweep writes the entries
	// past the audit log's retention before they go; empty: dropped.
	AuditArchiveDir string
	// AuditWitness is the URL of the witness the audit log's signed heads
	// are published to and checked against; in serve and demo the default
	// is the witness sandbox started beside the others.
	AuditWitness string
}

// DefaultConfig works with zero set-up: an embedded store in ./minimall-data.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", DataDir: "minimall-data", Node: "main", LogLevel: "info", Accounts: account.DefaultConfig(),
		DPOContact: "dpo@minimall.example", ResumeEvery: time.Minute, ResumeGrace: rights.ResumeGrace}
}

// applyEnv overrides c with MINIMALL_* variables that are set.
func (c *Config) applyEnv(getenv func(string) string) error {
	str := map[string]*string{
		"MINIMALL_ADDR": &c.Addr, "MINIMALL_DATA": &c.DataDir, "MINIMALL_DB": &c.DB,
		"MINIMALL_KEYS": &c.KeysDir, "MINIMALL_KEYS_DB": &c.KeysDB, "MINIMALL_TLS_CERT": &c.TLSCert,
		"MINIMALL_TLS_KEY": &c.TLSKey, "MINIMALL_SANDBOX": &c.SandboxDir, "MINIMALL_PAYMENT_ENDPOINT": &c.PaymentEndpoint, "MINIMALL_SEARCH": &c.SearchDir, "MINIMALL_NODE": &c.Node, "MINIMALL_LOG_LEVEL": &c.LogLevel,
		"MINIMALL_DPO_CONTACT": &c.DPOContact, "MINIMALL_AUDIT_ARCHIVE_DIR": &c.AuditArchiveDir, "MINIMALL_AUDIT_WITNESS": &c.AuditWitness,
	}
	for name, p := range str {
		if v := getenv(name); v != "" {
			*p = v
		}
	}
	bools := map[string]*bool{"MINIMALL_FAKE_CLOCK": &c.FakeClock, "MINIMALL_NO_MIGRATE": &c.NoMigrate}
	for name, p := range bools {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s: want true or false, got %q", name, v)
			}
			*p = b
		}
	}
	return nil
}

// storeFlags binds the flags every command that opens the store takes.
func (c *Config) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "embedded store folder (SQLite) [MINIMALL_DATA]")
	fs.StringVar(&c.DB, "db", c.DB, "PostgreSQL URL instead of the embedded store [MINIMALL_DB]")
	fs.StringVar(&c.KeysDir, "keys", c.KeysDir, "keys folder, never inside the data folder (default: <data>.keys) [MINIMALL_KEYS]")
	fs.StringVar(&c.KeysDB, "keys-db", c.KeysDB, "PostgreSQL URL of the key store (default: <db>_keys on the same server) [MINIMALL_KEYS_DB]")
	fs.StringVar(&c.Node, "node", c.Node, "this node's audit chain name [MINIMALL_NODE]")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error [MINIMALL_LOG_LEVEL]")
}

const (
	archiveDirUsage = "folder the retention sweep archives audit entries past their retention to, a new file per sweep; empty: they are dropped [MINIMALL_AUDIT_ARCHIVE_DIR]"
	witnessUsage    = "URL of the witness that keeps the audit log's signed chain heads (default in serve and demo: the witness sandbox) [MINIMALL_AUDIT_WITNESS]"
)

// auditFlags binds the audit log's flags of serve and demo.
func (c *Config) auditFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.AuditArchiveDir, "audit-archive-dir", c.AuditArchiveDir, archiveDirUsage)
	fs.StringVar(&c.AuditWitness, "audit-witness", c.AuditWitness, witnessUsage)
}

// commandConfigFlags binds, for the commands that have them, the Config
// flags beyond the store's (parseCommand): bound to the Config, so the
// environment gives their defaults.
var commandConfigFlags = map[string]func(c *Config, fs *flag.FlagSet){
	"retention run": func(c *Config, fs *flag.FlagSet) {
		fs.StringVar(&c.AuditArchiveDir, "audit-archive-dir", c.AuditArchiveDir, archiveDirUsage)
	},
	"audit verify": func(c *Config, fs *flag.FlagSet) {
		fs.StringVar(&c.AuditWitness, "witness", c.AuditWitness, "also hold the log to every signed head the witness at this URL keeps [MINIMALL_AUDIT_WITNESS]")
	},
}

// serveFlags binds the flags of serve and demo.
func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.storeFlags(fs)
	c.auditFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address [MINIMALL_ADDR]")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "TLS certificate file: serve HTTPS [MINIMALL_TLS_CERT]")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "TLS key file [MINIMALL_TLS_KEY]")
	fs.StringVar(&c.SandboxDir, "sandbox", c.SandboxDir, "folder of the sandbox partners' request records, outside the data folder (default: <data>.sandbox) [MINIMALL_SANDBOX]")
	fs.StringVar(&c.PaymentEndpoint, "payment-endpoint", c.PaymentEndpoint, "JSON file {url, sign_key, verify_key (hex)}, mode 0600, of a payment partner running in its own process: used instead of the built-in payment sandbox [MINIMALL_PAYMENT_ENDPOINT]")
	fs.StringVar(&c.SearchDir, "search", c.SearchDir, searchUsage)
	fs.BoolVar(&c.NoMigrate, "no-migrate", c.NoMigrate, "do not apply pending migrations; refuse an outdated schema [MINIMALL_NO_MIGRATE]")
	fs.StringVar(&c.DPOContact, "dpo-contact", c.DPOContact, "the personal-information protection officer's contact the policy names [MINIMALL_DPO_CONTACT]")
	fs.DurationVar(&c.ResumeEvery, "resume-every", c.ResumeEvery, "how often rights requests a crash left unfinished are resumed (besides at start) [MINIMALL_RESUME_EVERY]")
	fs.DurationVar(&c.ResumeGrace, "resume-grace", c.ResumeGrace, "how long a rights request may sit identity-checked before it is resumed: an identity check still being served on another node has that long [MINIMALL_RESUME_GRACE]")
	fs.BoolVar(&c.FakeClock, "fake-clock", c.FakeClock, "enable the operator endpoint that moves time forward (testing only) [MINIMALL_FAKE_CLOCK]")
	a := &c.Accounts
	fs.DurationVar(&a.CodeTTL, "code-ttl", a.CodeTTL, "how long an SMS code is valid [MINIMALL_CODE_TTL]")
	fs.DurationVar(&a.CodeCooldown, "code-cooldown", a.CodeCooldown, "how long after an SMS code the same phone may be sent another [MINIMALL_CODE_COOLDOWN]")
	fs.IntVar(&a.CodesPerHour, "codes-per-hour", a.CodesPerHour, "SMS codes per phone number per hour (four times as many per client) [MINIMALL_CODES_PER_HOUR]")
	fs.IntVar(&a.MaxCodeAttempts, "code-attempts", a.MaxCodeAttempts, "wrong tries before an SMS code is spent [MINIMALL_CODE_ATTEMPTS]")
	fs.IntVar(&a.LoginsPerMinute, "logins-per-minute", a.LoginsPerMinute, "sign-in attempts per client per minute [MINIMALL_LOGINS_PER_MINUTE]")
	fs.IntVar(&a.ThrottleAfter, "throttle-after", a.ThrottleAfter, "wrong passwords for one name from one client before password tries must wait; 0: never [MINIMALL_THROTTLE_AFTER]")
	fs.IntVar(&a.ThrottleAfterAll, "throttle-after-all", a.ThrottleAfterAll, "wrong passwords for one name from all clients before password tries must wait; 0: never [MINIMALL_THROTTLE_AFTER_ALL]")
	fs.DurationVar(&a.ThrottleDelay, "throttle-delay", a.ThrottleDelay, "the first wait; it doubles with each further wrong password (a texted code signs in meanwhile) [MINIMALL_THROTTLE_DELAY]")
	fs.DurationVar(&a.ThrottleDelayMax, "throttle-delay-max", a.ThrottleDelayMax, "the longest wait between password tries [MINIMALL_THROTTLE_DELAY_MAX]")
	fs.DurationVar(&a.SessionTTL, "session-ttl", a.SessionTTL, "how long a session lasts [MINIMALL_SESSION_TTL]")
	if a.GuardianHold == 0 {
		a.GuardianHold = account.DefaultGuardianHold
	}
	fs.DurationVar(&a.GuardianHold, "guardian-hold", a.GuardianHold, "how long an under-14 registration waits for a guardian's consent before it is erased [MINIMALL_GUARDIAN_HOLD]")
}

// searchUsage describes --search, the search index folder: one name in
// serve, demo and seed for the one folder.
const searchUsage = "search index folder, a derived store rebuilt when missing (default: <data>.search) [MINIMALL_SEARCH]"

// resolve fills derived defaults and checks the combination.
func (c *Config) resolve() error {
	if c.KeysDir == "" {
		c.KeysDir = strings.TrimRight(c.DataDir, `/\`) + ".keys"
	}
	if c.SandboxDir == "" {
		c.SandboxDir = strings.TrimRight(c.DataDir, `/\`) + ".sandbox"
	}
	if c.SearchDir == "" {
		c.SearchDir = strings.TrimRight(c.DataDir, `/\`) + ".search"
	}
	if c.DB == "" {
		if inside(c.KeysDir, c.DataDir) {
			return fmt.Errorf("the keys folder %s is inside the data folder %s: keys must never travel with the data or its backups", c.KeysDir, c.DataDir)
		}
		if inside(c.SandboxDir, c.DataDir) {
			return fmt.Errorf("the sandbox folder %s is inside the data folder %s: partners' records are not minimall's data", c.SandboxDir, c.DataDir)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.Node == "" {
		return fmt.Errorf("--node must not be empty")
	}
	if c.ResumeEvery < 0 || c.ResumeGrace < 0 {
		return fmt.Errorf("--resume-every and --resume-grace must not be negative")
	}
	return nil
}

// requireStore refuses an embedded store whose database or keys folder is
// missing, touching nothing: opening it would create both, and a new master
// key that opens nothing. (A missing PostgreSQL database is refused by the
// server when it is opened.)
func (c *Config) requireStore() error {
	if err := c.resolve(); err != nil {
		return err
	}
	if c.DB == "" && !fileExists(c.dataDSN()) {
		return fmt.Errorf("no store in %s (no %s): name it with --data or --db; `minimall migrate` creates a new one", c.DataDir, c.dataDSN())
	}
	if c.KeysDB == "" && c.DB == "" && !dirExists(c.KeysDir) {
		return fmt.Errorf("no keys folder %s beside the store in %s: name it with --keys", c.KeysDir, c.DataDir)
	}
	return nil
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// inside reports whether path is dir or lies under it, after resolving
// symbolic links, so a link cannot put the keys inside the data folder.
func inside(path, dir string) bool {
	p, err1 := realPath(path)
	d, err2 := realPath(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	// Outside means ".." or "../…"; a child named "..keys" is inside.
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// realPath makes path absolute and resolves symbolic links in the part of
// it that exists; the folders may not have been created yet.
func realPath(path string) (string, error) {
	p, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// dataDSN and keysDSN name the two databases.
func (c *Config) dataDSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "minimall.db")
}

func (c *Config) keysDSN() string {
	switch {
	case c.KeysDB != "":
		return c.KeysDB
	case c.DB != "":
		return keysDatabaseURL(c.DB)
	}
	return filepath.Join(c.KeysDir, "keystore.db")
}

func parseEnv(c *Config) error { return c.applyEnv(os.Getenv) }
