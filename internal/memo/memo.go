// Package memo caches the results of pure functions of labels: the same few
// hundred labels come back in every report, and normalising or classifying
// them again is most of a parse. The cache is bounded and safe for
// concurrent use.
package memo

import "sync"

// Memo keeps two generations of at most Max entries each: when the current
// one is full it becomes the old one and the older is dropped, so memory
// stays bounded whatever the input while the labels in use stay cached.
type Memo[K comparable, V any] struct {
	Max int // entries per generation; 4096 when 0

	mu       sync.RWMutex
	cur, old map[K]V
}

// Get returns the value cached for k.
func (m *Memo[K, V]) Get(k K) (V, bool) {
	m.mu.RLock()
	v, ok := m.cur[k]
	if !ok {
		v, ok = m.old[k]
	}
	m.mu.RUnlock()
	return v, ok
}

// Put caches v for k. A key holding a string should own its bytes (not be a
// slice of a whole document the cache would then keep alive).
func (m *Memo[K, V]) Put(k K, v V) {
	max := m.Max
	if max == 0 {
		max = 4096
	}
	m.mu.Lock()
	if m.cur == nil || len(m.cur) >= max {
		m.old, m.cur = m.cur, make(map[K]V, max/4)
	}
	m.cur[k] = v
	m.mu.Unlock()
}
