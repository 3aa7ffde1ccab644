package ingest

import (
	"context"
	"iter"
	"sync"
)

// Ordered runs work on each item with workers goroutines and sends the
// results on the returned channel in the order of the items, whatever order
// the workers finish in, so that the same input gives the same output. At
// most window items are taken and not yet received, so memory stays flat
// however many items there are, and one slow item holds back at most that
// many.
//
// When ctx is cancelled, no further item is taken, a result that work
// returns after the cancellation is dropped (it may be cut short), and the
// channel closes after the last result before the first gap. The caller
// receives until the channel is closed; a caller that stops early cancels
// ctx and then drains the channel.
func Ordered[T, R any](ctx context.Context, items iter.Seq[T], workers, window int, work func(context.Context, T) R) <-chan R {
	workers = max(workers, 1)
	window = max(window, workers)
	type job struct {
		seq int
		it  T
	}
	type result struct {
		seq int
		r   R
	}
	slots := make(chan struct{}, window)
	jobs := make(chan job, workers)
	results := make(chan result, workers)
	out := make(chan R)
	go func() {
		defer close(jobs)
		seq := 0
		for it := range items {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{seq, it}:
				seq++
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				r := work(ctx, j.it)
				if ctx.Err() != nil {
					continue
				}
				results <- result{j.seq, r}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	go func() {
		defer close(out)
		waiting := map[int]R{}
		next := 0
		for r := range results {
			waiting[r.seq] = r.r
			for {
				v, ok := waiting[next]
				if !ok {
					break
				}
				delete(waiting, next)
				next++
				out <- v
				<-slots
			}
		}
	}()
	return out
}
