package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

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

	var outs []store.Outcome
	huge := write("huge.txt", append(fakeDoc("机关H", 2022), make([]byte, 5000)...))
	items = append(items, FileItem(huge))
	err := s.IngestBatch(ctx, slices.Values(items), Options{Workers: 3, TxDocs: 7, MaxSize: 4096, OnOutcome: func(o store.Outcome) { outs = append(outs, o) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(items) {
		t.Fatalf("%d outcomes for %d items", len(outs), len(items))
	}
	by := map[string]store.Outcome{}
	for _, o := range outs {
		by[o.Source] = o
	}
	check := func(path string, res store.Result, st nianbao.Status, reason string) {
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
	check(garbage, store.ResultNew, nianbao.StatusError, "not a fake report")
	check(trunc, store.ResultNew, nianbao.StatusError, "not a fake report")
	check(unsup, store.ResultNew, nianbao.StatusUnsupported, "fake reason")
	check(panics, store.ResultNew, nianbao.StatusError, "internal error")
	check(missing, store.ResultFailed, "", "no such file")
	check(huge, store.ResultFailed, "", "more than the limit of 4096")
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
	err := s.IngestBatch(ctx, items, Options{TxDocs: 10, OnOutcome: func(store.Outcome) {
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
	var outs []store.Outcome
	if err := s.Reparse(ctx, ReparseOptions{Options: Options{OnOutcome: func(o store.Outcome) { outs = append(outs, o) }}}); err != nil || len(outs) != 0 {
		t.Fatalf("reparse of nothing: %v %v", outs, err)
	}

	// Reparse all with the same parser: same content, same ids.
	if err := s.Reparse(ctx, ReparseOptions{All: true, Options: Options{OnOutcome: func(o store.Outcome) { outs = append(outs, o) }}}); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || outs[0].Result != store.ResultReparsed {
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
	if err := s.Reparse(ctx, ReparseOptions{Options: Options{OnOutcome: func(o store.Outcome) { outs = append(outs, o) }}}); err != nil {
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
	err := s.IngestBatch(context.Background(), slices.Values(items), Options{Workers: 4, OnOutcome: func(o store.Outcome) {
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
	go func() { done <- s.IngestBatch(ctx, items, Options{TxDocs: 20}) }()
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
	// 乙's organ is new with the refused document and is rolled back with
	// it: the next document of that organ, in the same transaction, must
	// not take it for written.
	docs := [][]byte{
		fakeDoc("甲", 2023, "cell t3.new.total=1"),
		fakeDoc("淮安市乙局", 2023, "cell t3.new.total=2", "section 1=一段会被回滚的文字", "finding boom"),
		fakeDoc("丙", 2023, "cell t3.new.total=3", "extra t3.x.a=1", "extra t3.x.a#2=2", "extra t3.x.a=3"),
		fakeDoc("淮安市乙局", 2022, "cell t3.new.total=4"),
	}
	var outs []store.Outcome
	items := func(yield func(Item) bool) {
		for i, d := range docs {
			if !yield(Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }}) {
				return
			}
		}
	}
	if err := s.IngestBatch(context.Background(), items, Options{OnOutcome: func(o store.Outcome) { outs = append(outs, o) }}); err != nil {
		t.Fatal(err)
	}
	if len(outs) != 4 || outs[1].Result != store.ResultFailed || outs[1].Err == nil || !strings.Contains(outs[1].Err.Error(), "refused by test trigger") {
		t.Fatalf("outcomes %+v", outs)
	}
	if outs[0].Result != store.ResultNew || outs[2].Result != store.ResultNew || outs[3].Result != store.ResultNew {
		t.Fatalf("outcomes %+v", outs)
	}
	db := s.Reader()
	if n := count(t, db, `SELECT count(*) FROM documents`); n != 3 {
		t.Fatalf("%d documents, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM reports r JOIN organs o ON o.id = r.organ_id WHERE o.key = '3208/乙局'`); n != 1 {
		t.Fatalf("%d reports of 淮安市乙局, want 1", n)
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
	if err != nil || out.Result != store.ResultNew {
		t.Fatalf("retry: %+v %v", out, err)
	}
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

	if html.Result != store.ResultNew || html.Version != 1 || html.SameAs != 0 {
		t.Fatalf("html %+v", html)
	}
	if pdf.Result != store.ResultNew || pdf.Version != 0 || pdf.SameAs != html.ReportID || pdf.Supersedes != 0 {
		t.Fatalf("pdf %+v", pdf)
	}
	if refetched.Result != store.ResultNew || refetched.Version != 0 || refetched.SameAs != html.ReportID {
		t.Fatalf("refetched %+v", refetched)
	}
	if revised.Result != store.ResultNewVersion || revised.Version != 2 || revised.Supersedes != html.ReportID {
		t.Fatalf("revised %+v", revised)
	}
	if latePDF.Result != store.ResultNew || latePDF.Version != 0 || latePDF.SameAs != html.ReportID {
		t.Fatalf("late pdf %+v", latePDF)
	}
	if blank.Result != store.ResultNewVersion || blank.Version != 3 || blank.Supersedes != revised.ReportID {
		t.Fatalf("blank %+v", blank)
	}
	if note.Result != store.ResultNewVersion || note.Version != 4 || note.Supersedes != blank.ReportID {
		t.Fatalf("note %+v", note)
	}
	// Seen again, a copy says what it is.
	if again := ingest("r.pdf", fakeDoc(org, 2023, "format=pdf", "section 1=PDF 里的文字", "cell t3.new.total=5")); again.Result != store.ResultUnchanged || again.SameAs != html.ReportID {
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
	s.Reports(ctx, store.ReportFilter{Agency: org}, func(store.ReportInfo) error { listed++; return nil })
	s.Reports(ctx, store.ReportFilter{Agency: org, AllVersions: true}, func(store.ReportInfo) error { all++; return nil })
	if listed != 1 || all != 7 {
		t.Fatalf("listed %d reports, %d with --all-versions; want 1 and 7", listed, all)
	}
}

// Sections are indexed at commit, all of a transaction at once; the index
// must match the sections table after batches, a refused document, and a
// reparse that replaces sections written earlier in the same transaction.
func TestSectionsIndexedAtCommit(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	check := func(when string) {
		t.Helper()
		if _, err := s.db.Exec(`INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Fatalf("%s: sections_fts does not match sections: %v", when, err)
		}
	}
	match := func(term string) int {
		t.Helper()
		return count(t, s.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH ?`, term)
	}
	if _, err := s.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON findings WHEN new.rule = 'boom'
		BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`); err != nil {
		t.Fatal(err)
	}
	var docs [][]byte
	for i := range 40 {
		lines := []string{"cell t3.new.total=" + strconv.Itoa(i), "section 1=第" + strconv.Itoa(i) + "号机关的政府信息公开工作", "section 5=旧的复议诉讼说明"}
		if i == 7 {
			lines = append(lines, "finding boom")
		}
		docs = append(docs, fakeDoc("机关"+strconv.Itoa(i), 2023, lines...))
	}
	items := func(yield func(Item) bool) {
		for i, d := range docs {
			if !yield(Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return d, nil }}) {
				return
			}
		}
	}
	var failed int
	if err := s.IngestBatch(ctx, items, Options{TxDocs: 15, OnOutcome: func(o store.Outcome) {
		if o.Result == store.ResultFailed {
			failed++
		}
	}}); err != nil {
		t.Fatal(err)
	}
	check("after a batch")
	if failed != 1 || match("政府信息公开") != 39 || match("第7号机关") != 0 || match("第12号机关") != 1 || match("复议诉讼说明") != 39 {
		t.Fatalf("failed %d, matches %d %d %d %d", failed, match("政府信息公开"), match("第7号机关"), match("第12号机关"), match("复议诉讼说明"))
	}

	// Reparse everything in one transaction with a parser that rewrites
	// section 五; the document of 机关3 is refused this time, after others
	// of its transaction had their sections replaced.
	s.parse = func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		rep := fakeParse(ctx, source, data, opt)
		rep.Sections["5"] = "新的复议诉讼说明，" + rep.Agency
		if rep.Agency == "机关3" {
			rep.Findings = append(rep.Findings, nianbao.Finding{Rule: "boom"})
		}
		return rep
	}
	failed = 0
	if err := s.Reparse(ctx, ReparseOptions{All: true, Options: Options{TxDocs: 1000, OnOutcome: func(o store.Outcome) {
		if o.Result == store.ResultFailed {
			failed++
		}
	}}}); err != nil {
		t.Fatal(err)
	}
	check("after a reparse")
	if failed != 1 || match("新的复议诉讼") != 38 || match("旧的复议诉讼") != 1 || match("政府信息公开") != 39 {
		t.Fatalf("failed %d, matches new %d old %d all %d", failed, match("新的复议诉讼"), match("旧的复议诉讼"), match("政府信息公开"))
	}
	// A single ingest indexes at its commit too.
	if _, err := s.Ingest(ctx, Input{Source: "one", Data: fakeDoc("单独", 2023, "section 6=单独收到的文字")}); err != nil {
		t.Fatal(err)
	}
	check("after a single ingest")
	if match("单独收到") != 1 {
		t.Fatal("a single ingest was not indexed")
	}
}

// The division of the site a document came from places an organ name that
// says no place; without it the organ stays unplaced, and a later report
// of the same printed name keeps the place the site gave it.
func TestOrganPlacedBySite(t *testing.T) {
	s := openFake(t, nil)
	ctx := context.Background()
	key := func(out store.Outcome) string {
		t.Helper()
		var k string
		if err := s.Reader().QueryRow(`SELECT o.key FROM reports r JOIN organs o ON o.id = r.organ_id WHERE r.id = ?`, out.ReportID).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	a, err := s.Ingest(ctx, Input{Source: "a", Data: fakeDoc("市政府办公室", 2022, "cell t3.new.total=1"), Division: "3208"})
	if err != nil {
		t.Fatal(err)
	}
	if k := key(a); k != "3208/人民政府办公室" {
		t.Fatalf("with the site's division: %s", k)
	}
	b, err := s.Ingest(ctx, Input{Source: "b", Data: fakeDoc("市政府办公室", 2023, "cell t3.new.total=2")})
	if err != nil {
		t.Fatal(err)
	}
	if k := key(b); k != "3208/人民政府办公室" {
		t.Fatalf("the same name without a site: %s", k)
	}
	c, err := s.Ingest(ctx, Input{Source: "c", Data: fakeDoc("区政府办公室", 2023, "cell t3.new.total=3")})
	if err != nil {
		t.Fatal(err)
	}
	if k := key(c); k != "?区政府办公室" {
		t.Fatalf("no site, never placed: %s", k)
	}
	var why string
	if err := s.Reader().QueryRow(`SELECT why FROM organs WHERE key = '?区政府办公室'`).Scan(&why); err != nil || why == "" {
		t.Fatalf("unplaced organ without a reason: %q %v", why, err)
	}
}

// TestUncommittedArchiveRemoved: the archive files of documents a batch
// prepared but never committed (here: cancelled; a full disk fails the
// same way) are removed, so that every archive file has its document.
func TestUncommittedArchiveRemoved(t *testing.T) {
	s := openFake(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	items := func(yield func(Item) bool) {
		for i := 0; ; i++ {
			data := fakeDoc("机关", 2000+i, "cell t3.new.total=1")
			if !yield(Item{Source: strconv.Itoa(i), Load: func() ([]byte, error) { return data, nil }}) {
				return
			}
		}
	}
	// The 30th document is being read when the batch is cancelled: it was
	// archived, and its report is dropped.
	parse := func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		if source == "30" {
			cancel()
		}
		return s.parse(ctx, source, data, opt)
	}
	err := Batch(ctx, s.Store, items, Options{Parse: parse, TxDocs: 10, Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	files := 0
	err = filepath.WalkDir(s.Archive(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		if n := count(t, s.Reader(), `SELECT count(*) FROM documents WHERE sha256 = '`+d.Name()+`'`); n != 1 {
			t.Errorf("archive file %s has no document", d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if docs := count(t, s.Reader(), `SELECT count(*) FROM documents`); files != docs {
		t.Errorf("%d archive files for %d documents", files, docs)
	}
}
