//go:build linux && cgo

package main

/*
#ifdef __GLIBC__
#include <malloc.h>
// glibc fixes its arena limit the first time a thread needs an arena of
// its own, so the limit is set when the program is loaded, before any
// thread runs: set later, a batch still grew arenas.
__attribute__((constructor)) static void nianbaoLimitArenas(void) { mallopt(M_ARENA_MAX, 1); }
#endif
*/
import "C"

// SQLite allocates with C's malloc, from whichever thread the Go scheduler
// runs the call on. glibc gives busy threads arenas of their own (up to 8 a
// core) and keeps what is freed in each, so a long ingest's C heap grew to
// ~20 MB for the ~6–8 MB SQLite uses, and kept growing with the batch.
// nianbao therefore runs with one malloc arena (MALLOC_ARENA_MAX=1 in the
// environment does the same for another program that uses the store), and
// the store trims it after each checkpoint.
