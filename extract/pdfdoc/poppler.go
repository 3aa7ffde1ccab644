package pdfdoc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/textdoc"
)

// PopplerAvailable reports whether the pdftotext binary can be run.
func PopplerAvailable(opt Options) bool {
	_, err := exec.LookPath(opt.withDefaults().Pdftotext)
	return err == nil
}

// extractPoppler takes the words and their boxes from `pdftotext -tsv`
// (poppler decodes fonts our reader cannot: predefined CMaps through
// poppler-data, TrueType cmaps of fonts without ToUnicode) and the ruling
// lines from our own interpreter, then rebuilds the document the same way.
func extractPoppler(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	bin, err := exec.LookPath(opt.Pdftotext)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrEngineMissing, opt.Pdftotext, err)
	}
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	cmd := exec.CommandContext(ctx, bin, "-tsv", "-l", strconv.Itoa(opt.MaxPages), "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	var out, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &out, limit: 256 << 20}
	cmd.Stderr = &limitedBuffer{buf: &stderr, limit: 64 << 10}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: pdftotext: %v", ErrTimeout, ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			switch ee.ExitCode() {
			case 1, 2:
				if strings.Contains(msg, "ncrypt") || strings.Contains(msg, "password") {
					return nil, fmt.Errorf("%w: pdftotext: %s", ErrEncrypted, msg)
				}
				return nil, fmt.Errorf("%w: pdftotext: %s", ErrDamaged, firstLine(msg))
			case 3:
				return nil, fmt.Errorf("%w: pdftotext: %s", ErrEncrypted, msg)
			}
		}
		return nil, fmt.Errorf("%w: pdftotext: %v: %s", ErrDamaged, err, firstLine(msg))
	}
	pages := parseTSV(out.Bytes(), 1)
	if len(pages) == 0 {
		return nil, ErrNoPages
	}
	var notes []string
	// Ruling lines (and images) from our interpreter, when it can open the
	// file; without them tables cannot be rebuilt from this engine.
	if r, err := openPDFWithin(data, nianbao.BudgetOf(ctx).Objects); err == nil {
		gp, gnotes, err := readPages(ctx, r, opt, true)
		if err == nil {
			for i, p := range pages {
				if i < len(gp) {
					p.hseg, p.vseg, p.images = gp[i].hseg, gp[i].vseg, gp[i].images
				}
			}
		}
		notes = append(notes, gnotes...)
	} else {
		notes = append(notes, "ruling lines unavailable: "+err.Error())
	}
	doc := buildDocument(pages, string(EnginePoppler), nianbao.LayoutGlyphs)
	doc.Notes = append(notes, doc.Notes...)
	return doc, judgeText(doc, pages)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// parseTSV reads pdftotext -tsv output: page rows give the size, word rows
// the words. Each word is split into glyphs of equal width so that table
// cells can claim characters.
func parseTSV(out []byte, scale float64) []*pageData {
	var pages []*pageData
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	byNum := map[int]*pageData{}
	font := 0
	if scale != 1 {
		font = ocrFont
	}
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 12 || f[0] == "level" {
			continue
		}
		level, _ := strconv.Atoi(f[0])
		pn, _ := strconv.Atoi(f[1])
		left, _ := strconv.ParseFloat(f[6], 64)
		top, _ := strconv.ParseFloat(f[7], 64)
		w, _ := strconv.ParseFloat(f[8], 64)
		h, _ := strconv.ParseFloat(f[9], 64)
		left, top, w, h = left*scale, top*scale, w*scale, h*scale
		text := strings.Join(f[11:], "\t")
		switch level {
		case 1:
			p := &pageData{num: pn, w: w, h: h}
			pages = append(pages, p)
			byNum[pn] = p
		case 5:
			p := byNum[pn]
			if p == nil || len(p.glyphs) >= maxGlyphsPerPage {
				continue
			}
			text = fixRadicals(strings.TrimSpace(text))
			n := utf8.RuneCountInString(text)
			if n == 0 {
				continue
			}
			cw := w / float64(n)
			i := 0
			for _, r := range text {
				x0 := left + float64(i)*cw
				p.glyphs = append(p.glyphs, glyph{s: string(r), x0: x0, x1: x0 + cw, y0: top, y1: top + h, size: h, font: font})
				i++
			}
			if scale == 1 {
				// pdftotext separates words by spaces in the text flow;
				// Tesseract splits Chinese into words everywhere
				p.glyphs = append(p.glyphs, glyph{s: " ", x0: left + w, x1: left + w, y0: top, y1: top + h, size: h})
			}
		}
	}
	// Word boxes are as tall as the font's whole bounding box (2.6 em for
	// Noto CJK), and those of digits and of Han characters differ on the
	// same line. A Han character is one em wide: that gives the size.
	for _, p := range pages {
		var em, hs []float64
		for _, g := range p.glyphs {
			if g.s != " " {
				hs = append(hs, g.size)
			}
			if r := firstRune(g.s); r >= 0x4E00 && r <= 0x9FFF {
				em = append(em, g.x1-g.x0)
			}
		}
		if len(hs) == 0 {
			continue
		}
		sort.Float64s(hs)
		med := hs[len(hs)/2]
		if len(em) >= 20 {
			sort.Float64s(em)
			if e := em[len(em)/2]; e > 2 && e < med {
				med = e
			}
		}
		for i := range p.glyphs {
			if s := p.glyphs[i].size; s > 0.7*med {
				p.glyphs[i].size = med
			}
		}
	}
	return pages
}

type limitedBuffer struct {
	buf   *bytes.Buffer
	limit int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.buf.Len()+len(p) > l.limit {
		return 0, errors.New("output too large")
	}
	return l.buf.Write(p)
}

// LayoutText returns `pdftotext -layout` of the document: the page as
// space-aligned text, the last resort when no ruling lines can be read (the
// text extractor rebuilds tables from the alignment).
func LayoutText(ctx context.Context, data []byte, opt Options) ([]byte, error) {
	opt = opt.withDefaults()
	bin, err := exec.LookPath(opt.Pdftotext)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrEngineMissing, opt.Pdftotext, err)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-layout", "-enc", "UTF-8", "-l", strconv.Itoa(opt.MaxPages), "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	var out, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &out, limit: 64 << 20}
	cmd.Stderr = &limitedBuffer{buf: &stderr, limit: 64 << 10}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: pdftotext -layout: %v: %s", ErrDamaged, err, firstLine(stderr.String()))
	}
	return []byte(fixRadicals(out.String())), nil
}

// extractLayout reads the document as `pdftotext -layout` text with the
// text extractor: its tables are text columns (nianbao.LayoutText), found
// by alignment where no ruling line was drawn.
func extractLayout(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	txt, err := LayoutText(ctx, data, opt)
	if err != nil {
		return nil, err
	}
	doc, err := textdoc.Extract(ctx, txt)
	if err != nil {
		return nil, err
	}
	doc.Format = nianbao.FormatPDF
	for _, b := range doc.Blocks {
		if b.Table != nil {
			b.Table.Engine = string(EngineLayout)
		}
	}
	return doc, nil
}
