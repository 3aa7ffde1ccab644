package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// pageDPI is the resolution PDF pages are rendered at: a page of A4 is
// 827×1170 pixels, enough to read a figure of a table.
const pageDPI = 100

// pageRenderer renders PDF pages with poppler's pdftoppm (as JPEG) into a cache
// folder, a file per document hash and page: a page is rendered once,
// and two visitors asking at once wait for the same rendering.
type pageRenderer struct {
	dir  string
	prog string
	sem  chan struct{} // renderings at once
	mu   sync.Mutex
	busy map[string]*rendering
}

type rendering struct {
	done chan struct{}
	err  error
}

func newPageRenderer(dir, prog string) (*pageRenderer, error) {
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "nianbao-pages")
	}
	if prog == "" {
		prog = "pdftoppm"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("web: page cache: %w", err)
	}
	return &pageRenderer{dir: dir, prog: prog, sem: make(chan struct{}, 2), busy: map[string]*rendering{}}, nil
}

// path is the cache file of a page; sha is checked to be a hash before.
func (p *pageRenderer) path(sha string, page int) string {
	return filepath.Join(p.dir, sha[:2], sha+"-p"+strconv.Itoa(page)+"-r"+strconv.Itoa(pageDPI)+".jpg")
}

// page returns the cache file of a page, rendering it first if needed;
// data gives the PDF's bytes. width and height are the page's size in
// points (1/72 inch), as the cells' boxes are measured.
func (p *pageRenderer) page(ctx context.Context, sha string, page int, data func() ([]byte, error)) (file string, width, height float64, err error) {
	file = p.path(sha, page)
	if w, h, err := imageSize(file); err == nil {
		return file, w, h, nil
	}
	p.mu.Lock()
	r, ok := p.busy[file]
	if !ok {
		r = &rendering{done: make(chan struct{})}
		p.busy[file] = r
		go func() {
			// Not the request's context: one visitor leaving must not spoil
			// the rendering another waits for. pdftoppm has its own limit.
			r.err = p.render(file, page, data)
			p.mu.Lock()
			delete(p.busy, file)
			p.mu.Unlock()
			close(r.done)
		}()
	}
	p.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return "", 0, 0, ctx.Err()
	}
	if r.err != nil {
		return "", 0, 0, r.err
	}
	w, h, err := imageSize(file)
	return file, w, h, err
}

// render runs pdftoppm on the PDF's bytes (its standard input) and puts
// the image in place whole: written aside, then renamed.
func (p *pageRenderer) render(file string, page int, data func() ([]byte, error)) error {
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	pdf, err := data()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := strconv.Itoa(page)
	// JPEG: pdftoppm spends more time encoding a PNG (~80 ms a page) than
	// rendering it; at quality 85 the print stays sharp.
	cmd := exec.CommandContext(ctx, p.prog, "-jpeg", "-jpegopt", "quality=85", "-r", strconv.Itoa(pageDPI), "-f", n, "-l", n, "-singlefile", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("render page %d: %s is not installed (poppler-utils)", page, p.prog)
		}
		return fmt.Errorf("render page %d: %v: %s", page, err, bytes.TrimSpace(errs.Bytes()))
	}
	if out.Len() == 0 {
		return fmt.Errorf("render page %d: pdftoppm gave no image (is there such a page?)", page)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("render page %d: %w", page, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".page-*")
	if err != nil {
		return fmt.Errorf("render page %d: %w", page, err)
	}
	_, werr := tmp.Write(out.Bytes())
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("render page %d: %w", page, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("render page %d: %w", page, err)
	}
	return nil
}

// imageSize reads a page image's size in points.
func imageSize(file string) (w, h float64, err error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	c, err := jpeg.DecodeConfig(f)
	if err != nil {
		return 0, 0, err
	}
	return float64(c.Width) * 72 / pageDPI, float64(c.Height) * 72 / pageDPI, nil
}
