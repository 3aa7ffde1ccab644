package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/internal/fakesite"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}

func TestCrawlCommand(t *testing.T) {
	// The slow page answers when the client gives up: a request timeout
	// generous enough for a loaded machine still cuts it.
	site := fakesite.New(fakesite.Options{SlowDelay: time.Hour})
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "nb.db")
	sites := filepath.Join(dir, "sites.txt")
	if err := os.WriteFile(sites, []byte("# test\n"+srv.URL+fakesite.Column+" name=演示站 max-pages=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"crawl", "--db", db, "--sites", sites, "--allow-private", "--delay", "0", "--timeout", "1s", "--retries", "2", "--backoff", "10ms"}
	// --strict: URLs failed, so exit 1, the summary written all the same.
	code, out, errs := runCmd(t, append(args, "--strict")...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (--strict, URLs failed)\n%s\n%s", code, out, errs)
	}
	// The summary row: pages 9, 304 0, reports 5, new 5, changed 0,
	// unchanged 0, failed 3, skipped 1 (robots.txt), deferred 0.
	if !strings.Contains(out, "9    0        5    5        0          0       3        1         0  演示站") {
		t.Errorf("summary:\n%s", out)
	}
	for _, want := range []string{"failed    HTTP 404", "failed    timeout", "failed    off-site redirect", "skipped   robots.txt",
		"new       " + srv.URL + fakesite.Shanghai + " (ok, 上海市人民政府办公厅 2019)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// The run line says when, with the zone, whatever the machine's zone is.
	stamp := `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}`
	if !regexp.MustCompile(`crawl run 1 started ` + stamp + `, finished ` + stamp + ` \(`).MatchString(out) {
		t.Errorf("run line without its times:\n%s", out)
	}
	if !strings.Contains(errs, "new ") || !strings.Contains(errs, fakesite.Shanghai) || !regexp.MustCompile(stamp+` crawl run 1 started`).MatchString(errs) {
		t.Errorf("progress:\n%s", errs)
	}

	// Second run, as JSON: everything 304; the failed URLs wait, each with
	// when it is due and why.
	code, out, errs = runCmd(t, append(args, "--json", "-q")...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	type jsonRun struct {
		Run      int64      `json:"run"`
		Started  time.Time  `json:"started"`
		Finished *time.Time `json:"finished"`
		Sites    []struct {
			NotModified  int `json:"not_modified"`
			Fetched      int `json:"fetched"`
			Unchanged    int `json:"unchanged"`
			Skipped      int `json:"skipped"`
			Deferred     int `json:"deferred"`
			RetriedNow   int `json:"retried_now"`
			DeferredURLs []struct {
				URL    string    `json:"url"`
				Due    time.Time `json:"due"`
				Reason string    `json:"reason"`
			} `json:"deferred_urls"`
			Documents []struct {
				URL, Outcome, Agency string
				Year                 int
			} `json:"documents"`
		} `json:"sites"`
	}
	var res jsonRun
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Run != 2 || len(res.Sites) != 1 || res.Sites[0].Fetched != 0 || res.Sites[0].NotModified != 9 || res.Sites[0].Unchanged != 5 ||
		res.Sites[0].Skipped != 1 || res.Sites[0].Deferred != 3 || len(res.Sites[0].DeferredURLs) != 3 || len(res.Sites[0].Documents) != 0 ||
		res.Finished == nil || res.Finished.Before(res.Started) {
		t.Errorf("second run: %s", out)
	}
	for _, d := range res.Sites[0].DeferredURLs {
		if !d.Due.After(res.Started) || d.Reason == "" {
			t.Errorf("deferred %+v: want a due time and a reason", d)
		}
	}
	// The text summary says the same, and how to retry now.
	code, out, _ = runCmd(t, append(args, "-q")...)
	if code != 0 || !regexp.MustCompile(`deferred  until `+stamp+` \(HTTP 404; failed 1 run\)`).MatchString(out) || !strings.Contains(out, "--retry-now") {
		t.Errorf("deferred URLs in the summary (exit %d):\n%s", code, out)
	}
	// --retry-now: the three are fetched again at once.
	code, out, _ = runCmd(t, append(args, "--retry-now", "--json", "-q")...)
	res = jsonRun{}
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Sites[0].RetriedNow != 3 || res.Sites[0].Deferred != 0 {
		t.Errorf("--retry-now (exit %d, %v): %s", code, err, out)
	}
	if n, _ := site.Count(fakesite.Broken); n != 2 {
		t.Errorf("the broken link was requested %d times in 4 runs, want 2 (first run, --retry-now)", n)
	}

	// The reports are in the database.
	code, out, _ = runCmd(t, "reports", "--db", db)
	if code != 0 || !strings.Contains(out, "上海市人民政府办公厅") || !strings.Contains(out, "淮安市人民政府") {
		t.Errorf("reports after crawl (exit %d):\n%s", code, out)
	}
}

func TestCrawlCommandUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("http://x.gov.cn/ speed=9\n"), 0o644)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	db := filepath.Join(dir, "nb.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"crawl", "--db", db}, "no start URL given"},
		{[]string{"crawl", "--db", db, "--sites", bad, "http://x.gov.cn/"}, "not both"},
		{[]string{"crawl", "--db", db, "--sites", bad}, `unknown setting "speed"`},
		{[]string{"crawl", "--db", db, "--sites", empty}, "lists no site"},
		{[]string{"crawl", "--db", db, "--delay", "-1s", "http://x.gov.cn/"}, "--delay"},
		{[]string{"crawl", "--db", db, "--max-size", "huge", "http://x.gov.cn/"}, "--max-size"},
	} {
		code, _, errs := runCmd(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a usage error created the database")
	}
}

// TestCrawlCommandLoopback: a local site crawled without --allow-private
// fails with a refused address, and the summary says what to add.
func TestCrawlCommandLoopback(t *testing.T) {
	srv := httptest.NewServer(fakesite.New(fakesite.Options{}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "nb.db")
	code, out, _ := runCmd(t, "crawl", "--db", db, "--delay", "0", "--strict", "-q", srv.URL+fakesite.Column)
	if code != 1 || !strings.Contains(out, "failed    refused address") || !strings.Contains(out, "--allow-private") {
		t.Errorf("exit %d, want 1 and a hint to --allow-private:\n%s", code, out)
	}
	// The next run with it crawls at once: a refused address is not deferred.
	code, out, _ = runCmd(t, "crawl", "--db", db, "--delay", "0", "--allow-private", "--timeout", "1s", "--backoff", "10ms", "-q", srv.URL+fakesite.Column)
	if code != 0 || !strings.Contains(out, "上海市人民政府办公厅") {
		t.Errorf("with --allow-private: exit %d\n%s", code, out)
	}
}

// TestCrawlCommandLocked: while another crawl holds the database, crawl
// exits 3 at once (a cron or systemd run overlapping the previous one).
func TestCrawlCommandLocked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nb.db")
	fl := flock.New(crawl.LockPath(db))
	if ok, err := fl.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer fl.Unlock()
	code, _, errs := runCmd(t, "crawl", "--db", db, "--allow-private", "http://127.0.0.1:1/")
	if code != 3 || !strings.Contains(errs, "another crawl is running") {
		t.Errorf("exit %d, stderr %q; want 3", code, errs)
	}
}
