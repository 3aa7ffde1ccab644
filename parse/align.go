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
	// printed is the most cells a header row printed: in a text table, a
	// row that prints more (a row shifted by an extra tab) does not stand
	// under the header's columns.
	printed int
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
	m := colMap{t: t, keys: make([]string, t.Width()), printed: printedOf(t, header)}
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

// underHeader reports whether a row of a text table prints no more cells
// than its header (one empty cell more: a trailing tab). A row that prints
// more was shifted, and a blank at its end would let its figures pass for
// figures under the header, one column off.
func underHeader(rw row, header int) bool {
	n, last := 0, -1
	for i, c := range rw.cells {
		if !c.Pad {
			n, last = n+1, i
		}
	}
	return n <= header || n == header+1 && rw.cells[last].Text == ""
}

// printedOf returns the most cells one of the rows printed.
func printedOf(t *nianbao.Table, rows []int) int {
	n := 0
	for _, r := range rows {
		k := 0
		for _, c := range t.Rows[r] {
			if !c.Pad {
				k++
			}
		}
		n = max(n, k)
	}
	return n
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

// rowJob is a data row waiting to be matched to its columns. The readers
// gather the rows of a table and match them together (alignAll): in text,
// where a blank is not printed, a short row tells its columns only by the
// rows of its block — those under one header — that print every figure.
type rowJob struct {
	rw    row
	m     colMap
	keys  []string
	rule  sumRule
	block int // rows under one header share a block
	// classify reads a header word (t3Col …) and leaf gives the word a key
	// is printed as (review.upheld → upheld), for columns known by the
	// header's words only.
	classify headerLabel
	leaf     func(string) string
	// The row's first key is "t"+tn+"."+row+"."+keys[0] (tn '3', row
	// "denied.law"), written only for the row noteRead keeps.
	tn  byte
	row string
	set func(alignment)
}

// alignAll matches every row and hands each its alignment, in order. The
// jobs of a block are contiguous; what is learnt from a block's rows is
// learnt once.
func alignAll(jobs []rowJob) {
	for lo := 0; lo < len(jobs); {
		hi := lo + 1
		for hi < len(jobs) && jobs[hi].block == jobs[lo].block {
			hi++
		}
		b := &block{jobs: jobs[lo:hi]}
		for i := range b.jobs {
			b.jobs[i].set(align(b, i))
		}
		lo = hi
	}
}

// block is the rows of one block and what their alignment learnt from
// them: per page, the columns of text placed by columns; per shape of a
// row, where the figures of the rows of that shape stand.
type block struct {
	jobs    []rowJob
	columns map[int][]span // by page
	shapes  map[shapeKey][]int
}

// align matches the figures of data row b.jobs[i] to keys. In text placed
// by columns (`pdftotext -layout`, text aligned with spaces), by where each
// figure stands (placedAlign). Otherwise by position when every figure of
// the row stands in a column the header maps (blank cells then are
// blanks); else — a row shifted by an extra leading tab, a header that
// could not be read — by order, when the row has exactly as many figures
// as keys; else by the row's own cells after its label (relative). Failing
// all, the row is marked uncertain: never a silent guess.
func align(b *block, i int) alignment {
	j := b.jobs[i]
	rw, m, keys, rule := j.rw, j.m, j.keys, j.rule
	figs := rw.figs
	if placed(figs) {
		a, ok := placedAlign(b, i)
		if ok {
			return a
		}
		if rec, ok := recoverRun(figs, keys, rule); ok {
			return alignment{cells: rec}
		}
		return a
	}
	pos, posOK := positional(rw, m, keys, figs)
	if posOK {
		return alignment{cells: pos}
	}
	if len(figs) == len(keys) {
		return alignment{cells: figs}
	}
	rel, ok, why := relative(b, i)
	if ok {
		return alignment{cells: rel}
	}
	if rec, ok := recoverRun(figs, keys, rule); ok {
		return alignment{cells: rec}
	}
	if rel != nil {
		return alignment{cells: rel, uncertain: why}
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
	if rw.t.Layout == nianbao.LayoutText && m.printed > 0 && !underHeader(rw, m.printed) {
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

// relative reads a row whose header positions are lost (a copied table)
// but whose blank cells kept their places: the figures are len(keys)
// printed cells in a row after the row's last label cell (or from its
// first cell when it has none), holding every figure, with nothing but
// blanks around them. When more than one run of cells does (a row shifted
// by an extra tab, or with a trailing one, that has a blank at one end),
// the rows of the block printed the same way decide, if they agree, and
// with no such row the run right after the label; when they disagree the
// row is uncertain: rel is then the run right after the label and why
// says so.
func relative(b *block, i int) (rel []*nianbao.GridCell, ok bool, why string) {
	rw, keys := b.jobs[i].rw, b.jobs[i].keys
	cells := rw.distinct
	last := lastLabel(cells)
	fits := windows(cells, last, len(keys))
	switch {
	case len(fits) == 0:
		return nil, false, ""
	case len(fits) == 1:
		return cells[fits[0] : fits[0]+len(keys)], true, ""
	}
	// The other rows of the block printed the same way, whose figures fit
	// one run of cells only, say where the figures stand — if they agree.
	told := -1
	for _, at := range b.shaped(shapeOf(rw, len(keys))) {
		switch {
		case !slices.Contains(fits, at):
		case told == -1:
			told = at
		case told != at:
			told = -2 // rows of that shape disagree
		}
	}
	switch {
	case told >= 0:
		return cells[told : told+len(keys)], true, ""
	case told == -1 && fits[0] == last+1:
		// Nothing says otherwise: the figures start right after the
		// label, as the row prints them (a trailing tab is common, a
		// shifted row with a blank is not).
		return cells[fits[0] : fits[0]+len(keys)], true, ""
	}
	return cells[fits[0] : fits[0]+len(keys)], false,
		fmt.Sprintf("row has %d figures for %d columns, and %d runs of its cells could hold them", len(rw.figs), len(keys), len(fits))
}

// shapeKey is how a row prints: how many cells, where its last label
// stands, whether its last printed cell is empty (a trailing tab), and
// how many keys it is read for.
type shapeKey struct {
	printed, label, keys int
	trailing             bool
}

func shapeOf(r row, keys int) shapeKey {
	s := shapeKey{label: lastLabel(r.distinct), keys: keys}
	for _, c := range r.distinct {
		if !c.Pad {
			s.printed++
			s.trailing = c.Text == ""
		}
	}
	return s
}

// shaped returns where the figures stand (the first cell of their run) in
// the rows of the block of shape s whose figures fit one run only.
func (b *block) shaped(s shapeKey) []int {
	if b.shapes == nil {
		b.shapes = map[shapeKey][]int{}
		for _, o := range b.jobs {
			if len(o.rw.figs) == 0 || placed(o.rw.figs) {
				continue
			}
			os := shapeOf(o.rw, len(o.keys))
			if fits := windows(o.rw.distinct, os.label, len(o.keys)); len(fits) == 1 && !slices.Contains(b.shapes[os], fits[0]) {
				b.shapes[os] = append(b.shapes[os], fits[0])
			}
		}
	}
	return b.shapes[s]
}

// windows returns the first cells of the runs of n cells after the last
// label (at last) that can hold a row's figures.
func windows(cells []*nianbao.GridCell, last, n int) []int {
	var fits []int
	for from := last + 1; from+n <= len(cells); from++ {
		if windowFits(cells, last, from, n) {
			fits = append(fits, from)
		}
	}
	return fits
}

// windowFits reports whether cells[from:from+n] can be a row's figures:
// printed cells (not padding), and nothing but blanks between the last
// label (at last) and them or after them.
func windowFits(cells []*nianbao.GridCell, last, from, n int) bool {
	for k := last + 1; k < len(cells); k++ {
		c := cells[k]
		in := k >= from && k < from+n
		// (Figures run together, "230 000023", are for recoverRun.)
		if in && (c.Pad || c.Text != "" && !normalize.IsFigure(c.Text)) || !in && c.Text != "" {
			return false
		}
	}
	return true
}

// lastLabel returns the index of the last cell holding a label, or -1.
func lastLabel(cells []*nianbao.GridCell) int {
	last := -1
	for i, o := range cells {
		if o.Text != "" && !normalize.IsFigure(o.Text) && digitRuns(o.Text) == nil {
			last = i
		}
	}
	return last
}

// placed reports whether figures were placed by columns of text: each
// knows where it stands on its line.
func placed(figs []*nianbao.GridCell) bool {
	for _, f := range figs {
		if f.X1 == 0 {
			return false
		}
	}
	return len(figs) > 0
}

// A span of text columns [x0, x1).
type span struct{ x0, x1 int }

// gap is the distance between two spans, 0 when they overlap.
func (a span) gap(b span) int {
	switch {
	case a.x1 <= b.x0:
		return b.x0 - a.x1 + 1
	case b.x1 <= a.x0:
		return a.x0 - b.x1 + 1
	}
	return 0
}

// placedAlign reads a row of text placed by columns. A row that prints a
// figure for every key is read in order. A shorter row keeps each figure
// in the column it stands in: the columns of its page are those of the
// rows of its block that print every figure or, on a page with none, the
// header's words above it (the pages of `pdftotext -layout` text each have
// their own character grid). A figure between two columns, or a page with
// no columns to go by, makes the row uncertain; no figure is moved.
func placedAlign(b *block, i int) (alignment, bool) {
	j := b.jobs[i]
	figs, keys := j.rw.figs, j.keys
	if len(figs) == len(keys) {
		return alignment{cells: figs}, true
	}
	out := make([]*nianbao.GridCell, len(keys))
	if len(figs) > len(keys) {
		return alignment{cells: out, uncertain: fmt.Sprintf("row has %d figures for %d columns", len(figs), len(keys))}, false
	}
	cols := b.columnsOn(figs[0].Page, len(keys))
	if len(cols) != len(keys) {
		cols = nil // a block whose rows have other keys than this one
	}
	if cols == nil {
		// Nothing to go by: the figures in order, every cell flagged.
		copy(out, figs)
		return alignment{cells: out, uncertain: fmt.Sprintf("row has %d figures for %d columns, and no row of its page prints every figure", len(figs), len(keys))}, false
	}
	prev, why := -1, ""
	for _, f := range figs {
		fs := span{f.X0, f.X1}
		best, second := -1, -1
		for c, col := range cols {
			switch d := fs.gap(col); {
			case best < 0 || d < fs.gap(cols[best]):
				best, second = c, best
			case second < 0 || d < fs.gap(cols[second]):
				second = c
			}
		}
		d1, d2 := fs.gap(cols[best]), 1<<30
		if second >= 0 {
			d2 = fs.gap(cols[second])
		}
		// The column it stands in, or one clearly nearer than any other;
		// and the figures in the order of their columns. Otherwise the
		// nearest column if it is free, every cell of the row flagged.
		if d2 == 0 || d1 > 0 && 2*d1 >= d2 || best <= prev {
			why = fmt.Sprintf("figure %s stands between columns", quote(f.Text))
			if best <= prev {
				continue
			}
		}
		out[best], prev = f, best
	}
	return alignment{cells: out, uncertain: why}, why == ""
}

// columnsOn returns the columns of the block on a page, for rows of n
// keys: for each key, the span its figures take in the rows that print
// every figure or, with none on the page, the span of the header's words
// that name it. nil when neither tells.
func (b *block) columnsOn(page, n int) []span {
	if b.columns == nil {
		// One pass over the block for every page.
		b.columns = map[int][]span{}
		for _, o := range b.jobs {
			if len(o.keys) != n || len(o.rw.figs) != n || !placed(o.rw.figs) {
				continue
			}
			p := o.rw.figs[0].Page
			cols, seen := b.columns[p]
			for c, f := range o.rw.figs {
				if !seen {
					cols = append(cols, span{f.X0, f.X1})
					continue
				}
				cols[c].x0, cols[c].x1 = min(cols[c].x0, f.X0), max(cols[c].x1, f.X1)
			}
			b.columns[p] = cols
		}
		for p, cols := range b.columns {
			b.columns[p] = apart(cols)
		}
	}
	cols, ok := b.columns[page]
	if !ok {
		cols = apart(headerColumns(b, page))
		b.columns[page] = cols
	}
	return cols
}

// apart returns cols, or nil when neighbouring columns overlap: they tell
// nothing then.
func apart(cols []span) []span {
	for c := 1; c < len(cols); c++ {
		if cols[c].x0 < cols[c-1].x1 {
			return nil
		}
	}
	return cols
}

// headerColumns returns the columns the header's words name, on a page:
// the rows with no figure above the block's first row, their words stacked
// by where they stand ("商业企" over "业", "结果" over "维持") and read as
// labels. nil unless they name every key once, in order.
func headerColumns(b *block, page int) []span {
	j := b.jobs[0]
	if j.classify == nil {
		return nil
	}
	first := j.rw
	t := first.t
	type stack struct {
		s    span
		text string
	}
	var stacks []stack
	// A header is a few lines of a few words each.
	const maxLines, maxWords = 16, 64
	for r := first.r - 1; r >= 0 && r >= first.r-maxLines; r-- {
		row := t.Rows[r]
		if hasFigure(row) || len(stacks) > maxWords {
			break
		}
		for c, cell := range row {
			if cell.Pad || cell.Text == "" || cell.X1 == 0 || cell.Page != page || !cell.IsOrigin() || c != cell.Col {
				continue
			}
			l := normalize.Label(cell.Text)
			if _, group := j.classify(l); group {
				continue // a group label spans the columns under it
			}
			cs := span{cell.X0, cell.X1}
			hit := -1
			for k, st := range stacks {
				if st.s.gap(cs) == 0 {
					if hit >= 0 {
						hit = -2 // over several columns
						break
					}
					hit = k
				}
			}
			switch hit {
			case -1:
				stacks = append(stacks, stack{cs, l})
			case -2:
			default:
				st := &stacks[hit]
				st.text = l + st.text
				st.s = span{min(st.s.x0, cs.x0), max(st.s.x1, cs.x1)}
			}
		}
	}
	slices.SortFunc(stacks, func(a, b stack) int { return a.s.x0 - b.s.x0 })
	var cols []span
	for _, st := range stacks {
		k, _ := j.classify(st.text)
		if k == "" {
			continue
		}
		if len(cols) == len(j.keys) || j.leaf(j.keys[len(cols)]) != k {
			return nil
		}
		cols = append(cols, st.s)
	}
	if len(cols) != len(j.keys) {
		return nil
	}
	return cols
}

func hasFigure(row []*nianbao.GridCell) bool {
	for _, c := range row {
		if c.Text != "" && normalize.IsFigure(c.Text) {
			return true
		}
	}
	return false
}

// sameLeaf is the leaf of keys printed as themselves.
func sameLeaf(k string) string { return k }

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
