package pipeline

import (
	"os"
	"runtime/debug"
)

// GC settings for batch runs. Reading a report allocates ~200 KB (text) to
// ~400 KB (HTML) and keeps almost none of it, so at Go's default (GOGC=100,
// a 4 MB heap goal when little is live) a batch collects a few hundred
// times a second, and every cycle stops and scans both workers. Measured
// on the text sample, two workers: 370 CPU-µs per report at GOGC=100, 300
// at 200, 280 at 400. Ingest is bound by its single database writer
// instead: 10,000 reports took the same 10.0 s at 200 and 400, with a peak
// RSS of 75 MB against 101 MB.
const (
	ReadGC  = 400 // batches that only read: parse
	StoreGC = 200 // batches that also store: ingest, crawl

	memLimit = 200 << 20 // soft: the collector works harder past it
)

// TuneGC sets the GC percentage (ReadGC or StoreGC) and the soft memory
// limit for a batch, unless GOGC or GOMEMLIMIT in the environment say
// otherwise. The commands call it once at start; the read benchmarks call
// it so that they measure what the parse command does.
func TuneGC(percent int) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memLimit)
	}
}
