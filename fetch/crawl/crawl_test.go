package crawl

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/fetch/fakesite"
	"github.com/nianbao/nianbao/store"
)

// noDNS is the resolver of every crawl test: local servers are reached by
// IP, so a name lookup means a link escaped the site; it is refused and
// the test fails.
type noDNS struct{ t testing.TB }

func (r noDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if r.t != nil {
		r.t.Errorf("the crawler looked up %q: no test may leave 127.0.0.1", host)
	}
	return nil, fmt.Errorf("test resolver: %s refused", host)
}

// fixture is the fake government site, the other host its redirect
// points to, and a fresh database.
type fixture struct {
	site      *fakesite.Site
	srv       *httptest.Server
	otherSite *fakesite.Site
	other     *httptest.Server
	db        string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	otherSite := fakesite.New(fakesite.Options{})
	other := httptest.NewServer(otherSite)
	t.Cleanup(other.Close)
	site := fakesite.New(fakesite.Options{OtherHost: other.URL, SlowDelay: 3 * time.Second})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return &fixture{site: site, srv: srv, otherSite: otherSite, other: other, db: filepath.Join(t.TempDir(), "nianbao.db")}
}

func (f *fixture) start() string { return f.srv.URL + fakesite.Column }

func testConfig(t testing.TB, delay time.Duration) Config {
	return Config{
		Fetch: fetch.Config{AllowPrivate: true, Delay: delay, Timeout: 300 * time.Millisecond, Retries: 2,
			Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Resolver: noDNS{t}},
	}
}

func (f *fixture) crawl(t testing.TB, delay time.Duration) *Result {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := Run(ctx, st, []Site{{Start: f.start(), Name: "演示"}}, testConfig(t, delay))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sites) != 1 {
		t.Fatalf("%d summaries", len(res.Sites))
	}
	return res
}

func failures(s Summary) map[string]string {
	m := map[string]string{}
	for _, f := range s.Failures {
		u := f.URL
		if i := strings.Index(u, "/col/"); i >= 0 {
			u = u[i:]
		}
		m[u] = f.Reason
	}
	return m
}

// TestCrawlFakeSite crawls the fake site once: every report is found and
// stored, every trouble ends as the failure it should be, nothing off the
// site or disallowed is requested, and requests to the host keep their
// spacing.
func TestCrawlFakeSite(t *testing.T) {
	const delay = 20 * time.Millisecond
	f := newFixture(t)
	res := f.crawl(t, delay)
	sum := res.Sites[0]
	t.Logf("%+v", sum)

	if sum.Reports != len(fakesite.Documents) || sum.New != len(fakesite.Documents) {
		t.Errorf("reports %d, new %d; want %d", sum.Reports, sum.New, len(fakesite.Documents))
	}
	wantFail := map[string]string{
		fakesite.Broken:  "HTTP 404",
		fakesite.Slow:    "timeout",
		fakesite.Moved:   "off-site redirect",
		fakesite.Private: "robots.txt",
	}
	if got := failures(sum); fmt.Sprint(got) != fmt.Sprint(wantFail) {
		t.Errorf("failures\n got %v\nwant %v", got, wantFail)
	}
	if sum.Failed != len(wantFail) || sum.Stopped != "" {
		t.Errorf("failed %d, stopped %q", sum.Failed, sum.Stopped)
	}
	if sum.OffSite < 1 {
		t.Error("the link to www.gov.cn was not counted off-site")
	}
	// 3 listings + Shanghai, Weibin, Huaian page, DOCX, Flaky, Huaian PDF.
	if sum.Fetched != 9 {
		t.Errorf("fetched %d, want 9", sum.Fetched)
	}

	for path, want := range map[string]int{
		fakesite.Robots: 1, fakesite.Notice: 0, fakesite.Private: 0, fakesite.Broken: 1,
		fakesite.Flaky: 3, fakesite.Slow: 3, fakesite.Column: 1, fakesite.Listing2: 1, fakesite.Listing3: 1,
	} {
		if n, _ := f.site.Count(path); n != want {
			t.Errorf("%s requested %d times, want %d", path, n, want)
		}
	}
	if n := len(f.otherSite.Hits()); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}

	// Politeness: the spacing the server saw.
	hits := f.site.Hits()
	for i := 1; i < len(hits); i++ {
		if gap := hits[i].Time.Sub(hits[i-1].Time); gap < delay {
			t.Errorf("%s and %s only %v apart, want ≥ %v", hits[i-1].Path, hits[i].Path, gap, delay)
		}
	}

	// The store has every document, with its report.
	st, err := store.Open(context.Background(), f.db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, p := range fakesite.Documents {
		var status string
		err := st.Reader().QueryRow(`SELECT r.status FROM documents d JOIN document_sources s ON s.document_id = d.id
			JOIN reports r ON r.document_id = d.id WHERE s.source = ?`, f.srv.URL+p).Scan(&status)
		if err != nil {
			t.Errorf("%s not in the store: %v", p, err)
			continue
		}
		t.Logf("%s: %s", p, status)
	}
	var n int
	if err := st.Reader().QueryRow(`SELECT count(*) FROM documents`).Scan(&n); err != nil || n != len(fakesite.Documents) {
		t.Errorf("%d documents in the store (%v), want %d", n, err, len(fakesite.Documents))
	}
	var agency string
	var year, version int
	err = st.Reader().QueryRow(`SELECT r.agency, r.year, r.version FROM reports r JOIN document_sources s ON s.document_id = r.document_id
		WHERE s.source = ?`, f.srv.URL+fakesite.Weibin).Scan(&agency, &year, &version)
	if err != nil || year != 2019 || !strings.Contains(agency, "卫滨") {
		t.Errorf("the GBK page read as %q %d (%v)", agency, year, err)
	}
}
