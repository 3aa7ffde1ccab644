package ingest

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// The fake parser and the dumps of the store's tests.
var (
	fakeParse = storetest.FakeParse
	fakeDoc   = storetest.FakeDoc
	dump      = storetest.Dump
	count     = storetest.Count
)

// fixedClock gives time stamps a test controls.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

// fakeStore is a store ingested into with the fake parser (which a test
// may replace), and a write connection of the test's own for changing the
// database behind the store's back (a trigger that refuses a row).
type fakeStore struct {
	*store.Store
	db    *sql.DB
	parse ParseFunc
}

func openFake(t testing.TB, clock *fixedClock) *fakeStore {
	t.Helper()
	var opt store.Options
	if clock != nil {
		opt.Now = clock.now
	}
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := store.Open(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	db, err := sql.Open("sqlite3", "file:"+u.EscapedPath()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); st.Close() })
	return &fakeStore{Store: st, db: db, parse: fakeParse}
}

func (s *fakeStore) Ingest(ctx context.Context, in Input) (store.Outcome, error) {
	return One(ctx, s.Store, in, Options{Parse: s.parse})
}

func (s *fakeStore) IngestBatch(ctx context.Context, items func(func(Item) bool), opt Options) error {
	opt.Parse = s.parse
	return Batch(ctx, s.Store, items, opt)
}

// ReparseOptions are Reparse's arguments in one value.
type ReparseOptions struct {
	All bool
	Options
}

func (s *fakeStore) Reparse(ctx context.Context, opt ReparseOptions) error {
	opt.Parse = s.parse
	return Reparse(ctx, s.Store, opt.All, opt.Options)
}

// ingester returns a function that ingests one document into s, failing
// the test on a storage error.
func ingester(t *testing.T, s *fakeStore) func(source string, data []byte) store.Outcome {
	return func(source string, data []byte) store.Outcome {
		t.Helper()
		out, err := s.Ingest(context.Background(), Input{Source: source, Data: data})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}
