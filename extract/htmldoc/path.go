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
	// rather than the memory. It is set from the start when the caller
	// wants no paths (Options.NoPaths).
	lost bool
	// buf is the path of open[:done], rendered, and ends[i] where the step
	// of open[i] ends in it: a cell's path is its row's path and one step
	// more, so that only the steps opened since the last cell are written.
	buf  []byte
	ends []int
	done int
}

// elem is an open element: its atom and name, its number among the
// siblings of the same name, and the children it has had so far. Elements
// are told apart by atom (comparing numbers, not strings), by name for the
// names the atom table does not know (atom 0): a name the table knows
// always has its atom (tagOf), so that the two agree.
type elem struct {
	a    atom.Atom
	name string
	n    int
	kids []kid
}

type kid struct {
	a    atom.Atom
	name string
	n    int
}

// is reports whether two elements, each an atom and a name, are of one name.
func is(a atom.Atom, name string, a2 atom.Atom, name2 string) bool {
	if a != 0 || a2 != 0 {
		return a == a2
	}
	return name == name2
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
		if k := &(*kids)[i]; is(k.a, k.name, a, name) {
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
		*kids = append(*kids, kid{a, name, 1})
		n = 1
	}
	if len(p.open) < cap(p.open) {
		// Reuse the frame's list of children.
		p.open = p.open[:len(p.open)+1]
		e := &p.open[len(p.open)-1]
		e.a, e.name, e.n, e.kids = a, name, n, e.kids[:0]
		return
	}
	p.open = append(p.open, elem{a: a, name: name, n: n})
}

// end records an end tag: it closes the innermost open element of that
// name and those inside it; an end tag with no such element open is
// ignored, as browsers ignore it. The ends of a table's parts do not reach
// out of their table.
func (p *elemPath) end(a atom.Atom, raw []byte) {
	if p.lost || void(a) {
		return
	}
	name := ""
	if a == 0 {
		name = rawName(raw)
	}
	for i := len(p.open) - 1; i >= 0; i-- {
		if e := &p.open[i]; is(e.a, e.name, a, name) {
			p.close(i)
			return
		}
		if p.open[i].a == atom.Table && tablePart(a) {
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
		p.clearTo(atom.Tr, atom.Table)
	case atom.Tr:
		p.clearTo(atom.Tbody, atom.Thead, atom.Tfoot, atom.Table)
	case atom.Tbody, atom.Thead, atom.Tfoot, atom.Caption, atom.Colgroup:
		p.clearTo(atom.Table)
	case atom.Dt, atom.Dd:
		p.closeIn([]atom.Atom{atom.Dt, atom.Dd}, atom.Dl)
	case atom.Option:
		p.closeIn([]atom.Atom{atom.Option}, atom.Select)
	case atom.Li:
		p.closeIn([]atom.Atom{atom.Li}, atom.Ul, atom.Ol)
	}
	if closesP(a) {
		p.closeIn([]atom.Atom{atom.P}, atom.Table, atom.Td, atom.Th, atom.Caption, atom.Button, atom.Object, atom.Template, atom.Html)
	}
}

// clearTo closes every element inside the innermost open one named among
// keep (which stays open); nothing when none is open.
func (p *elemPath) clearTo(keep ...atom.Atom) {
	for i := len(p.open) - 1; i >= 0; i-- {
		for _, k := range keep {
			if p.open[i].a == k {
				p.close(i + 1)
				return
			}
		}
	}
}

// closeIn closes the innermost open element named among targets, and
// what is inside it, unless one named among bounds comes first.
func (p *elemPath) closeIn(targets []atom.Atom, bounds ...atom.Atom) {
	for i := len(p.open) - 1; i >= 0; i-- {
		n := p.open[i].a
		for _, t := range targets {
			if n == t {
				p.close(i)
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

// close closes the open elements from the i-th on.
func (p *elemPath) close(i int) {
	p.open = p.open[:i]
	p.done = min(p.done, i)
}

// render returns the path of the innermost open element, nil when the page
// defeated the count. The bytes are valid until the next call.
func (p *elemPath) render() []byte {
	if p.lost || len(p.open) == 0 {
		return nil
	}
	// The steps still open since the last call are written already (an
	// element opened replaces a closed one only beyond done).
	b, ends := p.buf[:0], p.ends[:p.done]
	if p.done > 0 {
		b = p.buf[:ends[p.done-1]]
	}
	for i := p.done; i < len(p.open); i++ {
		e := p.open[i]
		if i > 0 {
			b = append(b, '>')
		}
		b = append(b, e.name...)
		if e.a != atom.Html && e.a != atom.Body { // one of each
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(e.n), 10)
			b = append(b, ']')
		}
		ends = append(ends, len(b))
	}
	p.buf, p.ends, p.done = b, ends, len(p.open)
	return b
}

// String returns the path of the innermost open element, "" when the page
// defeated the count.
func (p *elemPath) String() string { return string(p.render()) }

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
