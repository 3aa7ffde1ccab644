package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNothingCreatedOnError: a missing input, an input with no report, a
// database or output folder that does not exist are errors with a
// one-line message — 2 for what the command line got wrong, 1 for an
// input without reports — and nothing is created: no database in the
// working folder, no folder.
func TestNothingCreatedOnError(t *testing.T) {
	sample, err := filepath.Abs(storeSamples[0])
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	empty := filepath.Join(work, "empty")
	notes := filepath.Join(work, "notes")
	os.Mkdir(empty, 0o755)
	os.Mkdir(notes, 0o755)
	os.WriteFile(filepath.Join(notes, "README.md"), []byte("# how I collected these\n"), 0o644)
	os.WriteFile(filepath.Join(notes, "urls.json"), []byte("[]"), 0o644)
	sites := filepath.Join(work, "sites.txt")
	os.WriteFile(sites, []byte("http://127.0.0.1:1/\n"), 0o644)
	missingDir := filepath.Join(work, "no", "such")
	db := filepath.Join(work, "real.db")
	if code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, sample); code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, errs)
	}
	before, _ := os.ReadDir(work)

	for _, c := range []struct {
		code int
		want string
		args []string
	}{
		{2, "/nonexistent: no such file or folder", []string{"ingest", "/nonexistent"}},
		{2, "missing.txt: no such file or folder", []string{"ingest", sample, "missing.txt"}},
		{1, "no report files in " + empty, []string{"ingest", empty}},
		{1, "2 files there are not reports", []string{"ingest", notes}},
		{2, "/nonexistent: no such file or folder", []string{"parse", "/nonexistent"}},
		{1, "no report files in " + empty, []string{"parse", empty}},
		{2, "the folder " + missingDir + " does not exist", []string{"ingest", "--db", filepath.Join(missingDir, "x.db"), sample}},
		{2, "the folder " + missingDir + " does not exist", []string{"crawl", "--db", filepath.Join(missingDir, "x.db"), "--allow-private", "http://127.0.0.1:1/"}},
		{2, "want an http(s) URL", []string{"crawl", "ftp://example.gov.cn/"}},
		{2, "--sites missing.txt: no such file", []string{"crawl", "--sites", "missing.txt"}},
		{1, "no database at", []string{"ingest", "--reparse"}},
		{1, "no database there", []string{"query", "SELECT 1"}},
		{2, "the folder " + missingDir + " does not exist", []string{"export", "--db", db, "--out", filepath.Join(missingDir, "x.xlsx")}},
		{2, "the folder " + missingDir + " does not exist", []string{"export", "--db", db, "--format", "csv", "--out", filepath.Join(missingDir, "csv")}},
	} {
		code, out, errs := storeRun(t, nil, c.args...)
		first, _, _ := strings.Cut(errs, "\n")
		if code != c.code || !strings.Contains(first, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
	// (Reading the WAL database leaves its -wal and -shm files: SQLite's.)
	names := func(es []os.DirEntry) string {
		var n []string
		for _, e := range es {
			if !strings.HasSuffix(e.Name(), "-wal") && !strings.HasSuffix(e.Name(), "-shm") {
				n = append(n, e.Name())
			}
		}
		return strings.Join(n, " ")
	}
	if after, _ := os.ReadDir(work); names(after) != names(before) {
		t.Errorf("the failed commands created files: the folder held %q, now %q", names(before), names(after))
	}
}

// TestIngestSkipsAndDeduplicates: files in a folder that are not reports
// are skipped and counted; a folder and its subfolder given together are
// read once.
func TestIngestSkipsAndDeduplicates(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(filepath.Join(in, "sub"), 0o755)
	data, err := os.ReadFile(storeSamples[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(in, "sub", "weibin.txt"), data, 0o644)
	os.WriteFile(filepath.Join(in, "README.md"), []byte("# the reports of 2019\n"), 0o644)
	os.WriteFile(filepath.Join(in, "index.json"), []byte(`{"files": 1}`), 0o644)
	db := filepath.Join(dir, "n.db")
	code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, in, filepath.Join(in, "sub"))
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.HasPrefix(out, "1 documents") || !strings.Contains(out, "2 files in the folders skipped: not reports") {
		t.Errorf("want one document and two files skipped:\n%s", out)
	}
	if n := storeCount(t, storeDB(t, db), `SELECT count(*) FROM documents`); n != 1 {
		t.Errorf("%d documents stored, want 1", n)
	}
}
