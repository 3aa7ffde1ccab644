package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "export", Summary: "export the current reports as CSV files, JSON files or one XLSX workbook", Run: runExport})
}

// xlsxMaxRows is the row limit of a worksheet (a variable for tests).
var xlsxMaxRows = 1048576

// xlsxMaxText is the length limit of a cell's text.
const xlsxMaxText = 32767

func runExport(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("export", "usage: nianbao export [--db FILE] [--format csv|json|xlsx] [--out PATH] [--tables LIST] [--header keys|labels|both]\n\n"+
		"Exports the reports the views show (the newest version of each organ and year, and\n"+
		"the reports read without an organ or a year): one file (csv, json) or sheet (xlsx)\n"+
		"per table, columns named as in the views, one header row.")
	db := storeDBFlag(fl.FlagSet, env)
	format := fl.String("format", "", "csv, json or xlsx (default: from the --out file's extension)")
	out := fl.String("out", "", "where to write: a folder for csv and json (default nianbao-export), a file for xlsx (default nianbao.xlsx)")
	tables := fl.String("tables", "", "only these tables, comma-separated (default all: reports, table2, table3, table4, findings, sections, cells, fields)")
	header := fl.String("header", "keys", "csv and xlsx header rows: keys (the column names, one row), labels (the Chinese labels, one row) or both (two rows)")
	raw := fl.Bool("raw", false, "csv: write text cells as they are (by default a text starting with = + - @ gets a leading ' so that a spreadsheet does not run it as a formula)")
	force := fl.Bool("force", false, "replace files that already exist (never the database being exported)")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest, "the output goes to --out"); err != nil {
		return err
	}
	guessed := *format == ""
	if guessed {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	switch *format {
	case "csv", "json":
		if *out == "" {
			*out = "nianbao-export"
		}
	case "xlsx":
		if *out == "" {
			*out = "nianbao.xlsx"
		}
	default:
		if guessed {
			return usageError("no --format given, and --out %q does not say it by its extension (.csv, .json, .xlsx)", *out)
		}
		return usageError("--format must be csv, json or xlsx (got %q)", *format)
	}
	switch *header {
	case "both", "keys", "labels":
	default:
		return usageError("--header must be keys, labels or both (got %q)", *header)
	}

	st, err := store.Open(ctx, *db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	chosen, err := exportChoose(st.ExportTables(), *tables)
	if err != nil {
		return usageError("%v", err)
	}
	// Every file to be written is checked before the first is: a refusal
	// leaves nothing half done.
	dest, err := exportDestination(*db, *out, *format, chosen, *force)
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		err = exportFiles(ctx, chosen, dest, ".csv", func(w io.Writer, t *store.Table) error { return exportCSV(ctx, w, t, *header, *raw) })
	case "json":
		err = exportFiles(ctx, chosen, dest, ".json", func(w io.Writer, t *store.Table) error { return exportJSON(ctx, w, t) })
	case "xlsx":
		err = exportXLSX(ctx, env, chosen, dest, *header)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d tables to %s\n", len(chosen), *out)
	return nil
}

func exportChoose(all []*store.Table, list string) ([]*store.Table, error) {
	if list == "" {
		return all, nil
	}
	by := map[string]*store.Table{}
	var names []string
	for _, t := range all {
		by[t.Name] = t
		names = append(names, t.Name)
	}
	var out []*store.Table
	for _, n := range strings.Split(list, ",") {
		t, ok := by[strings.TrimSpace(n)]
		if !ok {
			return nil, fmt.Errorf("unknown table %q (%s)", n, strings.Join(names, ", "))
		}
		out = append(out, t)
	}
	return out, nil
}

// exportFiles writes one file per table into the folder dest.Path, each
// first to a temporary name, so that an interrupted export leaves no half
// file under the real one.
func exportFiles(ctx context.Context, tables []*store.Table, dest *exportDest, ext string, write func(io.Writer, *store.Table) error) error {
	if err := dest.makeFolder(); err != nil {
		return err
	}
	for _, t := range tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := filepath.Join(dest.Path, t.Name+ext)
		if err := dest.write(name, func(w io.Writer) error { return write(w, t) }); err != nil {
			return err
		}
	}
	return nil
}

// exportHeaderRows returns the header rows of a table: one by default,
// the column names, so that pandas, csvkit or sqlite3 .import read the
// rest as data of the right types; the Chinese labels instead, or both.
func exportHeaderRows(t *store.Table, header string) [][]string {
	names := make([]string, len(t.Columns))
	labels := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i], labels[i] = c.Name, c.Label
	}
	switch header {
	case "labels":
		return [][]string{labels}
	case "both":
		return [][]string{names, labels}
	}
	return [][]string{names}
}

func exportCSV(ctx context.Context, w io.Writer, t *store.Table, header string, raw bool) error {
	cw := csv.NewWriter(w)
	for _, h := range exportHeaderRows(t, header) {
		if err := cw.Write(h); err != nil {
			return err
		}
	}
	rec := make([]string, len(t.Columns))
	err := t.Rows(ctx, func(vals []any) error {
		for i, v := range vals {
			rec[i] = csvCell(v, raw)
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// exportJSON writes {"table", "label", "columns": [{name, label, key}],
// "rows": [{name: value, …}]}: the rows are objects keyed by column name,
// so that pandas.DataFrame(doc["rows"]) or jsonlite read them directly; a
// figure's column gives its canonical key (null for other columns).
func exportJSON(ctx context.Context, w io.Writer, t *store.Table) error {
	type col struct {
		Name  string  `json:"name"`
		Label string  `json:"label"`
		Key   *string `json:"key"`
	}
	cols := make([]col, len(t.Columns))
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = col{Name: c.Name, Label: c.Label}
		if c.Key != "" {
			cols[i].Key = &c.Key
		}
		k, err := storeMarshal(c.Name)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	head, err := storeMarshal(map[string]any{"table": t.Name, "label": t.Label, "columns": cols})
	if err != nil {
		return err
	}
	// Open the object, leave it open for "rows".
	io.WriteString(w, string(head[:len(head)-1])+`,"rows":[`)
	n := 0
	err = t.Rows(ctx, func(vals []any) error {
		var b strings.Builder
		if n > 0 {
			b.WriteString(",")
		}
		n++
		b.WriteString("\n{")
		for i, v := range vals {
			if i > 0 {
				b.WriteString(",")
			}
			b.Write(keys[i])
			b.WriteString(":")
			vb, err := storeMarshal(storeJSONValue(v))
			if err != nil {
				return err
			}
			b.Write(vb)
		}
		b.WriteString("}")
		_, err := io.WriteString(w, b.String())
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]}\n")
	return err
}

// exportXLSX writes one sheet per table with a stream writer (rows go to a
// temporary file, not memory). A table longer than a sheet holds goes on
// as many sheets as it needs ("cells", "cells (2)", …), each with the
// header rows.
func exportXLSX(ctx context.Context, env *Env, tables []*store.Table, dest *exportDest, header string) error {
	out := dest.Path
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("export %s: %w", out, err)
	}
	sheets := 0
	// The used range of each sheet, known once its rows are written.
	dims := map[string]string{}
	// newSheet starts the next sheet of t and writes its header rows.
	newSheet := func(t *store.Table, part int, hrows [][]string) (*excelize.StreamWriter, error) {
		name := xlsxSheetName(t.Name, part)
		if sheets == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		sheets++
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		heads := len(hrows)
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: heads, TopLeftCell: fmt.Sprintf("A%d", heads+1), ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		for i, h := range hrows {
			cells := make([]any, len(h))
			for j, s := range h {
				cells[j] = excelize.Cell{StyleID: bold, Value: s}
			}
			if err := sw.SetRow(fmt.Sprintf("A%d", i+1), cells); err != nil {
				return nil, err
			}
		}
		return sw, nil
	}
	for _, t := range tables {
		hrows := exportHeaderRows(t, header)
		part := 1
		sw, err := newSheet(t, part, hrows)
		if err != nil {
			return fmt.Errorf("export %s: %w", out, err)
		}
		row := len(hrows) + 1
		clipped := 0
		cells := make([]any, len(t.Columns))
		endSheet := func() error {
			ref, err := xlsxDimension(len(t.Columns), row-1)
			if err != nil {
				return err
			}
			dims[xlsxSheetName(t.Name, part)] = ref
			return sw.Flush()
		}
		err = t.Rows(ctx, func(vals []any) error {
			if row > xlsxMaxRows {
				if err := endSheet(); err != nil {
					return err
				}
				part++
				if sw, err = newSheet(t, part, hrows); err != nil {
					return err
				}
				row = len(hrows) + 1
			}
			for i, v := range vals {
				switch x := v.(type) {
				case []byte:
					v = string(x)
				case bool:
					if x {
						v = int64(1)
					} else {
						v = int64(0)
					}
				}
				if s, ok := v.(string); ok && len(s) > xlsxMaxText {
					if c := exportClipText(s); len(c) < len(s) {
						v = c
						clipped++
					}
				}
				cells[i] = v
			}
			err := sw.SetRow(fmt.Sprintf("A%d", row), cells)
			row++
			return err
		})
		if err != nil {
			return fmt.Errorf("export %s: %w", out, err)
		}
		if err := endSheet(); err != nil {
			return fmt.Errorf("export %s: %w", out, err)
		}
		if part > 1 {
			fmt.Fprintf(env.Stderr, "nianbao export: table %s is longer than an XLSX sheet holds: on %d sheets, %s to %s (%d)\n", t.Name, part, t.Name, t.Name, part)
		}
		if clipped > 0 {
			fmt.Fprintf(env.Stderr, "nianbao export: %s: %d texts longer than an XLSX cell holds were cut (ending in …); --format csv keeps them whole\n", t.Name, clipped)
		}
	}
	if sheets == 0 {
		return errors.New("export: no table to write")
	}
	return dest.write(out, func(w io.Writer) error { return writeXLSXDimensions(f, dims, out, w) })
}

// xlsxSheetName names the part-th sheet of a table: "cells", "cells (2)" …
func xlsxSheetName(table string, part int) string {
	if part > 1 {
		return fmt.Sprintf("%s (%d)", table, part)
	}
	return table
}

// exportClipText cuts s to what an XLSX cell holds (counted in UTF-16
// units, to be safe), marking the cut.
func exportClipText(s string) string {
	n := 0
	for i, r := range s {
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if n+u > xlsxMaxText-1 {
			return s[:i] + "…"
		}
		n += u
	}
	return s
}
