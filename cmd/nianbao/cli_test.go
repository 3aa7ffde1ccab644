package main

import (
	"context"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/store"
)

// emptyDB makes a database with the schema and no report.
func emptyDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "empty.db")
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		code, out, errs := runCmd(t, arg)
		if code != 0 || !strings.Contains(out, "nianbao "+nianbao.Release) || !strings.Contains(out, "parser "+nianbao.ParserVersion) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want the release and the parser version", arg, code, out, errs)
		}
	}
	if !strings.HasPrefix(fetch.DefaultUserAgent, "nianbao/"+nianbao.Release+" ") {
		t.Errorf("User-Agent %q does not carry the release %s", fetch.DefaultUserAgent, nianbao.Release)
	}
}

// TestHelp: `help CMD` and `CMD -h` print the command's usage on stdout and
// exit 0; every flag is listed once, with its default said once.
func TestHelp(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		code, help, errs := runCmd(t, "help", n)
		if code != 0 || !strings.HasPrefix(help, "usage: nianbao "+n) || errs != "" {
			t.Errorf("help %s: exit %d, stdout %.60q, stderr %q", n, code, help, errs)
		}
		for _, h := range []string{"-h", "--help"} {
			code, out, _ := runCmd(t, n, h)
			if code != 0 || out != help {
				t.Errorf("%s %s: exit %d, and not the output of help %s:\n%s", n, h, code, n, out)
			}
		}
		// The flag package's own "(default "…")" after a description
		// that already says it.
		if strings.Contains(help, `(default "`) || strings.Contains(help, "nianbao.db) (default") {
			t.Errorf("%s -h says a default twice:\n%s", n, help)
		}
	}
	code, out, _ := runCmd(t, "help")
	if code != 0 || !strings.Contains(out, "commands:") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, errs := runCmd(t, "help", "nonsense"); code != 2 || !strings.Contains(errs, `unknown command "nonsense"`) {
		t.Errorf("help nonsense: exit %d, %q", code, errs)
	}
	if code, _, errs := runCmd(t); code != 2 || !strings.Contains(errs, "commands:") {
		t.Errorf("no command: exit %d, %q", code, errs)
	}
}

// TestUsageErrorsSayWhy: every usage error is exit 2 with one line saying
// what was wrong, never the bare usage text.
func TestUsageErrorsSayWhy(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nb.db")
	sample := storeSamples[0]
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--db", db}, "no PATH given"},
		{[]string{"ingest", "--db", db, "--reparse", sample}, "--reparse takes no PATH"},
		{[]string{"ingest", "--db", db, "--all", sample}, "--all goes with --reparse"},
		{[]string{"ingest", "--db", db, "-j", "0", sample}, "-j must be at least 1"},
		{[]string{"ingest", "--db", db, "--tx", "-5", sample}, "--tx must be at least 1"},
		{[]string{"ingest", "--db", db, "--bogus", sample}, "flag provided but not defined: -bogus"},
		{[]string{"parse"}, "no FILE or folder given"},
		{[]string{"parse", "--provenance", sample}, "--provenance goes with --json"},
		{[]string{"parse", "--sections", sample}, "--sections goes with --json"},
		{[]string{"parse", "-j", "0", sample}, "-j must be at least 1"},
		{[]string{"query", "--db", db}, "no SQL given"},
		{[]string{"query", "--db", db, "--tables", "SELECT 1"}, "--tables takes no SQL"},
		{[]string{"reports", "--db", db, "extra"}, `unexpected argument "extra"`},
		{[]string{"reports", "--db", db, "--year", "-1"}, "--year"},
		{[]string{"export", "--db", db, "extra"}, `unexpected argument "extra"`},
		{[]string{"export", "--db", db, "--out", "x.txt"}, "no --format given"},
		{[]string{"export", "--db", db, "--format", "xml"}, `--format must be csv, json or xlsx (got "xml")`},
		{[]string{"crawl", "--db", db}, "no start URL given"},
		{[]string{"crawl", "--db", db, "--timeout", "0s", "http://x.gov.cn/"}, "--timeout must be positive"},
		{[]string{"crawl", "--db", db, "--retries", "-1", "http://x.gov.cn/"}, "--retries must not be negative"},
		{[]string{"crawl", "--db", db, "--max-pages", "0", "http://x.gov.cn/"}, "--max-pages must be at least 1"},
		{[]string{"demosite", "extra"}, `unexpected argument "extra"`},
	} {
		code, out, errs := runCmd(t, c.args...)
		first, _, _ := strings.Cut(errs, "\n")
		if code != 2 || !strings.Contains(first, c.want) || strings.Contains(errs, "usage:") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", c.args, code, errs, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q", c.args, out)
		}
	}
}

// TestQueryRefusals: several statements, dot-commands and writes are
// refused with what to do instead.
func TestQueryRefusals(t *testing.T) {
	db := emptyDB(t)
	for _, c := range []struct {
		q, want string
	}{
		{"SELECT 1; SELECT 2", "one statement at a time"},
		{"SELECT 1;\n-- done\n;", ""},
		{"SELECT ';' AS x, \"a;b\" FROM (SELECT 1 AS \"a;b\") /* ; */ -- ;", ""},
		{".tables", "nianbao query --tables"},
		{".schema reports", "SELECT sql FROM sqlite_master WHERE name = 'reports'"},
		{".mode csv", "sqlite3 -readonly"},
		{"DELETE FROM cells", "read-only"},
		{"PRAGMA query_only = 0", "read-only"},
	} {
		code, _, errs := runCmd(t, "query", "--db", db, c.q)
		if c.want == "" {
			if code != 0 {
				t.Errorf("%q: exit %d %s", c.q, code, errs)
			}
			continue
		}
		if code != 2 || !strings.Contains(errs, c.want) || strings.Contains(errs, "not authorized") && !strings.Contains(errs, "read-only") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.q, code, errs, c.want)
		}
	}
	code, out, errs := runCmd(t, "query", "--db", db, "--format", "csv", "--tables")
	if code != 0 || !regexp.MustCompile(`(?m)^v_table2,view$`).MatchString(out) || !strings.Contains(out, "reports,table") ||
		strings.Contains(out, "sqlite_") || strings.Contains(out, "sections_fts_") {
		t.Errorf("--tables: exit %d\n%s%s", code, out, errs)
	}
}

func TestSQLAfterFirst(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1":                        "",
		"SELECT 1;":                       "",
		"SELECT 1 ; ;  \n":                "",
		"SELECT 1; -- a comment":          "",
		"SELECT 1; /* a ; comment */":     "",
		"SELECT 1; SELECT 2":              "SELECT 2",
		"SELECT 'a;b'; DROP TABLE x":      "DROP TABLE x",
		"SELECT 'it''s;'":                 "",
		`SELECT "x;y" FROM t`:             "",
		"SELECT [a;b] FROM t":             "",
		"SELECT `a;b` FROM t":             "",
		"SELECT 1 -- ; x\n; SELECT 2":     "SELECT 2",
		"SELECT 1 /* ; */; /**/ SELECT 2": "SELECT 2",
		"SELECT 'unterminated; x":         "",
	} {
		if got := sqlAfterFirst(q); got != want {
			t.Errorf("sqlAfterFirst(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestTableFormatWholeWhenPiped: the table format clips long cells on a
// terminal only; output to a pipe or a file (here a buffer) keeps them
// whole, so a long path is still there for grep.
func TestTableFormatWholeWhenPiped(t *testing.T) {
	db := emptyDB(t)
	long := strings.Repeat("很长的路径/", 30) + "shanghai-bgt-2019.html"
	code, out, errs := runCmd(t, "query", "--db", db, "SELECT '"+long+"' AS source")
	if code != 0 || !strings.Contains(out, long) {
		t.Errorf("exit %d %s; the long value was cut:\n%s", code, errs, out)
	}
	if got := storeClip(long, tableMaxWidth); !strings.HasSuffix(got, "…") {
		t.Errorf("on a terminal the cell is clipped: %q", got)
	}
}
