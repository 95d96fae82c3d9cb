package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"minimall/app"
	"minimall/privacy"
)

// runRotateLookup runs "keys rotate-lookup --purpose FIELD|all".
func runRotateLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var purpose string
	names := make([]string, len(privacy.LookupFields))
	for i, f := range privacy.LookupFields {
		names[i] = string(f)
	}
	m, err := openForCommand(ctx, "keys rotate-lookup", args, stderr, "keys rotate-lookup --purpose FIELD|all [flags]", false, func(fs *flag.FlagSet) {
		fs.StringVar(&purpose, "purpose", "", "the blind index whose lookup key to rotate: "+strings.Join(names, ", ")+", or all (required). "+
			"Run it with minimall stopped; if it is interrupted, run it again")
	})
	if err != nil {
		return err
	}
	defer m.Close()
	fields, err := lookupPurposes(purpose, names)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return errUsage
	}
	k, err := privacy.Open(ctx, m.kernelConfig())
	if err != nil {
		return err
	}
	defer k.Close()
	for _, f := range fields {
		rep, err := k.RotateLookup(ctx, f, app.Reindexers(m.DB, k))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: lookup key generation %d current; rows re-indexed %s; %d old keys destroyed\n",
			rep.Field, rep.Generation, formatRewritten(rep.Rewritten), rep.Destroyed)
	}
	return nil
}

func lookupPurposes(purpose string, names []string) ([]privacy.Field, error) {
	switch {
	case purpose == "all":
		return privacy.LookupFields, nil
	case slices.Contains(names, purpose):
		return []privacy.Field{privacy.Field(purpose)}, nil
	}
	return nil, fmt.Errorf("--purpose: want one of %s or all, got %q", strings.Join(names, ", "), purpose)
}

func formatRewritten(m map[string]int) string {
	if len(m) == 0 {
		return "none (nothing stored can be made anew)"
	}
	parts := make([]string, 0, len(m))
	for area, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", area, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
