// Command nianbao turns government information-disclosure annual reports
// into a queryable dataset: parse documents, ingest them into SQLite, query
// and export the figures, crawl government sites.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"syscall"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
)

// Env is what a subcommand talks to; tests give it buffers.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Log    *slog.Logger
}

// A command is one subcommand; each lives in its own file and registers
// itself from init.
type command struct {
	Name    string
	Summary string
	// Run executes the subcommand. A nil error is exit code 0; an error is
	// printed to stderr and means exit 1, unless it is an exitError, which
	// carries its own code.
	Run func(ctx context.Context, env *Env, args []string) error
	// GC is the batch GC setting of the command (tuneGC);
	// 0 leaves Go's defaults.
	GC int
}

var commands = map[string]command{}

func register(c command) { commands[c.Name] = c }

// exitError carries a specific exit code (2 for usage errors).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

// silentExit makes run exit with a code without printing anything more
// (the command has already reported).
func silentExit(code int) error { return &exitError{code: code} }

func main() {
	// A PDF is repaired in a child process: this executable started again
	// (see pdfdoc.ServeRepair), which must answer before anything else.
	pdfdoc.ServeRepair()
	os.Exit(runMain())
}

// runMain is main until the exit code, so that deferred calls run.
func runMain() int {
	if len(os.Args) > 1 && commands[os.Args[1]].GC != 0 {
		tuneGC(commands[os.Args[1]].GC)
	}
	// $NIANBAO_CPUPROFILE writes a CPU profile of the whole command, for
	// measuring ingest and parse as users run them (go tool pprof FILE).
	if path := os.Getenv("NIANBAO_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
		}
	}
	// $NIANBAO_MEMPROFILE writes a heap profile when the command ends, of
	// what it still holds (go tool pprof -sample_index=inuse_space FILE).
	if path := os.Getenv("NIANBAO_MEMPROFILE"); path != "" {
		defer func() {
			if f, err := os.Create(path); err == nil {
				runtime.GC()
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}, os.Args[1:])
	stop()
	return code
}

// run dispatches to a subcommand and turns its error into an exit code.
func run(ctx context.Context, env *Env, args []string) int {
	if env.Log == nil {
		env.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(env.Stdout)
		return 0
	case "help":
		if len(args) == 1 {
			usage(env.Stdout)
			return 0
		}
		if _, ok := commands[args[1]]; !ok {
			fmt.Fprintf(env.Stderr, "nianbao help: unknown command %q\n", args[1])
			usage(env.Stderr)
			return 2
		}
		// A command's usage is what its -h prints.
		args = []string{args[1], "-h"}
	case "version", "-version", "--version":
		fmt.Fprintln(env.Stdout, versionLine())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "nianbao: unknown command %q\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := c.Run(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(env.Stderr, "nianbao %s: %v\n", c.Name, ee.err)
			if ee.code == 2 {
				fmt.Fprintf(env.Stderr, "run 'nianbao help %s' for usage\n", c.Name)
			}
		}
		return ee.code
	}
	fmt.Fprintf(env.Stderr, "nianbao %s: %v\n", c.Name, err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nianbao <command> [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\nrun 'nianbao help <command>' (or 'nianbao <command> -h') for the flags of a command,\n'nianbao --version' for the version")
}

// versionLine names the release, the parser version (what `ingest
// --reparse` compares) and, when the binary carries them, the Go version
// and the commit it was built from.
func versionLine() string {
	s := fmt.Sprintf("nianbao %s (parser %s", nianbao.Release, nianbao.ParserVersion)
	if bi, ok := debug.ReadBuildInfo(); ok {
		s += ", " + bi.GoVersion
		var rev, dirty string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					dirty = "+modified"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			s += ", commit " + rev + dirty
		}
	}
	return s + ")"
}
