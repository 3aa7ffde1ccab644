package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nianbao/nianbao"
)

// budgetFlag is --limit NAME=VALUE, repeatable: one limit of the budget
// of every document (nianbao.Budget), the others keeping their defaults.
type budgetFlag struct{ b nianbao.Budget }

func (f *budgetFlag) String() string { return "" }
func (f *budgetFlag) Set(s string) error {
	for _, kv := range strings.Split(s, ",") {
		if err := f.b.Set(strings.TrimSpace(kv)); err != nil {
			return err
		}
	}
	return nil
}

// readFlags declares the flags every command that reads documents has:
// --limit and --debug.
type readFlags struct {
	budget budgetFlag
	debug  *bool
}

func addReadFlags(fl *cmdFlags) *readFlags {
	r := &readFlags{budget: budgetFlag{b: nianbao.DefaultBudget()}}
	d := nianbao.DefaultBudget()
	fl.Var(&r.budget, "limit", fmt.Sprintf("`NAME=VALUE`: a limit of each document's budget (repeatable, or comma-separated): "+
		"time=%v, stream=%s, decoded=%s, repair=%s, objects=%d, pages=%d, tables=%d, cells=%d, text=%s by default; "+
		"a document over one is stored as an error naming it",
		d.Time, nianbao.FormatSize(d.StreamBytes), nianbao.FormatSize(d.DocBytes), nianbao.FormatSize(d.RepairMemory),
		d.Objects, d.Pages, d.Tables, d.Cells, nianbao.FormatSize(d.Text)))
	r.debug = fl.Bool("debug", false, "log internal errors of the readers with their stack on stderr")
	return r
}

// apply puts the budget into ctx for the readers and, with --debug, turns
// on the debug log (a reader's panic, with its stack).
func (r *readFlags) apply(ctx context.Context, env *Env) context.Context {
	if *r.debug {
		env.Log = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		slog.SetDefault(env.Log)
	}
	return nianbao.WithBudget(ctx, r.budget.b)
}
