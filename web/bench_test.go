package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/store"
)

// BenchmarkPages measures the server time of each page (the handler, no
// network) on the test database, or on NIANBAO_BENCH_DB — a store made
// from the generated corpus:
//
//	nianbao ingest --db /tmp/big.db CORPUS   # internal/storetest.Corpus(1, 100000)
//	NIANBAO_BENCH_DB=/tmp/big.db go test -tags sqlite_fts5 -run '^$' -bench Pages -benchtime 20x ./web
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	var s *Server
	var report, text, organ int64
	if path := os.Getenv("NIANBAO_BENCH_DB"); path != "" {
		st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		if s, err = New(ctx, st, Options{CacheDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
		db := st.Reader()
		var n int64
		db.QueryRow(`SELECT count(*) FROM reports`).Scan(&n)
		// A report from the middle of the store, a text one, and the organ
		// with the most years.
		db.QueryRow(`SELECT id FROM reports WHERE current AND id >= ? ORDER BY id LIMIT 1`, n/2).Scan(&report)
		db.QueryRow(`SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.current AND d.format = 'text' AND r.id >= ? ORDER BY r.id LIMIT 1`, n/2).Scan(&text)
		db.QueryRow(`SELECT organ_id FROM reports WHERE current AND organ_id IS NOT NULL AND id >= ? ORDER BY id LIMIT 1`, n/3).Scan(&organ)
		b.Logf("%s: %d reports", path, n)
	} else {
		var d *testDB
		d, s = newTestServer(b, Options{})
		report, text, organ = d.html, d.text, d.panelOrgan
	}
	start := time.Now()
	if err := s.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("home coverage, computed once (cached until the database changes): %v", time.Since(start))
	pages := []string{
		"/",
		"/index.json",
		"/organs",
		"/organs?province=32",
		"/organs?level=" + url.QueryEscape("县") + "&kind=" + url.QueryEscape("部门") + "&year=2022",
		"/organs?q=" + url.QueryEscape("财政局"),
		"/organs?page=40",
		fmt.Sprintf("/organs/%d", organ),
		fmt.Sprintf("/organs/%d.csv", organ),
		fmt.Sprintf("/reports/%d", report),
		fmt.Sprintf("/reports/%d.json", report),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", report),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", text),
		"/findings",
		"/findings?rule=t3.balance",
		"/findings?year=2020&region=32",
		"/search?q=" + url.QueryEscape("信息处理费"),
		"/search?q=" + url.QueryEscape("政府信息公开"),
		"/sql?sql=" + url.QueryEscape("SELECT * FROM v_reports LIMIT 100"),
		// Filters that match nothing: the lists read everything they could.
		"/organs?q=" + url.QueryEscape("没有这个机关"),
		"/findings?year=2030&region=65",
		"/search?q=" + url.QueryEscape("没有这个词语"),
	}
	for _, p := range pages {
		// A "/" in a benchmark's name would split it into levels for -bench.
		b.Run(strings.ReplaceAll(p, "/", "_"), func(b *testing.B) {
			for b.Loop() {
				if w := get(b, s, p); w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p, w.Code, w.Body.String())
				}
			}
		})
	}
}
