package web

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/organ"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// hostileAgency and hostileProse are the organ name and prose of a report
// made to test escaping: markup, quotes of both kinds, an ampersand.
const (
	hostileAgency = `<script>alert("organ")</script>'引号"县人民政府`
	hostileProse  = `<script>alert('prose')</script> "双引号" & 'single' <img src=x onerror=alert(1)> 信息处理费`
)

// testDB is the database of the web tests, made once per test binary: the
// three real samples (a PDF, an HTML page, a text), a generated panel of
// organs over 2019–2025 with cross-year findings, and a hostile report.
type testDB struct {
	dir  string
	path string
	// Report ids by what they are.
	pdf, html, text, hostile int64
	// A report of the panel with a cross-year finding (rule 5).
	carryOver int64
	// An organ of the panel with several years.
	panelOrgan int64
}

var (
	sharedDB     *testDB
	sharedDBErr  error
	sharedDBOnce sync.Once
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedDB != nil {
		os.RemoveAll(sharedDB.dir)
	}
	os.Exit(code)
}

// openTestDB builds the shared database (first call) and opens it read-only.
func openTestDB(t testing.TB) (*testDB, *store.Store) {
	t.Helper()
	sharedDBOnce.Do(func() { sharedDB, sharedDBErr = buildTestDB() })
	if sharedDBErr != nil {
		t.Fatal(sharedDBErr)
	}
	st, err := store.Open(context.Background(), sharedDB.path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return sharedDB, st
}

func buildTestDB() (*testDB, error) {
	dir, err := os.MkdirTemp("", "nianbao-web-test-")
	if err != nil {
		return nil, err
	}
	d := &testDB{dir: dir}
	return d, buildTestDBAt(d, filepath.Join(dir, "test.db"))
}

// buildTestDBAt writes the test database into dsn, a SQLite file or a
// PostgreSQL database.
func buildTestDBAt(d *testDB, dsn string) error {
	d.path = dsn
	ctx := context.Background()
	st, err := store.Open(ctx, d.path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	var items []ingest.Item
	add := func(source string, data []byte) {
		items = append(items, ingest.Item{Source: source, Load: func() ([]byte, error) { return data, nil }})
	}
	for _, f := range []string{"huaian-szf-2024.pdf", "shanghai-bgt-2019.html", "weibin-2019-text.txt"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "samples", f))
		if err != nil {
			return err
		}
		add(f, data)
	}
	divs, err := organ.Bundled()
	if err != nil {
		return err
	}
	_, reports := fixture.Panel(7, 12, divs)
	rng := rand.New(rand.NewPCG(7, 8))
	for i, r := range reports {
		add(fmt.Sprintf("panel-%02d.txt", i), fixture.Text(r.Spec, fixture.RandomTextStyle(rng)))
	}
	add("hostile.txt", storetest.FakeDoc(hostileAgency, 2021, "template=2021", "cell t3.new.total=5", "cell t3.new.natural=0",
		"section 1="+hostileProse, "finding t3.balance t3.new.total t3.carried.total"))
	parse := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		if bytes.HasPrefix(data, []byte("FAKE\n")) {
			return storetest.FakeParse(ctx, source, data, opt)
		}
		return pipeline.Read(ctx, source, data, opt)
	}
	seq := func(yield func(ingest.Item) bool) {
		for _, it := range items {
			if !yield(it) {
				return
			}
		}
	}
	if err := ingest.Batch(ctx, st, seq, ingest.Options{Parse: parse}); err != nil {
		return err
	}
	db := st.Reader()
	for _, q := range []struct {
		dst *int64
		sql string
	}{
		{&d.pdf, `SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE d.format = 'pdf'`},
		{&d.html, `SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE d.source LIKE '%shanghai%'`},
		{&d.text, `SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE d.source LIKE '%weibin%'`},
		{&d.hostile, `SELECT r.id FROM reports r JOIN documents d ON d.id = r.document_id WHERE d.source LIKE '%hostile%'`},
		{&d.carryOver, `SELECT f.report_id FROM findings f JOIN reports r ON r.id = f.report_id WHERE f.rule = 't3.carry_over' AND r.current ORDER BY f.report_id LIMIT 1`},
		{&d.panelOrgan, `SELECT organ_id FROM reports WHERE current AND organ_id IS NOT NULL GROUP BY organ_id ORDER BY count(*) DESC, organ_id LIMIT 1`},
	} {
		if err := db.QueryRow(q.sql).Scan(q.dst); err != nil {
			return fmt.Errorf("test database: %s: %w", q.sql, err)
		}
	}
	return nil
}

// newTestServer serves the test database.
func newTestServer(t testing.TB, opt Options) (*testDB, *Server) {
	t.Helper()
	d, st := openTestDB(t)
	if opt.CacheDir == "" {
		opt.CacheDir = t.TempDir()
	}
	s, err := New(context.Background(), st, opt)
	if err != nil {
		t.Fatal(err)
	}
	return d, s
}

// get requests a path of the server.
func get(t testing.TB, s http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}
