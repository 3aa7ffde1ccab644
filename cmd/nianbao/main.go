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
	"runtime/pprof"
	"sort"
	"syscall"
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
	// Run executes the subcommand. It returns the process exit code; an
	// error is printed to stderr and means exit 1 unless it is an exitError.
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

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

// silentExit makes run exit with a code without printing anything more
// (the command has already reported).
func silentExit(code int) error { return &exitError{code: code} }

func main() { os.Exit(runMain()) }

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
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
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
	fmt.Fprintln(w, "\nrun 'nianbao <command> -h' for the flags of a command")
}
