package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/internal/fakesite"
	"github.com/nianbao/nianbao/internal/pgtest"
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
	// The slow page answers when the client gives up, so the request
	// timeout can be generous enough for a loaded machine.
	site := fakesite.New(fakesite.Options{OtherHost: other.URL, SlowDelay: time.Hour})
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	return &fixture{site: site, srv: srv, otherSite: otherSite, other: other, db: filepath.Join(t.TempDir(), "nianbao.db")}
}

func (f *fixture) start() string { return f.srv.URL + fakesite.Column }

func testConfig(t testing.TB, delay time.Duration) Config {
	return Config{
		Fetch: fetch.Config{AllowPrivate: true, Delay: delay, Timeout: time.Second, Retries: 2,
			Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Resolver: noDNS{t}},
	}
}

func (f *fixture) crawl(t testing.TB, delay time.Duration) *Result {
	t.Helper()
	return f.crawlWith(t, testConfig(t, delay))
}

func (f *fixture) crawlWith(t testing.TB, cfg Config) *Result {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := Run(ctx, st, []Site{{Start: f.start(), Name: "演示"}}, cfg)
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
		fakesite.Broken: "HTTP 404",
		fakesite.Slow:   "timeout",
		fakesite.Moved:  "off-site redirect",
	}
	if got := failures(sum); fmt.Sprint(got) != fmt.Sprint(wantFail) {
		t.Errorf("failures\n got %v\nwant %v", got, wantFail)
	}
	if sum.Failed != len(wantFail) || sum.Stopped != "" {
		t.Errorf("failed %d, stopped %q", sum.Failed, sum.Stopped)
	}
	// What robots.txt disallows is skipped, not failed.
	if sum.Skipped != 1 || len(sum.SkippedURLs) != 1 || !strings.HasSuffix(sum.SkippedURLs[0].URL, fakesite.Private) ||
		sum.SkippedURLs[0].Reason != "robots.txt" {
		t.Errorf("skipped %d: %+v; want %s (robots.txt)", sum.Skipped, sum.SkippedURLs, fakesite.Private)
	}
	// The new documents are listed with what was read from them.
	if len(sum.Documents) != len(fakesite.Documents) {
		t.Errorf("%d documents listed, want %d: %+v", len(sum.Documents), len(fakesite.Documents), sum.Documents)
	}
	for _, d := range sum.Documents {
		if d.Outcome != "new" || d.Status == "" || strings.HasSuffix(d.URL, fakesite.Shanghai) && (d.Agency != "上海市人民政府办公厅" || d.Year != 2019) {
			t.Errorf("document %+v", d)
		}
	}
	if res.Started.IsZero() || res.Finished.Before(res.Started) {
		t.Errorf("run times: started %v, finished %v", res.Started, res.Finished)
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

// TestCrawlIncremental: a second run sends only conditional GETs, all
// answered 304, and fetches nothing; after the site revises one report, a
// third run stores exactly one new document, a new version of that report.
func TestCrawlIncremental(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testCrawlIncremental(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) {
		f := newFixture(t)
		f.db = pgtest.DB(t)
		testCrawlIncremental(t, f)
	})
}

func testCrawlIncremental(t *testing.T, f *fixture) {
	f.crawl(t, 0)
	docs := func() int {
		st, err := store.Open(context.Background(), f.db, store.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var n int
		if err := st.Reader().QueryRow(`SELECT count(*) FROM documents`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := docs()

	f.site.ResetHits()
	res := f.crawl(t, 0)
	sum := res.Sites[0]
	if sum.Fetched != 0 || sum.New != 0 || sum.Changed != 0 || sum.Failed != 0 {
		t.Errorf("second run: %+v", sum)
	}
	// 3 listings, 3 report pages, 2 attachments... all 304; the 3 failed
	// URLs wait (next try later), each listed with when and why; robots.txt
	// is read again, and the URL it disallows skipped again (never deferred).
	if sum.NotModified != 9 || sum.Unchanged != len(fakesite.Documents) || sum.Deferred != 3 || sum.Skipped != 1 {
		t.Errorf("second run: not modified %d (want 9), unchanged %d, deferred %d (want 3), skipped %d (want 1)",
			sum.NotModified, sum.Unchanged, sum.Deferred, sum.Skipped)
	}
	why := map[string]string{}
	for _, d := range sum.DeferredURLs {
		if !d.Due.After(time.Now()) || d.Failures != 1 {
			t.Errorf("deferred %+v: want due later, after 1 failure", d)
		}
		why[d.URL[strings.Index(d.URL, "/col/"):]] = d.Reason
	}
	if want := map[string]string{fakesite.Broken: "HTTP 404", fakesite.Slow: "timeout", fakesite.Moved: "off-site redirect"}; fmt.Sprint(why) != fmt.Sprint(want) {
		t.Errorf("deferred URLs %v, want %v", why, want)
	}
	if len(sum.Documents) != 0 {
		t.Errorf("second run lists documents: %+v", sum.Documents)
	}
	for _, h := range f.site.Hits() {
		if h.Path != fakesite.Robots && h.Status != 304 {
			t.Errorf("second run: %s answered %d, want 304", h.Path, h.Status)
		}
	}
	if after := docs(); after != before {
		t.Errorf("second run: %d documents, was %d", after, before)
	}

	if err := f.site.Revise(fakesite.Shanghai); err != nil {
		t.Fatal(err)
	}
	sum = f.crawl(t, 0).Sites[0]
	if sum.Changed != 1 || sum.New != 0 || sum.Fetched != 1 || sum.Unchanged != len(fakesite.Documents)-1 {
		t.Errorf("after a revision: %+v", sum)
	}
	if after := docs(); after != before+1 {
		t.Errorf("after a revision: %d documents, want %d", after, before+1)
	}
	st, err := store.Open(context.Background(), f.db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Reader().Query(`SELECT r.version, CASE WHEN r.current THEN 1 ELSE 0 END FROM reports r JOIN document_sources s ON s.document_id = r.document_id
		WHERE s.source = ? ORDER BY r.version`, f.srv.URL+fakesite.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v, cur int
		if err := rows.Scan(&v, &cur); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("v%d current=%d", v, cur))
	}
	if want := []string{"v1 current=0", "v2 current=1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("versions of the revised report: %v, want %v", got, want)
	}
}

// TestCrawlRetryNow: the URLs waiting after failures are fetched again at
// once with RetryNow, and wait again after failing again.
func TestCrawlRetryNow(t *testing.T) {
	f := newFixture(t)
	f.crawl(t, 0)
	f.site.ResetHits()
	cfg := testConfig(t, 0)
	cfg.RetryNow = true
	sum := f.crawlWith(t, cfg).Sites[0]
	if sum.RetriedNow != 3 || sum.Failed != 3 || sum.Deferred != 0 {
		t.Errorf("retry now: retried %d (want 3), failed %d (want 3), deferred %d (want 0)", sum.RetriedNow, sum.Failed, sum.Deferred)
	}
	if n, _ := f.site.Count(fakesite.Broken); n != 1 {
		t.Errorf("the broken link was requested %d times, want 1", n)
	}
	sum = f.crawl(t, 0).Sites[0]
	if sum.Deferred != 3 || sum.Failed != 0 {
		t.Errorf("after failing again: deferred %d (want 3), failed %d", sum.Deferred, sum.Failed)
	}
	for _, d := range sum.DeferredURLs {
		if d.Failures != 2 {
			t.Errorf("%+v: want 2 failures in a row", d)
		}
	}
}

// TestCrawlLoopbackRefused: a local site crawled without AllowPrivate fails
// with a refused loopback address, said as such; the next run with it
// allowed does not wait for the failure's deferral.
func TestCrawlLoopbackRefused(t *testing.T) {
	f := newFixture(t)
	cfg := testConfig(t, 0)
	cfg.Fetch.AllowPrivate = false
	sum := f.crawlWith(t, cfg).Sites[0]
	if sum.Failed != 1 || len(sum.Failures) != 1 || sum.Failures[0].Reason != "refused address" || !sum.Failures[0].Loopback {
		t.Fatalf("without AllowPrivate: %+v", sum.Failures)
	}
	if n := len(f.site.Hits()); n != 0 {
		t.Errorf("the site got %d requests", n)
	}
	sum = f.crawl(t, 0).Sites[0]
	if sum.Deferred != 0 || sum.New != len(fakesite.Documents) {
		t.Errorf("with AllowPrivate: deferred %d, new %d; want the site crawled at once", sum.Deferred, sum.New)
	}
}

// TestCrawlLock: a second crawl on the same database is refused while one
// runs.
func TestCrawlLock(t *testing.T) {
	f := newFixture(t)
	unlock, err := lock(f.db)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = Run(context.Background(), st, []Site{{Start: f.start()}}, testConfig(t, 0))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second crawl: %v, want ErrLocked naming the holder", err)
	}
	if n := len(f.site.Hits()); n != 0 {
		t.Errorf("the refused crawl made %d requests", n)
	}
	unlock()
	if _, err := Run(context.Background(), st, []Site{{Start: f.start()}}, testConfig(t, 0)); err != nil {
		t.Errorf("crawl after unlock: %v", err)
	}
}

// TestCrawlLockPostgres: on PostgreSQL the crawl lock is the database's
// (store.TryLock): a crawl from another process is refused while one runs.
func TestCrawlLockPostgres(t *testing.T) {
	f := newFixture(t)
	f.db = pgtest.DB(t)
	ctx := context.Background()
	holder, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	unlock, ok, err := holder.TryLock(ctx, "crawl")
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Run(ctx, st, []Site{{Start: f.start()}}, testConfig(t, 0)); !errors.Is(err, ErrLocked) {
		t.Errorf("second crawl: %v, want ErrLocked", err)
	}
	if n := len(f.site.Hits()); n != 0 {
		t.Errorf("the refused crawl made %d requests", n)
	}
	unlock()
	if _, err := Run(ctx, st, []Site{{Start: f.start()}}, testConfig(t, 0)); err != nil {
		t.Errorf("crawl after unlock: %v", err)
	}
}

// TestCrawlBounds: a site bigger than its page bound is finished over
// several runs, each taking up where the last stopped.
func TestCrawlBounds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reports := 0
	for run := 1; run <= 6; run++ {
		res, err := Run(ctx, st, []Site{{Start: f.start(), MaxPages: 4}}, testConfig(t, 0))
		if err != nil {
			t.Fatal(err)
		}
		sum := res.Sites[0]
		if sum.Fetched+sum.NotModified+sum.Failed > 4 {
			t.Errorf("run %d visited %d URLs, bound 4", run, sum.Fetched+sum.NotModified+sum.Failed)
		}
		reports += sum.New
		if run == 1 && !strings.Contains(sum.Stopped, "page limit") {
			t.Errorf("run 1 stopped %q", sum.Stopped)
		}
	}
	if reports != len(fakesite.Documents) {
		t.Errorf("%d reports after 6 bounded runs, want %d", reports, len(fakesite.Documents))
	}
}

// The resume test runs the crawl in a child process (this test binary) so
// that it can be killed with SIGKILL.
const (
	childDB    = "NIANBAO_CRAWL_TEST_CHILD_DB"
	childStart = "NIANBAO_CRAWL_TEST_CHILD_START"
)

func TestMain(m *testing.M) {
	pdfdoc.ServeRepair()
	if db := os.Getenv(childDB); db != "" {
		os.Exit(child(db, os.Getenv(childStart)))
	}
	os.Exit(m.Run())
}

func child(db, start string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	if _, err := Run(ctx, st, []Site{{Start: start}}, testConfig(nil, 50*time.Millisecond)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// endState is what a crawl leaves in the database, with the servers'
// addresses taken out so that two fixtures compare.
func endState(t *testing.T, f *fixture) []string {
	t.Helper()
	st, err := store.Open(context.Background(), f.db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	norm := strings.NewReplacer(f.srv.URL, "SITE", f.other.URL, "OTHER")
	var out []string
	rows, err := st.Reader().Query(`SELECT url, site, kind, state, run, attempts, sha256, outcome, error, COALESCE(http_status, 0) FROM frontier`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u, site, kind, state, sum, outcome, errText string
		var run, attempts, status int
		if err := rows.Scan(&u, &site, &kind, &state, &run, &attempts, &sum, &outcome, &errText, &status); err != nil {
			t.Fatal(err)
		}
		reason, _, _ := strings.Cut(errText, ":")
		out = append(out, norm.Replace(fmt.Sprintf("frontier %s site=%s %s %s run=%d attempts=%d sha=%s %s %q %d",
			u, site, kind, state, run, attempts, sum, outcome, reason, status)))
	}
	rows.Close()
	rows, err = st.Reader().Query(`SELECT s.source, d.sha256, d.format, r.status, COALESCE(r.agency, ''), COALESCE(r.year, 0), COALESCE(r.version, 0),
		(SELECT count(*) FROM cells c WHERE c.report_id = r.id)
		FROM documents d JOIN document_sources s ON s.document_id = d.id JOIN reports r ON r.document_id = d.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var src, sum, format, status, agency string
		var year, version, cells int
		if err := rows.Scan(&src, &sum, &format, &status, &agency, &year, &version, &cells); err != nil {
			t.Fatal(err)
		}
		out = append(out, norm.Replace(fmt.Sprintf("document %s %s %s %s %s %d v%d cells=%d", src, sum, format, status, agency, year, version, cells)))
	}
	rows.Close()
	var runs, unfinished int
	if err := st.Reader().QueryRow(`SELECT count(*), count(*) - count(finished_at) FROM crawl_runs`).Scan(&runs, &unfinished); err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprintf("runs %d unfinished %d", runs, unfinished))
	sort.Strings(out)
	return out
}

// TestCrawlResumeAfterKill kills a crawl (SIGKILL, mid-run), starts it
// again, and compares the end state with that of an uninterrupted crawl.
func TestCrawlResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	ref := newFixture(t)
	ref.crawl(t, 0)
	want := endState(t, ref)

	for _, killAfter := range []int{4, 8, 12} { // requests served before the kill
		t.Run(fmt.Sprint(killAfter), func(t *testing.T) {
			f := newFixture(t)
			var stderr strings.Builder
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childDB+"="+f.db, childStart+"="+f.start())
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for len(f.site.Hits()) < killAfter && time.Now().Before(deadline) {
				time.Sleep(2 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed mid-run: %v\n%s", err, stderr.String())
			}
			mid := endState(t, f)
			if mid[len(mid)-1] != "runs 1 unfinished 1" {
				t.Fatalf("killed run: %v", mid[len(mid)-1])
			}
			settled, docs := 0, 0
			for _, l := range mid {
				if strings.Contains(l, " run=1 ") {
					settled++
				}
				if strings.HasPrefix(l, "document ") {
					docs++
				}
			}
			t.Logf("killed after %d requests: %d URLs settled, %d documents stored", len(f.site.Hits()), settled, docs)
			if len(mid) >= len(want) && settled == strings.Count(strings.Join(want, "\n"), " run=1 ") {
				t.Fatal("the crawl had finished before the kill: nothing to resume")
			}

			res := f.crawl(t, 0)
			if !res.Resumed || res.Run != 1 {
				t.Errorf("the second crawl did not resume run 1: %+v", res)
			}
			got := endState(t, f)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("end state after kill and resume differs from an uninterrupted crawl\n got:\n%s\nwant:\n%s",
					strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestCrawlSiteTime: a site's time per run bounds it — no request starts
// after it, a URL cut off by it is left due (not failed, not deferred) —
// and the next run goes on.
func TestCrawlSiteTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st, err := store.Open(ctx, f.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := Run(ctx, st, []Site{{Start: f.start(), MaxTime: time.Nanosecond}}, testConfig(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Sites[0]
	if !strings.Contains(sum.Stopped, "time limit") || sum.Failed != 0 || sum.Deferred != 0 {
		t.Errorf("stopped %q, %d failed, %d deferred; want the time limit and nothing failed", sum.Stopped, sum.Failed, sum.Deferred)
	}
	cfg := testConfig(t, 0)
	cfg.MaxTime = time.Hour
	res, err = Run(ctx, st, []Site{{Start: f.start()}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum := res.Sites[0]; sum.Stopped != "" || sum.New != len(fakesite.Documents) {
		t.Errorf("the next run: stopped %q, %d new, want all %d", sum.Stopped, sum.New, len(fakesite.Documents))
	}
}
