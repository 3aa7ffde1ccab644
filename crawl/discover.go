package crawl

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/nianbao/nianbao/extract/charset"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Link is an <a href> resolved against its page.
type Link struct {
	URL  string
	Text string // the anchor text, or its title attribute when that says more
}

// Page is what the crawler reads from a listing or report page.
type Page struct {
	Title string
	// Pages are the other listing pages this one points to: next/previous
	// links, numbered page links, and pages written by a TRS CMS
	// createPageHTML(...) call.
	Pages []string
	// Reports are links whose text names an annual report (年度报告 or 年报
	// and a year); they lead to report pages or straight to attachments.
	Reports []Link
	// Attachments are links to document files (.pdf .doc .docx .wps .xls
	// .xlsx), whatever their text.
	Attachments []Link
	// ReportBody says the page holds the report's tables itself (a table
	// mentioning 政府信息公开申请 or 行政复议).
	ReportBody bool
}

// AttachmentExts are the file types a report is published as.
var AttachmentExts = []string{".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx"}

// IsAttachment says whether a URL names a document file by its path (or,
// for download scripts, by a query value).
func IsAttachment(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if hasDocExt(u.Path) {
		return true
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if hasDocExt(v) {
				return true
			}
		}
	}
	return false
}

func hasDocExt(p string) bool {
	ext := strings.ToLower(path.Ext(p))
	for _, e := range AttachmentExts {
		if ext == e {
			return true
		}
	}
	return false
}

var (
	reportWord = regexp.MustCompile(`年度报告|年报`)
	// A year in digits (2019, ２０１９) or in Chinese numerals (二〇一九年).
	yearDigits  = regexp.MustCompile(`(?:^|[^0-9０-９])((?:19|20|１９|２０)[0-9０-９]{2})(?:[^0-9０-９]|$)`)
	yearChinese = regexp.MustCompile(`[一二][〇○零O０0九][〇○零O０0一二三四五六七八九]{2}\s*年`)
)

// IsReportTitle says whether a link text names an annual report.
func IsReportTitle(s string) bool {
	return reportWord.MatchString(s) && (yearDigits.MatchString(s) || yearChinese.MatchString(s))
}

var (
	nextTexts = map[string]bool{
		"下一页": true, "下页": true, "下一頁": true, "后一页": true, "后页": true,
		"上一页": true, "上页": true, "前一页": true, "首页": true, "尾页": true, "末页": true, "最后一页": true,
		"next": true, "next page": true, "previous": true, "prev": true, "last": true, "first": true,
		">": true, ">>": true, "›": true, "»": true, "<": true, "<<": true, "‹": true, "«": true,
	}
	pageNumber = regexp.MustCompile(`^\[?\d{1,4}\]?$`)
	// createPageHTML(pages, current, "index", "html") and the newer
	// createPageHTML('page_div', pages, current, 'index', 'html', total);
	// pages and current may be literals or variables.
	createPageCall = regexp.MustCompile(`createPageHTML\(\s*(?:['"][^'"]*['"]\s*,\s*)?(\w+)\s*,\s*(\w+)\s*,\s*['"]([\w.-]+)['"]\s*,\s*['"](\w+)['"]`)
)

// maxScriptPages bounds the pages a createPageHTML call can add.
const maxScriptPages = 500

// maxPageBytes bounds the part of a page read for links (real listing and
// report pages are well under 1 MB).
const maxPageBytes = 2 << 20

// ParsePage reads a fetched HTML page; base is its URL (after redirects)
// and contentType its Content-Type header, for the charset. Links keep only
// http(s) URLs without fragments; Pages, Reports and Attachments are
// deduplicated and in document order.
func ParsePage(base string, data []byte, contentType string) (*Page, error) {
	baseURL, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("parse page %s: %w", base, err)
	}
	if len(data) > maxPageBytes {
		// The page's tree is built whole: a hostile page of 200,000
		// tables (9 MB) made one of hundreds of MB. Links and the report
		// body are read from its first maxPageBytes; the document itself
		// is read by the pipeline within its own budget.
		data = data[:maxPageBytes]
	}
	text := charset.Decode(data, contentType, true).Text
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse page %s: %w", base, err)
	}
	p := &Page{}
	seen := map[string]map[string]bool{"page": {}, "report": {}, "att": {}}
	add := func(kind, u string) bool {
		if seen[kind][u] {
			return false
		}
		seen[kind][u] = true
		return true
	}
	var scripts strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Base:
				if h := attr(n, "href"); h != "" {
					if b, err := baseURL.Parse(h); err == nil {
						baseURL = b
					}
				}
			case atom.Title:
				if p.Title == "" {
					p.Title = collapse(textOf(n))
				}
			case atom.Script:
				scripts.WriteString(textOf(n))
				scripts.WriteByte('\n')
			case atom.Table:
				if !p.ReportBody {
					t := textOf(n)
					p.ReportBody = strings.Contains(t, "政府信息公开申请") || strings.Contains(t, "行政复议")
				}
			case atom.A, atom.Area:
				p.link(baseURL, n, add)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	for _, u := range scriptPages(baseURL, scripts.String()) {
		if add("page", u) {
			p.Pages = append(p.Pages, u)
		}
	}
	return p, nil
}

func (p *Page) link(base *url.URL, n *html.Node, add func(kind, u string) bool) {
	href := strings.TrimSpace(attr(n, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return // javascript:, mailto:, broken, http: without a host
	}
	u.Fragment = ""
	abs := u.String()
	text := collapse(textOf(n))
	if t := collapse(attr(n, "title")); t != "" && !IsReportTitle(text) && (IsReportTitle(t) || text == "") {
		text = t // listings cut long titles short and keep the full one in title=""
	}
	switch {
	case IsReportTitle(text):
		if add("report", abs) {
			p.Reports = append(p.Reports, Link{URL: abs, Text: text})
		}
		if IsAttachment(abs) && add("att", abs) {
			p.Attachments = append(p.Attachments, Link{URL: abs, Text: text})
		}
	case IsAttachment(abs):
		if add("att", abs) {
			p.Attachments = append(p.Attachments, Link{URL: abs, Text: text})
		}
	case isPageLink(base, u, text):
		if abs != base.String() && add("page", abs) {
			p.Pages = append(p.Pages, abs)
		}
	}
}

// isPageLink says whether a link is pagination: a next/previous/first/last
// text, or a page number, pointing into the same folder as the page (or to
// the same path with another query).
func isPageLink(base, u *url.URL, text string) bool {
	t := strings.ToLower(strings.Trim(text, " []【】"))
	if !nextTexts[t] && !pageNumber.MatchString(text) {
		return false
	}
	if !strings.EqualFold(u.Host, base.Host) {
		return false
	}
	if u.Path == base.Path {
		return u.RawQuery != base.RawQuery
	}
	return dir(u.Path) == dir(base.Path)
}

func dir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i+1]
	}
	return "/"
}

// scriptPages expands the TRS CMS pagination call: createPageHTML(n, cur,
// "index", "html") writes links to index.html, index_1.html, …,
// index_{n-1}.html in the page's folder.
func scriptPages(base *url.URL, js string) []string {
	m := createPageCall.FindStringSubmatch(js)
	if m == nil {
		return nil
	}
	n, ok := jsInt(js, m[1])
	if !ok || n <= 1 {
		return nil
	}
	n = min(n, maxScriptPages)
	prefix, ext := m[3], m[4]
	var out []string
	for i := 0; i < n; i++ {
		name := prefix + "." + ext
		if i > 0 {
			name = prefix + "_" + strconv.Itoa(i) + "." + ext
		}
		u, err := base.Parse(name)
		if err != nil {
			continue
		}
		u.RawQuery, u.Fragment = "", ""
		out = append(out, u.String())
	}
	return out
}

// jsInt reads a createPageHTML argument: a number, or a variable assigned a
// number earlier in the script (var countPage = 5).
func jsInt(js, arg string) (int, bool) {
	if n, err := strconv.Atoi(arg); err == nil {
		return n, true
	}
	re, err := regexp.Compile(`\b` + regexp.QuoteMeta(arg) + `\s*=\s*(\d+)`)
	if err != nil {
		return 0, false
	}
	m := re.FindStringSubmatch(js)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b bytes.Buffer
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' }), " ")
}
