package store

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
)

func TestZZJSONRoundTrip(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for i := 0; i < 200000; i++ {
		var f float64
		switch i % 4 {
		case 0:
			f = math.Float64frombits(rng.Uint64())
		case 1:
			f = float64(rng.IntN(1000000)) / 100
		case 2:
			f = rng.Float64() * 1e6
		case 3:
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		js := "[" + strconv.FormatFloat(f, 'g', -1, 64) + "]"
		var got float64
		if err := s.db.QueryRow(`SELECT ?->>0`, js).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(got) != math.Float64bits(f) {
			bad++
			if bad < 10 {
				t.Logf("%s → %v", js, got)
			}
		}
	}
	t.Logf("bad %d", bad)
	for _, js := range []string{`[9e999]`, `[-9e999]`, `[Infinity]`, `["a\u0000b"]`, "[\"\xff\xfe\x80 中\"]", `[-0.0]`, `[1e-320]`, `[12345678901234567890]`} {
		var typ string
		var v any
		if err := s.db.QueryRow(`SELECT typeof(?->>0), ?->>0`, js, js).Scan(&typ, &v); err != nil {
			t.Logf("%q: %v", js, err)
			continue
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		t.Logf("%q: %s %q", js, typ, v)
	}
}
