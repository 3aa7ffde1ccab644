package htmldoc

import (
	"strconv"

	"golang.org/x/net/html/atom"
)

// elemPath follows the open elements of the page, as the markup writes
// them, so that a table cell can say where it is: its element path,
// html>body>div[2]>table[1]>tr[5]>td[3], each step 1-based among the
// siblings of the same name. The ends HTML leaves out are implied as a
// browser implies them (an open <p> ends at the next block, <td> at the
// next cell or row, <li> at the next item), so that the counts are those of
// the page a person opens; the <tbody> a browser adds where the markup has
// none is not counted, the path is of the markup.
type elemPath struct {
	open []elem
	top  []kid // the children of the document itself
	// lost is set when the page nests deeper, or names more kinds of
	// children, than a page of reports does: the paths are given up
	// rather than the memory.
	lost bool
	buf  []byte
}

// elem is an open element: its name, its number among the siblings of the
// same name, and the children it has had so far.
type elem struct {
	name string
	n    int
	kids []kid
}

type kid struct {
	name string
	n    int
}

const (
	maxPathDepth = 256
	maxKidNames  = 64
)

// start records a start tag; a is its atom (0 for a name the atom table
// does not know: name is read from raw then).
func (p *elemPath) start(a atom.Atom, raw []byte) {
	if p.lost || void(a) {
		return
	}
	name := a.String()
	if a == 0 {
		name = rawName(raw)
		if name == "" {
			return
		}
	}
	p.implyEnds(a)
	kids := &p.top
	if len(p.open) > 0 {
		kids = &p.open[len(p.open)-1].kids
	}
	n := 0
	for i := range *kids {
		if (*kids)[i].name == name {
			(*kids)[i].n++
			n = (*kids)[i].n
			break
		}
	}
	if n == 0 {
		if len(*kids) >= maxKidNames || len(p.open) >= maxPathDepth {
			p.lost = true
			return
		}
		*kids = append(*kids, kid{name, 1})
		n = 1
	}
	if len(p.open) < cap(p.open) {
		// Reuse the frame's list of children.
		p.open = p.open[:len(p.open)+1]
		e := &p.open[len(p.open)-1]
		e.name, e.n, e.kids = name, n, e.kids[:0]
		return
	}
	p.open = append(p.open, elem{name: name, n: n})
}

// end records an end tag: it closes the innermost open element of that
// name and those inside it; an end tag with no such element open is
// ignored, as browsers ignore it. The ends of a table's parts do not reach
// out of their table.
func (p *elemPath) end(a atom.Atom, raw []byte) {
	if p.lost || void(a) {
		return
	}
	name := a.String()
	if a == 0 {
		name = rawName(raw)
	}
	for i := len(p.open) - 1; i >= 0; i-- {
		if p.open[i].name == name {
			p.open = p.open[:i]
			return
		}
		if p.open[i].name == "table" && tablePart(a) {
			return
		}
	}
}

// implyEnds closes what a start tag a ends by itself, as a browser's
// parser does: a cell or row of a table what was open in the row or
// section before, an item the item before, a block an open paragraph.
func (p *elemPath) implyEnds(a atom.Atom) {
	switch a {
	case atom.Td, atom.Th:
		p.clearTo("tr", "table")
	case atom.Tr:
		p.clearTo("tbody", "thead", "tfoot", "table")
	case atom.Tbody, atom.Thead, atom.Tfoot, atom.Caption, atom.Colgroup:
		p.clearTo("table")
	case atom.Dt, atom.Dd:
		p.closeIn([]string{"dt", "dd"}, "dl")
	case atom.Option:
		p.closeIn([]string{"option"}, "select")
	case atom.Li:
		p.closeIn([]string{"li"}, "ul", "ol")
	}
	if closesP(a) {
		p.closeIn([]string{"p"}, "table", "td", "th", "caption", "button", "object", "template", "html")
	}
}

// clearTo closes every element inside the innermost open one named among
// keep (which stays open); nothing when none is open.
func (p *elemPath) clearTo(keep ...string) {
	for i := len(p.open) - 1; i >= 0; i-- {
		for _, k := range keep {
			if p.open[i].name == k {
				p.open = p.open[:i+1]
				return
			}
		}
	}
}

// closeIn closes the innermost open element named among targets, and
// what is inside it, unless one named among bounds comes first.
func (p *elemPath) closeIn(targets []string, bounds ...string) {
	for i := len(p.open) - 1; i >= 0; i-- {
		n := p.open[i].name
		for _, t := range targets {
			if n == t {
				p.open = p.open[:i]
				return
			}
		}
		for _, b := range bounds {
			if n == b {
				return
			}
		}
	}
}

// String writes the path of the innermost open element, "" when the page
// defeated the count.
func (p *elemPath) String() string {
	if p.lost || len(p.open) == 0 {
		return ""
	}
	b := p.buf[:0]
	for i, e := range p.open {
		if i > 0 {
			b = append(b, '>')
		}
		b = append(b, e.name...)
		if e.name == "html" || e.name == "body" {
			continue // one of each
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(e.n), 10)
		b = append(b, ']')
	}
	p.buf = b
	return string(b)
}

// tablePart reports the elements whose end tags stay within their table.
func tablePart(a atom.Atom) bool {
	switch a {
	case atom.Td, atom.Th, atom.Tr, atom.Tbody, atom.Thead, atom.Tfoot, atom.Caption:
		return true
	}
	return false
}

// closesP reports the start tags that end an open <p> (HTML's "close a p
// element" list).
func closesP(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details, atom.Dialog,
		atom.Dir, atom.Div, atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hgroup, atom.Hr, atom.Li,
		atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Summary, atom.Table,
		atom.Ul, atom.Dd, atom.Dt, atom.Listing, atom.Plaintext, atom.Xmp:
		return true
	}
	return false
}

// rawName reads the element name of a raw tag the atom table does not
// know ("<o:p>", "</trs_editor>"), lower case.
func rawName(raw []byte) string {
	i := 1
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	j := i
	for j < len(raw) {
		switch raw[j] {
		case ' ', '\t', '\r', '\n', '\f', '/', '>':
			goto done
		}
		j++
	}
done:
	b := make([]byte, j-i)
	for k, c := range raw[i:j] {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[k] = c
	}
	return string(b)
}
