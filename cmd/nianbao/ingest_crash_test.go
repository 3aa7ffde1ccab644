package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// storeBuild builds the nianbao binary into a temporary folder.
func storeBuild(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nianbao")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command, to build the binary: %v", err)
	}
	cmd := exec.Command(goTool, "build", "-tags", "sqlite_fts5", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestIngestSurvivesSIGKILL kills `nianbao ingest` several times in the
// middle of a batch of generated reports, then lets it finish: the database
// must pass integrity_check after every kill, hold each document exactly
// once with no orphan rows, and in the end equal a database made in one
// uninterrupted run.
func TestIngestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := storeBuild(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	const n = 300
	if _, err := storetest.Write(in, 7, n); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "crash.db")
	args := []string{"ingest", "--db", db, "-q", "-j", "2", "--tx", "7", in}

	killed := 0
	for _, at := range []int{15, 90, 180} {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill as soon as the run has committed `at` reports.
		var stored int
		deadline := time.Now().Add(60 * time.Second)
	poll:
		for time.Now().Before(deadline) {
			select {
			case <-done:
				break poll
			default:
			}
			stored = storeCountMaybe(db, `SELECT count(*) FROM reports`)
			if stored >= at {
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				killed++
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		storeCheckConsistent(t, db)
		t.Logf("killed at %d stored reports (wanted ≥ %d)", stored, at)
	}
	if killed == 0 {
		t.Fatal("the batch always finished before it could be killed")
	}

	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "300 documents") {
		t.Errorf("resume summary:\n%s", out)
	}
	storeCheckConsistent(t, db)
	r := storeDB(t, db)
	if got := storeCount(t, r, `SELECT count(*) FROM documents`); got != n {
		t.Fatalf("%d documents, want %d", got, n)
	}
	if got := storeCount(t, r, `SELECT count(*) FROM reports`); got != n {
		t.Fatalf("%d reports, want %d", got, n)
	}
	if got := storeCount(t, r, `SELECT count(DISTINCT source) FROM document_sources`); got != n {
		t.Fatalf("%d sources, want %d", got, n)
	}
	if got := storeCount(t, r, `SELECT count(*) FROM reports WHERE status IN ('ok', 'findings')`); got < n*9/10 {
		t.Errorf("only %d of %d generated reports parsed", got, n)
	}

	// The same batch in one run gives the same database, row for row.
	clean := filepath.Join(dir, "clean.db")
	if out, err := exec.Command(bin, "ingest", "--db", clean, "-q", in).CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}
	// A cross-year finding is written at the commit that brings both of
	// its years in, so its id depends on where the first run was cut.
	skip := []string{"documents.first_seen", "documents.last_seen", "document_sources.first_seen", "document_sources.last_seen",
		"reports.parsed_at", "schema_migrations.applied_at", "findings.id"}
	if a, b := storeDump(t, r, skip...), storeDump(t, storeDB(t, clean), skip...); a != b {
		t.Fatal("the interrupted and resumed database differs from one made in a single run")
	}
}

// storeCountMaybe counts with a fresh read-only connection, returning 0
// while the database does not exist yet.
func storeCountMaybe(path, q string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	st, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	if err != nil {
		return 0
	}
	defer st.Close()
	var n int
	if err := st.Reader().QueryRow(q).Scan(&n); err != nil {
		return 0
	}
	return n
}

// storeCheckConsistent opens the database as the next run would (recovering
// the WAL) and checks it.
func storeCheckConsistent(t *testing.T, path string) {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer func() { st.Close() }()
	r := st.Reader()
	var ic string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Fatalf("integrity_check: %q %v", ic, err)
	}
	// The full-text index holds every section and nothing else: sections
	// are indexed in the transaction that writes them, at its end.
	st.Close()
	storeSQL(t, path, `INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`)
	if st, err = store.Open(context.Background(), path, store.Options{}); err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	r = st.Reader()
	rows, err := r.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Fatal("foreign_key_check found rows without their parent")
	}
	rows.Close()
	for q, what := range map[string]string{
		`SELECT count(*) FROM cells WHERE report_id NOT IN (SELECT id FROM reports)`:                                                          "cells without their report",
		`SELECT count(*) FROM findings WHERE report_id NOT IN (SELECT id FROM reports)`:                                                       "findings without their report",
		`SELECT count(*) FROM sections WHERE report_id NOT IN (SELECT id FROM reports)`:                                                       "sections without their report",
		`SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM reports)`:                                                    "documents without a report",
		`SELECT count(*) FROM (SELECT source FROM document_sources GROUP BY source HAVING count(*) > 1)`:                                      "files stored twice",
		`SELECT count(*) FROM reports r WHERE r.status IN ('ok', 'findings') AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id)`: "parsed reports without cells",
		`SELECT count(*) FROM (SELECT agency, year FROM reports WHERE current GROUP BY agency, year HAVING count(*) > 1)`:                     "organ-years with two current versions",
	} {
		if n := storeCount(t, r, q); n != 0 {
			t.Fatalf("%d %s", n, what)
		}
	}
	// Half-written reports: every parsed report has all the cells of a
	// complete write (its canonical cells are a whole template).
	if n := storeCount(t, r, `SELECT count(*) FROM reports r WHERE r.status IN ('ok', 'findings')
		AND (SELECT count(*) FROM cells c WHERE c.report_id = r.id AND c.extra = 0) < 100`); n != 0 {
		t.Fatalf("%d reports with a partial set of cells", n)
	}
	// Every stored document is in the archive, intact.
	drows, err := r.Query(`SELECT sha256 FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	defer drows.Close()
	for drows.Next() {
		var sha string
		drows.Scan(&sha)
		data, err := os.ReadFile(filepath.Join(st.Archive(), sha[:2], sha))
		if err != nil {
			t.Fatalf("archive: %v", err)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sha {
			t.Fatalf("archive file %s does not match its hash", sha)
		}
	}
}
