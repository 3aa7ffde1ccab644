package pdfdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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

// ocrMaxPages bounds the pages OCR reads: it is slow, and reports have a
// handful of pages.
const ocrMaxPages = 50

// OCRBudget is the time the OCR engine may take on a document of pages
// pages: 40 s and 20 s a page (60 s for one page, 2 min 20 s for five; at
// most 50 pages are read). A page takes 5–10 CPU-seconds with one
// Tesseract thread, so the budget holds on one busy core; pages run in
// parallel when there are more. The engine takes the larger of this and
// Options.Timeout, and ends ocrReserve before the caller's deadline (the
// document's time) if that is sooner: a caller that bounds the whole
// reading of a document should give a scanned one at least this. When the
// time runs out the pages read so far (the first ones) are kept and the
// rest noted.
func OCRBudget(pages int) time.Duration {
	pages = min(max(pages, 1), ocrMaxPages)
	return 40*time.Second + time.Duration(pages)*20*time.Second
}

// ocrSlots bounds the Tesseract runs of the whole process to the cores:
// each runs one thread (OMP_THREAD_LIMIT=1: Tesseract's own threads cost
// 2–3× the CPU for little gain), and pages of one document or of several
// take turns.
var ocrSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// ocrPagesAtOnce bounds the pages of one document read at once (tests set
// it to 1 to compare with a sequential read).
var ocrPagesAtOnce = cap(ocrSlots)

// ocrWithBudget bounds a reading's time (a test ends it at will).
var ocrWithBudget = context.WithTimeout

// ocrReserve is the time OCR leaves, of a document's own time, to parse
// the pages it read.
const ocrReserve = 2 * time.Second

// ocrWorkPrefix starts the name of every OCR work folder in the temporary
// directory, followed by the process ID: a folder left by a killed run is
// known by its dead process and removed by the next run (sweepOCRWork).
const ocrWorkPrefix = "nianbao-ocr-"

func extractOCR(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	sweepOCRWork(os.TempDir())
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	if !OCRAvailable(opt) {
		return nil, fmt.Errorf("%w: tesseract (with chi_sim) or pdftoppm", ErrEngineMissing)
	}
	maxPages := ocrMaxPages
	if opt.MaxPages > 0 {
		maxPages = min(opt.MaxPages, ocrMaxPages)
	}
	n, more := ocrPageCount(ctx, data, maxPages)
	if n == 0 {
		return nil, ErrNoPages
	}
	limit := max(opt.Timeout, OCRBudget(n))
	if d, ok := ctx.Deadline(); ok && time.Until(d)-ocrReserve < limit {
		// The document's own time ends first: stop early enough for the
		// pages read to be parsed within it.
		limit = max(time.Until(d)-ocrReserve, 0)
	}
	bctx, cancel := ocrWithBudget(ctx, limit)
	defer cancel()
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", ocrWorkPrefix, os.Getpid()))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	pages, err := ocrPages(bctx, opt, dir, in, n)
	done := 0 // the pages read before the first one that was not
	for done < n && pages[done] != nil {
		done++
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("%w: OCR cancelled: %v", ErrTimeout, ctx.Err())
	}
	if done == 0 {
		return nil, fmt.Errorf("%w: OCR read no page within %v (%d pages)", ErrTimeout, limit, n)
	}
	doc := buildDocument(pages[:done], string(EngineOCR), nianbao.LayoutOCR)
	doc.Notes = append(doc.Notes, fmt.Sprintf("OCR with Tesseract at %d dpi: every table figure is uncertain until the arithmetic confirms it", ocrDPI))
	if more {
		doc.Notes = append(doc.Notes, fmt.Sprintf("OCR read the first %d pages only", n))
	}
	if done < n {
		// The pages read are kept: their figures that the arithmetic
		// confirms are as good as in a whole reading, and the tables of
		// the pages not read are missing, not guessed.
		doc.Pages = n
		doc.Notes = append(doc.Notes, fmt.Sprintf("OCR stopped at its time limit (%v for %d pages): read pages 1–%d, not %d–%d", limit.Round(time.Second), n, done, done+1, n))
	}
	return doc, nil
}

// ocrPageCount is the number of pages to OCR, and whether the document
// has more: the native reader's count (an image-only PDF opens there even
// though it has no text), else up to max (pdftoppm then finds the pages
// that are not there).
func ocrPageCount(ctx context.Context, data []byte, max int) (int, bool) {
	if r, err := openPDFWithin(data, nianbao.BudgetOf(ctx).Objects); err == nil {
		if pages, more := pageList(r, max); len(pages) > 0 {
			return len(pages), more
		}
	}
	return max, false
}

// ocrPages reads pages 1..n, several at once, and returns them in order;
// a page not read (the budget ran out first) is nil. A page that fails
// otherwise fails the whole reading: its error is returned.
func ocrPages(ctx context.Context, opt Options, dir, in string, n int) ([]*pageData, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make([]*pageData, n)
	errs := make([]error, n)
	perDoc := make(chan struct{}, max(1, ocrPagesAtOnce))
	var wg sync.WaitGroup
start:
	for i := range n {
		// Pages start in order, so that the ones read when the budget
		// runs out are the first ones.
		select {
		case perDoc <- struct{}{}:
		case <-ctx.Done():
			break start
		}
		select {
		case ocrSlots <- struct{}{}:
		case <-ctx.Done():
			<-perDoc
			break start
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-ocrSlots; <-perDoc }()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = pagePanicOCR(p, i+1)
					cancel()
				}
			}()
			p, err := ocrPage(ctx, opt, dir, in, i+1)
			switch {
			case err == nil:
				pages[i] = p
			case errors.Is(err, errNoSuchPage):
				// past the last page when the count was not known
			case ctx.Err() == nil:
				errs[i] = fmt.Errorf("OCR page %d: %w", i+1, err)
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return pages, err
		}
	}
	return pages, nil
}

// pagePanicOCR turns a panic while reading a page into the reading's
// error (a page runs on its own goroutine, out of Extract's recover).
func pagePanicOCR(p any, page int) error {
	return fmt.Errorf("OCR page %d: %w: %v", page, ErrDamaged, p)
}

// errNoSuchPage: pdftoppm was asked for a page after the last.
var errNoSuchPage = errors.New("no such page")

// renderPage renders one page in greyscale at ocrDPI; pdftoppm writes it
// to its standard output, so no page image is stored.
func renderPage(ctx context.Context, opt Options, in string, num int) (*image.Gray, error) {
	pg := strconv.Itoa(num)
	cmd := exec.CommandContext(ctx, opt.Pdftoppm, "-r", strconv.Itoa(ocrDPI), "-gray", "-f", pg, "-l", pg, in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: pdftoppm: %v", ErrTimeout, ctx.Err())
		}
		if strings.Contains(stderr.String(), "Wrong page range") {
			return nil, errNoSuchPage
		}
		return nil, fmt.Errorf("%w: pdftoppm: %v: %s", ErrDamaged, err, firstLine(stderr.String()))
	}
	if len(out) == 0 {
		return nil, errNoSuchPage
	}
	return decodePGM(out)
}

// decodePGM reads a binary greyscale PNM (what pdftoppm -gray writes).
func decodePGM(data []byte) (*image.Gray, error) {
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
	if len(fields) < 3 {
		return nil, errors.New("bad PGM header")
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

// writePGM stores an image for Tesseract as binary PGM: the same pixels as
// a PNG without the cost of compressing them.
func writePGM(path string, img *image.Gray) error {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	buf := make([]byte, 0, 32+w*h)
	buf = fmt.Appendf(buf, "P5\n%d %d\n255\n", w, h)
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		buf = append(buf, row...)
	}
	return os.WriteFile(path, buf, 0o600)
}

// sweepOCRWork removes, once per temporary directory and process, the OCR
// work folders of runs that were killed before they could remove their
// own: those named with a process ID that is not alive, and those of
// versions that named none, untouched for a day (a reading never lasts
// that long).
func sweepOCRWork(tmp string) {
	sweptMu.Lock()
	defer sweptMu.Unlock()
	if swept[tmp] {
		return
	}
	swept[tmp] = true
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, ocrWorkPrefix) {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(name, ocrWorkPrefix), "-")
		stale := false
		switch {
		case len(parts) == 2 && allDigits(parts[0]) && allDigits(parts[1]):
			pid, err := strconv.Atoi(parts[0])
			stale = err == nil && pid > 0 && !processAlive(pid)
		case len(parts) == 1 && allDigits(parts[0]):
			info, err := e.Info()
			stale = err == nil && time.Since(info.ModTime()) > 24*time.Hour
		}
		if stale {
			os.RemoveAll(filepath.Join(tmp, name))
		}
	}
}

var (
	sweptMu sync.Mutex
	swept   = map[string]bool{}
)

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// processAlive tells whether a process of this ID exists (signal 0 checks
// without sending anything; EPERM means it exists as another user's).
func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
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

// ocrPage reads page num: renders it, finds its tables from the ruling
// lines in the image, recognises each cell on its own, the figures again
// with a digits whitelist, and the text around the tables. That is three
// Tesseract runs, each reading many images: a run has one language, one
// character set and one page segmentation, and the page text needs
// Tesseract's layout analysis (psm 3), which drops the noise (page
// numbers, specks) that the cells' single-block mode (psm 6) reads as
// lines of garbage. The page's images are removed when it is read.
func ocrPage(ctx context.Context, opt Options, dir, in string, num int) (*pageData, error) {
	img, err := renderPage(ctx, opt, in, num)
	if err != nil {
		return nil, err
	}
	pdir := filepath.Join(dir, fmt.Sprintf("p%d", num))
	if err := os.Mkdir(pdir, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(pdir)
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
			f := filepath.Join(pdir, fmt.Sprintf("t%d-c%d.pgm", ti, ci))
			if err := writePGM(f, crop); err != nil {
				return nil, err
			}
			jobs = append(jobs, cellJob{c, f})
		}
	}
	// the text around the tables, with the tables blanked out (in place:
	// the cells are cut already)
	for _, t := range p.tables {
		r := image.Rect(int(t.x0/scale)-4, int(t.y0/scale)-4, int(t.x1/scale)+5, int(t.y1/scale)+5).Intersect(img.Bounds())
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	text := filepath.Join(pdir, "text.pgm")
	if err := writePGM(text, img); err != nil {
		return nil, err
	}
	img = nil
	if len(jobs) > 0 {
		texts, err := tesseractList(ctx, opt, pdir, "cells", jobs, "chi_sim", "6", "")
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
			digits, err := tesseractList(ctx, opt, pdir, "figures", figures, "eng", "7", "0123456789.,")
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
	out, err := tesseractOutput(ctx, opt, text, "stdout", "-l", "chi_sim", "--psm", "3", "tsv")
	if err != nil {
		return nil, err
	}
	if tp := parseTSV(out, scale); len(tp) > 0 {
		p.glyphs = tp[0].glyphs
	}
	return p, nil
}

// tesseractOutput runs Tesseract with one thread (OMP_THREAD_LIMIT=1):
// pages run in parallel instead, and its own threads cost 2–3× the CPU
// time for the same text.
func tesseractOutput(ctx context.Context, opt Options, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, opt.Tesseract, args...)
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: tesseract: %v", ErrTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("tesseract: %v: %s", err, firstLine(stderr.String()))
	}
	return out, nil
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
	out, err := tesseractOutput(ctx, opt, args...)
	if err != nil {
		return nil, err
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
