package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// cmdFlags is the flag set of a subcommand with its usage text. The flag
// package's own printing is off: -h prints the usage on stdout and exits
// 0 (it was asked for), a bad flag is a one-line usage error on stderr
// (exit 2), and the defaults are printed once, by printFlags.
type cmdFlags struct {
	*flag.FlagSet
	name  string
	usage string // synopsis and description, printed before the flags
}

func newFlags(name, usage string) *cmdFlags {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.Usage = func() {}
	return &cmdFlags{FlagSet: fl, name: name, usage: usage}
}

// printUsage writes the usage text and the flags.
func (f *cmdFlags) printUsage(w io.Writer) {
	fmt.Fprintln(w, strings.TrimRight(f.usage, "\n"))
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		printFlags(w, f.FlagSet)
	}
}

// parse parses flags that may come before, between or after the positional
// arguments (`nianbao ingest samples --db x.db`); "--" ends the flags. -h
// prints the usage on stdout and ends the command with status 0.
//
// An argument that starts with "-" but whose name has a space or a line
// break in it ("-- every report", a query's SQL comment) cannot be a flag:
// it is taken as an argument, not refused as a bad flag.
func (f *cmdFlags) parse(env *Env, args []string) ([]string, error) {
	var pos []string
	for {
		cut := len(args)
		for i, a := range args {
			if a == "--" {
				break
			}
			if notFlag(a) {
				cut = i
				break
			}
		}
		if err := f.Parse(args[:cut]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printUsage(env.Stdout)
				return nil, silentExit(0)
			}
			return nil, usageError("%v", err)
		}
		head, tail := args[:cut], args[cut:]
		rest := f.Args()
		if len(rest) == 0 {
			if len(tail) == 0 {
				return pos, nil
			}
			pos = append(pos, tail[0])
			args = tail[1:]
			continue
		}
		// flag stops at "--" (dropping it) or at the first non-flag.
		if len(head) > len(rest) && head[len(head)-len(rest)-1] == "--" {
			return append(append(pos, rest...), tail...), nil
		}
		pos = append(pos, rest[0])
		args = append(rest[1:len(rest):len(rest)], tail...)
	}
}

// notFlag says that an argument starting with "-" is no flag: its name
// (before any "=") holds white space.
func notFlag(a string) bool {
	if len(a) < 2 || a[0] != '-' || a == "--" {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return strings.ContainsAny(name, " \t\r\n")
}

// printFlags lists the flags as the README writes them (--name), each
// default once: the flag package's PrintDefaults adds "(default …)" even
// when the description already says what the default is.
func printFlags(w io.Writer, fl *flag.FlagSet) {
	fl.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		head := "  " + dash + f.Name
		if arg != "" {
			head += " " + arg
		}
		if !strings.Contains(usage, "default") {
			switch f.DefValue {
			case "", "0", "false", "0s":
			default:
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintf(w, "%s\n      %s\n", head, usage)
	})
}

// noArgs refuses positional arguments for a command that takes none.
func noArgs(rest []string, where string) error {
	if len(rest) > 0 {
		return usageError("unexpected argument %q (%s)", rest[0], where)
	}
	return nil
}

// positive refuses a count below 1 for the flag name.
func positive(name string, n int) error {
	if n < 1 {
		return usageError("%s must be at least 1 (got %d)", name, n)
	}
	return nil
}
