//go:build linux && cgo

package store

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void trimHeap(void) { malloc_trim(0); }
#else
static void trimHeap(void) {}
#endif
*/
import "C"

// SQLite allocates with C's malloc, and glibc keeps what is freed: a long
// ingest's C heap grew with the batch while SQLite itself used ~6–8 MB
// (sqlite3_memory_used). The checkpointer gives the free pages back after
// each checkpoint. How many malloc arenas the process has is the program's
// setting, not this package's: cmd/nianbao limits them to one.

// trimCHeap gives the free pages of the C heap back to the system.
func trimCHeap() { C.trimHeap() }
