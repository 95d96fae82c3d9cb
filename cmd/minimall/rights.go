package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

const rightsUsage = `Usage: minimall rights <list|show|answer|refuse|review> [flags] [id]

The DPO's rights-request queue (policy 四), through a running server's
operator API. Every call names a ticket (X-Access-Reason). Appeals of
automated decisions (kind appeal, REF the decision) are in the same queue
with the same 15-day deadline; answer them with the decision's answer
route (POST /api/v1/ops/decisions/REF/answer).

  list   [--state S] [--overdue]   the queue, oldest deadline first; OVERDUE (open past due)
                                    and LATE (answered after the deadline) flagged
  show   ID                         one request with its details
  answer ID                         serve a request that needs an operator
  refuse ID --reason CODE           refuse: repeat_limit, conditions_unmet, evidence_insufficient,
                                    ground_not_met, not_directly_linked, impractical, identity_not_shown
  review ID --accept|--reject       review a next of kin's evidence

Flags (also MINIMALL_URL, MINIMALL_OPERATOR_TOKEN, MINIMALL_TICKET):
`

// runRights runs "rights …" as an HTTP client of the operator API, so the
// CLI applies exactly the rules the server does (role, ticket, audit).
func runRights(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, rightsUsage)
		if len(args) == 0 {
			return errUsage
		}
		return errHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("rights "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", envOr("MINIMALL_URL", "http://127.0.0.1:8080"), "server base URL")
	token := fs.String("token", os.Getenv("MINIMALL_OPERATOR_TOKEN"), "operator token (dpo role)")
	ticket := fs.String("ticket", os.Getenv("MINIMALL_TICKET"), "ticket or request id this access is for")
	state := fs.String("state", "", "list: only this state")
	overdue := fs.Bool("overdue", false, "list: only overdue requests")
	reason := fs.String("reason", "", "refuse: reason code")
	accept := fs.Bool("accept", false, "review: accept the evidence")
	reject := fs.Bool("reject", false, "review: reject the evidence")
	fs.Usage = func() { fmt.Fprint(stderr, rightsUsage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return errUsage
	}
	if *token == "" {
		fmt.Fprintln(stderr, "--token (or MINIMALL_OPERATOR_TOKEN) is required")
		return errUsage
	}
	if *ticket == "" {
		*ticket = "cli-" + time.Now().UTC().Format("20060102T150405")
	}
	c := rightsClient{base: strings.TrimRight(*base, "/"), token: *token, ticket: *ticket}
	id := fs.Arg(0)
	needID := func() error {
		if id == "" {
			fmt.Fprintln(stderr, "an id is required")
			return errUsage
		}
		return nil
	}
	switch sub {
	case "list":
		q := url.Values{}
		if *state != "" {
			q.Set("state", *state)
		}
		if *overdue {
			q.Set("overdue", "true")
		}
		var out struct{ Requests []rightsRow }
		if err := c.do(ctx, "GET", "/api/v1/ops/rights/requests?"+q.Encode(), nil, &out); err != nil {
			return err
		}
		printQueue(stdout, out.Requests)
		return nil
	case "show", "answer", "refuse", "review":
		if err := needID(); err != nil {
			return err
		}
	default:
		fmt.Fprint(stderr, rightsUsage)
		return errUsage
	}
	var body any
	method, path := "POST", "/api/v1/ops/rights/requests/"+url.PathEscape(id)
	switch sub {
	case "show":
		method = "GET"
	case "answer":
		path += "/answer"
	case "refuse":
		path, body = path+"/refuse", map[string]string{"reason": *reason}
	case "review":
		if *accept == *reject {
			fmt.Fprintln(stderr, "give exactly one of --accept or --reject")
			return errUsage
		}
		path, body = path+"/review", map[string]bool{"accept": *accept}
	}
	var out json.RawMessage
	if err := c.do(ctx, method, path, body, &out); err != nil {
		return err
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, out, "", "  ")
	fmt.Fprintln(stdout, pretty.String())
	return nil
}

type rightsRow struct {
	ID, Kind, State string
	FiledBy         string    `json:"filed_by"`
	DueAt           time.Time `json:"due_at"`
	ReceivedAt      time.Time `json:"received_at"`
	Overdue         bool
	AnsweredLate    bool   `json:"answered_late"`
	Ref             string `json:"ref"`
	RefusedReason   string `json:"refused_reason"`
}

func printQueue(w io.Writer, rows []rightsRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tREF\tBY\tSTATE\tRECEIVED\tDUE\tFLAG")
	for _, r := range rows {
		flag := ""
		switch {
		case r.Overdue:
			flag = "OVERDUE"
		case r.AnsweredLate:
			flag = "LATE"
		}
		ref := r.Ref
		if ref == "" {
			ref = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, ref, r.FiledBy, r.State, r.ReceivedAt.Format("2006-01-02"), r.DueAt.Format("2006-01-02"), flag)
	}
	tw.Flush()
}

type rightsClient struct{ base, token, ticket string }

func (c rightsClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("X-Access-Reason", c.ticket)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode >= 300 {
		var p struct{ Title, Detail string }
		json.Unmarshal(b, &p)
		return fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, p.Title, p.Detail)
	}
	return json.Unmarshal(b, out)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
