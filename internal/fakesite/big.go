package fakesite

import (
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// Big is a large, plain report column for throughput and memory
// measurements: Listings listing pages under /big/, each with PerListing
// report pages, each report page a small HTML report (table 三 of the 2021
// template) of its own organ. Every host name serves the same site, so one
// server stands for many hosts.
type Big struct {
	Listings, PerListing int
	requests             atomic.Int64
}

// BigColumn is the start path of a Big site.
const BigColumn = "/big/index.html"

// Requests returns how many requests the site answered.
func (b *Big) Requests() int64 { return b.requests.Load() }

// Reports is the number of report pages.
func (b *Big) Reports() int { return b.Listings * b.PerListing }

func (b *Big) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.requests.Add(1)
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		http.NotFound(w, r)
	case p == BigColumn || strings.HasPrefix(p, "/big/index_"):
		n := 0
		if p != BigColumn {
			var err error
			n, err = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/big/index_"), ".html"))
			if err != nil || n <= 0 || n >= b.Listings {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var sb strings.Builder
		sb.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>`)
		for i := 0; i < b.PerListing; i++ {
			id := n*b.PerListing + i
			fmt.Fprintf(&sb, `<li><a href="r%d.html">%s2021年政府信息公开工作年度报告</a></li>`+"\n", id, organ(id))
		}
		fmt.Fprintf(&sb, `</ul><script>createPageHTML(%d, %d, "index", "html");</script></body></html>`, b.Listings, n)
		w.Write([]byte(sb.String()))
	case strings.HasPrefix(p, "/big/r") && strings.HasSuffix(p, ".html"):
		id, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/big/r"), ".html"))
		if err != nil || id < 0 || id >= b.Reports() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(bigReport(id, r.Host))
	default:
		http.NotFound(w, r)
	}
}

func organ(id int) string { return fmt.Sprintf("某县第%d局", id) }

// bigReport is the synthetic table 三 page with the organ's name put in;
// the host name goes in too, so that every host serves its own documents.
func bigReport(id int, host string) []byte {
	name := organ(id)
	if host != "" {
		name = fmt.Sprintf("某县%08x第%d局", crc32.ChecksumIEEE([]byte(host)), id)
	}
	return []byte(strings.ReplaceAll(string(must("table3.html")), "某市人民政府办公室", name))
}
