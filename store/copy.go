package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Copy moves a whole store into another database — SQLite to PostgreSQL,
// or back, or between two of a kind — without reading a document again:
// every table row for row with its ids, so that every reference (a
// report's document, organ, superseded_by and same_as, a finding's other
// report, a section's report) stays valid, and the archive's bytes through
// the stores' own archive (files beside a SQLite database, the archive
// table of a PostgreSQL one).
//
// The target is written in one transaction: either all of it lands or
// nothing does (a failure, a cancelled context, a verification that does
// not match). The document bytes go first, outside it, as a writer stores
// them (bytes before their document); those of a copy that fails are
// removed again (ArchiveDrop). The source is read in one snapshot (a
// read transaction), so that a crawl writing to it meanwhile does not
// make the copy inconsistent.

// CopyOptions tune Copy.
type CopyOptions struct {
	// Replace empties a target that holds a store already (in the same
	// transaction) instead of refusing it.
	Replace bool
	// Progress, when not nil, is called as the copy goes: at the start and
	// end of each table and every few thousand rows (one call at a time).
	Progress func(CopyProgress)
}

// CopyProgress says where a copy is.
type CopyProgress struct {
	Table string // a table, or "archive" for the document bytes
	Done  int64  // rows (documents for the archive) copied so far
	Total int64  // rows in the source
}

// CopyStats is what a copy did and what its verification found.
type CopyStats struct {
	Tables []CopyTable
	// Checks compare the source and the target after the copy, in its
	// transaction: counts per table, the archive, and sums that say the
	// figures, versions, findings and prose are the same.
	Checks []CopyCheck
	// ArchiveDocs and ArchiveBytes are the documents whose bytes were
	// read from the source (their hashes checked) and written.
	ArchiveDocs, ArchiveBytes int64
	// Cleaned counts text values PostgreSQL's text cannot hold (a NUL
	// byte, bytes that are not UTF-8), written with the NULs left out and
	// the bad bytes replaced by U+FFFD.
	Cleaned int64
	Took    time.Duration
}

// CopyTable is one table copied.
type CopyTable struct {
	Name string
	Rows int64
	Took time.Duration
}

// CopyCheck is one comparison of the verification.
type CopyCheck struct {
	What           string
	Source, Target string
	OK             bool
}

// Mismatched returns the checks that failed.
func (st *CopyStats) Mismatched() []CopyCheck {
	var out []CopyCheck
	for _, c := range st.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// ErrNotEmpty is the error of a copy into a database that holds a store
// already (without CopyOptions.Replace).
var ErrNotEmpty = errors.New("the target holds a store already")

// ErrCopyMismatch is the error of a copy whose verification found the
// target different from the source: nothing was committed.
var ErrCopyMismatch = errors.New("the copy does not match its source")

// copyTable is a table a copy moves, in an order that writes a row after
// the rows it refers to.
type copyTable struct {
	name  string
	order string // the primary key: rows are read in its order
	// ident: an id column, whose PostgreSQL identity is set past the
	// largest id after the copy.
	ident bool
	// program: rows the program writes when it opens a store (the
	// fields, the divisions' date): replaced, never a reason to refuse.
	program bool
}

var copyTables = []copyTable{
	{name: "store_meta", order: "key", program: true},
	{name: "fields", order: "key", program: true},
	{name: "organs", order: "id", ident: true},
	{name: "organ_names", order: "name"},
	{name: "documents", order: "id", ident: true},
	{name: "document_sources", order: "document_id, source"},
	{name: "reports", order: "id", ident: true},
	{name: "cells", order: "report_id, key"},
	{name: "findings", order: "id", ident: true},
	{name: "sections", order: "id", ident: true},
	{name: "crawl_runs", order: "id", ident: true},
	{name: "frontier", order: "url"},
}

// copyProgressEvery is how many rows pass between two progress calls (and
// two looks at the context); a variable for the tests.
var copyProgressEvery int64 = 5000

// copyArchiveWorkers is how many documents' bytes are copied at once.
const copyArchiveWorkers = 4

// querier is a transaction or a connection.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Copy copies the store from into the store to (see above). Both must be
// open for writing (Open brings their schemas to the latest migration;
// nothing is written to from). A target holding reports, documents,
// organs or a crawl frontier is refused (ErrNotEmpty) unless opt.Replace.
// The stats are returned with a verification that failed
// (ErrCopyMismatch), to say what differed.
func Copy(ctx context.Context, from, to *Store, opt CopyOptions) (*CopyStats, error) {
	start := time.Now()
	c := &copier{from: from, to: to, opt: opt, st: &CopyStats{}}
	err := c.run(ctx)
	if to.organs != nil {
		to.organs.reset() // written around the writer
	}
	c.st.Took = time.Since(start)
	if err != nil {
		return c.st, fmt.Errorf("copy %s to %s: %w", from.path, to.path, err)
	}
	return c.st, nil
}

type copier struct {
	from, to *Store
	opt      CopyOptions
	st       *CopyStats
	src      *sql.Tx   // the source's snapshot
	dst      *sql.Conn // the target's connection, in its transaction
	cleaned  atomic.Int64
	// put are the hashes whose bytes were written to the target.
	put   []string
	putMu sync.Mutex
	// progressMu serialises the calls of opt.Progress (the archive is
	// copied by several goroutines).
	progressMu sync.Mutex
	// remake are the statements that make again, after the rows, the
	// foreign keys and secondary indexes of a PostgreSQL target that
	// were dropped before them (deferLoad).
	remake []string
}

func (c *copier) progress(p CopyProgress) {
	if c.opt.Progress != nil {
		c.progressMu.Lock()
		defer c.progressMu.Unlock()
		c.opt.Progress(p)
	}
}

func (c *copier) run(ctx context.Context) (err error) {
	if c.from.db == nil || c.to.db == nil {
		return errors.New("both stores must be open for writing")
	}
	if c.from == c.to || c.from.path == c.to.path {
		return errors.New("the source and the target are the same database")
	}
	for _, s := range []*Store{c.from, c.to} {
		if err := s.atLatestMigration(ctx); err != nil {
			return err
		}
	}
	// The source's snapshot.
	srcOpt := &sql.TxOptions{ReadOnly: true}
	if c.from.pg {
		srcOpt.Isolation = sql.LevelRepeatableRead
	}
	if c.src, err = c.from.rdb.BeginTx(ctx, srcOpt); err != nil {
		return fmt.Errorf("source: begin: %w", err)
	}
	defer c.src.Rollback()
	// The target's transaction.
	if c.dst, err = c.to.db.Conn(ctx); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer c.dst.Close()
	begin := `BEGIN IMMEDIATE`
	if c.to.pg {
		begin = `BEGIN`
	}
	if _, err := c.dst.ExecContext(context.WithoutCancel(ctx), begin); err != nil {
		return fmt.Errorf("target: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		bg := context.WithoutCancel(ctx)
		c.dst.ExecContext(bg, `ROLLBACK`)
		// The bytes of documents that did not land.
		for _, sha := range c.put {
			if derr := c.to.ArchiveDrop(bg, sha); derr != nil {
				err = errors.Join(err, derr)
				break
			}
		}
	}()
	if err := c.prepareTarget(ctx); err != nil {
		return err
	}
	if err := c.deferLoad(ctx); err != nil {
		return err
	}
	if err := c.copyArchive(ctx); err != nil {
		return err
	}
	for _, t := range copyTables {
		if err := c.copyTable(ctx, t); err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
	}
	if err := c.finishTarget(ctx); err != nil {
		return err
	}
	c.st.Cleaned = c.cleaned.Load()
	if err := c.verify(ctx); err != nil {
		return err
	}
	if bad := c.st.Mismatched(); len(bad) > 0 {
		var what []string
		for _, b := range bad {
			what = append(what, fmt.Sprintf("%s: %s in the source, %s in the target", b.What, b.Source, b.Target))
		}
		return fmt.Errorf("%w (nothing was committed): %s", ErrCopyMismatch, strings.Join(what, "; "))
	}
	if _, err := c.dst.ExecContext(context.WithoutCancel(ctx), `COMMIT`); err != nil {
		return fmt.Errorf("target: commit: %w", err)
	}
	committed = true
	return nil
}

// atLatestMigration says whether the store's schema is at this program's
// latest migration (Open brings a writable store there).
func (s *Store) atLatestMigration(ctx context.Context) error {
	var ms []migration
	var err error
	if s.pg {
		ms, err = loadMigrationsFrom(pgMigrationFS, "migrations/postgres")
	} else {
		ms, err = loadMigrations()
	}
	if err != nil {
		return err
	}
	var n, last int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*), coalesce(max(version), 0) FROM schema_migrations`).Scan(&n, &last); err != nil {
		return fmt.Errorf("%s: migrations: %w", s.path, err)
	}
	if n != len(ms) || last != ms[len(ms)-1].version {
		return fmt.Errorf("%s: the schema is at migration %d of %d (this program's latest is %s): open it for writing first, which brings it up to date",
			s.path, n, len(ms), ms[len(ms)-1].name)
	}
	return nil
}

// prepareTarget locks the target's tables against other writers, refuses
// a store there (or empties it with Replace), and defers SQLite's foreign
// keys to the commit (a report may name a later report as its copy).
func (c *copier) prepareTarget(ctx context.Context) error {
	names := make([]string, len(copyTables))
	for i, t := range copyTables {
		names[i] = t.name
	}
	if c.to.pg {
		if _, err := c.dst.ExecContext(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("target: lock: %w", err)
		}
	} else if _, err := c.dst.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	var held []string
	for _, t := range copyTables {
		if t.program {
			continue
		}
		var n int64
		if err := c.dst.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&n); err != nil {
			return fmt.Errorf("target: table %s: %w", t.name, err)
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.name))
		}
	}
	if len(held) > 0 && !c.opt.Replace {
		return fmt.Errorf("%w (%s): nothing was copied", ErrNotEmpty, strings.Join(held, ", "))
	}
	// Emptied: the tables with a store (when Replace), and always the
	// program's own rows, which the source's replace.
	var empty []string
	for _, t := range copyTables {
		if t.program || len(held) > 0 {
			empty = append(empty, t.name)
		}
	}
	if c.to.pg {
		if _, err := c.dst.ExecContext(ctx, `TRUNCATE `+strings.Join(empty, ", ")); err != nil {
			return fmt.Errorf("target: empty: %w", err)
		}
		return nil
	}
	for i := len(empty) - 1; i >= 0; i-- {
		if _, err := c.dst.ExecContext(ctx, `DELETE FROM `+empty[i]); err != nil {
			return fmt.Errorf("target: empty %s: %w", empty[i], err)
		}
	}
	return nil
}

// deferLoad drops, in the target's transaction, the foreign keys and the
// secondary indexes of the tables copied into PostgreSQL, which
// finishTarget makes again once the rows are in: a foreign key checked
// row by row made the copy of the cells four times slower than the
// check of them all at once, and a trigram index built whole is faster
// than one grown a section at a time. The primary keys and unique
// constraints stay. A role that may not alter the tables (not their
// owner) copies with them in place.
func (c *copier) deferLoad(ctx context.Context) error {
	if !c.to.pg {
		return nil
	}
	names := make([]string, len(copyTables))
	for i, t := range copyTables {
		names[i] = "'" + t.name + "'"
	}
	in := strings.Join(names, ", ")
	var drop, remake []string
	rows, err := c.dst.QueryContext(ctx, `SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
		WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace AND t.relname IN (`+in+`)
		ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("target: foreign keys: %w", err)
	}
	for rows.Next() {
		var table, name, def string
		if err := rows.Scan(&table, &name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("target: foreign keys: %w", err)
		}
		drop = append(drop, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, table, pgx.Identifier{name}.Sanitize()))
		remake = append(remake, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, table, pgx.Identifier{name}.Sanitize(), def))
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("target: foreign keys: %w", err)
	}
	// Indexes first, then the keys that refer to them.
	var indexes []string
	rows, err = c.dst.QueryContext(ctx, `SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN (`+in+`)
		  AND NOT i.indisprimary AND NOT i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("target: indexes: %w", err)
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("target: indexes: %w", err)
		}
		drop = append(drop, `DROP INDEX `+name)
		indexes = append(indexes, def)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("target: indexes: %w", err)
	}
	if _, err := c.dst.ExecContext(ctx, `SAVEPOINT copy_defer`); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	for _, q := range drop {
		if _, err := c.dst.ExecContext(ctx, q); err != nil {
			if pgCode(err) != "42501" { // insufficient_privilege: not the owner
				return fmt.Errorf("target: %s: %w", q, err)
			}
			if _, err := c.dst.ExecContext(ctx, `ROLLBACK TO SAVEPOINT copy_defer`); err != nil {
				return fmt.Errorf("target: %w", err)
			}
			return nil
		}
	}
	c.remake = append(indexes, remake...)
	return nil
}

// finishTarget makes again what deferLoad dropped, sets PostgreSQL's
// identities past the largest ids copied (the next document, report …
// gets the next id), or rebuilds SQLite's full-text index of the
// sections.
func (c *copier) finishTarget(ctx context.Context) error {
	if n := int64(len(c.remake)); n > 0 {
		c.progress(CopyProgress{Table: "keys and indexes", Total: n})
		for _, q := range c.remake {
			if _, err := c.dst.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("target: %s: %w", q, err)
			}
		}
		c.progress(CopyProgress{Table: "keys and indexes", Done: n, Total: n})
	}
	if !c.to.pg {
		if _, err := c.dst.ExecContext(ctx, `INSERT INTO sections_fts(sections_fts) VALUES ('rebuild')`); err != nil {
			return fmt.Errorf("target: index sections: %w", err)
		}
		return nil
	}
	for _, t := range copyTables {
		if !t.ident {
			continue
		}
		if _, err := c.dst.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'), coalesce(max(id), 0) + 1, false) FROM `+t.name); err != nil {
			return fmt.Errorf("target: table %s: identity: %w", t.name, err)
		}
	}
	return nil
}

// copyArchive copies the bytes of every document of the source's snapshot
// through the archives of both stores, their hashes checked on reading.
func (c *copier) copyArchive(ctx context.Context) error {
	type doc struct {
		id   int64
		sha  string
		size int64
	}
	rows, err := c.src.QueryContext(ctx, `SELECT id, sha256, size FROM documents ORDER BY id`)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	var docs []doc
	for rows.Next() {
		var d doc
		if err := rows.Scan(&d.id, &d.sha, &d.size); err != nil {
			rows.Close()
			return fmt.Errorf("archive: %w", err)
		}
		docs = append(docs, d)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	total := int64(len(docs))
	c.progress(CopyProgress{Table: "archive", Total: total})
	var (
		next, done, bytes atomic.Int64
		firstErr          error
		errMu             sync.Mutex
		wg                sync.WaitGroup
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	failed := func() bool {
		errMu.Lock()
		defer errMu.Unlock()
		return firstErr != nil
	}
	for range copyArchiveWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total || failed() {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				d := docs[i]
				data, err := c.from.ArchiveGet(d.sha)
				if err != nil {
					fail(fmt.Errorf("archive: document %d: %w", d.id, err))
					return
				}
				c.putMu.Lock()
				c.put = append(c.put, d.sha)
				c.putMu.Unlock()
				if err := c.to.ArchivePut(d.sha, data); err != nil {
					fail(fmt.Errorf("archive: document %d: %w", d.id, err))
					return
				}
				bytes.Add(int64(len(data)))
				if n := done.Add(1); n%500 == 0 && n < total {
					c.progress(CopyProgress{Table: "archive", Done: n, Total: total})
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	c.st.ArchiveDocs, c.st.ArchiveBytes = done.Load(), bytes.Load()
	c.progress(CopyProgress{Table: "archive", Done: total, Total: total})
	return nil
}

// copyCol is a column a copy writes: its name and the kind of value the
// target takes (i integer, r real, t text, b boolean, x bytes).
type copyCol struct {
	name string
	kind byte
}

// columns returns the columns of a table that hold values (not the
// generated ones), in the table's order.
func (s *Store) copyColumns(ctx context.Context, q querier, table string) ([]copyCol, error) {
	var query string
	if s.pg {
		query = `SELECT column_name, data_type, is_generated = 'ALWAYS' FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`
	} else {
		query = `SELECT name, type, hidden IN (2, 3) FROM pragma_table_xinfo(?) ORDER BY cid`
	}
	rows, err := q.QueryContext(ctx, query, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []copyCol
	for rows.Next() {
		var name, typ string
		var generated bool
		if err := rows.Scan(&name, &typ, &generated); err != nil {
			return nil, err
		}
		if generated {
			continue
		}
		kind := byte('t')
		switch strings.ToLower(typ) {
		case "integer", "bigint", "smallint", "int":
			kind = 'i'
		case "real", "double precision", "float":
			kind = 'r'
		case "boolean":
			kind = 'b'
		case "bytea", "blob":
			kind = 'x'
		}
		cols = append(cols, copyCol{name: name, kind: kind})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%s has no table %s", s.path, table)
	}
	return cols, nil
}

// copyTable copies one table's rows: COPY into PostgreSQL, batched
// inserts into SQLite.
func (c *copier) copyTable(ctx context.Context, t copyTable) error {
	start := time.Now()
	srcCols, err := c.from.copyColumns(ctx, c.src, t.name)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	cols, err := c.to.copyColumns(ctx, c.dst, t.name)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	if a, b := colNames(srcCols), colNames(cols); !slices.Equal(sorted(a), sorted(b)) {
		return fmt.Errorf("the columns differ: %s in the source, %s in the target", strings.Join(a, ", "), strings.Join(b, ", "))
	}
	var total int64
	if err := c.src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&total); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	c.progress(CopyProgress{Table: t.name, Total: total})
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = `"` + col.name + `"`
	}
	rows, err := c.src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer rows.Close()
	src := &copyRows{ctx: ctx, rows: rows, cols: cols, pg: c.to.pg, cleaned: &c.cleaned,
		vals: make([]any, len(cols)), ptrs: make([]any, len(cols)), out: make([]any, len(cols)),
		progress: func(n int64) { c.progress(CopyProgress{Table: t.name, Done: n, Total: total}) }}
	for i := range src.vals {
		src.ptrs[i] = &src.vals[i]
	}
	if c.to.pg {
		err = c.dst.Raw(func(dc any) error {
			pc, ok := dc.(*pgConn)
			if !ok {
				return errors.New("target: not a PostgreSQL connection")
			}
			_, err := pc.Conn.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, colNames(cols), src)
			return err
		})
	} else {
		err = c.insertRows(ctx, t.name, quoted, src)
	}
	if err != nil {
		return err
	}
	if src.n != total {
		return fmt.Errorf("%d rows read of %d", src.n, total)
	}
	c.progress(CopyProgress{Table: t.name, Done: total, Total: total})
	c.st.Tables = append(c.st.Tables, CopyTable{Name: t.name, Rows: total, Took: time.Since(start)})
	return nil
}

// insertRows writes the rows of src into a SQLite table, many rows a
// statement.
func (c *copier) insertRows(ctx context.Context, table string, quoted []string, src *copyRows) error {
	per := max(1, min(256, 30000/len(quoted)))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(quoted)), ",") + ")"
	stmt := func(n int) string {
		return `INSERT INTO ` + table + `(` + strings.Join(quoted, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
	}
	full, err := c.dst.PrepareContext(ctx, stmt(per))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, per*len(quoted))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var err error
		if len(args) == cap(args) {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = c.dst.ExecContext(ctx, stmt(len(args)/len(quoted)), args...)
		}
		args = args[:0]
		return err
	}
	for src.Next() {
		vals, _ := src.Values()
		args = append(args, vals...)
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := src.Err(); err != nil {
		return err
	}
	return flush()
}

// copyRows reads a source table's rows as the values of the target's
// columns (pgx.CopyFromSource, and the rows of insertRows).
type copyRows struct {
	ctx      context.Context
	rows     *sql.Rows
	cols     []copyCol
	pg       bool // the target is PostgreSQL
	vals     []any
	ptrs     []any
	out      []any
	n        int64
	err      error
	cleaned  *atomic.Int64
	progress func(int64)
}

func (r *copyRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = err
		return false
	}
	for i, v := range r.vals {
		out, err := r.value(r.cols[i], v)
		if err != nil {
			r.err = fmt.Errorf("row %d: column %s: %w", r.n+1, r.cols[i].name, err)
			return false
		}
		r.out[i] = out
	}
	r.n++
	if r.n%copyProgressEvery == 0 {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			return false
		}
		r.progress(r.n)
	}
	return true
}

func (r *copyRows) Values() ([]any, error) { return r.out, nil }

func (r *copyRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// value converts a value read from the source into one the target's
// column takes: SQLite keeps what it was given, whatever a column's
// type, and PostgreSQL's binary COPY wants the type exactly.
func (r *copyRows) value(col copyCol, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch col.kind {
	case 'i':
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("%v is not a whole number", x)
			}
			return int64(x), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		case []byte:
			return strconv.ParseInt(string(x), 10, 64)
		}
	case 'r':
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(x, 64)
		case []byte:
			return strconv.ParseFloat(string(x), 64)
		}
	case 't':
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return nil, fmt.Errorf("a %T where text was expected", v)
		}
		if r.pg && (strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)) {
			r.cleaned.Add(1)
			s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
		}
		return s, nil
	case 'x':
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case 'b':
		return v, nil
	}
	return nil, fmt.Errorf("a %T where %c was expected", v, col.kind)
}

func colNames(cols []copyCol) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name
	}
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// copyChecks are the verification's queries, run on both sides: each
// gives rows of (what, value). Written once for both dialects.
var copyChecks = []string{
	`SELECT 'reports ' || status, count(*) FROM reports GROUP BY status`,
	`SELECT 'current reports', count(*) FROM reports WHERE current`,
	`SELECT 'sum of versions', coalesce(sum(version), 0) FROM reports`,
	`SELECT 'superseded reports', count(superseded_by) FROM reports`,
	`SELECT 'copies (same_as)', count(same_as) FROM reports`,
	`SELECT 'reports with an organ', count(organ_id) FROM reports`,
	`SELECT 'bytes of documents', coalesce(sum(size), 0) FROM documents`,
	`SELECT 'cells with a value', count(value) FROM cells`,
	`SELECT 'sum of cell values', coalesce(sum(value), 0) FROM cells WHERE value BETWEEN -1e300 AND 1e300`,
	`SELECT 'derived cells', coalesce(sum(derived), 0) FROM cells`,
	`SELECT 'findings of rule ' || rule, count(*) FROM findings GROUP BY rule`,
	`SELECT 'cross-year findings', count(other_report_id) FROM findings`,
	`SELECT 'characters of prose', coalesce(sum(length(text)), 0) FROM sections`,
	`SELECT 'organs placed by ' || placed_how, count(*) FROM organs GROUP BY placed_how`,
	`SELECT 'frontier ' || state, count(*) FROM frontier GROUP BY state`,
}

// verify compares the source's snapshot with the target's transaction.
func (c *copier) verify(ctx context.Context) error {
	add := func(what string, a, b any) {
		c.st.Checks = append(c.st.Checks, CopyCheck{What: what, Source: checkText(a), Target: checkText(b), OK: sameValue(a, b)})
	}
	for _, t := range copyTables {
		var a, b int64
		q := `SELECT count(*) FROM ` + t.name
		if err := c.src.QueryRowContext(ctx, q).Scan(&a); err != nil {
			return fmt.Errorf("verify: source: table %s: %w", t.name, err)
		}
		if err := c.dst.QueryRowContext(ctx, q).Scan(&b); err != nil {
			return fmt.Errorf("verify: target: table %s: %w", t.name, err)
		}
		add("rows of "+t.name, a, b)
	}
	// The archive: every document's bytes are in the target.
	var docs, size int64
	if err := c.src.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM documents`).Scan(&docs, &size); err != nil {
		return fmt.Errorf("verify: source: archive: %w", err)
	}
	var have, haveBytes int64
	if c.to.pg {
		if err := c.dst.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(length(a.data)), 0) FROM documents d JOIN archive a ON a.sha256 = d.sha256`).Scan(&have, &haveBytes); err != nil {
			return fmt.Errorf("verify: target: archive: %w", err)
		}
	} else {
		rows, err := c.dst.QueryContext(ctx, `SELECT sha256, size FROM documents`)
		if err != nil {
			return fmt.Errorf("verify: target: archive: %w", err)
		}
		for rows.Next() {
			var sha string
			var n int64
			if err := rows.Scan(&sha, &n); err != nil {
				rows.Close()
				return fmt.Errorf("verify: target: archive: %w", err)
			}
			if len(sha) == 64 && c.to.archiveHas(sha, n) {
				have++
				haveBytes += n
			}
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("verify: target: archive: %w", err)
		}
		// The full-text index holds every section, and only them.
		if _, err := c.dst.ExecContext(ctx, `INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
			return fmt.Errorf("verify: target: sections_fts: %w", err)
		}
	}
	add("documents in the archive", docs, have)
	add("bytes in the archive", size, haveBytes)
	for _, q := range copyChecks {
		a, err := checkRows(ctx, c.src, q)
		if err != nil {
			return fmt.Errorf("verify: source: %w", err)
		}
		b, err := checkRows(ctx, c.dst, q)
		if err != nil {
			return fmt.Errorf("verify: target: %w", err)
		}
		var whats []string
		for w := range a {
			whats = append(whats, w)
		}
		for w := range b {
			if _, ok := a[w]; !ok {
				whats = append(whats, w)
			}
		}
		slices.Sort(whats)
		for _, w := range whats {
			add(w, a[w], b[w])
			if last := &c.st.Checks[len(c.st.Checks)-1]; !last.OK && w == "characters of prose" && c.st.Cleaned > 0 {
				// Cleaned text has other lengths (SQLite's length also
				// stops at a NUL).
				last.OK, last.Target = true, last.Target+" (text cleaned)"
			}
		}
	}
	return nil
}

// checkRows runs a check's query: what → value.
func checkRows(ctx context.Context, q querier, query string) (map[string]any, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	out := map[string]any{}
	for rows.Next() {
		var what sql.NullString
		var v any
		if err := rows.Scan(&what, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", query, err)
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		out[what.String] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	return out, nil
}

// sameValue compares two values of a check: numbers as numbers (a sum of
// floats to 1e-9 of its size, the two databases adding in their own
// order), the rest as text.
func sameValue(a, b any) bool {
	fa, oka := checkNumber(a)
	fb, okb := checkNumber(b)
	if oka && okb {
		if fa == fb {
			return true
		}
		return math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return checkText(a) == checkText(b)
}

func checkNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case nil:
		return 0, true
	}
	return 0, false
}

func checkText(v any) string {
	switch x := v.(type) {
	case nil:
		return "0"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', 12, 64)
	}
	return fmt.Sprint(v)
}
