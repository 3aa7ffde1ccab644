package main

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/internal/toolcheck"
	"github.com/xuri/excelize/v2"
)

// checkXLSXDimensions holds every sheet's <dimension ref> to the rows and
// columns the sheet has, read from its XML; and, where a Python with
// openpyxl is installed, to what openpyxl's read-only mode, which trusts
// the dimension, sees.
func checkXLSXDimensions(t *testing.T, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	sheets, err := xlsxSheetPaths(&zr.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) == 0 {
		t.Fatal("no sheets")
	}
	want := map[string]string{}
	for _, f := range zr.File {
		name, ok := sheets[f.Name]
		if !ok {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dim, used := sheetExtent(t, rc)
		rc.Close()
		if dim != used {
			t.Errorf("sheet %s: dimension %s, its cells span %s", name, dim, used)
		}
		want[name] = used
	}
	py := pythonWith("openpyxl")
	if py == "" {
		toolcheck.Note(t, "no Python with openpyxl: the read-only check not run")
		return
	}
	out, err := exec.Command(py, "-c", `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
for ws in wb.worksheets:
    rows = list(ws.iter_rows(values_only=True))
    print("%s\t%d\t%d\t%d\t%d" % (ws.title, ws.max_row, ws.max_column, len(rows), max(len(r) for r in rows)))
`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		maxRow, _ := strconv.Atoi(f[1])
		maxCol, _ := strconv.Atoi(f[2])
		last, _ := excelize.CoordinatesToCellName(maxCol, maxRow)
		if "A1:"+last != want[f[0]] || f[1] != f[3] || f[2] != f[4] {
			t.Errorf("openpyxl read-only sees sheet %s as %s (%s rows of %s read), its cells span %s", f[0], last, f[3], f[4], want[f[0]])
		}
	}
}

// sheetExtent reads a sheet's dimension and the range its cells use.
func sheetExtent(t *testing.T, r io.Reader) (dim, used string) {
	dec := xml.NewDecoder(r)
	rows, cols := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range el.Attr {
			switch {
			case el.Name.Local == "dimension" && a.Name.Local == "ref":
				dim = a.Value
			case el.Name.Local == "c" && a.Name.Local == "r":
				c, r, err := excelize.CellNameToCoordinates(a.Value)
				if err != nil {
					t.Fatal(err)
				}
				rows, cols = max(rows, r), max(cols, c)
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(cols, rows)
	return dim, "A1:" + last
}

// pythonWith returns a Python interpreter that imports module, "" if none.
func pythonWith(module string) string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(py); err == nil && exec.Command(p, "-c", "import "+module).Run() == nil {
			return p
		}
	}
	return ""
}

// TestExportXLSXDimensions: every sheet of a workbook declares the range
// its cells use, with one header row or two.
func TestExportXLSXDimensions(t *testing.T) {
	db := storeFixture(t)
	for _, header := range []string{"keys", "both"} {
		out := filepath.Join(t.TempDir(), "out.xlsx")
		if code, _, errs := storeRun(t, nil, "export", "--db", db, "--out", out, "--header", header); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		checkXLSXDimensions(t, out)
	}
}

// TestExportOneHeaderRow: by default a CSV has one header row, of the
// column names, so that the next line is data: a report id, not a label.
func TestExportOneHeaderRow(t *testing.T) {
	db := storeFixture(t)
	out := filepath.Join(t.TempDir(), "csv")
	if code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(files) != 8 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		recs := storeReadCSV(t, f)
		if i := slices.Index(recs[0], "report_id"); i >= 0 {
			if _, err := strconv.Atoi(recs[1][i]); err != nil {
				t.Errorf("%s: the second line is no data: %v", filepath.Base(f), recs[1])
			}
		}
		for _, name := range recs[0] {
			if !regexp.MustCompile(`^[a-z][a-z0-9_]*$`).MatchString(name) {
				t.Errorf("%s: column %q is no column name", filepath.Base(f), name)
			}
		}
	}
}

// TestParseJSONDocumentedFields: `parse --json` writes every field the
// README documents, whatever the document — a report, an unsupported page,
// an unreadable file — and every provenance and finding all of theirs.
func TestParseJSONDocumentedFields(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "One JSON object per document:")
	end := strings.Index(readme[start:], "\n\n")
	table := readme[start : start+end+strings.Index(readme[start+end+2:], "\n\n")+2]
	var fields []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("`([a-z0-9_]+)`").FindAllStringSubmatch(cell, -1) {
			fields = append(fields, m[1])
		}
	}
	if len(fields) < 21 {
		t.Fatalf("the README documents %d fields: %v", len(fields), fields)
	}
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("   \n"), 0o644)
	code, out, errs := storeRun(t, nil, "parse", "--json", "--provenance", "--sections",
		"../../testdata/samples/weibin-2019-text.txt", "../../testdata/samples/shanghai-bgt-2019.html",
		"../../testdata/generated/image-01.html", "../../testdata/generated/broken-t4_row_sum-10.html", empty)
	if code != 1 { // the empty file could not be read
		t.Fatalf("exit %d: %s", code, errs)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			if _, ok := rec[f]; !ok {
				t.Errorf("%s: no field %q", rec["source"], f)
			}
		}
		var provs map[string]map[string]any
		json.Unmarshal(rec["provenance"], &provs)
		for k, p := range provs {
			for _, f := range []string{"table", "row", "col", "page", "box", "raw", "engine", "path", "line", "col_from", "col_to"} {
				if _, ok := p[f]; !ok {
					t.Fatalf("%s: provenance of %s without %q", rec["source"], k, f)
				}
			}
		}
		var finds []map[string]any
		json.Unmarshal(rec["findings"], &finds)
		for _, fd := range finds {
			for _, f := range []string{"rule", "cells", "detail", "expected", "actual", "difference"} {
				if _, ok := fd[f]; !ok {
					t.Fatalf("%s: a finding without %q", rec["source"], f)
				}
			}
			if fd["rule"] == "t4.row_sum" && (fd["expected"] != 2.0 || fd["actual"] != 0.0 || fd["difference"] != -2.0) {
				t.Errorf("t4.row_sum finding: %v", fd)
			}
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d records", n)
	}
}

// TestReportsNamesReportID: `nianbao reports` calls the report's id
// report_id, as every view and export does.
func TestReportsNamesReportID(t *testing.T) {
	db := storeFixture(t)
	for _, format := range []string{"csv", "json", "table"} {
		code, out, errs := storeRun(t, nil, "reports", "--db", db, "--format", format)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		switch format {
		case "csv":
			recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
			if recs[0][0] != "report_id" || slices.Contains(recs[0], "id") {
				t.Errorf("csv header %v", recs[0])
			}
		case "json":
			if !strings.Contains(out, `"report_id":`) || strings.Contains(out, `"id":`) {
				t.Errorf("json: %.200s", out)
			}
		default:
			if !strings.HasPrefix(out, "report_id ") {
				t.Errorf("table: %.200s", out)
			}
		}
	}
}

// TestUnidentifiedReportCounted: a report read whole but with no organ is
// counted by the ingest summary, and is in v_reports and the exports with
// what is missing.
func TestUnidentifiedReportCounted(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	noOrgan := strings.NewReplacer("新乡市卫滨区人民政府办公室", "", "卫滨区", "", "新乡市", "").Replace(string(b))
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o755)
	os.WriteFile(filepath.Join(in, "no-organ.txt"), []byte(noOrgan), 0o644)
	os.WriteFile(filepath.Join(in, "weibin.txt"), b, 0o644)
	db := filepath.Join(dir, "n.db")
	code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "no organ/year       1") {
		t.Errorf("the summary does not count the report without organ:\n%s", out)
	}
	exp := filepath.Join(dir, "csv")
	if code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", exp, "--tables", "reports,table3"); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	recs := storeReadCSV(t, filepath.Join(exp, "reports.csv"))
	miss := slices.Index(recs[0], "missing")
	if len(recs) != 3 || miss < 0 {
		t.Fatalf("reports.csv: %d rows, header %v", len(recs), recs[0])
	}
	var missing []string
	for _, r := range recs[1:] {
		missing = append(missing, r[miss])
	}
	slices.Sort(missing)
	if !slices.Equal(missing, []string{"", "no organ found"}) {
		t.Errorf("missing: %q", missing)
	}
	if recs := storeReadCSV(t, filepath.Join(exp, "table3.csv")); len(recs) < 2*20 {
		t.Errorf("table3.csv: %d rows, want both reports' rows", len(recs))
	}
}

// TestShow: `nianbao show` gives a figure where a person finds it — the
// lines of a text with its characters marked, the element path of an HTML
// cell and its table's rows, the page and box of a PDF cell — and the
// findings that name it, with their numbers; for a stored report, read
// again from the archive; a derived figure with the figures it sums.
func TestShow(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"../../testdata/generated/text-2019-002.txt", "t3.new.total"}, []string{
			"t3.new.total = 13", "line 33, columns 166–167", "> 33 | 一、本年新收政府信息公开申请", "  34 | 数量", "^^\n"}},
		{[]string{"../../testdata/samples/weibin-2019-text.txt", "t3.new.natural"}, []string{
			"t3.new.natural = 3", "line 55", "> 55 | 一、本年新收政府信息公开申请数量"}},
		{[]string{"../../testdata/samples/shanghai-bgt-2019.html", "t2.procurement.amount"}, []string{
			"t2.procurement.amount = 25.1", "printed in: 元", `printed as "251000元"`,
			"element html>body>table[1]>tbody[1]>tr[18]>td[3]", ">  18 | 政府集中采购 | 6 | [251000元]"}},
		{[]string{"../../testdata/samples/huaian-szf-2024.pdf", "t3.new.total"}, []string{
			"t3.new.total = 3119", "page 4, box 486.4,456.5–520.4,480.7 pt", "[3119]"}},
		{[]string{"../../testdata/generated/broken-t4_row_sum-10.html", "t4.suit_direct.total"}, []string{
			"findings naming t4.suit_direct.total (1):", "[t4.row_sum]", "(expected 2, actual 0, difference -2)"}},
		{[]string{"../../testdata/generated/broken-t4_row_sum-10.html"}, []string{
			"figures (", "t4.suit_direct.total               2          element html>", "findings (1):"}},
		{[]string{"../../testdata/samples/weibin-2019-text.txt", "t3.new"}, []string{
			"t3.new.natural                     3", "t3.new.total                       4", "findings naming t3.new: none"}},
	} {
		code, out, errs := storeRun(t, nil, append([]string{"show"}, c.args...)...)
		if code != 0 {
			t.Fatalf("show %v: exit %d: %s", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("show %v lacks %q:\n%s", c.args, w, out)
			}
		}
	}
	// A stored report, by its id: read again from the archive.
	dir := t.TempDir()
	db := filepath.Join(dir, "n.db")
	if code, _, errs := storeRun(t, nil, "ingest", "-q", "--db", db, "../../testdata/samples/shanghai-bgt-2019.html",
		"../../testdata/generated/html-2021-028.html"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	var id2021 int64
	if err := storeDB(t, db).QueryRow(`SELECT id FROM reports WHERE template = '2021'`).Scan(&id2021); err != nil {
		t.Fatal(err)
	}
	code, out, errs := storeRun(t, nil, "show", "--db", db, "1", "t3.new.natural")
	if code != 0 || !strings.Contains(out, "report 1: 上海市人民政府办公厅 2019") || !strings.Contains(out, "element html>body>table[2]>tbody[1]>tr[4]>td[2]") ||
		!strings.Contains(out, "[821]") {
		t.Errorf("show 1 t3.new.natural: exit %d %s\n%s", code, errs, out)
	}
	code, out, _ = storeRun(t, nil, "show", "--db", db, fmt.Sprint(id2021), "t3.other.total")
	if code != 0 || !strings.Contains(out, "derived, not printed") || !strings.Contains(out, "t3.other.no_fee.total") {
		t.Errorf("show of a derived figure:\n%s", out)
	}
	// Mistakes are usage errors, said in one line.
	for _, args := range [][]string{{"show", "--db", db, "99", "t3.new.total"}, {"show", "--db", db, "1", "t9.nothing"},
		{"show", "no-such-file.txt"}, {"show"}} {
		if code, _, errs := storeRun(t, nil, args...); code != 2 || !strings.HasPrefix(errs, "nianbao show: ") || strings.Count(errs, "\n") > 2 {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
}
