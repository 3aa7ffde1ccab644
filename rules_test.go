package nianbao_test

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
)

// TestEquationsList: the list holds the six rules of template.md (and the
// 小计 column), expanded per column or row, over canonical keys only.
func TestEquationsList(t *testing.T) {
	count := map[string]int{}
	seen := map[string]bool{}
	for _, e := range nianbao.Equations() {
		t.Log(e)
		count[e.Rule]++
		if e.Where == "" || len(e.Left) == 0 || len(e.Right) == 0 || len(e.Templates) == 0 {
			t.Errorf("incomplete equation: %v", e)
		}
		if s := e.String(); seen[s] {
			t.Errorf("equation twice: %s", s)
		} else {
			seen[s] = true
		}
		prev := 0
		for _, term := range e.Terms() {
			if _, ok := nianbao.LookupField(term.Key); !ok && !strings.HasSuffix(term.Key, "."+nianbao.T3OrgSubtotalCol) {
				t.Errorf("%s: %s is not a canonical key", e.Rule, term.Key)
			}
			if term.Prev {
				prev++
			}
		}
		if (prev > 0) != (e.Scope == nianbao.ScopeYears) {
			t.Errorf("%s: %d terms of the previous year in an equation of scope %d", e.Rule, prev, e.Scope)
		}
	}
	// Rules 1, 2 and 5 per column (rule 2 once per layout of （六）), rule 3
	// per row of either layout (23 rows + the 3 sub-rows), rule 4 per row of
	// 四, rule 6 for rules and normative, the 小计 column per row.
	want := map[string]int{
		nianbao.RuleBalance: 7, nianbao.RuleOutcomeSum: 14, nianbao.RuleApplicantSum: 26,
		nianbao.RuleReviewSum: 3, nianbao.RuleCarryOver: 7, nianbao.RuleInForce: 2,
		nianbao.RuleOrgSubtotal: 26,
	}
	for r, n := range want {
		if count[r] != n {
			t.Errorf("%s: %d equations, want %d", r, count[r], n)
		}
	}
	if len(count) != len(want) {
		t.Errorf("rules %v, want %v", count, want)
	}
	for _, c := range []struct {
		t    nianbao.Template
		l    nianbao.T3Layout
		want int
	}{
		{nianbao.Template2019, nianbao.OtherOneRow, 7 + 7 + 23 + 3},
		{nianbao.Template2021, nianbao.OtherSubRows, 7 + 7 + 25 + 3},
		{nianbao.Template2021, nianbao.OtherOneRow, 7 + 7 + 23 + 3},
		{nianbao.TemplatePre2019, nianbao.OtherOneRow, 0},
	} {
		if n := len(nianbao.ReportEquations(c.t, c.l)); n != c.want {
			t.Errorf("ReportEquations(%s, %d): %d, want %d", c.t, c.l, n, c.want)
		}
	}
}

// checkSpec returns the equations of the list broken by a fixture spec,
// each as "rule cell,cell,…" with sorted cells.
func checkSpec(s fixture.Spec) []string {
	val := nianbao.Figures(s.Values)
	var out []string
	for _, e := range nianbao.ReportEquations(s.Template, nianbao.LayoutOf(val.Get)) {
		if nianbao.CheckEquation(e, val.Get).Outcome == nianbao.Broken {
			out = append(out, signature(e.Rule, e.Cells()))
		}
	}
	sort.Strings(out)
	return out
}

func signature(rule string, cells []string) string {
	c := slices.Clone(cells)
	sort.Strings(c)
	return rule + " " + strings.Join(c, ",")
}

// TestEquationsAgainstFixture: on random reports, consistent or with one
// rule broken, the list breaks exactly the equations the generator's own
// oracle (fixture.Check, written independently) says are broken.
func TestEquationsAgainstFixture(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		tmpl := []nianbao.Template{nianbao.Template2019, nianbao.Template2021}[i%2]
		s := fixture.Random(rng, tmpl)
		if k := i / 2 % 5; k < len(fixture.BreakableRules) {
			s = fixture.Break(s, fixture.BreakableRules[k])
		}
		var want []string
		for _, f := range fixture.Check(s) {
			want = append(want, signature(f.Rule, f.Cells))
		}
		sort.Strings(want)
		if got := checkSpec(s); !slices.Equal(got, want) {
			t.Fatalf("spec %d (template %s, broken %q):\n got %q\nwant %q", i, tmpl, s.Broken, got, want)
		}
	}
}

// TestCheckEquation: blanks count 0, a side with nothing printed makes the
// equation not checkable, Complete tells a fully printed one.
func TestCheckEquation(t *testing.T) {
	var rule4 nianbao.Equation // review: total = upheld + corrected + other + pending
	for _, e := range nianbao.Equations() {
		if e.Rule == nianbao.RuleReviewSum {
			rule4 = e
			break
		}
	}
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name     string
		val      nianbao.Figures
		want     nianbao.Outcome
		complete bool
		why      string
	}{
		{"all printed", nianbao.Figures{"t4.review.total": f(3), "t4.review.upheld": f(1), "t4.review.corrected": f(2),
			"t4.review.other": f(0), "t4.review.pending": f(0)}, nianbao.Held, true, ""},
		{"blanks count 0", nianbao.Figures{"t4.review.total": f(3), "t4.review.upheld": f(3), "t4.review.corrected": nil,
			"t4.review.other": nil, "t4.review.pending": nil}, nianbao.Held, false,
			"t4.review.corrected blank, t4.review.other blank, t4.review.pending blank"},
		{"broken", nianbao.Figures{"t4.review.total": f(4), "t4.review.upheld": f(3)}, nianbao.Broken, false,
			"t4.review.corrected missing, t4.review.other missing, t4.review.pending missing"},
		{"total blank", nianbao.Figures{"t4.review.total": nil, "t4.review.upheld": f(3)}, nianbao.NotCheckable, false,
			"t4.review.total blank, t4.review.corrected missing, t4.review.other missing, t4.review.pending missing"},
		{"no term printed", nianbao.Figures{"t4.review.total": f(3)}, nianbao.NotCheckable, false,
			"t4.review.upheld missing, t4.review.corrected missing, t4.review.other missing, t4.review.pending missing"},
	}
	for _, c := range cases {
		r := nianbao.CheckEquation(rule4, c.val.Get)
		if r.Outcome != c.want || r.Complete() != c.complete || r.Why(rule4) != c.why {
			t.Errorf("%s: %v complete %v why %q, want %v %v %q", c.name, r.Outcome, r.Complete(), r.Why(rule4), c.want, c.complete, c.why)
		}
	}
	r := nianbao.CheckEquation(rule4, cases[2].val.Get)
	if r.Left != 4 || r.Right != 3 {
		t.Errorf("sums %v = %v, want 4 = 3", r.Left, r.Right)
	}
}

// TestCheckYears: rules 5 and 6 on an organ's reports of two years.
func TestCheckYears(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	find := func(eqs []nianbao.Equation, rule, key string) nianbao.Equation {
		for _, e := range eqs {
			if e.Rule == rule && slices.Contains(e.Cells(), key) {
				return e
			}
		}
		t.Fatalf("no %s equation on %s in %v", rule, key, eqs)
		return nianbao.Equation{}
	}
	// Rule 5 from a 2020 report in the 2019 template to a 2021 one; rule
	// 6 is not among them (the 2019 template has no in_force).
	across := nianbao.YearEquations(nianbao.Template2019, nianbao.Template2021)
	for _, e := range across {
		if e.Rule != nianbao.RuleCarryOver {
			t.Errorf("2019→2021: unexpected %v", e)
		}
	}
	if len(across) != len(nianbao.T3Cols) {
		t.Errorf("2019→2021: %d equations, want %d", len(across), len(nianbao.T3Cols))
	}
	carry := find(across, nianbao.RuleCarryOver, "t3.carried.natural")
	prev2020 := nianbao.Figures{"t3.carry_forward.natural": f(5), "t3.carry_forward.total": nil}
	for _, c := range []struct {
		name string
		cur  nianbao.Figures
		want nianbao.Outcome
	}{
		{"held", nianbao.Figures{"t3.carried.natural": f(5)}, nianbao.Held},
		{"broken", nianbao.Figures{"t3.carried.natural": f(4)}, nianbao.Broken},
		{"blank", nianbao.Figures{"t3.carried.natural": nil}, nianbao.NotCheckable},
	} {
		if r := nianbao.CheckYears(carry, prev2020.Get, c.cur.Get); r.Outcome != c.want {
			t.Errorf("rule 5 %s: %v, want %v", c.name, r.Outcome, c.want)
		}
	}
	// Without the previous report, a cross-year equation has nothing to check.
	if r := nianbao.CheckEquation(carry, nianbao.Figures{"t3.carried.natural": f(5)}.Get); r.Outcome != nianbao.NotCheckable || r.Why(carry) != "t3.carry_forward.natural[Y-1] missing" {
		t.Errorf("rule 5 on one report: %v %q", r.Outcome, r.Why(carry))
	}

	// Rule 6: in_force(2022) = in_force(2021) + issued(2022) − repealed(2022).
	inForce := find(nianbao.YearEquations(nianbao.Template2021, nianbao.Template2021), nianbao.RuleInForce, "t2.normative.in_force")
	prev2021 := nianbao.Figures{"t2.normative.in_force": f(40)}
	for _, c := range []struct {
		name        string
		cur         nianbao.Figures
		want        nianbao.Outcome
		left, right float64
	}{
		{"held", nianbao.Figures{"t2.normative.in_force": f(43), "t2.normative.issued": f(5), "t2.normative.repealed": f(2)}, nianbao.Held, 45, 45},
		{"broken", nianbao.Figures{"t2.normative.in_force": f(45), "t2.normative.issued": f(5), "t2.normative.repealed": f(2)}, nianbao.Broken, 47, 45},
		{"nothing repealed, blank", nianbao.Figures{"t2.normative.in_force": f(45), "t2.normative.issued": f(5), "t2.normative.repealed": nil}, nianbao.Held, 45, 45},
		{"no report of 2022 figures", nianbao.Figures{}, nianbao.NotCheckable, 0, 40},
	} {
		r := nianbao.CheckYears(inForce, prev2021.Get, c.cur.Get)
		if r.Outcome != c.want || r.Left != c.left || r.Right != c.right {
			t.Errorf("rule 6 %s: %v %v = %v, want %v %v = %v", c.name, r.Outcome, r.Left, r.Right, c.want, c.left, c.right)
		}
	}
	if eqs := nianbao.YearEquations(nianbao.Template2021, nianbao.Template2019); len(eqs) != len(nianbao.T3Cols) {
		t.Errorf("2021→2019: %d equations, want rule 5 only", len(eqs))
	}
}
