// Package store keeps reports in SQLite: every document (content-addressed,
// its bytes archived next to the database), the report read from it, every
// figure with its provenance, the findings and the prose sections, with
// versioning per organ and year. Ingest is idempotent and crash-safe: each
// write is a transaction, and a batch interrupted at any point resumes by
// running it again.
//
// The driver is github.com/mattn/go-sqlite3 built with the sqlite_fts5 tag
// (the sections_fts index needs FTS5): build and test with -tags sqlite_fts5.
//
// The same store runs on PostgreSQL (a postgres:// address, through
// github.com/jackc/pgx/v5): see postgres.go for what differs and
// dialect.go for how one set of statements serves both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/organ"
)

// Options tune Open.
type Options struct {
	// ReadOnly opens the database for reading only: the connection is opened
	// with mode=ro, PRAGMA query_only and an authorizer that allows reads
	// alone, so that SQL from a user cannot write. Migrations are not run.
	ReadOnly bool
	// Now gives the time stamps; nil means time.Now.
	Now func() time.Time
}

// Store is an open database. Its methods are safe for concurrent use; all
// writes go through a single connection, so they are serialised.
type Store struct {
	// pg: a PostgreSQL store (postgres.go), path then its address with
	// any password left out.
	pg      bool
	path    string
	archive string
	// archiveDirs holds the archive's subfolders known to exist.
	archiveDirs sync.Map
	// db is the single write connection (nil when read-only); frontier code
	// in this package writes through it too. rdb is a pool of read
	// connections.
	db  *sql.DB
	rdb *sql.DB
	// adb writes the archive of a PostgreSQL store (pgArchivePut).
	adb *sql.DB
	// known looks up a document by hash on rdb, prepared once: a batch
	// worker asks for every document, and preparing the query each time
	// was two thirds of the lookup.
	known *sql.Stmt
	now   func() time.Time
	// organs caches the organs and names of a SQLite store for its writer
	// (organcache.go); nil on PostgreSQL and read-only.
	organs *organCache
}

const (
	driverRW = "nianbao_sqlite3"
	driverRO = "nianbao_sqlite3_ro"
)

// sqliteRecursive is SQLITE_RECURSIVE (a WITH RECURSIVE query), which the
// driver does not export.
const sqliteRecursive = 33

func init() {
	sql.Register(driverRW, &sqlite3.SQLiteDriver{})
	sql.Register(driverRO, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// No ATTACH: an attached file would be a way to write.
		c.SetLimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
		c.RegisterAuthorizer(readOnlyAuthorizer)
		return nil
	}})
}

// readOnlyAuthorizer allows reading statements only. mode=ro and query_only
// already refuse writes; this also refuses PRAGMA assignments (query_only=0),
// ATTACH and transaction control, so a hostile query fails early and plainly.
func readOnlyAuthorizer(action int, arg1, arg2, _ string) int {
	switch action {
	case sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqliteRecursive:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_PRAGMA:
		// Only pragmas that report, never one that sets.
		if arg2 == "" || readPragmas[strings.ToLower(arg1)] {
			switch strings.ToLower(arg1) {
			case "query_only", "writable_schema", "journal_mode", "wal_checkpoint", "optimize",
				"incremental_vacuum", "shrink_memory", "locking_mode", "temp_store_directory", "data_store_directory":
				return sqlite3.SQLITE_DENY
			}
			return sqlite3.SQLITE_OK
		}
		return sqlite3.SQLITE_DENY
	}
	return sqlite3.SQLITE_DENY
}

// readPragmas take an argument that names a table or index, not a value.
var readPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "index_list": true, "index_info": true,
	"index_xinfo": true, "foreign_key_list": true, "integrity_check": true, "quick_check": true,
}

// ArchiveDir returns the archive folder of the database at dbPath.
func ArchiveDir(dbPath string) string { return dbPath + ".archive" }

// Open opens (creating if needed) the database at path and brings its schema
// up to date.
//
// A path that starts with postgres:// or postgresql:// opens a PostgreSQL
// database instead (see IsPostgres and postgres.go).
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if IsPostgres(path) {
		return openPostgres(ctx, path, opt)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{path: abs, archive: ArchiveDir(abs), now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if opt.ReadOnly {
		if _, err := os.Stat(abs); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open store %s: no database there (run nianbao ingest first)", path)
			}
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		params := "mode=ro&_query_only=1&_busy_timeout=10000&_foreign_keys=1"
		if !writable(filepath.Dir(abs)) {
			// Read-only media: SQLite cannot make the WAL's shared-memory
			// file beside the database, and says "no such file"; immutable
			// tells it nothing can change the file, so it needs none.
			params += "&immutable=1"
		}
		s.rdb, err = sql.Open(driverRO, dsn(abs, params))
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		if err := s.rdb.PingContext(ctx); err != nil {
			s.rdb.Close()
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		return s, nil
	}

	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := quickCheck(ctx, abs); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// _txlock=immediate: a write transaction takes the write lock at BEGIN,
	// so two processes never deadlock upgrading a read lock. The page
	// cache holds what a transaction of 500 reports writes: since organs,
	// their names and the versions' indexes came, a 4 MB one spilled and
	// read back (10,000 generated reports: 253,000 reads and 965,000
	// writes of pages against 158,000 and 897,000 with 16 MB, and 6% less
	// time, interleaved runs; 15 MB more peak RSS).
	s.db, err = sql.Open(driverRW, dsn(abs, "_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_busy_timeout=10000&_txlock=immediate&_cache_size=-16000"))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.db.SetMaxOpenConns(1)
	s.db.SetConnMaxIdleTime(0)
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := checkFTS5(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := migrate(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := syncFields(ctx, s.db); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.organs = newOrganCache()
	// Organs are placed with the divisions table of this program.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO store_meta(key, value) VALUES ('divisions_date', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`, organ.BundledDate); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// The reads of a writing store are point lookups (is this hash
	// stored?) at random in an index as large as the batch: a big cache
	// would fill with pages hit once and grow with the database, so each
	// reading connection keeps 512 KB.
	s.rdb, err = sql.Open(driverRW, dsn(abs, "mode=ro&_query_only=1&_busy_timeout=10000&_foreign_keys=1&_cache_size=-512"))
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if s.known, err = s.rdb.PrepareContext(ctx, `SELECT 1 FROM documents WHERE sha256 = ?`); err != nil {
		s.rdb.Close()
		s.db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// ErrDamaged is the error of a database that fails SQLite's quick_check.
var ErrDamaged = errors.New("the database is damaged")

// quickCheck runs PRAGMA quick_check on an existing database, read-only,
// before anything writes to it: writing into a damaged file spreads the
// damage, so it is refused with what SQLite found.
func quickCheck(ctx context.Context, abs string) error {
	if fi, err := os.Stat(abs); err != nil || fi.Size() == 0 {
		return nil // a new database
	}
	db, err := sql.Open(driverRO, dsn(abs, "mode=ro&_busy_timeout=10000"))
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return fmt.Errorf("%w (PRAGMA quick_check: %v): nothing was written; restore it from a copy, or give another --db", ErrDamaged, err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return err
		}
		if r != "ok" {
			found = append(found, r)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w (PRAGMA quick_check: %v): nothing was written; restore it from a copy, or give another --db", ErrDamaged, err)
	}
	if len(found) > 0 {
		return fmt.Errorf("%w (PRAGMA quick_check: %s): nothing was written; restore it from a copy, or give another --db", ErrDamaged, strings.Join(found, "; "))
	}
	return nil
}

// ArchiveDrop removes the archive file of a document that was archived
// but never committed (a batch that failed on a full disk, or was
// interrupted), unless the database holds the document after all.
func (s *Store) ArchiveDrop(ctx context.Context, sha string) error {
	if len(sha) != 64 {
		return nil
	}
	if known, err := s.Known(ctx, sha); err != nil || known {
		return err
	}
	if s.pg {
		return s.pgArchiveDrop(ctx, sha)
	}
	if err := os.Remove(filepath.Join(s.archive, sha[:2], sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	return nil
}

// writable says whether files can be made in dir.
func writable(dir string) bool {
	return syscall.Access(dir, 2 /* W_OK */) == nil
}

// dsn builds a file: URI for path; characters that end a URI path are escaped.
func dsn(path, params string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?" + params
}

func checkFTS5(ctx context.Context, db *sql.DB) error {
	var on int
	if err := db.QueryRowContext(ctx, `SELECT sqlite_compileoption_used('ENABLE_FTS5')`).Scan(&on); err != nil {
		return fmt.Errorf("check FTS5: %w", err)
	}
	if on != 1 {
		return errors.New("this program was built without FTS5: build it with -tags sqlite_fts5")
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.known != nil {
		errs = append(errs, s.known.Close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.db != nil && s.pg {
		errs = append(errs, s.adb.Close(), s.db.Close())
	} else if s.db != nil {
		errs = append(errs, s.optimize())
		// Fold the WAL back into the database file so that it is one file
		// again for whoever copies it.
		if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// optimize keeps the planner's statistics (sqlite_stat1) in step with the
// store: ANALYZE, on a sample of each index (analysis_limit 2,000), of
// every table that has none yet or has grown or shrunk tenfold since
// (0x10000: every table, not only those this connection queried). Without
// them the planner cannot tell cells (~200 rows a report) from reports,
// and analysts' own joins of the two may scan every cell. A store that
// changed little costs an estimate of each table's size. Another process
// holding the write lock is no failure: the next writer does it.
func (s *Store) optimize() error {
	if _, err := s.db.Exec(`PRAGMA optimize = 0x10012`); err != nil {
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
			return nil
		}
		return fmt.Errorf("optimize %s: %w", s.path, err)
	}
	return nil
}

// Path returns the absolute path of the database file (of a PostgreSQL
// store: its address, without a password).
func (s *Store) Path() string { return s.path }

// Postgres says whether the store is a PostgreSQL database.
func (s *Store) Postgres() bool { return s.pg }

// Archive returns the archive folder ("" for a PostgreSQL store, which
// keeps the bytes in its archive table).
func (s *Store) Archive() string { return s.archive }

// Reader returns the pool of read-only connections, for queries.
func (s *Store) Reader() *sql.DB { return s.rdb }

// stamp formats a time stamp as stored: RFC 3339, UTC, seconds.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// syncFields keeps the fields table equal to the program's schema.
func syncFields(ctx context.Context, db migrator) error {
	templates := map[string][]string{}
	for _, t := range []nianbao.Template{nianbao.Template2019, nianbao.Template2021} {
		for _, split := range []bool{false, true} {
			for _, f := range nianbao.SchemaWith(t, split) {
				ts := templates[f.Key]
				if len(ts) == 0 || ts[len(ts)-1] != string(t) {
					templates[f.Key] = append(ts, string(t))
				}
			}
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sync fields: %w", err)
	}
	defer tx.Rollback()
	// Compare first: an unchanged schema (the usual case) writes nothing.
	want := printedOrder(nianbao.AllFields())
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM fields`).Scan(&n); err != nil {
		return fmt.Errorf("sync fields: %w", err)
	}
	same := n == len(want)
	if same {
		for i, f := range want {
			var k string
			err := tx.QueryRowContext(ctx, `SELECT key FROM fields WHERE ord = ? AND row_label = ? AND col_label = ? AND unit = ? AND templates = ?`,
				i, f.RowLabel, f.ColLabel, f.Unit, strings.Join(templates[f.Key], ",")).Scan(&k)
			if err != nil || k != f.Key {
				same = false
				break
			}
		}
	}
	if same {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM fields`); err != nil {
		return fmt.Errorf("sync fields: %w", err)
	}
	for i, f := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO fields(key, ord, tbl, row, col, row_label, col_label, unit, templates) VALUES (?,?,?,?,?,?,?,?,?)`,
			f.Key, i, f.Table, f.Row, f.Col, f.RowLabel, f.ColLabel, f.Unit, strings.Join(templates[f.Key], ",")); err != nil {
			return fmt.Errorf("sync fields: %s: %w", f.Key, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sync fields: %w", err)
	}
	return nil
}

// printedOrder sorts the fields of both templates as a table would print
// them: by table, then row, then column, the rows and columns that only one
// template has merged in next to those they follow (（六）'s three sub-rows of
// template 2021 next to its single row of 2019), so that fields.ord gives a
// natural row order to v_table3 whatever the template.
func printedOrder(fields []nianbao.Field) []nianbao.Field {
	rowSeqs := map[int][][]string{}
	colSeqs := map[string][][]string{}
	for _, t := range []nianbao.Template{nianbao.Template2019, nianbao.Template2021} {
		for _, split := range []bool{false, true} {
			rows := map[int][]string{}
			cols := map[string][]string{}
			for _, f := range nianbao.SchemaWith(t, split) {
				tr := strconv.Itoa(f.Table) + "." + f.Row
				if len(cols[tr]) == 0 {
					rows[f.Table] = append(rows[f.Table], f.Row)
				}
				cols[tr] = append(cols[tr], f.Col)
			}
			for tbl, r := range rows {
				rowSeqs[tbl] = append(rowSeqs[tbl], r)
			}
			for tr, c := range cols {
				colSeqs[tr] = append(colSeqs[tr], c)
			}
		}
	}
	rowPos := map[string]int{}
	for tbl, seqs := range rowSeqs {
		for i, r := range mergeSeqs(seqs) {
			rowPos[strconv.Itoa(tbl)+"."+r] = i
		}
	}
	colPos := map[string]int{}
	for tr, seqs := range colSeqs {
		for i, c := range mergeSeqs(seqs) {
			colPos[tr+"."+c] = i
		}
	}
	out := append([]nianbao.Field(nil), fields...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		ra, rb := rowPos[strconv.Itoa(a.Table)+"."+a.Row], rowPos[strconv.Itoa(b.Table)+"."+b.Row]
		if ra != rb {
			return ra < rb
		}
		return colPos[strconv.Itoa(a.Table)+"."+a.Row+"."+a.Col] < colPos[strconv.Itoa(b.Table)+"."+b.Row+"."+b.Col]
	})
	return out
}

// mergeSeqs merges sequences into one that keeps the order of each: an
// element the result lacks goes right after the element that precedes it in
// its own sequence.
func mergeSeqs(seqs [][]string) []string {
	var out []string
	for _, seq := range seqs {
		last := -1
		for _, x := range seq {
			if i := slices.Index(out, x); i >= 0 {
				last = i
				continue
			}
			out = slices.Insert(out, last+1, x)
			last++
		}
	}
	return out
}
