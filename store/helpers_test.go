package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/pipeline"
)

// fixedClock gives time stamps a test controls.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func openFake(t testing.TB, clock *fixedClock) *Store {
	t.Helper()
	var opt Options
	if clock != nil {
		opt.Now = clock.now
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ingester returns a function that ingests one document into s, failing
// the test on a storage error.
func ingester(t *testing.T, s *Store) func(source string, data []byte) Outcome {
	return func(source string, data []byte) Outcome {
		t.Helper()
		out, err := s.ingest(context.Background(), Input{Source: source, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// The fake parser and the dumps are shared with the ingest package's tests.
var (
	fakeParse = storetest.FakeParse
	fakeDoc   = storetest.FakeDoc
	dump      = storetest.Dump
	count     = storetest.Count
)

// Input is one document for the store's tests.
type Input struct {
	Source string
	Data   []byte
	Fetch  *Fetch
}

// testParse reads the documents of the store's tests: fakeParse, unless a
// test replaces it (setParse).
var testParse = fakeParse

func setParse(t testing.TB, parse func(context.Context, string, []byte, pipeline.Options) *nianbao.Report) {
	testParse = parse
	t.Cleanup(func() { testParse = fakeParse })
}

// prepareDoc does what package ingest does before the writer — hash, look
// up, archive, parse — since these tests cannot import it (it imports this
// package).
func (s *Store) prepareDoc(ctx context.Context, source string, fetch *Fetch, data []byte, reparse int64) *Doc {
	sum := sha256.Sum256(data)
	d := &Doc{Source: source, Fetch: fetch, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Reparse: reparse}
	if reparse == 0 {
		known, err := s.Known(ctx, d.SHA256)
		if err == nil {
			err = s.ArchivePut(d.SHA256, data)
		}
		if err != nil || known {
			d.Known, d.Err = known, err
			return d
		}
	}
	if err := d.SetReport(testParse(ctx, source, data, pipeline.Options{SHA256: d.SHA256})); err != nil {
		d.Err = err
	}
	return d
}

// ingest writes one document in a transaction of its own, as ingest.One
// does.
func (s *Store) ingest(ctx context.Context, in Input) (Outcome, error) {
	return s.Write(ctx, s.prepareDoc(ctx, in.Source, in.Fetch, in.Data, 0))
}
