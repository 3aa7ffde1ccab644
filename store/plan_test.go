package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// planStore is a store of a few hundred reports of many organs and years,
// with versions and copies, so that the planner sees the shape of a real
// one: 150 reports of 50 organs over 3 years, a second version of every
// fifth and an HTML copy of every seventh.
func planStore(t *testing.T) *Store {
	s := openFake(t, nil)
	ctx := context.Background()
	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := range 150 {
		org, year := fmt.Sprintf("机关%02d", i%50), 2021+i/50
		docs := [][]byte{fakeDoc(org, year, fmt.Sprintf("cell t3.new.total=%d", i), "section 1=概述 第"+fmt.Sprint(i)+"号")}
		if i%5 == 0 {
			docs = append(docs, fakeDoc(org, year, fmt.Sprintf("cell t3.new.total=%d", i+1)))
		}
		if i%7 == 0 {
			docs = append(docs, fakeDoc(org, year, "format=html", fmt.Sprintf("cell t3.new.total=%d", i), "section 1=概述 第"+fmt.Sprint(i)+"号"))
		}
		for j, data := range docs {
			out, err := w.Write(s.prepareDoc(ctx, fmt.Sprintf("d%d-%d", i, j), nil, data, 0))
			if err != nil || out.Result == ResultFailed {
				t.Fatalf("%+v %v", out, err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	return s
}

// plan returns the lines of EXPLAIN QUERY PLAN for q with every parameter
// bound to NULL.
func plan(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	args := make([]any, strings.Count(q, "?"))
	rows, err := db.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// scanLine matches a plan line that reads a whole table or index: SCAN,
// then the table or its alias, then the index if any.
var scanLine = regexp.MustCompile(`^SCAN (\S+)(?: USING (?:COVERING )?INDEX (\S+))?`)

// checkPlan fails if a line of the plan scans reports or cells (under any
// of the aliases the store's SQL gives them), except one scan in allowed:
// an index by its name, a table by its alias (for a query that reads every
// current report, one scan of reports is the size of its answer; any other
// reading of reports or cells must be a search).
func checkPlan(t *testing.T, name, q string, lines []string, allowed ...string) {
	t.Helper()
	scans := 0
	for _, l := range lines {
		m := scanLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		switch m[1] {
		case "reports", "r", "o", "a", "b", "cells", "c", "x", "t":
		default:
			continue
		}
		if (m[2] != "" && contains(allowed, m[2]) || m[2] == "" && contains(allowed, m[1])) && scans == 0 {
			scans++
			continue
		}
		// v_reports's reports without an organ or a year: every row of
		// that partial index is in the answer.
		if m[2] == "reports_unidentified" {
			continue
		}
		t.Errorf("%s: the plan scans %s:\n%s\nplan:\n%s", name, m[1], q, strings.Join(lines, "\n"))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestPlansUseIndexes holds every lookup the writer makes per document and
// the analysts' queries of the README to index searches: no scan of
// reports or cells, whose cost would grow with the store. Each is checked
// on a store without statistics (as after a first batch) and after ANALYZE
// (as PRAGMA optimize leaves it).
func TestPlansUseIndexes(t *testing.T) {
	s := planStore(t)
	writer := map[string]string{
		"document by hash":     qDocumentBySHA,
		"known":                `SELECT 1 FROM documents WHERE sha256 = ?`,
		"seen again":           qSeen,
		"source":               qSourceUpsert,
		"supersede":            qSupersede,
		"copy by prose":        qCopyByProse,
		"copy by format":       qCopyByFormat,
		"newest version":       qNewestVersion,
		"describe":             qDescribe,
		"superseded":           qSuperseded,
		"reparse: old":         qReparseOld,
		"reparse: cells":       qCellsDelete,
		"reparse: findings":    qFindingsDelete,
		"reparse: sections":    qSectionsDelete,
		"reparse: update":      qReparseUpdate,
		"reparse: unplace":     qReparseUpdateUnplaced,
		"reparse: format":      qDocumentFormat,
		"reparse: renumber":    qVersionGroup,
		"reparse: renumber it": qRenumber,
		"organ: name":          qNameLookup,
		"organ: name insert":   qNameInsert,
		"organ: name update":   qNameUpdate,
		"organ: upsert":        qOrganUpsert,
		"years: current":       qCurrentOf,
		"years: findings":      qYearFindings,
		"years: delete":        qFindingDelete,
		"years: finding":       qYearFindingInsert,
		"years: cells":         qYearCells,
	}
	// The README's queries (Querying, and the count per year of
	// Performance), with the organ and the key they ask for.
	analyst := []struct {
		name, q string
		allowed []string // what a query of every current report may scan
	}{
		{"count per year", `SELECT year, count(*) FROM v_reports GROUP BY year ORDER BY year`, []string{"r", "reports_by_year"}},
		{"one organ across years", `SELECT year, t3_new_total, t3_carry_forward_total FROM v_reports WHERE agency = '机关07' ORDER BY year`, nil},
		{"one key across all reports", `SELECT agency, year, value FROM v_cells WHERE key = 't3.new.total'`, []string{"r", "reports_by_year"}},
		{"one key, one organ", `SELECT year, value FROM v_cells WHERE agency = '机关07' AND key = 't3.new.total'`, nil},
		{"one key, one year", `SELECT agency, value FROM v_cells WHERE year = 2022 AND key = 't3.new.total'`, nil},
		{"full-text search", `SELECT r.agency, r.year, s.section FROM sections_fts
			JOIN sections s ON s.id = sections_fts.rowid JOIN reports r ON r.id = s.report_id
			WHERE sections_fts MATCH '概述第' AND r.current`, nil},
		{"rule 5 across years", `SELECT r.agency, r.year, f.detail, f.expected, f.actual FROM findings f
			JOIN reports r ON r.id = f.report_id WHERE f.rule = 't3.carry_over' AND r.current`, nil},
		{"one organ's panel", `SELECT year, applications, granted_share FROM v_panel WHERE organ_id = 7 ORDER BY year`, nil},
		{"versions of one organ and year", `SELECT id, version, current, superseded_by, same_as, parsed_at FROM reports
			WHERE agency = '机关07' AND year = 2022 ORDER BY id`, nil},
	}
	for _, stats := range []string{"without statistics", "after ANALYZE"} {
		if stats == "after ANALYZE" {
			if _, err := s.db.Exec(`ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		for name, q := range writer {
			p := plan(t, s.db, q)
			checkPlan(t, stats+": writer: "+name, q, p)
			// A search by rule reads every finding of that rule in the store.
			if strings.Contains(strings.Join(p, "\n"), "findings_by_rule") {
				t.Errorf("%s: writer: %s searches findings by rule:\n%s\nplan:\n%s", stats, name, q, strings.Join(p, "\n"))
			}
			// A sort would read every row it sorts (LIMIT 1 too).
			if strings.Contains(strings.Join(p, "\n"), "TEMP B-TREE") {
				t.Errorf("%s: writer: %s sorts:\n%s\nplan:\n%s", stats, name, q, strings.Join(p, "\n"))
			}
		}
		for _, a := range analyst {
			checkPlan(t, stats+": "+a.name, a.q, plan(t, s.db, a.q), a.allowed...)
		}
		// The one-key query finds each cell by its report and key, the
		// reports in the order of their ids (the order of the cells).
		if p := strings.Join(plan(t, s.db, analyst[2].q), "\n"); p != "SCAN r\nSEARCH c USING PRIMARY KEY (report_id=? AND key=?)" {
			t.Errorf("%s: one key across all reports:\n%s", stats, p)
		}
	}
}

// TestForeignKeysIndexed: every foreign key's columns lead an index (or the
// primary key) of their table, so that deleting or re-pointing the row they
// refer to (ON DELETE CASCADE / SET NULL) searches for the rows that refer
// to it instead of scanning their table.
func TestForeignKeysIndexed(t *testing.T) {
	s := openFake(t, nil)
	db := s.db
	tables := []string{}
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	checked := 0
	for _, table := range tables {
		fks := map[int][]string{} // id → columns in order
		rows, err := db.Query(`SELECT id, seq, "from" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, seq int
			var from string
			rows.Scan(&id, &seq, &from)
			fks[id] = append(fks[id], from)
		}
		rows.Close()
		if len(fks) == 0 {
			continue
		}
		// The leading columns of every index of the table, the primary
		// key included (pragma_index_list lists it for WITHOUT ROWID
		// tables and for PRIMARY KEY constraints).
		var leads [][]string
		irows, err := db.Query(`SELECT name FROM pragma_index_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var indexes []string
		for irows.Next() {
			var n string
			irows.Scan(&n)
			indexes = append(indexes, n)
		}
		irows.Close()
		for _, idx := range indexes {
			crows, err := db.Query(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, idx)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for crows.Next() {
				var n sql.NullString
				crows.Scan(&n)
				cols = append(cols, n.String)
			}
			crows.Close()
			leads = append(leads, cols)
		}
		for _, cols := range fks {
			checked++
			ok := false
			for _, l := range leads {
				if len(l) >= len(cols) && strings.Join(l[:len(cols)], ",") == strings.Join(cols, ",") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("the foreign key %s(%s) has no index", table, strings.Join(cols, ", "))
			}
		}
	}
	if checked < 7 {
		t.Fatalf("checked %d foreign keys, want the store's 7 at least", checked)
	}
}
