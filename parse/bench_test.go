package parse

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/normalize"
)

// benchParse measures extraction + parsing + checks of one sample; the
// pipeline's benchmarks add hashing and sniffing to the same.
func benchParse(b *testing.B, name string) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", name))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		doc, err := extract.Extract(ctx, name, data, "")
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		normalize.Check(rep)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	// CPU time per report: what the work costs, however busy the machine.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-µs/report")
}

// cpuTime returns the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkParseHTML(b *testing.B) { benchParse(b, "shanghai-bgt-2019.html") }
func BenchmarkParseText(b *testing.B) { benchParse(b, "weibin-2019-text.txt") }

// BenchmarkParseOnlyHTML measures Parse alone on an extracted page.
func BenchmarkParseOnlyHTML(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", "shanghai-bgt-2019.html"))
	if err != nil {
		b.Fatal(err)
	}
	doc, err := extract.Extract(context.Background(), "x.html", data, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rep, _ := Parse(doc)
		normalize.Check(rep)
	}
}
