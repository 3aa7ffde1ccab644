package pdfdoc

import (
	"sort"
	"strings"
	"unicode"
)

// line is a run of glyphs on one baseline.
type line struct {
	glyphs         []glyph
	x0, y0, x1, y1 float64
	size           float64
	text           string
	font           int
}

// makeLines groups glyphs into lines: a glyph joins the line whose vertical
// band contains its centre; lines are returned top to bottom.
func makeLines(gl []glyph) []*line {
	if len(gl) == 0 {
		return nil
	}
	sort.SliceStable(gl, func(i, j int) bool { return gl[i].cy() < gl[j].cy() })
	var lines []*line
	for _, g := range gl {
		if strings.TrimSpace(g.s) == "" && g.s != " " {
			continue
		}
		cy := g.cy()
		var best *line
		// only the last few lines can match: glyphs are sorted by centre
		for k := len(lines) - 1; k >= 0 && k >= len(lines)-4; k-- {
			l := lines[k]
			mid := (l.y0 + l.y1) / 2
			tol := 0.45 * max(l.size, g.size)
			if cy >= mid-tol && cy <= mid+tol {
				best = l
				break
			}
		}
		if best == nil {
			best = &line{x0: g.x0, x1: g.x1, y0: g.y0, y1: g.y1, size: g.size, font: g.font}
			lines = append(lines, best)
		} else {
			best.x0, best.x1 = min(best.x0, g.x0), max(best.x1, g.x1)
			best.y0, best.y1 = min(best.y0, g.y0), max(best.y1, g.y1)
			best.size = max(best.size, g.size)
		}
		best.glyphs = append(best.glyphs, g)
	}
	out := lines[:0]
	for _, l := range lines {
		sort.SliceStable(l.glyphs, func(i, j int) bool { return l.glyphs[i].x0 < l.glyphs[j].x0 })
		l.text = lineText(l.glyphs)
		if strings.TrimSpace(l.text) == "" {
			continue
		}
		// x extent without leading/trailing spaces
		for _, g := range l.glyphs {
			if g.s != " " {
				l.x0 = g.x0
				break
			}
		}
		for i := len(l.glyphs) - 1; i >= 0; i-- {
			if l.glyphs[i].s != " " {
				l.x1 = l.glyphs[i].x1
				break
			}
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].y0 < out[j].y0 })
	return out
}

// ocrFont marks glyphs read by OCR.
const ocrFont = -1

// lineText joins the glyphs of a line, putting one space where the gap
// between two glyphs is wide enough to separate words, and dropping a
// glyph drawn twice at the same place (fake bold).
func lineText(gl []glyph) string {
	var b strings.Builder
	var prev *glyph
	space := false
	for i := range gl {
		g := &gl[i]
		if g.s == " " || g.s == "\u00a0" || g.s == "\u3000" {
			space = b.Len() > 0
			continue
		}
		if prev != nil {
			if g.s == prev.s && g.x0-prev.x0 < 0.25*(prev.x1-prev.x0) && g.x0 >= prev.x0 {
				continue // overprinted
			}
			gap := g.x0 - prev.x1
			r1, r2 := lastRune(prev.s), firstRune(g.s)
			ascii := r1 < 0x80 || r2 < 0x80
			if g.font == ocrFont && prev.font == ocrFont {
				// OCR boxes: a space only between Latin words
				if gap > 0.3*g.size && isLatinWord(r1) && isLatinWord(r2) {
					b.WriteByte(' ')
				}
			} else if space || (ascii && gap > 0.25*g.size) || gap > 1.0*g.size {
				b.WriteByte(' ')
			}
		} else if space {
			// leading space dropped
		}
		space = false
		b.WriteString(g.s)
		prev = g
	}
	return strings.TrimSpace(b.String())
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// isNumeric tells a value cell: digits with separators, a decimal point,
// a unit, or one of the blank markers.
func isNumeric(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case strings.ContainsRune(",.，．%- 　万元件项个", r):
		default:
			return false
		}
	}
	return digits > 0
}

// startsItem tells a label that starts a new item: 一、 （一） 1. 1、 (1).
func startsItem(s string) bool {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) == 0 {
		return false
	}
	if r[0] == '（' || r[0] == '(' {
		return true
	}
	i := 0
	for i < len(r) && (unicode.IsDigit(r[i]) || strings.ContainsRune("一二三四五六七八九十", r[i])) {
		i++
	}
	return i > 0 && i < len(r) && strings.ContainsRune("、.．。)）", r[i])
}
