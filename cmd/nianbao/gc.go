package main

import (
	"os"
	"runtime/debug"
)

// GC settings for batch runs. Reading a report allocates ~200 KB (text) to
// ~400 KB (HTML) and keeps almost none of it, so at Go's default (GOGC=100,
// a 4 MB heap goal when little is live) a batch collects a few hundred
// times a second, and every cycle stops and scans both workers. Measured
// on the text sample, two workers: 370 CPU-µs per report at GOGC=100, 300
// at 200, 280 at 400.
//
// Batches that store (ingest, crawl) run for hours and must not grow: they
// collect only when the heap reaches storeLimit. A percentage would let
// the heap goal follow the live heap, which rises by a few MB as the label
// caches fill, so 100,000 reports would take more memory than 1,000 (at
// GOGC=200: 10,000 reports 76 MB peak RSS against 57 MB for 1,000; with the
// limit, 57 and 55 MB, same time). The live heap of a batch is 12–16 MB
// (gctrace on 10,000 generated reports; the divisions table that places
// organs is 3 MB of it), so the limit leaves ~30 MB of garbage between
// collections: at 40 MiB a cycle came every ~20 MB and collecting was a
// fifth of a batch's CPU. A document that needs more than the limit is
// still read, the collector then working harder (the runtime caps it at
// half the CPU) until it is done.
const (
	readGC  = 400 // batches that only read: parse
	storeGC = -1  // batches that also store: collect at storeLimit only

	readLimit  = 200 << 20 // soft: the collector works harder past it
	storeLimit = 64 << 20
)

// tuneGC sets the GC percentage (readGC, or storeGC: off) and the soft
// memory limit for a batch, unless GOGC or GOMEMLIMIT in the environment
// say otherwise. main calls it once at start, for the command it runs;
// pipeline's read benchmarks set the same values.
func tuneGC(percent int) {
	limit := int64(readLimit)
	if percent < 0 {
		limit = storeLimit
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
