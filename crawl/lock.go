package crawl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gofrs/flock"

	"github.com/nianbao/nianbao/store"
)

// LockStore takes the crawl lock of a store: the lock file beside a SQLite
// database, a database lock of a PostgreSQL one (store.TryLock). A crawl
// in one process holds it for its whole run; an enqueuing (package queue)
// for its time, so that an enqueued run does not take that run's URLs.
func LockStore(ctx context.Context, st *store.Store) (unlock func(), err error) {
	if !st.Postgres() {
		return lock(st.Path())
	}
	unlock, ok, err := st.TryLock(ctx, "crawl")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: a crawl holds the database's lock", ErrLocked)
	}
	return unlock, nil
}

// ErrLocked is returned when another crawl holds the database.
var ErrLocked = errors.New("another crawl is running on this database")

// LockPath is the lock file of the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".crawl.lock" }

// lock takes the crawl lock of a database: an flock(2) on a file next to
// it. The kernel drops the lock when the process dies, so a killed crawl
// never leaves a stale lock behind.
func lock(dbPath string) (unlock func(), err error) {
	path := LockPath(dbPath)
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder := ""
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			holder = " (pid " + strings.TrimSpace(string(b)) + ")"
		}
		return nil, fmt.Errorf("%w%s: lock file %s", ErrLocked, holder, path)
	}
	// Who holds it, for the message above; the lock itself is the flock.
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	return func() { _ = fl.Unlock() }, nil
}
