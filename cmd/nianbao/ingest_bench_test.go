package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/storetest"
)

// BenchmarkIngestCommand runs the nianbao binary as a user would, ingesting
// a folder of generated HTML and text reports into a fresh database, and
// reports the throughput, the CPU time per report and the peak resident
// memory of the process (getrusage of the child). Sizes: 1,000 and 10,000
// reports ($NIANBAO_BENCH_N adds another), and 10,000 in a single
// transaction, to show that memory does not grow with the batch.
//
// The databases and archives are all removed at the end, not after each
// run: on ext4 without a journal (this project's benchmark machine),
// creating a file near many files deleted in the last minutes scans past
// them and costs ~0.6 ms of CPU instead of ~20 µs, which an archive of
// 10,000 files deleted just before would charge to the next run. For the
// same reason, point $TMPDIR at a new top-level folder when comparing runs
// of separate invocations.
func BenchmarkIngestCommand(b *testing.B) {
	bin := storeBuild(b)
	root, err := os.MkdirTemp("", "nianbao-ingest-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(root) })
	seq := 0
	type run struct {
		n  int
		tx int
	}
	runs := []run{{1000, 500}, {10000, 500}, {10000, 1_000_000}}
	if n, err := strconv.Atoi(os.Getenv("NIANBAO_BENCH_N")); err == nil && n > 0 {
		runs = append(runs, run{n, 500})
	}
	for _, r := range runs {
		b.Run(fmt.Sprintf("reports=%d/tx=%d", r.n, r.tx), func(b *testing.B) {
			dir, err := storetest.Corpus(1, r.n)
			if err != nil {
				b.Fatal(err)
			}
			var maxRSS int64
			var cpu, wall time.Duration
			for b.Loop() {
				seq++
				db := filepath.Join(root, strconv.Itoa(seq), "bench.db")
				if err := os.Mkdir(filepath.Dir(db), 0o755); err != nil {
					b.Fatal(err)
				}
				cmd := exec.Command(bin, "ingest", "-q", "--tx", strconv.Itoa(r.tx), "--db", db, dir)
				start := time.Now()
				out, err := cmd.Output()
				wall += time.Since(start)
				if err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					maxRSS = max(maxRSS, ru.Maxrss)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(b.N*r.n)/wall.Seconds(), "reports/s")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N*r.n), "CPU-ms/report")
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
		})
	}
}
