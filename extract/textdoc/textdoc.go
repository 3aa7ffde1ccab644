// Package textdoc reads a report given as plain text or Markdown — a web page
// copied as text, text copied out of a PDF, a converter's Markdown, OCR
// output — into the document model. Tables come as tab-separated lines, pipe
// tables, or columns aligned with spaces; labels wrap onto lines of their
// own. Rows are kept as printed (a row shifted by an extra leading tab stays
// shifted): the grid records what the text says, and the parser, which knows
// how many figures a row must have, realigns.
package textdoc

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/charset"
	"github.com/nianbao/nianbao/extract/textutil"
)

// Extract reads a text document.
func Extract(ctx context.Context, data []byte) (*nianbao.Document, error) {
	dec := charset.Decode(data, "", false)
	budget := nianbao.BudgetOf(ctx)
	if n := int64(len(dec.Text)); n > budget.Text {
		return nil, &nianbao.LimitError{Limit: "text", Max: budget.Text, Got: n}
	}
	doc := &nianbao.Document{Format: nianbao.FormatText}
	if dec.Note != "" {
		doc.Notes = append(doc.Notes, "charset: "+dec.Note)
	}
	text := strings.ReplaceAll(dec.Text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	// `pdftotext -layout` starts every page but the first with a form
	// feed: the columns of one page do not line up with those of another.
	paged := strings.Contains(text, "\f")
	page := 1
	cls := make([]line, len(lines))
	for i, l := range lines {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if paged && strings.Contains(l, "\f") {
			page += strings.Count(l, "\f")
			l = strings.ReplaceAll(l, "\f", "")
		}
		cls[i] = classify(l)
		cls[i].setPlace(i+1, page, paged)
	}
	var region []line
	ntables, ncells := 0, 0
	endRegion := func() {
		if len(region) == 0 {
			return
		}
		rows := joinWrapped(region)
		region = nil
		cells := make([][]string, len(rows))
		for i, r := range rows {
			cells[i] = r.cells
		}
		t := nianbao.NewPlainGrid(cells)
		t.Engine, t.Layout = "text", nianbao.LayoutText
		// Counted here: the document's own count walks every block.
		t.Index = ntables
		ntables++
		ncells += len(t.Rows) * t.Width()
		place(t, rows)
		doc.Blocks = append(doc.Blocks, nianbao.Block{Table: t})
	}
	last := kindBlank
	for i := 0; i < len(cls); i++ {
		l := cls[i]
		if l.kind != kindBlank && l.kind != kindRule {
			last = l.kind
		}
		switch {
		case l.kind == kindBlank || l.kind == kindRule:
			continue
		case l.kind == kindRow:
			region = append(region, l)
		case len(region) > 0 && l.kind == kindText && continuesTable(l, region[len(region)-1], cls[i+1:]):
			region = append(region, l.asLabel(lines[i]))
		default:
			endRegion()
			if l.text != "" {
				doc.Blocks = append(doc.Blocks, nianbao.Block{Text: l.text, Image: l.image})
			}
		}
	}
	endRegion()
	if ntables > budget.Tables {
		return nil, &nianbao.LimitError{Limit: "tables", Max: int64(budget.Tables), Got: int64(ntables)}
	}
	if ncells > budget.Cells {
		return nil, &nianbao.LimitError{Limit: "cells", Max: int64(budget.Cells), Got: int64(ncells)}
	}
	if last == kindRow {
		// A report goes on after its last table (sections 五 and 六): text
		// whose last line is a table row was cut.
		doc.Truncated = "the text ends on a table row"
	}
	if dec.Cut {
		doc.Truncated = "the text ends inside a character"
	}
	return doc, nil
}

// place gives the grid cells of a table their line, page and columns,
// counted in characters or in display width, whichever lines the figures
// up: `pdftotext -layout` gives each character one column, text laid out
// for a terminal or a monospaced font gives a Chinese character two.
func place(t *nianbao.Table, rows []line) {
	var chars, width map[int]bool
	for _, r := range rows {
		for i, sp := range r.spans {
			if sp.r1 > 0 && isFigure(r.cells[i]) {
				if chars == nil {
					chars, width = map[int]bool{}, map[int]bool{}
				}
				chars[sp.r0], chars[sp.r1+1<<20] = true, true
				width[sp.d0], width[sp.d1+1<<20] = true, true
			}
		}
	}
	byWidth := len(width) < len(chars)
	for ri, r := range rows {
		for i := range min(len(r.cells), len(t.Rows[ri])) {
			sp, c := r.spanAt(i), t.Rows[ri][i]
			c.Line, c.Page = sp.line, sp.page
			if sp.r1 > 0 {
				c.X0, c.X1 = sp.r0, sp.r1
				c.C0, c.C1 = sp.r0, sp.r1 // for provenance: characters, whatever lines the figures up
				if byWidth {
					c.X0, c.X1 = sp.d0, sp.d1
				}
			}
		}
	}
}

type kind int

const (
	kindBlank kind = iota
	kindText       // prose or a heading
	kindRow        // a table row: two or more cells
	kindRule       // a Markdown table separator |---|---|
	kindLabel      // a text line taken into a table as a label
)

type line struct {
	kind  kind
	text  string   // collapsed text (not for rows)
	cells []string // for rows; for text, the words of a spaced line
	spans []span   // where each cell stands, as cells
	image bool     // a Markdown image ![alt](src)
	line  int      // 1-based
	page  int      // 1-based, when the text has form feeds
}

// asLabel returns a text line taken into a table as a label, raw as
// printed: header words keep their places ("总计      总计" two cells), since
// a column is known by where its words stand.
func (l line) asLabel(raw string) line {
	lab := line{kind: kindLabel, cells: l.cells, spans: l.spans, text: l.text, line: l.line, page: l.page}
	if len(l.cells) < 2 {
		raw = strings.ReplaceAll(raw, "\f", "")
		lab.cells = []string{l.text}
		lab.spans = []span{{line: l.line, page: l.page}}
		if rs := splitRuns(raw); len(rs) == 1 {
			sp := columns(raw, rs)[0]
			sp.line, sp.page = l.line, l.page
			lab.spans[0] = sp
		}
	}
	return lab
}

// span is where a cell stands in the text: its line and page and, in
// columns aligned with spaces, its first and past-the-last column counted
// in characters (r0, r1) and in display width (d0, d1); r1 is 0 when tabs
// or pipes placed the cell.
type span struct{ line, page, r0, r1, d0, d1 int }

// setPlace records the line and page on the line and its cells' spans.
func (l *line) setPlace(n, page int, paged bool) {
	l.line = n
	if !paged {
		page = 0
	}
	l.page = page
	for i := range l.spans {
		l.spans[i].line, l.spans[i].page = n, page
	}
}

// spanAt returns where cell i stands: a line without spans (tabs, pipes)
// has its cells on its own line, placed by no column.
func (l line) spanAt(i int) span {
	if i < len(l.spans) {
		return l.spans[i]
	}
	return span{line: l.line, page: l.page}
}

// allSpans returns a span for every cell, made for a row whose cells are
// about to be joined with another line's.
func (l line) allSpans() []span {
	out := make([]span, len(l.cells))
	for i := range out {
		out[i] = l.spanAt(i)
	}
	return out
}

var (
	mdRule  = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	mdImage = regexp.MustCompile(`^\s*!\[([^\]]*)\]\(([^)]*)\)\s*$`)
	// Page numbers copied out of a PDF: "-4-", "— 4 —", "第 4 页", "4/6".
	pageNumber = regexp.MustCompile(`^\s*(?:[-—–－]\s*[0-9]{1,3}\s*[-—–－]|第\s*[0-9]{1,3}\s*页(?:\s*共\s*[0-9]{1,3}\s*页)?|[0-9]{1,3}\s*/\s*[0-9]{1,3})\s*$`)
)

func classify(raw string) line {
	if textutil.Trim(raw) == "" {
		if strings.Count(raw, "\t") >= 2 {
			// A row of empty cells (a table 四 with nothing to report),
			// copied as tabs only.
			return line{kind: kindRow, cells: make([]string, strings.Count(raw, "\t")+1)}
		}
		return line{kind: kindBlank}
	}
	if len(raw) < 40 && pageNumber.MatchString(raw) {
		return line{kind: kindBlank}
	}
	if strings.Contains(raw, "--") && mdRule.MatchString(raw) {
		return line{kind: kindRule}
	}
	if !strings.Contains(raw, "![") {
		// not an image
	} else if m := mdImage.FindStringSubmatch(raw); m != nil {
		return line{kind: kindText, text: "![" + m[1] + "](" + m[2] + ")", image: true}
	}
	var cells []string
	var spans []span
	pipes := strings.Count(raw, "|") >= 2
	switch {
	case pipes:
		t := strings.TrimSpace(raw)
		t = strings.TrimPrefix(t, "|")
		t = strings.TrimSuffix(t, "|")
		cells = strings.Split(t, "|")
	case strings.Contains(raw, "\t"):
		cells = strings.Split(strings.TrimRight(raw, " \r"), "\t")
	case !strings.ContainsFunc(textutil.Trim(raw), isRunSpace):
		// One run of text with no space inside (most prose): one cell.
		return line{kind: kindText, text: textutil.Collapse(raw)}
	default:
		var words bool
		cells, spans, words = splitSpaced(raw)
		if words {
			// Words side by side that make no row: text, its words kept
			// for a table that takes it as a line of its header.
			for i := range cells {
				cells[i] = textutil.Collapse(cells[i])
			}
			return line{kind: kindText, text: textutil.Collapse(raw), cells: cells, spans: spans}
		}
	}
	for i := range cells {
		cells[i] = textutil.Collapse(cells[i])
	}
	// A pipe line is a table row even with one cell filled (a block
	// heading such as | 第二十条第（八）项 | | |).
	// So is a tab line that starts with a cell and has empty cells after it
	// (第二十条第（一）项\t\t\t); a heading indented by a tab is not.
	// A single figure among empty cells is a row too (a table 四 with one
	// case).
	tabRow := !pipes && len(cells) >= 3 && nonEmpty(cells) == 1 && (cells[0] != "" || hasFigure(cells))
	if len(cells) >= 2 && nonEmpty(cells) >= 2 || pipes && (len(cells) >= 2 || nonEmpty(cells) >= 1) || tabRow {
		return line{kind: kindRow, cells: cells, spans: spans}
	}
	return line{kind: kindText, text: textutil.Collapse(raw)}
}

// isRunSpace reports the spaces that separate cells of space-aligned text.
func isRunSpace(r rune) bool { return r == ' ' || r == '\u3000' || r == '\u00a0' }

// splitRuns returns the byte ranges of s between runs of two or more
// spaces (ASCII, tab, ideographic or no-break), blank ends left out.
func splitRuns(s string) [][2]int {
	var parts [][2]int
	start, run, runStart := -1, 0, 0
	for i, r := range s {
		if r == '\t' || isRunSpace(r) || textutil.IsSpace(r) && start < 0 {
			if run == 0 {
				runStart = i
			}
			run++
			continue
		}
		switch {
		case start < 0:
			start = i
		case run >= 2:
			parts = append(parts, [2]int{start, runStart})
			start = i
		}
		run = 0
	}
	if start >= 0 {
		end := len(s)
		if run > 0 {
			end = runStart
		}
		parts = append(parts, [2]int{start, end})
	}
	return parts
}

// fieldRanges returns the byte ranges of the space-separated fields of
// s[from:to].
func fieldRanges(s string, from, to int) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s[from:to] {
		if textutil.IsSpace(r) {
			if start >= 0 {
				out = append(out, [2]int{from + start, from + i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{from + start, to})
	}
	return out
}

// splitSpaced splits a line of space-aligned columns: runs of two or more
// spaces separate cells, and a run of single-space-separated figures
// ("3 1 0 0 0 0 4") is split into its figures. Each cell comes with its
// columns on the line. A line with no figure is prose, however it is
// spaced; words is set when it splits into short words all the same (a
// line of a header: "总计      总计").
func splitSpaced(raw string) (cells []string, spans []span, words bool) {
	var ranges [][2]int
	for _, p := range splitRuns(raw) {
		fields := fieldRanges(raw, p[0], p[1])
		if len(fields) > 1 && allFigureRanges(raw, fields) {
			ranges = append(ranges, fields...)
			continue
		}
		// "label 3 1 0": peel figures off the end of a cell.
		if len(fields) > 1 {
			k := len(fields)
			for k > 0 && isFigure(raw[fields[k-1][0]:fields[k-1][1]]) {
				k--
			}
			if k > 0 && k < len(fields) {
				ranges = append(ranges, [2]int{p[0], fields[k-1][1]})
				ranges = append(ranges, fields[k:]...)
				continue
			}
		}
		ranges = append(ranges, p)
	}
	cells = make([]string, len(ranges))
	for i, r := range ranges {
		cells[i] = raw[r[0]:r[1]]
	}
	if len(cells) < 2 {
		return cells, columns(raw, ranges), false
	}
	figures := false
	for _, c := range cells {
		if isFigure(c) {
			figures = true
		} else if isProse(c) {
			// A wrapped paragraph line that happens to end in a figure.
			return []string{raw}, nil, false
		}
	}
	if figures || isHeaderLine(cells) {
		return cells, columns(raw, ranges), false
	}
	return cells, columns(raw, ranges), true
}

func allFigureRanges(s string, rs [][2]int) bool {
	for _, r := range rs {
		if !isFigure(s[r[0]:r[1]]) {
			return false
		}
	}
	return true
}

// columns converts byte ranges of a line, in order, into columns counted
// in characters and in display width.
func columns(s string, ranges [][2]int) []span {
	out := make([]span, len(ranges))
	k, edge := 0, 0 // the next range, and which of its ends
	rc, dc := 0, 0
	for i, r := range s {
		for k < len(ranges) && ranges[k][edge] == i {
			if edge == 0 {
				out[k].r0, out[k].d0 = rc, dc
				edge = 1
			} else {
				out[k].r1, out[k].d1 = rc, dc
				edge, k = 0, k+1
			}
		}
		if k == len(ranges) {
			break
		}
		rc++
		if r < 0x1100 {
			dc++ // no wide character below the Hangul Jamo
		} else {
			dc += textutil.Width(string(r))
		}
	}
	if k < len(ranges) && edge == 1 { // the last range ends the line
		out[k].r1, out[k].d1 = rc, dc
	}
	return out
}

// isHeaderLine reports a line of column headings aligned with spaces
// ("自然人   法人或其他组织   总计"): three or more short cells.
func isHeaderLine(cells []string) bool {
	if len(cells) < 3 {
		return false
	}
	for _, c := range cells {
		// A unit in brackets may carry punctuation: 采购总金额（单位：万元，保留4位小数）.
		if strings.ContainsAny(c, "（(") {
			c = bracketed.ReplaceAllString(c, "")
		}
		if utf8.RuneCountInString(c) > 20 || strings.ContainsAny(c, "，,。；;：:") {
			return false
		}
	}
	return true
}

var bracketed = regexp.MustCompile(`[（(][^）)]*([）)]|$)`)

// isProse reports text that is a sentence, not a table label: labels are
// short and never end a sentence inside.
func isProse(s string) bool {
	return strings.ContainsAny(s, "。；;") || utf8.RuneCountInString(s) > 50
}

var figure = regexp.MustCompile(`^[-+−]?[0-9０-９][0-9０-９,，.]*(万元|元|件|个|项|%)?$|^[/／\-－—–无]+$`)

// figureRunes are the only characters a figure or blank mark is made of.
const figureRunes = "0123456789０１２３４５６７８９,，.+-−－—–/／%万元件个项无"

func isFigure(s string) bool {
	if s != "" && (s[0] <= ' ' || s[len(s)-1] <= ' ' || s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		s = strings.TrimSpace(s) // cells are mostly trimmed already
	}
	if s == "" {
		return false
	}
	// Most cells are plain numbers or labels: decide those without the
	// regular expression.
	digits := true
	for _, r := range s {
		if r < '0' || r > '9' {
			digits = false
			if !strings.ContainsRune(figureRunes, r) {
				return false
			}
		}
	}
	return digits || figure.MatchString(s)
}

func nonEmpty(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}

// headings are the section headings of the template. A line with one of
// them ends a table; any other short line between table rows is a label
// written on a line of its own (a merged label, or a wrapped one).
var headings = []string{"总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议、行政诉讼情况",
	"行政复议和行政诉讼情况", "存在的主要问题", "其他需要报告的事项"}

func isHeading(s string) bool {
	if strings.HasPrefix(strings.TrimSpace(s), "#") {
		return true // a Markdown heading
	}
	for _, h := range headings {
		if strings.Contains(s, h) {
			return true
		}
	}
	return strings.Contains(s, "行政复议") && strings.Contains(s, "行政诉讼") && strings.Contains(s, "情况")
}

// continuesTable reports whether a text line inside a table region is part
// of the table: short, not a section heading, and either the end of a
// label cut on the row above or followed (after blanks) by another table
// row before any prose.
func continuesTable(l line, prev line, rest []line) bool {
	if isHeading(l.text) || utf8.RuneCountInString(l.text) > 40 || endsSentence(l.text) {
		return false
	}
	if prev.kind == kindRow && hasLabel(prev.cells) && !opensLabel(l.text) && wrappedAbove(prev) {
		return true
	}
	for _, n := range rest {
		switch n.kind {
		case kindBlank, kindRule:
			continue
		case kindRow:
			return true
		default:
			if isHeading(n.text) || utf8.RuneCountInString(n.text) > 40 || endsSentence(n.text) {
				return false
			}
		}
	}
	return false
}

func endsSentence(s string) bool {
	return strings.HasSuffix(s, "。") || strings.HasSuffix(s, "：") || strings.HasSuffix(s, ":")
}

// joinWrapped merges the pieces of labels that wrapped over several lines.
// Text copied out of a PDF puts a wrapped label's figures on its middle
// line: a row of figures only takes the label line just above it (when that
// line opens a label) and the continuation lines below it (lines that do not
// open a new label with a numbering mark).
func joinWrapped(lines []line) []line {
	var out []line
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.kind == kindRow && len(out) > 0 && out[len(out)-1].kind == kindLabel {
			// The label lines above a row that continue one another, from
			// the one that opens the label ("2.申请人逾期未按收" / "费通知要求缴纳费").
			from := len(out) - 1
			for from > 0 && out[from-1].kind == kindLabel && !opensLabel(out[from].text) {
				from--
			}
			var above strings.Builder
			for _, p := range out[from:] {
				above.WriteString(p.text)
			}
			switch {
			case !hasLabel(l.cells):
				// Figures alone: the label is the line(s) above.
				first := out[from]
				out = out[:from]
				lead := len(l.cells) - len(trimLeadingEmpty(l.cells))
				l.spans = append([]span{{line: first.line, page: first.page}}, l.allSpans()[lead:]...)
				l.cells = append([]string{above.String()}, l.cells[lead:]...)
			case hasFigure(l.cells) && !opensLabel(l.cells[lastLabel(l.cells)]) && opensLabel(out[from].text):
				// "1、申请人无正当理由逾期不补" above "正、行政机关… 67 3 0": one
				// label wrapped, its figures on a later line (next to the
				// group label of a merged cell, if any).
				out = out[:from]
				l.cells = append([]string{}, l.cells...)
				i := lastLabel(l.cells)
				l.cells[i] = above.String() + l.cells[i]
			}
		}
		if l.kind == kindRow && hasFigure(l.cells) && len(out) > 0 && out[len(out)-1].kind == kindRow &&
			!hasFigure(out[len(out)-1].cells) && hasLabel(l.cells) {
			// A cell with a line break in tab text: "→（四）无法提供→1.本机关不"
			// then "掌握相关政府信息→2→0…". The labels of the first line and
			// the figures of the second are one row.
			prev := out[len(out)-1]
			first := labelIndex(l.cells)
			if pl := lastLabel(prev.cells); first == 0 && opensLabel(prev.cells[pl]) &&
				(!opensLabel(l.cells[first]) || cutLabel(prev.cells[pl])) {
				cells := append([]string{}, prev.cells[:pl+1]...)
				cells[pl] += l.cells[first]
				l.spans = append(prev.allSpans()[:pl+1], l.allSpans()[first+1:]...)
				l.cells = append(cells, l.cells[first+1:]...)
				out = out[:len(out)-1]
			}
		}
		if l.kind == kindLabel && len(out) > 0 && out[len(out)-1].kind == kindRow && hasLabel(out[len(out)-1].cells) &&
			!opensLabel(l.text) && wrappedAbove(out[len(out)-1]) {
			p := &out[len(out)-1]
			idx := lastLabel(p.cells)
			p.cells = append([]string{}, p.cells...)
			p.cells[idx] += l.text
			continue
		}
		out = append(out, l)
	}
	return out
}

// wrappedAbove reports whether a row's label was taken from a line above
// it, or looks cut: a label whose brackets are unbalanced or which ends in
// the middle of a phrase, as a wrapped label does.
func wrappedAbove(r line) bool {
	lab := r.cells[lastLabel(r.cells)]
	open := strings.Count(lab, "（") + strings.Count(lab, "(")
	closed := strings.Count(lab, "）") + strings.Count(lab, ")")
	if open > closed {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(lab)
	return unicode.Is(unicode.Han, last) && !strings.HasSuffix(lab, "申请") && !strings.HasSuffix(lab, "信息") &&
		!strings.HasSuffix(lab, "公开") && !strings.HasSuffix(lab, "数量") && !strings.HasSuffix(lab, "办理")
}

var opener = regexp.MustCompile(`^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[）)]|[0-9０-９]+[.．、,，]|第[一二三四五六七八九十]+|行政|信息内容|信息內容|规章|規章|规范性文件|規範性文件|政府|其他|总计|總計|自然人|商业|商業|科研|社会|社會|法律|法人|申请人|申請人|结果|結果|尚未|未经|未經|复议|復議)`)

func opensLabel(s string) bool {
	// The opener only looks at the start: the first few characters, spaces
	// left out, are enough to match against.
	var buf [32]byte
	b := buf[:0]
	n := 0
	for _, r := range s {
		if textutil.IsSpace(r) {
			continue
		}
		if n == 0 && !strings.ContainsRune(openerFirst, r) {
			return false
		}
		if len(b)+utf8.RuneLen(r) > len(buf) || n == 8 {
			break
		}
		b = utf8.AppendRune(b, r)
		n++
	}
	return opener.Match(b)
}

// openerFirst holds every character an opener can start with. Openers
// are in Simplified and Traditional characters: a Traditional page's
// header line (信息內容) must open a row, not continue the label above.
const openerFirst = "一二三四五六七八九十（(0123456789０１２３４５６７８９第行信规規政其总總自商科社法申结結尚未复復"

func hasLabel(cells []string) bool {
	for _, c := range cells {
		if c != "" && !isFigure(c) {
			return true
		}
	}
	return false
}

func hasFigure(cells []string) bool {
	for _, c := range cells {
		if c != "" && isFigure(c) {
			return true
		}
	}
	return false
}

func labelIndex(cells []string) int {
	for i, c := range cells {
		if c != "" && !isFigure(c) {
			return i
		}
	}
	return 0
}

// lastLabel returns the index of the last label cell of a row: the one a
// wrapped label continues.
// cutLabel reports a label that cannot end where it does: after a comma or
// an enumeration mark, or with a bracket left open.
func cutLabel(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "、") || strings.HasSuffix(s, "，") || strings.HasSuffix(s, ",") {
		return true
	}
	return strings.Count(s, "（")+strings.Count(s, "(") > strings.Count(s, "）")+strings.Count(s, ")")
}

func lastLabel(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if cells[i] != "" && !isFigure(cells[i]) {
			return i
		}
	}
	return 0
}

func trimLeadingEmpty(cells []string) []string {
	for len(cells) > 0 && cells[0] == "" {
		cells = cells[1:]
	}
	return cells
}

// Sniff reports whether data is plausibly text: valid UTF-8 or a Chinese
// legacy encoding, with few control bytes.
func Sniff(data []byte) bool {
	head := data[:min(len(data), 4096)]
	if len(head) == 0 {
		return false
	}
	ctl := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' {
			ctl++
		}
	}
	if ctl*100 > len(head) {
		return false
	}
	if utf8.Valid(head) || !bytes.ContainsRune(head, 0) {
		return true
	}
	return false
}
