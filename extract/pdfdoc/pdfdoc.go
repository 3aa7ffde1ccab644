// Package pdfdoc reads a PDF report into the document model: text blocks in
// reading order and table grids rebuilt from glyph positions and ruling
// lines, each cell with its page and box.
//
// Two engines give the glyphs: the native one (github.com/ledongthuc/pdf's
// object reader with our own content interpreter, font cache and width
// tables) and poppler's pdftotext run as a subprocess. Both share the
// ruling-line reader and the table reconstruction. Two more read what
// those cannot: `pdftotext -layout` text through the text extractor (tables
// without ruling lines) and Tesseract OCR (scanned pages). Extract runs one
// engine; Readings runs them in order of cost for a caller that keeps the
// best reading.
package pdfdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/nianbao/nianbao"
)

// Engine names a text source; it is recorded in Table.Engine.
type Engine string

const (
	EngineNative  Engine = "ledongthuc"
	EnginePoppler Engine = "pdftotext"
	// EngineLayout: the pages as `pdftotext -layout` prints them, tables
	// rebuilt from the alignment by the text extractor.
	EngineLayout Engine = "pdftotext-layout"
)

// Options tune one extraction.
type Options struct {
	Engine  Engine        // EngineNative when empty
	Timeout time.Duration // per engine and document, 60 s when zero; OCR's grows with the pages (OCRBudget)
	// MaxPages bounds the pages read; 0 means the document budget's
	// Pages (nianbao.Budget), and a PDF with more pages is over budget.
	MaxPages int
	// Pdftotext, Pdftoppm and Tesseract name the binaries; found in PATH
	// when empty.
	Pdftotext string
	Pdftoppm  string
	Tesseract string
}

func (o Options) withDefaults() Options {
	if o.Engine == "" {
		o.Engine = EngineNative
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Pdftotext == "" {
		o.Pdftotext = "pdftotext"
	}
	if o.Pdftoppm == "" {
		o.Pdftoppm = "pdftoppm"
	}
	if o.Tesseract == "" {
		o.Tesseract = "tesseract"
	}
	return o
}

// Errors the pipeline maps to a status. Each returned error wraps one of
// them (errors.Is).
var (
	ErrNotPDF    = errors.New("not a PDF")
	ErrDamaged   = errors.New("damaged PDF")
	ErrTruncated = fmt.Errorf("%w: truncated", ErrDamaged)
	ErrEncrypted = errors.New("encrypted PDF")
	ErrNoPages   = errors.New("PDF has no pages")
	// ErrNeedsOCR: the text layer is missing or unusable; the document
	// returned with it still has Pages and Notes.
	ErrNeedsOCR      = errors.New("needs OCR")
	ErrNoText        = fmt.Errorf("%w: no text layer (image only)", ErrNeedsOCR)
	ErrGarbage       = fmt.Errorf("%w: text layer does not decode to readable text", ErrNeedsOCR)
	ErrEngineMissing = errors.New("PDF engine not installed")
	ErrTimeout       = errors.New("PDF extraction timed out")
)

// Extract reads a PDF with the engine opt.Engine. It never panics. On
// ErrNeedsOCR it returns the (textless) document as well.
func Extract(ctx context.Context, data []byte, opt Options) (doc *nianbao.Document, err error) {
	opt = opt.withDefaults()
	if opt.MaxPages <= 0 {
		opt.MaxPages = nianbao.BudgetOf(ctx).Pages
	}
	cancel := func() {}
	if opt.Engine != EngineOCR {
		// OCR sets its own limit, which grows with the pages (OCRBudget).
		ctx, cancel = context.WithTimeout(ctx, opt.Timeout)
	}
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, errPanic(p)
		}
	}()
	switch opt.Engine {
	case EngineNative:
		doc, err = extractNative(ctx, data, opt)
	case EnginePoppler:
		doc, err = extractPoppler(ctx, data, opt)
	case EngineLayout:
		doc, err = extractLayout(ctx, data, opt)
	case EngineOCR:
		doc, err = extractOCR(ctx, data, opt)
	default:
		return nil, fmt.Errorf("unknown PDF engine %q", opt.Engine)
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("%w after %v", ErrTimeout, opt.Timeout)
	}
	if le := (*nianbao.LimitError)(nil); ctx.Err() != nil && errors.As(context.Cause(ctx), &le) {
		// The document's time ran out, not the engine's.
		err = le
	}
	if err != nil && !errors.Is(err, ErrNeedsOCR) {
		return nil, err
	}
	return doc, err
}

// docState holds what is shared across the pages of one document.
type docState struct {
	r         *pdf.Reader
	byRef     map[objRef]*fontInfo // fonts that are indirect objects (fontFor)
	fonts     map[string]*fontInfo // fonts written inline, by their printed dictionary
	fontIndex map[*fontInfo]int
	fallback  *fontInfo
}

// openPDF opens data with the library, mending what it is strict about
// and a broken file often has: bytes before the header, a header line
// that is not "%PDF-1.x" + newline, bytes after %%EOF.
func openPDF(data []byte) (*pdf.Reader, error) {
	return openPDFWithin(data, nianbao.DefaultBudget().Objects)
}

// openPDFWithin is openPDF refusing a file that declares more than
// objects objects (nianbao.Budget.Objects).
func openPDFWithin(data []byte, objects int) (r *pdf.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w: %w", ErrDamaged, errPanic(p))
		}
	}()
	i := bytes.Index(data[:min(len(data), 1024)], []byte("%PDF-"))
	if i < 0 {
		return nil, ErrNotPDF
	}
	data = data[i:]
	if len(data) < 16 {
		return nil, ErrTruncated
	}
	fixed := data
	patch := func() {
		if &fixed[0] == &data[0] {
			fixed = append([]byte(nil), data...)
		}
	}
	if fixed[5] != '1' || fixed[6] != '.' || fixed[7] < '0' || fixed[7] > '7' {
		patch()
		copy(fixed[5:8], "1.7")
	}
	if fixed[8] != '\r' && fixed[8] != '\n' {
		patch()
		fixed[8] = '\n'
	}
	if err := preflight(fixed, objects); err != nil {
		return nil, err
	}
	if e := bytes.LastIndex(fixed, []byte("%%EOF")); e < 0 {
		return nil, fmt.Errorf("%w: no %%%%EOF marker", ErrTruncated)
	} else if len(fixed)-(e+5) > 64 {
		fixed = fixed[:e+5]
	}
	r, err = pdf.NewReader(bytes.NewReader(fixed), int64(len(fixed)))
	if err == nil {
		if n := r.Trailer().Key("Size").Int64(); n > int64(objects) {
			return nil, &nianbao.LimitError{Limit: "objects", Max: int64(objects), Got: n}
		}
	}
	if err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(msg, "encrypt") || strings.Contains(msg, "password"):
			return nil, fmt.Errorf("%w: %v", ErrEncrypted, err)
		case strings.Contains(msg, "startxref") || strings.Contains(msg, "EOF"):
			return nil, fmt.Errorf("%w: %v", ErrTruncated, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return r, nil
}

// pageGeometry returns the page size as displayed and the transform from
// user space to top-left coordinates.
func pageGeometry(c nodes, v pdf.Value) (w, h float64, to func(x, y float64) (float64, float64)) {
	box := c.inherited(v, "CropBox")
	if box.Len() != 4 {
		box = c.inherited(v, "MediaBox")
	}
	llx, lly, urx, ury := 0.0, 0.0, 595.0, 842.0
	if box.Len() == 4 {
		a, b, c, d := box.Index(0).Float64(), box.Index(1).Float64(), box.Index(2).Float64(), box.Index(3).Float64()
		if c-a > 1 && d-b > 1 {
			llx, lly, urx, ury = a, b, c, d
		} else if a-c > 1 && b-d > 1 {
			llx, lly, urx, ury = c, d, a, b
		}
	}
	rot := ((c.inherited(v, "Rotate").Int64() % 360) + 360) % 360
	switch rot {
	case 90:
		return ury - lly, urx - llx, func(x, y float64) (float64, float64) { return y - lly, x - llx }
	case 180:
		return urx - llx, ury - lly, func(x, y float64) (float64, float64) { return urx - x, y - lly }
	case 270:
		return ury - lly, urx - llx, func(x, y float64) (float64, float64) { return ury - y, urx - x }
	}
	return urx - llx, ury - lly, func(x, y float64) (float64, float64) { return x - llx, ury - y }
}

// readPages runs the interpreter over every page; a page that fails is
// noted and the rest go on.
func readPages(ctx context.Context, r *pdf.Reader, opt Options, graphOnly bool) ([]*pageData, []string, error) {
	pageVals, more := pageList(r, opt.MaxPages)
	n := len(pageVals)
	if more {
		// Deterministic, whatever the machine's load: a document of more
		// pages than the budget is refused, not read in part.
		return nil, nil, &nianbao.LimitError{Limit: "pages", Max: int64(opt.MaxPages), Got: r.Trailer().Key("Root").Key("Pages").Key("Count").Int64()}
	}
	if n == 0 {
		return nil, nil, ErrNoPages
	}
	var notes []string
	ds := &docState{r: r, fonts: map[string]*fontInfo{}, fontIndex: map[*fontInfo]int{}}
	m := &meter{budget: nianbao.BudgetOf(ctx)}
	tree := nodes{}
	pages := make([]*pageData, 0, n)
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return pages, notes, fmt.Errorf("%w at page %d", ErrTimeout, i)
		}
		pd := &pageData{num: i}
		pages = append(pages, pd)
		func() {
			defer func() {
				if p := recover(); p != nil {
					pd.err = fmt.Errorf("page %d: %w", i, pagePanic(p, i))
				}
			}()
			pv := pdf.Page{V: pageVals[i-1]}
			if pv.V.IsNull() {
				pd.err = fmt.Errorf("page %d: missing from the page tree", i)
				pd.w, pd.h = 595, 842
				return
			}
			var to func(x, y float64) (float64, float64)
			pd.w, pd.h, to = pageGeometry(tree, pv.V)
			it := &interp{ctx: ctx, doc: ds, meter: m, nodes: tree, page: pd, toPage: to, graphOnly: graphOnly}
			it.runPage(pv)
		}()
		if le := (*nianbao.LimitError)(nil); errors.As(pd.err, &le) {
			return pages, notes, le
		}
		if pd.err != nil {
			var be budgetError
			if errors.As(pd.err, &be) && strings.HasPrefix(be.what, "timed out") {
				return pages, notes, fmt.Errorf("%w at page %d", ErrTimeout, i)
			}
			var pe *nianbao.PanicError
			if errors.As(pd.err, &pe) {
				// The page is left out and the reading goes on: the note
				// says so in the report (EngineRun.Notes), --debug logs
				// where the library broke.
				pe.Log()
				notes = append(notes, pe.Error()+pageNotRead)
				continue
			}
			notes = append(notes, pd.err.Error())
		}
	}
	return pages, notes, nil
}

// pageList walks the page tree in order. It does not use the library's
// Reader.Page, which loops forever on a tree whose /Kids point back up;
// depth and node count are bounded here.
func pageList(r *pdf.Reader, maxPages int) (pages []pdf.Value, more bool) {
	defer func() {
		if recover() != nil {
			more = false
		}
	}()
	visits := 0
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		visits++
		if depth > 32 || visits > 100_000 || more {
			return
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Page" || (kids.Kind() != pdf.Array && v.Key("Contents").Kind() != pdf.Null) {
			if len(pages) >= maxPages {
				more = true
				return
			}
			pages = append(pages, v)
			return
		}
		for i := 0; i < kids.Len(); i++ {
			walk(kids.Index(i), depth+1)
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return pages, more
}

// errPanic turns a recovered panic into an error: the budget's own
// errors pass as they are, anything else (a library's index out of range)
// is an internal error of the PDF reader, its stack kept for the log.
func errPanic(p any) error {
	return pagePanic(p, 0)
}

func pagePanic(p any, page int) error {
	if e, ok := p.(error); ok {
		var le *nianbao.LimitError
		var pe *nianbao.PanicError
		var be budgetError
		if errors.As(e, &le) || errors.As(e, &pe) || errors.As(e, &be) {
			return e
		}
	}
	return &nianbao.PanicError{Reader: "PDF reader", Page: page, Value: p, Stack: debug.Stack()}
}

// pageNotRead ends the note of a page left out by an internal error.
const pageNotRead = ": the page was not read"

func extractNative(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	r, err := openPDFWithin(data, nianbao.BudgetOf(ctx).Objects)
	if err != nil {
		return nil, err
	}
	pages, notes, err := readPages(ctx, r, opt, false)
	if err != nil {
		return nil, err
	}
	doc := buildDocument(pages, string(EngineNative), nianbao.LayoutGlyphs)
	doc.Title = title(r)
	doc.Notes = append(notes, doc.Notes...)
	return doc, judgeText(doc, pages)
}

func title(r *pdf.Reader) (t string) {
	defer func() {
		if recover() != nil {
			t = ""
		}
	}()
	return strings.TrimSpace(r.Trailer().Key("Info").Key("Title").Text())
}
