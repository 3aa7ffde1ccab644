package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The store speaks two dialects: SQLite (a file) and PostgreSQL (a
// postgres:// address). Its statements are written once, in SQLite's
// spelling with ? placeholders; on PostgreSQL every statement that carries
// arguments, and every prepared one, goes through pgSQL on its way to the
// server, which numbers the placeholders ($1, $2 …) and drops what only
// SQLite's planner reads (INDEXED BY, CROSS JOIN's fixed order). Where the
// two must say different things (an insert that returns its id, COPY of
// the cells, the full-text index, PRAGMAs), the Go code asks s.pg.

// IsPostgres says whether a --db value names a PostgreSQL database rather
// than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// pgCache holds the PostgreSQL text of each statement seen: the store's
// statements are a few hundred strings, rebound once each.
var pgCache sync.Map

// pgCacheMax bounds the cache: statements built with a varying number of
// placeholders (an IN list) are few, but a long-running server should not
// grow without end.
const pgCacheMax = 4096

var pgCacheN struct {
	sync.Mutex
	n int
}

// pgSQL returns q in PostgreSQL's spelling, cached per query string.
func pgSQL(q string) string {
	if v, ok := pgCache.Load(q); ok {
		return v.(string)
	}
	out := rebind(q)
	pgCacheN.Lock()
	if pgCacheN.n < pgCacheMax {
		pgCacheN.n++
		pgCache.Store(q, out)
	}
	pgCacheN.Unlock()
	return out
}

// rebind turns SQLite's placeholders into PostgreSQL's: ? is the next
// number, ?N is $N; "IS ?" (SQLite's null-safe equality) becomes IS NOT
// DISTINCT FROM. Quoted strings, quoted names, dollar-quoted bodies and
// comments are copied as they are. INDEXED BY name is dropped and CROSS
// JOIN becomes JOIN: both are SQLite planner hints.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	word := func(i int) (string, int) { // the identifier at i and its end
		j := i
		for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9') {
			j++
		}
		return q[i:j], j
	}
	skipSpace := func(i int) int {
		for i < len(q) && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r') {
			i++
		}
		return i
	}
	prevWord := ""
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := sqlSkipQuoted(q, i, c)
			b.WriteString(q[i:j])
			i = j
			prevWord = ""
		case strings.HasPrefix(q[i:], "--") || strings.HasPrefix(q[i:], "/*"):
			j := sqlSkipComment(q, i)
			b.WriteString(q[i:j])
			i = j
		case c == '$' && i+1 < len(q) && (q[i+1] == '$' || q[i+1] == '_' || q[i+1] >= 'a' && q[i+1] <= 'z' || q[i+1] >= 'A' && q[i+1] <= 'Z'):
			// A dollar-quoted body: $tag$ … $tag$.
			end := strings.IndexByte(q[i+1:], '$')
			if end < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			tag := q[i : i+end+2]
			k := strings.Index(q[i+len(tag):], tag)
			j := len(q)
			if k >= 0 {
				j = i + len(tag) + k + len(tag)
			}
			b.WriteString(q[i:j])
			i = j
			prevWord = ""
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if strings.EqualFold(prevWord, "IS") {
				b.WriteString("NOT DISTINCT FROM ")
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(q[i+1 : j])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j
			prevWord = ""
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			w, j := word(i)
			switch {
			case strings.EqualFold(w, "INDEXED"):
				// INDEXED BY name: dropped.
				k := skipSpace(j)
				if by, k2 := word(k); strings.EqualFold(by, "BY") {
					if _, k3 := word(skipSpace(k2)); k3 > skipSpace(k2) {
						i = k3
						continue
					}
				}
			case strings.EqualFold(w, "CROSS"):
				if join, _ := word(skipSpace(j)); strings.EqualFold(join, "JOIN") {
					i = skipSpace(j)
					continue
				}
			}
			b.WriteString(w)
			prevWord = w
			i = j
		case c >= '0' && c <= '9':
			_, j := word(i)
			b.WriteString(q[i:j])
			i = j
			prevWord = ""
		default:
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				prevWord = ""
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// pgConnector opens pgx connections wrapped in pgConn.
type pgConnector struct {
	inner    driver.Connector
	readOnly bool
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := cn.(*stdlib.Conn)
	if !ok {
		cn.Close()
		return nil, errors.New("postgres: unexpected driver connection")
	}
	return &pgConn{Conn: sc, readOnly: c.readOnly}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection that takes the store's SQL (pgSQL) and
// gives NUMERIC values as int64 (whole) or float64, as SQLite gives its
// numbers. A read-only connection (Options.ReadOnly) runs every query that
// is not inside a transaction of the caller's in a READ ONLY transaction
// of its own, as the role nianbao_reader when the database has it, rolled
// back when the rows are closed: a SET in the query is undone with it.
type pgConn struct {
	*stdlib.Conn
	readOnly bool
	inTx     bool
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(pgSQL(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.PrepareContext(ctx, pgSQL(query))
	if err != nil {
		return nil, err
	}
	return pgStmt{st}, nil
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.readOnly && !c.inTx {
		return nil, errReadOnly
	}
	if len(args) > 0 {
		query = pgSQL(query)
	}
	return c.Conn.ExecContext(ctx, query, args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		query = pgSQL(query)
	}
	if !c.readOnly || c.inTx {
		rows, err := c.Conn.QueryContext(ctx, query, args)
		if err != nil {
			return nil, err
		}
		return &pgRows{Rows: rows.(*stdlib.Rows)}, nil
	}
	pc := c.Conn.Conn()
	// One round trip: a read-only transaction, as the reader role where
	// the database has one (migration 0003 makes it when the server lets
	// the owner create roles).
	if _, err := pc.Exec(ctx, beginReadOnly); err != nil {
		pc.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, err
	}
	rows, err := c.Conn.QueryContext(ctx, query, args)
	if err != nil {
		pc.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, err
	}
	return &pgRows{Rows: rows.(*stdlib.Rows), end: func() error {
		_, err := pc.Exec(context.Background(), "ROLLBACK")
		return err
	}}, nil
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.readOnly {
		opts.ReadOnly = true
	}
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return pgTx{tx, c}, nil
}

type pgTx struct {
	driver.Tx
	c *pgConn
}

func (t pgTx) Commit() error   { t.c.inTx = false; return t.Tx.Commit() }
func (t pgTx) Rollback() error { t.c.inTx = false; return t.Tx.Rollback() }

const beginReadOnly = `BEGIN READ ONLY; DO $$ BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nianbao_reader') AND pg_has_role('nianbao_reader', 'MEMBER') THEN
		SET LOCAL ROLE nianbao_reader;
	END IF;
END $$`

// errReadOnly is what a read-only PostgreSQL store says to a write.
var errReadOnly = errors.New("the store is open read-only")

type pgStmt struct{ driver.Stmt }

func (s pgStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: rows.(*stdlib.Rows)}, nil
}

func (s pgStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// pgRows converts NUMERIC values (the views' counts) to int64 or float64.
type pgRows struct {
	*stdlib.Rows
	numeric []bool
	end     func() error
}

func (r *pgRows) Next(dest []driver.Value) error {
	if err := r.Rows.Next(dest); err != nil {
		return err
	}
	if r.numeric == nil {
		r.numeric = make([]bool, len(dest))
		for i := range dest {
			r.numeric[i] = r.Rows.ColumnTypeDatabaseTypeName(i) == "NUMERIC"
		}
	}
	for i, v := range dest {
		if !r.numeric[i] {
			continue
		}
		s, ok := v.(string)
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			dest[i] = n
		} else if f, err := strconv.ParseFloat(s, 64); err == nil {
			dest[i] = f
		}
	}
	return nil
}

func (r *pgRows) Close() error {
	err := r.Rows.Close()
	if r.end != nil {
		err = errors.Join(err, r.end())
		r.end = nil
	}
	return err
}

var _ io.Closer = (*pgRows)(nil)

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for another error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable says whether a PostgreSQL transaction failed for its timing
// alone (a serialization failure or a deadlock with another writer): run
// again, it succeeds.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01":
		return true
	}
	return false
}
