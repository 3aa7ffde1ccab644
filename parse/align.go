package parse

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/normalize"
)

// A colMap says which key each column of a grid holds, from the table's
// header rows: "" for label columns.
type colMap struct {
	t    *nianbao.Table
	keys []string
}

// keyed returns the keys of the map, each once, in column order.
func (m colMap) keyed() []string {
	var out []string
	for _, k := range m.keys {
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// sameKeys reports whether a and b are the same slice (not merely equal).
func sameKeys(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func (m colMap) empty() bool {
	for _, k := range m.keys {
		if k != "" {
			return false
		}
	}
	return true
}

// ordered reports whether the header names every key, in the order given,
// right of a label column when the rows have labels: a header whose
// positions can be trusted. A header flattened by a copy ("自然人 法人或其他组织
// 总计" from the first column on) names its columns in the wrong places.
func (m colMap) ordered(keys []string, labelled bool) bool {
	prev := -1
	if labelled {
		prev = 0
	}
	for _, k := range keys {
		c := slices.Index(m.keys, k)
		if c < 0 || c <= prev {
			return false
		}
		prev = c
	}
	return true
}

// headerLabel classifies a header text: the key it names (a leaf such as
// 自然人 → natural), or group=true for a label that spans the leaves under it
// (申请人情况, 法人或其他组织, 行政诉讼).
type headerLabel func(label string) (key string, group bool)

// buildMap reads the header rows of a grid into a colMap. Per column, the
// lowest leaf label decides; group labels are groupsOf's.
func buildMap(t *nianbao.Table, header []int, classify headerLabel) colMap {
	m := colMap{t: t, keys: make([]string, t.Width())}
	for c := 0; c < t.Width(); c++ {
		for i := len(header) - 1; i >= 0; i-- {
			text := t.Rows[header[i]][c].Text
			if text == "" {
				continue
			}
			if key, _ := classify(normalize.Label(text)); key != "" {
				m.keys[c] = key
				break
			}
		}
	}
	return m
}

// groupsOf returns, per column, the group labels above it (top to bottom),
// spreading group labels rightward over empty cells: text grids and pages
// that flatten their headers lose the span of a merged group label.
func groupsOf(t *nianbao.Table, header []int, classify headerLabel) [][]string {
	// A column has at most one group label per header row: one backing
	// array, each column its own part of it.
	out := make([][]string, t.Width())
	all := make([]string, len(out)*len(header))
	for c := range out {
		out[c] = all[c*len(header) : c*len(header) : (c+1)*len(header)]
	}
	for _, h := range header {
		last := ""
		for c := 0; c < t.Width(); c++ {
			l := normalize.Label(t.Rows[h][c].Text)
			if l == "" {
				if last != "" {
					out[c] = append(out[c], last)
				}
				continue
			}
			last = ""
			if _, group := classify(l); group {
				out[c] = append(out[c], l)
				last = l
			}
		}
	}
	return out
}

// scanRow reads a row's figures and label in one pass over its cells; the
// figures are appended to figs.
func scanRow(rw row, figs []*nianbao.GridCell) ([]*nianbao.GridCell, string) {
	var b strings.Builder
	first := ""
	n := 0
	for _, o := range rw.distinct {
		if o.Text == "" {
			continue
		}
		if normalize.IsFigure(o.Text) {
			figs = append(figs, o)
			continue
		}
		// "31 00004": figures whose separators were lost or became spaces;
		// each run is a cell of its own for alignment to cut.
		if runs := digitRuns(o.Text); runs != nil {
			for _, r := range runs {
				c := *o
				c.Text = r
				figs = append(figs, &c)
			}
			continue
		}
		switch n {
		case 0:
			first = o.Text // most rows: one label cell, no copy
		case 1:
			b.WriteString(first)
			fallthrough
		default:
			b.WriteByte(' ')
			b.WriteString(o.Text)
		}
		n++
	}
	if n <= 1 {
		return figs, first
	}
	return figs, b.String()
}

// digitRuns splits a cell of digit groups separated by spaces, or returns nil.
func digitRuns(s string) []string {
	if s == "" || s[0] < '0' || s[0] > '9' || !strings.Contains(s, " ") {
		return nil
	}
	fs := strings.Fields(s)
	if len(fs) < 2 {
		return nil
	}
	for _, f := range fs {
		if strings.Trim(f, "0123456789") != "" {
			return nil
		}
	}
	return fs
}

// alignment is how a row's figures were matched to keys.
type alignment struct {
	cells     []*nianbao.GridCell // per key, in the order of the keys (nil: nothing printed)
	uncertain string              // set when the row could not be matched with certainty
}

// align matches the figures of a data row to keys. By position when every
// figure of the row stands in a column the header maps (blank cells then
// are blanks); otherwise — a row shifted by an extra leading tab, a header
// that could not be read — by order, when the row has exactly as many
// figures as keys. Failing both, positions are used and the row is marked
// uncertain: never a silent guess.
func align(rw row, m colMap, keys []string, rule sumRule) alignment {
	figs := rw.figs
	pos, posOK := positional(rw, m, keys, figs)
	if posOK {
		return alignment{cells: pos}
	}
	if len(figs) == len(keys) {
		return alignment{cells: figs}
	}
	if rel, ok := relative(rw, keys); ok {
		return alignment{cells: rel}
	}
	if rec, ok := recoverRun(figs, keys, rule); ok {
		return alignment{cells: rec}
	}
	if pos == nil {
		pos = make([]*nianbao.GridCell, len(keys))
	}
	return alignment{cells: pos, uncertain: fmt.Sprintf("row has %d figures for %d columns and they do not stand under the header", len(figs), len(keys))}
}

// positional reads the row by the header's columns. ok is false when a
// figure stands outside the keyed columns or a label inside them, or when
// the grid has no header map.
func positional(rw row, m colMap, keys []string, figs []*nianbao.GridCell) ([]*nianbao.GridCell, bool) {
	if m.t == nil || len(m.keys) != len(rw.cells) || !m.ordered(keys, rw.label != "") {
		return nil, false
	}
	out := make([]*nianbao.GridCell, len(keys))
	ok := true
	for c, cell := range rw.cells {
		k := m.keys[c]
		if k == "" {
			continue
		}
		i := slices.Index(keys, k)
		if i < 0 {
			continue
		}
		o := rw.origin(cell)
		// A merged cell belongs to the key of the column it starts in.
		if o.Col != c && m.keys[o.Col] != k {
			continue
		}
		if o.Text != "" && !normalize.IsFigure(o.Text) {
			ok = false // a label stands in a value column: shifted
		}
		// The first printed cell of the key's columns wins.
		if prev := out[i]; prev == nil || prev.Text == "" {
			out[i] = o
		}
	}
	for _, f := range figs {
		i := -1
		if f.Col < len(m.keys) && m.keys[f.Col] != "" {
			i = slices.Index(keys, m.keys[f.Col])
		}
		if i < 0 || out[i] != f {
			ok = false
		}
	}
	return out, ok
}

// relative reads a row whose header positions are lost (a copied table) but
// whose blank cells kept their places: the figures are the len(keys) cells
// right after the row's last label cell (or from the first cell of a row
// with no label), and nothing but blanks follows.
func relative(rw row, keys []string) ([]*nianbao.GridCell, bool) {
	cells := rw.distinct
	last := -1
	for i, o := range cells {
		if o.Text != "" && !normalize.IsFigure(o.Text) {
			last = i
		}
	}
	// With no label (table 四's single row) the figures start the row.
	if last+1+len(keys) > len(cells) {
		return nil, false
	}
	for _, c := range cells[last+1+len(keys):] {
		if c.Text != "" {
			return nil, false
		}
	}
	for _, c := range cells[last+1 : last+1+len(keys)] {
		if c.Pad {
			return nil, false // the row is shorter than that: blanks were not printed
		}
	}
	return cells[last+1 : last+1+len(keys)], true
}

// blankDataRow reports whether a row with no figure is nevertheless a data
// row with every value cell blank: in a grid with real cells (not text), under
// a header of the same grid, the row has empty cells of its own in the keyed
// columns.
func blankDataRow(rw row, m colMap) bool {
	if rw.t.Layout == nianbao.LayoutText || m.t != rw.t || len(m.keys) != len(rw.cells) {
		return false
	}
	return blankCells(rw, m)
}

// blankCells reports whether the row's keyed cells are all blank and at
// least one is the row's own.
func blankCells(rw row, m colMap) bool {
	if len(m.keys) != len(rw.cells) {
		return false
	}
	empty := 0
	for c, cell := range rw.cells {
		if m.keys[c] == "" {
			continue
		}
		o := rw.origin(cell)
		if o.Text != "" && !normalize.IsFigure(o.Text) {
			return false // a label in a value column: a header or a label row
		}
		if o.Col == c {
			empty++
		}
	}
	return empty > 0
}
