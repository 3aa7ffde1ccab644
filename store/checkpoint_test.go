package store

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// During a batch the WAL is copied back by the checkpointer: it is reused
// from its start instead of growing with the batch, and the writer
// checkpoints by itself again afterwards.
func TestBatchCheckpointsAsItGoes(t *testing.T) {
	s := openFake(t, nil)
	defer func(n int64) { walRestartFrames = n }(walRestartFrames)
	walRestartFrames = 100
	items := func(yield func(Item) bool) {
		for i := range 300 {
			d := fakeDoc("机关"+strconv.Itoa(i), 2023, "cell t3.new.total="+strconv.Itoa(i), "section 1=第"+strconv.Itoa(i)+"份报告的文字")
			if !yield(Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }}) {
				return
			}
		}
	}
	if err := s.IngestBatch(context.Background(), items, BatchOptions{TxDocs: 10}); err != nil {
		t.Fatal(err)
	}
	db, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.Stat(s.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if wal.Size() > db.Size()/3 {
		t.Errorf("WAL of %d bytes for a database of %d: not checkpointed during the batch", wal.Size(), db.Size())
	}
	if n := count(t, s.db, `PRAGMA wal_autocheckpoint`); n != 1000 {
		t.Errorf("wal_autocheckpoint %d after the batch, want 1000", n)
	}
}
