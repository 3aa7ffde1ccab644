package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
)

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "n.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, s.Reader(), `SELECT count(*) FROM schema_migrations`); got != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", got, len(ms))
	}
	if got, want := count(t, s.Reader(), `SELECT count(*) FROM fields`), len(nianbao.AllFields()); got != want {
		t.Fatalf("fields has %d rows, want %d", got, want)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	if got := count(t, s.db, `PRAGMA foreign_keys`); got != 1 {
		t.Fatal("foreign keys are off")
	}
	before := dump(t, s.Reader())
	s.Close()

	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if after := dump(t, s.Reader()); after != before {
		t.Fatalf("reopening changed the database:\n%s\n---\n%s", before, after)
	}
}

func TestOpenRefusesChangedOrUnknownMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "n.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE schema_migrations SET checksum = 'x' WHERE version = 1`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "changed after it was applied") {
		t.Fatalf("open with an edited migration: %v", err)
	}

	path = filepath.Join(t.TempDir(), "m.db")
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 'now')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path, Options{}); err == nil || !strings.Contains(err.Error(), "newer nianbao") {
		t.Fatalf("open a database from a newer program: %v", err)
	}
}

func TestOpenReadOnlyMissingDatabase(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "none.db"), Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("got %v", err)
	}
}

func TestIngestStoresEverything(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
		s := be.open(t, clock)
		doc := fakeDoc("甲市人民政府", 2023, "template=2021", "cell t3.new.natural=13", "cell t3.new.total=20",
			"cell t2.fees.amount=14.2404", "extra t3.x.subtotal.natural=7", "extra t3.x.subtotal.natural=8", "extra t3.new.x.小计=9",
			"finding t3.balance t3.new.total t3.carried.total", "section 1=本机关坚持以公开为常态",
			"section 6=本年度未收取信息处理费")
		out, err := s.ingest(ctx, Input{Source: "https://example.gov.cn/a.html", Data: doc,
			Fetch: &Fetch{ETag: `"abc"`, LastModified: "Tue, 01 Mar 2025 08:00:00 GMT", ContentType: "text/html", FetchedAt: clock.t}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Result != ResultNew || out.Status != nianbao.StatusFindings || out.Version != 1 || out.Findings != 1 ||
			out.Agency != "甲市人民政府" || out.Year != 2023 || out.ReportID == 0 || out.DocumentID == 0 {
			t.Fatalf("outcome %+v", out)
		}
		db := s.Reader()

		var sha, format, source, etag, lm, ctype, fetched string
		var size int64
		if err := db.QueryRow(`SELECT sha256, size, format, source, etag, last_modified, content_type, fetched_at FROM documents`).
			Scan(&sha, &size, &format, &source, &etag, &lm, &ctype, &fetched); err != nil {
			t.Fatal(err)
		}
		if sha != out.SHA256 || size != int64(len(doc)) || format != "text" || source != "https://example.gov.cn/a.html" ||
			etag != `"abc"` || ctype != "text/html" || fetched != "2025-03-01T08:00:00Z" {
			t.Fatalf("document row: %s %d %s %s %s %s %s %s", sha, size, format, source, etag, lm, ctype, fetched)
		}
		got, err := s.ArchiveGet(sha)
		if err != nil || string(got) != string(doc) {
			t.Fatalf("archive: %v", err)
		}

		// Every canonical cell of the template, plus both extra cells (the
		// repeated key kept under a suffix), blank cells flagged, and the
		// （六） row derived from the three sub-rows the 2021 template prints:
		// blank, as they are.
		want := len(nianbao.Schema(nianbao.Template2021)) + 3 + len(nianbao.T3Cols)
		if n := count(t, db, `SELECT count(*) FROM cells`); n != want {
			t.Fatalf("%d cells, want %d", n, want)
		}
		if n := count(t, db, `SELECT count(*) FROM cells WHERE derived = 1 AND key LIKE 't3.other.%' AND value IS NULL AND blank = 'blank' AND raw IS NULL`); n != len(nianbao.T3Cols) {
			t.Fatalf("%d derived （六） cells, want %d", n, len(nianbao.T3Cols))
		}
		var value float64
		var raw, uncertain, unit, engine string
		var page, tbl int
		var x1 float64
		if err := db.QueryRow(`SELECT value, raw, uncertain, unit, page, x1, tbl, engine FROM cells WHERE key = 't3.new.natural'`).
			Scan(&value, &raw, &uncertain, &unit, &page, &x1, &tbl, &engine); err != nil {
			t.Fatal(err)
		}
		if value != 13 || raw != "13" || uncertain != "fake doubt" || unit != "件" || page != 3 || x1 != 3 || tbl != 1 || engine != "fake" {
			t.Fatalf("cell t3.new.natural: %v %q %q %q %d %v %d %q", value, raw, uncertain, unit, page, x1, tbl, engine)
		}
		if n := count(t, db, `SELECT count(*) FROM cells WHERE key = 't2.fees.amount' AND value = 14.2404`); n != 1 {
			t.Fatal("amount not stored exactly")
		}
		if n := count(t, db, `SELECT count(*) FROM cells WHERE key = 't3.carried.natural' AND value IS NULL AND blank = 'blank'`); n != 1 {
			t.Fatal("blank cell not flagged")
		}
		if n := count(t, db, `SELECT count(*) FROM cells WHERE extra = 1 AND key IN ('t3.x.subtotal.natural', 't3.x.subtotal.natural#2') AND label LIKE '额外%'`); n != 2 {
			t.Fatalf("extra cells: %d", n)
		}
		var rule, cells string
		if err := db.QueryRow(`SELECT rule, cells FROM findings`).Scan(&rule, &cells); err != nil || rule != "t3.balance" || cells != `["t3.new.total","t3.carried.total"]` {
			t.Fatalf("finding %q %q %v", rule, cells, err)
		}
		// Full text search: trigram for three characters and more.
		if n := count(t, db, be.sqlFor(`SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '信息处理费'`,
			`SELECT count(*) FROM sections WHERE text LIKE '%信息处理费%'`)); n != 1 {
			t.Fatalf("fts match: %d", n)
		}
		if n := count(t, db, be.sqlFor(`SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '公开为常态'`,
			`SELECT count(*) FROM sections WHERE text LIKE '%公开为常态%'`)); n != 1 {
			t.Fatalf("fts match: %d", n)
		}
		// The views.
		var agency string
		var total float64
		if err := db.QueryRow(`SELECT agency, t3_new_total FROM v_reports`).Scan(&agency, &total); err != nil || agency != "甲市人民政府" || total != 20 {
			t.Fatalf("v_reports: %q %v %v", agency, total, err)
		}
		if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row_label IS NOT NULL AND derived = 0`); n != len(nianbao.T3Rows(true)) {
			t.Fatalf("v_table3 has %d canonical rows", n)
		}
		if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row = 'other' AND derived = 1 AND total IS NULL`); n != 1 {
			t.Fatalf("v_table3 has %d derived （六） rows, want 1", n)
		}
		var natural, rowTotal float64
		var label string
		if err := db.QueryRow(`SELECT row_label, "natural", total FROM v_table3 WHERE row = 'new'`).Scan(&label, &natural, &rowTotal); err != nil ||
			natural != 13 || rowTotal != 20 || label != "一、本年新收政府信息公开申请数量" {
			t.Fatalf("v_table3 new: %q %v %v %v", label, natural, rowTotal, err)
		}
		// An extra row of table 三 is a row of the view; an extra column of a
		// standard row is not.
		if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row_label IS NULL`); n != 1 {
			t.Fatalf("v_table3 has %d extra rows, want 1", n)
		}
		if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row = 'x.subtotal' AND "natural" = 7 AND total IS NULL`); n != 1 {
			t.Fatal("v_table3 lacks the extra row x.subtotal")
		}
		// Rows come in printed order.
		var first, last string
		db.QueryRow(`SELECT row FROM v_table3 WHERE row_ord IS NOT NULL ORDER BY row_ord LIMIT 1`).Scan(&first)
		db.QueryRow(`SELECT row FROM v_table3 WHERE row_ord IS NOT NULL ORDER BY row_ord DESC LIMIT 1`).Scan(&last)
		if first != "new" || last != "carry_forward" {
			t.Errorf("v_table3 row order: first %q, last %q", first, last)
		}
		if n := count(t, db, `SELECT count(*) FROM v_table4`); n != 3 {
			t.Fatalf("v_table4 rows: %d", n)
		}
		// Table 二: the 2021 rows, each with its own columns, in printed order.
		if n := count(t, db, `SELECT count(*) FROM v_table2`); n != len(nianbao.T2Rows2021) {
			t.Fatalf("v_table2 rows: %d, want %d", n, len(nianbao.T2Rows2021))
		}
		if n := count(t, db, `SELECT count(*) FROM v_table2 WHERE row = 'fees' AND row_label = '行政事业性收费' AND amount = 14.2404
			AND made IS NULL AND decisions IS NULL`); n != 1 {
			t.Fatal("v_table2 lacks the fees amount")
		}
		db.QueryRow(`SELECT row FROM v_table2 ORDER BY row_ord LIMIT 1`).Scan(&first)
		db.QueryRow(`SELECT row FROM v_table2 ORDER BY row_ord DESC LIMIT 1`).Scan(&last)
		if first != "rules" || last != "fees" {
			t.Errorf("v_table2 row order: first %q, last %q", first, last)
		}
		if n := count(t, db, `SELECT count(*) FROM v_cells WHERE col_label = '自然人' AND derived = 0`); n != len(nianbao.T3Rows(true)) {
			t.Fatalf("v_cells with labels: %d", n)
		}
	})
}

func TestIngestSameBytesChangesNothing(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
		s := be.open(t, clock)
		docs := [][]byte{
			fakeDoc("甲市人民政府", 2023, "cell t3.new.total=5"),
			fakeDoc("乙县人民政府", 2023, "status=unsupported"),
			[]byte("garbage"),
		}
		for i, d := range docs {
			if _, err := s.ingest(ctx, Input{Source: "doc" + string(rune('a'+i)), Data: d}); err != nil {
				t.Fatal(err)
			}
		}
		skip := []string{"documents.last_seen", "document_sources.last_seen"}
		before := dump(t, s.Reader(), skip...)
		clock.t = clock.t.Add(time.Hour)
		for i, d := range docs {
			out, err := s.ingest(ctx, Input{Source: "doc" + string(rune('a'+i)), Data: d})
			if err != nil {
				t.Fatal(err)
			}
			if out.Result != ResultUnchanged {
				t.Fatalf("second ingest of doc %d: %+v", i, out)
			}
		}
		if after := dump(t, s.Reader(), skip...); after != before {
			t.Fatalf("second ingest changed the store:\n%s\n---\n%s", before, after)
		}
		if n := count(t, s.Reader(), `SELECT count(*) FROM documents WHERE last_seen = '2025-03-01T09:00:00Z' AND first_seen = '2025-03-01T08:00:00Z'`); n != 3 {
			t.Fatalf("last_seen not moved on: %d", n)
		}
		// The same bytes from another place: one more source, nothing else.
		out, err := s.ingest(ctx, Input{Source: "mirror/a", Data: docs[0]})
		if err != nil || out.Result != ResultUnchanged {
			t.Fatalf("%+v %v", out, err)
		}
		if n := count(t, s.Reader(), `SELECT count(*) FROM document_sources`); n != 4 {
			t.Fatalf("%d sources", n)
		}
	})
}

func TestVersions(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		v1 := ingest("v1", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=5"))
		other := ingest("other", fakeDoc("甲市人民政府", 2022, "cell t3.new.total=4"))
		v2 := ingest("v2", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=6"))
		// An unreadable copy of the same report does not replace a good one.
		bad := ingest("bad", fakeDoc("甲市人民政府", 2023, "status=needs_ocr"))
		v3 := ingest("v3", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=7"))

		if v1.Result != ResultNew || v1.Version != 1 || other.Version != 1 {
			t.Fatalf("v1 %+v other %+v", v1, other)
		}
		if v2.Result != ResultNewVersion || v2.Version != 2 || v2.Supersedes != v1.ReportID {
			t.Fatalf("v2 %+v", v2)
		}
		if bad.Result != ResultNew || bad.Version != 0 || bad.Status != nianbao.StatusNeedsOCR || bad.Reason == "" {
			t.Fatalf("bad %+v", bad)
		}
		if v3.Result != ResultNewVersion || v3.Version != 3 || v3.Supersedes != v2.ReportID {
			t.Fatalf("v3 %+v", v3)
		}
		db := s.Reader()
		// History: every version stays, each pointing at its successor.
		rows, err := db.Query(`SELECT r.version, r.superseded_by, CASE WHEN r.current THEN 1 ELSE 0 END, c.value FROM reports r
			JOIN cells c ON c.report_id = r.id AND c.key = 't3.new.total'
			WHERE r.agency = '甲市人民政府' AND r.year = 2023 AND r.version IS NOT NULL ORDER BY r.version`)
		if err != nil {
			t.Fatal(err)
		}
		var hist []string
		for rows.Next() {
			var v, cur int
			var by *int64
			var val float64
			rows.Scan(&v, &by, &cur, &val)
			s := "none"
			if by != nil {
				s = map[int64]string{v2.ReportID: "v2", v3.ReportID: "v3"}[*by]
			}
			hist = append(hist, strings.Join([]string{string(rune('0' + v)), s, string(rune('0' + cur)), string(rune('0' + int(val)))}, ":"))
		}
		rows.Close()
		if want := []string{"1:v2:0:5", "2:v3:0:6", "3:none:1:7"}; !slices.Equal(hist, want) {
			t.Fatalf("history %v, want %v", hist, want)
		}
		// The views show the current version only.
		if n := count(t, db, `SELECT count(*) FROM v_reports WHERE agency = '甲市人民政府' AND year = 2023 AND t3_new_total = 7`); n != 1 {
			t.Fatal("v_reports does not show the current version")
		}
		if n := count(t, db, `SELECT count(*) FROM v_reports`); n != 2 {
			t.Fatalf("v_reports has %d rows", n)
		}
		// Re-ingesting an old version changes nothing: it stays superseded.
		again := ingest("v1-again", fakeDoc("甲市人民政府", 2023, "cell t3.new.total=5"))
		if again.Result != ResultUnchanged || again.Version != 1 {
			t.Fatalf("old version again: %+v", again)
		}
		if n := count(t, db, `SELECT count(*) FROM reports WHERE current AND agency = '甲市人民政府' AND year = 2023`); n != 1 {
			t.Fatalf("%d current versions", n)
		}
	})
}

func TestMigrationChecksumIgnoresComments(t *testing.T) {
	a := checksum("-- a table\nCREATE TABLE x (a INTEGER); -- why\n\n")
	b := checksum("-- the table, reworded\n\nCREATE TABLE x (a INTEGER);\n")
	c := checksum("CREATE TABLE x (a TEXT);")
	if a != b {
		t.Error("a comment edit changed the checksum")
	}
	if a == c {
		t.Error("a statement edit kept the checksum")
	}
}

func TestFieldsInPrintedOrder(t *testing.T) {
	s := openFake(t, nil)
	rows, err := s.Reader().Query(`SELECT key FROM fields ORDER BY ord`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) != len(nianbao.AllFields()) {
		t.Fatalf("%d fields", len(keys))
	}
	pos := func(k string) int { return slices.Index(keys, k) }
	for _, pair := range [][2]string{
		{"t2.rules.made", "t2.normative.made"}, {"t2.rules.issued", "t2.normative.issued"},
		{"t2.procurement.amount", "t3.new.natural"}, {"t3.new.natural", "t3.new.total"},
		{"t3.rejected.confirm.total", "t3.other.natural"}, {"t3.rejected.confirm.total", "t3.other.no_correction.natural"},
		{"t3.other.other.total", "t3.outcome_total.natural"}, {"t3.other.total", "t3.outcome_total.natural"},
		{"t3.carry_forward.total", "t4.review.upheld"}, {"t4.review.total", "t4.suit_direct.upheld"},
	} {
		if pos(pair[0]) < 0 || pos(pair[0]) >= pos(pair[1]) {
			t.Errorf("%s (%d) not before %s (%d)", pair[0], pos(pair[0]), pair[1], pos(pair[1]))
		}
	}
}

// A transaction that fails to commit is rolled back and its connection
// given back clean: the writer has a single connection, so a leaked one
// would hang the next write, and a leaked open transaction would commit
// the failed writes with it.
func TestFailedCommitRollsBackAndFreesTheConnection(t *testing.T) {
	s := openFake(t, nil)
	ctx := context.Background()
	w, err := s.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Foreign keys checked at COMMIT: a cell of no report makes it fail.
	if _, err := w.exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.exec(`INSERT INTO cells(report_id, key, value) VALUES (999, 't3.new.total', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := w.commit(); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("commit: %v, want a foreign key failure", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.ingest(ctx, Input{Source: "a", Data: fakeDoc("甲", 2023, "cell t3.new.total=5")})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the next write waited for the connection of the failed transaction")
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM cells WHERE report_id = 999`); n != 0 {
		t.Fatal("the failed transaction's cell was kept")
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM cells WHERE key = 't3.new.total' AND value = 5`); n != 1 {
		t.Fatalf("%d cells of the next write, want 1", n)
	}
	// A rolled-back transaction frees it too.
	if w, err = s.begin(ctx); err != nil {
		t.Fatal(err)
	}
	w.rollback()
	if w, err = s.begin(ctx); err != nil {
		t.Fatal(err)
	}
	w.rollback()
}

// An archive file cut short by a crash (the document's row never
// committed) is written again whole by the next ingest of the document.
func TestArchiveFileCutShortIsRewritten(t *testing.T) {
	s := openFake(t, nil)
	doc := fakeDoc("丙", 2023, "cell t3.new.total=9", "section 1="+strings.Repeat("公开", 500))
	sum := sha256.Sum256(doc)
	sha := hex.EncodeToString(sum[:])
	path := s.archivePath(sha)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc[:len(doc)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ArchiveGet(sha); err == nil {
		t.Fatal("ArchiveGet took a file cut short")
	}
	out, err := s.ingest(context.Background(), Input{Source: "c", Data: doc})
	if err != nil || out.Result != ResultNew {
		t.Fatalf("%+v %v", out, err)
	}
	got, err := s.ArchiveGet(sha)
	if err != nil || !bytes.Equal(got, doc) {
		t.Fatalf("archive after ingest: %d bytes, %v", len(got), err)
	}
	// Written whole, it is left alone the next time.
	fi, _ := os.Stat(path)
	if _, err := s.ingest(context.Background(), Input{Source: "c2", Data: doc}); err != nil {
		t.Fatal(err)
	}
	if fi2, _ := os.Stat(path); !fi2.ModTime().Equal(fi.ModTime()) || !os.SameFile(fi, fi2) {
		t.Fatal("a whole archive file was written again")
	}
}
