package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
)

// checkpointer copies the WAL back into the database file from a
// connection of its own after each commit of a batch, on another core,
// instead of the writer doing it inside the commit that passes 1,000 pages
// (5% of the writer's time, and an fsync it waited for). A passive
// checkpoint never blocks the writer; one that fails costs nothing but a
// longer WAL, and Close folds the WAL back in any case.
//
// SQLite starts the WAL over only when a write transaction begins with
// every frame copied, which a writer that begins as soon as it commits
// never sees: once the WAL passes walRestartFrames, the writer waits for a
// checkpoint of the rest before its next transaction.
type checkpointer struct {
	s      *Store
	db     *sql.DB
	kick   chan struct{}
	done   chan struct{}
	frames atomic.Int64 // the length of the WAL at the last checkpoint
}

// walRestartFrames is the WAL length (pages) at which the writer has it
// started over: 64 MB.
var walRestartFrames int64 = 16384

func (s *Store) startCheckpointer(ctx context.Context) (*checkpointer, error) {
	db, err := sql.Open(driverRW, dsn(s.path, "_busy_timeout=10000"))
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		db.Close()
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	c := &checkpointer{s: s, db: db, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for range c.kick {
			c.checkpoint()
		}
	}()
	return c, nil
}

// checkpoint copies what it can; a busy or failed one is tried again
// after the next commit.
func (c *checkpointer) checkpoint() {
	var busy, frames, copied int64
	if err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err == nil {
		c.frames.Store(frames)
	}
	trimCHeap()
}

// committed asks for a checkpoint, unless one is already waiting.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// beforeBegin is called by the writer between transactions: when the WAL
// is long, it checkpoints the rest itself (waiting for a checkpoint under
// way), so that the next transaction starts the WAL over.
func (c *checkpointer) beforeBegin() {
	if c.frames.Load() < walRestartFrames {
		return
	}
	c.checkpoint()
	c.frames.Store(0)
}

// stop waits for the checkpoint under way and gives checkpointing back to
// the writer.
func (c *checkpointer) stop() error {
	close(c.kick)
	<-c.done
	c.db.Close()
	if _, err := c.s.db.Exec(`PRAGMA wal_autocheckpoint = 1000`); err != nil {
		return fmt.Errorf("checkpointer: %w", err)
	}
	return nil
}
