package queue

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/fetch"
	"github.com/nianbao/nianbao/internal/pgtest"
)

// TestGateSpacing has 24 claimers, as many gates as worker processes
// would have, take turns on one host: no two granted turns may be closer
// than the interval, and no two may overlap.
func TestGateSpacing(t *testing.T) {
	ctx := context.Background()
	pool, err := connect(ctx, pgtest.DB(t), 40, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	const (
		interval = 60 * time.Millisecond
		claimers = 24
		turns    = 2
	)
	type turn struct{ from, to time.Time }
	var mu sync.Mutex
	var got []turn
	var wg sync.WaitGroup
	for i := range claimers {
		g := NewGate(pool, time.Minute, 10*time.Second, nil) // one per "process"
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range turns {
				release, err := g.Acquire(ctx, "www.example.gov.cn", interval)
				if err != nil {
					t.Error(err)
					return
				}
				from := time.Now()
				time.Sleep(time.Duration(i%3) * time.Millisecond) // the request
				to := time.Now()
				release()
				mu.Lock()
				got = append(got, turn{from, to})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(got) != claimers*turns {
		t.Fatalf("%d turns granted, want %d", len(got), claimers*turns)
	}
	slices.SortFunc(got, func(a, b turn) int { return a.from.Compare(b.from) })
	worst := time.Duration(1 << 62)
	for i := 1; i < len(got); i++ {
		gap := got[i].from.Sub(got[i-1].from)
		worst = min(worst, gap)
		if gap < interval {
			t.Errorf("turn %d granted %v after the previous one, want at least %v", i, gap, interval)
		}
		if after := got[i].from.Sub(got[i-1].to); after < interval {
			t.Errorf("turn %d granted %v after the previous one ended, want at least %v", i, after, interval)
		}
	}
	t.Logf("%d turns, interval %v, closest two %v apart", len(got), interval, worst)
}

// TestGateBusy: a turn further off than MaxWait is a HostBusyError saying
// how far; a claim whose holder died lapses after its lease.
func TestGateBusy(t *testing.T) {
	ctx := context.Background()
	pool, err := connect(ctx, pgtest.DB(t), 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	g := NewGate(pool, 100*time.Millisecond, 400*time.Millisecond, nil)
	release, err := g.Acquire(ctx, "a.gov.cn", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	release()
	_, err = g.Acquire(ctx, "a.gov.cn", 2*time.Second)
	var busy *fetch.HostBusyError
	if !errors.As(err, &busy) || busy.Wait < time.Second || busy.Wait > 2*time.Second {
		t.Fatalf("second turn within the interval: %v, want a HostBusyError of about 2s", err)
	}
	// A holder that never releases (killed): the host is busy until its
	// lease lapses.
	if _, err := g.Acquire(ctx, "b.gov.cn", 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Acquire(ctx, "b.gov.cn", 10*time.Millisecond); !errors.As(err, &busy) {
		t.Fatalf("held host: %v, want a HostBusyError", err)
	}
	time.Sleep(400 * time.Millisecond)
	release, err = g.Acquire(ctx, "b.gov.cn", 10*time.Millisecond)
	if err != nil {
		t.Fatalf("after the lease: %v", err)
	}
	release()
}

// TestSnoozeFor: a job waits for its host's turn, then a random part of a
// spread that doubles with each snooze, up to 32 waits.
func TestSnoozeFor(t *testing.T) {
	for _, c := range []struct {
		meta   string
		spread time.Duration
	}{
		{`{}`, time.Second},
		{`{"snoozes": 1}`, 2 * time.Second},
		{`{"snoozes": 3}`, 8 * time.Second},
		{`{"snoozes": 40}`, 32 * time.Second},
		{`not json`, time.Second},
	} {
		if got := snoozeSpread(time.Second, []byte(c.meta)); got != c.spread {
			t.Errorf("%s: spread %v, want %v", c.meta, got, c.spread)
		}
		for range 200 {
			d := snoozeFor(time.Second, []byte(c.meta))
			if d < time.Second || d > time.Second+c.spread {
				t.Fatalf("%s: snoozed %v, want 1s to %v", c.meta, d, time.Second+c.spread)
			}
		}
	}
	if got := snoozeSpread(10*time.Millisecond, nil); got != 100*time.Millisecond {
		t.Errorf("a short wait's spread %v, want 100ms", got)
	}
}
