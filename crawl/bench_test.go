package crawl

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/fakesite"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// noParse stands in for the pipeline when only the crawler is measured.
func noParse(_ context.Context, source string, data []byte, _ pipeline.Options) *nianbao.Report {
	return &nianbao.Report{Source: source, Size: int64(len(data)), Format: nianbao.FormatHTML,
		Status: nianbao.StatusUnsupported, Reason: "benchmark: not parsed", Parser: nianbao.ParserVersion}
}

// BenchmarkCrawl crawls a local column of 20 listing pages and 1,000
// report pages with politeness off, into a fresh database each time, and
// reports pages per second: with the real pipeline reading every report,
// and with parsing stubbed out (the fetcher, discovery, frontier and store
// alone).
func BenchmarkCrawl(b *testing.B) {
	for _, mode := range []struct {
		name  string
		parse ingest.ParseFunc
	}{{"pipeline", nil}, {"noparse", noParse}} {
		b.Run(mode.name, func(b *testing.B) {
			big := &fakesite.Big{Listings: 20, PerListing: 50}
			srv := httptest.NewServer(big)
			defer srv.Close()
			ctx := context.Background()
			var pages int
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				cfg := testConfig(b, 0)
				cfg.Parse = mode.parse
				res, err := Run(ctx, st, []Site{{Start: srv.URL + fakesite.BigColumn}}, cfg)
				elapsed += time.Since(start)
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				s := res.Sites[0]
				if s.New != big.Reports() || s.Failed != 0 {
					b.Fatalf("%+v", s)
				}
				pages += s.Fetched
			}
			b.ReportMetric(float64(pages)/elapsed.Seconds(), "pages/s")
		})
	}
}

// hostsResolver resolves every name under .test to 127.0.0.1.
type hostsResolver struct{}

func (hostsResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, fmt.Errorf("no such test host %s", host)
}

// BenchmarkCrawl1000Hosts crawls 1,000 sites on 1,000 host names (all
// served by one local server), each a listing with three reports, and
// reports the peak Go heap and the peak RSS of the process (test server
// included).
func BenchmarkCrawl1000Hosts(b *testing.B) {
	const hosts = 1000
	big := &fakesite.Big{Listings: 1, PerListing: 3}
	srv := httptest.NewServer(big)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	sites := make([]Site, hosts)
	ctx := context.Background()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		for h := range sites {
			sites[h] = Site{Start: fmt.Sprintf("http://host%04d.test:%s%s", h, u.Port(), fakesite.BigColumn)}
		}
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "hosts.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cfg := testConfig(b, 0)
		cfg.Fetch.Resolver = hostsResolver{}
		start := time.Now()
		res, err := Run(ctx, st, sites, cfg)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		items, err := st.FrontierOf(ctx, "")
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != hosts*4 {
			b.Fatalf("%d URLs in the frontier, want %d", len(items), hosts*4)
		}
		for _, s := range res.Sites {
			if s.New != 3 || s.Failed != 0 {
				b.Fatalf("%+v", s)
			}
		}
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(b.N*hosts*4)/elapsed.Seconds(), "pages/s")
}

// vmHWM reads the peak resident set size of the process (Linux).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// BenchmarkParsePage reads the Shanghai report page for links.
func BenchmarkParsePage(b *testing.B) {
	data, err := os.ReadFile("../testdata/samples/shanghai-bgt-2019.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := ParsePage("http://www.example.gov.cn/a/b.html", data, "text/html"); err != nil {
			b.Fatal(err)
		}
	}
}
