package normalize_test

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/normalize"
)

// reportRules returns the rules of the list a single report is checked
// against (template.md rules 1–4), each once, in list order.
func reportRules() []string {
	var out []string
	for _, e := range nianbao.Equations() {
		if e.Scope == nianbao.ScopeReport && !slices.Contains(out, e.Rule) {
			out = append(out, e.Rule)
		}
	}
	return out
}

// specReport returns the report a correct parser reads from a spec.
func specReport(s fixture.Spec) *nianbao.Report {
	rep := &nianbao.Report{Template: s.Template}
	for _, f := range s.Fields() {
		rep.Cells = append(rep.Cells, nianbao.Cell{Key: f.Key, Value: s.Values[f.Key]})
	}
	return rep
}

// TestCheckBreaksOneRule: for each rule of the list, a generated report
// that breaks only that rule gives exactly the findings of that rule the
// generator expects (its own oracle), with the equation's where in the
// detail; the consistent report it came from gives none.
func TestCheckBreaksOneRule(t *testing.T) {
	rules := reportRules()
	if len(rules) != 4 {
		t.Fatalf("report rules %v, want rules 1–4", rules)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, rule := range rules {
		t.Run(rule, func(t *testing.T) {
			for i := range 20 {
				tmpl := []nianbao.Template{nianbao.Template2019, nianbao.Template2021}[i%2]
				spec := fixture.Random(rng, tmpl)
				if f := normalize.Check(specReport(spec)); len(f) != 0 {
					t.Fatalf("consistent %s report has findings: %v", tmpl, f)
				}
				broken := fixture.Break(spec, rule)
				var want, got []string
				for _, f := range fixture.Check(broken) {
					want = append(want, f.Rule+" "+strings.Join(f.Cells, ","))
				}
				for _, f := range normalize.Check(specReport(broken)) {
					got = append(got, f.Rule+" "+strings.Join(f.Cells, ","))
					if f.Rule != rule {
						t.Errorf("breaking %s gives %s: %s", rule, f.Rule, f.Detail)
					}
					if !strings.HasPrefix(f.Detail, "table ") || !strings.Contains(f.Detail, ", but ") {
						t.Errorf("detail %q", f.Detail)
					}
				}
				sort.Strings(want)
				sort.Strings(got)
				if len(got) == 0 || !slices.Equal(got, want) {
					t.Fatalf("%s report breaking %s:\n got %q\nwant %q", tmpl, rule, got, want)
				}
			}
		})
	}
}
