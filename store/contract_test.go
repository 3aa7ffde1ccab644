package store

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/toolcheck"
	"github.com/nianbao/nianbao/pipeline"
)

// sqliteUtilsDetectFTS is the query sqlite-utils runs to find the full-text
// index of a table (Table.detect_fts, sqlite-utils 3.30); Datasette's
// detect_fts_sql is the same query.
const sqliteUtilsDetectFTS = `SELECT name FROM sqlite_master
    WHERE rootpage = 0
    AND (
        sql LIKE :like
        OR sql LIKE :like2
        OR (
            tbl_name = :table
            AND sql LIKE '%VIRTUAL TABLE%USING FTS%'
        )
    )`

// TestFTSDetected: sqlite-utils and Datasette find the full-text index of
// sections by the query they run, and (when sqlite-utils is installed)
// `sqlite-utils search` finds a section through it.
func TestFTSDetected(t *testing.T) {
	s := openFake(t, nil)
	ingest := ingester(t, s)
	ingest("a", fakeDoc("甲市人民政府", 2023, "section 6=本年度未收取信息处理费"))
	var name string
	err := s.Reader().QueryRow(sqliteUtilsDetectFTS,
		sql.Named("like", `%VIRTUAL TABLE%USING FTS%content=[sections]%`),
		sql.Named("like2", `%VIRTUAL TABLE%USING FTS%content="sections"%`),
		sql.Named("table", "sections")).Scan(&name)
	if err != nil || name != "sections_fts" {
		t.Fatalf("sqlite-utils' detection finds %q (%v), want sections_fts", name, err)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '信息处理费'`); n != 1 {
		t.Fatalf("%d matches", n)
	}
	tool, err := exec.LookPath("sqlite-utils")
	if err != nil {
		toolcheck.Note(t, "sqlite-utils is not installed: its search not run")
		return
	}
	s.Close()
	out, err := exec.Command(tool, "search", s.Path(), "sections", "信息处理费", "-c", "section").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"section": "6"`) {
		t.Fatalf("sqlite-utils search: %v\n%s", err, out)
	}
}

// TestViewsTypeCounts: counts are INTEGER in every view, amounts REAL, and
// a count printed with a fraction is kept, not cut.
func TestViewsTypeCounts(t *testing.T) {
	s := openFake(t, nil)
	ingest := ingester(t, s)
	ingest("a", fakeDoc("甲市人民政府", 2019, "template=2019", "cell t3.new.total=20", "cell t3.new.natural=2.5",
		"cell t2.procurement.amount=25", "cell t2.procurement.count=6", "cell t4.review.total=3", "cell t2.rules.made=1",
		"finding t3.balance t3.new.total expected=20 actual=23"))
	for q, want := range map[string]string{
		`SELECT typeof(t3_new_total) FROM v_reports`:                                      "integer",
		`SELECT typeof(t4_review_total) FROM v_reports`:                                   "integer",
		`SELECT typeof(total) FROM v_table3 WHERE row = 'new'`:                            "integer",
		`SELECT typeof(natural) FROM v_table3 WHERE row = 'new'`:                          "real",
		`SELECT typeof(amount) FROM v_table2 WHERE row = 'procurement'`:                   "real",
		`SELECT typeof(count) FROM v_table2 WHERE row = 'procurement'`:                    "integer",
		`SELECT typeof(made) FROM v_table2 WHERE row = 'rules'`:                           "integer",
		`SELECT typeof(total) FROM v_table4 WHERE row = 'review'`:                         "integer",
		`SELECT typeof(value) FROM v_cells WHERE key = 't3.new.total'`:                    "integer",
		`SELECT typeof(value) FROM v_cells WHERE key = 't3.new.natural'`:                  "real",
		`SELECT typeof(value) FROM v_cells WHERE key = 't2.procurement.amount'`:           "real",
		`SELECT typeof(expected) || typeof(actual) || typeof(difference) FROM v_findings`: "integerintegerinteger",
	} {
		var got string
		if err := s.Reader().QueryRow(q).Scan(&got); err != nil || got != want {
			t.Errorf("%s: %q (%v), want %s", q, got, err, want)
		}
	}
	var natural float64
	if err := s.Reader().QueryRow(`SELECT natural FROM v_table3 WHERE row = 'new'`).Scan(&natural); err != nil || natural != 2.5 {
		t.Errorf("a count printed 2.5 reads %v (%v)", natural, err)
	}
	// The exports type them the same.
	for _, tb := range s.ExportTables() {
		if tb.Name != "reports" {
			continue
		}
		at := map[string]int{}
		for i, c := range tb.Columns {
			at[c.Name] = i
		}
		err := tb.Rows(context.Background(), func(vals []any) error {
			for name, want := range map[string]string{"t3_new_total": "int64", "t2_procurement_count": "int64", "t2_rules_made": "int64",
				"t2_procurement_amount": "float64", "t3_new_natural": "float64", "findings": "int64"} {
				if got := typeName(vals[at[name]]); got != want {
					t.Errorf("export reports %s: %s, want %s", name, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case int64:
		return "int64"
	case float64:
		return "float64"
	case nil:
		return "nil"
	}
	return "other"
}

// TestOtherRowDerived: a report printing （六） as its three sub-rows has
// t3.other.<col> too, their sum, marked derived, in the cells, v_table3
// and the export; a report printing the row itself keeps its figure; the
// panel does not count the row twice; the figures digest (copies) ignores
// the derived cells.
func TestOtherRowDerived(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		split := ingest("a", fakeDoc("甲市人民政府", 2023, "template=2021", "cell t3.other.no_correction.total=1",
			"cell t3.other.no_fee.total=2", "cell t3.other.no_correction.natural=1"))
		// A 2021 report printing both the single row and the sub-rows: the
		// printed total stands.
		both := ingest("b", fakeDoc("乙市人民政府", 2023, "template=2021", "extra t3.other.total=9",
			"cell t3.other.no_correction.total=1", "cell t3.other.no_fee.total=2"))
		one := ingest("c", fakeDoc("丙市人民政府", 2019, "template=2019", "cell t3.other.total=4"))
		db := s.Reader()
		for _, c := range []struct {
			report  int64
			key     string
			want    string
			derived int
		}{
			{split.ReportID, "t3.other.total", "3", 1},
			{split.ReportID, "t3.other.natural", "1", 1},
			{split.ReportID, "t3.other.legal", "", 1}, // every sub-row blank: blank
			{both.ReportID, "t3.other.total", "9", 0},
			{one.ReportID, "t3.other.total", "4", 0},
		} {
			var v sql.NullString
			var derived int
			if err := db.QueryRow(`SELECT CAST(value AS TEXT), derived FROM v_cells WHERE report_id = ? AND key = ?`, c.report, c.key).
				Scan(&v, &derived); err != nil {
				t.Fatalf("report %d %s: %v", c.report, c.key, err)
			}
			if v.String != c.want || derived != c.derived {
				t.Errorf("report %d %s = %q derived %d, want %q derived %d", c.report, c.key, v.String, derived, c.want, c.derived)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE report_id = ? AND row = 'other' AND total = 3 AND derived = 1`, split.ReportID); n != 1 {
			t.Errorf("v_table3 lacks the derived row other")
		}
		if n := count(t, db, `SELECT count(*) FROM cells WHERE report_id = ? AND derived = 1`, both.ReportID); n != len(nianbao.T3Cols)-1 {
			t.Errorf("report printing t3.other.total: %d derived cells, want %d (all columns but total)", n, len(nianbao.T3Cols)-1)
		}
		if n := count(t, db, `SELECT count(*) FROM v_panel WHERE report_id = ? AND other = 3`, split.ReportID); n != 1 {
			t.Errorf("v_panel counts （六） of the split report otherwise than 3")
		}
		// The same figures read again (another format) are a copy: the
		// derived cells are not part of what a report prints.
		again := ingest("a.pdf", fakeDoc("甲市人民政府", 2023, "format=pdf", "template=2021", "cell t3.other.no_correction.total=1",
			"cell t3.other.no_fee.total=2", "cell t3.other.no_correction.natural=1"))
		if again.SameAs != split.ReportID {
			t.Errorf("the PDF of the same figures: same_as %d, want %d", again.SameAs, split.ReportID)
		}
		var digest sql.NullInt64
		db.QueryRow(`SELECT figures FROM reports WHERE id = ?`, split.ReportID).Scan(&digest)
		rep := fakeParse(context.Background(), "a", fakeDoc("甲市人民政府", 2023, "template=2021", "cell t3.other.no_correction.total=1",
			"cell t3.other.no_fee.total=2", "cell t3.other.no_correction.natural=1"), pipeline.Options{})
		if _, _, _, figures, _ := encodeCells(rep); figures != digest {
			t.Errorf("stored digest %v, of the printed cells %v", digest, figures)
		}
	})
}

// TestFindingsNumbers: a finding's two sides are stored, the difference
// computed, all three in v_findings and the findings export; a finding
// that is no equation has none.
func TestFindingsNumbers(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		out := ingest("a", fakeDoc("甲市人民政府", 2023, "finding t3.outcome_sum t3.outcome_total.total t3.granted.total expected=10 actual=7",
			"finding missing_table"))
		rows, err := s.Reader().Query(`SELECT rule, expected, actual, difference FROM v_findings WHERE report_id = ? ORDER BY finding_id`, out.ReportID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var rule string
			var e, a, d sql.NullString
			rows.Scan(&rule, &e, &a, &d)
			got = append(got, rule+" "+e.String+" "+a.String+" "+d.String)
		}
		rows.Close()
		if want := []string{"t3.outcome_sum 10 7 -3", "missing_table   "}; !slices.Equal(got, want) {
			t.Fatalf("findings %q, want %q", got, want)
		}
		for _, tb := range s.ExportTables() {
			if tb.Name != "findings" {
				continue
			}
			var names []string
			for _, c := range tb.Columns {
				names = append(names, c.Name)
			}
			for _, want := range []string{"report_id", "expected", "actual", "difference", "other_report_id"} {
				if !slices.Contains(names, want) {
					t.Errorf("the findings export lacks %s: %v", want, names)
				}
			}
		}
	})
}

// TestUnidentifiedReportsShown: a report read with no organ or no year is
// in every view and every export table, v_reports saying what is missing.
func TestUnidentifiedReportsShown(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		known := ingest("a", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=4", "finding t3.balance t3.new.total", "section 1=总体情况"))
		noOrgan := ingest("b", fakeDoc("", 2023, "cell t3.new.total=5", "finding t3.balance t3.new.total", "section 1=没有机关"))
		noYear := ingest("c", fakeDoc("乙县人民政府", 0, "cell t3.new.total=6", "finding t3.balance t3.new.total", "section 1=没有年度"))
		ingest("d", fakeDoc("丙县人民政府", 2023, "status=unsupported"))
		db := s.Reader()
		for id, want := range map[int64]string{known.ReportID: "", noOrgan.ReportID: "no organ found", noYear.ReportID: "no year found"} {
			var missing sql.NullString
			if err := db.QueryRow(`SELECT missing FROM v_reports WHERE report_id = ?`, id).Scan(&missing); err != nil || missing.String != want {
				t.Errorf("v_reports report %d: missing %q (%v), want %q", id, missing.String, err, want)
			}
		}
		for _, view := range []string{"v_reports", "v_cells", "v_table2", "v_table3", "v_table4", "v_findings", "v_sections"} {
			if n := count(t, db, `SELECT count(DISTINCT report_id) FROM `+view); n != 3 {
				t.Errorf("%s shows %d reports, want 3", view, n)
			}
		}
		for _, tb := range s.ExportTables() {
			if tb.Name == "fields" {
				continue
			}
			seen := map[int64]bool{}
			err := tb.Rows(context.Background(), func(vals []any) error {
				for i, c := range tb.Columns {
					if c.Name == "report_id" {
						seen[vals[i].(int64)] = true
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !seen[noOrgan.ReportID] || !seen[noYear.ReportID] || !seen[known.ReportID] || len(seen) != 3 {
				t.Errorf("export %s shows reports %v", tb.Name, seen)
			}
		}
		var sum Summary
		for _, o := range []Outcome{known, noOrgan, noYear} {
			sum.Add(o)
		}
		var b strings.Builder
		sum.Write(&b, "x.db")
		if sum.Unidentified != 2 || !strings.Contains(b.String(), "no organ/year       2") {
			t.Errorf("summary counts %d without organ or year:\n%s", sum.Unidentified, b.String())
		}
	})
}

// TestOneNaming: one name per concept (report_id, never id, in every view
// and export), every export table named as its view, and a figure's
// column named by ColumnName, which fields.column_name agrees with.
func TestOneNaming(t *testing.T) {
	s := openFake(t, nil)
	ingester(t, s)("a", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=4"))
	db := s.Reader()
	viewCols := func(view string) []string {
		rows, err := db.Query(`SELECT name FROM pragma_table_xinfo(?)`, view)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	views := []string{"v_reports", "v_cells", "v_table2", "v_table3", "v_table4", "v_findings", "v_sections", "v_panel"}
	for _, v := range views {
		cols := viewCols(v)
		if len(cols) == 0 {
			t.Fatalf("no view %s", v)
		}
		if slices.Contains(cols, "id") || !slices.Contains(cols, "report_id") {
			t.Errorf("%s columns %v: the report is report_id", v, cols)
		}
	}
	of := map[string]string{"reports": "v_reports", "table2": "v_table2", "table3": "v_table3", "table4": "v_table4",
		"findings": "v_findings", "sections": "v_sections", "cells": "v_cells", "fields": "fields"}
	for _, tb := range s.ExportTables() {
		cols := viewCols(of[tb.Name])
		for i, c := range tb.Columns {
			switch {
			case c.Name == "id":
				t.Errorf("export %s has a column id", tb.Name)
			case tb.Name == "reports" && i < len(cols):
				if c.Name != cols[i] {
					t.Errorf("export reports column %d is %s, v_reports has %s", i, c.Name, cols[i])
				}
			case c.Key != "":
				if c.Name != ColumnName(c.Key) {
					t.Errorf("export %s: column %s for key %s", tb.Name, c.Name, c.Key)
				}
			case !slices.Contains(cols, c.Name):
				t.Errorf("export %s column %s is not a column of %s %v", tb.Name, c.Name, of[tb.Name], cols)
			}
		}
		if tb.Name == "reports" && len(tb.Columns) != len(cols)+len(nianbao.AllFields())-9 {
			t.Errorf("export reports: %d columns, want v_reports' %d and the other figures", len(tb.Columns), len(cols))
		}
	}
	rows, err := db.Query(`SELECT key, column_name FROM fields`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key, name string
		rows.Scan(&key, &name)
		if name != ColumnName(key) {
			t.Errorf("fields: %s is %s, ColumnName %s", key, name, ColumnName(key))
		}
		n++
	}
	if n != len(nianbao.AllFields()) || ColumnName("t3.outcome_total.total") != "t3_outcome_total" || ColumnName("t3.new.total") != "t3_new_total" {
		t.Errorf("%d fields", n)
	}
}

// TestContractMigrated: a database made before migration 0009 learns the
// derived （六） cells of its reports, and its full-text index is declared
// so that sqlite-utils finds it, holding the sections written before.
func TestContractMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.ingest(ctx, Input{Source: "a", Data: fakeDoc("甲市人民政府", 2023, "template=2021",
		"cell t3.other.no_correction.total=1", "cell t3.other.other.total=5", "section 6=迁移之前写入的文字")})
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema of migration 0008 (its views as placeholders).
	for _, q := range []string{
		`DROP VIEW v_reports`, `DROP VIEW v_cells`, `DROP VIEW v_table2`, `DROP VIEW v_table3`, `DROP VIEW v_table4`,
		`DROP VIEW v_findings`, `DROP VIEW v_sections`, `DROP VIEW v_panel`,
		`DELETE FROM cells WHERE derived`, `ALTER TABLE cells DROP COLUMN derived`,
		`ALTER TABLE findings DROP COLUMN difference`, `ALTER TABLE fields DROP COLUMN column_name`,
		`DROP TABLE sections_fts`,
		`CREATE VIRTUAL TABLE sections_fts USING fts5(text, content='sections', content_rowid='id', tokenize='trigram')`,
		`INSERT INTO sections_fts(sections_fts) VALUES ('rebuild')`,
		`CREATE VIEW v_reports AS SELECT 1`, `CREATE VIEW v_cells AS SELECT 1`, `CREATE VIEW v_table2 AS SELECT 1`,
		`CREATE VIEW v_table3 AS SELECT 1`, `CREATE VIEW v_table4 AS SELECT 1`, `CREATE VIEW v_panel AS SELECT 1`,
		`DELETE FROM schema_migrations WHERE version = 9`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	if s, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var total float64
	if err := s.Reader().QueryRow(`SELECT value FROM cells WHERE report_id = ? AND key = 't3.other.total' AND derived`, out.ReportID).Scan(&total); err != nil || total != 6 {
		t.Fatalf("derived t3.other.total after the migration: %v (%v), want 6", total, err)
	}
	var name string
	if err := s.Reader().QueryRow(sqliteUtilsDetectFTS, sql.Named("like", "-"), sql.Named("like2", `%VIRTUAL TABLE%USING FTS%content="sections"%`),
		sql.Named("table", "sections")).Scan(&name); err != nil || name != "sections_fts" {
		t.Fatalf("full-text index not detected after the migration: %q %v", name, err)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '迁移之前'`); n != 1 {
		t.Fatalf("the section written before the migration: %d matches", n)
	}
}
