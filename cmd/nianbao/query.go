package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/nianbao/nianbao/extract/textutil"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "query", Summary: "run a read-only SQL query on the database (table, CSV or JSON out)", Run: runQuery})
}

func runQuery(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("query", "usage: nianbao query [--db FILE] [--format table|csv|json] SQL\n       nianbao query [--db FILE] [--format …] - < query.sql\n       nianbao query [--db FILE] --tables\n\n"+
		"Runs one SQL statement on a read-only connection: nothing a query says can change the\n"+
		"database. Tables: documents, document_sources, reports, cells, findings, sections\n"+
		"(sections_fts for full-text search), fields; views v_reports, v_table2, v_table3,\n"+
		"v_table4, v_cells (current reports). The table format clips long cells on a terminal\n"+
		"only; csv and json give every value whole.")
	db := storeDBFlag(fl.FlagSet, env)
	format := fl.String("format", "table", "output: table, csv or json")
	tables := fl.Bool("tables", false, "list the tables and views instead of running SQL")
	timeout := fl.Duration("timeout", time.Minute, "time limit of the query (a recursive query could run forever): it is interrupted after `D`")
	raw := fl.Bool("raw", false, "csv: write text cells as they are (by default a text starting with = + - @ gets a leading ' so that a spreadsheet does not run it as a formula)")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	q := strings.Join(rest, " ")
	switch {
	case *tables && len(rest) > 0:
		return usageError("--tables takes no SQL (got %q)", q)
	case *tables:
		q = "" // the store's TablesSQL, once open
	case len(rest) == 0:
		return usageError("no SQL given (or - to read it from stdin)")
	}
	if q == "-" {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, queryMaxStdin+1))
		if err != nil {
			return fmt.Errorf("read the query from stdin: %w", err)
		}
		if len(b) > queryMaxStdin {
			// Cut SQL is other SQL: refused, never run shortened.
			return usageError("the query on stdin is longer than %d bytes: refused", queryMaxStdin)
		}
		q = string(b)
	}
	if *timeout <= 0 {
		return usageError("--timeout must be positive (got %s)", *timeout)
	}
	if err := queryCheck(q); q != "" && err != nil {
		return err
	}
	out, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	if c, ok := out.(*csvOut); ok {
		c.raw = *raw
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if *tables {
		q = st.TablesSQL()
	}

	// The driver interrupts SQLite (sqlite3_interrupt) when the context
	// ends, between rows as well as inside one.
	qctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	timedOut := func(err error) error {
		if qctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return fmt.Errorf("query: interrupted after %v (--timeout); what was printed is incomplete", *timeout)
		}
		return queryError(err)
	}
	rows, err := st.Reader().QueryContext(qctx, q)
	if err != nil {
		return timedOut(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	if err := out.header(cols); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		clear(vals)
		if err := rows.Scan(ptrs...); err != nil {
			return timedOut(err)
		}
		if err := out.row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		out.close()
		return timedOut(err)
	}
	if qctx.Err() != nil {
		out.close()
		return timedOut(qctx.Err())
	}
	return out.close()
}

// queryMaxStdin is the longest query read from stdin.
const queryMaxStdin = 1 << 20

// queryCheck refuses what the driver would run wrongly or explain badly:
// several statements (the driver shows the rows of the last one only) and
// the sqlite3 shell's dot-commands (not SQL, a syntax error otherwise).
func queryCheck(q string) error {
	t := strings.TrimSpace(q)
	if strings.HasPrefix(t, ".") {
		cmd, arg, _ := strings.Cut(t, " ")
		switch cmd {
		case ".tables":
			return usageError("%s is a command of the sqlite3 shell, not SQL: use nianbao query --tables, or SELECT name FROM sqlite_master WHERE type IN ('table', 'view')", cmd)
		case ".schema":
			if arg = strings.TrimSpace(arg); arg != "" {
				return usageError("%s is a command of the sqlite3 shell, not SQL: use SELECT sql FROM sqlite_master WHERE name = '%s'", cmd, strings.ReplaceAll(arg, "'", "''"))
			}
			return usageError("%s is a command of the sqlite3 shell, not SQL: use SELECT sql FROM sqlite_master", cmd)
		}
		return usageError("%s is a command of the sqlite3 shell, not SQL: run sqlite3 -readonly on the database for it", cmd)
	}
	if more := sqlAfterFirst(q); more != "" {
		if len(more) > 40 {
			more = more[:40] + "…"
		}
		return usageError("one statement at a time: %q follows the first statement's ';' (run each as its own query)", more)
	}
	return nil
}

// sqlAfterFirst returns what follows the first statement of q ("" for a
// single statement); the SQL page of nianbao serve shares it.
func sqlAfterFirst(q string) string { return store.SQLAfterFirst(q) }

// queryError says plainly when SQLite refused a statement because the
// connection is read-only (its own words are "not authorized").
func queryError(err error) error {
	if store.IsReadOnlyRefusal(err) {
		return usageError("refused: the database is opened read-only, and only reading statements run here (SELECT, WITH, EXPLAIN, PRAGMAs that report); the database said: %v", err)
	}
	return fmt.Errorf("query: %w", err)
}

// storeOut writes rows of a query as a table, CSV or JSON.
type storeOut interface {
	header(cols []string) error
	row(vals []any) error
	close() error
}

func newStoreOut(format string, w, stderr io.Writer) (storeOut, error) {
	switch format {
	case "table":
		return &tableOut{w: w, stderr: stderr, clip: isTerminal(w)}, nil
	case "csv":
		return &csvOut{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonOut{w: bufio.NewWriter(w)}, nil
	}
	return nil, fmt.Errorf("unknown format %q (table, csv or json)", format)
}

// storeText renders a value for text output; NULL is "".
func storeText(v any) string { return store.CellText(v) }

// storeJSONValue turns a value into what encoding/json writes for it
// (Infinity and NaN as strings, see store.JSONValue).
func storeJSONValue(v any) any { return store.JSONValue(v) }

// csvCell is a value as a CSV cell, a formula's text escaped with a
// leading ' unless raw (see store.CSVCell).
func csvCell(v any, raw bool) string { return store.CSVCell(v, raw) }

type csvOut struct {
	w   *csv.Writer
	raw bool // no formula escaping (csvCell)
}

func (o *csvOut) header(cols []string) error {
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = csvCell(c, o.raw)
	}
	return o.w.Write(rec)
}
func (o *csvOut) row(vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = csvCell(v, o.raw)
	}
	return o.w.Write(rec)
}
func (o *csvOut) close() error { o.w.Flush(); return o.w.Error() }

// jsonOut writes an array of objects, one per row, keys in column order.
type jsonOut struct {
	w    *bufio.Writer
	keys [][]byte
	n    int
}

func (o *jsonOut) header(cols []string) error {
	for _, c := range cols {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		o.keys = append(o.keys, b)
	}
	_, err := o.w.WriteString("[")
	return err
}

func (o *jsonOut) row(vals []any) error {
	if o.n > 0 {
		o.w.WriteString(",")
	}
	o.n++
	o.w.WriteString("\n{")
	for i, v := range vals {
		if i > 0 {
			o.w.WriteString(",")
		}
		o.w.Write(o.keys[i])
		o.w.WriteString(":")
		b, err := storeMarshal(storeJSONValue(v))
		if err != nil {
			return err
		}
		o.w.Write(b)
	}
	_, err := o.w.WriteString("}")
	return err
}

func (o *jsonOut) close() error {
	if o.n > 0 {
		o.w.WriteString("\n")
	}
	o.w.WriteString("]\n")
	return o.w.Flush()
}

// storeMarshal is json.Marshal without HTML escaping (Chinese and < stay
// readable).
func storeMarshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// tableOut aligns columns for a terminal, by display width (a Chinese
// character takes two columns). It holds the rows to measure them, so it
// stops after tableMaxRows and says so; CSV and JSON stream without limit.
type tableOut struct {
	w, stderr io.Writer
	// clip cuts long cells to tableMaxWidth, for a terminal only: piped or
	// redirected output (a script, a test) gets every value whole.
	clip    bool
	cols    []string
	rows    [][]string
	dropped int
}

const (
	tableMaxRows  = 10000
	tableMaxWidth = 60
)

func (o *tableOut) header(cols []string) error {
	o.cols = make([]string, len(cols))
	for i, c := range cols {
		o.cols[i] = termSafe(c, false)
	}
	return nil
}

func (o *tableOut) row(vals []any) error {
	if len(o.rows) >= tableMaxRows {
		o.dropped++
		return nil
	}
	rec := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			rec[i] = "NULL"
			continue
		}
		rec[i] = termSafe(strings.Join(strings.Fields(storeText(v)), " "), false)
		if o.clip {
			rec[i] = storeClip(rec[i], tableMaxWidth)
		}
	}
	o.rows = append(o.rows, rec)
	return nil
}

func (o *tableOut) close() error {
	widths := make([]int, len(o.cols))
	for i, c := range o.cols {
		widths[i] = textutil.Width(c)
	}
	for _, r := range o.rows {
		for i, c := range r {
			widths[i] = max(widths[i], textutil.Width(c))
		}
	}
	bw := bufio.NewWriter(o.w)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				bw.WriteString("  ")
			}
			bw.WriteString(c)
			if i < len(cells)-1 {
				bw.WriteString(strings.Repeat(" ", widths[i]-textutil.Width(c)))
			}
		}
		bw.WriteString("\n")
	}
	line(o.cols)
	rule := make([]string, len(o.cols))
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
	}
	line(rule)
	for _, r := range o.rows {
		line(r)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if o.dropped > 0 {
		fmt.Fprintf(o.stderr, "(%d more rows not shown: use --format csv or json for all)\n", o.dropped)
	} else {
		fmt.Fprintf(o.stderr, "(%d rows)\n", len(o.rows))
	}
	return nil
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// storeClip shortens s to at most w display columns.
func storeClip(s string, w int) string {
	if textutil.Width(s) <= w {
		return s
	}
	n := 0
	for i, r := range s {
		rw := textutil.Width(string(r))
		if n+rw > w-1 {
			return s[:i] + "…"
		}
		n += rw
	}
	return s
}
