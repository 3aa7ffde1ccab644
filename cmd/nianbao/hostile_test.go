package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/internal/hostile"
)

// hostileLimits are the limits of the small hostile corpus (hostile.Small)
// as the defaults are to the full one: each hostile document is over one,
// every real sample is under all.
const hostileLimits = "stream=2MB,decoded=16MB,tables=500,pages=100,text=512KB"

// hostileWant is the limit each class of the corpus goes over ("" for the
// cut samples, which read to whatever status their bytes allow).
var hostileWant = map[string]string{
	hostile.ClassInflate: "stream", hostile.ClassTables: "tables", hostile.ClassPages: "pages",
	hostile.ClassText: "text", hostile.ClassTruncated: "",
}

// TestHostileCorpus reads the small hostile corpus with parse, ingest and
// crawl: every document gets a record with a stated status, each hostile
// one an error naming the limit it went over, the three commands agree,
// and the special files are refused or counted. (scripts/hostile.sh runs
// the full sizes and measures memory and time.)
func TestHostileCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile corpus takes a while")
	}
	dir := t.TempDir()
	classes, err := hostile.Write(filepath.Join(dir, "corpus"), "../../testdata/samples", hostile.Small)
	if err != nil {
		t.Fatal(err)
	}
	// parse, one class at a time.
	parsed := map[string]string{} // file name → status, and the limit when an error
	for class, folder := range classes {
		code, out, errs := storeRun(t, nil, "parse", "--json", "--limit", hostileLimits, folder)
		if code != 0 && code != 1 {
			t.Fatalf("parse %s: exit %d\n%s", class, code, errs)
		}
		n := 0
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var rec struct{ Source, Status, Error, Reason string }
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("parse %s: %v", class, err)
			}
			n++
			name := filepath.Base(rec.Source)
			parsed[name] = rec.Status + " " + limitOf(rec.Error)
			switch want := hostileWant[class]; {
			case want != "" && (rec.Status != "error" || limitOf(rec.Error) != want):
				t.Errorf("%s: %s %q, want an error over the %s limit", name, rec.Status, rec.Error, want)
			case rec.Status == "":
				t.Errorf("%s: no status", name)
			case strings.Contains(rec.Error, "runtime error"):
				t.Errorf("%s: a library's panic text as the reason: %s", name, rec.Error)
			}
		}
		files, _ := os.ReadDir(folder)
		if n != len(files) {
			t.Errorf("parse %s: %d records for %d files", class, n, len(files))
		}
	}

	// ingest, the whole corpus at once: the same statuses.
	db := filepath.Join(dir, "ingest.db")
	if code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, "--limit", hostileLimits, filepath.Join(dir, "corpus")); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	ingested := storedStatuses(t, db)
	for name, st := range parsed {
		if ingested[name] != st {
			t.Errorf("%s: ingest says %q, parse %q", name, ingested[name], st)
		}
	}

	// crawl, the corpus served as a site: every document is a report page
	// or, for a PDF, a page's attachment.
	mux, names := corpusSite(classes)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cdb := filepath.Join(dir, "crawl.db")
	code, out, errs := storeRun(t, nil, "crawl", "-q", "--db", cdb, "--allow-private", "--delay", "0", "--limit", hostileLimits, srv.URL+"/col/index.html")
	if code != 0 {
		t.Fatalf("crawl: exit %d\n%s\n%s", code, out, errs)
	}
	crawled := storedStatuses(t, cdb)
	byURL := map[string]string{}
	for i, n := range names {
		u := fmt.Sprintf("%s/r/%d.html", srv.URL, i)
		if strings.HasSuffix(n, ".pdf") {
			u = fmt.Sprintf("%s/f/%d.pdf", srv.URL, i)
		}
		byURL[u] = n
	}
	for u, name := range byURL {
		if got := crawled[u]; got != parsed[name] && hostileWant[classOf(name)] != "" {
			t.Errorf("%s (%s): crawl says %q, parse %q", name, u, got, parsed[name])
		}
	}

	// The special files: refused as arguments, counted in a folder.
	zero, fifo, err := hostile.WriteSpecial(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{zero, fifo} {
		if code, _, errs := storeRun(t, nil, "parse", p); code != 2 || !strings.Contains(errs, "not a regular file") {
			t.Errorf("parse %s: exit %d %s", p, code, errs)
		}
	}
	code, out, errs = storeRun(t, nil, "ingest", "-q", "--db", filepath.Join(dir, "special.db"), filepath.Join(dir, hostile.ClassSpecial), classes[hostile.ClassText])
	if code != 0 || !strings.Contains(out, "2 entries in the folders skipped: not regular files") {
		t.Errorf("ingest of the special files: exit %d\n%s\n%s", code, out, errs)
	}
}

// limitOf is the name of the limit an error names ("--limit NAME=…").
func limitOf(msg string) string {
	_, after, ok := strings.Cut(msg, "--limit ")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(after, "=")
	return name
}

func classOf(name string) string {
	for _, c := range []string{hostile.ClassInflate, hostile.ClassTables, hostile.ClassPages, hostile.ClassText} {
		if strings.HasPrefix(name, c) {
			return c
		}
	}
	return hostile.ClassTruncated
}

// storedStatuses maps each stored document (by the base name of a local
// file, or by URL) to its status and the limit its error names.
func storedStatuses(t *testing.T, db string) map[string]string {
	t.Helper()
	rows, err := storeDB(t, db).Query(`SELECT d.source, r.status, coalesce(r.error, '') FROM reports r JOIN documents d ON d.id = r.document_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var src, st, msg string
		if err := rows.Scan(&src, &st, &msg); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(src, "http") {
			src = filepath.Base(src)
		}
		out[src] = st + " " + limitOf(msg)
	}
	return out
}

// corpusSite serves the documents of the folders as one site: a listing
// page /col/index.html linking every document as a report page; a PDF is
// the attachment of its report page. names are the documents' in the
// order of their addresses.
func corpusSite(classes map[string]string) (*http.ServeMux, []string) {
	var names []string
	paths := map[string]string{}
	for _, folder := range classes {
		files, _ := os.ReadDir(folder)
		for _, f := range files {
			names = append(names, f.Name())
			paths[f.Name()] = filepath.Join(folder, f.Name())
		}
	}
	sort.Strings(names)
	mux := http.NewServeMux()
	mux.HandleFunc("/col/index.html", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><meta charset=utf-8></head><body><ul>")
		for i := range names {
			fmt.Fprintf(w, `<li><a href="/r/%d.html">某市2019年政府信息公开工作年度报告（%d）</a></li>`, i, i)
		}
		fmt.Fprint(w, "</ul></body></html>")
	})
	mux.HandleFunc("/r/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d.html", &i); err != nil || i >= len(names) {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(names[i], ".pdf") {
			fmt.Fprintf(w, `<html><head><meta charset=utf-8></head><body><h1>某市2019年政府信息公开工作年度报告</h1><a href="/f/%d.pdf">附件</a></body></html>`, i)
			return
		}
		if strings.HasSuffix(names[i], ".txt") {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		http.ServeFile(w, r, paths[names[i]])
	})
	mux.HandleFunc("/f/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/f/%d.pdf", &i); err != nil || i >= len(names) {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, paths[names[i]])
	})
	return mux, names
}
