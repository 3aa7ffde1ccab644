package normalize

import (
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// consistent returns a 2021 report whose every rule holds: table 三 column c
// has new 2c+1, carried 1, granted 2c+1, carry_forward 1; total the sums.
func consistent() *nianbao.Report {
	rep := &nianbao.Report{Template: nianbao.Template2021}
	for _, f := range nianbao.Schema(nianbao.Template2021) {
		rep.Cells = append(rep.Cells, nianbao.Cell{Key: f.Key, Value: nianbao.F(0)})
	}
	set := func(k string, v float64) { *rep.Cell(k).Value = v }
	total := map[string]float64{}
	for i, c := range nianbao.T3ApplicantCols {
		v := float64(2*i + 1)
		for row, x := range map[string]float64{"new": v, "carried": 1, "granted": v, "outcome_total": v, "carry_forward": 1} {
			set("t3."+row+"."+c, x)
			total[row] += x
		}
	}
	for row, x := range total {
		set("t3."+row+".total", x)
	}
	set("t4.review.upheld", 2)
	set("t4.review.pending", 1)
	set("t4.review.total", 3)
	return rep
}

func TestCheckEachRule(t *testing.T) {
	if f := Check(consistent()); len(f) != 0 {
		t.Fatalf("consistent report has findings: %v", f)
	}
	cases := []struct {
		name  string
		edit  func(r *nianbao.Report)
		rules []string // the findings expected, in order
		cells string   // a key every finding must name
	}{
		// Raising granted.natural breaks rule 2 in its column, and rule 3 in
		// its row; nothing else.
		{"granted.natural +1", func(r *nianbao.Report) { *r.Cell("t3.granted.natural").Value += 1 },
			[]string{nianbao.RuleOutcomeSum, nianbao.RuleApplicantSum}, ""},
		// carry_forward.legal: rule 1 in its column, rule 3 in its row.
		{"carry_forward.legal +2", func(r *nianbao.Report) { *r.Cell("t3.carry_forward.legal").Value += 2 },
			[]string{nianbao.RuleBalance, nianbao.RuleApplicantSum}, "t3.carry_forward.legal"},
		// new.total alone: rule 1 in the total column and rule 3 in row new.
		{"new.total -1", func(r *nianbao.Report) { *r.Cell("t3.new.total").Value -= 1 },
			[]string{nianbao.RuleBalance, nianbao.RuleApplicantSum}, "t3.new.total"},
		{"t4 review total", func(r *nianbao.Report) { *r.Cell("t4.review.total").Value = 4 },
			[]string{nianbao.RuleReviewSum}, "t4.review.total"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := consistent()
			c.edit(rep)
			got := Check(rep)
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
				if c.cells != "" && !strings.Contains(strings.Join(f.Cells, " "), c.cells) {
					t.Errorf("finding %+v does not name %s", f, c.cells)
				}
				if f.Detail == "" {
					t.Errorf("finding without detail: %+v", f)
				}
			}
			if strings.Join(rules, ",") != strings.Join(c.rules, ",") {
				t.Errorf("findings %v, want %v: %v", rules, c.rules, got)
			}
		})
	}
}

// TestCheckBlanks: a blank counts as 0 in a sum, but a rule whose result or
// whose every term is blank is not checked (Shanghai leaves the 总计 column
// of the outcome rows blank).
func TestCheckBlanks(t *testing.T) {
	rep := consistent()
	for _, row := range nianbao.T3OutcomeRows(true) {
		rep.Cell("t3." + row + ".total").Value = nil
	}
	if f := Check(rep); len(f) != 0 {
		t.Errorf("blank outcome totals gave findings: %v", f)
	}
	rep = consistent()
	rep.Cell("t3.carried.natural").Value = nil // 1 printed blank: the column no longer balances
	f := Check(rep)
	if len(f) == 0 || !strings.Contains(f[0].Detail, "(blank)") {
		t.Errorf("blank term not counted as 0 / not shown: %v", f)
	}
	if f := Check(&nianbao.Report{Template: nianbao.TemplatePre2019}); f != nil {
		t.Errorf("pre-2019 report checked: %v", f)
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"3", "1,808,595", "14.2404万元", "251000元", "－5", "减3", "/", "—", "无", "１２３", "1e9", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fig, err := Number(s)
		if err != nil && fig.Value != nil {
			t.Fatalf("Number(%q): error %v with a value", s, err)
		}
		if fig.Value == nil && fig.Blank == "" {
			t.Fatalf("Number(%q): no value and no blank reason", s)
		}
		if IsFigure(s) != (err == nil && strings.TrimSpace(s) != "" && fig.Blank != "blank") {
			// IsFigure is Number without the blank: keep them agreeing.
			t.Fatalf("IsFigure(%q) = %v, Number err %v blank %q", s, IsFigure(s), err, fig.Blank)
		}
		if _, err := Amount(s, "元"); (err == nil) != (fig.Blank != "unreadable") {
			t.Fatalf("Amount(%q) disagrees with Number", s)
		}
	})
}

// TestCheckNumbers: a finding of a rule carries its two sides as numbers,
// the side with the total (or new + carried, rule 1) the expected one, and
// their difference, so that a program need not read them from the prose.
func TestCheckNumbers(t *testing.T) {
	for _, c := range []struct {
		name                       string
		edit                       func(r *nianbao.Report)
		rule                       string
		expected, actual, sideDiff float64
	}{
		// t4.review: total 4, upheld 2 + pending 1 = 3.
		{"t4 total", func(r *nianbao.Report) { *r.Cell("t4.review.total").Value = 4 }, nianbao.RuleReviewSum, 4, 3, -1},
		// Rule 1, total column: new 36−1 + carried 6 against outcome_total
		// 36 + carry_forward 6.
		{"new.total -1", func(r *nianbao.Report) { *r.Cell("t3.new.total").Value -= 1 }, nianbao.RuleBalance, 35 + 6, 36 + 6, 1},
	} {
		rep := consistent()
		c.edit(rep)
		var f *nianbao.Finding
		for _, x := range Check(rep) {
			if x.Rule == c.rule {
				f = &x
				break
			}
		}
		if f == nil {
			t.Fatalf("%s: no %s finding", c.name, c.rule)
		}
		if f.Expected == nil || f.Actual == nil || f.Difference == nil ||
			*f.Expected != c.expected || *f.Actual != c.actual || *f.Difference != c.sideDiff {
			t.Errorf("%s: expected %v actual %v difference %v, want %v %v %v", c.name, deref(f.Expected), deref(f.Actual),
				deref(f.Difference), c.expected, c.actual, c.sideDiff)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
