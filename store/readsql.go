package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// The pieces a reader of user SQL needs besides the read-only connection
// (Options.ReadOnly): `nianbao query` and `nianbao serve`'s SQL page both
// use them, so that the two refuse and show the same things.

// SQLAfterFirst returns what follows the first statement of q, skipping
// what SQL does not end a statement in: quoted strings and names, and
// comments. It is empty when q holds a single statement, with or without
// a final ';'. The driver runs every statement of a string and shows the
// last one's rows, so a reader refuses a second statement instead.
func SQLAfterFirst(q string) string {
	for i := 0; i < len(q); {
		switch c := q[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = sqlSkipQuoted(q, i, c)
		case c == '[':
			j := strings.IndexByte(q[i:], ']')
			if j < 0 {
				return ""
			}
			i += j + 1
		case strings.HasPrefix(q[i:], "--") || strings.HasPrefix(q[i:], "/*"):
			i = sqlSkipComment(q, i)
		case c == ';':
			rest := q[i+1:]
			// Blank space, comments and empty statements do not count.
			for j := 0; j < len(rest); {
				switch {
				case rest[j] == ';' || rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\n' || rest[j] == '\r':
					j++
				case strings.HasPrefix(rest[j:], "--") || strings.HasPrefix(rest[j:], "/*"):
					j = sqlSkipComment(rest, j)
				default:
					return strings.TrimSpace(rest[j:])
				}
			}
			return ""
		default:
			i++
		}
	}
	return ""
}

// sqlSkipQuoted returns the index after the quoted text opening at i (a
// doubled quote stays inside).
func sqlSkipQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// sqlSkipComment returns the index after the comment opening at i.
func sqlSkipComment(q string, i int) int {
	if strings.HasPrefix(q[i:], "--") {
		if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
			return i + j + 1
		}
		return len(q)
	}
	if j := strings.Index(q[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 2
	}
	return len(q)
}

// IsReadOnlyRefusal says whether the database refused a statement because
// the store is open read-only: SQLite's "not authorized", PostgreSQL's
// read-only transaction (25006) or the reader role's missing privilege
// (42501).
func IsReadOnlyRefusal(err error) bool {
	switch pgCode(err) {
	case "25006", "42501":
		return true
	}
	if errors.Is(err, errReadOnly) {
		return true
	}
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrAuth || se.Code == sqlite3.ErrReadonly)
}

// TablesSQL is the query that lists what a user may query: the tables
// and views of the store (name, type), without the database's own and the
// full-text index's shadow tables.
func (s *Store) TablesSQL() string {
	if s.pg {
		return `SELECT table_name AS name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS type
	FROM information_schema.tables WHERE table_schema = current_schema()
	ORDER BY type, name`
	}
	return `SELECT name, type FROM sqlite_master
	WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'sections\_fts\_%' ESCAPE '\'
	ORDER BY type, name`
}

// CellText renders a value of a query for text output; NULL is "".
func CellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

// JSONValue turns a value into what encoding/json writes for it. JSON
// has no infinity and no NaN (SQLite makes them: 1e999, a division in
// floating point): they are written as the strings "Infinity",
// "-Infinity" and "NaN", as JavaScript and Python print them.
func JSONValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		switch {
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		case math.IsNaN(x):
			return "NaN"
		}
	}
	return v
}

// CSVCell is a value as a CSV cell. A text that starts with = + - or @
// (or a tab or carriage return) is a formula to a spreadsheet —
// =HYPERLINK(…) in an organ name or a URL would run when the file is
// opened — so it gets a leading ', which the spreadsheet shows as text;
// numbers, texts that are whole numbers (-3, +1.5) and a lone "-" (the
// dash a report prints for a blank) stay as they are. raw turns the
// escaping off.
func CSVCell(v any, raw bool) string {
	s := CellText(v)
	if raw || len(s) < 2 {
		return s // a lone "-" (a dash printed for a blank) is no formula
	}
	switch v.(type) {
	case string, []byte:
	default:
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '=' && s[0] != '@' {
			return s
		}
		return "'" + s
	}
	return s
}

// Columns returns the names of a table's columns, in order.
func (s *Store) Columns(ctx context.Context, table string) ([]string, error) {
	q := `SELECT name FROM pragma_table_info(?)`
	if s.pg {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`
	}
	rows, err := s.rdb.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// ChangeStamp is a text that changes when the database does: the sizes
// and times of the SQLite files (the database and its WAL), the count of
// rows inserted, updated and deleted that PostgreSQL's statistics keep
// (they lag the writes by a moment).
func (s *Store) ChangeStamp(ctx context.Context) string {
	if s.pg {
		var n int64
		if err := s.rdb.QueryRowContext(ctx, `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables`).Scan(&n); err != nil {
			return "-"
		}
		return strconv.FormatInt(n, 10)
	}
	return fileStamp(s.path) + "|" + fileStamp(s.path+"-wal")
}

func fileStamp(p string) string {
	fi, err := os.Stat(p)
	if err != nil {
		return "-"
	}
	return fmt.Sprintf("%d.%d", fi.Size(), fi.ModTime().UnixNano())
}
