package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// copyCorpusInto ingests a generated corpus into the store at db:
// generated reports of both templates read by the real parser (some with
// findings), and documents of the fake format for two organs over six
// years — carry-forward figures that do not agree across years (the
// cross-year findings), a second version, a copy in another format, prose
// — and reports without an organ or a year.
func copyCorpusInto(t *testing.T, db string) {
	t.Helper()
	var items []ingest.Item
	add := func(source string, data []byte) {
		items = append(items, ingest.Item{Source: source, Load: func() ([]byte, error) { return data, nil }})
	}
	for i := range 24 {
		name, data := storetest.Doc(5, i)
		add(name, data)
	}
	for _, agency := range []string{"淮安市人民政府", "洪泽区人民政府"} {
		for y := 2019; y <= 2024; y++ {
			forward := y - 2017
			if y == 2021 {
				forward = 99 // 2022 does not carry over what 2021 carried forward
			}
			add(fmt.Sprintf("%s-%d.txt", agency, y), storetest.FakeDoc(agency, y, fmt.Sprintf("cell t3.carried.total=%d", y-2018),
				fmt.Sprintf("cell t3.carry_forward.total=%d", forward), fmt.Sprintf("cell t3.new.total=%d", 10*y-20180),
				"section 5=依申请公开工作稳步推进", "template=2021"))
		}
	}
	add("huaian-2023-v2.txt", storetest.FakeDoc("淮安市人民政府", 2023, "cell t3.carried.total=5", "cell t3.carry_forward.total=6", "section 1=第二版", "template=2021"))
	add("huaian-2023-v2.pdf", storetest.FakeDoc("淮安市人民政府", 2023, "format=pdf", "cell t3.carried.total=5", "cell t3.carry_forward.total=6", "section 1=第二版", "template=2021"))
	add("no-organ.txt", storetest.FakeDoc("", 2022, "cell t3.new.total=5", "section 1=没有机关的报告"))
	add("no-year.txt", storetest.FakeDoc("乙县人民政府", 0, "cell t3.new.total=6"))
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		if bytes.HasPrefix(data, []byte("FAKE\n")) {
			return storetest.FakeParse(ctx, source, data, opt)
		}
		return pipeline.Read(ctx, source, data, opt)
	}
	err = ingest.Batch(context.Background(), st, func(yield func(ingest.Item) bool) {
		for _, it := range items {
			if !yield(it) {
				return
			}
		}
	}, ingest.Options{Parse: parse})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// copyQueries are the questions asked of both stores after a copy.
var copyQueries = [][]string{
	{"query", "--format", "csv", "SELECT year, count(*) AS reports, sum(findings) AS findings FROM v_reports GROUP BY year ORDER BY year NULLS FIRST"},
	{"query", "--format", "csv", "SELECT report_id, agency, year, value FROM v_cells WHERE key = 't3.new.total' ORDER BY report_id"},
	{"query", "--format", "csv", "SELECT rule, count(*) AS n, count(other_report_id) AS cross_year FROM v_findings GROUP BY rule ORDER BY rule"},
	{"query", "--format", "csv", "SELECT r.id, r.version, r.superseded_by, r.same_as, r.organ_id FROM reports r ORDER BY r.id"},
	{"reports", "--format", "csv", "--all-versions"},
	{"reports", "--format", "csv", "--text", "稳步推进"},
	{"organs", "--format", "csv"},
	{"panel", "--format", "csv"},
	{"show", "1", "t3.new.total"},
}

// TestCopyCommand: a generated corpus in SQLite copied into PostgreSQL by
// nianbao copy gives the same answers to nianbao query (counts per year,
// one key across reports, findings by rule, versions and copies),
// reports, organs, the panel, show (the document's bytes read from
// PostgreSQL) and the same nianbao export files; a second copy into the
// filled database is refused, --replace replaces it; copied back into a
// new SQLite file, the answers are the same again.
func TestCopyCommand(t *testing.T) {
	pg := pgtest.DB(t)
	dir := t.TempDir()
	lite := filepath.Join(dir, "nb.db")
	copyCorpusInto(t, lite)

	code, out, errs := runCmd(t, "copy", "--from", lite, "--to", pg)
	if code != 0 {
		t.Fatalf("copy: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"rows of cells", "documents in the archive", "findings of rule t3.carry_over", "cross-year findings", "copies (same_as)", "sum of cell values"} {
		if !strings.Contains(out, want) {
			t.Errorf("the verification lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "NO") || !strings.Contains(errs, "all equal") {
		t.Errorf("copy:\n%s\n%s", out, errs)
	}
	sameAnswers(t, lite, pg)

	// Into a store: refused, and says how; --replace.
	code, _, errs = runCmd(t, "copy", "--from", lite, "--to", pg, "-q")
	if code != 1 || !strings.Contains(errs, "holds a store already") || !strings.Contains(errs, "--replace") {
		t.Fatalf("a copy into a store: exit %d\n%s", code, errs)
	}
	if code, _, errs = runCmd(t, "copy", "--from", lite, "--to", pg, "--replace", "-q", "--format", "csv"); code != 0 {
		t.Fatalf("copy --replace: exit %d\n%s", code, errs)
	}
	sameAnswers(t, lite, pg)

	// Back into a new SQLite file.
	back := filepath.Join(dir, "back.db")
	if code, out, errs = runCmd(t, "copy", "--from", pg, "--to", back, "--format", "json"); code != 0 || !strings.Contains(out, `"equal":"yes"`) || strings.Contains(out, `"NO"`) {
		t.Fatalf("copy back: exit %d\n%s\n%s", code, out, errs)
	}
	sameAnswers(t, lite, back)

	// Usage.
	for _, args := range [][]string{
		{"copy", "--from", lite},
		{"copy", "--from", filepath.Join(dir, "missing.db"), "--to", pg},
		{"copy", "--from", lite, "--to", lite},
		{"copy", "--from", lite, "--to", filepath.Join(dir, "no", "such", "folder.db")},
		{"copy", "--from", lite, "--to", pg, "extra"},
	} {
		if code, _, errs := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a missing --from was created")
	}
	// A PostgreSQL database without a store is no source, and is left
	// without one.
	empty := pgtest.DB(t)
	if code, _, errs := runCmd(t, "copy", "--from", empty, "--to", filepath.Join(dir, "x.db")); code != 1 || !strings.Contains(errs, "no nianbao database there") {
		t.Errorf("copy from an empty database: exit %d\n%s", code, errs)
	}
	if code, out, _ := runCmd(t, "query", "--tables", "--db", empty); code == 0 && strings.Contains(out, "reports") {
		t.Errorf("copy from an empty database made a store there:\n%s", out)
	}
}

// sameAnswers runs copyQueries and nianbao export on two stores and
// fails on a difference.
func sameAnswers(t *testing.T, a, b string) {
	t.Helper()
	for _, args := range copyQueries {
		var outs [2]string
		for i, db := range []string{a, b} {
			code, out, errs := runCmd(t, append(append([]string{}, args...), "--db", db)...)
			if code != 0 {
				t.Fatalf("%v on %s: exit %d\n%s", args, db, code, errs)
			}
			outs[i] = out
		}
		if outs[0] != outs[1] {
			t.Errorf("%v: the copy differs:\n%s\n---\n%s", args, outs[0], outs[1])
		}
		if strings.Count(outs[0], "\n") < 2 {
			t.Errorf("%v: little output:\n%s", args, outs[0])
		}
	}
	dirs := [2]string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	for i, db := range []string{a, b} {
		if code, _, errs := runCmd(t, "export", "--format", "csv", "--out", dirs[i], "--db", db); code != 0 {
			t.Fatalf("export on %s: %s", db, errs)
		}
	}
	files, _ := os.ReadDir(dirs[0])
	if len(files) < 8 {
		t.Fatalf("export: %d files", len(files))
	}
	for _, f := range files {
		x, _ := os.ReadFile(filepath.Join(dirs[0], f.Name()))
		y, err := os.ReadFile(filepath.Join(dirs[1], f.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("export %s differs after the copy (%v)", f.Name(), err)
		}
	}
}
