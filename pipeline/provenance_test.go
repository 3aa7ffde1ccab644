package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/charset"
)

// TestProvenanceFollowed: every figure of the text and HTML test documents
// says where a person finds it — a text figure its line, and in columns
// aligned with spaces its characters on the line, which hold what it
// printed; an HTML figure its element path — and a PDF figure its page
// and box, as before.
func TestProvenanceFollowed(t *testing.T) {
	files, _ := filepath.Glob("../testdata/generated/*")
	files = append(files, "../testdata/samples/weibin-2019-text.txt", "../testdata/samples/shanghai-bgt-2019.html",
		"../testdata/samples/huaian-szf-2024.pdf")
	var texts, spaced, htmls, pdfs int
	for _, f := range files {
		if strings.HasSuffix(f, ".json") || strings.HasSuffix(f, ".md") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rep := Read(context.Background(), f, data, Options{})
		var lines []string
		if rep.Format == nianbao.FormatText {
			text := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(charset.Decode(data, "", false).Text)
			lines = strings.Split(text, "\n")
		}
		for _, c := range rep.Cells {
			src := c.Source
			if src == nil {
				continue
			}
			switch rep.Format {
			case nianbao.FormatText:
				if src.Line < 1 || src.Line > len(lines) || src.Path != "" {
					t.Fatalf("%s %s: line %d of %d", f, c.Key, src.Line, len(lines))
				}
				texts++
				if src.ColFrom == 0 {
					continue
				}
				line := []rune(lines[src.Line-1])
				if src.ColFrom < 1 || src.ColTo > len(line) || src.ColFrom > src.ColTo {
					t.Fatalf("%s %s: columns %d–%d of a line of %d", f, c.Key, src.ColFrom, src.ColTo, len(line))
				}
				if got := strings.Join(strings.Fields(string(line[src.ColFrom-1:src.ColTo])), " "); got != src.Raw {
					t.Fatalf("%s %s: line %d columns %d–%d hold %q, the figure was printed %q", f, c.Key, src.Line, src.ColFrom, src.ColTo, got, src.Raw)
				}
				spaced++
			case nianbao.FormatHTML:
				if !strings.HasPrefix(src.Path, "html>") || !strings.Contains(src.Path, ">t") || src.Line != 0 {
					t.Fatalf("%s %s: path %q", f, c.Key, src.Path)
				}
				htmls++
			case nianbao.FormatPDF:
				if src.Page < 1 || src.Box == nil {
					t.Fatalf("%s %s: page %d box %v", f, c.Key, src.Page, src.Box)
				}
				pdfs++
			}
		}
	}
	if texts < 10000 || spaced < 1000 || htmls < 10000 || pdfs < 100 {
		t.Errorf("followed %d text figures (%d by their columns), %d HTML, %d PDF", texts, spaced, htmls, pdfs)
	}
}
