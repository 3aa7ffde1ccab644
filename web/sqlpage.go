package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nianbao/nianbao/store"
)

type sqlData struct {
	Query   string   `json:"sql"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Cut says the rows stop at the row cap; more were there.
	Cut     bool     `json:"cut"`
	Limit   int      `json:"row_limit"`
	Seconds float64  `json:"seconds"`
	Timeout string   `json:"time_limit"`
	Tables  []string `json:"-"`
}

// sqlPage runs one reading statement on the read-only connection, as
// `nianbao query` does (the same one-statement check, the store's
// authorizer), within a time limit and a row cap.
func (s *Server) sqlPage(r *http.Request) (*result, error) {
	q := r.URL.Query().Get("sql")
	if len(q) > 64<<10 {
		return nil, badRequest("the query is longer than 64 KB")
	}
	d := &sqlData{Query: q, Limit: s.opt.SQLRows, Timeout: s.opt.SQLTimeout.String()}
	res := &result{Title: "SQL", tmpl: "sql", Data: d}
	if strings.TrimSpace(q) == "" {
		tables, err := s.tableNames(r.Context())
		if err != nil {
			return nil, err
		}
		d.Tables = tables
		res.Tables = []table{{Name: "result"}}
		return res, nil
	}
	if t := strings.TrimSpace(q); strings.HasPrefix(t, ".") {
		return nil, badRequest("%s is a command of the sqlite3 shell, not SQL (the tables are listed on the empty SQL page)", clip(strings.Fields(t)[0], 20))
	}
	if more := store.SQLAfterFirst(q); more != "" {
		return nil, badRequest("one statement at a time: %q follows the first statement's ';'", clip(more, 40))
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opt.SQLTimeout)
	defer cancel()
	start := time.Now()
	err := s.runSQL(ctx, q, d)
	d.Seconds = time.Since(start).Seconds()
	switch {
	case err == nil:
	case ctx.Err() == context.DeadlineExceeded:
		return nil, &httpError{http.StatusRequestTimeout, fmt.Sprintf("the query was stopped after %v, the time limit of this page", s.opt.SQLTimeout)}
	case store.IsReadOnlyRefusal(err):
		return nil, &httpError{http.StatusForbidden, "refused: the database is opened read-only, and only reading statements run here (SELECT, WITH, EXPLAIN, PRAGMAs that report)"}
	default:
		var he *httpError
		if errors.As(err, &he) {
			return nil, err
		}
		return nil, badRequest("the query failed: %v", err)
	}
	res.Tables = []table{{Name: "result", Columns: d.Columns, Rows: d.Rows}}
	return res, nil
}

func (s *Server) runSQL(ctx context.Context, q string, d *sqlData) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	if d.Columns, err = rows.Columns(); err != nil {
		return err
	}
	for rows.Next() {
		if len(d.Rows) == d.Limit {
			d.Cut = true
			break
		}
		vals := make([]any, len(d.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = store.JSONValue(v)
		}
		d.Rows = append(d.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// tableNames lists the tables and views a query may read (without
// SQLite's own and the full-text index's shadow tables).
func (s *Server) tableNames(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM (`+s.st.TablesSQL()+`) AS t ORDER BY type, name`)
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
