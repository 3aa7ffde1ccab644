package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/extract/textutil"
	"github.com/nianbao/nianbao/internal/storetest"
)

// storeFixture makes a database of the bundled samples and 40 generated
// reports.
func storeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if _, err := storetest.Write(in, 3, 40); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "fixture.db")
	if code, out, errs := storeRun(t, nil, append([]string{"ingest", "-q", "--db", db, in}, storeSamples...)...); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	return db
}

func TestQueryFormats(t *testing.T) {
	db := storeFixture(t)
	// A cross-year question: applications received, per organ and year.
	q := `SELECT agency, year, t3_new_total FROM v_reports WHERE agency LIKE '新乡市卫滨区%' OR agency LIKE '上海市%' ORDER BY agency, year`

	code, out, errs := storeRun(t, nil, "query", "--db", db, q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "agency") || !strings.HasPrefix(lines[1], "---") ||
		!strings.Contains(out, "上海市人民政府办公厅") || !strings.Contains(errs, "(2 rows)") {
		t.Fatalf("table output:\n%s\n%s", out, errs)
	}
	// Columns line up by display width: the year column starts at the same
	// terminal column on every line.
	col := func(line string) int { return textutil.Width(line[:strings.Index(line, "2019")]) }
	if col(lines[2]) != col(lines[3]) {
		t.Errorf("columns not aligned:\n%s", out)
	}

	code, out, _ = storeRun(t, nil, "query", "--db", db, "--format", "csv", q)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "agency,year,t3_new_total" {
		t.Fatalf("csv: exit %d %v\n%s", code, err, out)
	}

	code, out, _ = storeRun(t, nil, "query", "--db", db, "--format", "json", q)
	var objs []map[string]any
	if err := json.Unmarshal([]byte(out), &objs); code != 0 || err != nil || len(objs) != 2 {
		t.Fatalf("json: exit %d %v\n%s", code, err, out)
	}
	for i, o := range objs {
		if o["agency"] != recs[i+1][0] || o["year"] != float64(2019) || storeText(o["t3_new_total"]) != recs[i+1][2] {
			t.Errorf("json row %d %v differs from csv %v", i, o, recs[i+1])
		}
	}
	// Empty results are valid output too.
	code, out, _ = storeRun(t, nil, "query", "--db", db, "--format", "json", "SELECT 1 AS x WHERE 0")
	if code != 0 || strings.TrimSpace(out) != "[\n]" && strings.TrimSpace(out) != "[]" {
		var v []any
		if json.Unmarshal([]byte(out), &v) != nil || len(v) != 0 {
			t.Errorf("empty json: %q", out)
		}
	}
	// The query may come on stdin.
	var so, se strings.Builder
	env := &Env{Stdin: strings.NewReader("SELECT count(*) AS n FROM fields"), Stdout: &so, Stderr: &se, Getenv: func(string) string { return "" }}
	if code := run(context.Background(), env, []string{"query", "--db", db, "--format", "csv", "-"}); code != 0 || !strings.HasPrefix(so.String(), "n\n") {
		t.Errorf("stdin query: exit %d %q %q", code, so.String(), se.String())
	}
}

func TestQueryCrossYearFullText(t *testing.T) {
	db := storeFixture(t)
	// Full-text search over the prose, joined to the figures.
	code, out, errs := storeRun(t, nil, "query", "--db", db, "--format", "csv",
		`SELECT r.agency, r.year FROM sections_fts f JOIN sections s ON s.id = f.rowid JOIN reports r ON r.id = s.report_id
		 WHERE sections_fts MATCH '政府信息公开' AND r.current GROUP BY r.id`)
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	if n := strings.Count(out, "\n") - 1; n < 3 {
		t.Errorf("full-text search found %d reports:\n%s", n, out)
	}
}

func TestQueryCannotWrite(t *testing.T) {
	db := storeFixture(t)
	before := storeDump(t, storeDB(t, db))
	evil := filepath.Join(t.TempDir(), "evil.db")
	for _, q := range []string{
		`DELETE FROM cells`,
		`SELECT 1; DELETE FROM cells`,
		`SELECT * FROM reports WHERE agency = '' ; DROP TABLE reports; --'`,
		`PRAGMA query_only = 0; UPDATE cells SET value = 0`,
		`ATTACH '` + evil + `' AS e; CREATE TABLE e.t(x)`,
		`VACUUM INTO '` + evil + `'`,
		`CREATE TEMP TABLE t AS SELECT * FROM cells`,
		`INSERT INTO sections_fts(sections_fts) VALUES ('delete-all')`,
	} {
		code, out, errs := storeRun(t, nil, "query", "--db", db, q)
		if code == 0 {
			t.Errorf("%s: exit 0\n%s", q, out)
		}
		if !strings.Contains(errs, "nianbao query: ") {
			t.Errorf("%s: no error message: %q", q, errs)
		}
	}
	if _, err := os.Stat(evil); err == nil {
		t.Error("a query created a file")
	}
	if after := storeDump(t, storeDB(t, db)); after != before {
		t.Fatal("a query changed the database")
	}
	if code, _, _ := storeRun(t, nil, "query", "--db", filepath.Join(t.TempDir(), "none.db"), "SELECT 1"); code != 1 {
		t.Errorf("query on a missing database: exit %d, want 1", code)
	}
	if code, _, _ := storeRun(t, nil, "query", "--db", db, "--format", "xml", "SELECT 1"); code != 2 {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
}

func TestReportsFilters(t *testing.T) {
	db := storeFixture(t)
	count := func(args ...string) int {
		t.Helper()
		code, out, errs := storeRun(t, nil, append([]string{"reports", "--db", db, "--format", "csv"}, args...)...)
		if code != 0 {
			t.Fatalf("reports %v: exit %d %s", args, code, errs)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return len(recs) - 1
	}
	r := storeDB(t, db)
	all := storeCount(t, r, `SELECT count(*) FROM reports WHERE current OR version IS NULL`)
	if got := count(); got != all {
		t.Errorf("all: %d, want %d", got, all)
	}
	if got, want := count("--all-versions"), storeCount(t, r, `SELECT count(*) FROM reports`); got != want {
		t.Errorf("--all-versions: %d, want %d", got, want)
	}
	if got := count("--agency", "新乡市卫滨"); got != 1 {
		t.Errorf("--agency 新乡市卫滨: %d", got)
	}
	if got, want := count("--year", "2019"), storeCount(t, r, `SELECT count(*) FROM reports WHERE year = 2019 AND (current OR version IS NULL)`); got != want || want < 2 {
		t.Errorf("--year 2019: %d, want %d", got, want)
	}
	if got, want := count("--status", "ok,findings"), storeCount(t, r, `SELECT count(*) FROM reports WHERE current`); got != want {
		t.Errorf("--status ok,findings: %d, want %d", got, want)
	}
	// Text: the trigram index for three characters or more, LIKE below.
	long := count("--text", "政府信息公开")
	short := count("--text", "公开")
	if long == 0 || short < long {
		t.Errorf("--text: %d reports with 政府信息公开, %d with 公开", long, short)
	}
	if got := count("--text", `"; DROP TABLE x; --`); got != 0 {
		t.Errorf("--text with quotes: %d", got)
	}
	if code, _, _ := storeRun(t, nil, "reports", "--db", db, "--status", "bogus"); code != 2 {
		t.Errorf("--status bogus: exit %d, want 2", code)
	}
	code, out, _ := storeRun(t, nil, "reports", "--db", db, "--agency", "上海")
	if code != 0 || !strings.Contains(out, "上海市人民政府办公厅") || !strings.Contains(out, "shanghai-bgt-2019.html") {
		t.Errorf("table output:\n%s", out)
	}
}
