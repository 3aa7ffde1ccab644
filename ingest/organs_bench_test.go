package ingest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/internal/memo"
	"github.com/nianbao/nianbao/organ"
	"github.com/nianbao/nianbao/store"
)

// BenchmarkOrgans measures what organs cost on a panel of benchCorpus()
// reports (NIANBAO_BENCH_N; 100000 for the figure): placing every
// printed name as the ingest workers do (two of them, the memo empty), an
// ingest of the reports through the fake parser (placement and the
// cross-year rules at each commit included), and checking rules 5 and 6
// again over the whole store.
func BenchmarkOrgans(b *testing.B) {
	n := benchCorpus()
	divs, err := organ.Bundled()
	if err != nil {
		b.Fatal(err)
	}
	organs, reports := fixture.Panel(1, max(n/6, 1), divs)
	if len(reports) > n {
		reports = reports[:n]
	}
	docs := make([][]byte, len(reports))
	for i, r := range reports {
		lines := []string{"template=" + string(r.Spec.Template)}
		if r.Spec.T3Split {
			lines = append(lines, "cell t3.other.other.total=0")
		}
		for _, f := range r.Spec.Fields() {
			if v := r.Spec.Values[f.Key]; v != nil && (strings.HasPrefix(f.Key, "t3.carr") || strings.HasPrefix(f.Key, "t2.")) {
				lines = append(lines, "cell "+f.Key+"="+strconv.FormatFloat(*v, 'f', -1, 64))
			}
		}
		docs[i] = fakeDoc(organs[r.Organ].Names[r.Spec.Year], r.Spec.Year, lines...)
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		// Placing the names, as the workers do.
		organCache = memo.Memo[[2]string, organ.Organ]{}
		start := time.Now()
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(reports); i += 2 {
					r := reports[i]
					if _, err := resolveOrgan(organs[r.Organ].Names[r.Spec.Year], ""); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		place := time.Since(start)

		s, err := store.Open(ctx, b.TempDir()+"/organs.db", store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		items := func(yield func(Item) bool) {
			for i, d := range docs {
				if !yield(Item{Source: "r" + strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }}) {
					return
				}
			}
		}
		start = time.Now()
		if err := Batch(ctx, s, items, Options{Parse: fakeParse}); err != nil {
			b.Fatal(err)
		}
		ingest := time.Since(start)
		start = time.Now()
		groups, err := s.RecheckYears(ctx)
		if err != nil {
			b.Fatal(err)
		}
		recheck := time.Since(start)
		var cross int
		s.Reader().QueryRow(`SELECT count(*) FROM findings WHERE other_report_id IS NOT NULL`).Scan(&cross)
		s.Close()
		b.ReportMetric(place.Seconds(), "place-s")
		b.ReportMetric(float64(len(docs))/ingest.Seconds(), "ingest-reports/s")
		b.ReportMetric(recheck.Seconds(), "recheck-s")
		b.ReportMetric(float64(groups), "organ-years")
		b.ReportMetric(float64(cross), "cross-findings")
		if os.Getenv("NIANBAO_BENCH_VERBOSE") != "" {
			fmt.Fprintf(os.Stderr, "%d reports of %d organs: place %v, ingest %v, recheck %v\n", len(docs), len(organs), place, ingest, recheck)
		}
		b.StartTimer()
	}
}
