package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	site := fakesite.New(fakesite.Options{SlowDelay: 2 * time.Second})
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "nb.db")
	sites := filepath.Join(dir, "sites.txt")
	if err := os.WriteFile(sites, []byte("# test\n"+srv.URL+fakesite.Column+" name=演示站 max-pages=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"crawl", "--db", db, "--sites", sites, "--allow-private", "--delay", "0", "--timeout", "300ms", "--retries", "2", "--backoff", "10ms"}
	code, out, errs := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// The summary row: pages 9, 304 0, reports 5, new 5, changed 0, unchanged 0, failed 4, deferred 0.
	if !strings.Contains(out, "9    0        5    5        0          0       4         0  演示站") {
		t.Errorf("summary:\n%s", out)
	}
	for _, want := range []string{"HTTP 404", "timeout", "off-site redirect", "robots.txt", "crawl run 1 finished"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "new ") || !strings.Contains(errs, fakesite.Shanghai) {
		t.Errorf("progress:\n%s", errs)
	}

	// Second run, as JSON: everything 304.
	code, out, errs = runCmd(t, append(args, "--json", "-q")...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var res struct {
		Run   int64 `json:"run"`
		Sites []struct {
			NotModified int `json:"not_modified"`
			Fetched     int `json:"fetched"`
			Unchanged   int `json:"unchanged"`
			Deferred    int `json:"deferred"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Run != 2 || len(res.Sites) != 1 || res.Sites[0].Fetched != 0 || res.Sites[0].NotModified != 9 || res.Sites[0].Unchanged != 5 {
		t.Errorf("second run: %s", out)
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
