package pdfdoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

func pageOf(text string, images int) []*pageData {
	p := &pageData{num: 1, w: 595, h: 842}
	for i, r := range []rune(text) {
		p.glyphs = append(p.glyphs, glyph{s: string(r), x0: float64(i), x1: float64(i) + 1, y0: 10, y1: 20, size: 10})
	}
	for i := 0; i < images; i++ {
		p.images = append(p.images, imgBox{0, 0, 595, 842})
	}
	return []*pageData{p}
}

func TestJudgeText(t *testing.T) {
	report := strings.Repeat("本机关2023年政府信息公开工作年度报告，收到和处理政府信息公开申请情况如下。", 3)
	rare := strings.Repeat("龘靐齉爩麤龗灪籱鸞鬱", 10)
	cases := []struct {
		name   string
		pages  []*pageData
		want   error
		phrase string
	}{
		{"report text", pageOf(report, 0), nil, ""},
		{"short Latin", pageOf("Annual report 2023", 0), nil, ""},
		{"undecodable", pageOf(strings.Repeat("\uFFFD", 80)+"申请", 0), ErrGarbage, "undecodable"},
		{"private use", pageOf(strings.Repeat("\uE001\uE002", 50), 0), ErrGarbage, "undecodable"},
		{"rare characters", pageOf(rare, 0), ErrGarbage, "common"},
		{"image only", pageOf("", 2), ErrNoText, "images"},
		{"nothing", pageOf("", 0), ErrNoText, "no text"},
	}
	for _, c := range cases {
		doc := &nianbao.Document{}
		err := judgeText(doc, c.pages)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if c.want != nil && (!errors.Is(err, ErrNeedsOCR) || !strings.Contains(strings.Join(doc.Notes, " "), c.phrase)) {
			t.Errorf("%s: notes %q should say %q", c.name, doc.Notes, c.phrase)
		}
	}
}

// A Type0 font with Identity-H and no ToUnicode: the codes mean nothing
// without the font program, so the text layer is garbage, not text.
func TestIdentityWithoutToUnicodeIsGarbage(t *testing.T) {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	content := "BT /F1 12 Tf 72 700 Td <" + strings.Repeat("0A1B0C2D3E4F", 20) + "> Tj ET"
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content)+1, content))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>")
	obj("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>")
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	doc, err := Extract(context.Background(), b.Bytes(), Options{})
	if !errors.Is(err, ErrGarbage) || doc == nil || doc.Pages != 1 {
		t.Errorf("err = %v doc = %+v, want ErrGarbage with the document", err, doc)
	}
}
