package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/internal/storetest"
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
	var sum Summary
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{Parse: parse})
		if err != nil {
			b.Fatal(err)
		}
		sum = Summary{}
		xsql(b, s)
		b.StartTimer()
		err = s.IngestBatch(ctx, func(yield func(Item) bool) {
			for _, it := range items {
				if !yield(it) {
					return
				}
			}
		}, BatchOptions{OnOutcome: sum.Add})
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
	cache := parsedCache(b)
	var n atomic.Int64
	benchIngest(b, func(_ context.Context, source string, data []byte, _ pipeline.Options) *nianbao.Report {
		r := *cache[int(n.Add(1))%len(cache)]
		r.Source = source
		r.Agency = source // one organ per document: no versions
		return &r
	})
}

// BenchmarkWriter measures the single writer alone: documents already
// hashed, archived and parsed (a cache of parsed reports, each renamed to
// its own organ) are written in transactions of 500, as IngestBatch does.
// ms/report is the writer goroutine's cost, the bound on a batch's rate.
func BenchmarkWriter(b *testing.B) {
	cache := parsedCache(b)
	n := benchCorpus()
	ctx := context.Background()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		xsql(b, s)
		ps := make([]*prepared, n)
		for i := range ps {
			r := *cache[i%len(cache)]
			r.Source = "doc" + strconv.Itoa(i)
			r.Agency = r.Source
			ps[i] = &prepared{source: r.Source, sha: fmt.Sprintf("%064x", i), size: 1000, rep: &r}
			if ps[i].rows, err = buildRows(&r); err != nil {
				b.Fatal(err)
			}
		}
		ckpt, err := s.startCheckpointer(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := cpuTime()
		b.StartTimer()
		var w *txWriter
		for i, p := range ps {
			if w == nil {
				ckpt.beforeBegin()
				if w, err = s.begin(ctx); err != nil {
					b.Fatal(err)
				}
			}
			out, err := w.writeItem(p)
			if err != nil || out.Result != ResultNew {
				b.Fatal(out, err)
			}
			if i%500 == 499 || i == n-1 {
				if err := w.commit(); err != nil {
					b.Fatal(err)
				}
				ckpt.committed()
				w = nil
			}
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		if err := ckpt.stop(); err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*n), "ms/report")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N*n), "CPU-ms/report")
}

// parsedCache parses a few generated reports for the benchmarks that
// leave the parser out.
func parsedCache(b *testing.B) []*nianbao.Report {
	var cache []*nianbao.Report
	for i := range 16 {
		name, data := storetest.Doc(1, i)
		rep := pipeline.Read(context.Background(), name, data, pipeline.Options{})
		if rep.Status == nianbao.StatusOK || rep.Status == nianbao.StatusFindings {
			cache = append(cache, rep)
		}
	}
	if len(cache) == 0 {
		b.Fatal("no generated report parsed")
	}
	return cache
}

// xsql runs the statements of $XSQL (separated by ";") on the write
// connection, to try pragmas in the benchmarks.
func xsql(b *testing.B, s *Store) {
	for _, q := range strings.Split(os.Getenv("XSQL"), ";") {
		if q != "" {
			if _, err := s.db.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// cpuTime is the CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuildRows measures what a batch worker adds to a parse to make
// a report's rows for the writer (the cells' JSON, findings, sections).
func BenchmarkBuildRows(b *testing.B) {
	cache := parsedCache(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := buildRows(cache[i%len(cache)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
