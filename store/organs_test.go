package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// organOf returns the key of a report's organ.
func organOf(t *testing.T, s *Store, report int64) string {
	t.Helper()
	var k string
	if err := s.rdb.QueryRow(`SELECT o.key FROM reports r JOIN organs o ON o.id = r.organ_id WHERE r.id = ?`, report).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

// One organ under many names: the printed names of one organ give one
// organ, versions go by organ and year whatever name each version prints,
// and a city prefix or a short form makes no new organ.
func TestOneOrganManyNames(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		a := ingest("a", fakeDoc("淮安市洪泽区人民政府", 2023, "cell t3.new.total=5"))
		b := ingest("b", fakeDoc("洪泽区人民政府", 2023, "cell t3.new.total=6"))
		c := ingest("c", fakeDoc("江苏省淮安市洪泽区政府", 2024, "cell t3.new.total=7"))
		d := ingest("d", fakeDoc("沭阳县发改局", 2023, "cell t3.new.total=1"))
		for _, o := range []Outcome{a, b, c} {
			if k := organOf(t, s, o.ReportID); k != "320813/人民政府" {
				t.Fatalf("%s: organ %s", o.Source, k)
			}
		}
		if b.Result != ResultNewVersion || b.Supersedes != a.ReportID || b.Version != 2 {
			t.Fatalf("a revision printing another name is not the next version: %+v", b)
		}
		if k := organOf(t, s, d.ReportID); k != "321322/发展和改革局" {
			t.Fatalf("abbreviation: %s", k)
		}
		var name, kind, level, county, parent string
		if err := s.rdb.QueryRow(`SELECT o.name, o.kind, o.level, o.county, p.name FROM organs o JOIN organs p ON p.id = o.parent_id WHERE o.key = '321322/发展和改革局'`).
			Scan(&name, &kind, &level, &county, &parent); err != nil {
			t.Fatal(err)
		}
		if name != "宿迁市沭阳县发展和改革局" || kind != "部门" || level != "县" || county != "沭阳县" || parent != "宿迁市沭阳县人民政府" {
			t.Fatalf("organ row: %s %s %s %s, parent %s", name, kind, level, county, parent)
		}
		if n := count(t, s.rdb, `SELECT count(*) FROM organ_names WHERE organ_id = (SELECT id FROM organs WHERE key = '320813/人民政府')`); n != 3 {
			t.Fatalf("%d names of 洪泽区人民政府, want 3", n)
		}
	})
}

// Cross-year findings: rule 5 between consecutive years of an organ,
// whatever order the reports come in; a revision that mends the figures
// takes the finding away; a missing year between gives none.
func TestCrossYearFindings(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		findings := func() string {
			t.Helper()
			rows, err := s.rdb.Query(`SELECT r.year, f.rule, f.cells, f.expected, f.actual, f.other_report_id = (SELECT p.id FROM reports p WHERE p.organ_id = r.organ_id AND p.year = r.year - 1 AND p.current)
				FROM findings f JOIN reports r ON r.id = f.report_id WHERE f.other_report_id IS NOT NULL ORDER BY r.year, f.cells`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var year int
				var rule, cells string
				var exp, act float64
				var names bool
				rows.Scan(&year, &rule, &cells, &exp, &act, &names)
				fmt.Fprintf(&b, "%d %s %s %s %s %s\n", year, rule, cells, fmtNum(exp), fmtNum(act), map[bool]string{true: "names the year before", false: "names another report"}[names])
			}
			return b.String()
		}
		// 2024 first, then 2023 carrying forward 4 where 2024 carried 3.
		ingest("2024", fakeDoc("淮安市人民政府", 2024, "cell t3.carried.natural=3", "cell t3.carried.total=3"))
		if f := findings(); f != "" {
			t.Fatalf("a finding without the year before:\n%s", f)
		}
		ingest("2023", fakeDoc("淮安市人民政府", 2023, "cell t3.carry_forward.natural=4", "cell t3.carry_forward.total=4"))
		want := "2024 t3.carry_over [\"t3.carry_forward.natural\",\"t3.carried.natural\"] 4 3 names the year before\n" +
			"2024 t3.carry_over [\"t3.carry_forward.total\",\"t3.carried.total\"] 4 3 names the year before\n"
		if f := findings(); f != want {
			t.Fatalf("after 2023:\n%s\nwant:\n%s", f, want)
		}
		// A revised 2023 that carries forward 3: nothing broken.
		ingest("2023b", fakeDoc("淮安市人民政府", 2023, "cell t3.carry_forward.natural=3", "cell t3.carry_forward.total=3"))
		if f := findings(); f != "" {
			t.Fatalf("after the revision:\n%s", f)
		}
		// 2026 with 2025 missing: nothing to compare.
		ingest("2026", fakeDoc("淮安市人民政府", 2026, "cell t3.carried.natural=9", "cell t3.carried.total=9"))
		if f := findings(); f != "" {
			t.Fatalf("across a missing year:\n%s", f)
		}
	})
}

// A names file places what nothing else can, moves the reports and their
// versions, and taking the decision back places them as before.
func TestApplyNames(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		s := be.open(t, nil)
		ingest := ingester(t, s)
		a := ingest("a", fakeDoc("朝阳区人民政府", 2023, "cell t3.new.total=1"))
		b := ingest("b", fakeDoc("长春市朝阳区人民政府", 2023, "cell t3.new.total=2"))
		if k := organOf(t, s, a.ReportID); k != "?朝阳区人民政府" {
			t.Fatalf("ambiguous name placed: %s", k)
		}
		if a.Version != 1 || b.Version != 1 {
			t.Fatalf("two organs, two first versions: %d %d", a.Version, b.Version)
		}
		ch, err := s.ApplyNames(ctx, map[string]string{"朝阳区人民政府": "220104"})
		if err != nil || ch.Names != 1 || ch.Reports != 1 {
			t.Fatalf("%+v %v", ch, err)
		}
		if k := organOf(t, s, a.ReportID); k != "220104/人民政府" {
			t.Fatalf("after the decision: %s", k)
		}
		// a came first: b is its next version now.
		var va, vb int
		var by int64
		s.rdb.QueryRow(`SELECT version FROM reports WHERE id = ?`, a.ReportID).Scan(&va)
		s.rdb.QueryRow(`SELECT version, coalesce((SELECT id FROM reports WHERE superseded_by = ?), 0) FROM reports WHERE id = ?`, b.ReportID, b.ReportID).Scan(&vb, &by)
		if va != 1 || vb != 2 || by != a.ReportID {
			t.Fatalf("versions after the move: %d %d (supersedes %d)", va, vb, by)
		}
		// The decision holds for a new report of the name.
		c := ingest("c", fakeDoc("朝阳区人民政府", 2024, "cell t3.new.total=3"))
		if k := organOf(t, s, c.ReportID); k != "220104/人民政府" {
			t.Fatalf("a later report of the decided name: %s", k)
		}
		// Taken back: the name is placed by the program again.
		if ch, err := s.ApplyNames(ctx, map[string]string{}); err != nil || ch.Names != 1 || ch.Reports != 2 {
			t.Fatalf("%+v %v", ch, err)
		}
		if k := organOf(t, s, a.ReportID); k != "?朝阳区人民政府" {
			t.Fatalf("after taking the decision back: %s", k)
		}
		if _, err := s.ApplyNames(ctx, map[string]string{"朝阳区人民政府": "990000"}); err == nil || !strings.Contains(err.Error(), "990000") {
			t.Fatalf("a code not in the table: %v", err)
		}
	})
}

// The cross-year cells the writer keeps of a report it wrote are what
// reading them back from the store gives, so that checking the years
// from memory and from the store agree: a figure, an unprinted cell
// (nil), a cell marked missing (left out), a repeated key (the first), an
// extra cell, an infinite value.
func TestYearCellsAsStored(t *testing.T) {
	for _, k := range yearKeys {
		if !maybeYearKey(k) {
			t.Errorf("maybeYearKey(%q) is false: the writer would not keep it", k)
		}
	}
	forBackends(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		s := be.open(t, nil)
		reports := map[string]*nianbao.Report{
			"plain": {Agency: "淮安市人民政府", Year: 2023, Template: nianbao.Template2021, Cells: []nianbao.Cell{
				{Key: "t3.carry_forward.natural", Value: nianbao.F(4)},
				{Key: "t3.carry_forward.total", Value: nianbao.F(4.5)},
				{Key: "t3.carried.natural", Blank: "blank"},
				{Key: "t3.carried.total", Blank: "missing"},
				{Key: "t2.rules.in_force", Value: nianbao.F(0)},
				{Key: "t3.new.total", Value: nianbao.F(9)},
			}},
			"repeated": {Agency: "淮安市人民政府", Year: 2024, Template: nianbao.Template2021, Cells: []nianbao.Cell{
				{Key: "t3.carried.natural", Value: nianbao.F(1)},
				{Key: "t3.carried.natural", Value: nianbao.F(2)},
				{Key: "t3.carried.total", Value: nianbao.F(math.Inf(1))},
				{Key: "t2.normative.issued", Blank: "dash"},
			}, Extra: []nianbao.Cell{{Key: "t2.rules.issued", Value: nianbao.F(7)}}},
			"none": {Agency: "淮安市人民政府", Year: 2025, Template: nianbao.Template2021, Cells: []nianbao.Cell{
				{Key: "t3.new.total", Value: nianbao.F(3)},
			}},
		}
		setParse(t, func(_ context.Context, source string, _ []byte, _ pipeline.Options) *nianbao.Report {
			return reports[source]
		})
		ingest := ingester(t, s)
		for _, name := range []string{"plain", "repeated", "none"} {
			r, err := buildRows(reports[name])
			if err != nil {
				t.Fatal(err)
			}
			out := ingest(name, []byte(name))
			var stored nianbao.Figures
			if err := s.withTx(ctx, func(w *txWriter) (err error) {
				stored, err = w.yearCells(out.ReportID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			kept := nianbao.Figures{}
			for _, c := range r.years {
				kept[c.key] = c.value
			}
			if got, want := figString(kept), figString(stored); got != want {
				t.Errorf("%s: kept %s, stored %s", name, got, want)
			}
		}
	})
}

func figString(f nianbao.Figures) string {
	keys := slices.Sorted(maps.Keys(f))
	var b strings.Builder
	for _, k := range keys {
		if v := f[k]; v != nil {
			fmt.Fprintf(&b, "%s=%v ", k, *v)
		} else {
			fmt.Fprintf(&b, "%s=nil ", k)
		}
	}
	return b.String()
}

// A writer's organs and names are what the store holds even when another
// process changed them meanwhile: here a second handle on the store
// decides a name the first had placed (and cached) another way, and the
// first places its next report of that name as decided.
func TestOrganCacheSeesOtherWriters(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		s1, s2 := be.open(t, nil), be.open(t, nil)
		ingest := ingester(t, s1)
		a := ingest("a", fakeDoc("朝阳区人民政府", 2023, "cell t3.new.total=1"))
		if k := organOf(t, s1, a.ReportID); k != "?朝阳区人民政府" {
			t.Fatalf("ambiguous name placed: %s", k)
		}
		if _, err := s2.ApplyNames(ctx, map[string]string{"朝阳区人民政府": "220104"}); err != nil {
			t.Fatal(err)
		}
		b := ingest("b", fakeDoc("朝阳区人民政府", 2024, "cell t3.new.total=2"))
		if k := organOf(t, s1, b.ReportID); k != "220104/人民政府" {
			t.Fatalf("placed by what the first writer saw before: %s", k)
		}
		// And a name the other handle wrote is one the first knows.
		c := ingest2(t, s2, "c", fakeDoc("长春市绿园区人民政府", 2023, "cell t3.new.total=3"))
		if _, err := s2.ApplyNames(ctx, map[string]string{"朝阳区人民政府": "220104", "长春市绿园区人民政府": "220106"}); err != nil {
			t.Fatal(err)
		}
		d := ingest("d", fakeDoc("长春市绿园区人民政府", 2024, "cell t3.new.total=4"))
		if organOf(t, s1, d.ReportID) != organOf(t, s2, c.ReportID) {
			t.Fatalf("one name, two organs: %s and %s", organOf(t, s1, d.ReportID), organOf(t, s2, c.ReportID))
		}
		if n := count(t, s1.rdb, `SELECT count(*) FROM organ_names WHERE name = '长春市绿园区人民政府' AND how = 'manual'`); n != 1 {
			t.Fatalf("the manual decision was overwritten: %d manual rows", n)
		}
	})
}

func ingest2(t *testing.T, s *Store, source string, data []byte) Outcome {
	t.Helper()
	return ingester(t, s)(source, data)
}

// An organ the transaction creates is written from what the writer knows
// of it (its versions, current reports, cross-year findings) instead of
// asking the store: the store is the same either way — first reports,
// a revision and a copy in another format in the same transaction, years
// out of order, cross-year breaks, a report not parsed, and organs a
// later transaction adds to.
func TestFreshOrgansAsStored(t *testing.T) {
	ctx := context.Background()
	batches := [][][]byte{{
		fakeDoc("淮安市人民政府", 2024, "cell t3.carried.natural=3", "cell t3.carried.total=3"),
		fakeDoc("淮安市人民政府", 2023, "cell t3.carry_forward.natural=4", "cell t3.carry_forward.total=4"),
		fakeDoc("淮安市人民政府", 2024, "cell t3.carried.natural=4", "cell t3.carried.total=5"), // a revision
		fakeDoc("洪泽区人民政府", 2022, "cell t3.carry_forward.total=2"),
		fakeDoc("淮安市洪泽区人民政府", 2023, "cell t3.carried.total=2"),
		fakeDoc("沭阳县发改局", 2023, "cell t3.new.total=1", "cell t3.carry_forward.total=1"),
		fakeDoc("沭阳县发改局", 2023, "format=pdf", "cell t3.new.total=1", "cell t3.carry_forward.total=1"), // a copy
		fakeDoc("宿迁市人民政府", 2023, "status=unsupported"),
		fakeDoc("宿迁市人民政府", 2022, "cell t2.rules.in_force=5"),
	}, {
		fakeDoc("沭阳县发展和改革局", 2024, "cell t3.carried.total=7"),
		fakeDoc("宿迁市人民政府", 2023, "template=2021", "cell t2.rules.in_force=4", "cell t2.rules.issued=1", "cell t2.rules.repealed=0"),
		fakeDoc("泗洪县人民政府", 2021, "cell t3.carry_forward.total=1"),
		fakeDoc("泗洪县人民政府", 2022, "cell t3.carried.total=2"),
	}}
	store := func(shortcut bool) string {
		freshShortcut = shortcut
		defer func() { freshShortcut = true }()
		s := openFake(t, &fixedClock{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		n := 0
		for _, batch := range batches {
			w, err := s.NewWriter(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range batch {
				n++
				if _, err := w.Write(s.prepareDoc(ctx, fmt.Sprint("doc", n), nil, d, 0)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if c := count(t, s.rdb, `SELECT count(*) FROM findings WHERE other_report_id IS NOT NULL`); c < 2 {
			t.Fatalf("shortcut %v: %d cross-year findings, want the planted breaks", shortcut, c)
		}
		// applied_at is the wall clock's: two stores made a second apart
		// differ in it.
		return dump(t, s.rdb, "schema_migrations.applied_at")
	}
	if with, without := store(true), store(false); with != without {
		t.Errorf("the store differs with the fresh organs' shortcut:\n%s\nwithout:\n%s", with, without)
	}
}
