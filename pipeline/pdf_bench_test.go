package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkReadPDF is the whole `nianbao parse` of a text PDF: extraction,
// tables rebuilt, parse, normalize, checks. Compare with
// BenchmarkPdftotextLayoutProcess on the same file in the same run.
func BenchmarkReadPDF(b *testing.B) {
	for _, name := range []string{"huaian-szf-2024.pdf", "table3_chromium.pdf"} {
		path := filepath.Join(pdfTestdata, name)
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rep := Read(context.Background(), path, data, Options{}); rep.Template == "" {
					b.Fatalf("not parsed: %s %s", rep.Status, rep.Error)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}

func BenchmarkPdftotextLayoutProcess(b *testing.B) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		b.Skip("pdftotext not installed")
	}
	for _, name := range []string{"huaian-szf-2024.pdf", "table3_chromium.pdf"} {
		path, _ := filepath.Abs(filepath.Join(pdfTestdata, name))
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := exec.Command(bin, "-layout", path, "/dev/null").Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}
