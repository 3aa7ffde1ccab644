package pdfdoc

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// Benchmarks compare the engines with `pdftotext -layout` (text only, no
// tables) on the same file in the same run:
//
//	go test -bench . -benchmem ./extract/pdfdoc
var benchFiles = []string{"huaian-szf-2024.pdf", "table3_chromium.pdf", "table3_libreoffice.pdf"}

func BenchmarkExtractNative(b *testing.B) {
	for _, name := range benchFiles {
		data := read(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			pages := 0
			for b.Loop() {
				doc, err := Extract(context.Background(), data, Options{})
				if err != nil {
					b.Fatal(err)
				}
				pages += doc.Pages
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

func BenchmarkExtractPoppler(b *testing.B) {
	if !PopplerAvailable(Options{}) {
		b.Skip("pdftotext not installed")
	}
	for _, name := range benchFiles {
		data := read(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			pages := 0
			for b.Loop() {
				doc, err := Extract(context.Background(), data, Options{Engine: EnginePoppler})
				if err != nil {
					b.Fatal(err)
				}
				pages += doc.Pages
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkPdftotextLayout is the yardstick: the whole pdftotext -layout
// process on the same file.
func BenchmarkPdftotextLayout(b *testing.B) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		b.Skip("pdftotext not installed")
	}
	for _, name := range benchFiles {
		path, _ := filepath.Abs(filepath.Join(testdata, name))
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := exec.Command(bin, "-layout", path, "/dev/null").Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractOCR measures the OCR engine on the scanned fixture (one
// page, ~190 cells): go test -bench OCR -benchtime 3x ./extract/pdfdoc
func BenchmarkExtractOCR(b *testing.B) {
	if !OCRAvailable(Options{}) {
		b.Skip("tesseract with chi_sim or pdftoppm not installed")
	}
	data := read(b, "table3_scanned_imageonly.pdf")
	pages := 0
	for b.Loop() {
		doc, err := Extract(context.Background(), data, Options{Engine: EngineOCR})
		if err != nil {
			b.Fatal(err)
		}
		pages += doc.Pages
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
