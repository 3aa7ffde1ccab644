package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// samplesDB ingests the bundled sample reports into a new database.
func samplesDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "s.db")
	if code, out, errs := storeRun(t, nil, append([]string{"ingest", "-q", "--db", db}, storeSamples...)...); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	return db
}

// The samples give placed organs, and the panel is CSV with one header row
// and whole numbers for counts.
func TestPanelAndOrgansOfSamples(t *testing.T) {
	db := samplesDB(t)
	code, out, errs := storeRun(t, nil, "organs", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("organs: exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	placed := map[string]string{}
	for _, r := range recs[1:] {
		placed[r[1]] = r[4] + " " + r[2]
	}
	for organ, want := range map[string]string{
		"新乡市卫滨区人民政府办公室": "410703 人民政府办公室",
		"淮安市人民政府":       "3208 人民政府",
		"上海市人民政府办公厅":    "31 人民政府办公室",
	} {
		if placed[organ] != want {
			t.Errorf("%s placed %q, want %q (all: %v)", organ, placed[organ], want, placed)
		}
	}

	code, out, errs = storeRun(t, nil, "panel", "--db", db, "--format", "csv")
	if code != 0 {
		t.Fatalf("panel: exit %d: %s", code, errs)
	}
	recs, err = csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "organ_id" || recs[1][0] == "机关编号" {
		t.Fatalf("panel CSV: want one header row and 3 rows:\n%s", out)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, r := range recs[1:] {
		if r[col["organ"]] == "淮安市人民政府" && (r[col["applications"]] != "3119" || r[col["denied"]] != "178" || !strings.HasPrefix(r[col["granted_share"]], "0.4465")) {
			t.Errorf("淮安 2024: applications %s, denied %s, granted share %s", r[col["applications"]], r[col["denied"]], r[col["granted_share"]])
		}
		if r[col["organ"]] == "上海市人民政府办公厅" && (r[col["published"]] != "2020-01-31" || r[col["on_time"]] != "1") {
			t.Errorf("上海 2019: published %s, on time %s", r[col["published"]], r[col["on_time"]])
		}
		for _, c := range []string{"applications", "carried", "outcome_total", "reviews"} {
			if strings.Contains(r[col[c]], ".") {
				t.Errorf("%s of %s is %q: counts are whole numbers", c, r[col["organ"]], r[col[c]])
			}
		}
	}

	code, out, errs = storeRun(t, nil, "panel", "--db", db, "--by", "province", "--years", "2019-2020", "--format", "json")
	if code != 0 || !strings.Contains(out, `"province":"河南省"`) || !strings.Contains(out, `"province":"上海市"`) || strings.Contains(out, "江苏") {
		t.Fatalf("panel --by province --years 2019-2020: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = storeRun(t, nil, "panel", "--db", db, "--region", "41", "--format", "csv")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "卫滨区") {
		t.Fatalf("panel --region 41: exit %d\n%s", code, out)
	}

	xlsx := filepath.Join(t.TempDir(), "panel.xlsx")
	if code, _, errs := storeRun(t, nil, "panel", "--db", db, "--format", "xlsx", "--out", xlsx); code != 0 {
		t.Fatalf("panel xlsx: exit %d: %s", code, errs)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("panel")
	f.Close()
	if err != nil || len(rows) != 4 || rows[0][0] != "organ_id" {
		t.Fatalf("panel sheet: %v %v", rows, err)
	}

	for _, bad := range [][]string{{"--by", "town"}, {"--years", "2025-2019"}, {"--region", "淮安"}, {"--format", "xlsx"}, {"--level", "区"}} {
		if code, _, _ := storeRun(t, nil, append([]string{"panel", "--db", db}, bad...)...); code != 2 {
			t.Errorf("panel %v: exit %d, want 2", bad, code)
		}
	}
}

// A names file decides what the name cannot: applied, it moves the report.
func TestOrgansNamesFile(t *testing.T) {
	db := samplesDB(t)
	names := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(names, []byte("# 手工决定\n上海市人民政府办公厅  310101\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := storeRun(t, nil, "organs", "--db", db, "--names", names)
	if code != 0 || !strings.Contains(out, "1 reports moved") {
		t.Fatalf("organs --names: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = storeRun(t, nil, "organs", "--db", db, "--format", "csv", "310101")
	if code != 0 || !strings.Contains(out, "上海市黄浦区人民政府办公厅") || !strings.Contains(out, ",manual,") {
		t.Fatalf("organs 310101 after the decision: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(names, []byte("上海市人民政府办公厅 99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := storeRun(t, nil, "organs", "--db", db, "--names", names); code == 0 || !strings.Contains(errs, "99") {
		t.Fatalf("a code not in the table: exit %d: %s", code, errs)
	}
}
