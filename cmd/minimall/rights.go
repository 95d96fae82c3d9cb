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
	"strings"
	"text/tabwriter"
	"time"
)

// rightsSynopsis is the usage of "rights"; parseFlags adds the flags.
const rightsSynopsis = `rights <list|show|answer|refuse|review> [id] [flags]

The DPO's rights-request queue (policy 四), through a running server's
operator API. Every call names a ticket (X-Access-Reason, written into the
audit log): --ticket, or for a call on one request, that request's id.
Appeals of automated decisions (kind appeal, REF the decision) are in the
same queue with the same 15-day deadline; answer them with the decision's
answer route (POST /api/v1/ops/decisions/REF/answer).

  list   --ticket T [--state S] [--overdue]
                                    the queue, oldest deadline first; OVERDUE (open past due)
                                    and LATE (answered after the deadline) flagged
  show   ID                         one request with its details
  answer ID                         serve a request that needs an operator
  refuse ID --reason CODE           refuse: repeat_limit, conditions_unmet, evidence_insufficient,
                                    ground_not_met, not_directly_linked, impractical, identity_not_shown
  review ID --accept|--reject       review a next of kin's evidence

Flags may stand before or after the id.`

// rightsOptions are the flags of "rights".
type rightsOptions struct {
	base, token, ticket string
	timeout             time.Duration
	state, reason       string
	overdue             bool
	accept, reject      bool
}

func (o *rightsOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.base, "url", "http://127.0.0.1:8080", "server base URL [MINIMALL_URL]")
	fs.StringVar(&o.token, "token", "", "operator token (dpo role) [MINIMALL_OPERATOR_TOKEN]")
	fs.StringVar(&o.ticket, "ticket", "", "ticket or request id this access is for (default for a call on one request: its id) [MINIMALL_TICKET]")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for the server's answer [MINIMALL_HTTP_TIMEOUT]")
	fs.StringVar(&o.state, "state", "", "list: only this state")
	fs.BoolVar(&o.overdue, "overdue", false, "list: only overdue requests")
	fs.StringVar(&o.reason, "reason", "", "refuse: reason code")
	fs.BoolVar(&o.accept, "accept", false, "review: accept the evidence")
	fs.BoolVar(&o.reject, "reject", false, "review: reject the evidence")
}

// runRights runs "rights …" as an HTTP client of the operator API, so the
// CLI applies exactly the rules the server does (role, ticket, audit).
func runRights(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o rightsOptions
	fs := flag.NewFlagSet("rights", flag.ContinueOnError)
	o.flags(fs)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		_, err := parseFlags(fs, []string{"--help"}, stderr, rightsSynopsis)
		if len(args) == 0 {
			return errUsage
		}
		return err
	}
	sub := args[0]
	positional, err := parseFlags(fs, args[1:], stderr, rightsSynopsis)
	if err != nil {
		return err
	}
	if err := o.check(sub, positional, stderr); err != nil {
		return err
	}
	c := rightsClient{base: strings.TrimRight(o.base, "/"), token: o.token, ticket: o.ticket,
		http: &http.Client{Timeout: o.timeout}}
	if sub == "list" {
		return rightsList(ctx, c, o, stdout)
	}
	method, path, body := rightsCall(sub, positional[0], o)
	var out json.RawMessage
	if err := c.do(ctx, method, path, body, &out); err != nil {
		return err
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, out, "", "  ")
	fmt.Fprintln(stdout, pretty.String())
	return nil
}

// check refuses a call that lacks what it needs before anything is sent;
// a call on one request is made for that request unless --ticket says
// otherwise.
func (o *rightsOptions) check(sub string, positional []string, stderr io.Writer) error {
	usage := func(msg string) error {
		fmt.Fprintln(stderr, msg)
		return errUsage
	}
	switch {
	case sub != "list" && sub != "show" && sub != "answer" && sub != "refuse" && sub != "review":
		return usage(fmt.Sprintf("unknown rights command %q: want list, show, answer, refuse or review", sub))
	case sub == "list" && len(positional) > 0:
		return usage(fmt.Sprintf("unexpected argument %q: list takes no id", positional[0]))
	case sub != "list" && len(positional) != 1:
		return usage("give one request id: minimall rights " + sub + " ID [flags]")
	case o.token == "":
		return usage("--token (or MINIMALL_OPERATOR_TOKEN) is required: an operator token of the dpo role")
	case sub == "review" && o.accept == o.reject:
		return usage("give exactly one of --accept or --reject")
	case sub == "refuse" && o.reason == "":
		return usage("--reason: name the refusal reason code")
	}
	if o.ticket == "" && sub != "list" {
		o.ticket = positional[0]
	}
	if o.ticket == "" {
		return usage("--ticket (or MINIMALL_TICKET) is required: the ticket or request id this look at the queue is for; it goes into the audit log")
	}
	return nil
}

// rightsList prints the queue.
func rightsList(ctx context.Context, c rightsClient, o rightsOptions, stdout io.Writer) error {
	q := url.Values{}
	if o.state != "" {
		q.Set("state", o.state)
	}
	if o.overdue {
		q.Set("overdue", "true")
	}
	var out struct{ Requests []rightsRow }
	if err := c.do(ctx, "GET", "/api/v1/ops/rights/requests?"+q.Encode(), nil, &out); err != nil {
		return err
	}
	printQueue(stdout, out.Requests)
	return nil
}

// rightsCall names the operator API call of a command on one request.
func rightsCall(sub, id string, o rightsOptions) (method, path string, body any) {
	path = "/api/v1/ops/rights/requests/" + url.PathEscape(id)
	switch sub {
	case "answer":
		return "POST", path + "/answer", nil
	case "refuse":
		return "POST", path + "/refuse", map[string]string{"reason": o.reason}
	case "review":
		return "POST", path + "/review", map[string]bool{"accept": o.accept}
	}
	return "GET", path, nil
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

// rightsClient calls the operator API; its HTTP client has a timeout, so
// a stuck server does not hang the command.
type rightsClient struct {
	base, token, ticket string
	http                *http.Client
}

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
	resp, err := c.http.Do(req)
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
