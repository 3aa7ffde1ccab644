package pipeline_test

// Round trip: documents rendered by internal/fixture from known figures are
// read back through pipeline.Read, and every canonical cell, the extra
// cells, agency, year, template, status and findings must come back as the
// generator wrote them. The committed fixtures in testdata/generated are
// checked, and so are a few hundred fresh specs rendered in memory.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/pipeline"
)

// knownRoundTripFailures lists the committed fixtures the parser did not
// read right when this list was made, with the causes found. The test fails
// when any other document mismatches, and logs when a listed one starts to
// pass (remove it then). Run with -v for every mismatch of every document,
// and NIANBAO_ROUNDTRIP_REPORT=file for all of them as JSON lines.
var knownRoundTripFailures = map[string]string{}

// maxRandomFailures is how many of the in-memory random documents may
// still mismatch; lower it as the parser improves.
const maxRandomFailures = 0

// mismatch is one difference between what was generated and what was read.
type mismatch struct {
	cause string // a short category, to group by
	key   string
	want  string
	got   string
}

func (m mismatch) String() string {
	if m.key == "" {
		return fmt.Sprintf("%s: want %s, got %s", m.cause, m.want, m.got)
	}
	return fmt.Sprintf("%s %s: want %s, got %s", m.cause, m.key, m.want, m.got)
}

func num(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

func sameValue(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b || math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*a))
}

// compare lists every difference between an expected report and a read one.
func compare(exp fixture.Expected, rep *nianbao.Report) []mismatch {
	var out []mismatch
	add := func(cause, key, want, got string) { out = append(out, mismatch{cause, key, want, got}) }
	wantStatus := exp.Status
	if rep.Status != wantStatus && !(exp.Template == nianbao.TemplateUnknown && rep.Status == nianbao.StatusNeedsOCR) {
		add("status", "", string(wantStatus), fmt.Sprintf("%s (%s%s)", rep.Status, rep.Reason, rep.Error))
	}
	if rep.Agency != exp.Agency {
		add("agency", "", exp.Agency, rep.Agency)
	}
	if rep.Year != exp.Year {
		add("year", "", fmt.Sprint(exp.Year), fmt.Sprint(rep.Year))
	}
	if rep.Template != exp.Template {
		add("template", "", string(exp.Template), string(rep.Template))
	}
	got := map[string]*nianbao.Cell{}
	for i := range rep.Cells {
		got[rep.Cells[i].Key] = &rep.Cells[i]
	}
	keys := make([]string, 0, len(exp.Cells))
	for k := range exp.Cells {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c, ok := got[k]
		switch {
		case !ok:
			add("cell missing", k, num(exp.Cells[k]), "no such cell")
		case !sameValue(exp.Cells[k], c.Value):
			g := num(c.Value)
			if c.Raw != "" {
				g += fmt.Sprintf(" (raw %q)", c.Raw)
			}
			add("cell", k, num(exp.Cells[k]), g)
		}
	}
	for k, c := range got {
		if _, ok := exp.Cells[k]; !ok {
			add("cell unexpected", k, "no such cell", num(c.Value))
		}
	}
	gotExtra := map[string]*nianbao.Cell{}
	for i := range rep.Extra {
		gotExtra[rep.Extra[i].Key] = &rep.Extra[i]
	}
	for k, v := range exp.Extra {
		c, ok := gotExtra[k]
		switch {
		case !ok:
			add("extra missing", k, num(v), "no such cell")
		case !sameValue(v, c.Value):
			add("extra", k, num(v), num(c.Value))
		}
	}
	for k, c := range gotExtra {
		if _, ok := exp.Extra[k]; !ok {
			add("extra unexpected", k, "no such cell", num(c.Value)+" "+c.Label)
		}
	}
	// Findings: the same rules on the same equations, nothing else.
	sig := func(rule string, cells []string) string {
		c := slices.Clone(cells)
		sort.Strings(c)
		return rule + " " + strings.Join(c, ",")
	}
	var want, have []string
	for _, f := range exp.Findings {
		want = append(want, sig(f.Rule, f.Cells))
	}
	for _, f := range rep.Findings {
		have = append(have, sig(f.Rule, f.Cells))
	}
	for _, w := range want {
		if i := slices.Index(have, w); i >= 0 {
			have = slices.Delete(have, i, i+1)
			continue
		}
		add("finding missing", strings.Fields(w)[0], w, "")
	}
	for _, h := range have {
		detail := ""
		for _, f := range rep.Findings {
			if sig(f.Rule, f.Cells) == h {
				detail = f.Detail
			}
		}
		add("finding unexpected", strings.Fields(h)[0], "", detail)
	}
	return out
}

func TestRoundTripGenerated(t *testing.T) {
	files, err := filepath.Glob("../testdata/generated/*.expected.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated fixtures (run go run ./testdata/gen): %v", err)
	}
	ctx := context.Background()
	pass := 0
	byCause := map[string]int{}
	record := reportFile(t)
	for _, f := range files {
		var exp fixture.Expected
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // style seeds are uint64: keep them exact in messages
		if err := dec.Decode(&exp); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc := filepath.Join(filepath.Dir(f), exp.File)
		ms := compare(exp, pipeline.ReadFile(ctx, doc, pipeline.Options{}))
		known, isKnown := knownRoundTripFailures[exp.Name]
		if len(ms) == 0 {
			pass++
			if isKnown {
				t.Logf("%s now reads right (was known: %s): remove it from knownRoundTripFailures", exp.Name, known)
			}
			continue
		}
		record(doc, exp, ms)
		for _, c := range causes(ms) {
			byCause[c]++
		}
		report := fmt.Sprintf("%s: %d mismatches (%s)\n%s", doc, len(ms), style(exp), list(ms, 12))
		if isKnown {
			t.Logf("known failure (%s): %s", known, report)
		} else {
			t.Errorf("%s", report)
		}
	}
	t.Logf("round trip: %d of %d generated documents read exactly", pass, len(files))
	logCauses(t, byCause)
}

// randomSeeds are the fixed seeds of the in-memory round trip: each gives
// a fresh spec and style, distinct from the committed fixtures.
var randomSeeds = func() []uint64 {
	var s []uint64
	for i := range uint64(300) {
		s = append(s, 0x726f756e64+i*7919)
	}
	return s
}()

func TestRoundTripRandom(t *testing.T) {
	n := len(randomSeeds)
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	pass, failed := 0, 0
	byCause := map[string]int{}
	record := reportFile(t)
	for i, seed := range randomSeeds[:n] {
		rng := rand.New(rand.NewPCG(seed, 42))
		tmpl := nianbao.Template2019
		if i%2 == 1 {
			tmpl = nianbao.Template2021
		}
		spec := fixture.Random(rng, tmpl)
		if i%5 == 4 {
			spec = fixture.Break(spec, fixture.BreakableRules[(i/5)%len(fixture.BreakableRules)])
		}
		exp := fixture.Expect(spec)
		var name string
		var data []byte
		if i%3 == 2 {
			st := fixture.RandomTextStyle(rng)
			name, data, exp.Style = fmt.Sprintf("random-%d.txt", seed), fixture.Text(spec, st), st
		} else {
			st := fixture.RandomHTMLStyle(rng)
			name, data, exp.Style = fmt.Sprintf("random-%d.html", seed), fixture.HTML(spec, st), st
		}
		ms := compare(exp, pipeline.Read(ctx, name, data, pipeline.Options{}))
		if len(ms) == 0 {
			pass++
			continue
		}
		failed++
		record(name, exp, ms)
		if dir := os.Getenv("NIANBAO_ROUNDTRIP_DUMP"); dir != "" {
			// Keep the failing document to look at.
			os.WriteFile(filepath.Join(dir, name), data, 0o644)
		}
		for _, c := range causes(ms) {
			byCause[c]++
		}
		t.Logf("%s (seed %d, index %d): %d mismatches (%s)\n%s", name, seed, i, len(ms), style(exp), list(ms, 8))
	}
	t.Logf("random round trip: %d of %d documents read exactly", pass, n)
	logCauses(t, byCause)
	if failed > maxRandomFailures {
		t.Errorf("%d random documents mismatch, at most %d allowed (details above with -v)", failed, maxRandomFailures)
	}
}

// reportFile, when NIANBAO_ROUNDTRIP_REPORT names a file, receives every
// mismatch of every document as JSON lines, to group and read at leisure.
func reportFile(t *testing.T) func(doc string, exp fixture.Expected, ms []mismatch) {
	path := os.Getenv("NIANBAO_ROUNDTRIP_REPORT")
	if path == "" {
		return func(string, fixture.Expected, []mismatch) {}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	return func(doc string, exp fixture.Expected, ms []mismatch) {
		type m struct{ Cause, Key, Want, Got string }
		var out []m
		for _, x := range ms {
			out = append(out, m{x.cause, x.key, x.want, x.got})
		}
		if err := enc.Encode(map[string]any{"doc": doc, "template": exp.Template, "style": exp.Style, "mismatches": out}); err != nil {
			t.Fatal(err)
		}
	}
}

func causes(ms []mismatch) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m.cause] {
			seen[m.cause] = true
			out = append(out, m.cause)
		}
	}
	return out
}

func list(ms []mismatch, max int) string {
	var b strings.Builder
	for i, m := range ms {
		if i == max {
			fmt.Fprintf(&b, "    … %d more\n", len(ms)-max)
			break
		}
		fmt.Fprintf(&b, "    %s\n", m)
	}
	return b.String()
}

func logCauses(t *testing.T, byCause map[string]int) {
	var cs []string
	for c, n := range byCause {
		cs = append(cs, fmt.Sprintf("%s: %d documents", c, n))
	}
	sort.Strings(cs)
	if len(cs) > 0 {
		t.Logf("mismatch causes:\n  %s", strings.Join(cs, "\n  "))
	}
}

// style summarises the variant of a document in one line.
func style(exp fixture.Expected) string {
	b, _ := json.Marshal(exp.Style)
	return fmt.Sprintf("template %s, %s", exp.Template, b)
}
