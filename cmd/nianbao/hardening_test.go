package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fakesite"
)

// smallDB is a database of the Weibin sample alone.
func smallDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "small.db")
	if code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, storeSamples[0]); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	return db
}

// TestSpecialFiles: a device or a FIFO named on the command line is a
// usage error (a link to /dev/zero once ran the machine out of memory, a
// FIFO hung); in a folder they are skipped and counted.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	zero, fifo := filepath.Join(dir, "zero.pdf"), filepath.Join(dir, "fifo.html")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{zero, fifo} {
		for _, cmd := range [][]string{{"parse", "--json", p}, {"ingest", "-q", "--db", filepath.Join(t.TempDir(), "x.db"), p}} {
			code, _, errs := storeRun(t, nil, cmd...)
			if code != 2 || !strings.Contains(errs, "not a regular file") {
				t.Errorf("%v: exit %d %q, want 2 and 'not a regular file'", cmd, code, errs)
			}
		}
	}
	sample, err := os.ReadFile(storeSamples[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "weibin.txt"), sample, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", filepath.Join(t.TempDir(), "x.db"), dir)
	if code != 0 || !strings.Contains(out, "2 entries in the folders skipped: not regular files") {
		t.Errorf("ingest of the folder: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = storeRun(t, nil, "parse", "--json", dir)
	if code != 0 || !strings.Contains(errs, "2 entries in the folders skipped") {
		t.Errorf("parse of the folder: exit %d\n%s", code, errs)
	}
}

// TestDocumentBudgetFlag: --limit reaches the readers of parse and
// ingest, and a document over it is an error naming the limit.
func TestDocumentBudgetFlag(t *testing.T) {
	code, out, _ := storeRun(t, nil, "parse", "--json", "--limit", "text=1KB", storeSamples[0])
	if code != 1 || !strings.Contains(out, `"status":"error"`) || !strings.Contains(out, "--limit text=") {
		t.Errorf("parse --limit text=1KB: exit %d\n%s", code, out)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, "--limit", "tables=1,pages=1", storeSamples[0], storeSamples[2])
	if code != 0 || strings.Count(out, "over the budget") != 2 {
		t.Errorf("ingest --limit: exit %d\n%s\n%s", code, out, errs)
	}
	for _, bad := range []string{"tables=0", "colour=red", "time=soon"} {
		if code, _, errs := storeRun(t, nil, "parse", "--limit", bad, storeSamples[0]); code != 2 {
			t.Errorf("--limit %s: exit %d %s", bad, code, errs)
		}
	}
}

// TestDocumentTimeLimit: --limit time= bounds the wall clock of each
// document read by ingest and crawl, not only by pipeline.Read: a document
// out of time is stored as an error naming the limit, and the run goes on
// to the next one. 1ns is the smallest time --limit accepts (0 is
// refused), so every document is over it however fast the machine is.
func TestDocumentTimeLimit(t *testing.T) {
	if code, _, errs := storeRun(t, nil, "parse", "--limit", "time=0", storeSamples[0]); code != 2 {
		t.Errorf("--limit time=0: exit %d %s, want 2", code, errs)
	}
	// overTime checks that the store holds exactly docs, each an error
	// naming --limit time=.
	overTime := func(t *testing.T, db string, docs []string) {
		t.Helper()
		got := storedStatuses(t, db)
		for _, d := range docs {
			if got[d] != "error time" {
				t.Errorf("%s: stored as %q, want an error naming --limit time=", d, got[d])
			}
		}
		if len(got) != len(docs) {
			t.Errorf("%d documents stored, want %d: %v", len(got), len(docs), got)
		}
	}
	t.Run("ingest", func(t *testing.T) {
		files := storeSamples[:2] // text, then HTML: the second is read after the first ran out of time
		var names []string
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		for _, c := range []struct {
			strict bool
			code   int // README: failed documents are in the summary, exit 0; --strict exits 1
		}{{false, 0}, {true, 1}} {
			db := filepath.Join(t.TempDir(), "x.db")
			args := []string{"ingest", "-q", "--db", db, "--limit", "time=1ns"}
			if c.strict {
				args = append(args, "--strict")
			}
			code, out, errs := storeRun(t, nil, append(args, files...)...)
			if code != c.code || strings.Count(out, "--limit time=") != len(files) {
				t.Errorf("ingest --strict=%v: exit %d, want %d, and the summary naming the limit for each file\n%s\n%s", c.strict, code, c.code, out, errs)
			}
			overTime(t, db, names)
		}
	})
	t.Run("crawl", func(t *testing.T) {
		// The slow page answers at once: only the documents' time is short.
		site := fakesite.New(fakesite.Options{SlowDelay: time.Millisecond})
		srv := httptest.NewServer(site)
		defer srv.Close()
		db := filepath.Join(t.TempDir(), "nb.db")
		code, out, errs := storeRun(t, nil, "crawl", "-q", "--db", db, "--allow-private", "--delay", "0", "--backoff", "10ms",
			"--limit", "time=1ns", srv.URL+fakesite.Column)
		// A document stored as an error is no failed URL: exit 0 (README,
		// crawl --strict: "exit 1 when a URL failed").
		if code != 0 || !strings.Contains(out, "--limit time=") {
			t.Errorf("crawl --limit time=1ns: exit %d\n%s\n%s", code, out, errs)
		}
		docs := []string{srv.URL + fakesite.Slow} // a page with no link is a document too
		for _, p := range fakesite.Documents {
			docs = append(docs, srv.URL+p)
		}
		overTime(t, db, docs)
	})
}

func TestQueryHardening(t *testing.T) {
	db := smallDB(t)
	q := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(stdin), Getenv: func(string) string { return "" }}
		code := run(context.Background(), env, append([]string{"query", "--db", db}, args...))
		return code, out.String(), errb.String()
	}
	// A query on stdin longer than the limit is refused, never cut and run.
	long := "SELECT 1 -- " + strings.Repeat("x", queryMaxStdin)
	if code, _, errs := q(long, "-"); code != 2 || !strings.Contains(errs, "longer than") {
		t.Errorf("long stdin: exit %d %s", code, errs)
	}
	if code, out, errs := q("SELECT 7 AS n", "--format", "csv", "-"); code != 0 || out != "n\n7\n" {
		t.Errorf("stdin: exit %d %q %s", code, out, errs)
	}
	// A query that never ends is interrupted at --timeout.
	forever := "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
	if code, _, errs := q("", "--timeout", "50ms", forever); code != 1 || !strings.Contains(errs, "interrupted after 50ms") {
		t.Errorf("endless query: exit %d %s", code, errs)
	}
	// JSON has no infinity: written as strings.
	if code, out, errs := q("", "--format", "json", "SELECT 1e999 AS a, -1e999 AS b, 1.5 AS c"); code != 0 ||
		!strings.Contains(out, `"a":"Infinity","b":"-Infinity","c":1.5`) {
		t.Errorf("non-finite JSON: exit %d %s %s", code, out, errs)
	}
	// A comment-only argument is SQL, not a flag.
	if _, _, errs := q("", "-- a comment"); strings.Contains(errs, "flag") {
		t.Errorf("comment taken as a flag: %s", errs)
	}
	if _, _, errs := q("", "--", "-- a comment"); strings.Contains(errs, "flag") {
		t.Errorf("-- then a comment: %s", errs)
	}
	// CSV: formulas escaped in text cells, figures left alone; --raw keeps
	// everything.
	sql := `SELECT '=HYPERLINK("http://x","y")' AS a, '@SUM(1)' AS b, -3 AS c, '-3' AS d, '+cmd' AS e, 'plain' AS f`
	code, out, errs := q("", "--format", "csv", sql)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 2 {
		t.Fatalf("csv: exit %d %v %s", code, err, errs)
	}
	want := []string{`'=HYPERLINK("http://x","y")`, "'@SUM(1)", "-3", "-3", "'+cmd", "plain"}
	if strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("csv escaped: %q, want %q", recs[1], want)
	}
	_, out, _ = q("", "--format", "csv", "--raw", sql)
	recs, _ = csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(recs) != 2 || recs[1][0] != `=HYPERLINK("http://x","y")` {
		t.Errorf("csv --raw: %q", recs)
	}
	// The table format never prints a terminal escape.
	_, out, _ = q("", "SELECT 'a\x1b[2Jb' AS x")
	if strings.ContainsRune(out, 0x1b) || !strings.Contains(out, `a\x1b[2Jb`) {
		t.Errorf("table output carries the escape: %q", out)
	}
}

func TestTermSafe(t *testing.T) {
	for in, want := range map[string]string{
		"上海市人民政府":            "上海市人民政府",
		"a\x1b]0;title\x07b": `a\x1b]0;title\x07b`,
		"x\u202Eevil":        `x\u202eevil`,
		"tab\there\nline":    "tab here\\x0aline",
		"bad\xffutf8":        `bad\xffutf8`,
		"c1\u009b31m":        `c1\x9b31m`,
		"new\nline kept":     "new\\x0aline kept",
	} {
		if got := termSafe(in, false); got != want {
			t.Errorf("termSafe(%q) = %q, want %q", in, got, want)
		}
	}
	if got := termSafe("a\nb\x1b", true); got != "a\nb\\x1b" {
		t.Errorf("keepNL: %q", got)
	}
	// The parse summary prints an organ name from a document.
	var b bytes.Buffer
	rep := &nianbao.Report{Source: "x.html", Status: nianbao.StatusOK, Agency: "某市\x1b[31m人民政府", Year: 2019}
	if err := printSummary(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(b.String(), 0x1b) {
		t.Errorf("summary carries the escape: %q", b.String())
	}
	// safeWriter holds a rune split across writes.
	var sb bytes.Buffer
	w := &safeWriter{w: &sb}
	s := "某\x1b"
	w.Write([]byte(s[:2]))
	w.Write([]byte(s[2:]))
	if sb.String() != `某\x1b` {
		t.Errorf("safeWriter: %q", sb.String())
	}
}

// TestIngestRefusesDamagedDatabase: a database that fails quick_check is
// not written to, and the message says why.
func TestIngestRefusesDamagedDatabase(t *testing.T) {
	db := smallDB(t)
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	// Garbage over every page but the first (the header stays valid).
	for i := 4096; i < len(data); i++ {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(db, data, 0o644); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(data)
	code, _, errs := storeRun(t, nil, "ingest", "-q", "--db", db, storeSamples[1])
	if code != 1 || !strings.Contains(errs, "damaged") || !strings.Contains(errs, "nothing was written") {
		t.Errorf("exit %d %s", code, errs)
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(after) != before {
		t.Error("the damaged database was changed")
	}
}

// TestReadOnlyMedia: a WAL database on a read-only mount is read by the
// reading commands (SQLite cannot make its shared-memory file there; the
// message was "no such file or directory"). It needs a read-only bind
// mount, so root; elsewhere it is skipped.
func TestReadOnlyMedia(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a read-only bind mount needs root")
	}
	db := smallDB(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-o", "bind", filepath.Dir(db), mnt).CombinedOutput(); err != nil {
		t.Skipf("bind mount: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("read-only remount: %v %s", err, out)
	}
	ro := filepath.Join(mnt, filepath.Base(db))
	code, out, errs := storeRun(t, nil, "query", "--db", ro, "--format", "csv", "SELECT count(*) AS n FROM reports")
	if code != 0 || out != "n\n1\n" {
		t.Errorf("query on read-only media: exit %d %q %s", code, out, errs)
	}
	if code, _, errs := storeRun(t, nil, "reports", "--db", ro); code != 0 {
		t.Errorf("reports on read-only media: exit %d %s", code, errs)
	}
}
