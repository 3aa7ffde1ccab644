package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao"
)

// One entry point for every format: the readings of a document, one for
// HTML and text, one per engine for a PDF; Extract gives the first
// document.
func TestReadingsEveryFormat(t *testing.T) {
	samples := filepath.Join("..", "testdata", "samples")
	cases := []struct {
		file   string
		engine string
		layout nianbao.LayoutKind
	}{
		{"shanghai-bgt-2019.html", "html", nianbao.LayoutGrid},
		{"weibin-2019-text.txt", "text", nianbao.LayoutText},
		{"huaian-szf-2024.pdf", "ledongthuc", nianbao.LayoutGlyphs},
	}
	ctx := context.Background()
	for _, c := range cases {
		data, err := os.ReadFile(filepath.Join(samples, c.file))
		if err != nil {
			t.Fatal(err)
		}
		f := Sniff(c.file, data)
		var first nianbao.Reading
		n := 0
		for r := range Readings(ctx, f, data, Options{}) {
			first, n = r, n+1
			break // a PDF's further engines need not run
		}
		if n != 1 || first.Err != nil || first.Engine != c.engine || first.Layout != c.layout {
			t.Errorf("%s: first reading %s %s (%v), want %s %s", c.file, first.Engine, first.Layout, first.Err, c.engine, c.layout)
		}
		doc, err := Extract(ctx, c.file, data, "")
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		for _, b := range doc.Blocks {
			if b.Table != nil && (b.Table.Engine != c.engine || b.Table.Layout != c.layout) {
				t.Errorf("%s: Extract gave a table of %s %s, want %s %s", c.file, b.Table.Engine, b.Table.Layout, c.engine, c.layout)
			}
		}
	}
	// A format with one reading gives its error in it.
	docx := []byte("PK\x03\x04 word/document.xml")
	for r := range Readings(ctx, Sniff("a.docx", docx), docx, Options{}) {
		if !errors.Is(r.Err, ErrUnsupported) || r.Doc != nil {
			t.Errorf("docx: %+v, want ErrUnsupported", r)
		}
	}
}
