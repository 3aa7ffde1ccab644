// Command genscan makes an image-only ("scanned") PDF from a text PDF: each
// page is rendered by pdftoppm and encoded as a greyscale JPEG and the JPEGs are wrapped
// by pdfcpu into A4 pages with nothing else on them — no text layer, as a
// scanner writes. It made testdata/pdf/huaian-scanned-5p.pdf (the first
// five pages of the Huaian report: title, prose and tables 二, 三, 四):
//
//	go run ./testdata/genscan
//
// The output depends on the installed poppler's rendering, so the PDF is
// committed and tests never run this.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

func main() {
	in := flag.String("in", "testdata/pdf/huaian-szf-2024.pdf", "text PDF to scan")
	out := flag.String("out", "testdata/pdf/huaian-scanned-5p.pdf", "image-only PDF written")
	first := flag.Int("f", 1, "first page")
	last := flag.Int("l", 5, "last page")
	// 150 dpi and JPEG quality 60 keep five pages under a megabyte and
	// are what cheap office scanners produce; OCR renders at 300 dpi.
	dpi := flag.Int("r", 150, "resolution of the images, dpi")
	quality := flag.Int("q", 60, "JPEG quality")
	flag.Parse()
	if err := run(*in, *out, *first, *last, *dpi, *quality); err != nil {
		fmt.Fprintln(os.Stderr, "genscan:", err)
		os.Exit(1)
	}
}

func run(in, out string, first, last, dpi, quality int) error {
	dir, err := os.MkdirTemp("", "genscan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-gray", "-png",
		"-f", strconv.Itoa(first), "-l", strconv.Itoa(last), in, filepath.Join(dir, "p"))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pdftoppm: %v: %s", err, b)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	sort.Strings(pngs) // pdftoppm pads the page numbers to one width
	if len(pngs) == 0 {
		return fmt.Errorf("no pages rendered from %s", in)
	}
	var imgs []string
	for _, p := range pngs {
		j, err := grayJPEG(p, quality)
		if err != nil {
			return err
		}
		imgs = append(imgs, j)
	}
	// The image fills an A4 page (pos:full would make the page as many
	// points as the image has pixels).
	imp, err := api.Import("formsize:A4, position:c, scalefactor:1.0", types.POINTS)
	if err != nil {
		return err
	}
	os.Remove(out) // ImportImagesFile appends to an existing file
	if err := api.ImportImagesFile(imgs, out, imp, nil); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d pages, %d bytes\n", out, len(imgs), st.Size())
	return nil
}

// grayJPEG re-encodes a greyscale PNG as a one-channel JPEG (pdftoppm's
// own JPEGs have three channels even with -gray, a third bigger).
func grayJPEG(path string, quality int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return "", err
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	out := strings.TrimSuffix(path, ".png") + ".jpg"
	w, err := os.Create(out)
	if err != nil {
		return "", err
	}
	if err := jpeg.Encode(w, g, &jpeg.Options{Quality: quality}); err != nil {
		w.Close()
		return "", err
	}
	return out, w.Close()
}
