package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
)

// envInUsage finds the MINIMALL_* variable a flag's usage text names, as
// "… [MINIMALL_DATA]" at its end. The help text is the one list of which
// flag has which variable: bindEnv reads exactly the variables it names.
var envInUsage = regexp.MustCompile(`\[(MINIMALL_[A-Z0-9_]+)\]$`)

// flagEnv returns the variable f's usage names, or "" for a flag that has
// none (one that says what a single run does: --dry-run, --reason …).
func flagEnv(f *flag.Flag) string {
	if m := envInUsage.FindStringSubmatch(f.Usage); m != nil {
		return m[1]
	}
	return ""
}

// bindEnv sets every flag of fs whose variable is set in the environment,
// before the command line is parsed, so flags win over variables.
func bindEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := flagEnv(f)
		if v := getenv(name); name != "" && v != "" && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// onParse, when set (by tests), sees every command's flag set just before
// its command line is parsed.
var onParse func(*flag.FlagSet)

// parseFlags parses a command's flags wherever they stand on the command
// line, before, between or after its positional arguments (`rights show ID
// --token T`), and returns the positional arguments in order; after "--"
// everything is positional. Variables are applied first (bindEnv). It
// prints the command's usage and flags on -h, --help and errors.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer, synopsis string) ([]string, error) {
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: minimall %s\n\nFlags (a variable in brackets sets the flag; the flag wins):\n", synopsis)
		fs.PrintDefaults()
	}
	if onParse != nil {
		onParse(fs)
	}
	if err := bindEnv(fs, os.Getenv); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, errUsage
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// noArgs refuses positional arguments a command does not take, so a
// mistyped flag ("-- items 10", "items 10") is not silently ignored.
func noArgs(positional []string, stderr io.Writer, synopsis string) error {
	if len(positional) == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "unexpected argument %q\nUsage: minimall %s\n", positional[0], synopsis)
	return errUsage
}

// parseArgs is parseFlags for a command that takes no positional arguments.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer, synopsis string) error {
	positional, err := parseFlags(fs, args, stderr, synopsis)
	if err != nil {
		return err
	}
	return noArgs(positional, stderr, synopsis)
}
