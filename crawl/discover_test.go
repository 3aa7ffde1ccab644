package crawl

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestIsReportTitle(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"2019年政府信息公开工作年度报告", true},
		{"上海市人民政府办公厅2019年政府信息公开工作年度报告", true},
		{"淮安市人民政府2024年度政府信息公开工作年度报告", true},
		{"新乡市卫滨区二〇一九年政府信息公开工作年度报告", true},
		{"２０２０年政府信息公开年报", true},
		{"2018年度政府信息公开年报（图解）", true},
		{"政府信息公开工作年度报告", false}, // no year: a column name
		{"政府信息公开年报", false},
		{"2019年政府信息公开指南", false},
		{"关于印发2020年工作要点的通知", false},
		{"第20190号文年报", false}, // the digits are not a year
	}
	for _, c := range cases {
		if got := IsReportTitle(c.s); got != c.want {
			t.Errorf("IsReportTitle(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestIsAttachment(t *testing.T) {
	for s, want := range map[string]bool{
		"http://x.gov.cn/a/P020200115.pdf":          true,
		"http://x.gov.cn/a/REPORT.PDF":              true,
		"http://x.gov.cn/a/b.docx?v=2":              true,
		"http://x.gov.cn/a/b.wps":                   true,
		"http://x.gov.cn/a/b.xlsx":                  true,
		"http://x.gov.cn/down.jsp?file=2019年报.doc":  true,
		"http://x.gov.cn/a/t20200115_1.html":        false,
		"http://x.gov.cn/a/pdf/":                    false,
		"http://x.gov.cn/a/report.pdf.html":         false,
		"http://x.gov.cn/a/b.zip":                   false,
		"http://x.gov.cn/show?id=3&name=annual.xls": true,
	} {
		if got := IsAttachment(s); got != want {
			t.Errorf("IsAttachment(%q) = %v, want %v", s, got, want)
		}
	}
}

const listingHTML = `<html><head><title>政府信息公开年报</title></head><body>
<ul class="list">
 <li><a href="./202001/t20200115_1.html" title="2019年政府信息公开工作年度报告">2019年政府信息公开工作年度...</a></li>
 <li><a href="../files/2018nb.pdf">2018年度政府信息公开年报</a></li>
 <li><a href="/col/notice.html">关于开展政务公开工作的通知</a></li>
 <li><a href="http://other.gov.cn/2017.html">2017年政府信息公开工作年度报告</a></li>
 <li><a href="javascript:void(0)">2016年政府信息公开工作年度报告</a></li>
 <li><a href="mailto:x@gov.cn">2015年政府信息公开工作年度报告</a></li>
</ul>
<div class="page"><a href="index.html">首页</a> <a href="index_1.html">2</a> <a href="index_2.html">[3]</a>
 <a href="index_1.html">下一页</a> <a href="/elsewhere/index_9.html">9</a> <a href="#top">1</a></div>
</body></html>`

func TestParseListing(t *testing.T) {
	base := "http://www.example.gov.cn/col/nb/index.html"
	p, err := ParsePage(base, []byte(listingHTML), "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "政府信息公开年报" {
		t.Errorf("title %q", p.Title)
	}
	wantReports := []Link{
		{"http://www.example.gov.cn/col/nb/202001/t20200115_1.html", "2019年政府信息公开工作年度报告"},
		{"http://www.example.gov.cn/col/files/2018nb.pdf", "2018年度政府信息公开年报"},
		{"http://other.gov.cn/2017.html", "2017年政府信息公开工作年度报告"}, // off-site: the crawler filters hosts
	}
	if !reflect.DeepEqual(p.Reports, wantReports) {
		t.Errorf("reports\n got %v\nwant %v", p.Reports, wantReports)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].URL != "http://www.example.gov.cn/col/files/2018nb.pdf" {
		t.Errorf("attachments %v", p.Attachments)
	}
	wantPages := []string{"http://www.example.gov.cn/col/nb/index_1.html", "http://www.example.gov.cn/col/nb/index_2.html"}
	if !reflect.DeepEqual(p.Pages, wantPages) {
		t.Errorf("pages\n got %v\nwant %v", p.Pages, wantPages)
	}
	if p.ReportBody {
		t.Error("a listing taken for a report body")
	}
}

func TestScriptPagination(t *testing.T) {
	cases := []struct {
		name, js string
		want     []string
	}{
		{"literal", `createPageHTML(4, 0, "index", "html");`,
			[]string{"index.html", "index_1.html", "index_2.html", "index_3.html"}},
		{"variables", `var countPage = 3//共多少页
var currentPage = 1;//当前页
createPageHTML(countPage, currentPage, "index", "shtml");`,
			[]string{"index.shtml", "index_1.shtml", "index_2.shtml"}},
		{"div form", `createPageHTML('page_div',2, 1,'fjnb','htm',37);`, []string{"fjnb.htm", "fjnb_1.htm"}},
		{"one page", `createPageHTML(1, 0, "index", "html");`, nil},
		{"unknown variable", `createPageHTML(n, 0, "index", "html");`, nil},
	}
	for _, c := range cases {
		doc := `<html><body><div id="page_div"></div><script>` + c.js + `</script></body></html>`
		p, err := ParsePage("https://www.example.gov.cn/zwgk/nb/index_1.html", []byte(doc), "")
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, w := range c.want {
			want = append(want, "https://www.example.gov.cn/zwgk/nb/"+w)
		}
		if !reflect.DeepEqual(p.Pages, want) {
			t.Errorf("%s: pages\n got %v\nwant %v", c.name, p.Pages, want)
		}
	}
	// A huge page count is bounded.
	p, _ := ParsePage("http://e.gov.cn/a/index.html", []byte(`<script>createPageHTML(100000, 0, "index", "html")</script>`), "")
	if len(p.Pages) != maxScriptPages {
		t.Errorf("%d pages from a huge count, want %d", len(p.Pages), maxScriptPages)
	}
}

func TestParseReportPageGBK(t *testing.T) {
	page := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>2019年政府信息公开工作年度报告</title><base href="http://www.example.gov.cn/up/"></head><body>
<p>附件：<a href="P0202001.pdf">2019年政府信息公开工作年度报告.pdf</a></p>
<p><a href="P0202001.DOCX">下载</a> <a href="../list.html">返回</a></p>
<table><tr><td>三、收到和处理政府信息公开申请情况</td></tr></table></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePage("http://www.example.gov.cn/nb/t1.html", []byte(gbk), "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "2019年政府信息公开工作年度报告" {
		t.Errorf("GBK title decoded as %q", p.Title)
	}
	var atts []string
	for _, a := range p.Attachments {
		atts = append(atts, a.URL)
	}
	want := []string{"http://www.example.gov.cn/up/P0202001.pdf", "http://www.example.gov.cn/up/P0202001.DOCX"}
	if !reflect.DeepEqual(atts, want) {
		t.Errorf("attachments (with <base>) %v, want %v", atts, want)
	}
	if !p.ReportBody {
		t.Error("the report table was not seen")
	}
	if len(p.Pages) != 0 {
		t.Errorf("pages %v", p.Pages)
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add([]byte(listingHTML))
	f.Add([]byte(`<script>createPageHTML(3, 0, "index", "html")</script><a href="x.pdf">2019年年报</a>`))
	f.Add([]byte(strings.Repeat("<a href=", 50)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePage("http://www.example.gov.cn/a/b/index.html", data, "")
		if err != nil {
			return
		}
		for _, l := range append(append([]Link(nil), p.Reports...), p.Attachments...) {
			if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") {
				t.Errorf("non-http link %q", l.URL)
			}
		}
		if len(p.Pages) > maxScriptPages+len(data) {
			t.Errorf("%d pages", len(p.Pages))
		}
	})
}
