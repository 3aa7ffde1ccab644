// Package htmldoc reads an HTML report page into the document model: text
// blocks in reading order and every data table as a grid with rowspan and
// colspan expanded. It copes with what government CMSs and Word exports put
// on the web: any Chinese charset, <o:p> and <span> splits inside numbers,
// &nbsp; blanks, layout tables around the whole report.
package htmldoc

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/charset"
	"github.com/nianbao/nianbao/extract/textutil"
)

// Extract reads an HTML document. contentType is the HTTP Content-Type
// header when the page was fetched, else "".
func Extract(ctx context.Context, data []byte, contentType string) (*nianbao.Document, error) {
	dec := charset.Decode(data, contentType, true)
	doc := &nianbao.Document{Format: nianbao.FormatHTML}
	if dec.Note != "" {
		doc.Notes = append(doc.Notes, "charset: "+dec.Note)
	}
	root, err := html.Parse(strings.NewReader(dec.Text))
	if err != nil {
		return nil, fmt.Errorf("html: %w", err)
	}
	gq := goquery.NewDocumentFromNode(root)
	doc.Title = textutil.Collapse(gq.Find("title").First().Text())
	w := walker{ctx: ctx, doc: doc}
	body := gq.Find("body").First()
	if body.Length() == 0 {
		w.walk(root)
	} else {
		w.walk(body.Get(0))
	}
	w.flush()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return doc, nil
}

// walker turns the DOM into blocks. Inline text accumulates in line until a
// block-level element or <br> ends it.
type walker struct {
	ctx  context.Context
	doc  *nianbao.Document
	line strings.Builder
	n    int // nodes visited, to check ctx now and then
}

func (w *walker) flush() {
	s := textutil.Collapse(w.line.String())
	w.line.Reset()
	if s != "" {
		w.doc.Blocks = append(w.doc.Blocks, nianbao.Block{Text: s})
	}
}

func (w *walker) walk(n *html.Node) {
	w.n++
	if w.n%4096 == 0 && w.ctx.Err() != nil {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.line.WriteString(n.Data)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Head, atom.Template, atom.Iframe, atom.Object:
			return
		case atom.Br:
			w.flush()
			return
		case atom.Img:
			w.flush()
			w.doc.Blocks = append(w.doc.Blocks, nianbao.Block{Image: true, Text: imageText(n)})
			return
		case atom.Table:
			if !hasDescendant(n, atom.Table) {
				w.flush()
				w.table(n)
				return
			}
			// A layout table: its cells are page regions, read them as flow.
		}
		if hidden(n) {
			return
		}
	}
	block := n.Type == html.ElementNode && isBlock(n)
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.flush()
	}
}

// table converts a data table into a grid.
func (w *walker) table(n *html.Node) {
	var rows [][]nianbao.SpanCell
	var images []string
	eachRow(n, func(tr *html.Node) {
		var row []nianbao.SpanCell
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
				continue
			}
			if hidden(td) {
				continue
			}
			row = append(row, nianbao.SpanCell{
				Text:    cellText(td, &images),
				RowSpan: spanAttr(td, "rowspan"),
				ColSpan: spanAttr(td, "colspan"),
			})
		}
		rows = append(rows, row)
	})
	for _, alt := range images {
		w.doc.Blocks = append(w.doc.Blocks, nianbao.Block{Image: true, Text: alt})
	}
	if len(rows) == 0 {
		return
	}
	t := nianbao.NewGrid(rows)
	if t.Width() == 0 {
		return
	}
	t.Engine = "html"
	t.Index = w.tables()
	w.doc.Blocks = append(w.doc.Blocks, nianbao.Block{Table: t})
}

func (w *walker) tables() int {
	k := 0
	for _, b := range w.doc.Blocks {
		if b.Table != nil {
			k++
		}
	}
	return k
}

// eachRow calls f for every <tr> of the table, in order, looking through
// thead/tbody/tfoot but not into nested tables.
func eachRow(n *html.Node, f func(*html.Node)) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Tr:
			f(c)
		case atom.Table:
		default:
			eachRow(c, f)
		}
	}
}

// cellText returns the text of a cell. Word splits one number over several
// <span>s and adds <o:p>; joining text nodes with nothing between keeps
// "1" "2" "3" as "123", while <br> and <p> inside a cell become a space, so a
// label wrapped in the source stays one label after normalisation.
func cellText(td *html.Node, images *[]string) string {
	var b strings.Builder
	var rec func(n *html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style:
				return
			case atom.Br:
				b.WriteByte('\n')
				return
			case atom.Img:
				*images = append(*images, imageText(n))
				return
			}
			if hidden(n) {
				return
			}
		}
		block := n.Type == html.ElementNode && isBlock(n)
		if block {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if block {
			b.WriteByte('\n')
		}
	}
	rec(td)
	return textutil.Collapse(b.String())
}

func spanAttr(n *html.Node, name string) int {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, name) {
			v, err := strconv.Atoi(strings.TrimSpace(strings.Trim(a.Val, `"' `)))
			if err != nil || v < 1 {
				return 1
			}
			return min(v, 1000)
		}
	}
	return 1
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}

func imageText(n *html.Node) string {
	if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
		return alt
	}
	src := attr(n, "src")
	if i := strings.LastIndexByte(src, '/'); i >= 0 {
		src = src[i+1:]
	}
	return src
}

// hidden reports markup the reader never sees (Word exports carry
// display:none spans with field codes).
func hidden(n *html.Node) bool {
	if attr(n, "hidden") != "" {
		return true
	}
	st := strings.ToLower(strings.ReplaceAll(attr(n, "style"), " ", ""))
	return strings.Contains(st, "display:none") || strings.Contains(st, "mso-hide:all")
}

func hasDescendant(n *html.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.DataAtom == a || hasDescendant(c, a)) {
			return true
		}
	}
	return false
}

func isBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th, atom.Table, atom.Section,
		atom.Article, atom.Header, atom.Footer, atom.Blockquote, atom.Pre, atom.Dd, atom.Dt,
		atom.Center, atom.Hr, atom.Form, atom.Main, atom.Nav, atom.Aside, atom.Caption:
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
