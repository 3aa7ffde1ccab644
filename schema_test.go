package nianbao

import "testing"

func TestSchemaSizes(t *testing.T) {
	// Counted off docs/template.md: table 二 2019 = 2×3 + 4×3 + 2 + 2 = 22 cells,
	// 2021 = 2×3 + 3 + 1 = 10; table 三 = 7 columns × (23 or 25 rows);
	// table 四 = 3 × 5.
	cases := []struct {
		t    Template
		want int
	}{
		{Template2019, 22 + 23*7 + 15},
		{Template2021, 10 + 25*7 + 15},
		{TemplatePre2019, 0},
	}
	for _, c := range cases {
		if got := len(Schema(c.t)); got != c.want {
			t.Errorf("Schema(%q) has %d fields, want %d", c.t, got, c.want)
		}
	}
	seen := map[string]bool{}
	for _, f := range Schema(Template2021) {
		if seen[f.Key] {
			t.Errorf("duplicate key %s", f.Key)
		}
		seen[f.Key] = true
	}
	for _, k := range []string{"t3.denied.safety.natural", "t3.new.total", "t3.other.no_fee.legal", "t4.suit_direct.pending", "t2.procurement.amount"} {
		if _, ok := LookupField(k); !ok {
			t.Errorf("LookupField(%s) not found", k)
		}
	}
	if len(T3OutcomeRows(false)) != 19 || len(T3OutcomeRows(true)) != 21 {
		t.Errorf("outcome rows: %d, %d", len(T3OutcomeRows(false)), len(T3OutcomeRows(true)))
	}
}

func TestNewGridSpans(t *testing.T) {
	// The corner of a table 三 header: a 3×3 corner cell, then 申请人情况 over 7.
	g := NewGrid([][]SpanCell{
		{{Text: "corner", RowSpan: 3, ColSpan: 3}, {Text: "申请人情况", ColSpan: 7}},
		{{Text: "自然人", RowSpan: 2}, {Text: "法人或其他组织", ColSpan: 5}, {Text: "总计", RowSpan: 2}},
		{{Text: "商业企业"}, {Text: "科研机构"}, {Text: "社会公益组织"}, {Text: "法律服务机构"}, {Text: "其他"}},
		{{Text: "short"}},
	})
	if g.Width() != 10 || len(g.Rows) != 4 {
		t.Fatalf("grid %dx%d, want 4x10", len(g.Rows), g.Width())
	}
	want := [][]string{
		{"corner", "corner", "corner", "申请人情况", "申请人情况", "申请人情况", "申请人情况", "申请人情况", "申请人情况", "申请人情况"},
		{"corner", "corner", "corner", "自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "总计"},
		{"corner", "corner", "corner", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"},
		{"short", "", "", "", "", "", "", "", "", ""},
	}
	for r := range want {
		for c := range want[r] {
			if got := g.Rows[r][c].Text; got != want[r][c] {
				t.Errorf("[%d][%d] = %q, want %q", r, c, got, want[r][c])
			}
		}
	}
	if c := g.Rows[2][9]; c.OriginRow != 1 || c.OriginCol != 9 || c.IsOrigin() {
		t.Errorf("总计 at [2][9] has origin (%d,%d)", c.OriginRow, c.OriginCol)
	}
}

// NewPlainGrid must make exactly the grid NewGrid makes of the same cells
// without spans: short rows padded, Pad set only on padding.
func TestNewPlainGridEqualsNewGrid(t *testing.T) {
	for _, rows := range [][][]string{
		{{"a", "1", "2"}, {"b"}, {"", "3"}},
		{{"x"}},
		{{}, {}},
		{},
		{{"", "", ""}, {"c", "4", "5", "6"}},
	} {
		spans := make([][]SpanCell, len(rows))
		for i, r := range rows {
			for _, c := range r {
				spans[i] = append(spans[i], SpanCell{Text: c})
			}
		}
		want, got := NewGrid(spans), NewPlainGrid(rows)
		if len(got.Rows) != len(want.Rows) {
			t.Fatalf("%q: %d rows, want %d", rows, len(got.Rows), len(want.Rows))
		}
		for r := range want.Rows {
			if len(got.Rows[r]) != len(want.Rows[r]) {
				t.Fatalf("%q row %d: width %d, want %d", rows, r, len(got.Rows[r]), len(want.Rows[r]))
			}
			for c := range want.Rows[r] {
				if *got.Rows[r][c] != *want.Rows[r][c] {
					t.Errorf("%q (%d,%d): %+v, want %+v", rows, r, c, *got.Rows[r][c], *want.Rows[r][c])
				}
			}
		}
	}
}

// T2Cols has every column a row of table 二 uses, in either template, once.
func TestT2ColsCoverTable2(t *testing.T) {
	have := map[string]int{}
	for _, c := range T2Cols {
		have[c.Key]++
	}
	for _, rows := range [][]RowDef{T2Rows2019, T2Rows2021} {
		for _, r := range rows {
			for _, c := range r.Cols {
				if have[c.Key] != 1 {
					t.Errorf("table 二 row %s column %s: %d times in T2Cols", r.Key, c.Key, have[c.Key])
				}
			}
		}
	}
	if len(have) != len(T2Cols) {
		t.Errorf("T2Cols repeats a column: %v", T2Cols)
	}
}
