package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// benchCorpus is the size of the ingest benchmarks' batch;
// $NIANBAO_BENCH_N overrides it.
func benchCorpus() int {
	if n, err := strconv.Atoi(os.Getenv("NIANBAO_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// corpusItems lists the files of a generated corpus as batch items.
func corpusItems(b *testing.B, dir string) []Item {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var items []Item
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			items = append(items, FileItem(filepath.Join(dir, e.Name())))
		}
	}
	return items
}

func benchIngest(b *testing.B, parse ParseFunc) {
	benchIngestInto(b, parse, func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }, 1)
}

// benchIngestInto ingests the corpus into the database db gives (a fresh
// one each round), with writers stores (processes, as it were) writing a
// share of it each at once.
func benchIngestInto(b *testing.B, parse ParseFunc, db func(*testing.B) string, writers int) {
	dir, err := storetest.Corpus(1, benchCorpus())
	if err != nil {
		b.Fatal(err)
	}
	items := corpusItems(b, dir)
	ctx := context.Background()
	var sum store.Summary
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		dsn := db(b)
		stores := make([]*store.Store, writers)
		for i := range stores {
			if stores[i], err = store.Open(ctx, dsn, store.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		sum = store.Summary{}
		var mu sync.Mutex
		add := func(o store.Outcome) { mu.Lock(); sum.Add(o); mu.Unlock() }
		errs := make(chan error, writers)
		b.StartTimer()
		for k, s := range stores {
			go func() {
				errs <- Batch(ctx, s, func(yield func(Item) bool) {
					for i, it := range items {
						if i%writers == k && !yield(it) {
							return
						}
					}
				}, Options{Parse: parse, OnOutcome: add, Workers: max(1, runtime.GOMAXPROCS(0)/writers)})
			}()
		}
		for range stores {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		for _, s := range stores {
			s.Close()
		}
		b.StartTimer()
	}
	if sum.New != len(items) {
		b.Fatalf("%d new of %d: %+v", sum.New, len(items), sum)
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "reports/s")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
	b.ReportMetric(float64(sum.OK+sum.WithFindings)/float64(len(items))*100, "%parsed")
}

// BenchmarkIngest is the end-to-end figure: 10,000 generated HTML and text
// reports, parsed by the pipeline and stored in a fresh database.
func BenchmarkIngest(b *testing.B) { benchIngest(b, nil) }

// BenchmarkIngestStoreOnly measures what the store adds to parsing: the
// same batch, each document's report taken from a cache of a few parsed
// reports (renamed so that each is its own organ), so that the figure is
// hashing, archiving and writing alone.
func BenchmarkIngestStoreOnly(b *testing.B) {
	cache := storetest.Parsed(b)
	var n atomic.Int64
	benchIngest(b, func(_ context.Context, source string, data []byte, _ pipeline.Options) *nianbao.Report {
		r := *cache[int(n.Add(1))%len(cache)]
		r.Source = source
		r.Agency = source // one organ per document: no versions
		return &r
	})
}

// BenchmarkIngestBackends compares the backends on one corpus: SQLite,
// PostgreSQL with one writer, and PostgreSQL with two stores writing half
// each at once (two worker processes on one machine, as it were); the
// whole pipeline ("parse") and the store alone ("store", reports from a
// cache as in BenchmarkIngestStoreOnly). PostgreSQL's runs need a server
// (pgtest). NIANBAO_BENCH_N sets the corpus.
func BenchmarkIngestBackends(b *testing.B) {
	cache := storetest.Parsed(b)
	var n atomic.Int64
	cached := func(_ context.Context, source string, data []byte, _ pipeline.Options) *nianbao.Report {
		r := *cache[int(n.Add(1))%len(cache)]
		r.Source = source
		r.Agency = source
		return &r
	}
	for _, mode := range []struct {
		name  string
		parse ParseFunc
	}{{"parse", nil}, {"store", cached}} {
		b.Run(mode.name+"/sqlite", func(b *testing.B) {
			benchIngestInto(b, mode.parse, func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") }, 1)
		})
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/postgres-%dw", mode.name, w), func(b *testing.B) {
				benchIngestInto(b, mode.parse, func(b *testing.B) string { return pgtest.DB(b) }, w)
			})
		}
	}
}
