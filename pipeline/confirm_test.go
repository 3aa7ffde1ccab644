package pipeline

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/normalize"
)

// ocrReport returns the report of a spec as OCR would give it with every
// figure flagged uncertain, with its findings.
func ocrReport(s fixture.Spec) *nianbao.Report {
	rep := &nianbao.Report{Template: s.Template, Status: nianbao.StatusFindings}
	for _, f := range s.Fields() {
		rep.Cells = append(rep.Cells, nianbao.Cell{Key: f.Key, Value: s.Values[f.Key], Uncertain: "OCR",
			Source: &nianbao.Provenance{Engine: string(pdfdoc.EngineOCR)}})
		rep.Findings = append(rep.Findings, nianbao.Finding{Rule: nianbao.RuleUncertain, Cells: []string{f.Key}})
	}
	rep.Findings = append(rep.Findings, normalize.Check(rep)...)
	return rep
}

// TestConfirmByArithmeticEachRule: for each rule of the list, in a report
// that breaks only that rule, an OCR figure that takes part only in holding
// equations is cleared, and one in a broken equation keeps its flag and
// finding; so do the figures of table 二, which no rule covers, and those
// of an equation with a blank term.
func TestConfirmByArithmeticEachRule(t *testing.T) {
	var rules []string
	for _, e := range nianbao.Equations() {
		if e.Scope == nianbao.ScopeReport && !slices.Contains(rules, e.Rule) {
			rules = append(rules, e.Rule)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, rule := range append([]string{""}, rules...) {
		for i := range 6 {
			tmpl := []nianbao.Template{nianbao.Template2019, nianbao.Template2021}[i%2]
			spec := fixture.Random(rng, tmpl)
			for k, v := range spec.Values {
				if v == nil {
					spec.Values[k] = nianbao.F(0) // every term printed
				}
			}
			if rule != "" {
				spec = fixture.Break(spec, rule)
			}
			blank := ""
			if i >= 4 {
				// A blank term leaves its equation unconfirmed: the other
				// figures of row review of 四 are in no other equation.
				// It was 0 or is moved to the total, so that the rules hold
				// or break as before.
				blank = "t4.review.other"
				*spec.Values["t4.review.total"] -= spec.V(blank)
				spec.Values[blank] = nil
			}
			keep := map[string]bool{}
			for _, f := range fixture.Check(spec) {
				for _, k := range f.Cells {
					keep[k] = true
				}
			}
			if blank != "" {
				for _, c := range nianbao.T4Cols {
					keep["t4.review."+c.Key] = true
				}
			}
			rep := ocrReport(spec)
			confirmByArithmetic(rep)
			flagged := map[string]bool{}
			for _, f := range rep.Findings {
				if f.Rule == nianbao.RuleUncertain {
					flagged[f.Cells[0]] = true
				} else if f.Rule != rule {
					t.Errorf("breaking %q: finding %s: %s", rule, f.Rule, f.Detail)
				}
			}
			for _, c := range rep.Cells {
				want := keep[c.Key] || strings.HasPrefix(c.Key, "t2.")
				if (c.Uncertain != "") != want || flagged[c.Key] != want {
					t.Errorf("breaking %q (%s, blank %q): %s flagged %q with finding %v, want kept %v",
						rule, tmpl, blank, c.Key, c.Uncertain, flagged[c.Key], want)
				}
			}
		}
	}
}
