package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/store"
)

// pagePaths are one address of every page of the test database.
func pagePaths(d *testDB) []string {
	return []string{
		"/",
		"/organs",
		"/organs?province=32&year=2021&q=" + url.QueryEscape("政府"),
		fmt.Sprintf("/organs/%d", d.panelOrgan),
		fmt.Sprintf("/reports/%d", d.pdf),
		fmt.Sprintf("/reports/%d", d.html),
		fmt.Sprintf("/reports/%d", d.text),
		fmt.Sprintf("/reports/%d", d.hostile),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", d.html),
		fmt.Sprintf("/reports/%d/cells/t3.new.total", d.text),
		"/findings",
		"/findings?rule=t3.carry_over",
		"/search?q=" + url.QueryEscape("信息处理费"),
		"/sql?sql=" + url.QueryEscape("SELECT year, count(*) AS n FROM v_reports GROUP BY year"),
	}
}

// withFormat puts .json or .csv on a path, before its query.
func withFormat(p, ext string) string {
	path, q, _ := strings.Cut(p, "?")
	if path == "/" {
		path = "/index"
	}
	if q != "" {
		return path + ext + "?" + q
	}
	return path + ext
}

// TestEveryPageEveryFormat: each page answers as HTML, JSON and CSV, with
// the security headers, and its JSON and CSV parse.
func TestEveryPageEveryFormat(t *testing.T) {
	d, s := newTestServer(t, Options{})
	for _, p := range pagePaths(d) {
		w := get(t, s, p)
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d\n%s", p, w.Code, w.Body.String())
			continue
		}
		checkHeaders(t, p, w)
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if !strings.Contains(w.Body.String(), `href="`+withFormat(p, ".json")) && !strings.Contains(w.Body.String(), "JSON") {
			t.Errorf("%s: no link to its JSON", p)
		}
		jp := withFormat(p, ".json")
		w = get(t, s, jp)
		var v any
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &v) != nil {
			t.Errorf("%s: %d, not JSON: %.200s", jp, w.Code, w.Body.String())
		}
		cp := withFormat(p, ".csv")
		w = get(t, s, cp)
		if w.Code != http.StatusOK {
			t.Errorf("%s: %d %s", cp, w.Code, w.Body.String())
			continue
		}
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
			t.Errorf("%s: Content-Type %q", cp, w.Header().Get("Content-Type"))
		}
		if _, err := csv.NewReader(w.Body).ReadAll(); err != nil {
			t.Errorf("%s: not CSV: %v", cp, err)
		}
	}
}

func checkHeaders(t *testing.T, p string, w *httptest.ResponseRecorder) {
	t.Helper()
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %s", p, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
		t.Errorf("%s: Content-Security-Policy %q allows script", p, csp)
	}
	if w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: no nosniff", p)
	}
}

// TestCSVTables: a page's other tables by ?table=, an unknown one refused.
func TestCSVTables(t *testing.T) {
	d, s := newTestServer(t, Options{})
	w := get(t, s, fmt.Sprintf("/reports/%d.csv?table=findings", d.hostile))
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "finding_id,report_id") {
		t.Errorf("findings table: %d %s", w.Code, w.Body.String())
	}
	w = get(t, s, fmt.Sprintf("/reports/%d.csv", d.pdf))
	if !strings.HasPrefix(w.Body.String(), "key,row_label") || strings.Count(w.Body.String(), "\n") < 100 {
		t.Errorf("cells table: %.300s", w.Body.String())
	}
	w = get(t, s, "/index.csv?table=nope")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "years") {
		t.Errorf("unknown table: %d %s", w.Code, w.Body.String())
	}
}

// TestEscaping: a report whose organ name and prose hold markup and
// quotes shows them as text on every page that shows them.
func TestEscaping(t *testing.T) {
	d, s := newTestServer(t, Options{})
	var organ int64
	if err := s.db.QueryRow(`SELECT organ_id FROM reports WHERE id = ?`, d.hostile).Scan(&organ); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		fmt.Sprintf("/reports/%d", d.hostile),
		fmt.Sprintf("/organs/%d", organ),
		"/organs?q=" + url.QueryEscape("<script>"),
		"/findings?agency=" + url.QueryEscape("<script>"),
		"/search?q=" + url.QueryEscape("<script>"),
		"/sql?sql=" + url.QueryEscape(`SELECT agency, '<b>"x"</b>' AS q FROM reports WHERE id = `+fmt.Sprint(d.hostile)),
		"/",
		fmt.Sprintf("/reports/%d/cells/t3.new.total", d.hostile),
		"/nope/<script>alert(1)</script>",
	} {
		w := get(t, s, p)
		body := w.Body.String()
		if w.Code != http.StatusOK && !strings.HasPrefix(p, "/nope") {
			t.Errorf("%s: %d %s", p, w.Code, body)
			continue
		}
		// The text of the markup (onerror=…) may show; the markup not.
		for _, bad := range []string{"<script", "<img", "<b>"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: unescaped %q in the page", p, bad)
			}
		}
		if !strings.HasPrefix(p, "/nope") && !strings.Contains(body, "&lt;script&gt;") && !strings.Contains(body, "&lt;b&gt;") {
			t.Errorf("%s: the markup is not shown escaped", p)
		}
		// JSON escapes it too (a page that sniffed it would not run it).
		if !strings.HasPrefix(p, "/nope") {
			jw := get(t, s, withFormat(p, ".json"))
			if strings.Contains(jw.Body.String(), "<script") {
				t.Errorf("%s.json: raw <script", p)
			}
		}
	}
	// The organ's name is shown, quotes and all, as text.
	w := get(t, s, fmt.Sprintf("/reports/%d", d.hostile))
	if !strings.Contains(w.Body.String(), `&lt;script&gt;alert(&#34;organ&#34;)&lt;/script&gt;&#39;引号&#34;县人民政府`) {
		t.Errorf("the organ's name is not shown escaped:\n%s", w.Body.String())
	}
}

// TestNotFound: what does not exist is a 404 page in the format asked.
func TestNotFound(t *testing.T) {
	d, s := newTestServer(t, Options{})
	for _, p := range []string{
		"/nope", "/reports/999999", "/reports/0", "/reports/abc", "/reports/-1.json", "/organs/999999.csv",
		"/organs/x", fmt.Sprintf("/reports/%d/cells/t9.nothing.here", d.pdf), fmt.Sprintf("/reports/%d/cells/new", d.pdf),
		"/documents/abc", "/documents/" + strings.Repeat("0", 64), "/documents/" + strings.Repeat("A", 64),
		"/documents/..%2F..%2Fetc%2Fpasswd", "/pages/" + strings.Repeat("0", 64) + "/1.jpg", "/static/nope.css",
		"/static/..%2Fserver.go",
	} {
		w := get(t, s, p)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404: %.200s", p, w.Code, w.Body.String())
		}
	}
	w := get(t, s, "/reports/999999.json")
	var e map[string]string
	if json.Unmarshal(w.Body.Bytes(), &e) != nil || e["error"] == "" {
		t.Errorf("404 as JSON: %s", w.Body.String())
	}
	// A PDF page of a document that is not a PDF.
	var sha string
	s.db.QueryRow(`SELECT d.sha256 FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.id = ?`, d.html).Scan(&sha)
	if w := get(t, s, "/pages/"+sha+"/1.jpg"); w.Code != http.StatusNotFound {
		t.Errorf("page of an HTML document: %d", w.Code)
	}
}

// TestBadParameters: a parameter out of its range or list is a 400 that
// says what is wanted.
func TestBadParameters(t *testing.T) {
	_, s := newTestServer(t, Options{})
	for _, p := range []string{
		"/organs?year=abc", "/organs?year=1800", "/organs?level=x", "/organs?kind=x", "/organs?status=x",
		"/organs?province=3a", "/organs?page=0", "/organs?page=-1", "/organs?q=" + strings.Repeat("长", 101),
		"/findings?rule=nope", "/findings?region=x", "/findings?organ=abc", "/findings.json?year=x",
		"/search?q=ab", "/search?q=%ff%fe%fd", "/organs.csv?table=nope", "/sql?sql=" + url.QueryEscape(".tables"),
	} {
		w := get(t, s, p)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %.200s", p, w.Code, w.Body.String())
		}
	}
}

// TestReadOnly: nothing but GET and HEAD, no Host but loopback's when
// asked, archived documents as downloads only.
func TestReadOnly(t *testing.T) {
	d, s := newTestServer(t, Options{LoopbackOnly: true})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req := httptest.NewRequest(m, "/sql?sql=SELECT+1", strings.NewReader("sql=DELETE+FROM+reports"))
		req.Host = "127.0.0.1:8080"
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d", m, w.Code)
		}
	}
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "127.0.0.2": 200,
		"evil.example:8080": http.StatusMisdirectedRequest, "10.0.0.1:8080": http.StatusMisdirectedRequest, "": http.StatusMisdirectedRequest,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != want {
			t.Errorf("Host %q: %d, want %d", host, w.Code, want)
		}
	}
	var sha string
	s.db.QueryRow(`SELECT d.sha256 FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.id = ?`, d.html).Scan(&sha)
	req := httptest.NewRequest(http.MethodGet, "/documents/"+sha, nil)
	req.Host = "localhost"
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") ||
		!strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") || w.Header().Get("Content-Type") != "application/octet-stream" {
		t.Errorf("archived HTML: %d %v", w.Code, w.Header())
	}
	if !strings.Contains(w.Body.String(), "<table") {
		t.Errorf("archived HTML: not its bytes")
	}
}

// TestOrgansStaleCity: a city left chosen from another province is
// dropped, not taken as the region.
func TestOrgansStaleCity(t *testing.T) {
	_, s := newTestServer(t, Options{})
	var d organsData
	w := get(t, s, "/organs.json?province=32&city=4101&county=410102")
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || d.Filter.City != "" || d.Filter.County != "" || d.Filter.Province != "32" {
		t.Errorf("%d %+v %v", w.Code, d.Filter, err)
	}
	w = get(t, s, "/organs.json?province=32&city=3208&county=320813")
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil || d.Filter.City != "3208" || d.Filter.County != "320813" {
		t.Errorf("%d %+v %v", w.Code, d.Filter, err)
	}
}

// TestFindingsTries: the first try (the newest findings only) and the
// second (from the filter's side) give the same lists.
func TestFindingsTries(t *testing.T) {
	d, s := newTestServer(t, Options{})
	var organ int64
	s.db.QueryRow(`SELECT organ_id FROM reports WHERE id = ?`, d.carryOver).Scan(&organ)
	list := func(q string) string {
		w := get(t, s, "/findings.csv?"+q)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	defer func(w int) { findingsWindow = w }(findingsWindow)
	for _, q := range []string{"", "year=2022", "region=32", "region=3", "year=2023&region=4", "agency=" + url.QueryEscape("政府"),
		"rule=t3.carry_over", fmt.Sprintf("organ=%d", organ), "year=2030"} {
		findingsWindow = 1 << 30
		all := list(q)
		findingsWindow = 2
		if got := list(q); got != all {
			t.Errorf("%s: the second try differs:\n%s\nwant\n%s", q, got, all)
		}
		if q == "" && strings.Count(all, "\n") < 5 {
			t.Errorf("the test database has %d findings", strings.Count(all, "\n")-1)
		}
	}
}

// TestEveryPagePostgres: the test database written into PostgreSQL serves
// every page in every format, and each page's JSON is SQLite's (the home
// page aside: it says when it was read).
func TestEveryPagePostgres(t *testing.T) {
	lite, ls := newTestServer(t, Options{})
	d := &testDB{}
	if err := buildTestDBAt(d, pgtest.DB(t)); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), d.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ps, err := New(context.Background(), st, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if d.pdf != lite.pdf || d.panelOrgan != lite.panelOrgan || d.hostile != lite.hostile || d.carryOver != lite.carryOver {
		t.Fatalf("the two databases number their reports differently: %+v, %+v", d, lite)
	}
	for _, p := range pagePaths(d) {
		for _, ext := range []string{"", ".json", ".csv"} {
			fp := p
			if ext != "" {
				fp = withFormat(p, ext)
			}
			w := get(t, ps, fp)
			if w.Code != http.StatusOK {
				t.Errorf("%s: %d\n%.300s", fp, w.Code, w.Body.String())
				continue
			}
			// The home page says when it was read; the SQL page's query
			// leaves its order to the database.
			if ext == ".json" && p != "/" && !strings.HasPrefix(p, "/sql") {
				if got, want := jsonLines(w.Body.String()), jsonLines(get(t, ls, fp).Body.String()); got != want {
					t.Errorf("%s: PostgreSQL's JSON differs from SQLite's:\n%s\n---\n%s", fp, got, want)
				}
			}
		}
	}
}

// jsonLines is a page's JSON lines, sorted, without what differs between
// two writings of one database: when a document was read, how long a query
// took, the search's snippets (FTS5 cuts them on SQLite, the server on
// PostgreSQL), and the findings' ids (a batch commits when a second has
// passed, so cross-year findings come in its transactions' order).
func jsonLines(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, `"parsed_at"`) || strings.HasPrefix(t, `"seconds"`) ||
			strings.HasPrefix(t, `"first_seen"`) || strings.HasPrefix(t, `"last_seen"`) || strings.HasPrefix(t, `"snippet"`) ||
			strings.HasPrefix(t, `"finding_id"`) {
			continue
		}
		keep = append(keep, strings.TrimSpace(strings.TrimSuffix(l, ",")))
	}
	slices.Sort(keep)
	return strings.Join(keep, "\n")
}
