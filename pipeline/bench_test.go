package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"
)

// The benchmarks run at the GC settings of the parse command (readGC and
// readLimit in cmd/nianbao/gc.go); GOGC=100 in the environment measures
// Go's default instead.
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(200 << 20)
	}
}

// benchFile measures the whole read of one document: sniffing, extraction,
// parsing, checks. It reports reports/s and allocations per report.
func benchFile(b *testing.B, name string) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", name))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		rep := Read(ctx, name, data, Options{})
		if rep.Template == "" {
			b.Fatalf("%s: %s %s", name, rep.Status, rep.Reason)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	// CPU time per report (every thread, GC included): what a report costs
	// however busy the machine is.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/report")
}

func BenchmarkReadHTML(b *testing.B) { benchFile(b, "shanghai-bgt-2019.html") }
func BenchmarkReadText(b *testing.B) { benchFile(b, "weibin-2019-text.txt") }

// benchParallel is benchFile on every core, as `nianbao parse` runs: the
// throughput of one process.
func benchParallel(b *testing.B, name string) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", name))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rep := Read(ctx, name, data, Options{}); rep.Template == "" {
				b.Errorf("%s: %s %s", name, rep.Status, rep.Reason)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	// CPU time per report (every thread, GC included): what a report costs
	// however busy the machine is.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/report")
}

// cpuTime returns the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkReadHTMLParallel(b *testing.B) { benchParallel(b, "shanghai-bgt-2019.html") }
func BenchmarkReadTextParallel(b *testing.B) { benchParallel(b, "weibin-2019-text.txt") }
