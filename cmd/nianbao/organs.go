package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "organs", Summary: "list organs: names seen, place, years present and missing; apply a names file", Run: runOrgans})
}

func runOrgans(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("organs", "usage: nianbao organs [--db FILE] [--format table|csv|json] [NAME|CODE]\n"+
		"       nianbao organs [--db FILE] --names FILE\n\n"+
		"Lists the organs the stored reports are of: the canonical name, kind and level, the\n"+
		"division it is placed in and how that was decided (or why it is not placed), the\n"+
		"names it printed, the years it has a report for and those missing between them.\n"+
		"NAME matches the organ's or a printed name, CODE a division (32, 3208, 320813).\n\n"+
		"--names FILE makes the decisions in the file the store's: one a line, a printed name,\n"+
		"then a division code (place it there) or an organ's name (it is that organ). They win\n"+
		"over every later ingest and reparse; a name taken out of the file is placed by the\n"+
		"program again. The reports of the names are moved, their versions and cross-year\n"+
		"findings worked out again.")
	db := storeDBFlag(fl.FlagSet, env)
	names := fl.String("names", "", "a names `FILE` of manual decisions to apply")
	format := fl.String("format", "table", "output: table, csv or json")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if *names != "" {
		if len(rest) > 0 {
			return usageError("--names takes no NAME")
		}
		return applyNames(ctx, env, *db, *names)
	}
	if len(rest) > 1 {
		return usageError("one NAME or CODE at most (got %d)", len(rest))
	}
	match := ""
	if len(rest) == 1 {
		match = rest[0]
	}
	w, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	cols := []string{"organ_id", "organ", "kind", "level", "division_code", "province", "city", "county", "placed", "years", "missing", "reports", "findings", "cross_year_findings", "names", "parent", "why"}
	if err := w.header(cols); err != nil {
		return err
	}
	err = st.Organs(ctx, match, func(o store.OrganInfo) error {
		return w.row([]any{o.ID, o.Name, o.Kind, storeOrNil(o.Level), storeOrNil(o.Division), storeOrNil(o.Province),
			storeOrNil(o.City), storeOrNil(o.County), o.How, joinYears(o.Years), joinYears(o.Missing), int64(o.Reports),
			int64(o.Findings), int64(o.CrossYear), strings.Join(o.Names, " | "), storeOrNil(o.Parent), storeOrNil(o.Why)})
	})
	if err != nil {
		return err
	}
	return w.close()
}

func applyNames(ctx context.Context, env *Env, db, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return usageError("--names: %v", err)
	}
	defer f.Close()
	decisions, err := store.ReadNames(f, file)
	if err != nil {
		return usageError("%v", err)
	}
	// The decisions are for a store that exists: a mistyped --db must not
	// create an empty one.
	if _, err := os.Stat(db); err != nil && !store.IsPostgres(db) {
		return usageError("--db %s: %v", db, err)
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ch, err := st.ApplyNames(ctx, decisions)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d decisions in %s: %d names placed anew, %d reports moved\n", len(decisions), file, ch.Names, ch.Reports)
	return nil
}

func joinYears(ys []int) any {
	if len(ys) == 0 {
		return nil
	}
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, " ")
}
