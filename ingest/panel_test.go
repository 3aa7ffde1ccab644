package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/organ"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// TestPanelAcrossYears ingests a generated panel — 200 organs over
// 2019–2025, their names printed differently from year to year, the
// template switching in 2021, figures chained across years with breaks of
// rules 5 and 6 planted — in three orders, and checks that each gives the
// same organs, every report under its organ, and exactly the planted
// cross-year findings.
func TestPanelAcrossYears(t *testing.T) {
	divs, err := organ.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	organs, reports := fixture.Panel(11, 200, divs)
	docs := make([][]byte, len(reports))
	rng := rand.New(rand.NewPCG(11, 12))
	for i, r := range reports {
		docs[i] = fixture.Text(r.Spec, fixture.RandomTextStyle(rng))
	}
	// What a correct store holds: each report's organ, and the planted
	// breaks as (organ key, year, rule, column or row).
	want := map[string]bool{}
	for _, r := range reports {
		for _, b := range r.Planted {
			want[fmt.Sprintf("%s %d %s %s", organs[r.Organ].Key, r.Spec.Year, b.Rule, b.What)] = true
		}
	}
	orders := map[string][]int{"as generated": {}, "reversed": {}, "shuffled": {}}
	for i := range reports {
		orders["as generated"] = append(orders["as generated"], i)
	}
	orders["reversed"] = slices.Clone(orders["as generated"])
	slices.Reverse(orders["reversed"])
	orders["shuffled"] = slices.Clone(orders["as generated"])
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(reports), func(i, j int) {
		orders["shuffled"][i], orders["shuffled"][j] = orders["shuffled"][j], orders["shuffled"][i]
	})
	// Each document is read once; the other orders take the same reports.
	var mu sync.Mutex
	parsed := map[string]*nianbao.Report{}
	parse := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		mu.Lock()
		rep, ok := parsed[source]
		mu.Unlock()
		if !ok {
			rep = pipeline.Read(ctx, source, data, opt)
			mu.Lock()
			parsed[source] = rep
			mu.Unlock()
		}
		c := *rep
		return &c
	}
	var first string
	for name, order := range orders {
		s := openFake(t, nil)
		items := func(yield func(Item) bool) {
			for _, i := range order {
				data := docs[i]
				if !yield(Item{Source: fmt.Sprintf("r%04d.txt", i), Load: func() ([]byte, error) { return data, nil }}) {
					return
				}
			}
		}
		var failed int
		if err := Batch(context.Background(), s.Store, items, Options{Parse: parse, TxDocs: 97, OnOutcome: func(o store.Outcome) {
			if o.Status != nianbao.StatusOK && o.Status != nianbao.StatusFindings {
				failed++
			}
		}}); err != nil {
			t.Fatal(err)
		}
		if failed > 0 {
			t.Fatalf("%s: %d reports not read", name, failed)
		}
		// Every report under the organ it was generated for.
		rows, err := s.Reader().Query(`SELECT r.id, r.agency, r.year, o.key FROM reports r JOIN organs o ON o.id = r.organ_id WHERE r.current ORDER BY o.key, r.year`)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]string{}
		for _, o := range organs {
			for _, n := range o.Names {
				byName[n] = o.Key
			}
		}
		var state strings.Builder
		n := 0
		for rows.Next() {
			var id int64
			var agency, key string
			var year int
			if err := rows.Scan(&id, &agency, &year, &key); err != nil {
				t.Fatal(err)
			}
			if byName[agency] != key {
				t.Errorf("%s: %s %d under %s, want %s", name, agency, year, key, byName[agency])
			}
			fmt.Fprintf(&state, "%s %d\n", key, year)
			n++
		}
		rows.Close()
		if n != len(reports) {
			t.Fatalf("%s: %d current reports, want %d", name, n, len(reports))
		}
		if got := count(t, s.Reader(), `SELECT count(*) FROM organs WHERE placed_how <> 'parent'`); got != len(organs) {
			t.Errorf("%s: %d organs, want %d", name, got, len(organs))
		}
		// Exactly the planted cross-year findings.
		got := map[string]bool{}
		rows, err = s.Reader().Query(`SELECT o.key, r.year, f.rule, f.cells FROM findings f JOIN reports r ON r.id = f.report_id
			JOIN organs o ON o.id = r.organ_id WHERE f.other_report_id IS NOT NULL ORDER BY o.key, r.year, f.rule, f.cells`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var key, rule, cellsJSON string
			var year int
			if err := rows.Scan(&key, &year, &rule, &cellsJSON); err != nil {
				t.Fatal(err)
			}
			var cells []string
			json.Unmarshal([]byte(cellsJSON), &cells)
			what := cells[0][strings.LastIndexByte(cells[0], '.')+1:] // t3.carry_forward.<col>
			if rule == nianbao.RuleInForce {
				what = strings.Split(cells[0], ".")[1] // t2.<row>.in_force
			}
			k := fmt.Sprintf("%s %d %s %s", key, year, rule, what)
			got[k] = true
			fmt.Fprintln(&state, k)
		}
		rows.Close()
		for k := range want {
			if !got[k] {
				t.Errorf("%s: planted break not found: %s", name, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("%s: finding where none was planted: %s", name, k)
			}
		}
		if first == "" {
			first = state.String()
		} else if state.String() != first {
			t.Errorf("%s: the store differs from the first order's", name)
		}
	}
	t.Logf("%d organs, %d reports, %d planted cross-year breaks", len(organs), len(reports), len(want))
}
