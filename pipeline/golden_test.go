package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao/internal/golden"
)

// TestGoldenSamples reads the real sample reports and compares every cell
// with the figures read by eye into testdata/golden.
func TestGoldenSamples(t *testing.T) {
	for name, gold := range map[string]string{
		"weibin-2019-text.txt":   "weibin-2019-text.txt",
		"shanghai-bgt-2019.html": "shanghai-bgt-2019.html",
		// The Huaian PDF as `pdftotext -layout` prints it: text copied out
		// of a PDF, with wrapped labels and vertical merged labels.
		"../text/huaian-szf-2024-layout.txt": "huaian-szf-2024.pdf",
		"huaian-szf-2024.pdf":                "huaian-szf-2024.pdf",
	} {
		t.Run(name, func(t *testing.T) {
			g, err := golden.Load(filepath.Join("..", "testdata", "golden", gold+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			rep := ReadFile(context.Background(), filepath.Join("..", "testdata", "samples", name), Options{})
			if rep.Error != "" || rep.Reason != "" {
				t.Fatalf("status %s: %s%s", rep.Status, rep.Error, rep.Reason)
			}
			diffs, right := g.Diff(rep)
			for _, d := range diffs {
				t.Error(d)
			}
			if len(g.Cells) != len(rep.Cells) {
				t.Errorf("golden file has %d cells, the template %d", len(g.Cells), len(rep.Cells))
			}
			t.Logf("%s: %d of %d cells right", name, right, len(g.Cells))
		})
	}
}
