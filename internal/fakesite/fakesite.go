// Package fakesite is a small government website for tests and the demo:
// an annual-report column (政府信息公开年报) with three listing pages and
// the troubles real sites have — reports as UTF-8 and GBK pages, a PDF
// attachment, a DOCX attachment, a broken link, a slow page, a page that
// fails twice before it works, a redirect to another host, and a path that
// robots.txt disallows. It answers conditional GETs, records every request
// with its time, and can revise a report so that a crawl sees a change.
//
// The report files under data/ are copies of the project's samples.
package fakesite

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

//go:embed data
var data embed.FS

// Paths of the site. Column is the start URL path of a crawl.
const (
	Column    = "/col/ndbg/index.html"
	Listing2  = "/col/ndbg/index_1.html"
	Listing3  = "/col/ndbg/index_2.html"
	Shanghai  = "/col/ndbg/202001/t20200131_1001.html" // UTF-8 report page
	Weibin    = "/col/ndbg/202001/t20200120_1002.html" // GBK report page
	HuaianTop = "/col/ndbg/202501/t20250120_1003.html" // page linking the PDF
	HuaianPDF = "/col/ndbg/202501/P020250120.pdf"
	DOCX      = "/col/ndbg/202101/P020210115.docx" // linked from the listing
	Flaky     = "/col/ndbg/202201/t20220115_1004.html"
	Broken    = "/col/ndbg/201901/t20190115_404.html"
	Slow      = "/col/ndbg/201801/t20180115_1005.html"
	Moved     = "/col/ndbg/201701/t20170115_1006.html" // redirects to OtherHost
	Private   = "/col/ndbg/private/t20160115_1007.html"
	Notice    = "/col/ndbg/202003/t20200301_2001.html" // not a report: never fetched
	Robots    = "/robots.txt"
)

// Documents are the paths a complete crawl archives: the report pages and
// the attachments.
var Documents = []string{Shanghai, Weibin, HuaianPDF, DOCX, Flaky}

// Options shape the site.
type Options struct {
	// OtherHost is the base URL (http://127.0.0.1:port) that Moved
	// redirects to; empty means a made-up name.
	OtherHost string
	// SlowDelay is how long Slow takes to answer (default 10 s).
	SlowDelay time.Duration
	// FailTimes is how many times Flaky answers 503 before it works
	// (default 2). The count is per Site, so a second crawl sees 200.
	FailTimes int
}

// Hit is one request the site received.
type Hit struct {
	Time   time.Time // when the request arrived
	Path   string
	Status int
}

// Site is an http.Handler.
type Site struct {
	opt   Options
	mu    sync.Mutex
	docs  map[string]*doc
	hits  []Hit
	flaky int
}

type doc struct {
	body  []byte
	ctype string
	mod   time.Time
	etag  bool // send an ETag (else only Last-Modified)
}

// New builds the site.
func New(opt Options) *Site {
	if opt.SlowDelay <= 0 {
		opt.SlowDelay = 10 * time.Second
	}
	if opt.FailTimes == 0 {
		opt.FailTimes = 2
	}
	if opt.OtherHost == "" {
		opt.OtherHost = "http://other-host.invalid"
	}
	s := &Site{opt: opt, docs: map[string]*doc{}}
	t0 := time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC)
	htmlType := "text/html; charset=utf-8"
	s.docs[Column] = &doc{body: []byte(listing1), ctype: htmlType, mod: t0, etag: true}
	s.docs[Listing2] = &doc{body: []byte(listing2), ctype: htmlType, mod: t0, etag: true}
	s.docs[Listing3] = &doc{body: []byte(listing3), ctype: htmlType, mod: t0, etag: true}
	s.docs[Shanghai] = &doc{body: must("shanghai-bgt-2019.html"), ctype: htmlType, mod: t0}
	s.docs[Weibin] = &doc{body: weibinGBK(), ctype: "text/html", mod: t0} // no charset in the header, as often
	s.docs[HuaianTop] = &doc{body: []byte(huaianPage), ctype: htmlType, mod: t0}
	s.docs[HuaianPDF] = &doc{body: must("huaian-szf-2024.pdf"), ctype: "application/pdf", mod: t0, etag: true}
	s.docs[DOCX] = &doc{body: must("table3.docx"), ctype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", mod: t0, etag: true}
	s.docs[Flaky] = &doc{body: must("table3.html"), ctype: htmlType, mod: t0}
	s.docs[Slow] = &doc{body: []byte("<html><body>slow</body></html>"), ctype: htmlType, mod: t0}
	s.docs[Private] = &doc{body: []byte("<html><body>private</body></html>"), ctype: htmlType, mod: t0}
	s.docs[Notice] = &doc{body: []byte("<html><body>notice</body></html>"), ctype: htmlType, mod: t0}
	s.docs[Robots] = &doc{body: []byte("User-agent: *\nDisallow: /col/ndbg/private/\n"), ctype: "text/plain", mod: t0}
	return s
}

func must(name string) []byte {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return b
}

// ServeHTTP answers like a plain CMS web server.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &statusWriter{ResponseWriter: w, status: 200}
	arrived := time.Now()
	defer func() { s.record(arrived, r.URL.Path, rw.status) }()
	switch r.URL.Path {
	case "/", "/col/ndbg/", "/col/ndbg":
		http.Redirect(rw, r, Column, http.StatusFound)
		return
	case Moved:
		http.Redirect(rw, r, s.opt.OtherHost+"/ndbg/2017.html", http.StatusFound)
		return
	case Slow:
		select {
		case <-time.After(s.opt.SlowDelay):
		case <-r.Context().Done():
			return
		}
	case Flaky:
		s.mu.Lock()
		s.flaky++
		fail := s.flaky <= s.opt.FailTimes
		s.mu.Unlock()
		if fail {
			http.Error(rw, "503 Service Temporarily Unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	s.mu.Lock()
	d := s.docs[r.URL.Path]
	var body []byte
	var d2 doc
	if d != nil {
		d2 = *d
		body = d.body
	}
	s.mu.Unlock()
	if d == nil {
		http.Error(rw, "404 Not Found", http.StatusNotFound)
		return
	}
	rw.Header().Set("Content-Type", d2.ctype)
	if d2.etag {
		sum := sha256.Sum256(body)
		rw.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	}
	// ServeContent answers If-None-Match and If-Modified-Since with 304.
	http.ServeContent(rw, r, "", d2.mod, bytes.NewReader(body))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Site) record(arrived time.Time, path string, status int) {
	s.mu.Lock()
	s.hits = append(s.hits, Hit{Time: arrived, Path: path, Status: status})
	s.mu.Unlock()
}

// Hits returns the requests answered so far, in order of arrival.
func (s *Site) Hits() []Hit {
	s.mu.Lock()
	h := append([]Hit(nil), s.hits...)
	s.mu.Unlock()
	sort.SliceStable(h, func(i, j int) bool { return h[i].Time.Before(h[j].Time) })
	return h
}

// Count returns how many requests path received, and how many of them
// were answered 200.
func (s *Site) Count(path string) (all, ok int) {
	for _, h := range s.Hits() {
		if h.Path == path {
			all++
			if h.Status == 200 {
				ok++
			}
		}
	}
	return all, ok
}

// ResetHits forgets the recorded requests.
func (s *Site) ResetHits() {
	s.mu.Lock()
	s.hits = nil
	s.mu.Unlock()
}

// Revise publishes a corrected version of the report page at path (a note
// added at the end, as sites do), with a new modification time.
func (s *Site) Revise(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[path]
	if d == nil {
		return fmt.Errorf("fakesite: no document at %s", path)
	}
	note := []byte("<p>（本报告于2020年3月1日更正。）</p>")
	b := append([]byte(nil), d.body...)
	if i := bytes.LastIndex(b, []byte("</body>")); i >= 0 {
		b = append(b[:i:i], append(note, b[i:]...)...)
	} else {
		b = append(b, note...)
	}
	d.body = b
	d.mod = d.mod.Add(24 * time.Hour)
	return nil
}

// weibinGBK renders the 卫滨区 report text as the GBK page a county CMS
// would publish: paragraphs, and its tab-separated rows as table rows.
func weibinGBK() []byte {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">` +
		`<title>新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告</title></head><body>` + "\n")
	inTable := false
	for _, line := range strings.Split(string(must("weibin-2019-text.txt")), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.Contains(line, "\t") {
			if !inTable {
				b.WriteString("<table border=\"1\">\n")
				inTable = true
			}
			b.WriteString("<tr>")
			for _, f := range strings.Split(line, "\t") {
				b.WriteString("<td>" + html.EscapeString(f) + "</td>")
			}
			b.WriteString("</tr>\n")
			continue
		}
		if inTable && strings.TrimSpace(line) != "" {
			b.WriteString("</table>\n")
			inTable = false
		}
		if strings.TrimSpace(line) != "" {
			b.WriteString("<p>" + html.EscapeString(line) + "</p>\n")
		}
	}
	if inTable {
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	out, err := simplifiedchinese.GBK.NewEncoder().String(b.String())
	if err != nil {
		panic(err) // the sample is all GBK-encodable
	}
	return []byte(out)
}

const pageHead = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/col/">政务公开</a> &gt; 政府信息公开年报</div>
<ul class="list">
`

const listing1 = pageHead + `<li><a href="./202001/t20200131_1001.html" title="2019年上海市人民政府办公厅政府信息公开工作年度报告">2019年上海市人民政府办公厅政府信息公开...</a><span>2020-01-31</span></li>
<li><a href="./202001/t20200120_1002.html">新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告</a><span>2020-01-20</span></li>
<li><a href="./202003/t20200301_2001.html">关于做好政务公开工作的通知</a><span>2020-03-01</span></li>
<li><a href="http://www.gov.cn/2019nb.html">国务院办公厅2019年政府信息公开工作年度报告</a></li>
</ul>
<div id="page_div"></div>
<script>
var countPage = 3; var currentPage = 0;
createPageHTML(countPage, currentPage, "index", "html");
</script>
<noscript><a href="index_1.html">下一页</a></noscript>
</body></html>`

const listing2 = pageHead + `<li><a href="./202501/t20250120_1003.html">淮安市人民政府2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>
<li><a href="./202101/P020210115.docx">2020年政府信息公开工作年度报告（表格）</a><span>2021-01-15</span></li>
<li><a href="./201901/t20190115_404.html">2018年政府信息公开工作年度报告</a><span>2019-01-15</span></li>
</ul>
<div class="page"><a href="index.html">上一页</a> <a href="index.html">1</a> <span>2</span> <a href="index_2.html">3</a> <a href="index_2.html">下一页</a></div>
</body></html>`

const listing3 = pageHead + `<li><a href="./202201/t20220115_1004.html">某市人民政府办公室2021年政府信息公开工作年度报告</a><span>2022-01-15</span></li>
<li><a href="./201801/t20180115_1005.html">2017年政府信息公开工作年度报告</a><span>2018-01-15</span></li>
<li><a href="./201701/t20170115_1006.html">2016年政府信息公开工作年度报告</a><span>2017-01-15</span></li>
<li><a href="./private/t20160115_1007.html">2015年政府信息公开工作年度报告</a><span>2016-01-15</span></li>
</ul>
<div class="page"><a href="index_1.html">上一页</a> <a href="index.html">1</a> <a href="index_1.html">2</a> <span>3</span></div>
</body></html>`

const huaianPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>淮安市人民政府2024年政府信息公开工作年度报告</title></head><body>
<h1>淮安市人民政府2024年政府信息公开工作年度报告</h1>
<p>发布日期：2025-01-20</p>
<p>附件：<a href="./P020250120.pdf" title="淮安市人民政府2024年政府信息公开工作年度报告.pdf">淮安市人民政府2024年政府信息公开工作年度报告.pdf</a></p>
<p><a href="../index.html">返回列表</a></p>
</body></html>`
