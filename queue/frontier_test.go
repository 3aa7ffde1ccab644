package queue

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/internal/fakesite"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
)

// TestCrawlIncremental is crawl's TestCrawlIncremental through the queue
// and a worker: an enqueued crawl run uses the store's frontier, so a
// second run sends only conditional GETs, all answered 304, and fetches
// and parses nothing, the failed URLs of the first waiting (deferred, not
// enqueued); after the site revises one report, a third run stores
// exactly one new document, a new version of that report. Each run ends
// (crawl_runs.finished_at) once its fetch jobs are done.
func TestCrawlIncremental(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	otherSite := fakesite.New(fakesite.Options{})
	other := httptest.NewServer(otherSite)
	defer other.Close()
	site := fakesite.New(fakesite.Options{OtherHost: other.URL, SlowDelay: time.Hour})
	srv := httptest.NewServer(site)
	defer srv.Close()
	start := srv.URL + fakesite.Column

	st, q := openStoreQueue(t, dsn)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Work(wctx, dsn, WorkerConfig{Store: st,
			Fetch: fetch.Config{AllowPrivate: true, Timeout: time.Second, Retries: 2,
				Backoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
			FetchWorkers: 4, ParseWorkers: 2, PollInterval: 100 * time.Millisecond,
			RunCheck: 200 * time.Millisecond, RecheckPeriod: time.Second})
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	sites := []crawl.Site{{Start: start, Name: "演示"}}
	// crawlOnce enqueues a run and waits for every job and the run's end.
	crawlOnce := func(want int64) (*Enqueued, crawl.Summary) {
		t.Helper()
		began := time.Now()
		res, err := q.EnqueueCrawl(ctx, st, sites, 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Run != want || res.Resumed {
			t.Fatalf("enqueued %+v, want run %d, new", res, want)
		}
		waitJobs(t, q, func(c Counts) bool {
			var finished sql.NullString
			if err := st.Reader().QueryRowContext(ctx, `SELECT finished_at FROM crawl_runs WHERE id = ?`, res.Run).Scan(&finished); err != nil {
				t.Fatal(err)
			}
			return c.Unfinished() == 0 && finished.Valid
		})
		t.Logf("run %d: %d URLs enqueued, %d deferred; done in %v", res.Run, res.URLs, res.Deferred, time.Since(began).Round(time.Millisecond))
		sum, err := crawl.RunSummary(ctx, st, res.Run, sites[0])
		if err != nil {
			t.Fatal(err)
		}
		return res, sum
	}
	docs := func() int { return storetest.Count(t, st.Reader(), `SELECT count(*) FROM documents`) }
	parseJobs := func() int {
		var n int
		if err := q.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'nianbao_parse'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	_, sum := crawlOnce(1)
	if sum.New != len(fakesite.Documents) || sum.Failed != 3 || sum.Skipped != 1 || sum.Fetched != 9 {
		t.Errorf("first run: new %d (want %d), failed %d (want 3), skipped %d (want 1), fetched %d (want 9)",
			sum.New, len(fakesite.Documents), sum.Failed, sum.Skipped, sum.Fetched)
	}
	before, parses := docs(), parseJobs()
	if before != len(fakesite.Documents) || parses != len(fakesite.Documents) {
		t.Errorf("first run: %d documents, %d parse jobs; want %d", before, parses, len(fakesite.Documents))
	}

	site.ResetHits()
	res, sum := crawlOnce(2)
	// 3 listings, 3 report pages, 2 attachments … all 304; the 3 failed
	// URLs wait (next try later) and are not enqueued; the URL robots.txt
	// disallows is skipped again (never deferred).
	if res.Deferred != 3 || res.URLs != 10 {
		t.Errorf("second run enqueued %d URLs (want 10: 9 and the one robots.txt disallows), %d deferred (want 3)", res.URLs, res.Deferred)
	}
	if sum.Fetched != 0 || sum.New != 0 || sum.Changed != 0 || sum.Failed != 0 {
		t.Errorf("second run: %+v", sum)
	}
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
	hits := 0
	for _, h := range site.Hits() {
		if h.Path != fakesite.Robots {
			hits++
			if h.Status != 304 {
				t.Errorf("second run: %s answered %d, want 304", h.Path, h.Status)
			}
		}
	}
	if hits != 9 {
		t.Errorf("second run: %d requests, want 9 conditional GETs", hits)
	}
	if after := docs(); after != before {
		t.Errorf("second run: %d documents, was %d", after, before)
	}
	if n := parseJobs(); n != parses {
		t.Errorf("second run: %d parse jobs, was %d", n, parses)
	}

	if err := site.Revise(fakesite.Shanghai); err != nil {
		t.Fatal(err)
	}
	_, sum = crawlOnce(3)
	if sum.Changed != 1 || sum.New != 0 || sum.Fetched != 1 || sum.Unchanged != len(fakesite.Documents)-1 {
		t.Errorf("after a revision: %+v", sum)
	}
	if after := docs(); after != before+1 {
		t.Errorf("after a revision: %d documents, want %d", after, before+1)
	}
	rows, err := st.Reader().QueryContext(ctx, `SELECT r.version, CASE WHEN r.current THEN 1 ELSE 0 END FROM reports r JOIN document_sources s ON s.document_id = r.document_id
		WHERE s.source = ? ORDER BY r.version`, srv.URL+fakesite.Shanghai)
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
