package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
)

// copyCorpus fills a store for the copy tests: answerCorpus (both
// templates, findings, versions, a copy, cross-year findings, prose,
// reports without organ or year) and a crawl frontier with two runs.
func copyCorpus(t *testing.T, s *Store) {
	t.Helper()
	answerCorpus(t, s)
	ctx := context.Background()
	site := "https://www.example.gov.cn/xxgk/ndbg/"
	if err := s.AddToFrontier(ctx, site, []FrontierLink{{URL: site, Kind: KindListing}}); err != nil {
		t.Fatal(err)
	}
	run, _, err := s.BeginCrawl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := []FrontierLink{{URL: site + "2023.html", Kind: KindPage, Title: "2023年报"}, {URL: site + "2023.pdf", Kind: KindAttachment, Title: "附件"}}
	if err := s.SettleFrontier(ctx, run, FrontierItem{URL: site, Site: site, State: StateDone, HTTPStatus: 200, ETag: `"e1"`, Outcome: "new"}, found); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleFrontier(ctx, run, FrontierItem{URL: site + "2023.pdf", Site: site, State: StateFailed, Attempts: 1, HTTPStatus: 503, Error: "503"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishCrawl(ctx, run); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginCrawl(ctx); err != nil { // a run that never finished
		t.Fatal(err)
	}
}

// storeState is what a store holds, as text: every row of its tables
// (PostgreSQL's boolean current aside, which SQLite keeps as 0/1), the
// frontier and the crawl runs, and every document's bytes.
func storeState(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(storetest.Dump(t, s.Reader(), "schema_migrations", "reports.current"))
	items, err := s.FrontierOf(ctx, "https://www.example.gov.cn/xxgk/ndbg/")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		fmt.Fprintf(&b, "frontier %+v\n", it)
	}
	rows, err := s.Reader().Query(`SELECT id, started_at, finished_at FROM crawl_runs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var start string
		var end *string
		if err := rows.Scan(&id, &start, &end); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "run %d %s %v\n", id, start, end != nil)
	}
	rows.Close()
	rows, err = s.Reader().Query(`SELECT sha256 FROM documents ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			t.Fatal(err)
		}
		data, err := s.ArchiveGet(sha)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "bytes %s %d\n", sha, len(data))
	}
	return b.String()
}

// firstDiff fails the test at the first line where two texts differ.
func firstDiff(t *testing.T, what, a, b string) {
	t.Helper()
	if a == b {
		return
	}
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			t.Fatalf("%s: line %d differs:\n  %s\n  %s", what, i+1, x, y)
		}
	}
}

func mustCopy(t *testing.T, from, to *Store, opt CopyOptions) *CopyStats {
	t.Helper()
	st, err := Copy(context.Background(), from, to, opt)
	if err != nil {
		t.Fatal(err)
	}
	if bad := st.Mismatched(); len(bad) > 0 || len(st.Checks) < 30 {
		t.Fatalf("checks: %d, mismatched %+v", len(st.Checks), bad)
	}
	return st
}

// TestCopyBetweenBackends: a SQLite store copied into PostgreSQL holds the
// same rows with the same ids, the same bytes, and gives the same answers
// (reports, versions, copies, organs, cross-year findings, panel, every
// export, the full-text search); copied back into a new SQLite file it is
// the store it was. The target's ids go on past the copied ones.
func TestCopyBetweenBackends(t *testing.T) {
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, clock)
	pg := backend{name: "postgres", dsn: pgtest.DB(t)}.open(t, clock)
	copyCorpus(t, sq)
	shape := pgShape(t, pg)
	var seen []string
	st := mustCopy(t, sq, pg, CopyOptions{Progress: func(p CopyProgress) {
		if p.Done == p.Total {
			seen = append(seen, p.Table)
		}
	}})
	if len(st.Tables) != len(copyTables) || st.ArchiveDocs == 0 || st.ArchiveBytes == 0 {
		t.Fatalf("stats %+v", st)
	}
	if want := "archive store_meta fields organs organ_names documents document_sources reports cells findings sections crawl_runs frontier keys and indexes"; strings.Join(seen, " ") != want {
		t.Errorf("progress ended %q, want %q", strings.Join(seen, " "), want)
	}
	for _, c := range st.Checks {
		if c.What == "cross-year findings" && c.Source == "0" || c.What == "copies (same_as)" && c.Source == "0" ||
			c.What == "superseded reports" && c.Source == "0" || c.What == "rows of sections" && c.Source == "0" {
			t.Errorf("the corpus lacks %s", c.What)
		}
	}
	before := storeState(t, sq)
	firstDiff(t, "rows after the copy", before, storeState(t, pg))
	firstDiff(t, "keys and indexes after the copy", shape, pgShape(t, pg))
	firstDiff(t, "answers after the copy", answers(t, sq), answers(t, pg))

	// Back into SQLite: the store it was, its full-text index rebuilt.
	back := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "back.db")}.open(t, clock)
	mustCopy(t, pg, back, CopyOptions{})
	firstDiff(t, "rows copied back", before, storeState(t, back))
	firstDiff(t, "answers copied back", answers(t, sq), answers(t, back))

	// Writing goes on in the target: new ids past the copied ones, a new
	// version of a copied organ and year.
	var maxDoc, maxRep int64
	if err := pg.Reader().QueryRow(`SELECT max(d.id), max(r.id) FROM documents d, reports r`).Scan(&maxDoc, &maxRep); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := pg.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := w.Write(pg.prepareDoc(ctx, "huaian-2023-v3", nil, fakeDoc("淮安市人民政府", 2023, "cell t3.carried.total=7", "template=2021"), 0))
	if err == nil {
		err = w.Commit()
	}
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out.Result != ResultNewVersion || out.DocumentID != maxDoc+1 || out.ReportID != maxRep+1 || out.Version != 3 {
		t.Fatalf("a write after the copy: %+v (largest ids copied: document %d, report %d)", out, maxDoc, maxRep)
	}
}

// TestCopyRefusesAStore: a target that holds a store is refused, left as
// it was; with Replace it is emptied and filled in the same transaction.
func TestCopyRefusesAStore(t *testing.T) {
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, clock)
	pg := backend{name: "postgres", dsn: pgtest.DB(t)}.open(t, clock)
	copyCorpus(t, sq)
	if _, err := pg.ingest(context.Background(), Input{Source: "other", Data: fakeDoc("其他市人民政府", 2024, "cell t3.new.total=1")}); err != nil {
		t.Fatal(err)
	}
	held := storeState(t, pg)
	_, err := Copy(context.Background(), sq, pg, CopyOptions{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "1 reports") {
		t.Fatalf("a copy into a store: %v", err)
	}
	firstDiff(t, "a refused target", held, storeState(t, pg))
	mustCopy(t, sq, pg, CopyOptions{Replace: true})
	firstDiff(t, "a replaced target", storeState(t, sq), storeState(t, pg))
	// The same database twice is refused too.
	if _, err := Copy(context.Background(), pg, pg, CopyOptions{}); err == nil || !strings.Contains(err.Error(), "same database") {
		t.Fatalf("a copy onto itself: %v", err)
	}
}

// TestCopyInterrupted: a copy cancelled mid-way, in the middle of the
// cells, leaves the target as it was (empty, no bytes in its archive);
// run again, it copies everything.
func TestCopyInterrupted(t *testing.T) {
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	for _, to := range []backend{{name: "postgres", dsn: pgtest.DB(t)}, {name: "sqlite", dsn: filepath.Join(t.TempDir(), "to.db")}} {
		t.Run(to.name, func(t *testing.T) {
			sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, clock)
			target := to.open(t, clock)
			copyCorpus(t, sq)
			empty := storeState(t, target)
			every := copyProgressEvery
			copyProgressEvery = 100
			t.Cleanup(func() { copyProgressEvery = every })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var at CopyProgress
			_, err := Copy(ctx, sq, target, CopyOptions{Progress: func(p CopyProgress) {
				if p.Table == "cells" && p.Done >= 1000 && at.Table == "" {
					at = p
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) || at.Done >= at.Total {
				t.Fatalf("cancelled at %+v: %v", at, err)
			}
			firstDiff(t, "an interrupted copy", empty, storeState(t, target))
			var bytes int
			if to.pg() {
				bytes = storetest.Count(t, target.Reader(), `SELECT count(*) FROM archive`)
			} else {
				files, _ := filepath.Glob(filepath.Join(target.Archive(), "*", "*"))
				bytes = len(files)
			}
			if bytes != 0 {
				t.Fatalf("an interrupted copy left %d documents' bytes in the target", bytes)
			}
			mustCopy(t, sq, target, CopyOptions{})
			firstDiff(t, "a copy run again", storeState(t, sq), storeState(t, target))
		})
	}
}

// TestCopyCleansTextForPostgres: text PostgreSQL cannot hold (a NUL, bytes
// that are not UTF-8) is written cleaned, and counted.
func TestCopyCleansTextForPostgres(t *testing.T) {
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, nil)
	pg := backend{name: "postgres", dsn: pgtest.DB(t)}.open(t, nil)
	if _, err := sq.ingest(context.Background(), Input{Source: "nul", Data: fakeDoc("甲市人民政府", 2024, "section 1=a\x00b", "cell t3.new.total=1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sq.db.Exec(`UPDATE documents SET source = CAST(? AS TEXT)`, []byte("bad \xff utf-8")); err != nil {
		t.Fatal(err)
	}
	st, err := Copy(context.Background(), sq, pg, CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var text, source string
	if err := pg.Reader().QueryRow(`SELECT s.text, d.source FROM sections s, documents d`).Scan(&text, &source); err != nil {
		t.Fatal(err)
	}
	if st.Cleaned != 2 || text != "ab" || !bytes.Equal([]byte(source), []byte("bad \uFFFD utf-8")) {
		t.Fatalf("cleaned %d: %q %q", st.Cleaned, text, source)
	}
}

// pgShape lists a PostgreSQL store's constraints and indexes.
func pgShape(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.Reader().Query(`SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE connamespace = current_schema()::regnamespace
		UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n")
	}
	if n := strings.Count(b.String(), "FOREIGN KEY"); n < 10 {
		t.Fatalf("%d foreign keys:\n%s", n, b.String())
	}
	return b.String()
}

// TestCopyAsNotTheOwner: a role that may write the tables but does not
// own them (it cannot drop their keys and indexes) copies with them in
// place.
func TestCopyAsNotTheOwner(t *testing.T) {
	dsn := pgtest.DB(t)
	owner := backend{name: "postgres", dsn: dsn}.open(t, nil)
	shape := pgShape(t, owner)
	role := fmt.Sprintf("nianbao_copy_%d", time.Now().UnixNano())
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`GRANT USAGE, CREATE ON SCHEMA public TO ` + role,
		`GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + role,
		`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ` + role,
	} {
		if _, err := owner.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		owner.db.Exec(`DROP OWNED BY ` + role)
		owner.db.Exec(`DROP ROLE ` + role)
	})
	pg := backend{name: "postgres", dsn: strings.Replace(dsn, "user=postgres", "user="+role, 1)}.open(t, nil)
	if !strings.Contains(pg.Path(), role) {
		t.Fatalf("not opened as %s: %s", role, pg.Path())
	}
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, nil)
	copyCorpus(t, sq)
	var remade bool
	mustCopy(t, sq, pg, CopyOptions{Progress: func(p CopyProgress) { remade = remade || p.Table == "keys and indexes" }})
	if remade {
		t.Error("keys and indexes dropped by a role that does not own them")
	}
	firstDiff(t, "rows copied by another role", storeState(t, sq), storeState(t, pg))
	firstDiff(t, "keys and indexes", shape, pgShape(t, pg))
}

// TestCopyMissingBytes: a document whose bytes are missing from the
// source's archive stops the copy, naming it; the bytes copied before it
// are removed from the target again.
func TestCopyMissingBytes(t *testing.T) {
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "from.db")}.open(t, nil)
	to := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "to.db")}.open(t, nil)
	copyCorpus(t, sq)
	var sha string
	var id int64
	if err := sq.Reader().QueryRow(`SELECT id, sha256 FROM documents ORDER BY id DESC LIMIT 1`).Scan(&id, &sha); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sq.archivePath(sha)); err != nil {
		t.Fatal(err)
	}
	_, err := Copy(context.Background(), sq, to, CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("document %d: archive %s: missing", id, sha)) {
		t.Fatalf("a copy with bytes missing: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(to.Archive(), "*", "*")); len(files) != 0 {
		t.Fatalf("%d documents' bytes left in the target", len(files))
	}
	if n := storetest.Count(t, to.Reader(), `SELECT count(*) FROM documents`); n != 0 {
		t.Fatalf("%d documents in the target", n)
	}
}

// TestCopyKnowsEveryTable: every table of a new store, on either backend,
// is one Copy copies, or one it has its own way for (the archive, SQLite's
// full-text index, each database's own migrations). A migration that adds
// a table must add it to copyTables.
func TestCopyKnowsEveryTable(t *testing.T) {
	forBackends(t, func(t *testing.T, b backend) {
		s := b.open(t, nil)
		q := b.sqlFor(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'sections_fts%' ORDER BY name`,
			`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
		rows, err := s.Reader().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		copied := map[string]bool{"schema_migrations": true, "archive": b.pg()}
		for _, tb := range copyTables {
			copied[tb.name] = true
		}
		n := 0
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			n++
			if !copied[name] {
				t.Errorf("table %s is not copied (add it to copyTables in copy.go)", name)
			}
		}
		if n < len(copyTables) {
			t.Fatalf("%d tables", n)
		}
	})
}
