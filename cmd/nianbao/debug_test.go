package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// TestDebugLogsPanicStack: --debug, as the reading commands declare and
// apply it (addReadFlags, readFlags.apply), logs a reader's panic with its
// stack on the command's stderr; without it the stack is not printed —
// the stored reason says "internal error" and nothing more. The command
// reads with pipeline.Read, and no bundled document panics where it logs
// (the known library panic, a page of a fuzzed PDF, is only a page note):
// the panic comes from the fake parser, in the batch ingest runs.
func TestDebugLogsPanicStack(t *testing.T) {
	// apply sets the default logger, and SetDefault points package log at
	// it: both are put back.
	prev, prevW, prevF := slog.Default(), log.Writer(), log.Flags()
	t.Cleanup(func() { slog.SetDefault(prev); log.SetOutput(prevW); log.SetFlags(prevF) })
	for _, debug := range []bool{false, true} {
		var errb bytes.Buffer
		env := &Env{Stdout: io.Discard, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}
		env.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})) // as run sets it
		// The process's default logger writes Info and above to stderr.
		slog.SetDefault(slog.New(slog.NewTextHandler(env.Stderr, nil)))
		fl := newFlags("ingest", "")
		rf := addReadFlags(fl)
		var args []string
		if debug {
			args = []string{"--debug"}
		}
		if _, err := fl.parse(env, args); err != nil {
			t.Fatal(err)
		}
		ctx := rf.apply(context.Background(), env)
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		items := []ingest.Item{{Source: "panic.txt", Load: func() ([]byte, error) { return storetest.FakeDoc("机关P", 2022, "panic"), nil }}}
		var reason string
		err = ingest.Batch(ctx, st, slices.Values(items), ingest.Options{Workers: 1, Parse: storetest.FakeParse,
			OnOutcome: func(o store.Outcome) { reason = o.Reason }})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(reason, "internal error") || strings.Contains(reason, "told to panic") {
			t.Errorf("debug=%v: reason %q", debug, reason)
		}
		logged := errb.String()
		// The stack, with the fake parser's frame in it.
		hasStack := strings.Contains(logged, "stack=") && strings.Contains(logged, "goroutine ") &&
			strings.Contains(logged, "storetest.FakeParse")
		switch {
		case debug && (!hasStack || !strings.Contains(logged, "told to panic") || !strings.Contains(logged, "source=panic.txt")):
			t.Errorf("--debug: no panic with its stack on stderr:\n%s", logged)
		case !debug && (hasStack || strings.Contains(logged, "goroutine ") || strings.Contains(logged, "told to panic")):
			t.Errorf("without --debug, stderr has the panic:\n%s", logged)
		}
	}
}
