package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// storeRun runs a command in-process with an environment of its own.
func storeRun(t *testing.T, envVars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(k string) string { return envVars[k] }}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// storeDB opens a database file for checks, read-only.
func storeDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.Reader()
}

var storeCount = storetest.Count

// storeDump renders every row of the store's tables, sorted, leaving out
// the columns named table.column in skip and the rows of tables in skip.
var storeDump = storetest.Dump

// storeSamples are the bundled real reports: text, HTML and PDF.
var storeSamples = []string{"../../testdata/samples/weibin-2019-text.txt", "../../testdata/samples/shanghai-bgt-2019.html",
	"../../testdata/samples/huaian-szf-2024.pdf"}

func TestIngestSamplesTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.db")
	code, out, errs := storeRun(t, nil, append([]string{"ingest", "--db", db}, storeSamples...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"3 documents", "new                 3", "unchanged           0", "failed              0"} {
		if !strings.Contains(out, want) {
			t.Errorf("first summary lacks %q:\n%s", want, out)
		}
	}
	r := storeDB(t, db)
	skip := []string{"documents.last_seen", "document_sources.last_seen"}
	first := storeDump(t, r, skip...)
	if n := storeCount(t, r, `SELECT count(*) FROM reports WHERE status IN ('ok', 'findings') AND current`); n != 3 {
		t.Fatalf("%d current parsed reports, want 3\n%s", n, out)
	}
	// Each report has every canonical cell of its template (and the
	// （六） row derived from the 2021 sub-rows, not counted here).
	rows, err := r.Query(`SELECT r.template, count(*) FROM reports r JOIN cells c ON c.report_id = r.id AND c.extra = 0 AND NOT c.derived GROUP BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tmpl string
		var n int
		rows.Scan(&tmpl, &n)
		t2019, t2021 := len(nianbao.SchemaWith(nianbao.Template(tmpl), false)), len(nianbao.SchemaWith(nianbao.Template(tmpl), true))
		if n != t2019 && n != t2021 {
			t.Errorf("a %s report has %d canonical cells, want %d or %d", tmpl, n, t2019, t2021)
		}
	}
	rows.Close()

	code, out, errs = storeRun(t, nil, append([]string{"ingest", "--db", db}, storeSamples...)...)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "new                 0") || !strings.Contains(out, "unchanged           3") {
		t.Errorf("second summary:\n%s", out)
	}
	if second := storeDump(t, r, skip...); second != first {
		t.Fatalf("the second ingest changed the database:\n%s\n---\n%s", first, second)
	}
}

func TestIngestChangedCopyIsNewVersion(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	orig := storeSamples[0]
	if code, out, errs := storeRun(t, nil, "ingest", "--db", db, orig); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// The organ corrected its report: a note added at the end.
	fixed := filepath.Join(dir, "weibin-2019-corrected.txt")
	b, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixed, append(b, "\n（本报告于2020年3月更正）\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := storeRun(t, nil, "ingest", "--db", db, orig, fixed)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "new                 1  (1 new versions") || !strings.Contains(out, "unchanged           1") {
		t.Fatalf("summary:\n%s", out)
	}
	r := storeDB(t, db)
	var agency string
	var year int
	if err := r.QueryRow(`SELECT agency, year FROM reports WHERE version = 1`).Scan(&agency, &year); err != nil {
		t.Fatal(err)
	}
	// History: both versions stay, the old one superseded by the new.
	rows, err := r.Query(`SELECT r.version, r.current, r.superseded_by IS NOT NULL, d.source FROM reports r
		JOIN documents d ON d.id = r.document_id WHERE r.agency = ? AND r.year = ? ORDER BY r.version`, agency, year)
	if err != nil {
		t.Fatal(err)
	}
	var hist []string
	for rows.Next() {
		var v int
		var cur, sup bool
		var src string
		rows.Scan(&v, &cur, &sup, &src)
		hist = append(hist, fmt.Sprintf("%d %v %v %s", v, cur, sup, filepath.Base(src)))
	}
	rows.Close()
	want := []string{"1 false true weibin-2019-text.txt", "2 true false weibin-2019-corrected.txt"}
	if strings.Join(hist, "|") != strings.Join(want, "|") {
		t.Fatalf("history %q, want %q", hist, want)
	}
	// The reports command shows the current one, or both.
	_, cur, _ := storeRun(t, nil, "reports", "--db", db, "--format", "csv")
	if strings.Count(cur, "\n") != 2 || !strings.Contains(cur, "corrected") {
		t.Errorf("reports:\n%s", cur)
	}
	_, all, _ := storeRun(t, nil, "reports", "--db", db, "--format", "csv", "--all-versions")
	if strings.Count(all, "\n") != 3 {
		t.Errorf("reports --all-versions:\n%s", all)
	}
}

func TestIngestBadInputInBatch(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	// Truncated: the Shanghai page cut in the middle of table 三.
	b, err := os.ReadFile(storeSamples[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "truncated.html"), b[:len(b)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"garbage.bin", "empty.txt", "pre2019-2017.html", "no-tables.html", "image-tables.html"} {
		data, err := os.ReadFile(filepath.Join("../../testdata/bad", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(in, f), data, 0o644)
	}
	for _, f := range storeSamples[:2] {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(in, filepath.Base(f)), data, 0o644)
	}
	code, out, errs := storeRun(t, nil, "ingest", "--db", db, in)
	if code != 0 {
		t.Fatalf("exit %d (a bad document must not fail the batch)\n%s\n%s", code, out, errs)
	}
	r := storeDB(t, db)
	if n := storeCount(t, r, `SELECT count(*) FROM reports WHERE status IN ('ok', 'findings')`); n != 2 {
		t.Errorf("%d good reports landed, want 2\n%s", n, out)
	}
	// Every bad document is recorded with its reason, and listed with it.
	rows, err := r.Query(`SELECT d.source, r.status, coalesce(r.reason, r.error, '') FROM reports r JOIN documents d ON d.id = r.document_id
		WHERE r.status NOT IN ('ok', 'findings')`)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{}
	for rows.Next() {
		var src, st, why string
		rows.Scan(&src, &st, &why)
		if why == "" {
			t.Errorf("%s: status %s without a reason", src, st)
		}
		if !strings.Contains(out, filepath.Base(src)+": ") {
			t.Errorf("summary does not list %s:\n%s", src, out)
		}
		bad[filepath.Base(src)] = st
	}
	rows.Close()
	for _, f := range []string{"truncated.html", "garbage.bin", "empty.txt", "pre2019-2017.html", "no-tables.html", "image-tables.html"} {
		if _, ok := bad[f]; !ok {
			t.Errorf("%s not recorded as a bad document (%v)", f, bad)
		}
	}
	if !strings.Contains(out, "failed              ") {
		t.Errorf("no failed count:\n%s", out)
	}
	// A file over --max-size is refused with its reason.
	if code, out, _ := storeRun(t, nil, "ingest", "--db", db, "--max-size", "1KB", storeSamples[1]); code != 0 || !strings.Contains(out, "more than the limit of 1024") {
		t.Errorf("--max-size: exit %d\n%s", code, out)
	}
	// --strict turns failures into exit status 1.
	if code, _, _ := storeRun(t, nil, "ingest", "--db", db, "--strict", in); code != 1 {
		t.Errorf("--strict: exit %d, want 1", code)
	}
}

func TestIngestReparse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.db")
	if code, out, errs := storeRun(t, nil, append([]string{"ingest", "-q", "--db", db}, storeSamples[:2]...)...); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ := storeRun(t, nil, "ingest", "--db", db, "--reparse")
	if code != 0 || !strings.Contains(out, "0 documents") {
		t.Fatalf("reparse with nothing stale: exit %d\n%s", code, out)
	}
	r := storeDB(t, db)
	before := storeDump(t, r, "reports.parsed_at", "reports.parser", "sections.id", "findings.id")
	// Pretend an older parser read the documents.
	storeSQL(t, db, `UPDATE reports SET parser = '0.0.1', agency = 'wrong' WHERE id = 1`)
	code, _, _ = storeRun(t, nil, "ingest", "--db", db)
	if code != 2 {
		t.Errorf("ingest without paths: exit %d, want 2", code)
	}
	code, out, errs := storeRun(t, nil, "ingest", "--db", db, "--reparse")
	if code != 0 || !strings.Contains(out, "reparsed            1") {
		t.Fatalf("reparse: exit %d\n%s\n%s", code, out, errs)
	}
	if after := storeDump(t, r, "reports.parsed_at", "reports.parser", "sections.id", "findings.id"); after != before {
		t.Fatalf("reparse did not restore the report:\n%s\n---\n%s", before, after)
	}
	code, out, _ = storeRun(t, nil, "ingest", "--db", db, "--reparse", "--all")
	if code != 0 || !strings.Contains(out, "reparsed            2") {
		t.Fatalf("reparse --all: exit %d\n%s", code, out)
	}
	if code, _, _ := storeRun(t, nil, "ingest", "--db", db, "--reparse", storeSamples[0]); code != 2 {
		t.Errorf("--reparse with a path: exit %d, want 2", code)
	}
}

// storeSQL runs a statement on the database with a plain read-write
// connection, as a test's way of setting up odd states.
func storeSQL(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func TestIngestDefaultsAndWalk(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(filepath.Join(in, "sub", ".hidden"), 0o755)
	data, _ := os.ReadFile(storeSamples[0])
	os.WriteFile(filepath.Join(in, "sub", "a.txt"), data, 0o644)
	os.WriteFile(filepath.Join(in, "sub", ".hidden", "b.txt"), data, 0o644)
	os.WriteFile(filepath.Join(in, ".c.txt"), data, 0o644)
	os.WriteFile(filepath.Join(in, "x.expected.json"), []byte("{}"), 0o644)
	// The database and its archive inside the folder being ingested.
	db := filepath.Join(in, "inside.db")

	ingestProgressEvery = 0
	defer func() { ingestProgressEvery = 5 * time.Second }()
	code, out, errs := storeRun(t, map[string]string{"NIANBAO_DB": db}, "ingest", in)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "1 documents") || !strings.Contains(out, db) {
		t.Fatalf("want one document into $NIANBAO_DB:\n%s", out)
	}
	if !strings.Contains(errs, "ingest: 1/1 files") {
		t.Errorf("no plain progress line on stderr: %q", errs)
	}
	// Again: the database, its WAL and its archive are not documents.
	code, out, _ = storeRun(t, map[string]string{"NIANBAO_DB": db}, "ingest", "--db", db, in)
	if code != 0 || !strings.Contains(out, "1 documents") || !strings.Contains(out, "unchanged           1") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	// Flags after the paths work too.
	code, out, _ = storeRun(t, nil, "ingest", in, "--db", db, "-q")
	if code != 0 || !strings.Contains(out, "unchanged           1") {
		t.Fatalf("flags after paths: exit %d\n%s", code, out)
	}
	r := storeDB(t, db)
	var src string
	r.QueryRow(`SELECT source FROM documents`).Scan(&src)
	if !filepath.IsAbs(src) || filepath.Base(src) != "a.txt" {
		t.Errorf("source %q: want the absolute path", src)
	}
	// The archive holds the bytes under their hash.
	var sha string
	r.QueryRow(`SELECT sha256 FROM documents`).Scan(&sha)
	got, err := os.ReadFile(filepath.Join(db+".archive", sha[:2], sha))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("archive: %v", err)
	}
}

// A real report in two formats, the Huaian PDF and the text pdftotext
// makes of it, reads to the same figures: one version, the text a copy.
func TestIngestSameReportInTwoFormats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.db")
	code, out, errs := storeRun(t, nil, "ingest", "--db", db, "../../testdata/samples/huaian-szf-2024.pdf", "../../testdata/text/huaian-szf-2024-layout.txt")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "new                 2  (1 with the figures of a stored report") {
		t.Fatalf("summary:\n%s", out)
	}
	r := storeDB(t, db)
	var got []string
	rows, err := r.Query(`SELECT d.format, coalesce(r.version, 0), r.current, r.same_as IS NOT NULL FROM reports r
		JOIN documents d ON d.id = r.document_id ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var format string
		var v int
		var cur, copyOf bool
		rows.Scan(&format, &v, &cur, &copyOf)
		got = append(got, fmt.Sprintf("%s v%d current=%v copy=%v", format, v, cur, copyOf))
	}
	rows.Close()
	if want := "pdf v1 current=true copy=false|text v0 current=false copy=true"; strings.Join(got, "|") != want {
		t.Fatalf("reports %q, want %q", got, want)
	}
}
