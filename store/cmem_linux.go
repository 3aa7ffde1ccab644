//go:build linux && cgo

package store

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void limitArenas(void) { mallopt(M_ARENA_MAX, 1); }
static void trimHeap(void) { malloc_trim(0); }
#else
static void limitArenas(void) {}
static void trimHeap(void) {}
#endif
*/
import "C"

import "sync"

// SQLite allocates with C's malloc, from whichever thread the Go scheduler
// runs the call on. glibc gives busy threads arenas of their own (up to 8 a
// core) and keeps what is freed in each, so a long ingest's C heap grew to
// ~20 MB for the ~6–8 MB SQLite uses (sqlite3_memory_used), and kept
// growing with the batch. One arena, trimmed after each checkpoint, holds
// it to what is in use: 10,000 reports 76 → 70 MB peak RSS, no slower.
var limitArenasOnce sync.Once

// tuneCHeap is called when a store is opened for writing.
func tuneCHeap() { limitArenasOnce.Do(func() { C.limitArenas() }) }

// trimCHeap gives the free pages of the C heap back to the system.
func trimCHeap() { C.trimHeap() }
