package organ

import (
	"cmp"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCodeKeyOrder: codes compare by codeKey as their text does, prefixes
// and zeros included.
func TestCodeKeyOrder(t *testing.T) {
	codes := []string{"1", "10", "100", "11", "110", "1100", "110100", "110101", "110101001", "11010100", "2", "65", "659001", "999999999999"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(maxCode)
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + rng.IntN(3))) // few digits: many prefixes
		}
		codes = append(codes, b.String())
	}
	for _, a := range codes {
		ka, ok := codeKey(a)
		if !ok {
			t.Fatalf("codeKey(%q) refused", a)
		}
		for _, b := range codes[:200] {
			kb, _ := codeKey(b)
			if got, want := cmp.Compare(ka, kb), strings.Compare(a, b); got != want {
				t.Fatalf("%q vs %q: codeKey says %d, text %d", a, b, got, want)
			}
		}
	}
	for _, bad := range []string{"", "1a", "1234567890123", " 1", "-1"} {
		if _, ok := codeKey(bad); ok {
			t.Errorf("codeKey(%q) accepted", bad)
		}
	}
}
