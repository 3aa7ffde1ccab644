package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao/internal/pgtest"
)

// backend is a database a test runs on: a SQLite file or a PostgreSQL
// database of its own (pgtest).
type backend struct {
	name string
	dsn  string
}

// open opens (creating) the backend's store, closed when the test ends.
func (b backend) open(t testing.TB, clock *fixedClock) *Store {
	t.Helper()
	var opt Options
	if clock != nil {
		opt.Now = clock.now
	}
	s, err := Open(context.Background(), b.dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (b backend) pg() bool { return b.name == "postgres" }

// forBackends runs a test's body on SQLite and on PostgreSQL, as subtests
// "sqlite" and "postgres" (skipped without a server, see pgtest).
func forBackends(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "test.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, backend{name: "postgres", dsn: pgtest.DB(t)})
	})
}

// sqlFor picks a test's SQL by backend, where the two must differ.
func (b backend) sqlFor(sqlite, postgres string) string {
	if b.pg() {
		return postgres
	}
	return sqlite
}
