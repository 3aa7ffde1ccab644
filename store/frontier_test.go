package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func urls(items []FrontierItem) string {
	var s []string
	for _, it := range items {
		s = append(s, it.URL)
	}
	return strings.Join(s, " ")
}

func TestFrontierRuns(t *testing.T) {
	clock := &fixedClock{t: time.Date(2025, 3, 1, 2, 30, 0, 0, time.UTC)}
	s := openFake(t, clock)
	ctx := context.Background()

	run, resumed, err := s.BeginCrawl(ctx)
	if err != nil || run != 1 || resumed {
		t.Fatalf("first run: %d %v %v", run, resumed, err)
	}
	// Not finished: the next BeginCrawl resumes it.
	if r, resumed, err := s.BeginCrawl(ctx); err != nil || r != 1 || !resumed {
		t.Fatalf("after a crash: %d %v %v", r, resumed, err)
	}

	const site = "http://a.gov.cn/nb/"
	if err := s.AddToFrontier(ctx, site, []FrontierLink{{URL: site, Kind: KindListing}}); err != nil {
		t.Fatal(err)
	}
	// Known URLs keep their row.
	if err := s.AddToFrontier(ctx, "http://other/", []FrontierLink{{URL: site, Kind: KindPage, Title: "x"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToFrontier(ctx, site, []FrontierLink{{URL: "http://a.gov.cn/x", Kind: "image"}}); err == nil {
		t.Error("unknown kind accepted")
	}
	due, err := s.DueInFrontier(ctx, site, run, 10)
	if err != nil || urls(due) != site || due[0].Kind != KindListing || due[0].Site != site {
		t.Fatalf("due: %+v %v", due, err)
	}

	// Settling the listing adds what it found, in one transaction.
	it := due[0]
	it.State, it.ETag, it.HTTPStatus, it.Outcome = StateDone, `"e1"`, 200, "fetched"
	found := []FrontierLink{
		{URL: "http://a.gov.cn/nb/r1.pdf", Kind: KindAttachment, Title: "2019年年报"},
		{URL: "http://a.gov.cn/nb/r2.html", Kind: KindPage, Title: "2020年年度报告"},
		{URL: "http://a.gov.cn/nb/index_1.html", Kind: KindListing},
	}
	if err := s.SettleFrontier(ctx, run, it, found); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueInFrontier(ctx, site, run, 10)
	if got, want := urls(due), "http://a.gov.cn/nb/index_1.html http://a.gov.cn/nb/r2.html http://a.gov.cn/nb/r1.pdf"; got != want {
		t.Errorf("due after settling: %s, want listings, pages, attachments: %s", got, want)
	}
	// A failed URL waits until its next try.
	bad := due[1]
	bad.State, bad.Attempts, bad.NextTry, bad.Error, bad.HTTPStatus = StateFailed, 1, clock.t.Add(time.Hour), "HTTP 404", 404
	if err := s.SettleFrontier(ctx, run, bad, nil); err != nil {
		t.Fatal(err)
	}
	// A settle of an unknown URL fails and adds nothing.
	ghost := FrontierItem{URL: "http://a.gov.cn/ghost", Site: site, State: StateDone}
	if err := s.SettleFrontier(ctx, run, ghost, []FrontierLink{{URL: "http://a.gov.cn/orphan", Kind: KindPage}}); err == nil {
		t.Error("settling an unknown URL succeeded")
	}
	all, _ := s.FrontierOf(ctx, site)
	if strings.Contains(urls(all), "orphan") {
		t.Error("a failed settle left its links behind")
	}
	if err := s.FinishCrawl(ctx, run); err != nil {
		t.Fatal(err)
	}

	// Run 2: everything is due again except the failed URL, until its
	// next try.
	run2, resumed, err := s.BeginCrawl(ctx)
	if err != nil || run2 != 2 || resumed {
		t.Fatalf("second run: %d %v %v", run2, resumed, err)
	}
	due, _ = s.DueInFrontier(ctx, site, run2, 10)
	if strings.Contains(urls(due), "r2.html") || len(due) != 3 {
		t.Errorf("run 2 due: %s", urls(due))
	}
	if n, _ := s.DeferredInFrontier(ctx, site, run2); n != 1 {
		t.Errorf("deferred %d, want 1", n)
	}
	// Never-visited URLs come before those visited by the last run.
	if due[0].URL != "http://a.gov.cn/nb/index_1.html" || due[1].URL != "http://a.gov.cn/nb/r1.pdf" || due[2].URL != site {
		t.Errorf("run 2 order: %s", urls(due))
	}
	clock.t = clock.t.Add(2 * time.Hour)
	due, _ = s.DueInFrontier(ctx, site, run2, 10)
	if !strings.Contains(urls(due), "r2.html") {
		t.Errorf("after its next try the failed URL is not due: %s", urls(due))
	}
	all, _ = s.FrontierOf(ctx, "")
	var first FrontierItem
	for _, it := range all {
		if it.URL == site {
			first = it
		}
	}
	if first.ETag != `"e1"` || first.HTTPStatus != 200 || first.State != StateDone || first.Run != 1 {
		t.Errorf("settled row: %+v", first)
	}
	for _, it := range all {
		if it.URL == "http://a.gov.cn/nb/r2.html" && (it.Attempts != 1 || it.Error != "HTTP 404" || it.NextTry.IsZero()) {
			t.Errorf("failed row: %+v", it)
		}
	}
}

// TestFrontierDueUsesIndex: the due query reads the index in order and
// stops at its limit, whatever the size of the frontier.
func TestFrontierDueUsesIndex(t *testing.T) {
	s := openFake(t, nil)
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN SELECT `+itemColumns+` FROM frontier
		WHERE site = ? AND run < ? AND (next_try IS NULL OR next_try <= ?) ORDER BY run, prio, seq LIMIT ?`, "s", 1, "x", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	p := fmt.Sprint(plan)
	if !strings.Contains(p, "frontier_due") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("plan: %s", p)
	}
}
