package pdfdoc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/toolcheck"
)

const testdata = "../../testdata/pdf"

func read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func extract(t testing.TB, name string, eng Engine) *nianbao.Document {
	t.Helper()
	doc, err := Extract(context.Background(), read(t, name), Options{Engine: eng})
	if err != nil {
		t.Fatalf("%s (%s): %v", name, eng, err)
	}
	return doc
}

func tables(doc *nianbao.Document) []*nianbao.Table {
	var out []*nianbao.Table
	for _, b := range doc.Blocks {
		if b.Table != nil {
			out = append(out, b.Table)
		}
	}
	return out
}

// values returns the texts of rows r0.. and columns c0..c0+n-1.
func values(tb *nianbao.Table, r0, c0, n int) [][]string {
	var out [][]string
	for r := r0; r < len(tb.Rows); r++ {
		var row []string
		for c := c0; c < c0+n && c < tb.Width(); c++ {
			row = append(row, tb.Rows[r][c].Text)
		}
		out = append(out, row)
	}
	return out
}

func engines(t *testing.T) []Engine {
	e := []Engine{EngineNative}
	if PopplerAvailable(Options{}) {
		e = append(e, EnginePoppler)
	} else {
		toolcheck.Note(t, "pdftotext not installed: poppler engine not tested")
	}
	return e
}

// The Huaian report (WPS export): table 二 and table 三 each run over a page
// break, table 三 has the vertical merged label and labels wrapped over
// three lines, table 四 the three-level header. Expected values were read
// off the pages rendered with pdftoppm -r 100, not from this program.
func TestHuaianGrid(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(string(eng), func(t *testing.T) {
			doc := extract(t, "huaian-szf-2024.pdf", eng)
			if doc.Pages != 6 {
				t.Errorf("pages = %d, want 6", doc.Pages)
			}
			tbs := tables(doc)
			if len(tbs) != 3 {
				t.Fatalf("got %d tables, want 3 (二 and 三 continued across pages)", len(tbs))
			}
			for i, tb := range tbs {
				if tb.Index != i || tb.Engine != string(eng) || tb.Layout != nianbao.LayoutGlyphs {
					t.Errorf("table %d: index %d engine %q layout %q", i, tb.Index, tb.Engine, tb.Layout)
				}
			}
			checkHuaianT2(t, tbs[0])
			checkHuaianT3(t, tbs[1])
			checkHuaianT4(t, tbs[2])
			checkHeadings(t, doc)
		})
	}
}

func cellText(tb *nianbao.Table, r, c int) string {
	if r >= len(tb.Rows) || c >= tb.Width() {
		return fmt.Sprintf("<out of grid %d,%d>", r, c)
	}
	return strings.ReplaceAll(tb.Rows[r][c].Text, " ", "")
}

func checkHuaianT2(t *testing.T, tb *nianbao.Table) {
	t.Helper()
	if len(tb.Rows) != 14 || tb.Width() != 4 {
		t.Fatalf("table 二: %dx%d, want 14x4", len(tb.Rows), tb.Width())
	}
	want := []struct {
		r, c int
		text string
	}{
		{0, 0, "第二十条第（一）项"}, {1, 1, "本年制发件数"}, {1, 2, "本年废止件数"}, {1, 3, "现行有效件数"},
		{2, 0, "规章"}, {2, 1, "1"}, {2, 2, "0"}, {2, 3, "11"},
		{3, 0, "行政规范性文件"}, {3, 1, "8"}, {3, 2, "26"}, {3, 3, "66"},
		{4, 0, "第二十条第（五）项"}, {5, 1, "本年处理决定数量"},
		{6, 0, "行政许可"}, {6, 1, "447228"},
		{7, 0, "第二十条第（六）项"},                               // last row of page 3
		{8, 0, "信息内容"}, {9, 0, "行政处罚"}, {9, 1, "3985758"}, // first rows of page 4
		{10, 0, "行政强制"}, {10, 1, "88283"},
		{11, 0, "第二十条第（八）项"}, {12, 1, "本年收费金额（单位：万元）"},
		{13, 0, "行政事业性收费"}, {13, 1, "96171.6"},
	}
	for _, w := range want {
		if got := cellText(tb, w.r, w.c); got != w.text {
			t.Errorf("table 二 [%d,%d] = %q, want %q", w.r, w.c, got, w.text)
		}
	}
	// the section rows span the whole table; the single value spans 3
	if c := tb.Rows[0][3]; c.OriginCol != 0 || c.ColSpan != 4 {
		t.Errorf("table 二 heading row not merged: %+v", c)
	}
	if c := tb.Rows[9][3]; c.OriginCol != 1 || c.Text != "3985758" || c.Page != 4 {
		t.Errorf("table 二 行政处罚 value cell: %+v", c)
	}
	if c := tb.Rows[2][1]; c.Page != 3 || c.Box == nil || c.Box.X0 <= 0 || c.Box.Y1 <= c.Box.Y0 {
		t.Errorf("table 二 cell without page/box: %+v", c)
	}
}

var huaianT3 = [][]string{
	{"3001", "53", "0", "0", "61", "4", "3119"},
	{"34", "0", "0", "0", "0", "0", "34"},
	{"1288", "21", "0", "0", "50", "3", "1362"},
	{"447", "7", "0", "0", "0", "0", "454"},
	{"2", "0", "0", "0", "0", "0", "2"},
	{"30", "1", "0", "0", "0", "0", "31"},
	{"5", "0", "0", "0", "0", "0", "5"},
	{"6", "0", "0", "0", "0", "0", "6"},
	{"7", "1", "0", "0", "0", "0", "8"},
	{"12", "0", "0", "0", "0", "0", "12"},
	{"9", "0", "0", "0", "0", "0", "9"},
	{"105", "0", "0", "0", "0", "0", "105"},
	{"746", "12", "0", "0", "10", "1", "769"},
	{"11", "0", "0", "0", "0", "0", "11"}, // page 5
	{"1", "0", "0", "0", "0", "0", "1"},
	{"56", "6", "0", "0", "0", "0", "62"},
	{"25", "0", "0", "0", "0", "0", "25"},
	{"0", "0", "0", "0", "0", "0", "0"},
	{"0", "0", "0", "0", "0", "0", "0"},
	{"1", "0", "0", "0", "0", "0", "1"},
	{"67", "3", "0", "0", "1", "0", "71"},
	{"6", "0", "0", "0", "0", "0", "6"},
	{"108", "2", "0", "0", "0", "0", "110"},
	{"2932", "53", "0", "0", "61", "4", "3050"},
	{"103", "0", "0", "0", "0", "0", "103"},
}

var t3Labels = []string{
	"一、本年新收政府信息公开申请数量",
	"二、上年结转政府信息公开申请数量",
	"三、本年度办理结果/（一）予以公开",
	"三、本年度办理结果/（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
	"三、本年度办理结果/（三）不予公开/1.属于国家秘密",
	"三、本年度办理结果/（三）不予公开/2.其他法律行政法规禁止公开",
	"三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”",
	"三、本年度办理结果/（三）不予公开/4.保护第三方合法权益",
	"三、本年度办理结果/（三）不予公开/5.属于三类内部事务信息",
	"三、本年度办理结果/（三）不予公开/6.属于四类过程性信息",
	"三、本年度办理结果/（三）不予公开/7.属于行政执法案卷",
	"三、本年度办理结果/（三）不予公开/8.属于行政查询事项",
	"三、本年度办理结果/（四）无法提供/1.本机关不掌握相关政府信息",
	"三、本年度办理结果/（四）无法提供/2.没有现成信息需要另行制作",
	"三、本年度办理结果/（四）无法提供/3.补正后申请内容仍不明确",
	"三、本年度办理结果/（五）不予处理/1.信访举报投诉类申请",
	"三、本年度办理结果/（五）不予处理/2.重复申请",
	"三、本年度办理结果/（五）不予处理/3.要求提供公开出版物",
	"三、本年度办理结果/（五）不予处理/4.无正当理由大量反复申请",
	"三、本年度办理结果/（五）不予处理/5.要求行政机关确认或重新出具已获取信息",
	"三、本年度办理结果/（六）其他处理/1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
	"三、本年度办理结果/（六）其他处理/2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
	"三、本年度办理结果/（六）其他处理/3.其他",
	"三、本年度办理结果/（七）总计",
	"四、结转下年度继续办理",
}

// rowLabel joins the distinct label cells of a row (columns before the
// first value column) with "/".
func rowLabel(tb *nianbao.Table, r, firstValueCol int) string {
	var parts []string
	seen := map[[2]int]bool{}
	for c := 0; c < firstValueCol; c++ {
		cell := tb.Rows[r][c]
		k := [2]int{cell.OriginRow, cell.OriginCol}
		if seen[k] || cell.Text == "" {
			continue
		}
		seen[k] = true
		parts = append(parts, strings.ReplaceAll(cell.Text, " ", ""))
	}
	return strings.Join(parts, "/")
}

func checkT3Table(t *testing.T, tb *nianbao.Table, vals [][]string, labels []string, numbered1 string) {
	t.Helper()
	if len(tb.Rows) != 28 || tb.Width() != 10 {
		t.Fatalf("table 三: %dx%d, want 28x10", len(tb.Rows), tb.Width())
	}
	heads := map[[2]int]string{{0, 3}: "申请人情况", {1, 3}: "自然人", {1, 4}: "法人或其他组织", {1, 9}: "总计",
		{2, 4}: "商业企业", {2, 5}: "科研机构", {2, 6}: "社会公益组织", {2, 7}: "法律服务机构", {2, 8}: "其他"}
	for pos, w := range heads {
		if got := cellText(tb, pos[0], pos[1]); got != w {
			t.Errorf("table 三 header [%d,%d] = %q, want %q", pos[0], pos[1], got, w)
		}
	}
	got := values(tb, 3, 3, 7)
	for r := range vals {
		for c := range vals[r] {
			if r >= len(got) || c >= len(got[r]) {
				t.Errorf("table 三 row %d col %d missing", r, c)
				continue
			}
			if got[r][c] != vals[r][c] {
				t.Errorf("table 三 row %d (%s) col %d = %q, want %q", r, labels[r], c, got[r][c], vals[r][c])
			}
		}
	}
	for r, want := range labels {
		if numbered1 != "" {
			want = strings.Replace(want, "/1.申请人", "/"+numbered1+"申请人", 1)
			want = strings.Replace(want, "/2.申请人", "/2"+numbered1[1:]+"申请人", 1)
			want = strings.Replace(want, "/3.其他", "/3"+numbered1[1:]+"其他", 1)
		}
		if got := rowLabel(tb, r+3, 3); got != want {
			t.Errorf("table 三 row %d label %q, want %q", r, got, want)
		}
	}
	// the vertical label is one merged cell over all 22 outcome rows
	if c := tb.Rows[27-3][0]; c.OriginRow != 5 || c.RowSpan != 22 {
		t.Errorf("三、本年度办理结果 not one merged cell: origin %d span %d", c.OriginRow, c.RowSpan)
	}
}

func checkHuaianT3(t *testing.T, tb *nianbao.Table) {
	t.Helper()
	checkT3Table(t, tb, huaianT3, t3Labels, "1、")
	if c := tb.Rows[16][3]; c.Page != 5 || c.Text != "11" {
		t.Errorf("continued row on page 5: %+v", c)
	}
}

func checkHuaianT4(t *testing.T, tb *nianbao.Table) {
	t.Helper()
	if len(tb.Rows) != 4 || tb.Width() != 15 {
		t.Fatalf("table 四: %dx%d, want 4x15", len(tb.Rows), tb.Width())
	}
	want := []string{"72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"}
	for c, w := range want {
		if got := cellText(tb, 3, c); got != w {
			t.Errorf("table 四 value %d = %q, want %q", c, got, w)
		}
	}
	heads := map[[2]int]string{{0, 0}: "行政复议", {0, 5}: "行政诉讼", {1, 5}: "未经复议直接起诉", {1, 10}: "复议后起诉",
		{1, 0}: "结果维持", {1, 4}: "总计", {2, 5}: "结果维持", {2, 8}: "尚未审结", {2, 14}: "总计"}
	for pos, w := range heads {
		if got := cellText(tb, pos[0], pos[1]); got != w {
			t.Errorf("table 四 header [%d,%d] = %q, want %q", pos[0], pos[1], got, w)
		}
	}
	if c := tb.Rows[0][9]; c.OriginCol != 5 || c.ColSpan != 10 {
		t.Errorf("行政诉讼 should span 10 columns: %+v", c)
	}
}

// The parser finds each table by the heading block before it, and the
// agency and year in the title.
func checkHeadings(t *testing.T, doc *nianbao.Document) {
	t.Helper()
	var before []string
	var last string
	for _, b := range doc.Blocks {
		if b.Table != nil {
			before = append(before, last)
		} else {
			last = strings.ReplaceAll(b.Text, " ", "")
		}
	}
	want := []string{"二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"}
	for i, w := range want {
		if i >= len(before) || before[i] != w {
			t.Errorf("block before table %d = %q, want %q", i, before, w)
		}
	}
	if first := strings.ReplaceAll(doc.Blocks[0].Text, " ", ""); first != "淮安市人民政府2024年政府信息公开工作年度报告" {
		t.Errorf("title block = %q", first)
	}
	for _, b := range doc.Blocks {
		if pageNumRe.MatchString(strings.TrimSpace(b.Text)) && b.Text != "" {
			t.Errorf("page number kept as a block: %q", b.Text)
		}
	}
}

func loadExpected(t *testing.T) ([]string, [][]string) {
	t.Helper()
	var e struct {
		Rows [][]json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(read(t, "table3_expected.json"), &e); err != nil {
		t.Fatal(err)
	}
	var labels []string
	var vals [][]string
	for _, r := range e.Rows {
		var l string
		var v []int
		json.Unmarshal(r[0], &l)
		json.Unmarshal(r[1], &v)
		labels = append(labels, l)
		var s []string
		for _, x := range v {
			s = append(s, fmt.Sprint(x))
		}
		vals = append(vals, s)
	}
	return labels, vals
}

// The synthetic table 三 rendered by LibreOffice (TrueType subsets), by
// LibreOffice with Noto Serif CJK (the library's spurious-character case)
// and by Chromium (Identity-H CID fonts).
func TestSyntheticTable3(t *testing.T) {
	labels, vals := loadExpected(t)
	for _, name := range []string{"table3_libreoffice.pdf", "table3_libreoffice_notoserif.pdf", "table3_chromium.pdf"} {
		for _, eng := range engines(t) {
			t.Run(name+"/"+string(eng), func(t *testing.T) {
				doc := extract(t, name, eng)
				tbs := tables(doc)
				if len(tbs) != 1 {
					t.Fatalf("%d tables, want 1", len(tbs))
				}
				checkT3Table(t, tbs[0], vals, labels, "")
				var text strings.Builder
				for _, b := range doc.Blocks {
					text.WriteString(b.Text)
				}
				if strings.Count(text.String(), "民") != strings.Count(text.String(), "人民") {
					t.Errorf("spurious characters in text: %q", text.String())
				}
				if !strings.Contains(strings.ReplaceAll(text.String(), " ", ""), "某市人民政府办公室2023年政府信息公开工作") {
					t.Errorf("title not found in %q", text.String())
				}
			})
		}
	}
}

// Non-embedded STSong with the predefined UniGB-UCS2-H and GBK-EUC-H
// encodings and no ToUnicode.
func TestPredefinedCMaps(t *testing.T) {
	doc := extract(t, "stsong_predefined_cmaps.pdf", EngineNative)
	var text string
	for _, b := range doc.Blocks {
		text += b.Text
	}
	if strings.Count(text, "本年新收政府信息公开申请数量156件") != 2 {
		t.Errorf("text = %q, want both encodings decoded", text)
	}
}

func TestImageOnlyNeedsOCR(t *testing.T) {
	for _, eng := range engines(t) {
		doc, err := Extract(context.Background(), read(t, "table3_scanned_imageonly.pdf"), Options{Engine: eng})
		if !errors.Is(err, ErrNeedsOCR) || !errors.Is(err, ErrNoText) {
			t.Errorf("%s: err = %v, want ErrNoText", eng, err)
		}
		if doc == nil || doc.Pages != 1 {
			t.Errorf("%s: doc = %+v, want the textless document", eng, doc)
		}
	}
}

// buildPDF writes a small valid PDF: one page per entry of pages, each a
// content stream drawn with Helvetica.
func buildPDF(pages []string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n")
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, c := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(c)+1, c))
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	return b.Bytes()
}

func TestBadInput(t *testing.T) {
	huaian := read(t, "huaian-szf-2024.pdf")
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotPDF},
		{"garbage", bytes.Repeat([]byte("\x00\xffgarbage"), 1000), ErrNotPDF},
		{"html", []byte("<html><body>not a pdf</body></html>"), ErrNotPDF},
		{"truncated", huaian[:len(huaian)/2], ErrTruncated},
		{"header only", []byte("%PDF-1.7\n"), ErrTruncated},
		{"encrypted with user password", read(t, "encrypted_user_password.pdf"), ErrEncrypted},
		{"zero pages", buildPDF(nil), ErrNoPages},
		{"text only", buildPDF([]string{"BT /F1 12 Tf 72 700 Td (Annual report without any table) Tj ET"}), nil},
		{"empty page", buildPDF([]string{""}), ErrNoText},
	}
	for _, c := range cases {
		for _, eng := range engines(t) {
			t.Run(c.name+"/"+string(eng), func(t *testing.T) {
				doc, err := Extract(context.Background(), c.data, Options{Engine: eng})
				if c.want == nil {
					if err != nil {
						t.Fatalf("err = %v", err)
					}
					if len(tables(doc)) != 0 || len(doc.Blocks) != 1 || !strings.Contains(doc.Blocks[0].Text, "without any table") {
						t.Errorf("blocks = %+v", doc.Blocks)
					}
					return
				}
				if !errors.Is(err, c.want) {
					// poppler reports some damage differently; it must still be a clear error
					if eng == EnginePoppler && err != nil && (errors.Is(err, ErrDamaged) || errors.Is(err, ErrNotPDF)) {
						return
					}
					t.Errorf("err = %v, want %v", err, c.want)
				}
			})
		}
	}
}

// Files whose declared numbers would make the library loop or allocate
// without bound are refused up front.
func TestPreflight(t *testing.T) {
	good := buildPDF([]string{"BT /F1 12 Tf 72 700 Td (x) Tj ET"})
	if err := preflight(good, 1_000_000); err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
	if err := preflight(read(t, "huaian-szf-2024.pdf"), 1_000_000); err != nil {
		t.Fatalf("Huaian refused: %v", err)
	}
	x := bytes.LastIndex(good, []byte("xref"))
	cyclic := bytes.Replace(good, []byte("/Root 1 0 R >>"), []byte(fmt.Sprintf("/Root 1 0 R /Prev %d >>", x)), 1)
	huge := bytes.Replace(good, []byte("xref\n0 6"), []byte("xref\n0 9000000000"), 1)
	size := bytes.Replace(good, []byte("/Size 6"), []byte("/Size 99999999999"), 1)
	for name, data := range map[string][]byte{"cyclic prev": cyclic, "huge subsection": huge, "huge size": size} {
		done := make(chan error, 1)
		go func() {
			_, err := Extract(context.Background(), data, Options{})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("%s: err = %v, want ErrDamaged", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: extraction hangs", name)
		}
	}
}

// Running headers, footers and page numbers are no text of the report; a
// paragraph cut by the page break is one block.
func TestRunningHeadersAndPageNumbers(t *testing.T) {
	var pages []string
	for i := 1; i <= 3; i++ {
		pages = append(pages, fmt.Sprintf("BT /F1 9 Tf 72 810 Td (City Government Annual Report) Tj ET "+
			"BT /F1 12 Tf 72 700 Td (Body of page %d goes on and on to the right margin of the page text) Tj ET "+
			"BT /F1 12 Tf 72 682 Td (and continues here near the end of the page body text block) Tj ET "+
			"BT /F1 9 Tf 290 40 Td (- %d -) Tj ET", i, i))
	}
	doc, err := Extract(context.Background(), buildPDF(pages), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "City Government") || strings.Contains(b.Text, "- 1 -") || strings.Contains(b.Text, "- 2 -") {
			t.Errorf("running header or page number kept: %q", b.Text)
		}
	}
	if len(doc.Blocks) == 0 || !strings.HasPrefix(doc.Blocks[0].Text, "Body of page 1") {
		t.Errorf("blocks = %+v", doc.Blocks)
	}
}
