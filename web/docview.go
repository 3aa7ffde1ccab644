package web

import (
	"context"
	"strings"
	"unicode"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/extract/charset"
)

// docView is an archived HTML page as nianbao read it — its paragraphs
// and tables in order, merged cells as printed — with the figure's cell
// marked. It is rebuilt from the extracted text, never the page's own
// markup: no script, style or image of a stranger's page reaches the view.
type docView struct {
	Blocks []docBlock
	Cut    bool // only the part around the figure is shown
}

type docBlock struct {
	Text  string
	Table [][]docCell
}

type docCell struct {
	Text    string
	RowSpan int
	ColSpan int
	Hit     bool
}

// maxBlocks is the most blocks of a page shown; a longer page shows those
// around the figure's table.
const maxBlocks = 300

// htmlView reads the page again and marks the cell at grid position row,
// col of table tbl (the stored provenance).
func htmlView(ctx context.Context, data []byte, tbl, row, col int) (*docView, error) {
	doc, err := extract.ExtractFormat(ctx, nianbao.FormatHTML, data, "")
	if err != nil {
		return nil, err
	}
	v := &docView{}
	hitBlock := -1
	for _, b := range doc.Blocks {
		switch {
		case b.Table != nil:
			hit := b.Table.Index == tbl
			if hit {
				hitBlock = len(v.Blocks)
			}
			v.Blocks = append(v.Blocks, docBlock{Table: gridCells(b.Table, hit, row, col)})
		case strings.TrimSpace(b.Text) != "":
			v.Blocks = append(v.Blocks, docBlock{Text: b.Text})
		}
	}
	if len(v.Blocks) > maxBlocks {
		from := max(0, hitBlock-maxBlocks/2)
		to := min(len(v.Blocks), from+maxBlocks)
		v.Blocks, v.Cut = v.Blocks[from:to], true
	}
	return v, nil
}

// gridCells lays a grid out as printed: one cell per merged area, the cell
// holding position row, col marked when hit.
func gridCells(t *nianbao.Table, hit bool, row, col int) [][]docCell {
	orow, ocol := -1, -1
	if hit && row >= 0 && row < len(t.Rows) && col >= 0 && col < len(t.Rows[row]) {
		g := t.Rows[row][col]
		orow, ocol = g.OriginRow, g.OriginCol
	}
	out := make([][]docCell, len(t.Rows))
	for r, cells := range t.Rows {
		for c, g := range cells {
			if g == nil || !g.IsOrigin() {
				continue
			}
			out[r] = append(out[r], docCell{Text: g.Text, RowSpan: max(g.RowSpan, 1), ColSpan: max(g.ColSpan, 1), Hit: r == orow && c == ocol})
		}
	}
	return out
}

// textLine is a line of a text document; the figure's line has its text
// cut around the figure.
type textLine struct {
	N      int    `json:"line"`
	Text   string `json:"text"`
	Hit    bool   `json:"hit"`
	Before string `json:"-"`
	Mark   string `json:"-"`
	After  string `json:"-"`
}

// aroundLines is how many lines are shown before and after the figure's.
const aroundLines = 6

// textLines shows the lines of a text document around a figure: at its
// stored line and columns when the store has them, else where the text's
// table rows are found again in the document's lines, in order.
func textLines(ctx context.Context, data []byte, c cellRow) ([]textLine, string) {
	text := charset.Decode(data, "", false).Text
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	line, from, to := 0, 0, 0 // 1-based line; columns in runes, [from, to)
	known := c.Line != nil && *c.Line >= 1 && int(*c.Line) <= len(lines)
	if known && c.ColFrom != nil && c.ColTo != nil && *c.ColFrom >= 1 && *c.ColTo >= *c.ColFrom {
		line, from, to = int(*c.Line), int(*c.ColFrom)-1, int(*c.ColTo)
	} else {
		// The line alone (a figure placed by tabs or pipes has no columns),
		// or nothing: the table's rows are found again in the lines.
		doc, err := extract.ExtractFormat(ctx, nianbao.FormatText, data, "")
		if err != nil {
			return nil, "the text could not be read again: " + err.Error()
		}
		tbl, row, col := int(*c.Table), int(*c.Row), int(*c.Col)
		if known {
			line = int(*c.Line)
			texts, target := rowTexts(doc, tbl, row, col)
			if pos, ok := inOrder(noSpace(lines[line-1]), texts); ok && target >= 0 {
				from, to = runeColumns(lines[line-1], pos[target], len([]rune(texts[target])))
			}
		} else {
			line, from, to = findRow(doc, lines, tbl, row, col)
		}
		if line == 0 {
			return nil, "the figure's line was not found again in the text (it was read from table row " +
				itoa(row+1) + ")"
		}
	}
	var out []textLine
	for n := max(1, line-aroundLines); n <= min(len(lines), line+aroundLines); n++ {
		l := textLine{N: n, Text: lines[n-1], Hit: n == line}
		if l.Hit {
			rs := []rune(l.Text)
			from, to = min(from, len(rs)), min(to, len(rs))
			l.Before, l.Mark, l.After = string(rs[:from]), string(rs[from:to]), string(rs[to:])
		}
		out = append(out, l)
	}
	return out, ""
}

// findRow finds the line of row `row` of table tbl: the table rows of the
// document are looked for one after another in the lines (each row's
// cells, in order, on one line, white space aside), so that a row printed
// twice is found at the right one. It returns the 1-based line and the
// rune columns of the cell at col, or 0 when not found.
func findRow(doc *nianbao.Document, lines []string, tbl, row, col int) (line, from, to int) {
	stripped := make([]string, len(lines))
	for i, l := range lines {
		stripped[i] = noSpace(l)
	}
	cursor := 0
	for _, b := range doc.Blocks {
		t := b.Table
		if t == nil {
			continue
		}
		for r, cells := range t.Rows {
			texts, target := cellTexts(cells, t.Index == tbl && r == row, col)
			if len(texts) == 0 {
				continue
			}
			for i := cursor; i < len(stripped); i++ {
				pos, ok := inOrder(stripped[i], texts)
				if !ok {
					continue
				}
				cursor = i + 1
				if t.Index == tbl && r == row {
					if target < 0 {
						return i + 1, 0, 0
					}
					from, to = runeColumns(lines[i], pos[target], len([]rune(texts[target])))
					return i + 1, from, to
				}
				break
			}
		}
	}
	return 0, 0, 0
}

// cellTexts are the printed texts of a grid row, white space left out;
// target is the index of the one at column col (-1: none, or not hit).
func cellTexts(cells []*nianbao.GridCell, hit bool, col int) (texts []string, target int) {
	target = -1
	for c, g := range cells {
		if g == nil || !g.IsOrigin() || strings.TrimSpace(g.Text) == "" {
			continue
		}
		if hit && c == col {
			target = len(texts)
		}
		texts = append(texts, noSpace(g.Text))
	}
	return texts, target
}

// rowTexts are the cell texts of row `row` of table tbl (see cellTexts).
func rowTexts(doc *nianbao.Document, tbl, row, col int) ([]string, int) {
	for _, b := range doc.Blocks {
		if t := b.Table; t != nil && t.Index == tbl && row >= 0 && row < len(t.Rows) {
			return cellTexts(t.Rows[row], true, col)
		}
	}
	return nil, -1
}

// inOrder finds each text in s after the one before; pos are their rune
// offsets in s.
func inOrder(s string, texts []string) (pos []int, ok bool) {
	at := 0 // byte offset
	for _, t := range texts {
		i := strings.Index(s[at:], t)
		if i < 0 {
			return nil, false
		}
		pos = append(pos, len([]rune(s[:at+i])))
		at += i + len(t)
	}
	return pos, true
}

// runeColumns maps n runes from offset off of a line without white space
// back to the line's own rune columns [from, to).
func runeColumns(line string, off, n int) (from, to int) {
	k := 0 // runes of the stripped line seen
	from, to = -1, 0
	for i, r := range []rune(line) {
		if unicode.IsSpace(r) {
			continue
		}
		if k == off && from < 0 {
			from = i
		}
		k++
		if k == off+n {
			return from, i + 1
		}
	}
	return max(from, 0), len([]rune(line))
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func itoa(n int) string { return num(n) }
