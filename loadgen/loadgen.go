// Package loadgen drives HTTP flows against a running minimall server and
// reports, per flow, requests per second, latency percentiles, errors and
// what the privacy kernel did meanwhile (read from the server's /metrics).
// It measures the real paths: shoppers sign in through the login API, and
// every request goes through the server's middleware and the guard.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Flow is one kind of request a worker repeats. Do makes one request (or
// one step of a user's flow) and returns an error if the answer is wrong.
type Flow struct {
	Name string
	// Setup runs once per worker before the clock starts; what it returns
	// is passed to every Do of that worker (a signed-in shopper, say).
	Setup func(ctx context.Context, c *Client, worker int) (any, error)
	Do    func(ctx context.Context, c *Client, state any) error
}

// Result is what one flow achieved.
type Result struct {
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	// Kernel is what the server's kernel did during the flow: durable audit
	// entries, guard decisions and partner disclosures (deltas of /metrics).
	Kernel KernelWork `json:"kernel"`
	// FirstError is the first failure seen, to tell a broken flow from a
	// slow one.
	FirstError string `json:"first_error,omitempty"`
}

// KernelWork counts the kernel's work during a flow.
type KernelWork struct {
	AuditDurable int64 `json:"audit_durable"`
	GuardAllowed int64 `json:"guard_allowed"`
	GuardDenied  int64 `json:"guard_denied"`
	Disclosures  int64 `json:"partner_disclosures"`
	// Commits and Writes are the embedded store's group commits and the
	// writes they carried (zero on PostgreSQL, where each write commits
	// alone).
	Commits int64 `json:"store_commits"`
	Writes  int64 `json:"store_writes"`
}

// Client is an HTTP client for one target, shared by the workers.
type Client struct {
	Base string
	HTTP *http.Client
}

// NewClient returns a client for base keeping up to conns connections.
func NewClient(base string, conns int) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Transport: newInlineTransport(conns*2, 30*time.Second)}}
}

// Run drives flow with concurrency workers for duration.
func Run(ctx context.Context, c *Client, f Flow, concurrency int, duration time.Duration) Result {
	before, _ := c.kernelCounters(ctx)
	states := make([]any, concurrency)
	var res Result
	var firstErr atomic.Value
	fail := func(err error) {
		atomic.AddInt64(&res.Errors, 1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	if f.Setup != nil {
		var wg sync.WaitGroup
		for w := range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := f.Setup(ctx, c, w)
				if err != nil {
					fail(fmt.Errorf("setup: %w", err))
				}
				states[w] = st
			}()
		}
		wg.Wait()
		if res.Errors > 0 {
			res.FirstError, _ = firstErr.Load().(string)
			return res
		}
	}
	runCtx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	latencies := make([][]time.Duration, concurrency)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			for runCtx.Err() == nil {
				t0 := time.Now()
				err := f.Do(runCtx, c, states[w])
				if err != nil && (runCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded)) {
					break // cut off by the end of the run, not a failure
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					fail(err)
				}
			}
			latencies[w] = lat
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	res.Requests = int64(len(all))
	res.RPS = float64(len(all)) / elapsed.Seconds()
	res.P50ms, res.P99ms = percentile(all, 0.50), percentile(all, 0.99)
	res.FirstError, _ = firstErr.Load().(string)
	if after, err := c.kernelCounters(ctx); err == nil {
		res.Kernel = KernelWork{
			AuditDurable: after.AuditDurable - before.AuditDurable, GuardAllowed: after.GuardAllowed - before.GuardAllowed,
			GuardDenied: after.GuardDenied - before.GuardDenied, Disclosures: after.Disclosures - before.Disclosures,
			Commits: after.Commits - before.Commits, Writes: after.Writes - before.Writes,
		}
	}
	return res
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(float64(len(sorted))*q), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}

// kernelCounters reads the kernel's counters from /metrics. The audit
// writer counts entries once durable, so the last batch of a flow may land
// in the next flow's figures; loadgen waits a moment before reading.
func (c *Client) kernelCounters(ctx context.Context) (KernelWork, error) {
	time.Sleep(50 * time.Millisecond) // longer than the audit log's batching delay
	req, err := http.NewRequestWithContext(ctx, "GET", c.Base+"/metrics", nil)
	if err != nil {
		return KernelWork{}, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return KernelWork{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return KernelWork{}, fmt.Errorf("metrics: status %d", resp.StatusCode)
	}
	return parseKernelCounters(resp.Body)
}

func parseKernelCounters(r io.Reader) (KernelWork, error) {
	var k KernelWork
	targets := map[string]*int64{
		"minimall_audit_durable_total":                     &k.AuditDurable,
		`minimall_guard_decisions_total{decision="allow"}`: &k.GuardAllowed,
		`minimall_guard_decisions_total{decision="deny"}`:  &k.GuardDenied,
		"minimall_partner_disclosures_total":               &k.Disclosures,
		"minimall_store_group_commits_total":               &k.Commits,
		"minimall_store_group_writes_total":                &k.Writes,
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if p := targets[name]; ok && p != nil {
			f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return k, fmt.Errorf("metrics: %s: %w", name, err)
			}
			*p = int64(f)
		}
	}
	return k, sc.Err()
}

// ErrStatus is returned for an answer with an unexpected status.
var ErrStatus = errors.New("unexpected status")
