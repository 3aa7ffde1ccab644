package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/nianbao/nianbao/internal/toolcheck"
)

// chromium finds Debian's chromium; missing, the test skips, or fails
// under NIANBAO_REQUIRE_TOOLS=1 (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	toolcheck.Skip(t, "chromium not installed (apt-get install chromium)")
	return ""
}

// problems collects what a page must not do: a console error, an
// uncaught exception, a failed request or one answered 4xx/5xx, a dialog.
type problems struct {
	mu   sync.Mutex
	list []string
	// images are the image responses seen: URL → status.
	images map[string]int64
}

func (p *problems) add(format string, a ...any) {
	p.mu.Lock()
	p.list = append(p.list, fmt.Sprintf(format, a...))
	p.mu.Unlock()
}

func (p *problems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.list
	p.list = nil
	return l
}

func (p *problems) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			p.add("console %s", e.Type)
		}
	case *runtime.EventExceptionThrown:
		p.add("exception: %s", e.ExceptionDetails.Text)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
			p.add("log %s: %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL)
		}
	case *network.EventLoadingFailed:
		p.add("request failed: %s %s", e.ErrorText, e.BlockedReason)
	case *network.EventResponseReceived:
		if e.Response.Status >= 400 {
			p.add("response %d: %s", e.Response.Status, e.Response.URL)
		}
		if strings.HasPrefix(e.Response.MimeType, "image/") {
			p.mu.Lock()
			p.images[e.Response.URL] = e.Response.Status
			p.mu.Unlock()
		}
	case *page.EventJavascriptDialogOpening:
		p.add("a dialog opened: %s", e.Message)
	}
}

// TestBrowser loads every page type in headless Chromium from the test
// database, failing on any console error or failed request; checks that
// the charts render; clicks a figure of the PDF report and checks that
// the page image shows the red box; saves screenshots
// (NIANBAO_SCREENSHOTS=DIR keeps them, for the README).
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	toolcheck.Require(t, "pdftoppm")
	d, s := newTestServer(t, Options{LoopbackOnly: true})
	ts := httptest.NewServer(s)
	defer ts.Close()
	shots := os.Getenv("NIANBAO_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}

	// The flags this machine needs: no sandbox (root), no network of its
	// own (closed here), a fresh profile.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTime()
	p := &problems{images: map[string]int64{}}
	if err := chromedp.Do(ctx); err != nil { // the browser and its tab
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, p.listen); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		call(ctx, network.Enable, network.EnableParams{}),
		call(ctx, log.Enable, cdp.Empty{}),
		call(ctx, runtime.Enable, cdp.Empty{}),
	} {
		if err != nil {
			t.Fatalf("start chromium: %v", err)
		}
	}

	pages := []string{
		"/",
		"/organs",
		"/organs?province=32",
		fmt.Sprintf("/organs/%d", d.panelOrgan),
		fmt.Sprintf("/reports/%d", d.pdf),
		fmt.Sprintf("/reports/%d", d.html),
		fmt.Sprintf("/reports/%d", d.hostile),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", d.html),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", d.text),
		"/findings",
		"/search?q=" + url.QueryEscape("信息处理费"),
		"/sql?sql=" + url.QueryEscape("SELECT year, count(*) FROM v_reports GROUP BY year"),
		"/reports/999999", // a 404 page: its own request fails, nothing else may
	}
	for _, path := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+path), chromedp.WaitReady(chromedp.CSS("footer, .error"))); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		title, _ := chromedp.Run(ctx, chromedp.Title())
		for _, pr := range p.take() {
			if path == "/reports/999999" && strings.HasSuffix(pr, ts.URL+path) && strings.Contains(pr, "404") {
				continue // the 404 page's own answer
			}
			t.Errorf("%s: %s", path, pr)
		}
		if title == "" {
			t.Errorf("%s: no title", path)
		}
	}

	// The organ's charts render: each SVG has a size and bars.
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/organs/%d", ts.URL, d.panelOrgan)),
		chromedp.WaitVisible(chromedp.CSS("figure.chart svg")),
	)
	if err != nil {
		t.Fatalf("organ page: %v", err)
	}
	sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('figure.chart svg')].flatMap(s => { const r = s.getBoundingClientRect(); return [r.width, r.height] })`))
	if err != nil {
		t.Fatalf("organ page: %v", err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('figure.chart rect.bar')].filter(b => b.getBBox().width > 0).length`))
	if err != nil {
		t.Fatalf("organ page: %v", err)
	}
	if len(sizes) != 6 {
		t.Errorf("%d chart sizes, want 3 charts", len(sizes)/2)
	}
	for _, v := range sizes {
		if v < 50 {
			t.Errorf("a chart renders %v px: empty", v)
		}
	}
	if bars < 5 {
		t.Errorf("%d bars drawn", bars)
	}
	saveShot(t, ctx, filepath.Join(shots, "organ.png"))

	// The report as printed, then a click on a figure of table 三.
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/reports/%d", ts.URL, d.pdf)),
		chromedp.WaitVisible(chromedp.CSS("table.printed")),
	)
	if err != nil {
		t.Fatalf("report page: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`td.fig a[href$="/cells/t3.new.total#hl"]`)),
		chromedp.WaitVisible(chromedp.CSS("rect.cellbox")),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`[...performance.getEntriesByType('resource')].some(e => e.name.includes('/pages/') && e.responseEnd > 0)`,
			chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("rect.cellbox")))
	}
	var box []float64
	if err == nil {
		box, err = chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('rect.cellbox').getBoundingClientRect(); return [r.x, r.y, r.width, r.height] })()`))
	}
	if err != nil {
		t.Fatalf("click a figure of the PDF report: %v", err)
	}
	for _, pr := range p.take() {
		t.Errorf("provenance view: %s", pr)
	}
	imageOK := false
	for u, st := range p.images {
		if strings.Contains(u, "/pages/") && st == 200 {
			imageOK = true
		}
	}
	if !imageOK {
		t.Errorf("the page image was not loaded: %v", p.images)
	}
	if len(box) != 4 || box[2] < 5 || box[3] < 5 {
		t.Fatalf("the box is not drawn: %v", box)
	}
	// Pixels: around the box, the red of its frame and the dark of the
	// page's printed figure inside it.
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	dpr, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.devicePixelRatio`))
	if dpr == 0 {
		dpr = 1
	}
	area := image.Rect(int(box[0]*dpr), int(box[1]*dpr), int((box[0]+box[2])*dpr), int((box[1]+box[3])*dpr))
	red, dark := 0, 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case r > 180 && g < 90 && b < 90:
				red++
			case r < 110 && g < 110 && b < 110:
				dark++
			}
		}
	}
	if red < 20 || dark < 5 {
		t.Errorf("inside the box %v: %d red pixels (its frame), %d dark ones (the printed figure)", area, red, dark)
	}
	os.WriteFile(filepath.Join(shots, "provenance.png"), shot, 0o644)

	// A report whose table 三 breaks rule 5 against the year before: the
	// cells of the finding marked.
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/reports/%d#t3", ts.URL, d.carryOver)),
		chromedp.WaitVisible(chromedp.CSS("td.fig.finding")),
	)
	if err != nil {
		t.Fatalf("a report with a finding: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('t3').scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	saveShot(t, ctx, filepath.Join(shots, "report.png"))
	for _, pr := range p.take() {
		t.Errorf("report with a finding: %s", pr)
	}
	t.Logf("box %v px: %d red, %d dark pixels; screenshots in %s", box, red, dark, shots)
}

func saveShot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Error(err)
	}
}

// call sends a protocol command whose result does not matter.
func call[P, R any](ctx context.Context, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.Call(ctx, cmd, params)
	return err
}
