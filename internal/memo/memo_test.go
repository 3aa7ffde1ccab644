package memo

import (
	"strconv"
	"sync"
	"testing"
)

func TestBoundedTwoGenerations(t *testing.T) {
	m := Memo[string, int]{Max: 4}
	for i := range 10 {
		m.Put(strconv.Itoa(i), i)
	}
	// 0..3 filled the first generation, 4..7 the second, 8..9 the third:
	// only the last two generations remain.
	for i := range 10 {
		v, ok := m.Get(strconv.Itoa(i))
		if want := i >= 4; ok != want || ok && v != i {
			t.Errorf("Get(%d) = %d, %v; want present=%v", i, v, ok, want)
		}
	}
	if n := len(m.cur) + len(m.old); n > 2*m.Max {
		t.Errorf("%d entries kept, more than two generations of %d", n, m.Max)
	}
}

func TestConcurrent(t *testing.T) {
	var m Memo[int, int]
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10000 {
				k := (i * (w + 1)) % 5000
				if v, ok := m.Get(k); ok && v != k*2 {
					t.Errorf("Get(%d) = %d", k, v)
					return
				}
				m.Put(k, k*2)
			}
		})
	}
	wg.Wait()
}
