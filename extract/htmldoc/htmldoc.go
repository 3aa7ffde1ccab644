// Package htmldoc reads an HTML report page into the document model: text
// blocks in reading order and every data table as a grid with rowspan and
// colspan expanded. It copes with what government CMSs and Word exports put
// on the web: any Chinese charset, <o:p> and <span> splits inside numbers,
// &nbsp; blanks, unclosed cells, layout tables around the whole report.
//
// It reads the token stream of golang.org/x/net/html rather than building
// the DOM: a report page needs only its text, its block boundaries and its
// tables, and building the tree costs four times the tokenizing.
package htmldoc

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/charset"
	"github.com/nianbao/nianbao/extract/textutil"
)

// Extract reads an HTML document. contentType is the HTTP Content-Type
// header when the page was fetched, else "".
func Extract(ctx context.Context, data []byte, contentType string) (*nianbao.Document, error) {
	return ExtractWith(ctx, data, Options{ContentType: contentType})
}

// Options tune ExtractWith.
type Options struct {
	// ContentType is the HTTP Content-Type header when the page was
	// fetched, else "".
	ContentType string
	// NoPaths leaves the cells' element paths out (SpanCell.Path ""):
	// following every element of the page for them is a tenth of the
	// reading's work, and a caller that keeps only grid positions (the
	// store) does not need them.
	NoPaths bool
}

// ExtractWith is Extract with options.
func ExtractWith(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	dec := charset.Decode(data, opt.ContentType, true)
	doc := &nianbao.Document{Format: nianbao.FormatHTML}
	if dec.Note != "" {
		doc.Notes = append(doc.Notes, "charset: "+dec.Note)
	}
	r := reader{ctx: ctx, doc: doc, z: html.NewTokenizer(strings.NewReader(dec.Text)), budget: nianbao.BudgetOf(ctx)}
	r.path.lost = opt.NoPaths
	if err := r.read(); err != nil {
		return nil, err
	}
	return doc, nil
}

// reader walks the tokens. Text outside tables accumulates in line until a
// block boundary; inside a table it goes to the current cell.
type reader struct {
	ctx     context.Context
	doc     *nianbao.Document
	z       *html.Tokenizer
	line    []byte
	tables  []*table  // open tables, innermost last
	skip    atom.Atom // inside an element whose content is never shown
	hidden  int       // depth inside a display:none element
	title   strings.Builder
	inTitle bool
	// budget bounds the tables, cells and text of the page; ntables,
	// ncells and ntext count them (ntables also numbers the tables: the
	// document's own count is a walk over every block).
	budget                 nianbao.Budget
	ntables, ncells, ntext int64
	err                    error // the first limit the page went over
	// article is the title a content system states in <meta
	// name="ArticleTitle">: the report's own, where <title> often carries
	// the site's name and the page's first lines its breadcrumbs.
	article string
	// path follows the open elements, for the element path of each cell.
	path   elemPath
	closed bool // </body> or </html> seen: tables left open were never closed, not cut
}

// table is an open <table>. Its cells keep their text as lines, so that a
// table that turns out to be a layout table (one that holds another table)
// can be given back as flow: its cells' lines and its nested tables, in order.
type table struct {
	rows   [][]nianbao.SpanCell
	row    []nianbao.SpanCell
	inRow  bool
	cell   *cell // the open cell (points to spare), nil between cells
	spare  cell
	parts  []part // flow of the whole table: lines and nested blocks, in order
	layout bool
	images []string
}

type cell struct {
	lines   []string
	line    []byte
	rowspan int
	colspan int
	path    string // the element path of the cell
}

// part is a piece of a layout table's flow: a line of text or blocks of a
// nested table.
type part struct {
	text   string
	blocks []nianbao.Block
}

func (r *reader) read() error {
	for n := 0; ; n++ {
		if n%4096 == 0 && r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		tt := r.z.Next()
		switch tt {
		case html.ErrorToken:
			// EOF or a read error on a string reader: either way, the end.
			if len(r.tables) > 0 && !r.closed {
				// A table still open where the page stops, with no </body>
				// or </html> before: the page was cut.
				r.doc.Truncated = "the page ends inside a table"
			}
			r.endAll()
			r.doc.Title = textutil.Collapse(r.title.String())
			if r.article != "" {
				r.doc.Title = r.article
			}
			return nil
		case html.TextToken:
			if r.skip != 0 || r.hidden > 0 {
				continue
			}
			if r.inTitle {
				r.title.Write(r.z.Text())
				continue
			}
			r.text(r.z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			a, hasAttr := tagOf(r.z.Raw())
			r.path.start(a, r.z.Raw())
			r.start(a, hasAttr, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			a, _ := tagOf(r.z.Raw())
			r.end(a)
			r.path.end(a, r.z.Raw())
		}
	}
}

func (r *reader) start(a atom.Atom, hasAttr, selfClosing bool) {
	if r.skip != 0 {
		return
	}
	var at attrs
	if hasAttr && r.wantAttrs(a) {
		at = r.attrs(a)
	}
	if r.hidden > 0 {
		if !selfClosing && !void(a) {
			r.hidden++
		}
		return
	}
	if at.hidden && !selfClosing && !void(a) {
		r.hidden = 1
		return
	}
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe, atom.Object, atom.Textarea:
		if !selfClosing {
			r.skip = a
		}
		return
	case atom.Title:
		if !selfClosing {
			r.inTitle = true
		}
		return
	case atom.Meta:
		switch at.metaName {
		case "articletitle":
			if r.article == "" {
				r.article = textutil.Collapse(at.content)
			}
		case "pubdate", "publishdate", "firstpublishedtime", "dcterms.issued", "dc.date.issued":
			// Content systems state when they published the page.
			if r.doc.Published == "" {
				r.doc.Published = strings.TrimSpace(at.content)
			}
		}
		return
	case atom.Br:
		r.boundary()
		return
	case atom.Img:
		r.image(at.imageText())
		return
	case atom.Table:
		r.boundary()
		if t := r.top(); t != nil {
			t.layout = true
		}
		r.tables = append(r.tables, &table{})
		return
	}
	t := r.top()
	if t != nil {
		switch a {
		case atom.Tr:
			t.endCell()
			t.endRow()
			t.inRow = true
			return
		case atom.Td, atom.Th:
			t.endCell()
			if !t.inRow {
				t.inRow = true
			}
			// One cell value per table, reused: a page has thousands.
			t.spare.lines, t.spare.rowspan, t.spare.colspan = t.spare.lines[:0], max(at.rowspan, 1), max(at.colspan, 1)
			t.spare.line = t.spare.line[:0]
			t.spare.path = r.path.String()
			t.cell = &t.spare
			return
		}
	}
	if isBlock(a) {
		r.boundary()
	}
}

func (r *reader) end(a atom.Atom) {
	if r.skip != 0 {
		if a == r.skip {
			r.skip = 0
		}
		return
	}
	if r.hidden > 0 {
		r.hidden--
		return
	}
	switch a {
	case atom.Title:
		r.inTitle = false
		return
	case atom.Table:
		r.endTable()
		return
	case atom.Body, atom.Html:
		r.closed = true
	}
	if t := r.top(); t != nil {
		switch a {
		case atom.Td, atom.Th:
			t.endCell()
			return
		case atom.Tr:
			t.endCell()
			t.endRow()
			return
		}
	}
	if isBlock(a) {
		r.boundary()
	}
}

func (r *reader) top() *table {
	if len(r.tables) == 0 {
		return nil
	}
	return r.tables[len(r.tables)-1]
}

// text adds character data where it belongs: the open cell, else the line.
func (r *reader) text(b []byte) {
	if r.ntext += int64(len(b)); r.ntext > r.budget.Text && r.err == nil {
		r.err = &nianbao.LimitError{Limit: "text", Max: r.budget.Text}
	}
	if t := r.top(); t != nil {
		if t.cell == nil {
			// Text between cells (whitespace, stray words): part of the
			// table's flow only.
			if s := textutil.CollapseBytes(b); s != "" {
				t.parts = append(t.parts, part{text: s})
			}
			return
		}
		t.cell.line = append(t.cell.line, b...)
		return
	}
	r.line = append(r.line, b...)
}

// boundary ends the current line: a block element or <br>.
func (r *reader) boundary() {
	if t := r.top(); t != nil {
		if t.cell != nil {
			t.cell.newLine()
		}
		return
	}
	if s := textutil.CollapseBytes(r.line); s != "" {
		r.doc.Blocks = append(r.doc.Blocks, nianbao.Block{Text: s})
	}
	r.line = r.line[:0]
}

func (r *reader) image(alt string) {
	if t := r.top(); t != nil {
		if t.cell != nil {
			t.cell.newLine()
		}
		t.images = append(t.images, alt)
		t.parts = append(t.parts, part{blocks: []nianbao.Block{{Image: true, Text: alt}}})
		return
	}
	r.boundary()
	r.doc.Blocks = append(r.doc.Blocks, nianbao.Block{Image: true, Text: alt})
}

func (c *cell) newLine() {
	if s := textutil.CollapseBytes(c.line); s != "" {
		c.lines = append(c.lines, s)
	}
	c.line = c.line[:0]
}

func (t *table) endCell() {
	if t.cell == nil {
		return
	}
	c := t.cell
	c.newLine()
	for _, l := range c.lines {
		t.parts = append(t.parts, part{text: l})
	}
	// A cell's lines are one text: Word wraps labels with <br> and <p>,
	// and normalisation joins them.
	text := ""
	switch len(c.lines) {
	case 0:
	case 1:
		text = c.lines[0]
	default:
		text = strings.Join(c.lines, " ")
	}
	t.row = append(t.row, nianbao.SpanCell{Text: text, RowSpan: c.rowspan, ColSpan: c.colspan, Path: c.path})
	t.cell = nil
}

// counted adds n cells (a cell spanning many counts as many: that is what
// the grid holds) and says whether the page is still within its budget.
func (r *reader) counted(n int64) bool {
	if r.ncells += n; r.ncells > int64(r.budget.Cells) && r.err == nil {
		r.err = &nianbao.LimitError{Limit: "cells", Max: int64(r.budget.Cells)}
	}
	return r.err == nil
}

func (t *table) endRow() {
	if t.inRow || len(t.row) > 0 {
		t.rows = append(t.rows, t.row)
		// Rows of a table are mostly as wide as the one before.
		t.row = make([]nianbao.SpanCell, 0, len(t.row))
	}
	t.inRow = false
}

// endTable closes the innermost table: a data table becomes a grid, a
// layout table gives back its flow; either goes to the enclosing table's
// flow, or to the document.
func (r *reader) endTable() {
	t := r.top()
	if t == nil {
		return // a stray </table>
	}
	t.endCell()
	t.endRow()
	r.tables = r.tables[:len(r.tables)-1]
	var blocks []nianbao.Block
	if t.layout {
		for _, p := range t.parts {
			if p.text != "" {
				blocks = append(blocks, nianbao.Block{Text: p.text})
			}
			blocks = append(blocks, p.blocks...)
		}
	} else {
		for _, alt := range t.images {
			blocks = append(blocks, nianbao.Block{Image: true, Text: alt})
		}
		// The grid is counted before it is made: spans expand it, and
		// markup of a few KB can ask for billions of cells.
		if r.counted(t.gridSize()) {
			if g := t.grid(); g != nil {
				blocks = append(blocks, nianbao.Block{Table: g})
			}
		}
	}
	if parent := r.top(); parent != nil {
		if parent.cell != nil {
			parent.cell.newLine()
			// The cell's lines so far belong before the nested table.
			for _, l := range parent.cell.lines {
				parent.parts = append(parent.parts, part{text: l})
			}
			parent.cell.lines = nil
		}
		parent.parts = append(parent.parts, part{blocks: blocks})
		return
	}
	for _, b := range blocks {
		if b.Table != nil {
			b.Table.Index = int(r.ntables)
			if r.ntables++; r.ntables > int64(r.budget.Tables) && r.err == nil {
				r.err = &nianbao.LimitError{Limit: "tables", Max: int64(r.budget.Tables)}
			}
		}
		r.doc.Blocks = append(r.doc.Blocks, b)
	}
}

// gridSize bounds from above the cells nianbao.NewGrid makes of the rows
// (its width times the rows, and a cell per position a rowspan fills),
// with the spans clipped as NewGrid clips them.
func (t *table) gridSize() int64 {
	var widest, carried, below int64
	for r, row := range t.rows {
		var w int64
		for _, c := range row {
			cs := int64(min(max(c.ColSpan, 1), 256))
			w += cs
			if rs := int64(min(max(c.RowSpan, 1), len(t.rows)-r)); rs > 1 {
				carried += cs
				below += (rs - 1) * cs
			}
		}
		widest = max(widest, w)
	}
	return (widest+carried)*int64(len(t.rows)) + below
}

// grid turns the table's rows into the model's grid.
func (t *table) grid() *nianbao.Table {
	if len(t.rows) == 0 {
		return nil
	}
	g := nianbao.NewGrid(t.rows)
	if g.Width() == 0 {
		return nil
	}
	g.Engine, g.Layout = "html", nianbao.LayoutGrid
	return g
}

// endAll closes what the page left open.
func (r *reader) endAll() {
	for len(r.tables) > 0 {
		r.endTable()
	}
	r.boundary()
}

func span(v []byte) int {
	n, err := strconv.Atoi(string(bytes.Trim(v, "\"' \t")))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1000)
}

// attrs are the attributes the reader uses.
type attrs struct {
	rowspan, colspan int
	// hidden: markup the reader never sees (Word exports carry display:none
	// spans with field codes).
	hidden   bool
	alt, src string
	// metaName (lower case) and content of a <meta>.
	metaName, content string
}

// tagOf reads the element of a raw tag ("<TD class=x>", "</td>") without
// the copy the tokenizer's TagName makes, and whether attributes follow.
func tagOf(raw []byte) (atom.Atom, bool) {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var buf [16]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		default:
			goto done
		}
		if n == len(buf) {
			return 0, false // longer than any element we know
		}
		buf[n] = c
		n++
	}
done:
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\r', '\n', '\f', '/':
			continue
		}
		break
	}
	return atom.Lookup(buf[:n]), i < len(raw) && raw[i] != '>'
}

// wantAttrs tells from the raw tag whether its attributes matter: reading
// them costs an allocation each (the tokenizer copies them), and a Word
// export has thousands of styles that say nothing the reader uses.
func (r *reader) wantAttrs(a atom.Atom) bool {
	if a == atom.Img || a == atom.Meta {
		return true
	}
	// One pass for "span", "none" and "hid" in any case: rowspan and
	// colspan, display:none, mso-hide and hidden.
	raw := r.z.Raw()
	for i := 0; i+3 <= len(raw); i++ {
		switch raw[i] | 0x20 {
		case 's':
			if i+4 <= len(raw) && foldEq(raw[i:i+4], "span") {
				return true
			}
		case 'n':
			if i+4 <= len(raw) && foldEq(raw[i:i+4], "none") {
				return true
			}
		case 'h':
			if foldEq(raw[i:i+3], "hid") {
				return true
			}
		}
	}
	return false
}

// foldEq reports whether b equals the lower-case ASCII word w, ignoring case.
func foldEq(b []byte, w string) bool {
	for i := range len(w) {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// attrs reads the attributes of the current tag, converting to strings only
// what is kept: a page has thousands of style attributes.
func (r *reader) attrs(a atom.Atom) attrs {
	var at attrs
	for {
		k, v, more := r.z.TagAttr()
		switch string(k) {
		case "rowspan":
			at.rowspan = span(v)
		case "colspan":
			at.colspan = span(v)
		case "hidden":
			at.hidden = true
		case "style":
			if bytes.Contains(v, []byte("none")) || bytes.Contains(v, []byte("hide")) || bytes.Contains(v, []byte("NONE")) {
				st := strings.ToLower(strings.ReplaceAll(string(v), " ", ""))
				at.hidden = at.hidden || strings.Contains(st, "display:none") || strings.Contains(st, "mso-hide:all")
			}
		case "alt":
			if a == atom.Img {
				at.alt = strings.TrimSpace(string(v))
			}
		case "src":
			if a == atom.Img {
				at.src = string(v)
			}
		case "name":
			if a == atom.Meta {
				at.metaName = strings.ToLower(string(v))
			}
		case "content":
			if a == atom.Meta {
				at.content = string(v)
			}
		}
		if !more {
			return at
		}
	}
}

func (at attrs) imageText() string {
	if at.alt != "" {
		return at.alt
	}
	src := at.src
	if i := strings.LastIndexByte(src, '/'); i >= 0 {
		src = src[i+1:]
	}
	return src
}

func void(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Blockquote, atom.Pre, atom.Dd, atom.Dt, atom.Dl, atom.Center, atom.Hr, atom.Form,
		atom.Main, atom.Nav, atom.Aside, atom.Caption, atom.Body, atom.Html, atom.Head:
		return true
	}
	return false
}

// Sniff reports whether data looks like HTML.
func Sniff(data []byte) bool {
	head := data[:min(len(data), 2048)]
	head = bytes.TrimLeft(head, "\xef\xbb\xbf \t\r\n")
	if len(head) == 0 || head[0] != '<' {
		// Not markup at the start: HTML only if it has a table further on.
		return bytes.Contains(head, []byte("<table")) && bytes.Contains(head, []byte("</td>")) ||
			bytes.Contains(head, []byte("<TABLE")) && bytes.Contains(head, []byte("</TD>"))
	}
	lower := bytes.ToLower(head)
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<table", "<p", "<div", "<?xml"} {
		if bytes.HasPrefix(lower, []byte(p)) {
			return p != "<?xml" || bytes.Contains(lower, []byte("<html"))
		}
	}
	return bytes.Contains(lower, []byte("<table")) && bytes.Contains(lower, []byte("</td>"))
}
