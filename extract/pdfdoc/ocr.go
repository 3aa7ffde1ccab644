package pdfdoc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// EngineOCR reads image-only pages with Tesseract: pages are rendered with
// pdftoppm, the table grid is found from the ruling lines in the image, and
// each cell is recognised on its own (whole-page OCR mangles the tables);
// cells that look like figures are read again with a digits whitelist.
// Every table cell it gives is marked Uncertain: only the report's own
// arithmetic can confirm a figure (pipeline does that).
const EngineOCR Engine = "ocr"

// OCRUncertain is the Uncertain reason of every OCR'd cell.
const OCRUncertain = "read by OCR"

const ocrDPI = 300

// OCRAvailable reports whether pdftoppm, tesseract and its chi_sim model
// are installed.
func OCRAvailable(opt Options) bool {
	opt = opt.withDefaults()
	if _, err := exec.LookPath(opt.Pdftoppm); err != nil {
		return false
	}
	bin, err := exec.LookPath(opt.Tesseract)
	if err != nil {
		return false
	}
	out, err := exec.Command(bin, "--list-langs").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte("chi_sim"))
}

func extractOCR(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	if !OCRAvailable(opt) {
		return nil, fmt.Errorf("%w: tesseract (with chi_sim) or pdftoppm", ErrEngineMissing)
	}
	dir, err := os.MkdirTemp("", "nianbao-ocr-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	maxPages := min(opt.MaxPages, 50) // OCR is slow; reports have a handful of pages
	cmd := exec.CommandContext(ctx, opt.Pdftoppm, "-r", strconv.Itoa(ocrDPI), "-gray", "-l", strconv.Itoa(maxPages), in, filepath.Join(dir, "p"))
	if out, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: pdftoppm: %v", ErrTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("%w: pdftoppm: %v: %s", ErrDamaged, err, firstLine(string(out)))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	sort.Slice(files, func(i, j int) bool { return pageNo(files[i]) < pageNo(files[j]) })
	if len(files) == 0 {
		return nil, ErrNoPages
	}
	var pages []*pageData
	for i, f := range files {
		img, err := readPGM(f)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		p, err := ocrPage(ctx, opt, dir, i+1, img)
		if err != nil {
			return nil, fmt.Errorf("OCR page %d: %w", i+1, err)
		}
		pages = append(pages, p)
	}
	doc := buildDocument(pages, string(EngineOCR), nianbao.LayoutOCR)
	doc.Notes = append(doc.Notes, fmt.Sprintf("OCR with Tesseract at %d dpi: every table figure is uncertain until the arithmetic confirms it", ocrDPI))
	return doc, nil
}

func pageNo(path string) int {
	base := strings.TrimSuffix(filepath.Base(path), ".pgm")
	n, _ := strconv.Atoi(base[strings.LastIndexByte(base, '-')+1:])
	return n
}

// readPGM reads a binary greyscale PNM (what pdftoppm -gray writes).
func readPGM(path string) (*image.Gray, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fields []int
	pos := 2
	if !bytes.HasPrefix(data, []byte("P5")) {
		return nil, errors.New("not a PGM image")
	}
	for len(fields) < 3 && pos < len(data) {
		for pos < len(data) && isWhite(data[pos]) {
			pos++
		}
		if pos < len(data) && data[pos] == '#' {
			for pos < len(data) && data[pos] != '\n' {
				pos++
			}
			continue
		}
		start := pos
		for pos < len(data) && !isWhite(data[pos]) {
			pos++
		}
		n, err := strconv.Atoi(string(data[start:pos]))
		if err != nil {
			return nil, fmt.Errorf("bad PGM header: %v", err)
		}
		fields = append(fields, n)
	}
	pos++ // the single whitespace after maxval
	w, h := fields[0], fields[1]
	if w <= 0 || h <= 0 || w*h > len(data)-pos || fields[2] > 255 {
		return nil, errors.New("bad PGM size")
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, data[pos:pos+w*h])
	return img, nil
}

const (
	darkLevel = 160 // ink of a character
	ruleLevel = 210 // a thin border rasterised at low resolution comes out light grey
)

// imageRulings finds the long dark runs of an image: horizontal and
// vertical table borders, in points.
func imageRulings(img *image.Gray, p *pageData) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := 72.0 / ocrDPI
	minH, minV := ocrDPI/3, ocrDPI/5 // 24 pt, 14 pt: longer than any stroke of a character
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		start := -1
		for x := 0; x <= w; x++ {
			dark := x < w && row[x] < ruleLevel
			if dark && start < 0 {
				start = x
			}
			if !dark && start >= 0 {
				if x-start >= minH && len(p.hseg) < maxSegsPerPage {
					p.hseg = append(p.hseg, segment{float64(start) * scale, float64(y) * scale, float64(x) * scale, float64(y) * scale})
				}
				start = -1
			}
		}
	}
	for x := 0; x < w; x++ {
		start := -1
		for y := 0; y <= h; y++ {
			dark := y < h && img.Pix[y*img.Stride+x] < ruleLevel
			if dark && start < 0 {
				start = y
			}
			if !dark && start >= 0 {
				if y-start >= minV && len(p.vseg) < maxSegsPerPage {
					p.vseg = append(p.vseg, segment{float64(x) * scale, float64(start) * scale, float64(x) * scale, float64(y) * scale})
				}
				start = -1
			}
		}
	}
}

type cellJob struct {
	cell *tcell
	file string
}

func ocrPage(ctx context.Context, opt Options, dir string, num int, img *image.Gray) (*pageData, error) {
	scale := 72.0 / ocrDPI
	p := &pageData{num: num, w: float64(img.Bounds().Dx()) * scale, h: float64(img.Bounds().Dy()) * scale}
	imageRulings(img, p)
	tables := findTables(p)
	p.hseg, p.vseg = nil, nil
	p.tables = []*rtable{}
	var jobs []cellJob
	for ti, t := range tables {
		if t.ncols < 2 || t.nrows < 2 || len(t.cells) < 3 {
			continue
		}
		p.tables = append(p.tables, t)
		for ci, c := range t.cells {
			crop := cropCell(img, c, scale)
			if crop == nil {
				continue // blank cell
			}
			c.uncertain = OCRUncertain
			f := filepath.Join(dir, fmt.Sprintf("p%d-t%d-c%d.png", num, ti, ci))
			if err := writePNG(f, crop); err != nil {
				return nil, err
			}
			jobs = append(jobs, cellJob{c, f})
		}
	}
	if len(jobs) > 0 {
		texts, err := tesseractList(ctx, opt, dir, fmt.Sprintf("p%d-cells", num), jobs, "chi_sim", "6", "")
		if err != nil {
			return nil, err
		}
		var figures []cellJob
		for i, j := range jobs {
			j.cell.text = cleanOCR(texts[i])
		}
		for _, j := range jobs {
			if figureColumn(p.tables, j.cell) && mayBeFigure(j.cell.text) {
				figures = append(figures, j)
			}
		}
		if len(figures) > 0 {
			digits, err := tesseractList(ctx, opt, dir, fmt.Sprintf("p%d-figures", num), figures, "eng", "7", "0123456789.,")
			if err != nil {
				return nil, err
			}
			for i, j := range figures {
				if d := strings.ReplaceAll(cleanOCR(digits[i]), " ", ""); d != "" {
					j.cell.text = d
				} else {
					j.cell.text = digitGuess(j.cell.text)
				}
			}
		}
	}
	// the text around the tables, with the tables blanked out
	masked := image.NewGray(img.Bounds())
	copy(masked.Pix, img.Pix)
	for _, t := range p.tables {
		r := image.Rect(int(t.x0/scale)-4, int(t.y0/scale)-4, int(t.x1/scale)+5, int(t.y1/scale)+5).Intersect(masked.Bounds())
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				masked.Pix[y*masked.Stride+x] = 255
			}
		}
	}
	f := filepath.Join(dir, fmt.Sprintf("p%d-text.png", num))
	if err := writePNG(f, masked); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, opt.Tesseract, f, "stdout", "-l", "chi_sim", "--psm", "3", "tsv")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tesseract: %v", err)
	}
	if tp := parseTSV(out, scale); len(tp) > 0 {
		p.glyphs = tp[0].glyphs
	}
	return p, nil
}

// cropCell cuts the inside of a cell, trimmed to its ink with a white
// margin; nil when the cell is blank.
func cropCell(img *image.Gray, c *tcell, scale float64) *image.Gray {
	const inset = 8
	r := image.Rect(int(c.x0/scale)+inset, int(c.y0/scale)+inset, int(c.x1/scale)-inset, int(c.y1/scale)-inset).Intersect(img.Bounds())
	if r.Dx() < 4 || r.Dy() < 4 {
		return nil
	}
	// Remnants of a border (a thick or blurred line inside the inset) are
	// rows or columns of the cut that are dark almost all along: not ink.
	border := func(n, of int) bool { return n*10 > of*6 }
	const edge = 10 // px from the cut's edge where a border remnant can be
	colDark := make([]int, r.Dx())
	rowDark := make([]int, r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.Pix[y*img.Stride+x] < darkLevel {
				colDark[x-r.Min.X]++
				rowDark[y-r.Min.Y]++
			}
		}
	}
	nearEdge := func(i, n int) bool { return i < edge || i >= n-edge }
	isBorder := func(x, y int) bool {
		cx, cy := x-r.Min.X, y-r.Min.Y
		return (nearEdge(cx, r.Dx()) && border(colDark[cx], r.Dy())) || (nearEdge(cy, r.Dy()) && border(rowDark[cy], r.Dx()))
	}
	isInk := func(x, y int) bool {
		return img.Pix[y*img.Stride+x] < darkLevel && !isBorder(x, y)
	}
	minX, minY, maxX, maxY := r.Max.X, r.Max.Y, r.Min.X, r.Min.Y
	ink := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if isInk(x, y) {
				ink++
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	if ink < 12 {
		return nil
	}
	const pad = 12
	out := image.NewGray(image.Rect(0, 0, maxX-minX+1+2*pad, maxY-minY+1+2*pad))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			if isBorder(x, y) {
				continue
			}
			out.SetGray(x-minX+pad, y-minY+pad, color.Gray{Y: img.Pix[y*img.Stride+x]})
		}
	}
	return out
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := png.Encode(w, img); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tesseractList recognises many images in one Tesseract run (its start-up
// costs more than a cell) and returns one text per image.
func tesseractList(ctx context.Context, opt Options, dir, name string, jobs []cellJob, lang, psm, whitelist string) ([]string, error) {
	list := filepath.Join(dir, name+".txt")
	var b strings.Builder
	for _, j := range jobs {
		b.WriteString(j.file)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	args := []string{list, "stdout", "-l", lang, "--psm", psm}
	if whitelist != "" {
		args = append(args, "-c", "tessedit_char_whitelist="+whitelist)
	}
	cmd := exec.CommandContext(ctx, opt.Tesseract, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tesseract: %v: %s", err, firstLine(stderr.String()))
	}
	parts := strings.Split(string(out), "\f")
	if len(parts) < len(jobs) {
		return nil, fmt.Errorf("tesseract gave %d texts for %d cells", len(parts), len(jobs))
	}
	return parts[:len(jobs)], nil
}

func cleanOCR(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	// Tesseract's chi_sim puts spaces between Han characters
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if r == ' ' && i > 0 && i+1 < len(rs) && (rs[i-1] > 0x2E80 || rs[i+1] > 0x2E80) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// confusable are what the Chinese model reads for a lone digit.
const confusable = "工人口日一丨十了卜儿几门山上土二三"

// mayBeFigure tells a cell text that may be a misread figure: short, made
// of digits, Latin letters, punctuation or the Han characters a digit is
// taken for.
func mayBeFigure(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 10 {
		return false
	}
	for _, r := range rs {
		if r < 0x80 || strings.ContainsRune(confusable+"。，．：；", r) {
			continue
		}
		return false
	}
	return true
}

// digitGuess maps what the Chinese model reads for a digit to the digit,
// for a figure the digits pass could not read. The cell stays uncertain.
func digitGuess(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		case strings.ContainsRune("Oo口", r):
			b.WriteByte('0')
		case strings.ContainsRune("lI|工丨一", r):
			b.WriteByte('1')
		case r == 'S':
			b.WriteByte('5')
		case r == 'B':
			b.WriteByte('8')
		case r == 'Z':
			b.WriteByte('2')
		}
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// figureColumn tells whether c sits in a column of figures: most cells of
// its column (one column wide) read as digits.
func figureColumn(tables []*rtable, c *tcell) bool {
	for _, t := range tables {
		in := false
		for _, x := range t.cells {
			if x == c {
				in = true
				break
			}
		}
		if !in {
			continue
		}
		figs, all := 0, 0
		for _, x := range t.cells {
			if x.c0 != c.c0 || x.c1 != c.c1 || x.text == "" {
				continue
			}
			all++
			if isNumeric(x.text) || mayBeFigure(x.text) {
				figs++
			}
		}
		return all > 0 && figs*2 >= all
	}
	return false
}
