package main

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/internal/testkit"
)

// The crash test's knobs: how many kill -9s a store gets, and the seed of
// the schedule (when each kill falls). Both also come from the
// environment, so a CI job or a long local run can set them.
var (
	crashKills = flag.Int("crash.kills", 0, "kill -9s per store in TestCrash (default 20, 6 under -short) [MINIMALL_CRASH_KILLS]")
	crashSeed  = flag.Uint64("crash.seed", 0, "seed of TestCrash's kill schedule (default: from the time, logged) [MINIMALL_CRASH_SEED]")
)

// TestCrash kills "minimall serve" with SIGKILL at random moments while
// shoppers check out, file and confirm copy requests, and register and
// deregister, then starts it again on the same store and checks that no
// acknowledged write was lost or doubled: every acknowledged order exists
// once with its lines, an unacknowledged one exists at most once (a retry
// with its Idempotency-Key finds it or places it), stock is the initial
// stock less every order's quantities, every acknowledged deregistration
// holds (the person cannot sign in) and every identity-checked request ends
// answered after the restart. Paid orders are refunded too, the payment
// institution running in the test's own process (serve's
// --payment-endpoint), so it outlives the kills: every acknowledged
// refund, and every one a kill left unanswered once retried, was made
// exactly once at the institution, and the refunded stock is back. At
// the end `audit verify` must pass. It runs
// on SQLite and, with MINIMALL_TEST_POSTGRES, on a fresh PostgreSQL
// database, with whatever durability settings the store runs with.
func TestCrash(t *testing.T) {
	kills, seed := crashPlan(t)
	t.Logf("crash schedule: %d kills per store, seed %d (rerun with MINIMALL_CRASH_SEED=%d)", kills, seed, seed)
	t.Run("sqlite", func(t *testing.T) { runCrash(t, "", kills, seed) })
	t.Run("postgres", func(t *testing.T) { runCrash(t, crashPostgresDB(t), kills, seed) })
}

// crashPlan reads the number of kills and the seed from the flags, then
// the environment, then the defaults.
func crashPlan(t *testing.T) (int, uint64) {
	kills, seed := *crashKills, *crashSeed
	if v := os.Getenv("MINIMALL_CRASH_KILLS"); kills == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("MINIMALL_CRASH_KILLS=%q: want a whole number, 1 or more", v)
		}
		kills = n
	}
	if v := os.Getenv("MINIMALL_CRASH_SEED"); seed == 0 && v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("MINIMALL_CRASH_SEED=%q: %v", v, err)
		}
		seed = n
	}
	if kills == 0 {
		kills = 20
		if testing.Short() {
			kills = 6
		}
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	return kills, seed
}

// crashPostgresDB creates a database of its own for the run (and drops it
// and its key store, <name>_keys, after), as a deployment has.
func crashPostgresDB(t *testing.T) string {
	base, err := url.Parse(testkit.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	adminURL := *base
	adminURL.Path = "/postgres"
	admin, err := sql.Open("pgx", adminURL.String())
	if err != nil {
		t.Fatal(err)
	}
	name := "mmt_crash_" + strings.ToLower(minimall.RandomToken(6))
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, db := range []string{name, name + "_keys"} {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + db + ` WITH (FORCE)`); err != nil {
				t.Error(err)
			}
		}
		admin.Close()
	})
	u := *base
	u.Path = "/" + name
	return u.String()
}

// crashServer is one run of "minimall serve" as a child process.
type crashServer struct {
	cmd  *exec.Cmd
	base string
	log  string // its stderr, for the failure message
}

// crashStore names the folders (and the database) every run shares.
type crashStore struct {
	dir, dsn        string
	paymentEndpoint string // the payment partner's, running in the test's process
}

func (s crashStore) flags() []string {
	f := []string{"--data", filepath.Join(s.dir, "data"), "--keys", filepath.Join(s.dir, "data.keys")}
	if s.dsn != "" {
		f = append(f, "--db", s.dsn)
	}
	return f
}

// search names the search index folder, for the commands that keep it.
func (s crashStore) search() []string {
	return []string{"--search", filepath.Join(s.dir, "data.search")}
}

// start runs serve on a free port with limits that let one client do the
// work of many shoppers, and a short resume grace so requests a kill left
// identity-checked are finished within the test.
func (s crashStore) start(t *testing.T, run int) *crashServer {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--sandbox", filepath.Join(s.dir, "data.sandbox"),
		"--codes-per-hour", "1000000", "--code-cooldown", "1ms", "--logins-per-minute", "1000000",
		"--throttle-after", "0", "--throttle-after-all", "0", "--resume-every", "1s", "--resume-grace", "2s",
		"--log-level", "warn", "--payment-endpoint", s.paymentEndpoint}, append(s.flags(), s.search()...)...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MINIMALL_TEST_RUN_MAIN=1", "MINIMALL_TEST_ARGS="+strings.Join(args, " "))
	logPath := filepath.Join(s.dir, fmt.Sprintf("serve-%03d.log", run))
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &crashServer{cmd: cmd, log: logPath}
	t.Cleanup(func() { srv.kill() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "minimall listening on ") {
		srv.kill()
		b, _ := os.ReadFile(logPath)
		t.Fatalf("run %d: serve did not start: %q\n%s", run, lines.Text(), b)
	}
	srv.base = strings.TrimPrefix(lines.Text(), "minimall listening on ")
	go func() { // keep the pipe drained
		for lines.Scan() {
		}
	}()
	return srv
}

// kill ends the process with SIGKILL, as a power cut ends the process
// (not the machine: what reached the kernel's page cache stays).
func (srv *crashServer) kill() {
	if srv.cmd.ProcessState != nil {
		return
	}
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
}

// stop ends the process with SIGTERM and waits for a clean exit.
func (srv *crashServer) stop(t *testing.T) {
	t.Helper()
	srv.cmd.Process.Signal(os.Interrupt)
	if err := srv.cmd.Wait(); err != nil {
		b, _ := os.ReadFile(srv.log)
		t.Fatalf("serve after SIGINT: %v\n%s", err, b)
	}
}

// wantCleanLog fails on a panic or an ERROR line in the run's log: a
// kill may cut a request short, never make the server fail on its own.
func (srv *crashServer) wantCleanLog(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(srv.log)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) || strings.HasPrefix(line, "panic:") || strings.HasPrefix(line, "fatal error:") {
			t.Errorf("%s: %.500s", filepath.Base(srv.log), line)
		}
	}
}

// runCrash runs the cycles on one store: start, check what earlier runs
// acknowledged, drive the load, kill -9 at a drawn moment; then a last
// start that checks everything, waits for every started act to finish,
// stops cleanly and verifies the audit log.
func runCrash(t *testing.T, dsn string, kills int, seed uint64) {
	began := time.Now()
	st := crashStore{dir: t.TempDir(), dsn: dsn}
	pay, endpoint := startPaymentPartner(t, st.dir)
	st.paymentEndpoint = endpoint
	// The schedule has a generator of its own: the shoppers' draws depend
	// on how their goroutines interleave, the kill times must not.
	schedule := rand.New(rand.NewPCG(seed, 1))
	w := newCrashWorld(t, st, rand.New(rand.NewPCG(seed, 2)))
	w.pay = pay
	for run := 0; run < kills; run++ {
		srv := st.start(t, run)
		w.connect(srv)
		w.check()
		// Half the kills fall in the first second, where start-up work
		// (Resume among it) and the first writes overlap; the rest up to
		// 3 s in.
		d := time.Duration(schedule.Int64N(int64(time.Second)))
		if schedule.IntN(2) == 0 {
			d += time.Duration(schedule.Int64N(int64(2 * time.Second)))
		}
		w.drive(d, srv.kill)
		srv.wantCleanLog(t)
	}
	srv := st.start(t, kills)
	w.connect(srv)
	w.check()
	w.finish()
	srv.stop(t)
	srv.wantCleanLog(t)
	code, out, errOut := runCmd(t, append([]string{"audit", "verify"}, st.flags()...)...)
	if code != 0 {
		t.Fatalf("audit verify after %d kills: exit %d\n%s%s", kills, code, out, errOut)
	}
	t.Logf("%d kills in %s: %s", kills, time.Since(began).Round(time.Second), w.summary())
}

// operatorToken creates a DPO operator on the store and returns its token.
func operatorToken(t *testing.T, st crashStore) string {
	t.Helper()
	code, out, errOut := runCmd(t, append([]string{"operator", "add", "--role", "dpo"}, st.flags()...)...)
	m := regexp.MustCompile(`token \(shown once; keep it secret\): (\S+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("operator add: exit %d %s %s", code, out, errOut)
	}
	return m[1]
}

// seedStore fills the store with a small catalogue and a few shoppers.
func seedStore(t *testing.T, st crashStore, shoppers int) {
	t.Helper()
	args := append([]string{"seed", "--items", "40", "--users", strconv.Itoa(shoppers)}, append(st.flags(), st.search()...)...)
	if code, out, errOut := runCmd(t, args...); code != 0 {
		t.Fatalf("seed: exit %d %s %s", code, out, errOut)
	}
}
