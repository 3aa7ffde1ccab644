package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/store"
)

var parsedAt = regexp.MustCompile(`(?m),20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// TestReadingCommandsOnPostgres: the bundled samples stored in a
// PostgreSQL database and in a SQLite file give the same output from every
// command that reads a store — query (and --tables), reports (and --text),
// show, organs, panel, export — and a write through query is refused.
func TestReadingCommandsOnPostgres(t *testing.T) {
	pg := pgtest.DB(t)
	lite := filepath.Join(t.TempDir(), "nb.db")
	samples, err := filepath.Abs("../../testdata/samples")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(samples)
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{lite, pg} {
		st, err := store.Open(context.Background(), db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = ingest.Batch(context.Background(), st, func(yield func(ingest.Item) bool) {
			for _, e := range entries {
				if !yield(ingest.FileItem(filepath.Join(samples, e.Name()))) {
					return
				}
			}
		}, ingest.Options{})
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"query", "--format", "csv", "SELECT report_id, agency, year, t3_new_total, organ, on_time FROM v_reports ORDER BY report_id"},
		{"query", "--format", "json", `SELECT row, row_label, "natural", total FROM v_table3 WHERE report_id = 1 ORDER BY row_ord`},
		{"query", "--format", "csv", "SELECT key, value, blank FROM v_cells WHERE report_id = 2 ORDER BY key"},
		{"reports", "--format", "csv"},
		{"reports", "--format", "csv", "--text", "信息公开"},
		{"show", "1", "t3.new.total"},
		{"organs", "--format", "csv"},
		{"panel", "--format", "csv"},
		{"panel", "--format", "csv", "--by", "province"},
	} {
		var outs [2]string
		for i, db := range []string{lite, pg} {
			code, out, errs := runCmd(t, append(append([]string{}, args...), "--db", db)...)
			if code != 0 {
				t.Fatalf("%v on %s: exit %d\n%s", args, db, code, errs)
			}
			// The time each was read differs by the moment.
			outs[i] = parsedAt.ReplaceAllString(out, "")
		}
		if outs[0] != outs[1] {
			t.Errorf("%v: SQLite and PostgreSQL differ:\n%s\n---\n%s", args, outs[0], outs[1])
		}
		if strings.Count(outs[0], "\n") < 2 {
			t.Errorf("%v: little output:\n%s", args, outs[0])
		}
	}
	// The tables: the same list, but SQLite's full-text index and
	// PostgreSQL's archive table.
	_, out, _ := runCmd(t, "query", "--tables", "--format", "csv", "--db", pg)
	for _, want := range []string{"archive,table", "cells,table", "reports,table", "v_panel,view", "v_reports,view"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("query --tables lacks %s:\n%s", want, out)
		}
	}
	// Exports: the same files, byte for byte.
	for _, format := range []string{"csv", "json"} {
		dirs := [2]string{filepath.Join(t.TempDir(), "lite"), filepath.Join(t.TempDir(), "pg")}
		for i, db := range []string{lite, pg} {
			if code, _, errs := runCmd(t, "export", "--format", format, "--out", dirs[i], "--db", db); code != 0 {
				t.Fatalf("export %s on %s: %s", format, db, errs)
			}
		}
		files, _ := os.ReadDir(dirs[0])
		if len(files) < 8 {
			t.Fatalf("export %s: %d files", format, len(files))
		}
		for _, f := range files {
			a, _ := os.ReadFile(filepath.Join(dirs[0], f.Name()))
			b, err := os.ReadFile(filepath.Join(dirs[1], f.Name()))
			if err != nil || string(a) != string(b) {
				t.Errorf("export %s %s differs between SQLite and PostgreSQL (%v)", format, f.Name(), err)
			}
		}
	}
	// Reading only: a write is refused, and says so.
	code, _, errs := runCmd(t, "query", "--db", pg, "INSERT INTO store_meta(key, value) VALUES ('x', 'y')")
	if code != 2 || !strings.Contains(errs, "read-only") {
		t.Errorf("a write through query: exit %d, %s", code, errs)
	}
}

// TestReparseOnPostgres: ingest --reparse reads the documents archived in
// a PostgreSQL store again (the bytes from its archive table).
func TestReparseOnPostgres(t *testing.T) {
	pg := pgtest.DB(t)
	samples, err := filepath.Abs("../../testdata/samples")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd(t, "ingest", "--here", "-q", "--db", pg, samples); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	code, out, errs := runCmd(t, "ingest", "--here", "--reparse", "--all", "-q", "--db", pg)
	if code != 0 || !strings.Contains(out, "reparsed            3") {
		t.Fatalf("reparse: exit %d\n%s\n%s", code, out, errs)
	}
}
