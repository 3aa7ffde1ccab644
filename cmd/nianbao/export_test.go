package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/store"
)

func storeReadCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// TestExportRoundTrip exports the same database as CSV, JSON and XLSX, reads
// each back (the workbook with excelize) and checks that the three agree
// cell for cell, that each has one header row of the column names (those
// of the views), that every table has the rows of its view, and that every
// figure of the reports table is the stored value.
func TestExportRoundTrip(t *testing.T) {
	db := storeFixture(t)
	dir := t.TempDir()
	csvDir, jsonDir, xlsx := filepath.Join(dir, "csv"), filepath.Join(dir, "json"), filepath.Join(dir, "out.xlsx")
	for _, args := range [][]string{
		{"--format", "csv", "--out", csvDir},
		{"--format", "json", "--out", jsonDir},
		{"--out", xlsx}, // format from the extension
	} {
		if code, out, errs := storeRun(t, nil, append([]string{"export", "--db", db}, args...)...); code != 0 {
			t.Fatalf("export %v: exit %d\n%s\n%s", args, code, out, errs)
		}
	}
	st, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tables := st.ExportTables()

	wb, err := excelize.OpenFile(xlsx, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	if sheets := wb.GetSheetList(); !slices.Equal(sheets, names) {
		t.Fatalf("sheets %v, want %v", sheets, names)
	}

	for _, tb := range tables {
		recs := storeReadCSV(t, filepath.Join(csvDir, tb.Name+".csv"))
		if len(recs) < 1 {
			t.Fatalf("%s.csv: no header row", tb.Name)
		}
		for i, c := range tb.Columns {
			if recs[0][i] != c.Name || c.Label == "" {
				t.Fatalf("%s.csv column %d: header %q, want %q (label %q)", tb.Name, i, recs[0][i], c.Name, c.Label)
			}
		}
		// The rows each table must have: those of its view, counted
		// independently of the export.
		views := map[string]string{"reports": "v_reports", "findings": "v_findings", "sections": "v_sections",
			"cells": "v_cells", "fields": "fields", "table2": "v_table2", "table3": "v_table3", "table4": "v_table4"}
		q := `SELECT count(*) FROM ` + views[tb.Name]
		var want int
		if err := st.Reader().QueryRow(q).Scan(&want); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(recs)-1 != want || want == 0 {
			t.Errorf("%s.csv: %d rows, want %d", tb.Name, len(recs)-1, want)
		}

		// XLSX: the same cells as the CSV.
		rows, err := wb.GetRows(tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(recs) {
			t.Fatalf("sheet %s: %d rows, csv %d", tb.Name, len(rows), len(recs))
		}
		for r := range rows {
			row := append(rows[r], make([]string, len(tb.Columns)-len(rows[r]))...)
			for c := range tb.Columns {
				if !storeSameCell(row[c], recs[r][c]) {
					t.Fatalf("sheet %s row %d column %s: xlsx %q, csv %q", tb.Name, r+1, tb.Columns[c].Key, row[c], recs[r][c])
				}
			}
		}

		// JSON: columns with keys and labels, rows as objects.
		b, err := os.ReadFile(filepath.Join(jsonDir, tb.Name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Table   string `json:"table"`
			Columns []struct {
				Name, Label string
				Key         *string
			}
			Rows []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s.json: %v", tb.Name, err)
		}
		if doc.Table != tb.Name || len(doc.Columns) != len(tb.Columns) || len(doc.Rows) != len(recs)-1 {
			t.Fatalf("%s.json: table %q, %d columns, %d rows", tb.Name, doc.Table, len(doc.Columns), len(doc.Rows))
		}
		for i, row := range doc.Rows {
			for c, col := range tb.Columns {
				if doc.Columns[c].Name != col.Name || doc.Columns[c].Label != col.Label ||
					(doc.Columns[c].Key == nil) != (col.Key == "") || col.Key != "" && *doc.Columns[c].Key != col.Key {
					t.Fatalf("%s.json column %d: %+v", tb.Name, c, doc.Columns[c])
				}
				if got := storeText(row[col.Name]); got != recs[i+1][c] {
					t.Fatalf("%s.json row %d %s: %q, csv %q", tb.Name, i, col.Name, got, recs[i+1][c])
				}
			}
		}
	}

	// The wide reports table holds every stored figure of the reports,
	// under the column its key names.
	recs := storeReadCSV(t, filepath.Join(csvDir, "reports.csv"))
	keyOf := map[string]string{}
	for _, c := range tables[0].Columns {
		if c.Key != "" {
			keyOf[c.Name] = c.Key
		}
	}
	stored := map[string]string{}
	rows, err := st.Reader().Query(`SELECT report_id, key, value FROM v_cells WHERE extra = 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var key string
		var v *float64
		rows.Scan(&id, &key, &v)
		s := ""
		if v != nil {
			s = strconv.FormatFloat(*v, 'f', -1, 64)
		}
		stored[fmt.Sprint(id, " ", key)] = s
	}
	rows.Close()
	checked := 0
	for _, rec := range recs[1:] {
		for c, name := range recs[0] {
			key, ok := keyOf[name]
			if !ok {
				continue
			}
			if _, ok := nianbao.LookupField(key); !ok || name != store.ColumnName(key) {
				t.Fatalf("column %s for key %s", name, key)
			}
			want, has := stored[rec[0]+" "+key]
			if rec[c] != want || (!has && rec[c] != "") {
				t.Fatalf("report %s %s: exported %q, stored %q", rec[0], key, rec[c], want)
			}
			if has {
				checked++
			}
		}
	}
	if checked != len(stored) || checked < 40*150 {
		t.Errorf("checked %d exported figures of %d stored", checked, len(stored))
	}
}

// storeSameCell compares an XLSX cell read back with the CSV text: numbers
// compare as numbers (the workbook stores 14.2404 as a double).
func storeSameCell(x, c string) bool {
	if x == c {
		return true
	}
	fx, ex := strconv.ParseFloat(x, 64)
	fc, ec := strconv.ParseFloat(c, 64)
	return ex == nil && ec == nil && fx == fc
}

func TestExportOptions(t *testing.T) {
	db := storeFixture(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "x")
	code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", out, "--tables", "fields, table4", "--header", "keys")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	entries, _ := os.ReadDir(out)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if !slices.Equal(files, []string{"fields.csv", "table4.csv"}) {
		t.Fatalf("files %v", files)
	}
	recs := storeReadCSV(t, filepath.Join(out, "table4.csv"))
	if recs[0][0] != "report_id" || recs[1][0] == "报告编号" {
		t.Errorf("--header keys: %v / %v", recs[0], recs[1])
	}
	code, _, _ = storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", out, "--tables", "fields", "--header", "labels", "--force")
	if recs := storeReadCSV(t, filepath.Join(out, "fields.csv")); code != 0 || recs[0][0] != "键" || recs[1][0] == "key" {
		t.Errorf("--header labels: %v", recs[:2])
	}
	code, _, _ = storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", out, "--tables", "fields", "--header", "both", "--force")
	if recs := storeReadCSV(t, filepath.Join(out, "fields.csv")); code != 0 || recs[0][0] != "key" || recs[1][0] != "键" ||
		recs[0][1] != "column_name" || recs[2][0] != recs[2][1] && !strings.Contains(recs[2][0], ".") {
		t.Errorf("--header both: %v", recs[:3])
	}
	for _, bad := range [][]string{{"--format", "pdf"}, {"--tables", "nope", "--format", "csv"}, {"--header", "x", "--format", "csv"}, {}} {
		if code, _, _ := storeRun(t, nil, append([]string{"export", "--db", db, "--out", filepath.Join(dir, "y")}, bad...)...); code != 2 {
			t.Errorf("export %v: exit %d, want 2", bad, code)
		}
	}
	if code, _, _ := storeRun(t, nil, "export", "--db", filepath.Join(dir, "none.db"), "--format", "csv"); code != 1 {
		t.Errorf("export of a missing database: exit %d, want 1", code)
	}
	// Labels of the figures name the table, the row and the column.
	code, _, _ = storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", out, "--tables", "reports", "--header", "both")
	recs = storeReadCSV(t, filepath.Join(out, "reports.csv"))
	i := slices.Index(recs[0], "t3_denied_safety_natural")
	if code != 0 || i < 0 || recs[1][i] != "表三 3.危及“三安全一稳定” · 自然人" {
		t.Fatalf("label of t3.denied.safety.natural: %v", recs[:2])
	}
	if j := slices.Index(recs[0], "t2_procurement_amount"); j < 0 || !strings.Contains(recs[1][j], "万元") {
		t.Errorf("amount label without its unit")
	}
}

// A table longer than a sheet holds goes on as many sheets as it needs,
// each with the header rows, and together they hold every row of the CSV
// in order. The sheet limit is lowered for the test.
func TestExportXLSXSplitsLongTables(t *testing.T) {
	db := storeFixture(t)
	dir := t.TempDir()
	old := xlsxMaxRows
	xlsxMaxRows = 3000
	defer func() { xlsxMaxRows = old }()
	csvDir, xlsx := filepath.Join(dir, "csv"), filepath.Join(dir, "out.xlsx")
	if code, out, errs := storeRun(t, nil, "export", "--db", db, "--tables", "cells,reports", "--format", "csv", "--out", csvDir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := storeRun(t, nil, "export", "--db", db, "--tables", "cells,reports", "--out", xlsx)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	recs := storeReadCSV(t, filepath.Join(csvDir, "cells.csv"))
	data := len(recs) - 1
	per := xlsxMaxRows - 1
	parts := (data + per - 1) / per
	if parts < 3 {
		t.Fatalf("%d cell rows: the fixture is too small to split", data)
	}
	if !strings.Contains(errs, fmt.Sprintf("table cells is longer than an XLSX sheet holds: on %d sheets", parts)) {
		t.Errorf("no warning of the split:\n%s", errs)
	}
	wb, err := excelize.OpenFile(xlsx, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	want := []string{"cells"}
	for i := 2; i <= parts; i++ {
		want = append(want, fmt.Sprintf("cells (%d)", i))
	}
	want = append(want, "reports")
	if sheets := wb.GetSheetList(); !slices.Equal(sheets, want) {
		t.Fatalf("sheets %v, want %v", sheets, want)
	}
	var got [][]string
	for i, name := range want[:parts] {
		rows, err := wb.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > xlsxMaxRows || (i < parts-1 && len(rows) != xlsxMaxRows) {
			t.Fatalf("sheet %s has %d rows, limit %d", name, len(rows), xlsxMaxRows)
		}
		if rows[0][0] != recs[0][0] {
			t.Fatalf("sheet %s header %q", name, rows[0][0])
		}
		got = append(got, rows[1:]...)
	}
	if len(got) != data {
		t.Fatalf("%d rows on the sheets, %d in the CSV", len(got), data)
	}
	for r := range got {
		row := append(got[r], make([]string, len(recs[r+1])-len(got[r]))...)
		for c := range recs[r+1] {
			if !storeSameCell(row[c], recs[r+1][c]) {
				t.Fatalf("row %d column %d: xlsx %q, csv %q", r, c, row[c], recs[r+1][c])
			}
		}
	}
	checkXLSXDimensions(t, xlsx)
}
