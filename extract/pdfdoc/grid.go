package pdfdoc

import (
	"math"
	"sort"
	"strings"
)

// rtable is a table read from the ruling lines of one page (or several
// pages once continued): cells as rectangles over the grid of distinct
// ruling positions.
type rtable struct {
	page           int
	x0, y0, x1, y1 float64
	ncols, nrows   int
	cells          []*tcell
	// fragment: a one-row grid kept only in case it continues the table of
	// the page before; lines is its text should it not.
	fragment bool
	lines    []*line
}

type tcell struct {
	r0, r1, c0, c1 int // grid positions, ends exclusive
	text           string
	page           int
	x0, y0, x1, y1 float64 // the cell rectangle on its page
	uncertain      string  // why the text may be wrong (OCR)
}

const (
	snapTol = 2.0 // points: ruling positions closer than this are one line
	joinGap = 2.5 // points: collinear pieces closer than this are one line
)

// mergeSegs joins collinear, overlapping or touching segments (a border is
// often drawn cell by cell, or twice).
func mergeSegs(segs []segment, horizontal bool) []segment {
	pos := func(s segment) float64 {
		if horizontal {
			return s.y0
		}
		return s.x0
	}
	lo := func(s segment) float64 {
		if horizontal {
			return s.x0
		}
		return s.y0
	}
	hi := func(s segment) float64 {
		if horizontal {
			return s.x1
		}
		return s.y1
	}
	sort.Slice(segs, func(i, j int) bool {
		if pi, pj := pos(segs[i]), pos(segs[j]); math.Abs(pi-pj) > 0.01 {
			return pi < pj
		}
		return lo(segs[i]) < lo(segs[j])
	})
	// cluster by position
	var out []segment
	for i := 0; i < len(segs); {
		j := i + 1
		for j < len(segs) && pos(segs[j])-pos(segs[j-1]) <= snapTol {
			j++
		}
		group := append([]segment(nil), segs[i:j]...)
		p := 0.0
		for _, s := range group {
			p += pos(s)
		}
		p /= float64(len(group))
		sort.Slice(group, func(a, b int) bool { return lo(group[a]) < lo(group[b]) })
		a, b := lo(group[0]), hi(group[0])
		emit := func() {
			if horizontal {
				out = append(out, segment{a, p, b, p})
			} else {
				out = append(out, segment{p, a, p, b})
			}
		}
		for _, s := range group[1:] {
			if lo(s) <= b+joinGap {
				b = max(b, hi(s))
				continue
			}
			emit()
			a, b = lo(s), hi(s)
		}
		emit()
		i = j
	}
	return out
}

// findTables groups ruling lines into connected grids and reads each grid's
// cells (merged cells included) from which borders are present.
func findTables(p *pageData) []*rtable {
	vs := mergeSegs(p.vseg, false)
	hs := mergeSegs(closeOpenEnds(p.hseg, vs), true)
	if len(hs) < 2 || len(vs) < 2 {
		return nil
	}
	n := len(hs) + len(vs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	const tol = 3.0
	for i, h := range hs {
		for j, v := range vs {
			if v.x0 >= h.x0-tol && v.x0 <= h.x1+tol && h.y0 >= v.y0-tol && h.y0 <= v.y1+tol {
				a, b := find(i), find(len(hs)+j)
				if a != b {
					parent[a] = b
				}
			}
		}
	}
	groups := map[int][]int{}
	for i := 0; i < n; i++ {
		groups[find(i)] = append(groups[find(i)], i)
	}
	var out []*rtable
	for _, g := range groups {
		var gh, gv []segment
		for _, i := range g {
			if i < len(hs) {
				gh = append(gh, hs[i])
			} else {
				gv = append(gv, vs[i-len(hs)])
			}
		}
		if len(gh) < 1 || len(gv) < 2 {
			continue
		}
		if len(gh) < 2 {
			continue
		}
		if t := gridTable(p, gh, gv); t != nil {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].y0 < out[j].y0 })
	return out
}

// closeOpenEnds adds the top or bottom border of a table cut by a page
// break where the writer draws none (Chromium): three or more column rules
// ending at the same height with no rule across them there.
func closeOpenEnds(hs, vs []segment) []segment {
	out := append([]segment(nil), hs...)
	for _, atTop := range []bool{true, false} {
		end := func(v segment) float64 {
			if atTop {
				return v.y0
			}
			return v.y1
		}
		sorted := append([]segment(nil), vs...)
		sort.Slice(sorted, func(i, j int) bool { return end(sorted[i]) < end(sorted[j]) })
		for i := 0; i < len(sorted); {
			j := i + 1
			for j < len(sorted) && end(sorted[j])-end(sorted[i]) <= snapTol {
				j++
			}
			if j-i >= 3 {
				y := end(sorted[i])
				x0, x1 := math.Inf(1), math.Inf(-1)
				for _, v := range sorted[i:j] {
					x0, x1 = min(x0, v.x0), max(x1, v.x0)
				}
				if covered(hs, true, y, x0, x1) < 0.9 {
					out = append(out, segment{x0, y, x1, y})
				}
			}
			i = j
		}
	}
	return out
}

// covered returns the share of [a,b] covered by the segments at position p.
func covered(segs []segment, horizontal bool, p, a, b float64) float64 {
	if b <= a {
		return 0
	}
	var iv [][2]float64
	for _, s := range segs {
		var sp, lo, hi float64
		if horizontal {
			sp, lo, hi = s.y0, s.x0, s.x1
		} else {
			sp, lo, hi = s.x0, s.y0, s.y1
		}
		if math.Abs(sp-p) > snapTol {
			continue
		}
		lo, hi = max(lo, a), min(hi, b)
		if hi > lo {
			iv = append(iv, [2]float64{lo, hi})
		}
	}
	sort.Slice(iv, func(i, j int) bool { return iv[i][0] < iv[j][0] })
	total, end := 0.0, a
	for _, v := range iv {
		if v[1] <= end {
			continue
		}
		total += v[1] - max(v[0], end)
		end = v[1]
	}
	return total / (b - a)
}

func gridTable(p *pageData, hs, vs []segment) *rtable {
	var xv, yv []float64
	for _, v := range vs {
		xv = append(xv, v.x0)
	}
	for _, h := range hs {
		yv = append(yv, h.y0)
	}
	xs, ys := distinctTol(xv, snapTol), distinctTol(yv, snapTol)
	if len(xs) < 2 || len(ys) < 2 {
		return nil
	}
	nc, nr := len(xs)-1, len(ys)-1
	if nc > 200 || nr > 2000 {
		return nil
	}
	vborder := func(c int, r int) bool { // vertical line at xs[c] along row r
		return covered(vs, false, xs[c], ys[r], ys[r+1]) >= 0.5
	}
	hborder := func(r int, c int) bool { // horizontal line at ys[r] along column c
		return covered(hs, true, ys[r], xs[c], xs[c+1]) >= 0.5
	}
	used := make([][]bool, nr)
	for r := range used {
		used[r] = make([]bool, nc)
	}
	t := &rtable{page: p.num, x0: xs[0], x1: xs[nc], y0: ys[0], y1: ys[nr], ncols: nc, nrows: nr}
	for r := 0; r < nr; r++ {
		for c := 0; c < nc; c++ {
			if used[r][c] {
				continue
			}
			c1 := c + 1
			for c1 < nc && !used[r][c1] && !vborder(c1, r) {
				c1++
			}
			r1 := r + 1
		grow:
			for r1 < nr {
				for k := c; k < c1; k++ {
					if used[r1][k] || hborder(r1, k) {
						break grow
					}
				}
				for k := c + 1; k < c1; k++ {
					if vborder(k, r1) {
						break grow
					}
				}
				r1++
			}
			for rr := r; rr < r1; rr++ {
				for cc := c; cc < c1; cc++ {
					used[rr][cc] = true
				}
			}
			t.cells = append(t.cells, &tcell{r0: r, r1: r1, c0: c, c1: c1, page: p.num,
				x0: xs[c], x1: xs[c1], y0: ys[r], y1: ys[r1]})
		}
	}
	return t
}

// fillCells gives each cell the glyphs whose centre lies inside it, marks
// those glyphs used, and reports whether any text fell in the table.
func fillCells(t *rtable, gl []glyph, used []bool) bool {
	any := false
	buckets := make([][]glyph, len(t.cells))
	for i := range gl {
		if used[i] {
			continue
		}
		g := &gl[i]
		cx, cy := g.cx(), g.cy()
		if cx < t.x0 || cx > t.x1 || cy < t.y0 || cy > t.y1 {
			continue
		}
		for k, c := range t.cells {
			if cx >= c.x0 && cx < c.x1 && cy >= c.y0 && cy < c.y1 {
				buckets[k] = append(buckets[k], *g)
				used[i] = true
				any = true
				break
			}
		}
	}
	var all []glyph
	for _, b := range buckets {
		all = append(all, b...)
	}
	if t.nrows == 1 {
		t.lines = makeLines(append([]glyph(nil), all...))
	}
	for k, c := range t.cells {
		lines := makeLines(buckets[k])
		var parts []string
		for _, l := range lines {
			parts = append(parts, l.text)
		}
		c.text = joinLines(parts)
	}
	return any
}

// joinLines joins the lines of a wrapped label or paragraph: Chinese needs
// no space at a line break, Latin words and numbers do.
func joinLines(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			prev := []rune(b.String())
			last := prev[len(prev)-1]
			first := []rune(p)[0]
			if isLatinWord(last) && isLatinWord(first) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

func isLatinWord(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
}
