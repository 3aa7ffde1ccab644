package fetch

import (
	"context"
	"sync"
	"time"
)

// hostGate spaces the requests to each host. A host gets one request at a
// time, and the next one starts no sooner than the interval after the
// previous response was read to the end. Counting from the end (rather than
// spacing start times as a token bucket does) is what makes the spacing the
// server sees never fall below the interval, whatever the latency.
type hostGate struct {
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	busy  chan struct{} // holds one token while a request to the host runs
	last  time.Time     // end of the previous request
	delay time.Duration // the interval for this host (robots Crawl-delay may raise it)
}

func newHostGate() *hostGate { return &hostGate{hosts: map[string]*hostSlot{}} }

func (g *hostGate) slot(host string, delay time.Duration) *hostSlot {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.hosts[host]
	if s == nil {
		s = &hostSlot{busy: make(chan struct{}, 1), delay: delay}
		g.hosts[host] = s
	}
	return s
}

// setDelay raises the interval of a host (never lowers it below the
// configured one).
func (g *hostGate) setDelay(host string, base, d time.Duration) {
	s := g.slot(host, base)
	g.mu.Lock()
	if d > s.delay {
		s.delay = d
	}
	g.mu.Unlock()
}

// acquire waits for the host's turn; the caller must call the returned
// release once the response body has been read or abandoned.
func (g *hostGate) acquire(ctx context.Context, host string, delay time.Duration) (release func(), err error) {
	s := g.slot(host, delay)
	select {
	case s.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	wait := time.Until(s.last.Add(s.delay))
	g.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-s.busy
			return nil, ctx.Err()
		}
	}
	return func() {
		g.mu.Lock()
		s.last = time.Now()
		g.mu.Unlock()
		<-s.busy
	}, nil
}

// delay returns the interval of a host.
func (g *hostGate) delay(host string, base time.Duration) time.Duration {
	s := g.slot(host, base)
	g.mu.Lock()
	defer g.mu.Unlock()
	return s.delay
}

// set fixes the interval of a host (a site's own setting).
func (g *hostGate) set(host string, d time.Duration) {
	s := g.slot(host, d)
	g.mu.Lock()
	s.delay = d
	g.mu.Unlock()
}
