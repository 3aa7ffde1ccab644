package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "copy", Summary: "copy a whole store into another database (SQLite to PostgreSQL, or back), verified", Run: runCopy})
}

// copyProgressEvery is how often a table being copied prints its progress.
var copyProgressEvery = 5 * time.Second

func runCopy(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("copy", "usage: nianbao copy --from DB --to DB [--replace] [--format table|csv|json] [-q]\n\n"+
		"Copies a whole store into another database without reading a document again: a\n"+
		"SQLite file (and its archive folder) into PostgreSQL (postgres://…), or back. Every\n"+
		"table with its ids — documents and where they were seen, reports with their versions\n"+
		"and copies, figures, findings, prose, organs and their names, the crawl frontier and\n"+
		"runs — and the bytes of every document (their hashes checked). The target is written\n"+
		"in one transaction: all of it, or on an error or Ctrl-C nothing. A target that holds\n"+
		"a store already is refused unless --replace.\n\n"+
		"Then the two are compared before the copy is committed: rows per table, the documents'\n"+
		"bytes, reports by status, versions, copies, the sum of the figures, findings per rule,\n"+
		"prose, organs, frontier. The comparison is printed on stdout; a difference undoes the\n"+
		"copy (exit 1). Progress goes to stderr.")
	from := fl.String("from", "", "the store `DB` to copy: a SQLite database file or postgres://…")
	to := fl.String("to", "", "the database `DB` to copy it into: postgres://… or a SQLite file (created)")
	replace := fl.Bool("replace", false, "empty a target that holds a store (in the same transaction) instead of refusing it")
	format := fl.String("format", "table", "output: table, csv or json")
	quiet := fl.Bool("q", false, "no progress on stderr")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "give the stores with --from and --to"); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return usageError("give both --from and --to")
	case *from == *to:
		return usageError("--from and --to are the same database")
	}
	w, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	// The source must exist: a mistyped --from must not create an empty
	// store (and copy nothing).
	if !store.IsPostgres(*from) {
		if fi, err := os.Stat(*from); err != nil {
			return usageError("--from %s: %v", *from, err)
		} else if !fi.Mode().IsRegular() {
			return usageError("--from %s: not a database file", *from)
		}
	}
	if store.IsPostgres(*from) {
		// A PostgreSQL database without a store is refused rather than
		// given one (opening it for writing would make the tables).
		ro, err := store.Open(ctx, *from, store.Options{ReadOnly: true})
		if err != nil {
			return err
		}
		ro.Close()
	}
	if err := checkDB(*to); err != nil {
		return err
	}
	// Both are opened for writing, which brings their schemas to the
	// latest migration; nothing else is written to the source.
	src, err := store.Open(ctx, *from, store.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, store.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()

	pr := &copyProgress{w: env.Stderr, quiet: *quiet, every: copyProgressEvery}
	st, err := store.Copy(ctx, src, dst, store.CopyOptions{Replace: *replace, Progress: pr.show})
	if len(st.Checks) > 0 {
		if werr := writeChecks(w, st); werr != nil && err == nil {
			err = werr
		}
	}
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		return fmt.Errorf("%w; --replace empties it first", err)
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted: nothing was copied (%w)", err)
	case err != nil:
		return err
	}
	if !*quiet {
		var reports, cells int64
		for _, t := range st.Tables {
			switch t.Name {
			case "reports":
				reports = t.Rows
			case "cells":
				cells = t.Rows
			}
		}
		fmt.Fprintf(env.Stderr, "copied %d reports, %d figures and %d documents (%.1f MB) from %s to %s in %s; %d checks, all equal\n",
			reports, cells, st.ArchiveDocs, float64(st.ArchiveBytes)/1e6, src.Path(), dst.Path(), st.Took.Round(10*time.Millisecond), len(st.Checks))
		if st.Cleaned > 0 {
			fmt.Fprintf(env.Stderr, "%d text values held a NUL or bytes that are not UTF-8, which PostgreSQL cannot store: copied without the NULs, bad bytes as U+FFFD\n", st.Cleaned)
		}
	}
	return nil
}

// writeChecks prints the verification: one row a check.
func writeChecks(w storeOut, st *store.CopyStats) error {
	if err := w.header([]string{"check", "source", "target", "equal"}); err != nil {
		return err
	}
	for _, c := range st.Checks {
		eq := "yes"
		if !c.OK {
			eq = "NO"
		}
		if err := w.row([]any{c.What, c.Source, c.Target, eq}); err != nil {
			return err
		}
	}
	return w.close()
}

// copyProgress prints a copy's progress on stderr: a line as each table
// is done, and one every few seconds while a large one is copied.
type copyProgress struct {
	w     io.Writer
	quiet bool
	every time.Duration
	table string
	done  bool // the table's last line was printed
	start time.Time
	last  time.Time
}

func (p *copyProgress) show(c store.CopyProgress) {
	if p.quiet {
		return
	}
	now := time.Now()
	if c.Table != p.table {
		p.table, p.start, p.last, p.done = c.Table, now, now, false
	}
	if p.done {
		return // an empty table says it is done twice
	}
	unit := "rows"
	switch c.Table {
	case "archive":
		unit = "documents"
	case "keys and indexes":
		unit = "made again"
	}
	switch {
	case c.Done == c.Total:
		p.done = true
		fmt.Fprintf(p.w, "copy: %-16s %d %s in %s\n", c.Table, c.Total, unit, now.Sub(p.start).Round(10*time.Millisecond))
	case c.Done > 0 && now.Sub(p.last) >= p.every:
		p.last = now
		fmt.Fprintf(p.w, "copy: %-16s %d of %d %s (%.0f%%)\n", c.Table, c.Done, c.Total, unit, 100*float64(c.Done)/float64(c.Total))
	}
}
