package nianbao

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The arithmetic every report must satisfy (勾稽关系, template.md rules 1–6)
// is declared here once, as a list of equations sum(Left) = sum(Right).
// normalize.Check turns the broken ones into findings, the OCR reader
// trusts a figure the holding ones confirm, the digit-split solver of the
// parser accepts a cut of run-together figures only when the equations of
// the row hold, and rules 5 and 6 are for the store to check across years:
// all of them read this list, and no other place spells a rule (but the
// test generator internal/fixture, which keeps its own oracle on purpose).

// Rules of template.md that need the organ's report of the neighbouring
// year, and the one equation that is not a rule of the template.
const (
	RuleCarryOver = "t3.carry_over" // rule 5: carry_forward of year Y = carried of year Y+1
	RuleInForce   = "t2.in_force"   // rule 6: in_force(Y) = in_force(Y−1) + issued(Y) − repealed(Y)
	// RuleOrgSubtotal: a 法人或其他组织小计 column some provinces add equals
	// the five organisation columns. The template has no such column, so a
	// broken one is not a finding of the report; only the digit split reads
	// it, to tell the one right cut of a row that prints the column.
	RuleOrgSubtotal = "t3.org_subtotal"
)

// T3OrgSubtotalCol is the column key under which the parser keeps a
// 法人或其他组织小计 column of table 三 (an extra cell, t3.<row>.x.…).
const T3OrgSubtotalCol = "x.法人或其他组织小计"

// Scope says what an equation is checked on.
type Scope int

const (
	ScopeReport Scope = iota // one report (rules 1–4): findings of normalize.Check
	ScopeYears               // an organ's reports of two consecutive years (rules 5, 6): checked by the store
	ScopeRow                 // the figures of one printed row, not a rule of the template (RuleOrgSubtotal)
)

// T3Layout is how a report prints （六）其他处理 of table 三, which decides the
// terms of rules 2 and 3.
type T3Layout int

const (
	AnyLayout    T3Layout = iota // the equation does not read the （六） rows
	OtherOneRow                  // one row t3.other.<col>, as in the 2019 template
	OtherSubRows                 // three sub-rows t3.other.no_correction/no_fee/other.<col>, as in 2021
)

// LayoutOf tells the layout of a report's table 三 from its cells, as the
// parser keys them: the sub-rows when the report has t3.other.other.total.
func LayoutOf(value func(key string) (*float64, bool)) T3Layout {
	if _, ok := value("t3.other.other.total"); ok {
		return OtherSubRows
	}
	return OtherOneRow
}

// Term is one cell of an equation.
type Term struct {
	Key string
	// Prev: the cell is read from the organ's report of the previous year
	// (rules 5 and 6); otherwise from the report checked (the later one).
	Prev bool
}

func (t Term) String() string {
	if t.Prev {
		return t.Key + "[Y-1]"
	}
	return t.Key
}

// Equation is one instance of a rule: sum(Left) = sum(Right). Rules are
// expanded per column or row when the list is built, so that an equation
// names its cells. Left holds the result side (a total) where there is one.
type Equation struct {
	Rule  string // RuleBalance … RuleInForce, RuleOrgSubtotal
	Scope Scope
	// Templates are the templates of the reports the equation applies to;
	// for ScopeYears, both reports must follow one of them.
	Templates []Template
	Layout    T3Layout
	Where     string // for people: "table 三 column 自然人"
	Left      []Term
	Right     []Term
}

// Terms returns the left terms then the right ones: the order of the bits
// of a Result.
func (e Equation) Terms() []Term { return append(slices.Clip(e.Left), e.Right...) }

// Cells returns the keys of the left terms then the right ones.
func (e Equation) Cells() []string {
	out := make([]string, 0, len(e.Left)+len(e.Right))
	for _, t := range e.Left {
		out = append(out, t.Key)
	}
	for _, t := range e.Right {
		out = append(out, t.Key)
	}
	return out
}

// AppliesTo reports whether the equation applies to a report of template t
// whose table 三 has layout l.
func (e Equation) AppliesTo(t Template, l T3Layout) bool {
	return slices.Contains(e.Templates, t) && (e.Layout == AnyLayout || e.Layout == l)
}

func (e Equation) String() string {
	side := func(ts []Term) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = t.String()
		}
		return strings.Join(s, " + ")
	}
	return fmt.Sprintf("%s %v %s: %s = %s", e.Rule, e.Templates, e.Where, side(e.Left), side(e.Right))
}

// Equations returns every equation, rules 1–6 and RuleOrgSubtotal, in a
// stable order: rule by rule, then column or row as printed. The slice is
// shared: callers must not modify it.
func Equations() []Equation { return equations }

// ReportEquations returns the equations (ScopeReport) a report of template
// t with table 三 layout l is checked against, in list order; nil for a
// template without rules. The slice is shared: callers must not modify it.
func ReportEquations(t Template, l T3Layout) []Equation {
	return reportEquations[reportKind{t, l}]
}

// YearEquations returns the equations (ScopeYears) between an organ's
// report of template prev and its report of the next year, of template cur.
func YearEquations(prev, cur Template) []Equation {
	var out []Equation
	for _, e := range equations {
		if e.Scope == ScopeYears && slices.Contains(e.Templates, prev) && slices.Contains(e.Templates, cur) {
			out = append(out, e)
		}
	}
	return out
}

type reportKind struct {
	t Template
	l T3Layout
}

var (
	equations       = buildEquations()
	reportEquations = func() map[reportKind][]Equation {
		m := map[reportKind][]Equation{}
		for _, t := range []Template{Template2019, Template2021} {
			for _, l := range []T3Layout{OtherOneRow, OtherSubRows} {
				var eqs []Equation
				for _, e := range equations {
					if e.Scope == ScopeReport && e.AppliesTo(t, l) {
						eqs = append(eqs, e)
					}
				}
				m[reportKind{t, l}] = eqs
			}
		}
		return m
	}()
)

// maxTerms bounds the terms of an equation: a Result marks them in a uint64.
const maxTerms = 64

func buildEquations() []Equation {
	both := []Template{Template2019, Template2021}
	var out []Equation
	add := func(rule string, scope Scope, tmpl []Template, l T3Layout, where string, left, right []Term) {
		if len(left)+len(right) > maxTerms {
			panic(fmt.Sprintf("nianbao: equation %s %s has more than %d terms", rule, where, maxTerms))
		}
		out = append(out, Equation{rule, scope, tmpl, l, where, left, right})
	}
	cur := func(keys ...string) []Term {
		ts := make([]Term, len(keys))
		for i, k := range keys {
			ts[i] = Term{Key: k}
		}
		return ts
	}
	t3 := func(row, col string) string { return Key(3, row, col) }
	layouts := []struct {
		l     T3Layout
		split bool
	}{{OtherOneRow, false}, {OtherSubRows, true}}
	// The rows of table 三, each with the layout that has it: the （六）
	// rows belong to one layout, the others to both.
	type t3row struct {
		key string
		l   T3Layout
	}
	var t3Rows []t3row
	for _, r := range T3Rows(false) {
		if r.Key != "other" {
			t3Rows = append(t3Rows, t3row{r.Key, AnyLayout})
			continue
		}
		t3Rows = append(t3Rows, t3row{r.Key, OtherOneRow})
		for _, s := range T3OtherSplit {
			t3Rows = append(t3Rows, t3row{s.Key, OtherSubRows})
		}
	}

	// Rule 1: new + carried = outcome_total + carry_forward, each column.
	for _, c := range T3Cols {
		add(RuleBalance, ScopeReport, both, AnyLayout, "table 三 column "+c.Label,
			cur(t3("new", c.Key), t3("carried", c.Key)),
			cur(t3("outcome_total", c.Key), t3("carry_forward", c.Key)))
	}
	// Rule 2: outcome_total = the sum of the outcome rows, each column; the
	// outcome rows depend on the layout.
	for _, ly := range layouts {
		for _, c := range T3Cols {
			var terms []string
			for _, row := range T3OutcomeRows(ly.split) {
				terms = append(terms, t3(row, c.Key))
			}
			add(RuleOutcomeSum, ScopeReport, both, ly.l, "table 三 column "+c.Label,
				cur(t3("outcome_total", c.Key)), cur(terms...))
		}
	}
	// Rule 3: total = the sum of the applicant columns, each row.
	for _, r := range t3Rows {
		var terms []string
		for _, c := range T3ApplicantCols {
			terms = append(terms, t3(r.key, c))
		}
		add(RuleApplicantSum, ScopeReport, both, r.l, "table 三 row "+r.key, cur(t3(r.key, "total")), cur(terms...))
	}
	// Rule 4: total = upheld + corrected + other + pending, each row of 四.
	for _, row := range T4Rows {
		k := func(c string) string { return Key(4, row.Key, c) }
		add(RuleReviewSum, ScopeReport, both, AnyLayout, "table 四 row "+row.Key,
			cur(k("total")), cur(k("upheld"), k("corrected"), k("other"), k("pending")))
	}
	// Rule 5: carry_forward.c of year Y = carried.c of year Y+1, each column,
	// from either template to either.
	for _, c := range T3Cols {
		add(RuleCarryOver, ScopeYears, both, AnyLayout, "table 三 column "+c.Label,
			[]Term{{Key: t3("carry_forward", c.Key), Prev: true}}, cur(t3("carried", c.Key)))
	}
	// Rule 6, template 2021: in_force(Y) = in_force(Y−1) + issued(Y) −
	// repealed(Y), written without a minus: in_force(Y) + repealed(Y) =
	// in_force(Y−1) + issued(Y).
	for _, row := range T2Rows2021[:2] { // rules, normative
		k := func(c string) string { return Key(2, row.Key, c) }
		add(RuleInForce, ScopeYears, []Template{Template2021}, AnyLayout, "table 二 row "+row.Label,
			cur(k("in_force"), k("repealed")), []Term{{Key: k("in_force"), Prev: true}, {Key: k("issued")}})
	}
	// Not a rule of the template: a 法人或其他组织小计 column equals the five
	// organisation columns, each row.
	for _, r := range t3Rows {
		var terms []string
		for _, c := range T3ApplicantCols[1:] { // all but natural
			terms = append(terms, t3(r.key, c))
		}
		add(RuleOrgSubtotal, ScopeRow, both, r.l, "table 三 row "+r.key+" column 法人或其他组织小计",
			cur(t3(r.key, T3OrgSubtotalCol)), cur(terms...))
	}
	return out
}

// Outcome is what checking an equation found.
type Outcome int

const (
	NotCheckable Outcome = iota // a side has no printed figure: nothing to check
	Held
	Broken
)

func (o Outcome) String() string {
	switch o {
	case Held:
		return "held"
	case Broken:
		return "broken"
	}
	return "not checkable"
}

// Result is the check of one equation.
type Result struct {
	Outcome Outcome
	// Left and Right are the sums of the two sides, unprinted terms
	// counting 0.
	Left, Right float64
	// Unprinted has bit i set when term i (Equation.Terms order) has no
	// printed figure; Missing, a subset, when the report has no such cell
	// at all (the rest are printed blank).
	Unprinted, Missing uint64
}

// Complete reports whether every term was printed: the stricter test of
// the OCR reader, for which a blank may be a figure it missed.
func (r Result) Complete() bool { return r.Unprinted == 0 }

// Why names the unprinted terms of the equation r checked — why it was
// not checkable, or which terms counted 0 — or "" when all were printed.
func (r Result) Why(e Equation) string {
	var parts []string
	for i, t := range e.Terms() {
		switch {
		case r.Missing&(1<<i) != 0:
			parts = append(parts, t.String()+" missing")
		case r.Unprinted&(1<<i) != 0:
			parts = append(parts, t.String()+" blank")
		}
	}
	return strings.Join(parts, ", ")
}

// CheckEquation checks an equation on one report: value returns a cell's
// figure (nil when printed blank) and whether the report has the cell. A
// term of the previous year (Prev) counts as missing: use CheckYears.
//
// A blank cell counts as 0 in a sum — reports leave zeros blank — but the
// equation is checked only when each side has a printed figure: Shanghai
// leaves the 总计 column of the outcome rows blank, which says nothing
// about its arithmetic. Result.Complete tells whether every term was
// printed.
func CheckEquation(e Equation, value func(key string) (*float64, bool)) Result {
	return CheckYears(e, nil, value)
}

// CheckYears checks an equation across two reports of one organ: prev reads
// the cells of the earlier year's report (the Prev terms), cur those of
// the later one. Either may be nil: its terms then count as missing.
func CheckYears(e Equation, prev, cur func(key string) (*float64, bool)) Result {
	var r Result
	side := func(ts []Term, bit int) (float64, bool, int) {
		s, printed := 0.0, false
		for _, t := range ts {
			read := cur
			if t.Prev {
				read = prev
			}
			var v *float64
			ok := false
			if read != nil {
				v, ok = read(t.Key)
			}
			switch {
			case !ok:
				r.Missing |= 1 << bit
				r.Unprinted |= 1 << bit
			case v == nil:
				r.Unprinted |= 1 << bit
			default:
				s += *v
				printed = true
			}
			bit++
		}
		return s, printed, bit
	}
	ls, lok, bit := side(e.Left, 0)
	rs, rok, _ := side(e.Right, bit)
	r.Left, r.Right = ls, rs
	switch {
	case !lok || !rok:
		r.Outcome = NotCheckable
	case math.Abs(ls-rs) < 1e-6:
		r.Outcome = Held
	default:
		r.Outcome = Broken
	}
	return r
}

// Figures are a report's figures by key; Figures.Get is the value
// function of CheckEquation.
type Figures map[string]*float64

// CellFigures returns the figures of the report's canonical cells.
func CellFigures(rep *Report) Figures {
	f := make(Figures, len(rep.Cells))
	for _, c := range rep.Cells {
		f[c.Key] = c.Value
	}
	return f
}

// Get returns the figure under key (nil when printed blank) and whether
// there is such a cell.
func (f Figures) Get(key string) (*float64, bool) {
	v, ok := f[key]
	return v, ok
}
