package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// BenchmarkGet measures the fetcher alone on a local server, politeness
// off: one host (requests to a host are serialised) and many hosts.
func BenchmarkGet(b *testing.B) {
	page := []byte(strings.Repeat("<p>政府信息公开工作年度报告</p>\n", 300)) // ~10 KB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Write(page)
	}))
	defer srv.Close()
	res := mapResolver{}
	for i := 1; i <= 8; i++ {
		res[fmt.Sprintf("h%d.test", i)] = []string{"127.0.0.1"}
	}
	f := New(Config{AllowPrivate: true, Timeout: 5 * time.Second, Resolver: res})
	defer f.Close()
	ctx := context.Background()
	b.Run("one-host", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := f.Get(ctx, Request{URL: fmt.Sprintf("%s/p%d.html", srv.URL, i)}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pages/s")
	})
	// Hosts h1.test … h8.test all reach the server.
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	b.Run("8-hosts", func(b *testing.B) {
		start := time.Now()
		b.SetParallelism(4)
		var n int64
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				u := fmt.Sprintf("http://h%d.test%s/p%d.html", 1+i%8, port, i)
				if _, err := f.Get(ctx, Request{URL: u}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		n = int64(b.N)
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pages/s")
	})
}
