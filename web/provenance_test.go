package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/toolcheck"
)

// TestPDFProvenance: a PDF figure's view shows its page, rendered once and
// cached by document hash and page, with the figure's box on it.
func TestPDFProvenance(t *testing.T) {
	toolcheck.Require(t, "pdftoppm")
	d, s := newTestServer(t, Options{})
	p := fmt.Sprintf("/reports/%d/cells/t3.new.total", d.pdf)
	start := time.Now()
	w := get(t, s, p+".json")
	first := time.Since(start)
	var c cellData
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &c) != nil {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	if c.View != "pdf" || c.PDF == nil || c.PDF.Box == nil {
		t.Fatalf("no page with a box: %+v", c)
	}
	pdf := c.PDF
	if pdf.Width < 500 || pdf.Width > 650 || pdf.Height < 700 || pdf.Height > 900 {
		t.Errorf("page size %v × %v pt, want about A4", pdf.Width, pdf.Height)
	}
	b := pdf.Box
	if b.X < 0 || b.Y < 0 || b.X+b.W > pdf.Width || b.Y+b.H > pdf.Height || b.W < 5 || b.H < 5 {
		t.Errorf("box %+v outside the page %v × %v", b, pdf.Width, pdf.Height)
	}
	// The HTML draws the box over the image.
	page := get(t, s, p).Body.String()
	if !regexp.MustCompile(`<image href="/pages/[0-9a-f]{64}/\d+\.jpg"`).MatchString(page) || !strings.Contains(page, `<rect id="hl" class="hl cellbox"`) {
		t.Errorf("no image with its box in the page:\n%s", page)
	}
	// The image: a JPEG of the page's size.
	img := get(t, s, pdf.Image)
	if img.Code != 200 || img.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("%s: %d %s", pdf.Image, img.Code, img.Header())
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Body.Bytes()))
	if err != nil || float64(cfg.Width)*72/pageDPI < pdf.Width-1 {
		t.Errorf("image %v %+v", err, cfg)
	}
	// Cached: the file is there, and a second view does not render again.
	file := s.pdf.path(c.Report.SHA256, int(pdf.Page))
	st1, err := os.Stat(file)
	if err != nil {
		t.Fatalf("not cached: %v", err)
	}
	start = time.Now()
	get(t, s, p)
	again := time.Since(start)
	st2, _ := os.Stat(file)
	if !st2.ModTime().Equal(st1.ModTime()) {
		t.Errorf("the page was rendered again")
	}
	t.Logf("first view (rendering the page) %v, again %v", first, again)
	// A page the PDF does not have.
	if w := get(t, s, "/pages/"+c.Report.SHA256+"/999.jpg"); w.Code != 404 {
		t.Errorf("page 999: %d", w.Code)
	}
}

// TestHTMLProvenance: an HTML figure's view is the page as read, the
// figure's cell marked.
func TestHTMLProvenance(t *testing.T) {
	d, s := newTestServer(t, Options{})
	w := get(t, s, fmt.Sprintf("/reports/%d/cells/t3.new.total", d.html))
	body := w.Body.String()
	var raw string
	s.db.QueryRow(`SELECT raw FROM cells WHERE report_id = ? AND key = 't3.new.total'`, d.html).Scan(&raw)
	m := regexp.MustCompile(`<td[^>]* id="hl" class="hl">([^<]*)</td>`).FindStringSubmatch(body)
	if w.Code != 200 || m == nil {
		t.Fatalf("%d: no marked cell\n%s", w.Code, body)
	}
	if strings.TrimSpace(m[1]) != raw || raw == "" {
		t.Errorf("marked cell %q, the figure was printed %q", m[1], raw)
	}
	if strings.Count(body, `id="hl"`) != 1 {
		t.Errorf("%d cells marked", strings.Count(body, `id="hl"`))
	}
}

// TestTextProvenance: a text figure's view shows the lines around it, the
// figure marked on its line.
func TestTextProvenance(t *testing.T) {
	d, s := newTestServer(t, Options{})
	for _, key := range []string{"t3.new.total", "t3.new.natural", "t3.outcome_total.total", "t4.review.total"} {
		w := get(t, s, fmt.Sprintf("/reports/%d/cells/%s.json", d.text, key))
		var c cellData
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &c) != nil {
			t.Fatalf("%s: %d %s", key, w.Code, w.Body.String())
		}
		if c.View != "text" || len(c.Lines) == 0 {
			t.Errorf("%s: no lines: %+v", key, c)
			continue
		}
		hits := 0
		for _, l := range c.Lines {
			if l.Hit {
				hits++
			}
		}
		if hits != 1 {
			t.Errorf("%s: %d lines marked", key, hits)
		}
		page := get(t, s, fmt.Sprintf("/reports/%d/cells/%s", d.text, key)).Body.String()
		m := regexp.MustCompile(`<mark id="hl">([^<]*)</mark>`).FindStringSubmatch(page)
		if m == nil || c.Cell.Raw == "" || strings.TrimSpace(m[1]) != c.Cell.Raw {
			t.Errorf("%s: marked %q, printed %q", key, m, c.Cell.Raw)
		}
	}
}

// TestReportLayout: tables as the template prints them — （六） one row in
// 2019, three in 2021; blank and 0 told apart; keys on hover; findings on
// their cells.
func TestReportLayout(t *testing.T) {
	d, s := newTestServer(t, Options{})
	text := get(t, s, fmt.Sprintf("/reports/%d", d.text)).Body.String() // 2019
	pdf := get(t, s, fmt.Sprintf("/reports/%d", d.pdf)).Body.String()   // 2021
	if !strings.Contains(text, "<th colspan=\"2\">（六）其他处理</th>") || strings.Contains(text, "t3.other.no_fee.total") {
		t.Errorf("2019: （六） not one row")
	}
	if !strings.Contains(pdf, `<th rowspan="3">（六）其他处理</th>`) || !strings.Contains(pdf, "t3.other.no_fee.total") {
		t.Errorf("2021: （六） not three rows")
	}
	for _, want := range []string{`<th rowspan="3">（四）无法提供</th>`, `<th colspan="5">法人或其他组织</th>`, `<th colspan="10">行政诉讼</th>`,
		`title="t3.new.total`, `href="/reports/`} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the 2021 report lacks %s", want)
		}
	}
	// The hostile report: blank cells marked blank, 0 shown as 0, the
	// finding on its cells.
	h := get(t, s, fmt.Sprintf("/reports/%d", d.hostile)).Body.String()
	if !regexp.MustCompile(`<td class="fig v" title="t3.new.natural[^"]*"><a [^>]*>0</a>`).MatchString(h) {
		t.Errorf("0 not shown as a figure")
	}
	if !regexp.MustCompile(`<td class="fig blank" title="t3.carried.natural[^"]*blank`).MatchString(h) {
		t.Errorf("a blank cell not shown blank")
	}
	if !regexp.MustCompile(`<td class="fig v finding" title="t3.new.total[^"]*finding: t3.balance`).MatchString(h) {
		t.Errorf("the finding not marked on its cell")
	}
	if !regexp.MustCompile(`<td class="fig blank finding" title="t3.carried.total`).MatchString(h) {
		t.Errorf("the finding not marked on its blank cell")
	}
}

// TestOrganPage: names, years with the missing ones, panel rows and the
// three charts drawn.
func TestOrganPage(t *testing.T) {
	d, s := newTestServer(t, Options{})
	w := get(t, s, fmt.Sprintf("/organs/%d.json", d.panelOrgan))
	var o organData
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &o) != nil {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	if len(o.Names) == 0 || len(o.Panel) < 3 || len(o.Charts) != 3 || len(o.Years) < len(o.Panel) {
		t.Errorf("organ: %d names, %d panel rows, %d charts, %d years", len(o.Names), len(o.Panel), len(o.Charts), len(o.Years))
	}
	for _, c := range o.Charts {
		if len(c.Bars) == 0 && !c.Empty {
			t.Errorf("chart %s: no bars", c.ID)
		}
	}
	page := get(t, s, fmt.Sprintf("/organs/%d", d.panelOrgan)).Body.String()
	if strings.Count(page, "<figure class=\"chart\"") != 3 || !strings.Contains(page, `class="bar s1"`) {
		t.Errorf("the charts are not drawn")
	}
	// A panel with cross-year findings lists them (the panel plants breaks).
	var n int
	s.db.QueryRow(`SELECT count(*) FROM findings WHERE other_report_id IS NOT NULL`).Scan(&n)
	if n == 0 {
		t.Errorf("the test panel has no cross-year finding")
	}
}
