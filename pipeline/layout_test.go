package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
)

// The parser reads a table by its layout kind, never by the engine that
// made it: every generated document (text, Markdown, HTML) gives the same
// cells, findings and status when its tables carry another engine label.
// (The `pdftotext -layout` fallback labels text tables "pdftotext-layout";
// the parser once took them for grids and read them differently.)
func TestEngineLabelIgnored(t *testing.T) {
	var files []string
	for _, pat := range []string{"*.txt", "*.md", "*.html"} {
		m, err := filepath.Glob(filepath.Join("..", "testdata", "generated", pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 300 {
		t.Fatalf("%d generated documents, want the ~300 of testdata/generated", len(files))
	}
	ctx := context.Background()
	read := func(name string, data []byte, engine string) *nianbao.Report {
		doc, err := extract.Extract(ctx, name, data, "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if engine != "" {
			for _, b := range doc.Blocks {
				if b.Table != nil {
					b.Table.Engine = engine
				}
			}
		}
		rep := &nianbao.Report{Source: name}
		analyse(ctx, rep, doc, Options{})
		// Provenance names the engine, as it should; nothing else may differ.
		for _, cs := range [][]nianbao.Cell{rep.Cells, rep.Extra} {
			for i := range cs {
				if cs[i].Source != nil {
					cs[i].Source.Engine = ""
				}
			}
		}
		return rep
	}
	text := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := read(f, data, "")
		if extract.Sniff(f, data) == nianbao.FormatText {
			text++
		}
		for _, engine := range []string{"x", "pdftotext-layout", "html"} {
			if got := read(f, data, engine); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: tables labelled %q read differently: status %s (want %s), findings %+v (want %+v)",
					filepath.Base(f), engine, got.Status, want.Status, got.Findings, want.Findings)
			}
		}
	}
	t.Logf("%d generated documents (%d text) read the same under every engine label", len(files), text)
}
