package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testFetcher is a fetcher for local servers: loopback allowed, no
// spacing, quick retries, and the safety net on its dialer.
func testFetcher(t *testing.T, mod func(*Config)) *Fetcher {
	t.Helper()
	cfg := Config{AllowPrivate: true, Delay: 0, Timeout: 2 * time.Second, Retries: 2,
		Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	f := New(cfg)
	safetyNet(t, f.dialer)
	t.Cleanup(f.Close)
	return f
}

// recorder is a test server that counts requests per path.
type recorder struct {
	mu    sync.Mutex
	hits  map[string]int
	times []time.Time
	ua    []string
}

func newRecorder() *recorder { return &recorder{hits: map[string]int{}} }

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits[req.URL.Path]++
		r.times = append(r.times, time.Now())
		r.ua = append(r.ua, req.UserAgent())
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	})
}

func (r *recorder) count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

func fetchErr(t *testing.T, err error) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not *fetch.Error", err, err)
	}
	return fe
}

func TestConditionalGet(t *testing.T) {
	rec := newRecorder()
	mux := http.NewServeMux()
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "body one")
	})
	lm := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	mux.HandleFunc("/lastmod", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "x.html", lm, strings.NewReader("<p>body two</p>"))
	})
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	f := testFetcher(t, nil)
	ctx := context.Background()

	r1, err := f.Get(ctx, Request{URL: srv.URL + "/etag"})
	if err != nil || string(r1.Body) != "body one" || r1.ETag != `"v1"` || r1.NotModified {
		t.Fatalf("first GET: %+v, %v", r1, err)
	}
	r2, err := f.Get(ctx, Request{URL: srv.URL + "/etag", ETag: r1.ETag})
	if err != nil || !r2.NotModified || r2.Status != 304 || len(r2.Body) != 0 {
		t.Fatalf("conditional GET: %+v, %v", r2, err)
	}
	r3, err := f.Get(ctx, Request{URL: srv.URL + "/lastmod"})
	if err != nil || r3.LastModified == "" {
		t.Fatalf("GET lastmod: %+v, %v", r3, err)
	}
	r4, err := f.Get(ctx, Request{URL: srv.URL + "/lastmod", LastModified: r3.LastModified})
	if err != nil || !r4.NotModified {
		t.Fatalf("If-Modified-Since: %+v, %v", r4, err)
	}
	for _, ua := range rec.ua {
		if !strings.HasPrefix(ua, "nianbao/") || !strings.Contains(ua, "contact:") {
			t.Errorf("User-Agent %q does not name the crawler and a contact", ua)
		}
	}
}

func TestRetries(t *testing.T) {
	rec := newRecorder()
	var flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/flaky", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "finally")
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	})
	mux.HandleFunc("/later", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "come back tomorrow", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/forbidden", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	})
	// The slow page answers only when the client gives up (or after a
	// minute): a timeout that did not cut it would show as a success.
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Minute):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	f := testFetcher(t, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	ctx := context.Background()

	r, err := f.Get(ctx, Request{URL: srv.URL + "/flaky"})
	if err != nil || string(r.Body) != "finally" || r.Attempts != 3 {
		t.Fatalf("503 twice then 200: %+v, %v", r, err)
	}
	_, err = f.Get(ctx, Request{URL: srv.URL + "/down"})
	if fe := fetchErr(t, err); fe.Status != 502 || !fe.Temporary || rec.count("/down") != 3 {
		t.Errorf("502: %v temporary=%v after %d requests, want 3", fe, fe.Temporary, rec.count("/down"))
	}
	_, err = f.Get(ctx, Request{URL: srv.URL + "/later"})
	if fe := fetchErr(t, err); fe.Status != 503 || rec.count("/later") != 1 {
		t.Errorf("Retry-After 3600: %v after %d requests, want 1 (left for the next run)", fe, rec.count("/later"))
	}
	for _, p := range []string{"/gone", "/forbidden"} {
		_, err = f.Get(ctx, Request{URL: srv.URL + p})
		if fe := fetchErr(t, err); fe.Temporary || fe.Status < 400 || fe.Status >= 500 || rec.count(p) != 1 {
			t.Errorf("%s: %v after %d requests; 4xx must not be retried", p, fe, rec.count(p))
		}
	}
	_, err = f.Get(ctx, Request{URL: srv.URL + "/slow"})
	if fe := fetchErr(t, err); fe.Reason != "timeout" || !fe.Temporary || rec.count("/slow") != 3 {
		t.Errorf("slow page: %v after %d requests, want timeout ×3", fe, rec.count("/slow"))
	}
}

func TestSizeCap(t *testing.T) {
	big := strings.Repeat("x", 5000)
	mux := http.NewServeMux()
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 5; i++ {
			fmt.Fprint(w, big[:1000])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big[:4096]) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := testFetcher(t, func(c *Config) { c.MaxBytes = 4096 })
	for _, p := range []string{"/declared", "/chunked"} {
		_, err := f.Get(context.Background(), Request{URL: srv.URL + p})
		if fe := fetchErr(t, err); fe.Reason != "too large" {
			t.Errorf("%s: %v, want too large", p, fe)
		}
	}
	if r, err := f.Get(context.Background(), Request{URL: srv.URL + "/small"}); err != nil || len(r.Body) != 4096 {
		t.Errorf("a body of exactly the cap: %v", err)
	}
	// A per-request cap overrides the fetcher's.
	if _, err := f.Get(context.Background(), Request{URL: srv.URL + "/small", MaxBytes: 100}); err == nil {
		t.Error("per-request cap ignored")
	}
}

func TestRedirects(t *testing.T) {
	other := newRecorder()
	otherSrv := httptest.NewServer(other.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "elsewhere")
	})))
	defer otherSrv.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/here", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" {
			t.Error("validators of the first URL sent to the redirect target")
		}
		fmt.Fprint(w, "here")
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/x", http.StatusFound)
	})
	mux.HandleFunc("/metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://metadata.example/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := testFetcher(t, func(c *Config) {
		c.Resolver = mapResolver{"metadata.example": {"169.254.169.254"}}
	})
	ctx := context.Background()

	r, err := f.Get(ctx, Request{URL: srv.URL + "/moved", ETag: `"old"`})
	if err != nil || string(r.Body) != "here" || r.URL != srv.URL+"/here" {
		t.Fatalf("same-host redirect: %+v, %v", r, err)
	}
	_, err = f.Get(ctx, Request{URL: srv.URL + "/away"})
	if fe := fetchErr(t, err); fe.Reason != "off-site redirect" {
		t.Errorf("redirect to another host: %v", fe)
	}
	if n := other.count("/x"); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	// Even with every host allowed, the dialer refuses the metadata address.
	_, err = f.Get(ctx, Request{URL: srv.URL + "/metadata", Allowed: func(string) bool { return true }})
	if fe := fetchErr(t, err); fe.Reason != "refused address" {
		t.Errorf("redirect to 169.254.169.254: %v", fe)
	}
	_, err = f.Get(ctx, Request{URL: srv.URL + "/loop"})
	if fe := fetchErr(t, err); fe.Reason != "too many redirects" {
		t.Errorf("redirect loop: %v", fe)
	}
	_, err = f.Get(ctx, Request{URL: "file:///etc/passwd"})
	if fe := fetchErr(t, err); fe.Reason != "bad URL" {
		t.Errorf("file URL: %v", fe)
	}
}

func TestPrivateRefusedWithoutAllow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("request reached the loopback server without --allow-private")
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	f := testFetcher(t, func(c *Config) {
		c.AllowPrivate = false
		c.Resolver = mapResolver{"gov.example": {"127.0.0.1"}, "intranet.example": {"10.0.0.1"}}
	})
	for _, target := range []string{srv.URL + "/", "http://gov.example:" + u.Port() + "/", "http://intranet.example/"} {
		_, err := f.Get(context.Background(), Request{URL: target})
		if fe := fetchErr(t, err); !errors.Is(fe, ErrRefusedAddress) {
			t.Errorf("%s: %v, want refused address", target, fe)
		}
		// Loopback is told apart: it is what AllowPrivate allows.
		var ae *AddrError
		if !errors.As(err, &ae) || ae.Loopback() != (target != "http://intranet.example/") {
			t.Errorf("%s: %v (%#v): loopback not told apart", target, err, ae)
		}
	}
}

func TestRobots(t *testing.T) {
	rec := newRecorder()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n\nUser-agent: nianbao\nDisallow: /nianbao-only/\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	f := testFetcher(t, nil)
	ctx := context.Background()
	for _, p := range []string{"/private/report.pdf", "/nianbao-only/x.html"} {
		_, err := f.Get(ctx, Request{URL: srv.URL + p})
		if fe := fetchErr(t, err); fe.Reason != "robots.txt" || !errors.Is(err, ErrDisallowed) || fe.Temporary {
			t.Errorf("%s: %v, want robots.txt (disallowed)", p, fe)
		}
		if rec.count(p) != 0 {
			t.Errorf("%s was requested despite robots.txt", p)
		}
	}
	if _, err := f.Get(ctx, Request{URL: srv.URL + "/public/x.html"}); err != nil {
		t.Errorf("allowed path: %v", err)
	}
	if n := rec.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once per run", n)
	}

	// No robots.txt (404): everything allowed. A failing one (503): the
	// site is skipped this run.
	noRobots := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer noRobots.Close()
	if _, err := f.Get(ctx, Request{URL: noRobots.URL + "/a"}); err != nil {
		t.Errorf("site without robots.txt: %v", err)
	}
	brokenRec := newRecorder()
	broken := httptest.NewServer(brokenRec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.Error(w, "oops", 500)
			return
		}
		fmt.Fprint(w, "ok")
	})))
	defer broken.Close()
	_, err := f.Get(ctx, Request{URL: broken.URL + "/a"})
	if fe := fetchErr(t, err); fe.Reason != "robots.txt" || errors.Is(err, ErrDisallowed) || brokenRec.count("/a") != 0 {
		t.Errorf("robots.txt 500: %v, /a requested %d times", fe, brokenRec.count("/a"))
	}
}

// TestPoliteness records request arrival times in the server: the spacing
// to one host never falls below the interval, even with many concurrent
// callers and retries; another host is not held up by it. Only lower
// bounds and the order of events are asserted, never how fast anything
// ran: the test holds under any load.
func TestPoliteness(t *testing.T) {
	const delay = 80 * time.Millisecond
	rec := newRecorder()
	var n atomic.Int32
	// The busy host holds its first request until the other host has been
	// served: were the other host queued behind it, neither would go on.
	busyArrived, otherServed := make(chan struct{}), make(chan struct{})
	var arrived, served sync.Once
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Do(func() { close(busyArrived) })
		select {
		case <-otherServed:
		case <-time.After(time.Minute):
			t.Error("the other host was held up behind the busy one")
		}
		if r.URL.Path == "/flaky" && n.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	})))
	defer srv.Close()
	other := newRecorder()
	otherSrv := httptest.NewServer(other.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/x" {
			served.Do(func() { close(otherServed) })
		}
		fmt.Fprint(w, "ok")
	})))
	defer otherSrv.Close()
	f := testFetcher(t, func(c *Config) { c.Delay = delay; c.Backoff = time.Millisecond })
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := fmt.Sprintf("/p%d", i)
			if i == 0 {
				p = "/flaky"
			}
			if _, err := f.Get(ctx, Request{URL: srv.URL + p}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	<-busyArrived
	if _, err := f.Get(ctx, Request{URL: otherSrv.URL + "/x"}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	times := append([]time.Time(nil), rec.times...)
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	if len(times) != 8 { // robots.txt, 6 pages, 1 retry
		t.Fatalf("%d requests, want 8", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < delay {
			t.Errorf("requests %d and %d only %v apart, want ≥ %v", i-1, i, gap, delay)
		}
	}
}

// TestRetryAfterAndCrawlDelay: a short Retry-After is waited for; a
// robots.txt Crawl-delay raises the spacing of its host.
func TestRetryAfterAndCrawlDelay(t *testing.T) {
	var n atomic.Int32
	rec := newRecorder()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.15\n")
	})
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	f := testFetcher(t, nil)
	ctx := context.Background()
	start := time.Now()
	r, err := f.Get(ctx, Request{URL: srv.URL + "/busy"})
	if err != nil || r.Attempts != 2 {
		t.Fatalf("429 with Retry-After: %+v, %v", r, err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 waited only %v", el)
	}
	for i := 0; i < 3; i++ {
		if _, err := f.Get(ctx, Request{URL: fmt.Sprintf("%s/p%d", srv.URL, i)}); err != nil {
			t.Fatal(err)
		}
	}
	rec.mu.Lock()
	times := append([]time.Time(nil), rec.times...)
	rec.mu.Unlock()
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 150*time.Millisecond {
			t.Errorf("request %d only %v after the previous one; robots.txt asks for 150ms", i, gap)
		}
	}
}

// TestRobotsTTL: with RobotsTTL a long-lived fetcher (a worker) reads
// robots.txt again once it is older than that, and follows the new rules.
func TestRobotsTTL(t *testing.T) {
	rec := newRecorder()
	var mu sync.Mutex
	rules := "User-agent: *\nDisallow: /a/\n"
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(w, rules)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	f := testFetcher(t, func(c *Config) { c.RobotsTTL = 100 * time.Millisecond })
	ctx := context.Background()
	if _, err := f.Get(ctx, Request{URL: srv.URL + "/a/x.html"}); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("/a/ under the first rules: %v, want disallowed", err)
	}
	mu.Lock()
	rules = "User-agent: *\nDisallow: /b/\n"
	mu.Unlock()
	if _, err := f.Get(ctx, Request{URL: srv.URL + "/a/x.html"}); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("/a/ within the TTL: %v, want still disallowed", err)
	}
	time.Sleep(150 * time.Millisecond)
	if _, err := f.Get(ctx, Request{URL: srv.URL + "/a/x.html"}); err != nil {
		t.Errorf("/a/ after the TTL, under the new rules: %v", err)
	}
	if n := rec.count("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want twice", n)
	}
}

// busyGate is a shared gate whose hosts are busy while busy is set.
type busyGate struct {
	mu    sync.Mutex
	busy  bool
	turns int
}

func (g *busyGate) Acquire(_ context.Context, host string, _ time.Duration) (func(), error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy {
		return nil, &HostBusyError{Host: host, Wait: 3 * time.Second}
	}
	g.turns++
	return func() {}, nil
}

// TestGate: a Config.Gate takes the place of the fetcher's own spacing; a
// host it says is busy fails the fetch as "host busy" with the wait, and
// robots.txt, not read then, is read at the next turn rather than taken as
// unavailable.
func TestGate(t *testing.T) {
	rec := newRecorder()
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "ok")
	})))
	defer srv.Close()
	g := &busyGate{busy: true}
	f := testFetcher(t, func(c *Config) { c.Gate = g })
	ctx := context.Background()
	_, err := f.Get(ctx, Request{URL: srv.URL + "/x.html"})
	var busy *HostBusyError
	if fe := fetchErr(t, err); fe.Reason != "host busy" || !fe.Temporary || !errors.As(err, &busy) || busy.Wait != 3*time.Second {
		t.Fatalf("busy host: %v, want host busy for 3s", err)
	}
	g.mu.Lock()
	g.busy = false
	g.mu.Unlock()
	if _, err := f.Get(ctx, Request{URL: srv.URL + "/x.html"}); err != nil {
		t.Fatalf("free host: %v", err)
	}
	if g.turns != 2 || rec.count("/robots.txt") != 1 || rec.count("/x.html") != 1 {
		t.Errorf("%d turns, robots.txt %d, page %d requests: want 2, 1, 1", g.turns, rec.count("/robots.txt"), rec.count("/x.html"))
	}
}

// memRobots is a RobotsCache in memory.
type memRobots struct {
	mu sync.Mutex
	m  map[string][]byte
	st map[string]int
}

func (r *memRobots) Get(_ context.Context, origin string, _ time.Duration) (int, []byte, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.st[origin]
	return st, r.m[origin], ok, nil
}

func (r *memRobots) Put(_ context.Context, origin string, status int, body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.st[origin], r.m[origin] = status, body
	return nil
}

// TestSharedRobots: fetchers sharing a RobotsCache ask the site for
// robots.txt once between them, and all follow its rules.
func TestSharedRobots(t *testing.T) {
	rec := newRecorder()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	srv := httptest.NewServer(rec.wrap(mux))
	defer srv.Close()
	shared := &memRobots{m: map[string][]byte{}, st: map[string]int{}}
	ctx := context.Background()
	for i := range 3 {
		f := testFetcher(t, func(c *Config) { c.Robots = shared })
		if _, err := f.Get(ctx, Request{URL: srv.URL + "/private/x.html"}); !errors.Is(err, ErrDisallowed) {
			t.Errorf("fetcher %d: %v, want disallowed", i, err)
		}
		if _, err := f.Get(ctx, Request{URL: srv.URL + "/public.html"}); err != nil {
			t.Errorf("fetcher %d: %v", i, err)
		}
	}
	if n := rec.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times by three fetchers sharing it, want once", n)
	}
}
