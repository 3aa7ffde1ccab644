package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// TestParseJSONLines: one record per document, in the order given, a bad
// file among good ones gives its own record and exit status 1.
func TestParseJSONLines(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "garbage.bin")
	if err := os.WriteFile(bad, []byte{0x00, 0x01, 0xff, 0xfe, 0x02, 0x00, 0x03, 0x04, 0x05, 0x06}, 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{"../../testdata/samples/weibin-2019-text.txt", bad, "../../testdata/samples/shanghai-bgt-2019.html", "../../testdata/bad/pre2019-2017.html"}
	code, out, errOut := runCmd(t, append([]string{"parse", "--json", "--provenance"}, files...)...)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one file unreadable); stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(files) {
		t.Fatalf("%d records for %d files", len(lines), len(files))
	}
	var recs []nianbao.Record
	for _, l := range lines {
		var r nianbao.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	for i, f := range files {
		if recs[i].Source != f {
			t.Errorf("record %d is %s, want %s (order kept)", i, recs[i].Source, f)
		}
	}
	w := recs[0]
	if w.Status != nianbao.StatusOK || w.Agency != "新乡市卫滨区人民政府办公室" || w.Year != 2019 || w.Template != nianbao.Template2019 {
		t.Errorf("weibin: %s %s %d %s", w.Status, w.Agency, w.Year, w.Template)
	}
	want := map[string]float64{"t3.new.commercial": 1, "t3.carried.commercial": 1, "t4.review.corrected": 1,
		"t4.review.pending": 1, "t2.procurement.count": 8, "t2.procurement.amount": 14.2404}
	got := map[string]*float64{}
	for _, c := range w.Cells {
		got[c.Key] = c.Value
	}
	for k, v := range want {
		if got[k] == nil || *got[k] != v {
			t.Errorf("weibin %s = %v, want %v", k, got[k], v)
		}
	}
	if len(w.Cells) != len(nianbao.Schema(nianbao.Template2019)) || len(w.Findings) != 0 {
		t.Errorf("weibin: %d cells, %d findings", len(w.Cells), len(w.Findings))
	}
	if p := w.Provenance["t3.new.commercial"]; p == nil || p.Raw != "1" || p.Engine != "text" {
		t.Errorf("provenance of t3.new.commercial: %+v", p)
	}
	if recs[1].Status != nianbao.StatusError || recs[1].Error == "" {
		t.Errorf("garbage: %s %q", recs[1].Status, recs[1].Error)
	}
	// Shanghai leaves the 总计 column of the outcome rows blank: null with
	// a reason, not 0.
	s := recs[2]
	for _, c := range s.Cells {
		if c.Key == "t3.granted.total" && c.Value != nil {
			t.Errorf("t3.granted.total = %v, want null", *c.Value)
		}
	}
	if s.Flags["t3.granted.total"].Blank != "blank" || s.Flags["t2.procurement.amount"].Unit != "元" {
		t.Errorf("shanghai flags: %+v %+v", s.Flags["t3.granted.total"], s.Flags["t2.procurement.amount"])
	}
	if recs[3].Status != nianbao.StatusUnsupported || recs[3].Template != nianbao.TemplatePre2019 {
		t.Errorf("pre-2019: %s %s", recs[3].Status, recs[3].Template)
	}
}

func TestParseSummaryAndUsage(t *testing.T) {
	code, out, _ := runCmd(t, "parse", "../../testdata/samples/shanghai-bgt-2019.html")
	if code != 0 || !strings.Contains(out, "上海市人民政府办公厅") || !strings.Contains(out, "status:   ok") {
		t.Errorf("summary (exit %d):\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "parse"); code != 2 {
		t.Errorf("no files: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "parse", "--nonsense", "x"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
}

// A folder is read as ingest reads it: files in lexical order, subfolders
// walked, hidden files and fixtures' expectations left out, paths as given.
func TestParseFolderOrder(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile("../../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"b.txt", "a.txt", "sub/c.txt", ".hidden.txt", "a.expected.json", "10.txt"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, sample, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCmd(t, "parse", "--json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r nianbao.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimPrefix(r.Source, dir+string(filepath.Separator)))
	}
	want := []string{"10.txt", "a.txt", "b.txt", filepath.Join("sub", "c.txt")}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("read %q, want %q", got, want)
	}
}
