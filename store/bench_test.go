package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/pgtest"
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

// BenchmarkWriter measures the single writer alone: documents already
// hashed, archived and parsed (a cache of parsed reports, each renamed to
// its own organ) are written in transactions of 500, as ingest.Batch does.
// ms/report is the writer goroutine's cost, the bound on a batch's rate.
func BenchmarkWriter(b *testing.B) {
	benchWriter(b, func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") })
}

// BenchmarkWriterPostgres is BenchmarkWriter on PostgreSQL (a fresh
// database each round; $NIANBAO_BENCH_PG_PARAMS is added to its address).
func BenchmarkWriterPostgres(b *testing.B) {
	benchWriter(b, func(b *testing.B) string { return pgtest.DB(b) + os.Getenv("NIANBAO_BENCH_PG_PARAMS") })
}

func benchWriter(b *testing.B, db func(*testing.B) string) {
	cache := storetest.Parsed(b)
	n := benchCorpus()
	ctx := context.Background()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, db(b), Options{})
		if err != nil {
			b.Fatal(err)
		}
		xsql(b, s)
		docs := make([]*Doc, n)
		for i := range docs {
			r := *cache[i%len(cache)]
			r.Source = "doc" + strconv.Itoa(i)
			r.Agency = r.Source
			docs[i] = &Doc{Source: r.Source, SHA256: fmt.Sprintf("%064x", i), Size: 1000}
			if err := docs[i].SetReport(&r); err != nil {
				b.Fatal(err)
			}
		}
		w, err := s.NewWriter(ctx)
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := cpuTime()
		b.StartTimer()
		for i, d := range docs {
			out, err := w.Write(d)
			if err != nil || out.Result != ResultNew {
				b.Fatal(out, err)
			}
			if i%500 == 499 || i == n-1 {
				if err := w.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*n), "ms/report")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N*n), "CPU-ms/report")
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
	cache := storetest.Parsed(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := buildRows(cache[i%len(cache)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
