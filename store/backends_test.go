package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/pipeline"
)

// backend is a database a test runs on: a SQLite file or a PostgreSQL
// database of its own (pgtest).
type backend struct {
	name string
	dsn  string
}

// open opens (creating) the backend's store, closed when the test ends.
func (b backend) open(t testing.TB, clock *fixedClock) *Store {
	t.Helper()
	var opt Options
	if clock != nil {
		opt.Now = clock.now
	}
	s, err := Open(context.Background(), b.dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (b backend) pg() bool { return b.name == "postgres" }

// forBackends runs a test's body on SQLite and on PostgreSQL, as subtests
// "sqlite" and "postgres" (skipped without a server, see pgtest).
func forBackends(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "test.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, backend{name: "postgres", dsn: pgtest.DB(t)})
	})
}

// sqlFor picks a test's SQL by backend, where the two must differ.
func (b backend) sqlFor(sqlite, postgres string) string {
	if b.pg() {
		return postgres
	}
	return sqlite
}

// answerCorpus writes a corpus with every kind of report the store tells
// apart into s, in one batch: generated reports of both templates (some
// with findings), versions, a copy in another format, cross-year pairs,
// an unsupported document and reports without organ or year.
func answerCorpus(t *testing.T, s *Store) {
	t.Helper()
	parse := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		if bytes.HasPrefix(data, []byte("FAKE\n")) {
			return fakeParse(ctx, source, data, opt)
		}
		return pipeline.Read(ctx, source, data, opt)
	}
	setParse(t, parse)
	ctx := context.Background()
	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write := func(source string, data []byte) {
		t.Helper()
		if _, err := w.Write(s.prepareDoc(ctx, source, nil, data, 0)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		name, data := storetest.Doc(13, i)
		write(name, data)
	}
	for y := 2020; y <= 2024; y++ {
		write(fmt.Sprintf("huaian-%d", y), fakeDoc("淮安市人民政府", y, fmt.Sprintf("cell t3.carried.total=%d", y-2019),
			fmt.Sprintf("cell t3.carry_forward.total=%d", y-2017), "section 5=依申请公开工作稳步推进", "template=2021"))
	}
	write("huaian-2023-v2", fakeDoc("淮安市人民政府", 2023, "cell t3.carried.total=4", "cell t3.carry_forward.total=5", "template=2021"))
	write("huaian-2023-v2.pdf", fakeDoc("淮安市人民政府", 2023, "format=pdf", "cell t3.carried.total=4", "cell t3.carry_forward.total=5", "template=2021"))
	write("unsupported", fakeDoc("丙县人民政府", 2023, "status=unsupported"))
	write("no-organ", fakeDoc("", 2022, "cell t3.new.total=5", "section 1=没有机关的报告"))
	write("no-year", fakeDoc("乙县人民政府", 0, "cell t3.new.total=6"))
	write("garbage", []byte("garbage"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// answers is what the store's read API says about its reports, as text:
// Reports (all versions, and by text), Organs, Panel (by organ and by
// province) and every export table.
func answers(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, f := range []ReportFilter{{AllVersions: true}, {}, {Text: "公开"}, {Text: "稳步推进"}, {Agency: "淮安", Year: 2023}} {
		fmt.Fprintf(&b, "## reports %+v\n", f)
		if err := s.Reports(ctx, f, func(r ReportInfo) error {
			r.ParsedAt = ""
			fmt.Fprintf(&b, "%+v\n", r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	b.WriteString("## organs\n")
	if err := s.Organs(ctx, "", func(o OrganInfo) error { fmt.Fprintf(&b, "%+v\n", o); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, by := range []string{"organ", "province", "city"} {
		fmt.Fprintf(&b, "## panel %s\n", by)
		if err := s.Panel(ctx, PanelFilter{By: by}, func(cols []string) error { fmt.Fprintln(&b, cols); return nil },
			func(vals []any) error { fmt.Fprintln(&b, vals...); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, tb := range s.ExportTables() {
		fmt.Fprintf(&b, "## export %s %v\n", tb.Name, tb.Columns)
		if err := tb.Rows(ctx, func(vals []any) error { fmt.Fprintln(&b, vals...); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestSameAnswersOnBothBackends: the same documents written into SQLite
// and into PostgreSQL give the same reports, versions, copies, organs,
// cross-year findings, panel and exports, value for value.
func TestSameAnswersOnBothBackends(t *testing.T) {
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	sq := backend{name: "sqlite", dsn: filepath.Join(t.TempDir(), "test.db")}.open(t, clock)
	pg := backend{name: "postgres", dsn: pgtest.DB(t)}.open(t, clock)
	answerCorpus(t, sq)
	answerCorpus(t, pg)
	a, b := answers(t, sq), answers(t, pg)
	if a != b {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		for i := 0; i < len(al) || i < len(bl); i++ {
			var x, y string
			if i < len(al) {
				x = al[i]
			}
			if i < len(bl) {
				y = bl[i]
			}
			if x != y {
				t.Fatalf("line %d differs:\nsqlite:   %s\npostgres: %s", i+1, x, y)
			}
		}
	}
	if n := strings.Count(a, "\n"); n < 500 {
		t.Fatalf("only %d lines of answers", n)
	}
}

// TestConcurrentWritersPostgres: four stores (as four processes would
// open them) write overlapping documents into one PostgreSQL database at
// once, in batches and one by one, in different orders: every document
// is stored once, every organ and year has its versions 1…n with one
// current, each superseded version pointing at the next, the copies
// pointing at a version; and the result is the one a single writer makes
// (the same reports, versions aside from their order).
func TestConcurrentWritersPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	// 12 organs × 3 years × 3 revisions, and a PDF copy of each first
	// revision: 144 documents, each written by every writer.
	type doc struct {
		source string
		data   []byte
	}
	var docs []doc
	// 2022 carries forward what 2023 does not carry over: a cross-year
	// finding on each organ's 2023, whichever versions are current.
	carryForward := func(y int) int {
		if y == 2022 {
			return 99
		}
		return y - 2019
	}
	organs := []string{"淮安市人民政府", "洪泽区人民政府", "沭阳县人民政府", "新乡市人民政府", "卫滨区人民政府", "洛阳市人民政府",
		"宜昌市人民政府", "绍兴市人民政府", "泉州市人民政府", "赣州市人民政府", "遵义市人民政府", "曲靖市人民政府"}
	for _, o := range organs {
		for y := 2021; y <= 2023; y++ {
			for rev := 1; rev <= 3; rev++ {
				docs = append(docs, doc{fmt.Sprintf("%s-%d-%d", o, y, rev), fakeDoc(o, y, "template=2021",
					fmt.Sprintf("cell t3.new.total=%d", rev), fmt.Sprintf("cell t3.carried.total=%d", y-2020),
					fmt.Sprintf("cell t3.carry_forward.total=%d", carryForward(y)))})
			}
			docs = append(docs, doc{fmt.Sprintf("%s-%d-1.pdf", o, y), fakeDoc(o, y, "template=2021", "format=pdf",
				"cell t3.new.total=1", fmt.Sprintf("cell t3.carried.total=%d", y-2020),
				fmt.Sprintf("cell t3.carry_forward.total=%d", carryForward(y)))})
		}
	}
	const writers = 4
	errs := make(chan error, writers)
	for k := range writers {
		go func() {
			s, err := Open(ctx, dsn, Options{})
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			order := make([]doc, len(docs))
			copy(order, docs)
			rng := rand.New(rand.NewPCG(uint64(k), 1))
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			if k%2 == 0 {
				// A batch writer, ten documents a transaction.
				w, err := s.NewWriter(ctx)
				if err != nil {
					errs <- err
					return
				}
				defer w.Close()
				for i, d := range order {
					if _, err := w.Write(s.prepareDoc(ctx, d.source, nil, d.data, 0)); err != nil {
						errs <- err
						return
					}
					if i%10 == 9 {
						if err := w.Commit(); err != nil {
							errs <- err
							return
						}
					}
				}
				errs <- w.Commit()
				return
			}
			for _, d := range order {
				if _, err := s.ingest(ctx, Input{Source: d.source, Data: d.data}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	retried := pgRetried.Load()
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d transactions written again after a deadlock or serialization failure", pgRetried.Load()-retried)
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.Reader()
	for q, want := range map[string]int{
		`SELECT count(*) FROM documents`:                           len(docs),
		`SELECT count(DISTINCT sha256) FROM documents`:             len(docs),
		`SELECT count(*) FROM reports`:                             len(docs),
		`SELECT count(*) FROM archive`:                             len(docs),
		`SELECT count(*) FROM organs WHERE placed_how <> 'parent'`: len(organs),
		// Every organ and year: versions 1, 2, 3, one current, one copy.
		`SELECT count(*) FROM reports WHERE current`:             len(organs) * 3,
		`SELECT count(*) FROM reports WHERE same_as IS NOT NULL`: len(organs) * 3,
		`SELECT count(*) FROM (SELECT organ_id, year FROM reports WHERE version IS NOT NULL GROUP BY organ_id, year
			HAVING count(*) = 3 AND min(version) = 1 AND max(version) = 3 AND count(DISTINCT version) = 3) g`: len(organs) * 3,
		// Each superseded version points at the next one.
		`SELECT count(*) FROM reports r JOIN reports n ON n.id = r.superseded_by
			WHERE n.version = r.version + 1 AND n.organ_id = r.organ_id AND n.year = r.year`: len(organs) * 3 * 2,
		// A copy points at a version of its organ and year with its figures.
		`SELECT count(*) FROM reports c JOIN reports v ON v.id = c.same_as
			WHERE v.version IS NOT NULL AND v.figures = c.figures AND v.organ_id = c.organ_id AND v.year = c.year AND c.version IS NULL`: len(organs) * 3,
		// Every source of every writer is recorded once.
		`SELECT count(*) FROM document_sources`: len(docs),
		// Cross-year findings between the current reports only: one on
		// each organ's current 2023, naming its current 2022.
		`SELECT count(*) FROM findings WHERE other_report_id IS NOT NULL`: len(organs),
		`SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report_id JOIN reports p ON p.id = f.other_report_id
			WHERE r.current AND p.current AND r.year = 2023 AND p.year = 2022 AND p.organ_id = r.organ_id`: len(organs),
	} {
		if n := count(t, db, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
	// Versions are numbered in the order the documents were stored (ids).
	if n := count(t, db, `SELECT count(*) FROM reports a JOIN reports b ON a.organ_id = b.organ_id AND a.year = b.year
		WHERE a.version < b.version AND a.id > b.id`); n != 0 {
		t.Errorf("%d pairs of versions numbered against the order they were stored in", n)
	}
}

// TestReadOnlyPostgres: a store opened read-only on PostgreSQL runs each
// query in a READ ONLY transaction of its own, as the reader role where
// the migration could make it, with a statement timeout: a write is
// refused, a SET does not outlive its query, and the store cannot be
// written through its API.
func TestReadOnlyPostgres(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	w := backend{name: "postgres", dsn: dsn}.open(t, nil)
	if _, err := w.ingest(ctx, Input{Source: "a", Data: fakeDoc("甲市人民政府", 2023, "cell t3.new.total=5")}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := s.Reader()
	for _, q := range []string{
		`INSERT INTO store_meta(key, value) VALUES ('x', 'y')`,
		`DELETE FROM reports`,
		`WITH d AS (DELETE FROM cells RETURNING 1) SELECT count(*) FROM d`,
		`CREATE TABLE x (a int)`,
	} {
		rows, err := db.QueryContext(ctx, q)
		if err == nil {
			rows.Close()
		}
		if err == nil || !IsReadOnlyRefusal(err) {
			t.Errorf("%s: %v, want a read-only refusal", q, err)
		}
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM reports`); err == nil || !IsReadOnlyRefusal(err) {
		t.Errorf("Exec: %v, want a read-only refusal", err)
	}
	// A SET in one query is rolled back with it: the next still reads only.
	db.SetMaxOpenConns(1)
	for _, q := range []string{`SET default_transaction_read_only = off`, `SET SESSION ROLE NONE`} {
		if rows, err := db.QueryContext(ctx, q); err == nil {
			rows.Close()
		}
		rows, err := db.QueryContext(ctx, `INSERT INTO store_meta(key, value) VALUES ('x', 'y')`)
		if err == nil {
			rows.Close()
			t.Errorf("a write after %s went through", q)
		}
	}
	var user, ro, timeout string
	if err := db.QueryRowContext(ctx, `SELECT current_user, current_setting('transaction_read_only'), current_setting('statement_timeout')`).Scan(&user, &ro, &timeout); err != nil {
		t.Fatal(err)
	}
	var hasRole bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nianbao_reader')`).Scan(&hasRole); err != nil {
		t.Fatal(err)
	}
	if ro != "on" || timeout != pgReadTimeout || (hasRole && user != "nianbao_reader") {
		t.Errorf("a read runs as %s, read only %s, timeout %s (the reader role exists: %v)", user, ro, timeout, hasRole)
	}
	if n := count(t, db, `SELECT count(*) FROM v_reports`); n != 1 {
		t.Errorf("the reader sees %d reports, want 1", n)
	}
	if err := s.ArchivePut("00", nil); err == nil {
		t.Error("ArchivePut on a read-only store")
	}
	if _, err := s.Write(ctx, &Doc{Source: "b"}); err == nil {
		t.Error("Write on a read-only store")
	}
}
