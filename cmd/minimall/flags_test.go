package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseFlagsAnywhere: flags are read before, between and after the
// positional arguments; after "--" everything is positional.
func TestParseFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		token      string
		overdue    bool
	}{
		{[]string{"--token", "T", "ID"}, []string{"ID"}, "T", false},
		{[]string{"ID", "--token", "T"}, []string{"ID"}, "T", false},
		{[]string{"A", "--overdue", "B", "--token=T"}, []string{"A", "B"}, "T", true},
		// After "--", a flag-like word is an argument.
		{[]string{"A", "--", "--token", "T"}, []string{"A", "--token", "T"}, "", false},
		{nil, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			token := fs.String("token", "", "")
			overdue := fs.Bool("overdue", false, "")
			got, err := parseFlags(fs, tt.args, io.Discard, "test")
			if err != nil || !slices.Equal(got, tt.positional) || *token != tt.token || *overdue != tt.overdue {
				t.Fatalf("got %q token %q overdue %v, %v", got, *token, *overdue, err)
			}
		})
	}
	t.Run("ErrUnexpectedArgument", func(t *testing.T) {
		if code, _, errOut := runCmd(t, "migrate", "data"); code != 2 || !strings.Contains(errOut, `unexpected argument "data"`) {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
}

// actionFlags say what one run does, so they have no variable: a value
// left in the environment would change what the next run does unasked.
var actionFlags = map[string]bool{
	"format": true, "json": true, "dry-run": true, "version": true, "role": true, "to": true, "from": true,
	"users": true, "first-user": true, "items": true, "orders": true, "seed": true, "real-password-cost": true,
	"state": true, "overdue": true, "reason": true, "accept": true, "reject": true,
	"concurrency": true, "duration": true, "flows": true, "archive": true, "purpose": true,
}

// everyCommand reaches each command's flag set.
var everyCommand = [][]string{
	{"serve"}, {"demo"}, {"migrate"}, {"audit", "verify"}, {"audit", "sweep"}, {"policy", "lists"}, {"policy", "publish"}, {"policy", "show"},
	{"keys", "rotate"}, {"keys", "rotate-lookup"}, {"operator", "add"}, {"seed"}, {"retention", "run"}, {"backup"}, {"restore"}, {"rights"}, {"loadgen"},
}

// TestEveryConfigFlagHasItsVariable: every flag of every command is an
// action flag or names a MINIMALL_* variable in its help, and setting that
// variable sets the flag.
func TestEveryConfigFlagHasItsVariable(t *testing.T) {
	for _, cmd := range everyCommand {
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			fs := flagsOf(t, cmd)
			n := 0
			fs.VisitAll(func(f *flag.Flag) {
				n++
				name := flagEnv(f)
				if actionFlags[f.Name] {
					return
				}
				if name == "" {
					t.Errorf("--%s: its help names no MINIMALL_* variable", f.Name)
					return
				}
				raw, want := sampleValue(t, f)
				t.Setenv(name, raw)
				if got := flagsOf(t, cmd).Lookup(f.Name).Value.String(); got != want {
					t.Errorf("--%s: %s=%s gives %q, want %q", f.Name, name, raw, got, want)
				}
			})
			if n == 0 {
				t.Fatal("no flags")
			}
		})
	}
}

// flagsOf runs cmd --help and returns the flag set it parsed.
func flagsOf(t *testing.T, cmd []string) *flag.FlagSet {
	t.Helper()
	var fs *flag.FlagSet
	onParse = func(f *flag.FlagSet) { fs = f }
	defer func() { onParse = nil }()
	if code := run(context.Background(), append(slices.Clone(cmd), "--help"), io.Discard, io.Discard); code != 0 || fs == nil {
		t.Fatalf("%v --help: exit %d", cmd, code)
	}
	return fs
}

// sampleValue returns a value f accepts that differs from its default, as
// written in the environment and as the flag then shows it. f is spoilt.
func sampleValue(t *testing.T, f *flag.Flag) (raw, shown string) {
	t.Helper()
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		if f.Value.String() == "true" {
			return "false", "false"
		}
		return "true", "true"
	}
	for _, raw := range []string{"17", "17m0s"} {
		if f.Value.Set(raw) == nil {
			return raw, f.Value.String()
		}
	}
	t.Fatalf("--%s: no sample value", f.Name)
	return "", ""
}

// TestProgressOnlyOnTerminal: a bar redraws with \r, so it is drawn only
// on a terminal, never into a file or a buffer.
func TestProgressOnlyOnTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	for _, w := range []io.Writer{f, &buf} {
		bar := newProgressBar(w, "items")
		bar.set(10, 10)
		bar.done()
	}
	if fi, _ := f.Stat(); fi.Size() != 0 || buf.Len() != 0 {
		t.Fatalf("bar drawn into a file (%d bytes) or a buffer (%q)", fi.Size(), buf.String())
	}
}

// TestResumeFlagsNotNegative: a negative --resume-every (a ticker cannot
// run backwards) or --resume-grace is refused before anything starts.
func TestResumeFlagsNotNegative(t *testing.T) {
	for _, flag := range []string{"--resume-every", "--resume-grace"} {
		data := filepath.Join(t.TempDir(), "data")
		code, _, errOut := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", data, flag, "-1s")
		if code != 1 || !strings.Contains(errOut, "must not be negative") {
			t.Errorf("%s -1s: exit %d %s", flag, code, errOut)
		}
	}
}
