package normalize

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// Check evaluates the rules of the 勾稽关系 that one report can be checked
// against (template.md rules 1–4) and returns one finding per broken rule
// instance: per column for rules 1 and 2, per row for rules 3 and 4.
//
// A blank cell counts as 0 in a sum — reports leave zeros blank — but a rule
// is checked only when its result cell and at least one term are printed:
// Shanghai leaves the 总计 column of the outcome rows blank, which says
// nothing about its arithmetic. Figures are never changed.
func Check(rep *nianbao.Report) []nianbao.Finding {
	if rep.Template != nianbao.Template2019 && rep.Template != nianbao.Template2021 {
		return nil
	}
	val := make(map[string]*float64, len(rep.Cells))
	for _, c := range rep.Cells {
		val[c.Key] = c.Value
	}
	eqs := equationsOne
	if _, ok := val["t3.other.other.total"]; ok {
		eqs = equationsSplit
	}
	var out []nianbao.Finding
	for _, e := range eqs {
		if f, ok := equation(val, e.rule, e.where, e.left, e.right); ok {
			out = append(out, f)
		}
	}
	return out
}

// eq is one equation of the rules: sum(left) = sum(right).
type eq struct {
	rule, where string
	left, right []string
}

// The equations depend only on the layout of table 三's （六） rows; they
// are built once.
var equationsOne, equationsSplit = equations(false), equations(true)

func equations(split bool) []eq {
	var out []eq
	t3 := func(row, col string) string { return nianbao.Key(3, row, col) }
	// Rule 1: new + carried = outcome_total + carry_forward, each column.
	for _, c := range nianbao.T3Cols {
		out = append(out, eq{nianbao.RuleBalance, "table 三 column " + c.Label,
			[]string{t3("new", c.Key), t3("carried", c.Key)},
			[]string{t3("outcome_total", c.Key), t3("carry_forward", c.Key)}})
	}
	// Rule 2: outcome_total = sum of the outcome rows, each column.
	for _, c := range nianbao.T3Cols {
		var terms []string
		for _, row := range nianbao.T3OutcomeRows(split) {
			terms = append(terms, t3(row, c.Key))
		}
		out = append(out, eq{nianbao.RuleOutcomeSum, "table 三 column " + c.Label, []string{t3("outcome_total", c.Key)}, terms})
	}
	// Rule 3: total = sum of the applicant columns, each row.
	for _, row := range nianbao.T3Rows(split) {
		var terms []string
		for _, c := range nianbao.T3ApplicantCols {
			terms = append(terms, t3(row.Key, c))
		}
		out = append(out, eq{nianbao.RuleApplicantSum, "table 三 row " + row.Key, []string{t3(row.Key, "total")}, terms})
	}
	// Rule 4: total = upheld + corrected + other + pending, each row of 四.
	for _, row := range nianbao.T4Rows {
		k := func(c string) string { return nianbao.Key(4, row.Key, c) }
		out = append(out, eq{nianbao.RuleReviewSum, "table 四 row " + row.Key, []string{k("total")},
			[]string{k("upheld"), k("corrected"), k("other"), k("pending")}})
	}
	return out
}

// equation checks sum(left) = sum(right) and returns a finding when it
// fails. It is skipped when either side has no printed figure.
func equation(val map[string]*float64, rule, where string, left, right []string) (nianbao.Finding, bool) {
	ls, lok := sum(val, left)
	rs, rok := sum(val, right)
	if !lok || !rok || math.Abs(ls-rs) < 1e-6 {
		return nianbao.Finding{}, false
	}
	return nianbao.Finding{
		Rule:   rule,
		Cells:  append(append([]string{}, left...), right...),
		Detail: fmt.Sprintf("%s: %s = %s, but %s = %s", where, terms(val, left), fmtNum(ls), terms(val, right), fmtNum(rs)),
	}, true
}

// sum adds the printed figures of keys; ok is false when none is printed.
func sum(val map[string]*float64, keys []string) (float64, bool) {
	s, ok := 0.0, false
	for _, k := range keys {
		if v := val[k]; v != nil {
			s += *v
			ok = true
		}
	}
	return s, ok
}

// terms writes "new 3 + carried (blank)" for a finding's detail, naming each
// term by the part of its key after the table.
func terms(val map[string]*float64, keys []string) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		name := k[strings.IndexByte(k, '.')+1:]
		if v := val[k]; v != nil {
			parts = append(parts, name+" "+fmtNum(*v))
		} else {
			parts = append(parts, name+" (blank)")
		}
	}
	return strings.Join(parts, " + ")
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
