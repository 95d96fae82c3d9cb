package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/privacy/internal/audit"
	"minimall/sqldb"
)

// helperEnv makes the test binary, run again by TestKillDurability, act
// as the appending process.
const helperEnv = "AUDIT_TEST_HELPER"

// TestKillDurability kills a process that is appending to the log, with
// SIGKILL, and checks every entry it acknowledged survived and the log
// still verifies and reopens.
func TestKillDurability(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		const want = 2000
		acked, stderr := runAndKill(t, st, want)
		if len(acked) < want {
			t.Fatalf("helper acknowledged %d appends before it stopped; stderr:\n%s", len(acked), stderr)
		}
		// A PostgreSQL backend may finish a COMMIT its killed client sent.
		time.Sleep(200 * time.Millisecond)
		stored := map[int64]bool{}
		for _, s := range storedSeqs(t, st.DB, "main") {
			stored[s] = true
		}
		for seq := range acked {
			if !stored[seq] {
				t.Fatalf("acknowledged seq %d is not stored", seq)
			}
		}
		MustVerifyOK(t, st)
		l := MustOpenLog(t, st, audit.Options{})
		seq, err := l.Append(context.Background(), testEntry(0))
		if err != nil || seq != int64(len(stored))+1 {
			t.Fatalf("append after the crash: seq %d, %v; want %d", seq, err, len(stored)+1)
		}
		MustVerifyOK(t, st)
		t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
	})
}

// runAndKill starts the helper on st, reads acknowledged seqs until it has
// n, then kills it. It returns the seqs and the helper's stderr.
func runAndKill(t *testing.T, st *testkit.Store, n int) (map[int64]bool, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1",
		"AUDIT_TEST_DATA="+st.DataDSN, "AUDIT_TEST_KEYS="+st.KeysDSN, "AUDIT_TEST_KEYSDIR="+st.KeysDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]bool{}
	sc := bufio.NewScanner(out)
	for len(acked) < n && sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			seq, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("helper said %q", sc.Text())
			}
			acked[seq] = true
		}
	}
	// SIGKILL: no deferred function, no Close, no flush runs in the helper.
	cmd.Process.Kill()
	cmd.Wait()
	return acked, stderr.String()
}

// TestHelperAppender is not a test: TestKillDurability runs it in a child
// process, where it appends from several goroutines and prints each
// acknowledged seq until it is killed.
func TestHelperAppender(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestKillDurability")
	}
	ctx := context.Background()
	data, err := sqldb.Open(ctx, os.Getenv("AUDIT_TEST_DATA"), nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sqldb.Open(ctx, os.Getenv("AUDIT_TEST_KEYS"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, data, keys, os.Getenv("AUDIT_TEST_KEYSDIR"), audit.Options{MaxDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; ; i++ {
				seq, err := l.Append(ctx, testEntry(i))
				if err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %d\n", seq) // unbuffered: printed only once durable
				mu.Unlock()
			}
		}()
	}
	go func() { // asynchronous entries in the same batches, at a pace the writer keeps up with
		for i := 0; ; i++ {
			l.Record(testEntry(i))
			time.Sleep(time.Millisecond)
		}
	}()
	// The parent kills us long before this; it only stops an orphan.
	time.Sleep(time.Minute)
	os.Exit(3)
}
