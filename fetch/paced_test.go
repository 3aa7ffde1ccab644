package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowBody: a server that trickles its body, or sends headers and
// then nothing, fails as "slow response" at the first try, without the
// retries a timeout gets (a byte a second held a crawl 252 s). What is
// asserted is the outcome and the request count, not a time.
func TestSlowBody(t *testing.T) {
	var trickles, stalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		trickles.Add(1)
		w.Header().Set("Content-Length", "100000")
		for range 1000 { // bounded: 20 s at most
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		stalls.Add(1)
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte("x"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := testFetcher(t, func(c *Config) {
		c.Timeout = time.Minute
		c.Retries = 3
		c.SlowAfter = 100 * time.Millisecond
		c.MinRate = 10_000
		c.IdleTimeout = 200 * time.Millisecond
	})
	for _, p := range []string{"/trickle", "/stall"} {
		_, err := f.Get(context.Background(), Request{URL: srv.URL + p})
		fe := fetchErr(t, err)
		if fe.Reason != "slow response" || !fe.Temporary {
			t.Errorf("%s: %v, want a temporary slow response", p, fe)
		}
	}
	if n, m := trickles.Load(), stalls.Load(); n != 1 || m != 1 {
		t.Errorf("requests: %d trickle, %d stall; want 1 each (no retry of a slow body)", n, m)
	}
}
