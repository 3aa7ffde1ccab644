package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are the files migrations/NNNN_name.sql, applied in the order of
// NNNN, each in its own transaction, and recorded in schema_migrations. The
// numbers 0001–0099 belong to the store's own tables, 0100 and up to the
// crawler's frontier; any package file may add one, and the embed pattern
// picks it up.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// The PostgreSQL store's migrations, migrations/postgres/NNNN_name.sql: the
// same tables and views in PostgreSQL's SQL, numbered on their own.
//
//go:embed migrations/postgres/*.sql
var pgMigrationFS embed.FS

type migration struct {
	version  int
	name     string
	sql      string
	checksum string
}

func loadMigrations() ([]migration, error) { return loadMigrationsFrom(migrationFS, "migrations") }

func loadMigrationsFrom(fsys embed.FS, dir string) ([]migration, error) {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || rest == "" {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration files %s and %s have the same number", other, name)
		}
		seen[v] = name
		b, err := fsys.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b), checksum: checksum(string(b))})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// checksum identifies a migration's statements: comments and blank lines
// are left out, so that editing a comment does not make a database refuse
// the program.
func checksum(sql string) string {
	h := sha256.New()
	for _, line := range strings.Split(sql, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			h.Write([]byte(line + "\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// migrate applies the migrations the database lacks. It refuses a database
// whose applied migrations differ from the program's (edited after being
// applied) or that has migrations the program does not know (a newer
// program made it). Several processes may open the same file at once: each
// migration re-checks under the write lock.
func migrate(ctx context.Context, db migrator) error {
	return migrateWith(ctx, db, loadMigrations)
}

// migrator is a database, or one connection of it.
type migrator interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// pgMigrateLock is the key of the advisory lock PostgreSQL migrations run
// under ('nbmg'), so that processes opening one database at once apply
// each migration once and never see a half-made schema.
const pgMigrateLock = 0x6e626d67

// migratePostgres applies the PostgreSQL migrations under the advisory
// lock, on one connection, and then runs after (the fields table) under
// it too.
func migratePostgres(ctx context.Context, db *sql.DB, after func(migrator) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgMigrateLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, pgMigrateLock)
	if err := migrateWith(ctx, conn, func() ([]migration, error) { return loadMigrationsFrom(pgMigrationFS, "migrations/postgres") }); err != nil {
		return err
	}
	return after(conn)
}

func migrateWith(ctx context.Context, db migrator, load func() ([]migration, error)) error {
	ms, err := load()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		checksum   TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	known := map[int]migration{}
	for _, m := range ms {
		known[m.version] = m
	}
	rows, err := db.QueryContext(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		var name, sum string
		if err := rows.Scan(&v, &name, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		m, ok := known[v]
		if !ok {
			rows.Close()
			return fmt.Errorf("migrate: the database has migration %s, which this program does not know: it was made by a newer nianbao", name)
		}
		if m.checksum != sum {
			rows.Close()
			return fmt.Errorf("migrate: migration %s was changed after it was applied to this database; add a new migration instead", name)
		}
		applied[v] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db migrator, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if n > 0 {
		return nil // another process applied it meanwhile
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, checksum, applied_at) VALUES (?,?,?,?)`,
		m.version, m.name, m.checksum, stamp(time.Now())); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	return nil
}
