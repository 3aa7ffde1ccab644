package queue

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/internal/fakesite"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// The test binary started again with workerEnv set is a worker process
// (see workerMain): the multi-worker test runs three of them.
const (
	workerEnv     = "NIANBAO_QUEUE_TEST_WORKER"
	workerDBEnv   = "NIANBAO_QUEUE_TEST_DB"
	workerGapEnv  = "NIANBAO_QUEUE_TEST_INTERVAL"
	workerPortEnv = "NIANBAO_QUEUE_TEST_PORT"
)

func TestMain(m *testing.M) {
	if os.Getenv(workerEnv) != "" {
		os.Exit(workerMain())
	}
	os.Exit(m.Run())
}

// testResolver resolves every name under .test to 127.0.0.1.
type testResolver struct{}

func (testResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, fmt.Errorf("no such test host %s", host)
}

// rescueAfter is the workers' rescue time in TestWorkers: a job running
// longer is taken for one of a dead worker.
const rescueAfter = 6 * time.Second

// workerMain is a worker process: the store and the queue in one
// PostgreSQL database, the hosts on loopback, short timeouts and a short
// rescue time. It prints "ready" once working and stops on SIGTERM.
func workerMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dsn := os.Getenv(workerDBEnv)
	interval, err := time.ParseDuration(os.Getenv(workerGapEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	err = Work(ctx, dsn, WorkerConfig{
		Store: st,
		Fetch: fetch.Config{Delay: interval, Timeout: 2 * time.Second, Retries: 1, Backoff: 100 * time.Millisecond,
			AllowPrivate: true, Resolver: testResolver{}},
		FetchWorkers: 16, ParseWorkers: 2,
		MaxWait:      300 * time.Millisecond,
		FetchTimeout: 5 * time.Second, ParseTimeout: 5 * time.Second, RescueAfter: rescueAfter,
		StopTimeout: 5 * time.Second, HostLease: 3 * time.Second, PollInterval: 100 * time.Millisecond,
		RecheckPeriod: time.Second, RunCheck: 500 * time.Millisecond,
		Log:   log,
		Ready: func(id string) { fmt.Println("ready " + id) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// hit is one request the site received.
type hit struct {
	host, path string
	at         time.Time
}

// hitLog records every request with its host and arrival time.
type hitLog struct {
	h    http.Handler
	mu   sync.Mutex
	hits []hit
}

func (l *hitLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	l.mu.Lock()
	l.hits = append(l.hits, hit{r.Host, r.URL.Path, now})
	l.mu.Unlock()
	l.h.ServeHTTP(w, r)
}

// closest returns the smallest gap between two requests to one host, and
// which host.
func (l *hitLog) closest() (time.Duration, string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byHost := map[string][]time.Time{}
	for _, h := range l.hits {
		byHost[h.host] = append(byHost[h.host], h.at)
	}
	worst, which := time.Duration(1<<62), ""
	for host, ts := range byHost {
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ts); i++ {
			if g := ts[i].Sub(ts[i-1]); g < worst {
				worst, which = g, host
			}
		}
	}
	return worst, which, len(l.hits)
}

type workerProc struct {
	cmd  *exec.Cmd
	id   string // its River client's
	done chan error
}

func startWorker(t *testing.T, env []string) *workerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &workerProc{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ready <- id
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.id = <-ready:
	case err := <-p.done:
		t.Fatalf("worker exited before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("worker not ready after a minute")
	}
	return p
}

// TestWorkers crawls 200 hosts of the fake site with three worker
// processes on one PostgreSQL database (store and queue), kills one of
// them with SIGKILL mid-run, and checks that no host ever saw two
// requests closer than the interval and that every report was stored
// once.
func TestWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three worker processes")
	}
	dsn := pgtest.DB(t)
	ctx := context.Background()
	const (
		hosts    = 200
		reports  = 3
		interval = 200 * time.Millisecond
	)
	site := &hitLog{h: &fakesite.Big{Listings: 1, PerListing: reports}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)

	// The store's and the queue's schema made once, before the workers.
	st, q := openStoreQueue(t, dsn)

	env := []string{workerEnv + "=1", workerDBEnv + "=" + dsn, workerGapEnv + "=" + interval.String(),
		workerPortEnv + "=" + u.Port()}
	start := time.Now()
	var procs []*workerProc
	for range 3 {
		procs = append(procs, startWorker(t, env))
	}
	sites := make([]crawl.Site, hosts)
	for i := range sites {
		sites[i] = crawl.Site{Start: fmt.Sprintf("http://host%03d.test:%s%s", i, u.Port(), fakesite.BigColumn)}
	}
	if res, err := q.EnqueueCrawl(ctx, st, sites, 0); err != nil || res.Sites != hosts || res.URLs != hosts {
		t.Fatalf("enqueued %+v (%v), want %d sites", res, err, hosts)
	}

	// SIGKILL one worker once a sixth of the reports are stored: the
	// fetch jobs are not all done yet.
	parsed := func() int {
		var n int
		if err := q.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'nianbao_parse' AND state = 'completed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(3 * time.Minute)
	for parsed() < hosts*reports/6 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d reports parsed after 3 minutes", parsed())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The victim is a worker that is not River's leader: the leader runs
	// the rescuer, and a dead leader's successor is elected only after its
	// term lapses (about 15 s), which is River's business, not this test's.
	var leader string
	q.Pool().QueryRow(ctx, `SELECT leader_id FROM river_leader`).Scan(&leader)
	victim := slices.IndexFunc(procs, func(p *workerProc) bool { return p.id != leader })
	var running int
	q.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'running' AND attempted_by[cardinality(attempted_by)] = $1`,
		procs[victim].id).Scan(&running)
	if err := procs[victim].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-procs[victim].done
	killed := time.Now()
	t.Logf("worker %d killed after %v, %d reports parsed, %d of its jobs running", victim+1, killed.Sub(start).Round(time.Millisecond), parsed(), running)
	// The leader's rescuer looks for stuck jobs every 30 s; a new term
	// starts it at once. Once the rescue time has passed, the leader is
	// asked to resign so that the test need not wait for the next round.
	time.Sleep(rescueAfter + 500*time.Millisecond)
	if err := q.river.Notify().RequestResign(ctx); err != nil {
		t.Fatal(err)
	}

	for {
		c, err := q.Jobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Unfinished() == 0 {
			t.Logf("jobs: %v", c)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs left after 3 minutes: %v", c)
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	for i, p := range procs {
		if i == victim {
			continue
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-p.done; err != nil {
			t.Errorf("worker %d: %v after SIGTERM, want a clean stop", i+1, err)
		}
	}

	worst, host, n := site.closest()
	t.Logf("%d requests to %d hosts in %v (the last job done %v after the kill); closest two requests to one host: %v apart (%s), interval %v",
		n, hosts, elapsed.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond), worst, host, interval)
	if worst < interval {
		t.Errorf("host %s saw two requests %v apart, closer than the interval %v", host, worst, interval)
	}

	// robots.txt is shared by the workers: asked for once per host (twice
	// at most, should two workers miss it at once).
	robots := map[string]int{}
	site.mu.Lock()
	for _, h := range site.hits {
		if h.path == "/robots.txt" {
			robots[h.host]++
		}
	}
	site.mu.Unlock()
	most := 0
	for _, n := range robots {
		most = max(most, n)
	}
	t.Logf("robots.txt asked for by %d hosts, at most %d times by one", len(robots), most)
	if len(robots) != hosts || most > 2 {
		t.Errorf("robots.txt of %d hosts asked for, at most %d times a host: want %d hosts, once (twice at most)", len(robots), most, hosts)
	}

	var rescued int
	if err := q.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job WHERE cardinality(errors) > 0`).Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	var bad []string
	rows, err := q.Pool().Query(ctx, `SELECT kind, state::text, args::text FROM river_job WHERE state <> 'completed' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, state, args string
		rows.Scan(&kind, &state, &args)
		bad = append(bad, kind+" "+state+" "+args)
	}
	rows.Close()
	if len(bad) > 0 {
		t.Errorf("%d jobs not completed: %s", len(bad), strings.Join(bad[:min(len(bad), 5)], "; "))
	}
	t.Logf("%d jobs needed more than one try (rescued from the killed worker, or failed once)", rescued)
	rows, err = q.Pool().Query(ctx, `SELECT left(e->>'error', 160), count(*) FROM river_job, unnest(errors) e GROUP BY 1 ORDER BY 2 DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var msg string
		var n int
		rows.Scan(&msg, &n)
		t.Logf("  %d× %s", n, msg)
	}
	rows.Close()

	// Every report stored once: one document, one report, one source per
	// report page, and no organ and year with two.
	want := hosts * reports
	for _, c := range []struct{ what, q string }{
		{"documents", `SELECT count(*) FROM documents`},
		{"reports", `SELECT count(*) FROM reports`},
		{"sources", `SELECT count(*) FROM document_sources`},
		{"organs and years", `SELECT count(*) FROM (SELECT DISTINCT agency, year FROM reports) x`},
		{"current reports with findings or ok", `SELECT count(*) FROM reports WHERE status IN ('ok', 'findings') AND current`},
	} {
		var n int
		if err := st.Reader().QueryRowContext(ctx, c.q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != want {
			t.Errorf("%d %s, want %d", n, c.what, want)
		}
	}
	var pages []string
	for i := range hosts {
		for r := range reports {
			pages = append(pages, fmt.Sprintf("http://host%03d.test:%s/big/r%d.html", i, u.Port(), r))
		}
	}
	var missing []string
	for _, p := range pages {
		var n int
		if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM document_sources WHERE source = ?`, p).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			missing = append(missing, p+" ×"+strconv.Itoa(n))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d report pages not stored exactly once: %v", len(missing), missing[:min(len(missing), 5)])
	}
}

// TestPageLimit: a site's page limit bounds the requests of a crawl run
// to it; the jobs past it are cancelled, saying why.
func TestPageLimit(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	site := &hitLog{h: &fakesite.Big{Listings: 1, PerListing: 10}}
	srv := httptest.NewServer(site)
	defer srv.Close()
	st, q := openStoreQueue(t, dsn)
	if _, err := q.EnqueueCrawl(ctx, st, []crawl.Site{{Start: srv.URL + fakesite.BigColumn, MaxPages: 4}}, 0); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Work(wctx, dsn, WorkerConfig{Store: st, Fetch: fetch.Config{AllowPrivate: true, Timeout: 5 * time.Second},
			FetchWorkers: 1, ParseWorkers: 1, PollInterval: 100 * time.Millisecond, RunCheck: 200 * time.Millisecond})
	}()
	waitJobs(t, q, func(c Counts) bool {
		delete(c, RecheckArgs{}.Kind())
		return c.Unfinished() == 0 && len(c) > 0
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	site.mu.Lock()
	pages := len(site.hits)
	site.mu.Unlock()
	// robots.txt (no rules here) and four pages.
	if pages != 5 {
		t.Errorf("%d requests, want robots.txt and 4 pages", pages)
	}
	var cancelled int
	var why string
	if err := q.Pool().QueryRow(ctx, `SELECT count(*), min(errors[1]->>'error') FROM river_job WHERE kind = 'nianbao_fetch' AND state = 'cancelled'`).Scan(&cancelled, &why); err != nil {
		t.Fatal(err)
	}
	if cancelled != 7 || !strings.Contains(why, "page limit (4)") {
		t.Errorf("%d fetch jobs cancelled (%s), want 7 for the page limit", cancelled, why)
	}
}

// TestStopPutsBack: a worker stopped while a job runs past its stop
// timeout cuts the job off and puts it back on the queue at once, its try
// not counted; the next worker does it.
func TestStopPutsBack(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	st, q := openStoreQueue(t, dsn)
	path := "../testdata/samples/weibin-2019-text.txt"
	if isNew, err := q.EnqueueFile(ctx, st, path, 0); err != nil || !isNew {
		t.Fatalf("enqueue: %v, %v", isNew, err)
	}
	started := make(chan bool, 1)
	slow := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		started <- true
		<-ctx.Done() // a parse longer than the stop timeout
		return pipeline.Read(ctx, source, data, opt)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Work(wctx, dsn, WorkerConfig{Store: st, ParseWorkers: 1, Parse: slow, StopTimeout: 200 * time.Millisecond,
			PollInterval: 100 * time.Millisecond})
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("worker ended: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the job did not start")
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("stop: %v", err)
	}
	var state string
	var attempt int
	if err := q.Pool().QueryRow(ctx, `SELECT state::text, attempt FROM river_job WHERE kind = 'nianbao_parse'`).Scan(&state, &attempt); err != nil {
		t.Fatal(err)
	}
	if state != "available" || attempt != 0 {
		t.Fatalf("the cut job is %s after %d tries, want available after 0", state, attempt)
	}
	var reports int
	st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&reports)
	if reports != 0 {
		t.Fatalf("%d reports stored from a cut parse, want none", reports)
	}

	// The next worker does it.
	wctx, stop = context.WithCancel(ctx)
	defer stop()
	go func() {
		done <- Work(wctx, dsn, WorkerConfig{Store: st, ParseWorkers: 1, PollInterval: 100 * time.Millisecond})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for reports == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&reports)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if reports != 1 {
		t.Errorf("%d reports after the second worker, want 1", reports)
	}
}
