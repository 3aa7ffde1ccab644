package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/hostile"
)

// unbounded lifts every count and size of the budget, so that a benchmark
// measures how the readers' cost grows, not where a limit stops them.
var unbounded = nianbao.Budget{Time: time.Hour, StreamBytes: 1 << 40, DocBytes: 1 << 40, Objects: 1 << 30,
	Pages: 1 << 30, Tables: 1 << 30, Cells: 1 << 40, Text: 1 << 40}

// BenchmarkLinear reads documents of 1×, 10× and 100× a size whole, the
// budget lifted: the time a unit (a table, a copy of the report, a page)
// must stay flat across the three (issue 15 point 2). The cpu-ns/unit
// metric is the one to compare; gc-cpu-ns/unit is the collector's part of
// it, which grows once a document's model nears the soft memory limit of
// the parse command's settings (200 MiB, see bench_test.go) — the readers'
// own work is cpu-ns minus gc-cpu-ns.
//
//	go test -run '^$' -bench Linear -benchtime 1x ./pipeline
func BenchmarkLinear(b *testing.B) {
	weibin, err := os.ReadFile("../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		b.Fatal(err)
	}
	type class struct {
		name  string
		unit  string
		base  int
		write func(*bytes.Buffer, int) error
	}
	classes := []class{
		{"html-tables", "table", 200, func(w *bytes.Buffer, n int) error { return hostile.TablesHTML(w, n) }},
		{"text-copies", "copy", 10, func(w *bytes.Buffer, n int) error { return hostile.Repeat(w, weibin, int64(n*len(weibin))) }},
		{"pdf-pages", "page", 10, func(w *bytes.Buffer, n int) error { return hostile.PagesPDF(w, n) }},
	}
	ctx := nianbao.WithBudget(context.Background(), unbounded)
	for _, c := range classes {
		for _, scale := range scales() {
			n := c.base * scale
			var buf bytes.Buffer
			if err := c.write(&buf, n); err != nil {
				b.Fatal(err)
			}
			name := map[string]string{"html-tables": "x.html", "text-copies": "x.txt", "pdf-pages": "x.pdf"}[c.name]
			b.Run(fmt.Sprintf("%s/%dx", c.name, scale), func(b *testing.B) {
				b.SetBytes(int64(buf.Len()))
				cpu0, gc0 := cpuTime(), gcCPU()
				for b.Loop() {
					rep := Read(ctx, name, buf.Bytes(), Options{})
					if rep.Status == nianbao.StatusError {
						b.Fatalf("%s: %s", c.name, rep.Error)
					}
				}
				// CPU time of the process (the collector's threads
				// included): wall time on a shared machine says more
				// about the neighbours than about the code.
				b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(n), "cpu-ns/"+c.unit)
				b.ReportMetric((gcCPU()-gc0)*1e9/float64(b.N)/float64(n), "gc-cpu-ns/"+c.unit)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/"+c.unit)
			})
		}
	}
}

// gcCPU is the CPU time the collector has used, in seconds (the runtime's
// estimate).
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64()
}

// scales are the sizes of BenchmarkLinear; NIANBAO_SCALES=1,30 changes
// them (for a profile of one size).
func scales() []int {
	s := os.Getenv("NIANBAO_SCALES")
	if s == "" {
		return []int{1, 10, 100}
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		var n int
		fmt.Sscan(f, &n)
		out = append(out, n)
	}
	return out
}
