package pdfdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/ledongthuc/pdf"
	"github.com/nianbao/nianbao"
)

// glyph is one character drawn on a page, in points with the origin at the
// top left of the page as displayed.
type glyph struct {
	s              string
	x0, y0, x1, y1 float64
	size           float64
	font           int // index into the document's fonts, to tell bold headings apart
}

func (g *glyph) cx() float64 { return (g.x0 + g.x1) / 2 }
func (g *glyph) cy() float64 { return (g.y0 + g.y1) / 2 }

// segment is a ruling line: horizontal when y0 == y1, vertical when x0 == x1.
type segment struct{ x0, y0, x1, y1 float64 }

// pageData is what one page draws that matters for layout.
type pageData struct {
	num        int
	w, h       float64
	glyphs     []glyph
	hseg, vseg []segment
	images     []imgBox
	err        error // the page failed part way; what was read before stays
	// tables, when set, are the page's tables already read (OCR fills the
	// cells itself); buildDocument then skips its own reconstruction.
	tables []*rtable
}

type imgBox struct{ x0, y0, x1, y1 float64 }

type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m, then n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

type gstate struct {
	ctm                 matrix
	fillWhite, strkWhit bool
	// text state survives BT/ET and is saved by q/Q
	tc, tw, th, tl, tfs, trise float64
	font                       *fontInfo
	fontIdx                    int
}

// interp walks the content of one page.
type interp struct {
	ctx       context.Context
	doc       *docState
	meter     *meter
	nodes     nodes // the page tree's inner nodes, shared by the pages
	page      *pageData
	textOnly  bool // skip graphics (the poppler engine gives the text)
	graphOnly bool
	ops       int
	// page box transform to top-left coordinates
	toPage func(x, y float64) (float64, float64)
}

// errBudget ends a page whose content is too large or too slow.
type budgetError struct{ what string }

func (e budgetError) Error() string { return e.what }

const (
	maxOpsPerPage    = 3_000_000
	maxGlyphsPerPage = 200_000
	maxSegsPerPage   = 200_000
	maxFormDepth     = 8
)

// runPage interprets the page, recovering any panic from the library or
// from malformed content; what was collected before a failure is kept.
func (it *interp) runPage(p pdf.Page) {
	defer func() {
		if r := recover(); r != nil {
			it.page.err = fmt.Errorf("page %d: %w", it.page.num, pagePanic(r, it.page.num))
		}
	}()
	res := it.nodes.inherited(p.V, "Resources")
	data, err := it.contentBytes(p.V.Key("Contents"))
	if err != nil {
		it.page.err = fmt.Errorf("page %d: content: %w", it.page.num, err)
		var le *nianbao.LimitError
		if errors.As(err, &le) {
			return // a document over budget is not read further
		}
	}
	g := gstate{ctm: identity, th: 1}
	it.run(data, res, g, 0)
}

// contentBytes decodes a page's content: one stream or an array of them,
// read as one, within the budget of a stream and of the document.
func (it *interp) contentBytes(c pdf.Value) ([]byte, error) {
	switch c.Kind() {
	case pdf.Stream:
		return it.meter.decode(c, it.meter.budget.StreamBytes)
	case pdf.Array:
		var buf bytes.Buffer
		var firstErr error
		for i := 0; i < c.Len() && i < 4096; i++ {
			d, err := it.meter.decode(c.Index(i), it.meter.budget.StreamBytes-int64(buf.Len()))
			var le *nianbao.LimitError
			if errors.As(err, &le) {
				return nil, err
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
			buf.Write(d)
			buf.WriteByte('\n')
		}
		return buf.Bytes(), firstErr
	}
	return nil, nil
}

// meter counts what a document's streams decoded, against its budget.
type meter struct {
	budget  nianbao.Budget
	decoded int64
}

// decode reads the decoded bytes of a content stream or form. More than
// limit bytes, or more than the document's budget of decoded bytes left,
// is a LimitError: the library decodes lazily, so no more than the limit
// is ever held, and a stream that inflates a thousandfold is stopped at
// the limit instead of read to its end.
func (d *meter) decode(v pdf.Value, limit int64) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, errPanic(p)
		}
	}()
	left := d.budget.DocBytes - d.decoded
	if left <= 0 {
		return nil, &nianbao.LimitError{Limit: "decoded", Max: d.budget.DocBytes}
	}
	n := min(limit, left)
	rc := v.Reader()
	defer rc.Close()
	data, err = io.ReadAll(io.LimitReader(rc, n+1))
	d.decoded += int64(len(data))
	if int64(len(data)) > n {
		if n == left {
			return nil, &nianbao.LimitError{Limit: "decoded", Max: d.budget.DocBytes}
		}
		return nil, &nianbao.LimitError{Limit: "stream", Max: d.budget.StreamBytes}
	}
	return data, err
}

// inherited looks a page attribute up through the page tree.
func inherited(v pdf.Value, key string) pdf.Value { return nodes(nil).inherited(v, key) }

// nodes caches the page tree's inner nodes of one document by object
// reference. The library parses an object again each time it is reached,
// and an inner node holds its /Kids: looking an attribute up through
// /Parent cost a parse of every sibling's reference, for every page — with
// one node of 20,000 kids, a quadratic read.
type nodes map[objRef]pdf.Value

// parent returns the /Parent of v, parsed once per document.
func (c nodes) parent(v pdf.Value) pdf.Value {
	ref, ok := rawRef(v, "Parent")
	if c == nil || !ok {
		return v.Key("Parent")
	}
	if p, hit := c[ref]; hit {
		return p
	}
	p := v.Key("Parent")
	c[ref] = p
	return p
}

// inherited looks a page attribute up through the page tree.
func (c nodes) inherited(v pdf.Value, key string) pdf.Value {
	for i := 0; i < 32 && !v.IsNull(); i++ {
		if r := v.Key(key); !r.IsNull() {
			return r
		}
		v = c.parent(v)
	}
	return pdf.Value{}
}

type point struct{ x, y float64 }

func (it *interp) run(data []byte, res pdf.Value, g gstate, depth int) {
	lx := contentLexer{data: data}
	var stack []gstate
	var tm, tlm matrix
	var ops []ctok
	// path under construction, in device space
	var sub [][]point
	var cur []point
	var rects [][4]point
	var fonts runFonts
	closeSub := func() {
		if len(cur) > 1 {
			sub = append(sub, cur)
		}
		cur = nil
	}
	for {
		t, ok := lx.next()
		if !ok {
			return
		}
		if t.kind != ckOp {
			if len(ops) < 64 {
				ops = append(ops, t)
			}
			continue
		}
		it.ops++
		if it.ops&0xFFF == 0 {
			if err := it.ctx.Err(); err != nil {
				panic(budgetError{"timed out: " + err.Error()})
			}
			if it.ops > maxOpsPerPage {
				panic(budgetError{"too many operators"})
			}
		}
		op := t.op
		switch string(op) {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, g)
			}
		case "Q":
			if n := len(stack); n > 0 {
				g = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if m, ok := numMatrix(ops); ok {
				g.ctm = m.mul(g.ctm)
			}
		case "g", "rg", "k", "sc", "scn":
			g.fillWhite = paintsWhite(ops)
		case "G", "RG", "K", "SC", "SCN":
			g.strkWhit = paintsWhite(ops)
		case "cs":
			g.fillWhite = false
		case "CS":
			g.strkWhit = false
		case "m":
			if !it.textOnly && len(ops) >= 2 {
				closeSub()
				x, y := g.ctm.apply(ops[0].num, ops[1].num)
				cur = []point{{x, y}}
			}
		case "l":
			if !it.textOnly && len(ops) >= 2 {
				x, y := g.ctm.apply(ops[0].num, ops[1].num)
				if len(cur) < 1024 {
					cur = append(cur, point{x, y})
				}
			}
		case "c", "v", "y":
			// a curve is no ruling: end the straight run here
			if !it.textOnly && len(ops) >= 2 {
				closeSub()
				x, y := g.ctm.apply(ops[len(ops)-2].num, ops[len(ops)-1].num)
				cur = []point{{x, y}}
			}
		case "h":
			if len(cur) > 2 {
				cur = append(cur, cur[0])
			}
		case "re":
			if !it.textOnly && len(ops) >= 4 && len(rects) < maxSegsPerPage {
				x, y, w, h := ops[0].num, ops[1].num, ops[2].num, ops[3].num
				var r [4]point
				r[0].x, r[0].y = g.ctm.apply(x, y)
				r[1].x, r[1].y = g.ctm.apply(x+w, y)
				r[2].x, r[2].y = g.ctm.apply(x+w, y+h)
				r[3].x, r[3].y = g.ctm.apply(x, y+h)
				rects = append(rects, r)
			}
		case "S", "s":
			closeSub()
			if !g.strkWhit {
				it.strokePath(sub, rects)
			}
			sub, rects = sub[:0], rects[:0]
		case "f", "F", "f*":
			closeSub()
			if !g.fillWhite {
				it.fillPath(sub, rects)
			}
			sub, rects = sub[:0], rects[:0]
		case "B", "B*", "b", "b*":
			closeSub()
			if !g.strkWhit {
				it.strokePath(sub, rects)
			}
			if !g.fillWhite {
				it.fillPath(sub, rects)
			}
			sub, rects = sub[:0], rects[:0]
		case "n":
			cur = nil
			sub, rects = sub[:0], rects[:0]
		case "BT":
			tm, tlm = identity, identity
		case "Tc":
			if len(ops) >= 1 {
				g.tc = ops[0].num
			}
		case "Tw":
			if len(ops) >= 1 {
				g.tw = ops[0].num
			}
		case "Tz":
			if len(ops) >= 1 {
				g.th = ops[0].num / 100
			}
		case "TL":
			if len(ops) >= 1 {
				g.tl = ops[0].num
			}
		case "Ts":
			if len(ops) >= 1 {
				g.trise = ops[0].num
			}
		case "Tf":
			// Reading ruling lines alone, nothing needs the font.
			if len(ops) >= 2 && ops[0].kind == ckName && !it.graphOnly {
				g.font, g.fontIdx = it.font(res, &fonts, string(ops[0].str))
				g.tfs = ops[1].num
			}
		case "Td", "TD":
			if len(ops) >= 2 {
				if string(op) == "TD" {
					g.tl = -ops[1].num
				}
				tlm = matrix{1, 0, 0, 1, ops[0].num, ops[1].num}.mul(tlm)
				tm = tlm
			}
		case "Tm":
			if m, ok := numMatrix(ops); ok {
				tm, tlm = m, m
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
		case "Tj", "'", "\"":
			if string(op) != "Tj" {
				if string(op) == "\"" && len(ops) >= 3 {
					g.tw, g.tc = ops[0].num, ops[1].num
				}
				tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
				tm = tlm
			}
			if len(ops) >= 1 && ops[len(ops)-1].kind == ckString && !it.graphOnly {
				it.show(&g, &tm, ops[len(ops)-1].str)
			}
		case "TJ":
			if len(ops) >= 1 && ops[0].kind == ckArray && !it.graphOnly {
				for _, e := range ops[0].arr {
					if e.kind == ckString {
						it.show(&g, &tm, e.str)
					} else if e.kind == ckNumber {
						tx := -e.num / 1000 * g.tfs * g.th
						tm = matrix{1, 0, 0, 1, tx, 0}.mul(tm)
					}
				}
			}
		case "Do":
			if len(ops) >= 1 && ops[0].kind == ckName {
				it.doXObject(res, g, string(ops[0].str), depth)
			}
		case "BI":
			lx.skipInlineImage()
		}
		ops = ops[:0]
	}
}

func numMatrix(ops []ctok) (matrix, bool) {
	if len(ops) < 6 {
		return matrix{}, false
	}
	var m matrix
	for i := 0; i < 6; i++ {
		m[i] = ops[len(ops)-6+i].num
	}
	return m, true
}

// paintsWhite tells a colour operand list that paints white (invisible on the
// page, so not a ruling).
func paintsWhite(ops []ctok) bool {
	var nums []float64
	for _, o := range ops {
		if o.kind == ckNumber {
			nums = append(nums, o.num)
		}
	}
	switch len(nums) {
	case 1:
		return nums[0] > 0.95
	case 3:
		return nums[0] > 0.95 && nums[1] > 0.95 && nums[2] > 0.95
	case 4:
		return nums[0] < 0.05 && nums[1] < 0.05 && nums[2] < 0.05 && nums[3] < 0.05
	}
	return false
}

// runFonts are the fonts one content stream has named, and its
// resources' /Font dictionary, read at the first Tf.
type runFonts struct {
	dict   pdf.Value
	read   bool
	byName map[string]*fontInfo
}

func (it *interp) font(res pdf.Value, local *runFonts, name string) (*fontInfo, int) {
	if f, ok := local.byName[name]; ok {
		return f, it.doc.fontIndex[f]
	}
	if !local.read {
		local.dict, local.read = res.Key("Font"), true
		local.byName = map[string]*fontInfo{}
	}
	f := it.doc.fontFor(local.dict, name)
	local.byName[name] = f
	return f, it.doc.fontIndex[f]
}

func (it *interp) doXObject(res pdf.Value, g gstate, name string, depth int) {
	x := res.Key("XObject").Key(name)
	switch x.Key("Subtype").Name() {
	case "Image":
		if it.textOnly {
			return
		}
		var xs, ys []float64
		for _, c := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
			px, py := g.ctm.apply(c[0], c[1])
			px, py = it.toPage(px, py)
			xs, ys = append(xs, px), append(ys, py)
		}
		if len(it.page.images) < 1000 {
			it.page.images = append(it.page.images, imgBox{minOf(xs), minOf(ys), maxOf(xs), maxOf(ys)})
		}
	case "Form":
		if depth >= maxFormDepth {
			return
		}
		if m, ok := valueMatrix(x.Key("Matrix")); ok {
			g.ctm = m.mul(g.ctm)
		}
		r := x.Key("Resources")
		if r.IsNull() {
			r = res
		}
		data, err := it.meter.decode(x, it.meter.budget.StreamBytes)
		var le *nianbao.LimitError
		if errors.As(err, &le) {
			panic(err) // ends the page; readPages ends the document
		}
		if err != nil && it.page.err == nil {
			it.page.err = fmt.Errorf("page %d: form %s: %w", it.page.num, name, err)
		}
		it.run(data, r, g, depth+1)
	}
}

func valueMatrix(v pdf.Value) (matrix, bool) {
	if v.Len() != 6 {
		return matrix{}, false
	}
	var m matrix
	for i := range m {
		m[i] = v.Index(i).Float64()
	}
	return m, true
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// show draws a string: one glyph per character code, each advanced by its
// own width (the library gives every glyph of an Identity-H run the run's
// start, and appends a spurious character after each TJ).
func (it *interp) show(g *gstate, tm *matrix, raw []byte) {
	f := g.font
	if f == nil {
		f = it.doc.fallbackFont()
	}
	s := string(raw)
	for len(s) > 0 {
		code, n := f.nextCode(s)
		s = s[n:]
		w0 := f.width(code) * f.scale // in text space units per unit font size
		trm := matrix{g.tfs * g.th, 0, 0, g.tfs, 0, g.trise}.mul(*tm).mul(g.ctm)
		if len(it.page.glyphs) < maxGlyphsPerPage {
			txt := f.text(code, n)
			if txt != "" {
				var xs, ys [4]float64
				for i, c := range [4][2]float64{{0, f.descent}, {w0, f.descent}, {0, f.ascent}, {w0, f.ascent}} {
					px, py := trm.apply(c[0], c[1])
					xs[i], ys[i] = it.toPage(px, py)
				}
				size := math.Hypot(trm[2], trm[3])
				it.page.glyphs = append(it.page.glyphs, glyph{s: txt,
					x0: minOf(xs[:]), x1: maxOf(xs[:]), y0: minOf(ys[:]), y1: maxOf(ys[:]), size: size, font: g.fontIdx})
			}
		}
		tx := w0*g.tfs + g.tc
		if n == 1 && code == 32 {
			tx += g.tw
		}
		*tm = matrix{1, 0, 0, 1, tx * g.th, 0}.mul(*tm)
	}
}

// minRuleLen is the shortest stroke taken as a ruling (shorter ones are
// glyph parts, bullets, underline stubs).
const minRuleLen = 4.0

// thin is the greatest thickness of a filled rectangle taken as a line.
const thin = 3.0

func (it *interp) strokePath(sub [][]point, rects [][4]point) {
	for _, r := range rects {
		for i := 0; i < 4; i++ {
			it.addSeg(r[i], r[(i+1)%4])
		}
	}
	for _, s := range sub {
		for i := 0; i+1 < len(s); i++ {
			it.addSeg(s[i], s[i+1])
		}
	}
}

func (it *interp) fillPath(sub [][]point, rects [][4]point) {
	for _, r := range rects {
		it.addFilled(r[:])
	}
	for _, s := range sub {
		if len(s) >= 3 {
			it.addFilled(s)
		}
	}
}

// addFilled takes a filled shape as a line when it is thin (how Chromium,
// WPS and Word draw table borders); a big filled area (a shaded header
// cell) is no ruling.
func (it *interp) addFilled(pts []point) {
	var xs, ys []float64
	for _, p := range pts {
		x, y := it.toPage(p.x, p.y)
		xs, ys = append(xs, x), append(ys, y)
	}
	x0, x1, y0, y1 := minOf(xs), maxOf(xs), minOf(ys), maxOf(ys)
	w, h := x1-x0, y1-y0
	switch {
	case h <= thin && w >= minRuleLen:
		it.push(segment{x0, (y0 + y1) / 2, x1, (y0 + y1) / 2})
	case w <= thin && h >= minRuleLen:
		it.push(segment{(x0 + x1) / 2, y0, (x0 + x1) / 2, y1})
	}
}

func (it *interp) addSeg(a, b point) {
	x0, y0 := it.toPage(a.x, a.y)
	x1, y1 := it.toPage(b.x, b.y)
	switch {
	case math.Abs(y0-y1) < 0.5 && math.Abs(x1-x0) >= minRuleLen:
		y := (y0 + y1) / 2
		it.push(segment{min(x0, x1), y, max(x0, x1), y})
	case math.Abs(x0-x1) < 0.5 && math.Abs(y1-y0) >= minRuleLen:
		x := (x0 + x1) / 2
		it.push(segment{x, min(y0, y1), x, max(y0, y1)})
	}
}

func (it *interp) push(s segment) {
	if len(it.page.hseg)+len(it.page.vseg) >= maxSegsPerPage {
		return
	}
	if s.y0 == s.y1 {
		it.page.hseg = append(it.page.hseg, s)
	} else {
		it.page.vseg = append(it.page.vseg, s)
	}
}

// --- content stream lexer ---

type ckind int

const (
	ckNumber ckind = iota
	ckString
	ckName
	ckArray
	ckOp
	ckOther
)

type ctok struct {
	kind ckind
	num  float64
	str  []byte // string bytes, name, or op
	op   []byte
	arr  []ctok
}

type contentLexer struct {
	data []byte
	pos  int
}

func (lx *contentLexer) skipSpace() {
	d := lx.data
	for lx.pos < len(d) {
		c := d[lx.pos]
		if c == '%' {
			for lx.pos < len(d) && d[lx.pos] != '\n' && d[lx.pos] != '\r' {
				lx.pos++
			}
			continue
		}
		if !isWhite(c) {
			return
		}
		lx.pos++
	}
}

func (lx *contentLexer) next() (ctok, bool) {
	lx.skipSpace()
	d := lx.data
	if lx.pos >= len(d) {
		return ctok{}, false
	}
	c := d[lx.pos]
	switch {
	case c == '[':
		lx.pos++
		var arr []ctok
		for len(arr) < 1<<16 {
			lx.skipSpace()
			if lx.pos >= len(d) {
				break
			}
			if d[lx.pos] == ']' {
				lx.pos++
				break
			}
			t, ok := lx.next()
			if !ok {
				break
			}
			if t.kind == ckOp {
				// an operator inside an array: malformed; end the array
				break
			}
			arr = append(arr, t)
		}
		return ctok{kind: ckArray, arr: arr}, true
	case c == '(':
		s, n := readLiteral(d[lx.pos:])
		lx.pos += n
		return ctok{kind: ckString, str: []byte(s)}, true
	case c == '<' && lx.pos+1 < len(d) && d[lx.pos+1] == '<':
		// inline dictionary (marked-content properties): skip it whole
		depth := 0
		for lx.pos+1 < len(d) {
			if d[lx.pos] == '<' && d[lx.pos+1] == '<' {
				depth++
				lx.pos += 2
				continue
			}
			if d[lx.pos] == '>' && d[lx.pos+1] == '>' {
				depth--
				lx.pos += 2
				if depth == 0 {
					break
				}
				continue
			}
			if d[lx.pos] == '(' {
				_, n := readLiteral(d[lx.pos:])
				lx.pos += n
				continue
			}
			lx.pos++
		}
		return ctok{kind: ckOther}, true
	case c == '<':
		end := bytes.IndexByte(d[lx.pos:], '>')
		if end < 0 {
			lx.pos = len(d)
			return ctok{}, false
		}
		s := decodeHex(d[lx.pos+1 : lx.pos+end])
		lx.pos += end + 1
		return ctok{kind: ckString, str: []byte(s)}, true
	case c == '/':
		start := lx.pos + 1
		lx.pos++
		for lx.pos < len(d) && !isWhite(d[lx.pos]) && !isDelimiter(d[lx.pos]) {
			lx.pos++
		}
		return ctok{kind: ckName, str: d[start:lx.pos]}, true
	case c == ']' || c == ')' || c == '>' || c == '{' || c == '}':
		lx.pos++
		return ctok{kind: ckOther}, true
	}
	start := lx.pos
	for lx.pos < len(d) && !isWhite(d[lx.pos]) && !isDelimiter(d[lx.pos]) {
		lx.pos++
	}
	w := d[start:lx.pos]
	if len(w) == 0 {
		lx.pos++
		return ctok{kind: ckOther}, true
	}
	if v, ok := parseNum(w); ok {
		return ctok{kind: ckNumber, num: v}, true
	}
	return ctok{kind: ckOp, op: w}, true
}

// parseNum reads a PDF number without allocating.
func parseNum(w []byte) (float64, bool) {
	c := w[0]
	if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.') {
		return 0, false
	}
	neg := false
	i := 0
	if c == '-' || c == '+' {
		neg = c == '-'
		i++
	}
	var v float64
	digits := 0
	for ; i < len(w) && w[i] >= '0' && w[i] <= '9'; i++ {
		v = v*10 + float64(w[i]-'0')
		digits++
	}
	if i < len(w) && w[i] == '.' {
		i++
		f := 0.1
		for ; i < len(w) && w[i] >= '0' && w[i] <= '9'; i++ {
			v += float64(w[i]-'0') * f
			f /= 10
			digits++
		}
	}
	if i != len(w) {
		// exotic forms (exponents are not PDF, but some writers emit them)
		if f, err := strconv.ParseFloat(string(w), 64); err == nil {
			return f, true
		}
		return 0, false
	}
	if digits == 0 {
		return 0, true // "-" or "." alone: writers mean 0
	}
	if neg {
		v = -v
	}
	return v, true
}

// skipInlineImage moves past BI … ID <binary> EI.
func (lx *contentLexer) skipInlineImage() {
	d := lx.data
	i := bytes.Index(d[lx.pos:], []byte("ID"))
	if i < 0 {
		lx.pos = len(d)
		return
	}
	p := lx.pos + i + 2
	for p < len(d) {
		j := bytes.Index(d[p:], []byte("EI"))
		if j < 0 {
			lx.pos = len(d)
			return
		}
		k := p + j
		before := k == 0 || isWhite(d[k-1])
		after := k+2 >= len(d) || isWhite(d[k+2])
		if before && after {
			lx.pos = k + 2
			return
		}
		p = k + 2
	}
	lx.pos = len(d)
}
