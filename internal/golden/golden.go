// Package golden reads the hand-written golden files of testdata/golden
// (figures read by eye off sample reports) and compares a parsed report
// with them, cell by cell.
package golden

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// File is one golden file.
type File struct {
	Agency   string
	Year     int
	Template nianbao.Template
	Findings []string            // rule names; empty for "findings none"
	Cells    map[string]*float64 // canonical key → figure, nil for blank
	Rows     []string            // row keys as listed, e.g. "t3.new"
}

// Load reads a golden file.
func Load(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g := &File{Cells: map[string]*float64{}}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		switch fs[0] {
		case "agency":
			g.Agency = fs[1]
		case "year":
			g.Year, _ = strconv.Atoi(fs[1])
		case "template":
			g.Template = nianbao.Template(fs[1])
		case "findings":
			if fs[1] != "none" {
				g.Findings = fs[1:]
			}
		default:
			if err := g.row(fs); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
		}
	}
	return g, sc.Err()
}

func (g *File) row(fs []string) error {
	key := fs[0]
	table, row, ok := strings.Cut(key, ".")
	if !ok || len(table) != 2 {
		return fmt.Errorf("bad row key %q", key)
	}
	cols := columns(g.Template, table, row)
	if len(cols) != len(fs)-1 {
		return fmt.Errorf("%s: %d figures for %d columns %v", key, len(fs)-1, len(cols), cols)
	}
	g.Rows = append(g.Rows, key)
	for i, col := range cols {
		if fs[i+1] == "-" {
			g.Cells[key+"."+col] = nil
			continue
		}
		v, err := strconv.ParseFloat(fs[i+1], 64)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", key, col, err)
		}
		g.Cells[key+"."+col] = &v
	}
	return nil
}

// columns returns the column keys of a row in the template's order.
func columns(t nianbao.Template, table, row string) []string {
	var cols []string
	for _, f := range nianbao.SchemaWith(t, t == nianbao.Template2021 && !strings.HasSuffix(row, "other")) {
		if "t"+strconv.Itoa(f.Table) == table && f.Row == row {
			cols = append(cols, f.Col)
		}
	}
	if len(cols) == 0 {
		for _, f := range nianbao.AllFields() {
			if "t"+strconv.Itoa(f.Table) == table && f.Row == row {
				cols = append(cols, f.Col)
			}
		}
	}
	return cols
}

// Diff compares a report with the golden file and returns one line per
// difference, and the number of cells that matched.
func (g *File) Diff(rep *nianbao.Report) (diffs []string, right int) {
	if rep.Agency != g.Agency {
		diffs = append(diffs, fmt.Sprintf("agency = %q, want %q", rep.Agency, g.Agency))
	}
	if rep.Year != g.Year {
		diffs = append(diffs, fmt.Sprintf("year = %d, want %d", rep.Year, g.Year))
	}
	if rep.Template != g.Template {
		diffs = append(diffs, fmt.Sprintf("template = %q, want %q", rep.Template, g.Template))
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule)
	}
	slices.Sort(rules)
	want := slices.Clone(g.Findings)
	slices.Sort(want)
	if !slices.Equal(rules, want) {
		diffs = append(diffs, fmt.Sprintf("findings = %v, want %v (%v)", rules, want, rep.Findings))
	}
	got := map[string]*nianbao.Cell{}
	for i := range rep.Cells {
		got[rep.Cells[i].Key] = &rep.Cells[i]
	}
	for _, c := range rep.Cells {
		if _, ok := g.Cells[c.Key]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: in the report, not in the golden file", c.Key))
		}
	}
	keys := make([]string, 0, len(g.Cells))
	for k := range g.Cells {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w := g.Cells[k]
		c := got[k]
		switch {
		case c == nil:
			diffs = append(diffs, fmt.Sprintf("%s: missing from the report", k))
		case w == nil && c.Value != nil:
			diffs = append(diffs, fmt.Sprintf("%s = %v (raw %q), want blank", k, *c.Value, c.Raw))
		case w != nil && c.Value == nil:
			diffs = append(diffs, fmt.Sprintf("%s = blank (%s, raw %q), want %v", k, c.Blank, c.Raw, *w))
		case w != nil && *w != *c.Value:
			diffs = append(diffs, fmt.Sprintf("%s = %v (raw %q), want %v", k, *c.Value, c.Raw, *w))
		default:
			right++
		}
	}
	return diffs, right
}
