package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

func TestOpenMigratesOnceAndReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "n.db")
	s, err := Open(ctx, path, Options{Parse: fakeParse})
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

	s, err = Open(ctx, path, Options{Parse: fakeParse})
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
	s, err := Open(ctx, path, Options{Parse: fakeParse})
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
	s, err = Open(ctx, path, Options{Parse: fakeParse})
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
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openFake(t, clock)
	doc := fakeDoc("甲市人民政府", 2023, "template=2021", "cell t3.new.natural=13", "cell t3.new.total=20",
		"cell t2.fees.amount=14.2404", "extra t3.x.subtotal.natural=7", "extra t3.x.subtotal.natural=8", "extra t3.new.x.小计=9",
		"finding t3.balance t3.new.total t3.carried.total", "section 1=本机关坚持以公开为常态",
		"section 6=本年度未收取信息处理费")
	out, err := s.Ingest(ctx, Input{Source: "https://example.gov.cn/a.html", Data: doc,
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
	// repeated key kept under a suffix), blank cells flagged.
	want := len(nianbao.Schema(nianbao.Template2021)) + 3
	if n := count(t, db, `SELECT count(*) FROM cells`); n != want {
		t.Fatalf("%d cells, want %d", n, want)
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
	if n := count(t, db, `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '信息处理费'`); n != 1 {
		t.Fatalf("fts match: %d", n)
	}
	if n := count(t, db, `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '公开为常态'`); n != 1 {
		t.Fatalf("fts match: %d", n)
	}
	// The views.
	var agency string
	var total float64
	if err := db.QueryRow(`SELECT agency, t3_new_total FROM v_reports`).Scan(&agency, &total); err != nil || agency != "甲市人民政府" || total != 20 {
		t.Fatalf("v_reports: %q %v %v", agency, total, err)
	}
	if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row_label IS NOT NULL`); n != len(nianbao.T3Rows(true)) {
		t.Fatalf("v_table3 has %d canonical rows", n)
	}
	var natural, rowTotal float64
	var label string
	if err := db.QueryRow(`SELECT row_label, natural, total FROM v_table3 WHERE row = 'new'`).Scan(&label, &natural, &rowTotal); err != nil ||
		natural != 13 || rowTotal != 20 || label != "一、本年新收政府信息公开申请数量" {
		t.Fatalf("v_table3 new: %q %v %v %v", label, natural, rowTotal, err)
	}
	// An extra row of table 三 is a row of the view; an extra column of a
	// standard row is not.
	if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row_label IS NULL`); n != 1 {
		t.Fatalf("v_table3 has %d extra rows, want 1", n)
	}
	if n := count(t, db, `SELECT count(*) FROM v_table3 WHERE row = 'x.subtotal' AND natural = 7 AND total IS NULL`); n != 1 {
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
	if n := count(t, db, `SELECT count(*) FROM v_cells WHERE col_label = '自然人'`); n != len(nianbao.T3Rows(true)) {
		t.Fatalf("v_cells with labels: %d", n)
	}
}

func TestIngestSameBytesChangesNothing(t *testing.T) {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openFake(t, clock)
	docs := [][]byte{
		fakeDoc("甲市人民政府", 2023, "cell t3.new.total=5"),
		fakeDoc("乙县人民政府", 2023, "status=unsupported"),
		[]byte("garbage"),
	}
	for i, d := range docs {
		if _, err := s.Ingest(ctx, Input{Source: "doc" + string(rune('a'+i)), Data: d}); err != nil {
			t.Fatal(err)
		}
	}
	skip := []string{"documents.last_seen", "document_sources.last_seen"}
	before := dump(t, s.Reader(), skip...)
	clock.t = clock.t.Add(time.Hour)
	for i, d := range docs {
		out, err := s.Ingest(ctx, Input{Source: "doc" + string(rune('a'+i)), Data: d})
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
	out, err := s.Ingest(ctx, Input{Source: "mirror/a", Data: docs[0]})
	if err != nil || out.Result != ResultUnchanged {
		t.Fatalf("%+v %v", out, err)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM document_sources`); n != 4 {
		t.Fatalf("%d sources", n)
	}
}

func TestVersions(t *testing.T) {
	s := openFake(t, nil)
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
	rows, err := db.Query(`SELECT r.version, r.superseded_by, r.current, c.value FROM reports r
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
}

func TestBatchWithBadInput(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var items []Item
	for i := range 50 {
		items = append(items, FileItem(write("good"+string(rune('A'+i%26))+string(rune('a'+i/26))+".txt",
			fakeDoc("机关"+string(rune('A'+i)), 2022, "cell t3.new.total=1"))))
	}
	garbage := write("garbage.bin", []byte{0, 1, 2, 3})
	trunc := write("truncated.txt", fakeDoc("机关X", 2022)[:3])
	unsup := write("old.txt", fakeDoc("机关Y", 2017, "status=unsupported", "template=pre2019"))
	panics := write("panic.txt", fakeDoc("机关Z", 2022, "panic"))
	missing := filepath.Join(dir, "missing.txt")
	// Spread the bad ones through the batch.
	items = slices.Insert(items, 3, FileItem(garbage))
	items = slices.Insert(items, 17, FileItem(trunc), FileItem(missing))
	items = slices.Insert(items, 30, FileItem(unsup), FileItem(panics))

	var outs []Outcome
	huge := write("huge.txt", append(fakeDoc("机关H", 2022), make([]byte, 5000)...))
	items = append(items, FileItem(huge))
	err := s.IngestBatch(ctx, slices.Values(items), BatchOptions{Workers: 3, TxDocs: 7, MaxSize: 4096, OnOutcome: func(o Outcome) { outs = append(outs, o) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(items) {
		t.Fatalf("%d outcomes for %d items", len(outs), len(items))
	}
	by := map[string]Outcome{}
	for _, o := range outs {
		by[o.Source] = o
	}
	check := func(path string, res Result, st nianbao.Status, reason string) {
		t.Helper()
		o := by[path]
		if o.Result != res || o.Status != st {
			t.Errorf("%s: %+v", filepath.Base(path), o)
		}
		got := o.Reason
		if o.Err != nil {
			got = o.Err.Error()
		}
		if !strings.Contains(got, reason) {
			t.Errorf("%s: reason %q, want it to contain %q", filepath.Base(path), got, reason)
		}
	}
	check(garbage, ResultNew, nianbao.StatusError, "not a fake report")
	check(trunc, ResultNew, nianbao.StatusError, "not a fake report")
	check(unsup, ResultNew, nianbao.StatusUnsupported, "fake reason")
	check(panics, ResultNew, nianbao.StatusError, "internal error")
	check(missing, ResultFailed, "", "no such file")
	check(huge, ResultFailed, "", "more than the limit of 4096")
	db := s.Reader()
	if n := count(t, db, `SELECT count(*) FROM reports WHERE status = 'ok'`); n != 50 {
		t.Fatalf("%d good reports landed, want 50", n)
	}
	if n := count(t, db, `SELECT count(*) FROM reports WHERE status IN ('error', 'unsupported') AND coalesce(reason, error) <> ''`); n != 4 {
		t.Fatalf("%d bad documents recorded with a reason, want 4", n)
	}
}

func TestBatchCancelKeepsWhatWasWritten(t *testing.T) {
	s := openFake(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	items := func(yield func(Item) bool) {
		for i := 0; ; i++ {
			data := fakeDoc("机关", 2000+i, "cell t3.new.total=1")
			if !yield(Item{Source: "x", Load: func() ([]byte, error) { return data, nil }}) {
				return
			}
		}
	}
	var done int
	err := s.IngestBatch(ctx, items, BatchOptions{TxDocs: 10, OnOutcome: func(Outcome) {
		done++
		if done == 35 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	n = count(t, s.Reader(), `SELECT count(*) FROM reports`)
	if n < 35 || count(t, s.Reader(), `SELECT count(*) FROM reports WHERE status <> 'ok'`) != 0 {
		t.Fatalf("%d reports after cancel; statuses other than ok: %d", n, count(t, s.Reader(), `SELECT count(*) FROM reports WHERE status <> 'ok'`))
	}
	if got := count(t, s.Reader(), `SELECT count(*) FROM cells`); got != n*len(nianbao.Schema(nianbao.Template2019)) {
		t.Fatalf("%d cells for %d reports", got, n)
	}
}

func TestReparse(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	a1, _ := s.Ingest(ctx, Input{Source: "a1", Data: fakeDoc("甲", 2023, "cell t3.new.total=1")})
	a2, _ := s.Ingest(ctx, Input{Source: "a2", Data: fakeDoc("甲", 2023, "cell t3.new.total=2")})
	b, _ := s.Ingest(ctx, Input{Source: "b", Data: fakeDoc("乙", 2023, "cell t3.new.total=3", "section 1=旧的文字内容", "finding t3.balance")})
	skip := []string{"reports.parsed_at", "sections.id", "findings.id"}
	before := dump(t, s.Reader(), skip...)

	// Nothing is stale: a plain reparse reads nothing.
	if n, err := s.ReparseCount(ctx, false); err != nil || n != 0 {
		t.Fatalf("stale count %d %v", n, err)
	}
	var outs []Outcome
	if err := s.Reparse(ctx, ReparseOptions{BatchOptions: BatchOptions{OnOutcome: func(o Outcome) { outs = append(outs, o) }}}); err != nil || len(outs) != 0 {
		t.Fatalf("reparse of nothing: %v %v", outs, err)
	}

	// Reparse all with the same parser: same content, same ids.
	if err := s.Reparse(ctx, ReparseOptions{All: true, BatchOptions: BatchOptions{OnOutcome: func(o Outcome) { outs = append(outs, o) }}}); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || outs[0].Result != ResultReparsed {
		t.Fatalf("outcomes %+v", outs)
	}
	if after := dump(t, s.Reader(), skip...); after != before {
		t.Fatalf("reparse with the same parser changed content:\n%s\n---\n%s", before, after)
	}

	// A newer parser reads a2 differently: it is about 乙 now. Versions of
	// both organs are renumbered in the order the documents were first
	// stored: a1 is 甲's only report again, and a2 (stored before b) is 乙's
	// first version, superseded by b.
	if _, err := s.db.Exec(`UPDATE reports SET parser = 'old' WHERE id = ?`, a2.ReportID); err != nil {
		t.Fatal(err)
	}
	s.parse = fakeParseRewrite(map[string]string{"甲": "乙"}, a2.SHA256)
	outs = nil
	if err := s.Reparse(ctx, ReparseOptions{BatchOptions: BatchOptions{OnOutcome: func(o Outcome) { outs = append(outs, o) }}}); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].ReportID != a2.ReportID || outs[0].Agency != "乙" || outs[0].Version != 1 {
		t.Fatalf("reparse outcomes %+v", outs)
	}
	type ver struct {
		id      int64
		version int
		current bool
	}
	got := map[int64]ver{}
	rows, _ := s.Reader().Query(`SELECT id, version, current FROM reports`)
	for rows.Next() {
		var v ver
		rows.Scan(&v.id, &v.version, &v.current)
		got[v.id] = v
	}
	rows.Close()
	if !got[a1.ReportID].current || got[a1.ReportID].version != 1 ||
		!got[b.ReportID].current || got[b.ReportID].version != 2 ||
		got[a2.ReportID].current || got[a2.ReportID].version != 1 {
		t.Fatalf("versions after reparse: %+v", got)
	}
}

// fakeParseRewrite is fakeParse with the agency of one document renamed, as
// a newer parser might read it.
func fakeParseRewrite(rename map[string]string, sha string) ParseFunc {
	return func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		rep := fakeParse(ctx, source, data, opt)
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) == sha {
			if to, ok := rename[rep.Agency]; ok {
				rep.Agency = to
			}
		}
		return rep
	}
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

// Versions follow the order of the items, not the order in which the
// workers finish: the same batch always gives the same database.
func TestBatchWritesInInputOrder(t *testing.T) {
	s := openFake(t, nil)
	docs := [][]byte{
		fakeDoc("甲", 2023, "sleep=80ms", "cell t3.new.total=1"), // slow: finishes last
		fakeDoc("甲", 2023, "cell t3.new.total=2"),
		fakeDoc("乙", 2023, "cell t3.new.total=3"),
		fakeDoc("甲", 2023, "cell t3.new.total=4"),
	}
	var items []Item
	for i, d := range docs {
		items = append(items, Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }})
	}
	var order []string
	err := s.IngestBatch(context.Background(), slices.Values(items), BatchOptions{Workers: 4, OnOutcome: func(o Outcome) {
		order = append(order, o.Source)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"0", "1", "2", "3"}) {
		t.Errorf("outcomes in order %v", order)
	}
	rows, err := s.Reader().Query(`SELECT d.source, r.id, r.version FROM reports r JOIN documents d ON d.id = r.document_id ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var src string
		var id, v int
		rows.Scan(&src, &id, &v)
		got = append(got, fmt.Sprintf("%s:%d:%d", src, id, v))
	}
	rows.Close()
	if want := []string{"0:1:1", "1:2:2", "2:3:1", "3:4:3"}; !slices.Equal(got, want) {
		t.Errorf("source:id:version %v, want %v", got, want)
	}
}

// Single documents (the crawler) and a batch may write at the same time:
// they share the one write connection and neither waits forever.
func TestIngestDuringBatch(t *testing.T) {
	s := openFake(t, nil)
	ctx := context.Background()
	items := func(yield func(Item) bool) {
		for i := range 300 {
			d := fakeDoc("批量", 1000+i, "cell t3.new.total=1")
			if !yield(Item{Source: "b", Load: func() ([]byte, error) { return d, nil }}) {
				return
			}
		}
	}
	done := make(chan error, 1)
	go func() { done <- s.IngestBatch(ctx, items, BatchOptions{TxDocs: 20}) }()
	for i := range 50 {
		if _, err := s.Ingest(ctx, Input{Source: "single", Data: fakeDoc("单个", 2000+i, "cell t3.new.total=2")}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("batch did not finish")
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM reports`); n != 350 {
		t.Fatalf("%d reports, want 350", n)
	}
}

func TestIngestCancelledStoresNothing(t *testing.T) {
	s := openFake(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s.parse = func(_ context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		cancel() // cancelled while parsing: the report may be cut short
		return &nianbao.Report{Status: nianbao.StatusError, Error: "context canceled"}
	}
	if _, err := s.Ingest(ctx, Input{Source: "x", Data: fakeDoc("甲", 2023)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM reports`); n != 0 {
		t.Fatalf("%d reports stored from a cancelled parse", n)
	}
}

// A document the database refuses is rolled back alone: nothing of it
// stays, and the rest of its transaction lands.
func TestBatchRollsBackOneRefusedDocument(t *testing.T) {
	s := openFake(t, nil)
	if _, err := s.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON findings WHEN new.rule = 'boom'
		BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`); err != nil {
		t.Fatal(err)
	}
	docs := [][]byte{
		fakeDoc("甲", 2023, "cell t3.new.total=1"),
		fakeDoc("乙", 2023, "cell t3.new.total=2", "section 1=一段会被回滚的文字", "finding boom"),
		fakeDoc("丙", 2023, "cell t3.new.total=3", "extra t3.x.a=1", "extra t3.x.a#2=2", "extra t3.x.a=3"),
	}
	var outs []Outcome
	items := func(yield func(Item) bool) {
		for i, d := range docs {
			if !yield(Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }}) {
				return
			}
		}
	}
	if err := s.IngestBatch(context.Background(), items, BatchOptions{OnOutcome: func(o Outcome) { outs = append(outs, o) }}); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || outs[1].Result != ResultFailed || outs[1].Err == nil || !strings.Contains(outs[1].Err.Error(), "refused by test trigger") {
		t.Fatalf("outcomes %+v", outs)
	}
	if outs[0].Result != ResultNew || outs[2].Result != ResultNew {
		t.Fatalf("outcomes %+v", outs)
	}
	db := s.Reader()
	if n := count(t, db, `SELECT count(*) FROM documents`); n != 2 {
		t.Fatalf("%d documents, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM sections`); n != 0 {
		t.Fatal("sections of the refused document stayed")
	}
	if n := count(t, db, `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '会被回滚'`); n != 0 {
		t.Fatal("the full-text index kept the refused document")
	}
	// Three extra cells whose keys collide once suffixed all land.
	if n := count(t, db, `SELECT count(*) FROM cells WHERE extra = 1`); n != 3 {
		t.Fatalf("%d extra cells, want 3", n)
	}
	// The refused bytes are not remembered: the next run tries again.
	if _, err := s.db.Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	out, err := s.Ingest(context.Background(), Input{Source: "1", Data: docs[1]})
	if err != nil || out.Result != ResultNew {
		t.Fatalf("retry: %+v %v", out, err)
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
		_, err := s.Ingest(ctx, Input{Source: "a", Data: fakeDoc("甲", 2023, "cell t3.new.total=5")})
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

// The same report in two formats (an HTML page and its PDF, say) has the
// same figures: the second document is stored, pointing at the first
// report (same_as), and is no new version; a late copy of an old version
// does not come back as the newest. Within one format, a change of prose
// is a new version, a change of nothing the parser reads (a page's visit
// counter) is not. Reading everything again gives the same versions.
func TestSameFiguresInAnotherFormat(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	ingest := ingester(t, s)
	const org = "乙县人民政府"
	html := ingest("r.html", fakeDoc(org, 2023, "format=html", "cell t3.new.total=5", "section 1=网页上的 文字"))
	pdf := ingest("r.pdf", fakeDoc(org, 2023, "format=pdf", "section 1=PDF 里的文字", "cell t3.new.total=5"))
	// The page fetched again: only its visit counter changed.
	refetched := ingest("r.html?2", fakeDoc(org, 2023, "format=html", "cell t3.new.total=5", "section 1=网页上的文字", "visits=1024"))
	revised := ingest("r2.html", fakeDoc(org, 2023, "format=html", "cell t3.new.total=6"))
	latePDF := ingest("r-late.pdf", fakeDoc(org, 2023, "format=pdf", "cell t3.new.total=5", "section 1=PDF 里的 文字", "producer=另一个 PDF 工具"))
	// A blank cell is not a zero: other figures, a new version.
	blank := ingest("r3.html", fakeDoc(org, 2023, "format=html", "cell t3.new.total=6", "cell t3.new.natural=0"))
	// Same figures, same format, a sentence added: a new version.
	note := ingest("r4.html", fakeDoc(org, 2023, "format=html", "cell t3.new.total=6", "cell t3.new.natural=0", "section 6=本报告已更正"))

	if html.Result != ResultNew || html.Version != 1 || html.SameAs != 0 {
		t.Fatalf("html %+v", html)
	}
	if pdf.Result != ResultNew || pdf.Version != 0 || pdf.SameAs != html.ReportID || pdf.Supersedes != 0 {
		t.Fatalf("pdf %+v", pdf)
	}
	if refetched.Result != ResultNew || refetched.Version != 0 || refetched.SameAs != html.ReportID {
		t.Fatalf("refetched %+v", refetched)
	}
	if revised.Result != ResultNewVersion || revised.Version != 2 || revised.Supersedes != html.ReportID {
		t.Fatalf("revised %+v", revised)
	}
	if latePDF.Result != ResultNew || latePDF.Version != 0 || latePDF.SameAs != html.ReportID {
		t.Fatalf("late pdf %+v", latePDF)
	}
	if blank.Result != ResultNewVersion || blank.Version != 3 || blank.Supersedes != revised.ReportID {
		t.Fatalf("blank %+v", blank)
	}
	if note.Result != ResultNewVersion || note.Version != 4 || note.Supersedes != blank.ReportID {
		t.Fatalf("note %+v", note)
	}
	// Seen again, a copy says what it is.
	if again := ingest("r.pdf", fakeDoc(org, 2023, "format=pdf", "section 1=PDF 里的文字", "cell t3.new.total=5")); again.Result != ResultUnchanged || again.SameAs != html.ReportID {
		t.Fatalf("pdf again %+v", again)
	}
	versions := func() []string {
		rows, err := s.Reader().Query(`SELECT id, coalesce(version, 0), coalesce(superseded_by, 0), coalesce(same_as, 0), current
			FROM reports WHERE agency = ? ORDER BY id`, org)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, v, by, same, cur int64
			rows.Scan(&id, &v, &by, &same, &cur)
			out = append(out, fmt.Sprintf("%d:v%d>%d=%d:%d", id, v, by, same, cur))
		}
		return out
	}
	h, p, f, r, l, b, n := html.ReportID, pdf.ReportID, refetched.ReportID, revised.ReportID, latePDF.ReportID, blank.ReportID, note.ReportID
	want := []string{
		fmt.Sprintf("%d:v1>%d=0:0", h, r),
		fmt.Sprintf("%d:v0>0=%d:0", p, h),
		fmt.Sprintf("%d:v0>0=%d:0", f, h),
		fmt.Sprintf("%d:v2>%d=0:0", r, b),
		fmt.Sprintf("%d:v0>0=%d:0", l, h),
		fmt.Sprintf("%d:v3>%d=0:0", b, n),
		fmt.Sprintf("%d:v4>0=0:1", n),
	}
	if got := versions(); !slices.Equal(got, want) {
		t.Fatalf("versions\n%v\nwant\n%v", got, want)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM v_reports WHERE agency = ?`, org); n != 1 {
		t.Fatalf("v_reports shows %d reports of the organ, want the current one", n)
	}
	// Reading everything again (renumber) agrees with the writer.
	if err := s.Reparse(ctx, ReparseOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if got := versions(); !slices.Equal(got, want) {
		t.Fatalf("versions after reparse\n%v\nwant\n%v", got, want)
	}
	// The first report read again with other figures: the copies of it
	// are compared with the reports before them again, and the PDF leads.
	s.parse = func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		if source == "r.html" {
			data = fakeDoc(org, 2023, "format=html", "cell t3.new.total=4")
		}
		return fakeParse(ctx, source, data, opt)
	}
	if err := s.Reparse(ctx, ReparseOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	want = []string{
		fmt.Sprintf("%d:v1>%d=0:0", h, p),
		fmt.Sprintf("%d:v2>%d=0:0", p, r),
		fmt.Sprintf("%d:v0>0=%d:0", f, p),
		fmt.Sprintf("%d:v3>%d=0:0", r, b),
		fmt.Sprintf("%d:v0>0=%d:0", l, p),
		fmt.Sprintf("%d:v4>%d=0:0", b, n),
		fmt.Sprintf("%d:v5>0=0:1", n),
	}
	if got := versions(); !slices.Equal(got, want) {
		t.Fatalf("versions after the first changed\n%v\nwant\n%v", got, want)
	}
	// The listing hides copies unless asked for every version.
	var listed, all int
	s.Reports(ctx, ReportFilter{Agency: org}, func(ReportInfo) error { listed++; return nil })
	s.Reports(ctx, ReportFilter{Agency: org, AllVersions: true}, func(ReportInfo) error { all++; return nil })
	if listed != 1 || all != 7 {
		t.Fatalf("listed %d reports, %d with --all-versions; want 1 and 7", listed, all)
	}
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
	out, err := s.Ingest(context.Background(), Input{Source: "c", Data: doc})
	if err != nil || out.Result != ResultNew {
		t.Fatalf("%+v %v", out, err)
	}
	got, err := s.ArchiveGet(sha)
	if err != nil || !bytes.Equal(got, doc) {
		t.Fatalf("archive after ingest: %d bytes, %v", len(got), err)
	}
	// Written whole, it is left alone the next time.
	fi, _ := os.Stat(path)
	if _, err := s.Ingest(context.Background(), Input{Source: "c2", Data: doc}); err != nil {
		t.Fatal(err)
	}
	if fi2, _ := os.Stat(path); !fi2.ModTime().Equal(fi.ModTime()) || !os.SameFile(fi, fi2) {
		t.Fatal("a whole archive file was written again")
	}
}
