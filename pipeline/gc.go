package pipeline

import (
	"os"
	"runtime/debug"
)

// GC settings for batch runs. Reading a report allocates ~200 KB (text) to
// ~500 KB (HTML) and keeps almost none of it, so at Go's default (GOGC=100,
// a 4 MB heap goal when little is live) a batch collects a few hundred
// times a second, and every cycle stops and scans both workers. Measured
// on the text sample, two workers: 370 CPU-µs per report at GOGC=100, 300
// at 200, 280 at 400. The soft limit keeps the heap under 200 MB, where the
// collector works harder instead.
const (
	gcPercent = 400
	memLimit  = 200 << 20
)

// TuneGC applies the batch GC settings to the process, unless GOGC or
// GOMEMLIMIT in the environment say otherwise. The commands call it once at
// start; the benchmarks call it so that they measure what the commands do.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memLimit)
	}
}
