package store

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// While a Writer is open, the WAL is copied back after each commit and
// started over once it passes walRestartFrames, instead of growing with
// the batch; after Close the writer checkpoints by itself again. The
// checkpoints run here synchronously after each commit, so the WAL's
// length does not depend on how the checkpointer's goroutine was scheduled.
func TestWriterCheckpointsAsItGoes(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	defer func(n int64) { walRestartFrames = n }(walRestartFrames)
	walRestartFrames = 100
	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w.ckpt == nil {
		t.Fatal("no checkpointer")
	}
	var maxWAL int64
	for i := range 300 {
		d := fakeDoc("机关"+strconv.Itoa(i), 2023, "cell t3.new.total="+strconv.Itoa(i), "section 1=第"+strconv.Itoa(i)+"份报告的文字")
		if out, err := w.Write(s.prepareDoc(ctx, strconv.Itoa(i), nil, d, 0)); err != nil || out.Result != ResultNew {
			t.Fatal(out, err)
		}
		if i%10 == 9 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			w.ckpt.checkpoint()
			if fi, err := os.Stat(s.Path() + "-wal"); err == nil {
				maxWAL = max(maxWAL, fi.Size())
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// Started over at 100 pages, the WAL never holds much more than that
	// and one transaction (~20 pages here); unchecked it would pass 600.
	if pages := maxWAL / 4096; pages > 200 {
		t.Errorf("WAL grew to %d pages (database %d bytes): not started over during the batch", pages, db.Size())
	}
	if n := count(t, s.db, `PRAGMA wal_autocheckpoint`); n != 1000 {
		t.Errorf("wal_autocheckpoint %d after the batch, want 1000", n)
	}
}
