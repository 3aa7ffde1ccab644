package pdfdoc

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/nianbao/nianbao"
)

// item is a paragraph line group or a table on a page, in reading order.
type item struct {
	top   float64
	lines []*line // text
	table *rtable
}

var (
	pageNumRe = regexp.MustCompile(`^[-—–－\s]*[0-9０-９]{1,4}[-—–－\s]*$|^第\s*[0-9]+\s*页(\s*[，,/／]?\s*共\s*[0-9]+\s*页)?$|^[0-9]+\s*[/／]\s*[0-9]+$|^[-—–－\s]*[ivxlcIVXLC]{1,6}[-—–－\s]*$`)
	digitsRe  = regexp.MustCompile(`[0-9０-９]+`)
	headingRe = regexp.MustCompile(`^\s*([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))`)
)

// buildDocument turns the pages' glyphs and rulings into the document
// model: tables rebuilt from rulings (continued across pages), text
// grouped into paragraphs, page numbers, running headers and footers
// dropped. Its tables are labelled with the engine (provenance) and the
// layout kind (how their cells were found).
func buildDocument(pages []*pageData, engine string, layout nianbao.LayoutKind) *nianbao.Document {
	doc := &nianbao.Document{Format: nianbao.FormatPDF, Pages: len(pages)}
	perPage := make([][]item, len(pages))
	pageLines := make([][]*line, len(pages))
	for i, p := range pages {
		used := make([]bool, len(p.glyphs))
		var tables []*rtable
		found := findTables(p)
		if p.tables != nil {
			found = nil
			tables = p.tables
		}
		var small []*rtable
		for _, t := range found {
			if !fillCells(t, p.glyphs, used) || t.ncols < 2 {
				release(p, t, used)
				continue
			}
			if t.nrows >= 2 && len(t.cells) >= 3 {
				tables = append(tables, t)
				continue
			}
			// one row: a table only as the rest of one from the page before
			small = append(small, t)
		}
		for _, t := range small {
			first := true
			for _, o := range tables {
				if o.y0 < t.y0 {
					first = false
				}
			}
			if i > 0 && first && t.y0 < 0.4*p.h {
				t.fragment = true
				tables = append(tables, t)
				continue
			}
			release(p, t, used)
		}
		var rest []glyph
		for k, g := range p.glyphs {
			if !used[k] {
				rest = append(rest, g)
			}
		}
		lines := makeLines(rest)
		pageLines[i] = lines
		for _, t := range tables {
			perPage[i] = append(perPage[i], item{top: t.y0, table: t})
		}
	}
	dropRunning(pages, pageLines)
	for i, p := range pages {
		for _, l := range pageLines[i] {
			if l != nil {
				perPage[i] = append(perPage[i], item{top: l.y0, lines: []*line{l}})
			}
		}
		sort.SliceStable(perPage[i], func(a, b int) bool { return perPage[i][a].top < perPage[i][b].top })
		_ = p
	}

	// Reading order across pages; a table that ends one page and starts
	// the next continues.
	var all []item
	var allPage []int
	for i, items := range perPage {
		for k, it := range items {
			if k == 0 && it.table != nil && len(all) > 0 {
				prev := all[len(all)-1].table
				// a continued table fills its page to the bottom and goes
				// on at the top of the next
				if prev != nil && allPage[len(all)-1] == i && sameWidth(prev, it.table) &&
					prev.y1 > 0.6*pages[i-1].h && it.table.y0 < 0.4*pages[i].h {
					continueTable(prev, it.table)
					allPage[len(all)-1] = i + 1 // it now ends on this page
					continue
				}
			}
			if it.table != nil && it.table.fragment {
				// a one-row grid that continues nothing is text
				for _, l := range it.table.lines {
					all = append(all, item{top: l.y0, lines: []*line{l}})
					allPage = append(allPage, i+1)
				}
				continue
			}
			all = append(all, it)
			allPage = append(allPage, i+1)
		}
	}

	// Paragraphs from consecutive lines.
	var para []*line
	var paraPage int
	flush := func() {
		if len(para) == 0 {
			return
		}
		var parts []string
		for _, l := range para {
			parts = append(parts, l.text)
		}
		doc.Blocks = append(doc.Blocks, nianbao.Block{Text: joinLines(parts), Page: paraPage})
		para = nil
	}
	margins := make([][2]float64, len(pages))
	for i := range pages {
		margins[i] = textMargins(pageLines[i])
	}
	ntables := 0
	for k, it := range all {
		pg := allPage[k]
		if it.table != nil {
			flush()
			tb := gridOf(it.table)
			tb.Engine, tb.Layout = engine, layout
			tb.Index = ntables // counted here: Document.Tables walks every block
			ntables++
			doc.Blocks = append(doc.Blocks, nianbao.Block{Table: tb, Page: it.table.page})
			continue
		}
		l := it.lines[0]
		m := margins[pg-1]
		if len(para) > 0 && !startsParagraph(para[len(para)-1], l, paraPage, pg, m, margins[paraPage-1]) {
			para = append(para, l)
			continue
		}
		flush()
		para, paraPage = []*line{l}, pg
	}
	flush()
	return doc
}

// release gives a rejected grid's glyphs back to the text.
func release(p *pageData, t *rtable, used []bool) {
	for k := range p.glyphs {
		g := &p.glyphs[k]
		if used[k] && g.cx() >= t.x0 && g.cx() <= t.x1 && g.cy() >= t.y0 && g.cy() <= t.y1 {
			used[k] = false
		}
	}
}

// textMargins estimates the left and right margins of the body text.
func textMargins(lines []*line) [2]float64 {
	var xs0, xs1 []float64
	for _, l := range lines {
		if l == nil {
			continue
		}
		xs0 = append(xs0, l.x0)
		xs1 = append(xs1, l.x1)
	}
	if len(xs0) == 0 {
		return [2]float64{0, 0}
	}
	sort.Float64s(xs0)
	sort.Float64s(xs1)
	return [2]float64{xs0[len(xs0)/5], xs1[len(xs1)*4/5]}
}

// startsParagraph decides whether line l begins a new block after prev.
func startsParagraph(prev, l *line, prevPage, page int, m, pm [2]float64) bool {
	size := max(l.size, 1)
	if headingRe.MatchString(l.text) && l.x0 > m[0]+0.5*size {
		return true
	}
	if math.Abs(prev.size-l.size) > 0.15*max(prev.size, l.size) {
		return true
	}
	centred := func(x *line, mm [2]float64) bool {
		return x.x0 > mm[0]+2*x.size && x.x1 < mm[1]-2*x.size &&
			math.Abs((x.x0+x.x1)/2-(mm[0]+mm[1])/2) < 2*x.size
	}
	if centred(prev, pm) && centred(l, m) && prevPage == page {
		return false // a title over two lines
	}
	if centred(prev, pm) || centred(l, m) {
		return true
	}
	if l.x0 > m[0]+1.2*size { // first-line indent
		return true
	}
	if prev.x1 < pm[1]-2*size { // previous line ended short
		return true
	}
	if prevPage == page && l.y0-prev.y1 > 1.2*size {
		return true
	}
	return false
}

// dropRunning removes page numbers and running headers and footers: lines
// near the top or bottom edge that are a page number, or that repeat (digits
// aside) at about the same height on other pages.
func dropRunning(pages []*pageData, pageLines [][]*line) {
	type key struct {
		text string
		band int
	}
	seen := map[key]int{}
	edge := func(p *pageData, l *line) int {
		switch {
		case l.y1 < p.h*0.1:
			return 1
		case l.y0 > p.h*0.9:
			return 2
		}
		return 0
	}
	for i, p := range pages {
		for _, l := range pageLines[i] {
			if b := edge(p, l); b != 0 {
				seen[key{digitsRe.ReplaceAllString(l.text, "#"), b}]++
			}
		}
	}
	for i, p := range pages {
		for k, l := range pageLines[i] {
			b := edge(p, l)
			if b == 0 {
				continue
			}
			if pageNumRe.MatchString(strings.TrimSpace(l.text)) ||
				(len(pages) >= 2 && seen[key{digitsRe.ReplaceAllString(l.text, "#"), b}] >= 2) {
				pageLines[i][k] = nil
			}
		}
	}
	// a page number can sit just above the edge band too: drop a lone
	// number line below the last text on the page
	for i, p := range pages {
		ls := pageLines[i]
		for k := len(ls) - 1; k >= 0; k-- {
			if ls[k] == nil {
				continue
			}
			if ls[k].y0 > p.h*0.8 && pageNumRe.MatchString(strings.TrimSpace(ls[k].text)) {
				ls[k] = nil
			}
			break
		}
	}
}

func sameWidth(a, b *rtable) bool {
	return math.Abs(a.x0-b.x0) < 8 && math.Abs(a.x1-b.x1) < 8
}

// continueTable appends u (the part of a table on the next page) to t:
// columns are the union of both parts' ruling positions, repeated header
// rows are dropped, and a cell cut by the page break (a merged label, a
// row allowed to break across pages) is joined again.
func continueTable(t, u *rtable) {
	// drop header rows u repeats
	drop := 0
	for r := 0; r < u.nrows && r < t.nrows && r < 4; r++ {
		if rowText(t, r) != "" && rowText(t, r) == rowText(u, r) {
			drop = r + 1
			continue
		}
		break
	}
	if drop > 0 {
		var keep []*tcell
		for _, c := range u.cells {
			if c.r0 >= drop {
				c.r0 -= drop
				c.r1 -= drop
				keep = append(keep, c)
			}
		}
		u.cells = keep
		u.nrows -= drop
	}
	// union of column boundaries
	var xs []float64
	for _, c := range append(append([]*tcell(nil), t.cells...), u.cells...) {
		xs = append(xs, c.x0, c.x1)
	}
	cols := distinctTol(xs, 3)
	idx := func(x float64) int {
		best, bd := 0, math.Inf(1)
		for i, v := range cols {
			if d := math.Abs(v - x); d < bd {
				best, bd = i, d
			}
		}
		return best
	}
	for _, c := range t.cells {
		c.c0, c.c1 = idx(c.x0), idx(c.x1)
	}
	for _, c := range u.cells {
		c.c0, c.c1 = idx(c.x0), idx(c.x1)
		if c.c1 <= c.c0 {
			c.c1 = c.c0 + 1
		}
	}
	off := t.nrows
	var last, first []*tcell
	for _, c := range t.cells {
		if c.r1 == t.nrows {
			last = append(last, c)
		}
	}
	for _, c := range u.cells {
		if c.r0 == 0 {
			first = append(first, c)
		}
		c.r0 += off
		c.r1 += off
	}
	t.ncols = len(cols) - 1
	t.nrows += u.nrows
	t.x0, t.x1 = min(t.x0, u.x0), max(t.x1, u.x1)
	t.y1 = u.y1 // where the table now ends, on the later page

	merged := map[*tcell]*tcell{}
	empty := true
	for _, b := range first {
		empty = empty && b.text == ""
	}
	// a row cut by the break whose lower part is blank, or whose label runs on
	rowSplit := (empty && len(first) > 0) || isRowSplit(last, first)
	for _, a := range last {
		for _, b := range first {
			if a.c0 != b.c0 || a.c1 != b.c1 {
				continue
			}
			ok := false
			switch {
			case rowSplit:
				ok = true
			case a.text != "" && !isNumeric(a.text) && b.text == "":
				ok = true // the lower part of a merged label
			case a.text != "" && !isNumeric(a.text) && b.text != "" && !isNumeric(b.text) && !startsItem(b.text) &&
				(a.r1-a.r0 > 1 || b.r1-b.r0 > 1) && !isRowLabel(a, last) && !isRowLabel(b, first):
				ok = true // a merged label whose text runs over the break
			}
			if ok {
				a.r1 = b.r1
				a.text = joinLines([]string{a.text, b.text})
				merged[b] = a
			}
		}
	}
	for _, c := range u.cells {
		if merged[c] == nil {
			t.cells = append(t.cells, c)
		}
	}
	// When the cut row was joined whole, its second half is no row of its own.
	if rowSplit {
		for _, c := range t.cells {
			if c.r0 == off {
				return
			}
		}
		for _, c := range t.cells {
			if c.r0 > off {
				c.r0--
			}
			if c.r1 > off {
				c.r1--
			}
		}
		t.nrows--
	}
}

// isRowLabel tells whether c is the innermost label of its row (the last
// non-numeric cell before the values).
func isRowLabel(c *tcell, row []*tcell) bool {
	var best *tcell
	for _, x := range row {
		if x.text != "" && !isNumeric(x.text) && (best == nil || x.c0 > best.c0) {
			best = x
		}
	}
	return best == c
}

// isRowSplit tells a row broken across the page: its label goes on without
// an item number, and one side has no values.
func isRowSplit(last, first []*tcell) bool {
	var label *tcell
	for _, x := range first {
		if x.text != "" && !isNumeric(x.text) && x.r1-x.r0 == 1 && (label == nil || x.c0 > label.c0) {
			label = x
		}
	}
	if label == nil || startsItem(label.text) {
		return false
	}
	empty := func(row []*tcell, after int) bool {
		n := 0
		for _, x := range row {
			if x.c0 > after {
				n++
				if x.text != "" {
					return false
				}
			}
		}
		return n > 0
	}
	return empty(last, label.c0) || empty(first, label.c0)
}

func rowText(t *rtable, r int) string {
	var cs []*tcell
	for _, c := range t.cells {
		if c.r0 == r {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].x0 < cs[j].x0 })
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.text)
		b.WriteByte('|')
	}
	return b.String()
}

// distinctTol sorts vals and merges runs whose neighbours lie within tol
// into their mean: ruling-line positions, column starts.
func distinctTol(vals []float64, tol float64) []float64 {
	sort.Float64s(vals)
	var out []float64
	for i := 0; i < len(vals); {
		j := i + 1
		sum := vals[i]
		for j < len(vals) && vals[j]-vals[j-1] <= tol {
			sum += vals[j]
			j++
		}
		out = append(out, sum/float64(j-i))
		i = j
	}
	return out
}

// gridOf expands the cells into the document model's grid.
func gridOf(t *rtable) *nianbao.Table {
	rows := make([][]*nianbao.GridCell, t.nrows)
	for r := range rows {
		rows[r] = make([]*nianbao.GridCell, t.ncols)
	}
	for _, c := range t.cells {
		box := &nianbao.Box{X0: round2(c.x0), Y0: round2(c.y0), X1: round2(c.x1), Y1: round2(c.y1)}
		for r := c.r0; r < c.r1 && r < t.nrows; r++ {
			for k := c.c0; k < c.c1 && k < t.ncols; k++ {
				if rows[r][k] != nil {
					continue
				}
				rows[r][k] = &nianbao.GridCell{Text: c.text, Row: r, Col: k, OriginRow: c.r0, OriginCol: c.c0,
					RowSpan: c.r1 - c.r0, ColSpan: c.c1 - c.c0, Page: c.page, Box: box, Uncertain: c.uncertain}
			}
		}
	}
	for r := range rows {
		for k := range rows[r] {
			if rows[r][k] == nil {
				rows[r][k] = &nianbao.GridCell{Row: r, Col: k, OriginRow: r, OriginCol: k, RowSpan: 1, ColSpan: 1, Page: t.page}
			}
		}
	}
	return &nianbao.Table{Rows: rows}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
