package normalize

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// Check evaluates the rules of the 勾稽关系 that one report can be checked
// against (template.md rules 1–4, nianbao.ReportEquations) and returns one
// finding per broken equation: per column for rules 1 and 2, per row for
// rules 3 and 4. Blank cells count as 0, and an equation with no printed
// figure on a side is skipped (nianbao.CheckEquation). Figures are never
// changed.
func Check(rep *nianbao.Report) []nianbao.Finding {
	if rep.Template != nianbao.Template2019 && rep.Template != nianbao.Template2021 {
		return nil
	}
	val := nianbao.CellFigures(rep)
	var out []nianbao.Finding
	for _, e := range nianbao.ReportEquations(rep.Template, nianbao.LayoutOf(val.Get)) {
		if r := nianbao.CheckEquation(e, val.Get); r.Outcome == nianbao.Broken {
			out = append(out, finding(val, e, r))
		}
	}
	return out
}

// finding writes a broken equation as a finding: its rule, its cells,
// "where: new 3 + carried (blank) = 3, but … = 4", and the two sums as
// numbers (the equation's left side, the total where it has one, is the
// expected one), so that a program need not read them out of the prose.
func finding(val nianbao.Figures, e nianbao.Equation, r nianbao.Result) nianbao.Finding {
	return nianbao.Finding{
		Rule:       e.Rule,
		Cells:      e.Cells(),
		Detail:     fmt.Sprintf("%s: %s = %s, but %s = %s", e.Where, terms(val, e.Left), fmtNum(r.Left), terms(val, e.Right), fmtNum(r.Right)),
		Expected:   nianbao.F(r.Left),
		Actual:     nianbao.F(r.Right),
		Difference: nianbao.F(r.Right - r.Left),
	}
}

// terms writes "new 3 + carried (blank)" for a finding's detail, naming each
// term by the part of its key after the table.
func terms(val nianbao.Figures, ts []nianbao.Term) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		k := t.Key
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
