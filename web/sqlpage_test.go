package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func sqlGet(t *testing.T, s http.Handler, ext, q string) (int, string) {
	t.Helper()
	w := get(t, s, "/sql"+ext+"?sql="+url.QueryEscape(q))
	return w.Code, w.Body.String()
}

// TestSQLRefusesWrites: every way to write is refused, the same as
// nianbao query refuses it, and the database is unchanged.
func TestSQLRefusesWrites(t *testing.T) {
	_, s := newTestServer(t, Options{})
	var before int
	s.db.QueryRow(`SELECT count(*) FROM reports`).Scan(&before)
	for _, q := range []string{
		"DELETE FROM reports",
		"UPDATE reports SET agency = 'x'",
		"INSERT INTO fields(key) VALUES ('x')",
		"DROP TABLE cells",
		"CREATE TABLE x(a)",
		"PRAGMA query_only = 0",
		"ATTACH DATABASE '/tmp/x.db' AS x",
		"VACUUM",
		"BEGIN",
		"WITH x AS (SELECT 1) DELETE FROM reports",
		"REPLACE INTO fields(key) VALUES ('x')",
	} {
		code, body := sqlGet(t, s, "", q)
		if code != http.StatusForbidden && code != http.StatusBadRequest {
			t.Errorf("%s: %d, want refused: %.300s", q, code, body)
		}
	}
	// Two statements: refused before anything runs.
	code, body := sqlGet(t, s, ".json", "SELECT 1; DELETE FROM reports")
	if code != http.StatusBadRequest || !strings.Contains(body, "one statement") {
		t.Errorf("two statements: %d %s", code, body)
	}
	code, body = sqlGet(t, s, "", "DELETE FROM reports")
	if code != http.StatusForbidden || !strings.Contains(body, "read-only") {
		t.Errorf("DELETE: %d %s", code, body)
	}
	var after int
	s.db.QueryRow(`SELECT count(*) FROM reports`).Scan(&after)
	if after != before || before == 0 {
		t.Errorf("reports: %d before, %d after", before, after)
	}
}

// TestSQLStopsSlowQuery: a recursive query that would run forever is
// interrupted at the page's time limit.
func TestSQLStopsSlowQuery(t *testing.T) {
	_, s := newTestServer(t, Options{SQLTimeout: 300 * time.Millisecond})
	start := time.Now()
	code, body := sqlGet(t, s, ".json", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
	took := time.Since(start)
	if code != http.StatusRequestTimeout || !strings.Contains(body, "stopped after 300ms") {
		t.Errorf("slow query: %d %s", code, body)
	}
	if took > 5*time.Second {
		t.Errorf("the slow query took %v to stop", took)
	}
	// The connection serves the next query.
	if code, body := sqlGet(t, s, ".json", "SELECT 1 AS one"); code != 200 || !strings.Contains(body, `"one"`) {
		t.Errorf("after the interrupt: %d %s", code, body)
	}
}

// TestSQLRowCapAndDownloads: rows stop at the cap, said so; CSV and JSON
// carry the same rows, CSV with formulas escaped.
func TestSQLRowCapAndDownloads(t *testing.T) {
	_, s := newTestServer(t, Options{SQLRows: 100})
	q := "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5000) SELECT x, '=1+1' AS f, 1e999 AS inf FROM c"
	code, body := sqlGet(t, s, ".json", q)
	var d struct {
		Rows  [][]any `json:"rows"`
		Cut   bool    `json:"cut"`
		Limit int     `json:"row_limit"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &d) != nil {
		t.Fatalf("%d %.300s", code, body)
	}
	if len(d.Rows) != 100 || !d.Cut || d.Limit != 100 || d.Rows[0][2] != "Infinity" {
		t.Errorf("rows %d cut %v limit %d first %v", len(d.Rows), d.Cut, d.Limit, d.Rows[0])
	}
	code, body = sqlGet(t, s, ".csv", q)
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if code != 200 || len(lines) != 101 || lines[0] != "x,f,inf" || lines[1] != "1,'=1+1,+Inf" && lines[1] != "1,'=1+1,Infinity" {
		t.Errorf("csv: %d %d lines, %q %q", code, len(lines), lines[0], lines[1])
	}
	code, body = sqlGet(t, s, "", q)
	if code != 200 || !strings.Contains(body, "cut at 100") {
		t.Errorf("html: %d, no word of the cut", code)
	}
	// The empty page lists the tables.
	if w := get(t, s, "/sql"); w.Code != 200 || !strings.Contains(w.Body.String(), "v_panel") {
		t.Errorf("empty SQL page: %d", w.Code)
	}
}
