package pdfdoc

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
)

// rawRef reads the library's unexported object references; if a new
// version of the library changes its Value, this fails before the native
// reader silently falls back to reading every font at every page.
func TestRawRef(t *testing.T) {
	if !valueShape.ok {
		t.Fatal("the library's Value has changed shape: fonts cannot be known by their reference")
	}
	r, err := openPDF(read(t, "stsong_predefined_cmaps.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := pageList(r, 10)
	fonts := inherited(pages[0], "Resources").Key("Font")
	for name, want := range map[string]objRef{"F1": {5, 0}, "F2": {7, 0}} {
		if got, ok := rawRef(fonts, name); !ok || got != want {
			t.Errorf("%s: %v %v, want %v", name, got, ok, want)
		}
	}
	if _, ok := rawRef(fonts, "F3"); ok {
		t.Error("a missing entry has a reference")
	}
	if _, ok := rawRef(pages[0], "MediaBox"); ok {
		t.Error("a direct value has a reference")
	}
	if _, ok := rawRef(pdf.Value{}, "F1"); ok {
		t.Error("null has a reference")
	}
}

// Fonts are decoded once per document: every page's fonts of the samples
// are indirect objects, found by reference without being read again, one
// decoded font per object, decoded as reading the object gives.
func TestFontsDecodedOncePerDocument(t *testing.T) {
	for _, name := range []string{"huaian-szf-2024.pdf", "table3_chromium.pdf", "table3_libreoffice.pdf",
		"generated/chromium-2021-02.pdf", "generated/libreoffice-2019-03.pdf"} {
		t.Run(name, func(t *testing.T) {
			r, err := openPDF(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			pages, _ := pageList(r, 100)
			ds := &docState{r: r, fonts: map[string]*fontInfo{}, fontIndex: map[*fontInfo]int{}}
			byRef := map[objRef]*fontInfo{}
			named := 0
			for _, pv := range pages {
				fonts := inherited(pv, "Resources").Key("Font")
				for _, n := range fonts.Keys() {
					named++
					ref, ok := rawRef(fonts, n)
					if !ok {
						t.Fatalf("font %s is not an indirect object", n)
					}
					f := ds.fontFor(fonts, n)
					if prev, seen := byRef[ref]; seen && prev != f {
						t.Errorf("font %v decoded twice", ref)
					} else if !seen && !reflect.DeepEqual(f, newFontInfo(fonts.Key(n))) {
						t.Errorf("font %v decoded otherwise than its object reads", ref)
					}
					byRef[ref] = f
				}
			}
			if named <= len(pages) || len(byRef) == 0 {
				t.Fatalf("%d pages name %d fonts, %d objects: too few to test", len(pages), named, len(byRef))
			}
			if len(ds.byRef) != len(byRef) || len(ds.fonts) != 0 || len(ds.fontIndex) != len(byRef) {
				t.Errorf("%d font objects decoded as %d by reference, %d inline, %d indexed", len(byRef), len(ds.byRef), len(ds.fonts), len(ds.fontIndex))
			}
		})
	}
}

// A font written inline in a page's resources (rare) reads as the same
// font as an indirect object.
func TestInlineFont(t *testing.T) {
	const font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	content := "BT /F1 12 Tf 72 700 Td (Annual report, page %d) Tj ET"
	indirect := buildPDF([]string{fmt.Sprintf(content, 1), fmt.Sprintf(content, 2)})
	inline := bytes.ReplaceAll(indirect, []byte("/Font << /F1 3 0 R >>"), []byte("/Font << /F1 "+font+" >>"))
	if bytes.Equal(inline, indirect) {
		t.Fatal("no font resource replaced")
	}
	inline = fixXref(t, inline)
	var texts []string
	for _, data := range [][]byte{indirect, inline} {
		doc, err := Extract(context.Background(), data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, bl := range doc.Blocks {
			b.WriteString(bl.Text + "\n")
		}
		texts = append(texts, b.String())
	}
	if texts[0] != texts[1] || !strings.Contains(texts[1], "Annual report, page 2") {
		t.Errorf("indirect font read %q, inline %q", texts[0], texts[1])
	}
}

// fixXref rewrites the cross-reference table of a PDF made by buildPDF
// after its objects moved.
func fixXref(t *testing.T, data []byte) []byte {
	t.Helper()
	x := bytes.Index(data, []byte("xref\n"))
	body := data[:x]
	var offs []int
	for i := 1; ; i++ {
		o := bytes.Index(body, []byte(fmt.Sprintf("\n%d 0 obj\n", i)))
		if o < 0 {
			break
		}
		offs = append(offs, o+1)
	}
	var b bytes.Buffer
	b.Write(body)
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	return b.Bytes()
}
