package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"minimall"
	"minimall/privacy"
	"minimall/privacy/policy"
)

// publishFirstPolicy publishes the policy as version 1 on a store where
// none is published yet: registration asks a person to accept the version
// in force, which they must be able to read (GET /api/v1/policy/versions/1).
// Later versions are the DPO's act (policy publish), never the start's.
func (m *Main) publishFirstPolicy(ctx context.Context, stdout io.Writer) error {
	// A stop signal arriving meanwhile lets the publication finish.
	ctx = context.WithoutCancel(ctx)
	vs, err := m.App.Policy.Versions(ctx)
	if err != nil || len(vs) > 0 {
		return err
	}
	a := minimall.SystemActor("startup:first-policy")
	a.Reason = "first-start"
	v, err := m.App.Policy.Publish(ctx, a)
	if err != nil {
		return fmt.Errorf("publish the first policy version: %w", err)
	}
	fmt.Fprintf(stdout, "published the privacy policy as version %d (none was published in this store)\n", v.Version)
	return nil
}

// runPolicyPublish runs "policy publish": snapshot the policy text and the
// field registry as a new version, and print how it was classified.
func runPolicyPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "policy publish --ticket ID [--dry-run] [--dpo-contact ADDRESS] [flags]"
	var ticket, contact string
	var dryRun bool
	m, err := parseCommand("policy publish", args, stderr, synopsis, func(fs *flag.FlagSet) {
		fs.StringVar(&ticket, "ticket", "", "ticket or request id the publication is made for (audited) [MINIMALL_TICKET]")
		fs.BoolVar(&dryRun, "dry-run", false, "print the classification without publishing")
		fs.StringVar(&contact, "dpo-contact", "", "the DPO contact the policy names (default: as serve's) [MINIMALL_DPO_CONTACT]")
	})
	if err != nil {
		return err
	}
	if contact != "" {
		m.Config.DPOContact = contact
	}
	if !dryRun && !privacy.ValidAccessReason(ticket) {
		fmt.Fprintf(stderr, "--ticket: give the ticket or request id (%s)\n", privacy.AccessReasonRule)
		return errUsage
	}
	svc, closeAll, err := m.openPolicyService(ctx, true)
	if err != nil {
		return err
	}
	defer closeAll()
	if dryRun {
		last, c, err := svc.Pending(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "publishing now would make version %d: %s\n", last+1, c.Kind())
		printReasons(stdout, c.Reasons)
		return nil
	}
	a := minimall.SystemActor("cli:policy-publish")
	a.Reason = ticket
	v, err := svc.Publish(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published version %d: %s\n", v.Version, v.Kind)
	printReasons(stdout, v.Reasons)
	if v.Kind == "major" {
		fmt.Fprintln(stdout, "major change: consent-based functions pause for each person until they accept this version (POST /api/v1/policy/accept)")
	}
	return nil
}

func printReasons(w io.Writer, rs []policy.Reason) {
	for _, r := range rs {
		kind := "minor"
		if r.Major {
			kind = "MAJOR"
		}
		fmt.Fprintf(w, "  [%s] %s: %s\n", kind, r.Code, r.Detail)
	}
}

// runPolicyShow runs "policy show": a published version's text, by
// default the current one; before the first publish, the draft.
func runPolicyShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const synopsis = "policy show [--version N] [flags]"
	var n int
	m, err := parseCommand("policy show", args, stderr, synopsis, func(fs *flag.FlagSet) {
		fs.IntVar(&n, "version", 0, "version to show (default: the current one)")
	})
	if err != nil {
		return err
	}
	if n < 0 {
		fmt.Fprintln(stderr, "--version: a positive number")
		return errUsage
	}
	svc, closeAll, err := m.openPolicyService(ctx, false)
	if err != nil {
		return err
	}
	defer closeAll()
	if n == 0 {
		vs, err := svc.Versions(ctx)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			fmt.Fprintln(stderr, "nothing published yet: showing the draft")
			text, err := svc.Draft(ctx)
			if err != nil {
				return err
			}
			_, err = io.WriteString(stdout, text)
			return err
		}
		n = vs[0].Version
	}
	v, err := svc.Version(ctx, n)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, v.Text)
	return err
}

// openPolicyService opens the stores, the kernel and the policy service;
// closeAll closes them. With migrate false (a command that only reads) a
// missing store is refused and nothing is created.
func (m *Main) openPolicyService(ctx context.Context, migrate bool) (*policy.Service, func(), error) {
	if !migrate {
		if err := m.Config.requireStore(); err != nil {
			return nil, nil, err
		}
	}
	if err := m.open(ctx, migrate); err != nil {
		return nil, nil, err
	}
	k, err := privacy.Open(ctx, m.kernelConfig())
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	m.Kernel = k
	svc := policy.NewService(m.DB, k, policy.Contact{DPO: m.Config.DPOContact})
	if err := svc.Load(ctx); err != nil {
		m.Close()
		return nil, nil, err
	}
	return svc, func() { m.Close() }, nil
}
