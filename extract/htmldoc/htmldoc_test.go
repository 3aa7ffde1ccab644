package htmldoc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

func extract(t testing.TB, html string) *nianbao.Document {
	t.Helper()
	doc, err := Extract(context.Background(), []byte(html), "")
	if err != nil {
		t.Fatal(err)
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

func TestWordExportMarkup(t *testing.T) {
	// Word splits figures over spans and adds <o:p>; &nbsp; is a blank.
	doc := extract(t, `<html><body><table class=MsoNormalTable>
<tr><td><p class=MsoNormal><span lang=ZH-CN style='font-family:宋体'>科研机<br>构</span><o:p></o:p></p></td>
<td><p class=MsoNormal align=center><span lang=EN-US>1</span><span lang=EN-US>2</span><span lang=EN-US style='mso-bidi-font-weight:bold'>3<o:p></o:p></span></p></td>
<td><p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span></p></td>
<td><font face="宋体" size=2>4</font><span style='display:none'>HIDDEN</span></td></tr>
</table></body></html>`)
	ts := tables(doc)
	if len(ts) != 1 {
		t.Fatalf("%d tables", len(ts))
	}
	if ts[0].Engine != "html" || ts[0].Layout != nianbao.LayoutGrid {
		t.Errorf("engine %q layout %q", ts[0].Engine, ts[0].Layout)
	}
	got := []string{}
	for _, c := range ts[0].Rows[0] {
		got = append(got, c.Text)
	}
	want := []string{"科研机 构", "123", "", "4"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("cells %q, want %q", got, want)
	}
}

func TestLayoutAndSplitTables(t *testing.T) {
	// The report inside a layout table; table 三 split into a header table
	// and a body table. The layout table is flow, the data tables grids.
	doc := extract(t, `<html><head><title>T</title></head><body><table width=100%><tr><td>
<p>一、总体情况</p><p>正文。</p>
<table border=1><tr><td rowspan=2>x</td><td colspan=2>申请人情况</td></tr><tr><td>自然人</td><td>总计</td></tr></table>
<table border=1><tr><td>一、本年新收政府信息公开申请数量</td><td>3</td><td>3</td></tr></table>
</td></tr></table></body></html>`)
	ts := tables(doc)
	if len(ts) != 2 {
		t.Fatalf("%d tables, want 2", len(ts))
	}
	if ts[0].Width() != 3 || len(ts[0].Rows) != 2 || ts[0].Rows[1][0].Text != "x" || ts[0].Rows[1][0].IsOrigin() {
		t.Errorf("header grid wrong: %+v", ts[0].Rows)
	}
	if ts[1].Index != 1 || ts[1].Rows[0][1].Text != "3" {
		t.Errorf("body grid wrong")
	}
	var texts []string
	for _, b := range doc.Blocks {
		if b.Text != "" {
			texts = append(texts, b.Text)
		}
	}
	if strings.Join(texts, "|") != "一、总体情况|正文。" || doc.Title != "T" {
		t.Errorf("blocks %q title %q", texts, doc.Title)
	}
}

func TestImageOnlyTable(t *testing.T) {
	doc := extract(t, `<p>三、收到和处理政府信息公开申请情况</p><p><img src="/u/2020/table3.png" alt=""></p>`)
	found := false
	for _, b := range doc.Blocks {
		if b.Image && b.Text == "table3.png" {
			found = true
		}
	}
	if !found {
		t.Errorf("image block missing: %+v", doc.Blocks)
	}
}

func TestUnclosedCells(t *testing.T) {
	// Old CMS markup leaves <td> and <tr> unclosed.
	doc := extract(t, `<table><tr><td>a<td>1<td>2<tr><td>b<td>3<td>4</table>`)
	ts := tables(doc)
	if len(ts) != 1 || len(ts[0].Rows) != 2 || ts[0].Rows[1][2].Text != "4" {
		t.Fatalf("grid %+v", ts)
	}
}

func TestSniff(t *testing.T) {
	for _, s := range []string{"<!DOCTYPE html><html>", "  <html>", "<meta charset=utf-8>", "\xef\xbb\xbf<html>"} {
		if !Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = false", s)
		}
	}
	for _, s := range []string{"政府信息公开\t1\t2", "%PDF-1.7", ""} {
		if Sniff([]byte(s)) {
			t.Errorf("Sniff(%q) = true", s)
		}
	}
}

// FuzzExtract: any bytes give a document or an error, never a panic, and
// every grid is rectangular with origins inside it.
func FuzzExtract(f *testing.F) {
	for _, p := range []string{"../../testdata/samples/shanghai-bgt-2019.html", "../../testdata/synthetic/table3_gbk.html"} {
		if b, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<table><tr><td rowspan=999999 colspan=0>x<td colspan=-3>y</table>`))
	f.Add([]byte(`<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>`))
	f.Add([]byte("<html><meta charset=gbk>\x81\x30\x81"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Extract(context.Background(), data, "")
		if err != nil {
			return
		}
		for _, tb := range tables(doc) {
			w := tb.Width()
			for r, row := range tb.Rows {
				if len(row) != w {
					t.Fatalf("row %d has %d cells, width %d", r, len(row), w)
				}
				for c, cell := range row {
					if cell == nil || cell.Row != r || cell.Col != c || cell.OriginRow > r || cell.OriginCol > c {
						t.Fatalf("bad cell at %d,%d: %+v", r, c, cell)
					}
				}
			}
		}
	})
}

// A content system's ArticleTitle meta is the document's title: <title>
// carries the site's name, the page's first lines its breadcrumbs.
func TestArticleTitleMeta(t *testing.T) {
	for _, c := range []struct{ page, want string }{
		{`<html><head><title>年度报告_某某市人民政府门户网站</title><META NAME="ArticleTitle" CONTENT="洪泽区人民政府2023年政府信息公开工作年度报告"></head><body><p>首页 &gt; 年度报告</p></body></html>`,
			"洪泽区人民政府2023年政府信息公开工作年度报告"},
		{`<html><head><title>年度报告_某某市人民政府门户网站</title><meta name="keywords" content="年度报告"></head><body></body></html>`,
			"年度报告_某某市人民政府门户网站"},
	} {
		doc, err := Extract(context.Background(), []byte(c.page), "")
		if err != nil {
			t.Fatal(err)
		}
		if doc.Title != c.want {
			t.Errorf("title %q, want %q", doc.Title, c.want)
		}
	}
}

func TestPubDateMeta(t *testing.T) {
	doc, err := Extract(context.Background(), []byte(`<html><head><meta name="PubDate" content="2024-01-30 10:21"><title>x</title></head><body><p>年度报告</p></body></html>`), "")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Published != "2024-01-30 10:21" {
		t.Errorf("published %q", doc.Published)
	}
}
