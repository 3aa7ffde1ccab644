package parse

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
)

func cellsOf(texts ...string) []*nianbao.GridCell {
	var out []*nianbao.GridCell
	for i, s := range texts {
		out = append(out, &nianbao.GridCell{Text: s, Col: i + 1})
	}
	return out
}

func TestRecoverRun(t *testing.T) {
	t3 := []string{"natural", "commercial", "research", "social", "legal", "other_org", "total"}
	cases := []struct {
		runs []string
		keys []string
		want string // figures joined by spaces; "" when the row must be flagged
	}{
		// The brief's example: 23 0 0 0 0 0 23 printed without separators.
		{[]string{"230", "000023"}, t3, "23 0 0 0 0 0 23"},
		{[]string{"31", "00004"}, t3, "3 1 0 0 0 0 4"},
		{[]string{"3100004"}, t3, "3 1 0 0 0 0 4"},
		// One run: the only cut whose first six figures add up to the last.
		{[]string{"1100002"}, t3, "1 1 0 0 0 0 2"},
		{[]string{"1010002"}, t3, "1 0 1 0 0 0 2"},
		// A table 四 row: 1 0 0 0 1.
		{[]string{"10001"}, []string{"upheld", "corrected", "other", "pending", "total"}, "1 0 0 0 1"},
		// Two readings satisfy the sum — 0 0 1 10 11 and 0 0 11 0 11 —:
		// flagged, not guessed.
		{[]string{"0011011"}, []string{"upheld", "corrected", "other", "pending", "total"}, ""},
		{[]string{"5", "0000"}, t3, ""}, // too few digits for seven figures
		{[]string{"12a"}, t3, ""},
	}
	for _, c := range cases {
		rule := rowRule(4, c.keys)
		if c.keys[0] == "natural" {
			rule = rowRule(3, c.keys)
		}
		got, ok := recoverRun(cellsOf(c.runs...), c.keys, rule)
		var figs []string
		if ok {
			for i := range c.keys {
				figs = append(figs, got[i].Text)
			}
		}
		if strings.Join(figs, " ") != c.want {
			t.Errorf("recoverRun(%q) = %q (ok %v), want %q", c.runs, figs, ok, c.want)
		}
	}
}

// TestRunTogetherRow: a text report whose row 一 lost its separators reads
// right when the sum makes the cut unique.
func TestRunTogetherRow(t *testing.T) {
	data, err := os.ReadFile("../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "一、本年新收政府信息公开申请数量\t3\t1\t0\t0\t0\t0\t4", "一、本年新收政府信息公开申请数量\t31 00004", 1)
	if text == string(data) {
		t.Fatal("sample row not found")
	}
	doc, err := extract.Extract(context.Background(), "x.txt", []byte(text), "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"t3.new.natural": 3, "t3.new.commercial": 1, "t3.new.legal": 0, "t3.new.total": 4} {
		if v, ok := rep.Value(k); !ok || v != want {
			t.Errorf("%s = %v (%v), want %v", k, v, ok, want)
		}
		if c := rep.Cell(k); c.Uncertain != "" {
			t.Errorf("%s flagged: %s", k, c.Uncertain)
		}
	}
	// "31 00005": no cut adds up, so the row is flagged.
	text = strings.Replace(string(data), "一、本年新收政府信息公开申请数量\t3\t1\t0\t0\t0\t0\t4", "一、本年新收政府信息公开申请数量\t31 00005", 1)
	doc, _ = extract.Extract(context.Background(), "x.txt", []byte(text), "")
	rep, err = Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, f := range rep.Findings {
		if f.Rule == nianbao.RuleUncertain && strings.HasPrefix(f.Cells[0], "t3.new.") {
			flagged++
		}
	}
	if flagged == 0 {
		t.Errorf("a row with no consistent cut was not flagged: %v", rep.Findings)
	}
}

// TestRecoverRunByRule: the cut of a run-together row is the one that
// satisfies the equations of nianbao.Equations the row's cells can be
// checked on — rule 3 on a row of table 三 (with the 小计 column when
// printed), rule 4 on each row of table 四 — and a row that breaks its
// equation is flagged instead. Rules 1 and 2 relate figures of several
// rows, so no single row is cut by them.
func TestRecoverRunByRule(t *testing.T) {
	t3 := []string{"natural", "commercial", "research", "social", "legal", "other_org", "total"}
	t3sub := []string{"natural", "commercial", "research", "social", "legal", "other_org", nianbao.T3OrgSubtotalCol, "total"}
	t4 := []string{"upheld", "corrected", "other", "pending", "total"}
	var t4row15 []string
	for _, r := range nianbao.T4Rows {
		for _, c := range t4 {
			t4row15 = append(t4row15, r.Key+"."+c)
		}
	}
	cases := []struct {
		name   string
		table  int
		keys   []string
		rules  []string // the rules of the equations selected for the row
		runs   []string
		want   string
		broken []string // runs that break the row's equation: flagged
	}{
		{"t3 row", 3, t3, []string{nianbao.RuleApplicantSum},
			[]string{"3100004"}, "3 1 0 0 0 0 4", []string{"3100005"}},
		// 1 0 12 0 0 0 12 13: rule 3 alone leaves more than one cut (the
		// 小计 figure is free); its equation leaves one.
		{"t3 row with 小计", 3, t3sub, []string{nianbao.RuleApplicantSum, nianbao.RuleOrgSubtotal},
			[]string{"10120001213"}, "1 0 12 0 0 0 12 13", []string{"10120001113"}},
		{"t4 row", 4, t4, []string{nianbao.RuleReviewSum},
			[]string{"1000010"}, "10 0 0 0 10", []string{"1000011"}},
		{"t4 row of 15", 4, t4row15, []string{nianbao.RuleReviewSum, nianbao.RuleReviewSum, nianbao.RuleReviewSum},
			[]string{"1000010", "20002", "00000"}, "10 0 0 0 10 2 0 0 0 2 0 0 0 0 0", []string{"1000010", "20003", "00000"}},
	}
	cut := func(runs, keys []string, rule sumRule) string {
		got, ok := recoverRun(cellsOf(runs...), keys, rule)
		if !ok {
			return ""
		}
		var figs []string
		for i := range keys {
			figs = append(figs, got[i].Text)
		}
		return strings.Join(figs, " ")
	}
	for _, c := range cases {
		rule := rowRule(c.table, c.keys)
		var rules []string
		for _, e := range rowEquations(rule) {
			rules = append(rules, e.rule)
		}
		if strings.Join(rules, " ") != strings.Join(c.rules, " ") {
			t.Errorf("%s: equations of rules %v, want %v", c.name, rules, c.rules)
		}
		if got := cut(c.runs, c.keys, rule); got != c.want {
			t.Errorf("%s: %q cut as %q, want %q", c.name, c.runs, got, c.want)
		}
		if got := cut(c.broken, c.keys, rule); got != "" {
			t.Errorf("%s: %q breaks its equation but was cut as %q", c.name, c.broken, got)
		}
	}
	// Without an equation (table 二, or a row of 四 with no total column)
	// nothing tells the cut.
	if got := cut([]string{"1000010"}, []string{"upheld", "corrected", "other", "pending", "x"}, rowRule(4, []string{"upheld", "corrected", "other", "pending", "x"})); got != "" {
		t.Errorf("a row with no equation was cut as %q", got)
	}
	if got := cut([]string{"123"}, []string{"issued", "repealed"}, sumRule{}); got != "" {
		t.Errorf("table 二 was cut as %q", got)
	}
}
