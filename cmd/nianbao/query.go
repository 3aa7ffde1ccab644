package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao/extract/textutil"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "query", Summary: "run a read-only SQL query on the database (table, CSV or JSON out)", Run: runQuery})
}

func runQuery(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("query", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	db := storeDBFlag(fl, env)
	format := fl.String("format", "table", "output: table, csv or json")
	fl.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: nianbao query [--db FILE] [--format table|csv|json] SQL\n       nianbao query [--db FILE] [--format …] - < query.sql\n\n"+
			"Runs SQL on a read-only connection: nothing a query says can change the database.\n"+
			"Tables: documents, reports, cells, findings, sections (sections_fts for full-text\n"+
			"search), fields; views v_reports, v_table3, v_table4, v_cells (current reports).")
		fl.PrintDefaults()
	}
	rest, err := storeParseFlags(fl, args)
	if err != nil {
		return silentExit(2)
	}
	if len(rest) == 0 {
		fl.Usage()
		return silentExit(2)
	}
	q := strings.Join(rest, " ")
	if q == "-" {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, 1<<20))
		if err != nil {
			return fmt.Errorf("read the query from stdin: %w", err)
		}
		q = string(b)
	}
	out, err := newStoreOut(*format, env.Stdout, env.Stderr)
	if err != nil {
		return usageError("%v", err)
	}
	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()

	rows, err := st.Reader().QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("query: %w", err)
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
			return fmt.Errorf("query: %w", err)
		}
		if err := out.row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	return out.close()
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
		return &tableOut{w: w, stderr: stderr}, nil
	case "csv":
		return &csvOut{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonOut{w: bufio.NewWriter(w)}, nil
	}
	return nil, fmt.Errorf("unknown format %q (table, csv or json)", format)
}

// storeText renders a value for text output; NULL is "".
func storeText(v any) string {
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

// storeJSONValue turns a value into what encoding/json writes for it.
func storeJSONValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return v
}

type csvOut struct{ w *csv.Writer }

func (o *csvOut) header(cols []string) error { return o.w.Write(cols) }
func (o *csvOut) row(vals []any) error {
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = storeText(v)
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
	cols      []string
	rows      [][]string
	dropped   int
}

const (
	tableMaxRows  = 10000
	tableMaxWidth = 60
)

func (o *tableOut) header(cols []string) error { o.cols = cols; return nil }

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
		rec[i] = storeClip(strings.Join(strings.Fields(storeText(v)), " "), tableMaxWidth)
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
