package pdfdoc

import (
	"context"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
)

// tablePDF draws a 3×3 ruled table with text in the cells (borders as
// stroked lines) on page 1, a 2×2 one (borders as thin filled
// rectangles) on page 2 — not a continuation: the first ends high on its
// page — and scaled text on page 3.
func tablePDF() []byte {
	grid := "0.5 w 72 700 m 372 700 l S 72 680 m 372 680 l S 72 660 m 372 660 l S 72 640 m 372 640 l S " +
		"72 640 m 72 700 l S 172 640 m 172 700 l S 272 640 m 272 700 l S 372 640 m 372 700 l S "
	text := "BT /F1 10 Tf 80 685 Td (Label) Tj 100 0 Td (12) Tj 100 0 Td (34) Tj ET " +
		"BT /F1 10 Tf 80 665 Td (Wrapped) Tj 0 -8 Td (label) Tj ET BT /F1 10 Tf 180 665 Td [(5) -200 (6)] TJ ET"
	filled := "72 600 300 0.5 re f 72 580 300 0.5 re f 72 560 300 0.5 re f 72 560 0.5 40 re f 222 560 0.5 40 re f 372 560 0.5 40 re f " +
		"BT /F1 10 Tf 80 585 Td (A) Tj 150 0 Td (1) Tj ET"
	return buildPDF([]string{grid + text, filled, "q 2 0 0 2 0 0 cm BT /F1 5 Tf 36 400 Td (scaled) Tj ET Q"})
}

func FuzzExtract(f *testing.F) {
	f.Add(buildPDF([]string{"BT /F1 12 Tf 72 700 Td (2023 report) Tj ET"}))
	f.Add(tablePDF())
	f.Add(buildPDF(nil))
	f.Add(read(f, "stsong_predefined_cmaps.pdf"))
	tp := tablePDF()
	f.Add(tp[:len(tp)/2])
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		doc, err := Extract(ctx, data, Options{Engine: EngineNative, Timeout: 5 * time.Second, MaxPages: 20})
		if err != nil {
			return
		}
		checkDoc(t, doc)
	})
}

// checkDoc asserts the invariants of the document model.
func checkDoc(t *testing.T, doc *nianbao.Document) {
	t.Helper()
	for _, b := range doc.Blocks {
		if (b.Table == nil) == (b.Text == "") && !b.Image {
			t.Fatalf("block is neither text nor table: %+v", b)
		}
		tb := b.Table
		if tb == nil {
			continue
		}
		w := tb.Width()
		for r, row := range tb.Rows {
			if len(row) != w {
				t.Fatalf("row %d has %d cells, want %d", r, len(row), w)
			}
			for c, cell := range row {
				if cell == nil || cell.Row != r || cell.Col != c || cell.RowSpan < 1 || cell.ColSpan < 1 {
					t.Fatalf("bad cell at %d,%d: %+v", r, c, cell)
				}
				if cell.OriginRow > r || cell.OriginCol > c || cell.OriginRow < 0 || cell.OriginCol < 0 {
					t.Fatalf("origin after cell at %d,%d: %+v", r, c, cell)
				}
			}
		}
	}
}

func TestTablePDF(t *testing.T) {
	doc, err := Extract(context.Background(), tablePDF(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkDoc(t, doc)
	tbs := tables(doc)
	if len(tbs) != 2 {
		t.Fatalf("%d tables, want 2", len(tbs))
	}
	if got := values(tbs[0], 0, 0, 3); len(got) != 3 || got[0][0] != "Label" || got[0][1] != "12" || got[0][2] != "34" ||
		got[1][0] != "Wrapped label" || got[1][1] != "56" {
		t.Errorf("stroked table = %q", got)
	}
	if got := values(tbs[1], 0, 0, 2); len(got) != 2 || got[0][0] != "A" || got[0][1] != "1" {
		t.Errorf("filled-rule table = %q", got)
	}
	var text string
	for _, b := range doc.Blocks {
		text += b.Text
	}
	if text != "scaled" {
		t.Errorf("text = %q", text)
	}
}

func FuzzCMap(f *testing.F) {
	f.Add([]byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0003> <0020> <0011> <4E2D> endbfchar 1 beginbfrange <0020> <0030> <0041> endbfrange"))
	f.Add([]byte("1 beginbfrange <01> <03> [<0041> <0042> <0043>] endbfrange 1 begincidrange <00> <ff> 10 endcidrange"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := parseCMap(data)
		if len(m.uni) > maxCMapEntries+0xFFFF {
			t.Fatalf("%d entries", len(m.uni))
		}
	})
}
