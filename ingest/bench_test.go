package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nianbao/nianbao"
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
		s, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sum = store.Summary{}
		b.StartTimer()
		err = Batch(ctx, s, func(yield func(Item) bool) {
			for _, it := range items {
				if !yield(it) {
					return
				}
			}
		}, Options{Parse: parse, OnOutcome: sum.Add})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
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
