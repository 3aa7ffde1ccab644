package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
)

// Organ names for the query benchmarks: 30 cities × 20 districts.
var (
	benchCities = []string{"新乡市", "淮安市", "洛阳市", "宜昌市", "绍兴市", "泉州市", "赣州市", "遵义市", "曲靖市", "榆林市",
		"酒泉市", "包头市", "大庆市", "鞍山市", "保定市", "临汾市", "潍坊市", "柳州市", "南充市", "常德市",
		"芜湖市", "九江市", "开封市", "镇江市", "湖州市", "襄阳市", "漳州市", "吉安市", "安顺市", "玉溪市"}
	benchDistricts = []string{"卫滨区", "清江浦区", "西工区", "夷陵区", "柯桥区", "丰泽区", "章贡区", "汇川区", "麒麟区", "榆阳区",
		"肃州区", "昆都仑区", "萨尔图区", "铁东区", "莲池区", "尧都区", "奎文区", "柳南区", "顺庆区", "武陵区"}
)

// fillForQueries writes n reports (generated figures, 600 organs × the
// years 2019–2025 and their revisions) into s, as one batch.
func fillForQueries(b *testing.B, s *Store, n int) {
	cache := storetest.Parsed(b)
	ctx := context.Background()
	w, err := s.NewWriter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	organs := len(benchCities) * len(benchDistricts)
	for i := range n {
		r := *cache[i%len(cache)]
		o := i % organs
		r.Source = "doc" + strconv.Itoa(i)
		r.Agency = benchCities[o%len(benchCities)] + benchDistricts[o/len(benchCities)] + "人民政府"
		r.Year = 2019 + (i/organs)%7
		d := &Doc{Source: r.Source, SHA256: fmt.Sprintf("%064x", i), Size: 1000}
		if err := d.SetReport(&r); err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(d); err != nil {
			b.Fatal(err)
		}
		if i%500 == 499 {
			if err := w.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueriesBackends times the reading side on a store of
// $NIANBAO_BENCH_N reports (default 10,000) on SQLite and on PostgreSQL:
// the panel by organ and by province, v_reports, one key across v_cells,
// and a full-text search, each read to the end. The stores are written
// once (write-s/report says what that cost).
func BenchmarkQueriesBackends(b *testing.B) {
	n := benchCorpus()
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		var dsn string
		if backend == "sqlite" {
			dir, err := os.MkdirTemp("", "nianbao-bench-")
			if err != nil {
				b.Fatal(err)
			}
			defer os.RemoveAll(dir)
			dsn = filepath.Join(dir, "bench.db")
		} else {
			dsn = pgtest.DB(b)
		}
		s, err := Open(ctx, dsn, Options{})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		fillForQueries(b, s, n)
		write := time.Since(start)
		s.Close()
		if s, err = Open(ctx, dsn, Options{ReadOnly: true}); err != nil {
			b.Fatal(err)
		}
		if s.pg {
			// What autovacuum would do in a while: the planner's statistics.
			ws, _ := Open(ctx, dsn, Options{})
			ws.db.Exec(`ANALYZE`)
			ws.Close()
		}
		count := func(q string, args ...any) func(b *testing.B) {
			return func(b *testing.B) {
				for b.Loop() {
					rows, err := s.Reader().QueryContext(ctx, q, args...)
					if err != nil {
						b.Fatal(err)
					}
					k := 0
					for rows.Next() {
						k++
					}
					if err := rows.Close(); err != nil || k == 0 {
						b.Fatal(k, err)
					}
				}
			}
		}
		panel := func(by string) func(b *testing.B) {
			return func(b *testing.B) {
				for b.Loop() {
					k := 0
					if err := s.Panel(ctx, PanelFilter{By: by}, func([]string) error { return nil }, func([]any) error { k++; return nil }); err != nil || k == 0 {
						b.Fatal(k, err)
					}
				}
			}
		}
		b.Run(backend+"/panel-organ", panel("organ"))
		b.Run(backend+"/panel-province", panel("province"))
		b.Run(backend+"/v_reports", count(`SELECT * FROM v_reports`))
		b.Run(backend+"/v_cells-key", count(`SELECT report_id, value FROM v_cells WHERE key = ?`, "t3.new.total"))
		b.Run(backend+"/organ-year", count(`SELECT * FROM v_panel WHERE organ_id = ? ORDER BY year`, 7))
		b.Logf("%s: %d reports written in %v (%.0f reports/s)", backend, n, write.Round(time.Millisecond), float64(n)/write.Seconds())
		s.Close()
	}
}
