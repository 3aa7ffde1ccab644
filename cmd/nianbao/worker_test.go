package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/fakesite"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/queue"
	"github.com/nianbao/nianbao/store"
)

func TestWorkerUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "nb.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--db", db}, "needs a PostgreSQL database"},
		{[]string{"worker", "--db", db, "--queue", "queue.db"}, "want a postgres:// address"},
		{[]string{"worker", "--db", "postgres:///x", "--fetch", "0", "--parse", "0"}, "would do nothing"},
		{[]string{"worker", "--db", "postgres:///x", "extra"}, "unexpected argument"},
		{[]string{"crawl", "--db", "postgres:///x", "--site-time", "5m", "http://example.gov.cn/"}, "--site-time is a bound of a crawl in one process (--here)"},
		{[]string{"crawl", "--db", "postgres:///x", "--allow-private", "http://example.gov.cn/"}, "nianbao worker --allow-private"},
		{[]string{"ingest", "--db", "postgres:///x", "-j", "2", "../../testdata/samples"}, "-j is a setting of reading in one process"},
	} {
		code, out, errs := runCmd(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, want 2 and %q\n%s%s", c.args, code, c.want, out, errs)
		}
	}
}

// TestWorkerCommand enqueues the sample files (nianbao ingest) and a crawl
// of the fake site (nianbao crawl) on a PostgreSQL database, runs a worker
// until the queue is empty, stops it as SIGINT would, and finds every
// document in the store.
func TestWorkerCommand(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	site := fakesite.New(fakesite.Options{SlowDelay: time.Millisecond})
	srv := httptest.NewServer(site)
	defer srv.Close()

	code, out, errs := runCmd(t, "ingest", "--db", dsn, "../../testdata/samples")
	if code != 0 || !strings.HasPrefix(out, "3 documents enqueued on ") {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCmd(t, "crawl", "--db", dsn, "--delay", "0", srv.URL+fakesite.Column)
	if code != 0 || !strings.Contains(out, "crawl run 1 started: 1 URLs of 1 of 1 sites enqueued on ") {
		t.Fatalf("crawl: exit %d\n%s%s", code, out, errs)
	}
	// A crawl in this process does not take the enqueued run over.
	code, out, errs = runCmd(t, "crawl", "--db", dsn, "--here", "--allow-private", "--delay", "0", srv.URL+fakesite.Column)
	if code != 3 || !strings.Contains(errs, "1 fetch jobs of an enqueued crawl run are left") {
		t.Fatalf("crawl --here while the workers crawl: exit %d, want 3\n%s%s", code, out, errs)
	}

	wctx, stop := context.WithCancel(ctx)
	var werr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(wctx, &Env{Stdout: &werr, Stderr: &werr, Stdin: strings.NewReader("")},
			[]string{"worker", "--db", dsn, "--allow-private", "--delay", "0", "--timeout", "2s", "--retries", "2", "--backoff", "10ms",
				"--fetch", "4", "--parse", "2"})
	}()
	q, err := queue.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := q.Jobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The recheck waits for the start of the next minute: not for it.
		delete(c, queue.RecheckArgs{}.Kind())
		if c.Unfinished() == 0 && len(c) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs left after 2 minutes: %v\n%s", c, werr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("the worker stopped by itself: exit %d\n%s", code, werr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("worker: exit %d after its context ended, want 0\n%s", code, werr.String())
	}
	if !regexp.MustCompile(`crawl run finished.*run=1 sites=1 pages=10 not_modified=0 new_or_changed=6 failed=2 skipped=1`).MatchString(werr.String()) {
		t.Errorf("the run's end not logged with its counts:\n%s", werr.String())
	}
	if !strings.Contains(werr.String(), "worker stopped") {
		t.Errorf("no graceful stop logged:\n%s", werr.String())
	}

	st, err := store.Open(ctx, dsn, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := st.Reader().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The five documents of the site and its slow page (answered at once
	// here), the three files (the site's Shanghai page is the sample's
	// bytes: one document, two sources).
	if n := count(`SELECT count(*) FROM document_sources WHERE source LIKE ?`, srv.URL+"%"); n != len(fakesite.Documents)+1 {
		t.Errorf("%d documents from the site, want %d", n, len(fakesite.Documents)+1)
	}
	if n := count(`SELECT count(*) FROM document_sources WHERE source = ?`, srv.URL+fakesite.Slow); n != 1 {
		t.Errorf("the slow page stored %d times, want once", n)
	}
	if n := count(`SELECT count(*) FROM document_sources WHERE source LIKE ?`, "%/testdata/samples/%"); n != 3 {
		t.Errorf("%d documents from the sample files, want 3", n)
	}
	if n := count(`SELECT count(*) FROM reports WHERE agency = ?`, "上海市人民政府办公厅"); n != 1 {
		t.Errorf("%d reports of Shanghai 2019, want 1", n)
	}

	// The run's summary, read back from the frontier: the run is over
	// (the site's 5 documents and its slow page, new, with what was read
	// from them; the broken link and the redirect elsewhere failed;
	// robots.txt's rule skipped).
	code, out, errs = runCmd(t, "crawl", "--db", dsn, "--status", srv.URL+fakesite.Column)
	if code != 0 || !regexp.MustCompile(`(?m)^\s+10\s+0\s+6\s+6\s+0\s+0\s+2\s+1\s+0\s+http`).MatchString(out) ||
		!strings.Contains(out, "(ok, 上海市人民政府办公厅 2019)") || !strings.Contains(out, "crawl run 1 started ") || !strings.Contains(out, ", finished ") {
		t.Errorf("crawl --status: exit %d\n%s%s", code, out, errs)
	}

	// The same files again: nothing new to do.
	code, out, errs = runCmd(t, "ingest", "--db", dsn, "../../testdata/samples")
	if code != 0 || !strings.HasPrefix(out, "0 documents enqueued on ") || !strings.Contains(out, "3 already queued or parsed") {
		t.Errorf("ingest again: exit %d\n%s%s", code, out, errs)
	}
}
