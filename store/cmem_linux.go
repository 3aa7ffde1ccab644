//go:build linux && cgo

package store

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
// glibc fixes its arena limit the first time a thread needs an arena of
// its own, so the limit is set when the program is loaded, before any
// thread runs: from Open it came too late and a batch still grew arenas.
__attribute__((constructor)) static void nianbaoLimitArenas(void) { mallopt(M_ARENA_MAX, 1); }
static void trimHeap(void) { malloc_trim(0); }
#else
static void trimHeap(void) {}
#endif
*/
import "C"

// SQLite allocates with C's malloc, from whichever thread the Go scheduler
// runs the call on. glibc gives busy threads arenas of their own (up to 8 a
// core) and keeps what is freed in each, so a long ingest's C heap grew to
// ~20 MB for the ~6–8 MB SQLite uses (sqlite3_memory_used), and kept
// growing with the batch. A program that links this package therefore has
// one malloc arena (see the constructor above), and ingest trims it after
// each checkpoint.

// trimCHeap gives the free pages of the C heap back to the system.
func trimCHeap() { C.trimHeap() }
