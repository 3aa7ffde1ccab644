package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/nianbao/nianbao/organ"
)

// A PostgreSQL store is the same store on a server: the same tables, views
// and column names (migrations/postgres), the same Go code for versions,
// copies and the cross-year rules, its statements rebound (dialect.go).
// What differs:
//
//   - writers: several processes write at once. Documents are unique by
//     hash (INSERT … ON CONFLICT DO NOTHING: a document another writer
//     stored meanwhile is seen again, not stored twice); the versions of an
//     organ are renumbered under a transaction-scoped advisory lock of the
//     organ (pg_advisory_xact_lock), so that two writers never give two
//     reports one version; a transaction that meets a deadlock or a
//     serialization failure is run again;
//   - cells go in with COPY, in the report's transaction;
//   - the document bytes are in the archive table, not in files;
//   - full-text search is pg_trgm's trigram index on sections.text;
//   - a read-only store runs each query in a READ ONLY transaction, as the
//     role nianbao_reader where the server let the migration make it, with
//     a statement timeout.

// pgWriteConns bounds a PostgreSQL store's connections in one process.
const pgWriteConns = 8

// pgReadTimeout is the statement timeout of a read-only store, unless the
// address sets one (statement_timeout=…).
const pgReadTimeout = "10min"

func openPostgres(ctx context.Context, dsn string, opt Options) (*Store, error) {
	shown := redactDSN(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", shown, err)
	}
	s := &Store{pg: true, path: shown, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	// No JIT compilation unless the address asks for it: the views'
	// plans cost enough to have it, and compiling them took longer than
	// running them (v_panel of 3,000 reports: 0.55 s of its 1.2 s).
	if _, ok := cfg.RuntimeParams["jit"]; !ok {
		cfg.RuntimeParams["jit"] = "off"
	}
	if opt.ReadOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
		if _, ok := cfg.RuntimeParams["statement_timeout"]; !ok {
			cfg.RuntimeParams["statement_timeout"] = pgReadTimeout
		}
		s.rdb = sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cfg), readOnly: true})
		var n int
		if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()`).Scan(&n); err != nil {
			s.rdb.Close()
			return nil, fmt.Errorf("open store %s: %w", shown, err)
		}
		if n == 0 {
			s.rdb.Close()
			return nil, fmt.Errorf("open store %s: no nianbao database there (run nianbao ingest first)", shown)
		}
		return s, nil
	}
	s.db = sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*cfg)})
	s.db.SetMaxOpenConns(pgWriteConns)
	s.db.SetMaxIdleConns(pgWriteConns)
	// The archive's inserts commit without waiting for the disk: the
	// document that names the bytes commits after them and waits, and
	// PostgreSQL's log is written in order, so the bytes are on disk
	// before any row that needs them; bytes of a document that never
	// committed are the same as the SQLite store's file left behind.
	acfg := cfg.Copy()
	if acfg.RuntimeParams == nil {
		acfg.RuntimeParams = map[string]string{}
	}
	acfg.RuntimeParams["synchronous_commit"] = "off"
	s.adb = sql.OpenDB(pgConnector{inner: stdlib.GetConnector(*acfg)})
	s.adb.SetMaxOpenConns(pgWriteConns)
	s.adb.SetMaxIdleConns(pgWriteConns)
	fail := func(err error) (*Store, error) {
		s.adb.Close()
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", shown, err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		return fail(err)
	}
	// The fields table and the divisions' date are kept in step under the
	// migrations' lock: processes opening the store at once would write
	// them together.
	err = migratePostgres(ctx, s.db, func(conn migrator) error {
		if err := syncFields(ctx, conn); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO store_meta(key, value) VALUES ('divisions_date', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE store_meta.value <> excluded.value`, organ.BundledDate)
		return err
	})
	if err != nil {
		return fail(err)
	}
	s.rdb = s.db
	if s.known, err = s.db.PrepareContext(ctx, `SELECT 1 FROM documents WHERE sha256 = ?`); err != nil {
		return fail(err)
	}
	return s, nil
}

// redactDSN returns a PostgreSQL address without its password.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// retry runs fn again while it fails for its timing alone (retryable), a
// few times, with a short wait that grows.
func (s *Store) retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < pgRetries; attempt++ {
		if err = fn(); err == nil || !s.pg || !retryable(err) {
			return err
		}
		pgRetried.Add(1)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// pgRetries is how many times a transaction is tried.
const pgRetries = 20

// pgRetried counts the transactions run again (tests report it).
var pgRetried atomic.Int64

// pgArchivePut stores data in the archive table; bytes already there are
// left as they are.
func (s *Store) pgArchivePut(sha string, data []byte) error {
	_, err := s.adb.ExecContext(context.Background(), `INSERT INTO archive(sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, sha, data)
	if err != nil {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	return nil
}

func (s *Store) pgArchiveGet(sha string) ([]byte, error) {
	var data []byte
	err := s.rdb.QueryRowContext(context.Background(), `SELECT data FROM archive WHERE sha256 = ?`, sha).Scan(&data)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("archive %s: missing from the archive table", sha)
	case err != nil:
		return nil, fmt.Errorf("archive %s: %w", sha, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != sha {
		return nil, fmt.Errorf("archive %s: the stored bytes no longer match their hash", sha)
	}
	return data, nil
}

// pgArchiveDrop removes stored bytes whose document is not stored.
func (s *Store) pgArchiveDrop(ctx context.Context, sha string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM archive WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = archive.sha256)`, sha)
	if err != nil {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	return nil
}

// pgLockOrgan takes the transaction's advisory lock of an organ: its
// versions and cross-year findings are written by one transaction at a
// time. Taken once per transaction.
func (w *txWriter) pgLockOrgan(organ int64) error {
	if !w.s.pg || w.locked[organ] {
		return nil
	}
	if _, err := w.conn.ExecContext(w.ctx, `SELECT pg_advisory_xact_lock(?, ?)`, int32(pgOrganLock), int32(organ)); err != nil {
		return fmt.Errorf("lock organ %d: %w", organ, err)
	}
	if w.locked == nil {
		w.locked = map[int64]bool{}
	}
	w.locked[organ] = true
	return nil
}

// pgOrganLock is the first key of the organs' advisory locks ('nbor').
const pgOrganLock = 0x6e626f72

// pgWriteChildren writes a report's cells with COPY, and its findings and
// sections in one batch (one round trip), on the transaction's connection.
// PostgreSQL's trigram index follows the sections by itself.
func (w *txWriter) pgWriteChildren(repID int64, r *rows) error {
	cells, err := decodeCells(repID, r)
	if err != nil {
		return err
	}
	return w.conn.Raw(func(dc any) error {
		c, ok := dc.(*pgConn)
		if !ok {
			return errors.New("children: not a PostgreSQL connection")
		}
		pc := c.Conn.Conn()
		if len(cells) > 0 {
			if _, err := pc.CopyFrom(w.ctx, pgx.Identifier{"cells"}, cellColumns, pgx.CopyFromRows(cells)); err != nil {
				return fmt.Errorf("cells: %w", err)
			}
		}
		var b pgx.Batch
		for _, f := range r.findings {
			b.Queue(pgSQL(qFindingInsert), repID, f.rule, f.cells, f.detail, f.expected, f.actual)
		}
		for _, sec := range r.sections {
			b.Queue(pgSQL(qSectionInsert), repID, sec.section, sec.text)
		}
		if b.Len() == 0 {
			return nil
		}
		br := pc.SendBatch(w.ctx, &b)
		for range b.Len() {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return fmt.Errorf("findings and sections: %w", err)
			}
		}
		return br.Close()
	})
}

// cellColumns are the columns COPY writes, in the order of decodeCells.
var cellColumns = []string{"report_id", "key", "value", "raw", "blank", "tbl", "row", "col", "engine",
	"unit", "uncertain", "extra", "label", "page", "x0", "y0", "x1", "y1", "derived"}

// decodeCells reads back the rows encodeCells wrote (the JSONB arrays
// SQLite expands itself) as the values of cellColumns.
func decodeCells(repID int64, r *rows) ([][]any, error) {
	var out [][]any
	for _, part := range []struct {
		b     []byte
		plain bool
	}{{r.plain, true}, {r.full, false}} {
		if len(part.b) == 0 {
			continue
		}
		arr, err := jsonbRows(part.b)
		if err != nil {
			return nil, fmt.Errorf("cells: %w", err)
		}
		for _, in := range arr {
			row := make([]any, len(cellColumns))
			row[0] = repID
			for i, v := range in {
				if i+1 >= len(row) {
					break
				}
				row[i+1] = v
			}
			if part.plain {
				row[8] = nullString(r.engine)
			}
			for _, i := range []int{2, 13, 14, 15, 16, 17} { // value, page, box
				if n, ok := row[i].(json.Number); ok {
					f, err := strconv.ParseFloat(string(n), 64)
					if err != nil && !math.IsInf(f, 0) {
						return nil, fmt.Errorf("cells: %s: %w", row[1], err)
					}
					if i == 13 {
						row[i] = int64(f)
					} else {
						row[i] = f
					}
				}
			}
			for _, i := range []int{5, 6, 7, 11, 18} { // tbl, row, col, extra, derived
				if n, ok := row[i].(json.Number); ok {
					v, err := n.Int64()
					if err != nil {
						return nil, fmt.Errorf("cells: %s: %w", row[1], err)
					}
					row[i] = v
				}
			}
			if row[11] == nil {
				row[11] = int64(0)
			}
			if row[18] == nil {
				row[18] = int64(0)
			}
			out = append(out, row)
		}
	}
	return out, nil
}

// pgWrite is Writer.Write on PostgreSQL: the document is kept until the
// transaction commits, so that a transaction another writer made fail is
// written again whole.
func (w *Writer) pgWrite(d *Doc) (Outcome, error) {
	if w.tx == nil {
		if err := w.pgBegin(); err != nil {
			return Outcome{}, err
		}
	}
	out, err := w.tx.writeItem(d)
	if err != nil && retryable(err) {
		w.docs = append(w.docs, d)
		if err := w.pgReplay(nil); err != nil {
			return Outcome{}, err
		}
		return w.replayed[len(w.replayed)-1], nil
	}
	if err != nil {
		return Outcome{}, err
	}
	w.docs = append(w.docs, d)
	if w.replayed != nil {
		w.replayed = append(w.replayed, out)
	}
	return out, nil
}

func (w *Writer) pgBegin() error {
	tx, err := w.s.begin(w.ctx)
	if err != nil {
		return err
	}
	w.tx = tx
	return nil
}

// pgReplay rolls back the open transaction and writes its documents again
// in a new one, as often as it takes (pgRetries). replayed then holds
// their outcomes, in order. commitToo also commits.
func (w *Writer) pgReplay(commitToo func() error) error {
	var err error
	for attempt := 0; attempt < pgRetries; attempt++ {
		if w.tx != nil {
			w.tx.rollback()
			w.tx = nil
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
		if err = w.pgBegin(); err != nil {
			return err
		}
		outs := make([]Outcome, 0, len(w.docs))
		for _, d := range w.docs {
			var out Outcome
			if out, err = w.tx.writeItem(d); err != nil {
				break
			}
			outs = append(outs, out)
		}
		if err == nil && commitToo != nil {
			err = commitToo()
		}
		if err == nil {
			w.replayed = outs
			return nil
		}
		if !retryable(err) {
			return err
		}
		pgRetried.Add(1)
	}
	return fmt.Errorf("write: gave up after %d attempts: %w", pgRetries, err)
}

// pgCommit is Writer.Commit on PostgreSQL.
func (w *Writer) pgCommit() error {
	w.committed = nil
	if w.tx == nil {
		return nil
	}
	err := w.tx.commit()
	w.tx = nil
	if err != nil && retryable(err) {
		err = w.pgReplay(func() error {
			err := w.tx.commit()
			w.tx = nil
			return err
		})
	}
	w.docs = w.docs[:0]
	w.committed, w.replayed = w.replayed, nil
	return err
}

// Replayed returns, after a Commit, the outcomes of the documents it
// committed when their transaction had to be written again (PostgreSQL, a
// deadlock with another writer): they replace those Write returned, which
// may have changed (a document another writer stored meanwhile is now
// unchanged). nil when nothing was written again.
func (w *Writer) Replayed() []Outcome { return w.committed }

// TryLock takes a lock named name that lasts until unlock or the end of
// the process, for work one process at a time may do on the database (a
// crawl): on PostgreSQL a session advisory lock on a connection of its
// own. ok is false when another holds it. On SQLite it fails: lock a file
// beside the database instead.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if !s.pg || s.db == nil {
		return nil, false, errors.New("lock: only a writable PostgreSQL store has database locks")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?, hashtext(?))`, int32(pgNamedLock), name).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?, hashtext(?))`, int32(pgNamedLock), name)
		conn.Close()
	}, true, nil
}

// pgNamedLock is the first key of TryLock's locks ('nblk').
const pgNamedLock = 0x6e626c6b
