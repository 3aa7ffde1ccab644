// Package hostile writes the hostile corpus: documents made to exhaust a
// reader's memory or time (a PDF stream that inflates to a gibibyte, an
// HTML page of 200,000 tables, a PDF of 20,000 pages, 50 MB of text),
// every sample cut at each twentieth of its length, and the files that are
// not files (a link to /dev/zero, a FIFO). The tests write small siblings
// of each class into a temporary folder; scripts/hostile.sh writes the full
// sizes and measures what reading them costs. Nothing it writes is
// committed.
package hostile

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Sizes are the scale of one corpus.
type Sizes struct {
	Inflate []int64 // decoded sizes of the inflating PDF streams
	Tables  []int   // table counts of the HTML pages
	Pages   []int   // page counts of the long PDFs
	Text    []int64 // sizes of the repeated text reports
	Cuts    int     // each sample cut at every 1/Cuts of its length
}

// Full is the corpus of issue 15.
var Full = Sizes{
	Inflate: []int64{64 << 20, 256 << 20, 1 << 30},
	Tables:  []int{2_000, 50_000, 200_000},
	Pages:   []int{2_000, 20_000},
	Text:    []int64{5 << 20, 50 << 20},
	Cuts:    20,
}

// Small is the corpus of the unit tests: the same classes, sizes a test
// reads in seconds (the limits of the test are lowered to match).
var Small = Sizes{
	Inflate: []int64{4 << 20},
	Tables:  []int{800},
	Pages:   []int{150},
	Text:    []int64{1 << 20},
	Cuts:    20,
}

// Classes of the corpus: the folder each is written to.
const (
	ClassInflate   = "inflate"
	ClassTables    = "tables"
	ClassPages     = "pages"
	ClassText      = "text"
	ClassTruncated = "truncated"
	ClassSpecial   = "special" // a link to /dev/zero and a FIFO
)

// Write writes the corpus into dir, one folder per class, reading the
// samples (testdata/samples) from samples; it returns the folders by
// class. The special files are written by WriteSpecial, apart: a folder
// with a FIFO in it cannot be given to every command.
func Write(dir, samples string, sz Sizes) (map[string]string, error) {
	out := map[string]string{}
	mk := func(class string) (string, error) {
		d := filepath.Join(dir, class)
		out[class] = d
		return d, os.MkdirAll(d, 0o755)
	}
	d, err := mk(ClassInflate)
	if err != nil {
		return nil, err
	}
	for _, n := range sz.Inflate {
		for _, stale := range []bool{false, true} {
			name := fmt.Sprintf("inflate-%s.pdf", human(n))
			if stale {
				name = fmt.Sprintf("inflate-%s-stale-xref.pdf", human(n))
			}
			if err := writeFile(filepath.Join(d, name), func(w io.Writer) error { return InflatePDF(w, n, stale) }); err != nil {
				return nil, err
			}
		}
	}
	if d, err = mk(ClassTables); err != nil {
		return nil, err
	}
	for _, n := range sz.Tables {
		if err := writeFile(filepath.Join(d, fmt.Sprintf("tables-%d.html", n)), func(w io.Writer) error { return TablesHTML(w, n) }); err != nil {
			return nil, err
		}
	}
	if d, err = mk(ClassPages); err != nil {
		return nil, err
	}
	for _, n := range sz.Pages {
		if err := writeFile(filepath.Join(d, fmt.Sprintf("pages-%d.pdf", n)), func(w io.Writer) error { return PagesPDF(w, n) }); err != nil {
			return nil, err
		}
	}
	weibin, err := os.ReadFile(filepath.Join(samples, "weibin-2019-text.txt"))
	if err != nil {
		return nil, err
	}
	if d, err = mk(ClassText); err != nil {
		return nil, err
	}
	for _, n := range sz.Text {
		if err := writeFile(filepath.Join(d, fmt.Sprintf("text-%s.txt", human(n))), func(w io.Writer) error { return Repeat(w, weibin, n) }); err != nil {
			return nil, err
		}
	}
	if d, err = mk(ClassTruncated); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(samples)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(samples, e.Name()))
		if err != nil {
			return nil, err
		}
		ext := filepath.Ext(e.Name())
		base := strings.TrimSuffix(e.Name(), ext)
		for i := 1; i < sz.Cuts; i++ {
			cut := len(b) * i / sz.Cuts
			name := fmt.Sprintf("%s-cut%02d-%d%s", base, i, cut, ext)
			if err := os.WriteFile(filepath.Join(d, name), b[:cut], 0o644); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// WriteSpecial makes dir/special with a symbolic link to /dev/zero and a
// FIFO, and returns the two paths.
func WriteSpecial(dir string) (zero, fifo string, err error) {
	d := filepath.Join(dir, ClassSpecial)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", "", err
	}
	zero, fifo = filepath.Join(d, "zero.pdf"), filepath.Join(d, "fifo.html")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		return "", "", err
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		return "", "", fmt.Errorf("mkfifo %s: %w", fifo, err)
	}
	return zero, fifo, nil
}

func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func human(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprint(n)
}

// Repeat writes sample again and again up to size bytes (whole copies).
func Repeat(w io.Writer, sample []byte, size int64) error {
	for n := int64(0); n+int64(len(sample)) <= size; n += int64(len(sample)) {
		if _, err := w.Write(sample); err != nil {
			return err
		}
	}
	return nil
}

// TablesHTML writes a report-like page of n small tables, each with a
// header row and a figure row.
func TablesHTML(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>某市人民政府2019年政府信息公开工作年度报告</title></head><body>\n")
	fmt.Fprint(bw, "<h1>某市人民政府2019年政府信息公开工作年度报告</h1>\n")
	for i := range n {
		fmt.Fprintf(bw, "<table><tr><td>信息内容</td><td>本年新制作数量</td></tr><tr><td>规章%d</td><td>%d</td></tr></table>\n", i, i%97)
	}
	fmt.Fprint(bw, "</body></html>\n")
	return bw.Flush()
}

// pdfWriter writes the objects of a PDF and its cross-reference table.
type pdfWriter struct {
	w    *bufio.Writer
	n    int64
	offs []int64
}

func newPDF(w io.Writer) *pdfWriter {
	p := &pdfWriter{w: bufio.NewWriter(w)}
	p.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	return p
}

func (p *pdfWriter) printf(format string, a ...any) {
	n, _ := fmt.Fprintf(p.w, format, a...)
	p.n += int64(n)
}

func (p *pdfWriter) write(b []byte) {
	n, _ := p.w.Write(b)
	p.n += int64(n)
}

// obj starts object number len(offs)+1 and returns its number.
func (p *pdfWriter) obj() int {
	p.offs = append(p.offs, p.n)
	num := len(p.offs)
	p.printf("%d 0 obj\n", num)
	return num
}

// finish writes the xref table and trailer; shift moves every offset, to
// make a stale table.
func (p *pdfWriter) finish(root int, shift int64) error {
	xref := p.n
	p.printf("xref\n0 %d\n0000000000 65535 f \n", len(p.offs)+1)
	for _, o := range p.offs {
		p.printf("%010d 00000 n \n", o+shift)
	}
	p.printf("trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(p.offs)+1, root, xref+shift)
	return p.w.Flush()
}

// InflatePDF writes a one-page PDF whose content stream inflates to size
// bytes (spaces, which compress about a thousand to one). stale shifts the
// cross-reference offsets, so that the native reader fails and the repair
// (pdfcpu) reads the file.
func InflatePDF(w io.Writer, size int64, stale bool) error {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	copy(chunk, "BT /F1 12 Tf 72 720 Td (2019) Tj ET\n")
	for left := size; left > 0; left -= int64(len(chunk)) {
		if _, err := zw.Write(chunk[:min(left, int64(len(chunk)))]); err != nil {
			return err
		}
		chunk = bytes.Repeat([]byte{' '}, 1<<20)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	p := newPDF(w)
	p.obj()
	p.printf("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	p.obj()
	p.printf("<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	p.obj()
	p.printf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n")
	p.obj()
	p.printf("<< /Length %d /Filter /FlateDecode >>\nstream\n", z.Len())
	p.write(z.Bytes())
	p.printf("\nendstream\nendobj\n")
	p.obj()
	p.printf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n")
	shift := int64(0)
	if stale {
		shift = 7
	}
	return p.finish(1, shift)
}

// PagesPDF writes a PDF of n pages, each a line of text and a small ruled
// table, sharing one font.
func PagesPDF(w io.Writer, n int) error {
	p := newPDF(w)
	p.obj() // 1: catalog
	p.printf("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	p.obj() // 2: pages
	p.printf("<< /Type /Pages /Count %d /Kids [", n)
	for i := range n {
		p.printf("%d 0 R ", 4+2*i)
	}
	p.printf("] >>\nendobj\n")
	p.obj() // 3: font
	p.printf("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n")
	for i := range n {
		content := fmt.Sprintf("BT /F1 11 Tf 72 780 Td (Page %d of %d) Tj ET\n72 600 450 100 re S 72 650 m 522 650 l S 297 600 m 297 700 l S\nBT /F1 10 Tf 80 670 Td (Row %d) Tj 240 0 Td (%d) Tj ET\n", i+1, n, i, i%101)
		p.obj()
		p.printf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>\nendobj\n", 5+2*i)
		p.obj()
		p.printf("<< /Length %d >>\nstream\n%sendstream\nendobj\n", len(content), content)
	}
	return p.finish(1, 0)
}
