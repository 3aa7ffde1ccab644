package store

import (
	"context"
	"database/sql"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// The cells go to SQLite as JSONB; every value must come back as the report
// had it: floats to the bit, strings byte for byte (quotes, backslashes,
// control characters, NUL, bytes that are not UTF-8), blanks as NULL.
func TestCellsStoredExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	floats := []float64{0, 1, -1, 13, 14.2404, 0.1, 1e21, 1e-7, 123456789012345678, math.MaxFloat64, math.SmallestNonzeroFloat64,
		-math.MaxFloat64, 2.5e-310, math.Inf(1), math.Inf(-1), math.NaN(), 1.0000000000000002, 0.30000000000000004}
	for range 2000 {
		switch f := math.Float64frombits(rng.Uint64()); {
		case math.IsNaN(f):
		default:
			floats = append(floats, f)
		}
		floats = append(floats, float64(rng.IntN(1_000_000))/100, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)))
	}
	texts := []string{"", "1,234", `引号"与\反斜杠`, "tab\there\nline\r", "nul\x00inside", "\x01\x1f\x7f", "bad utf-8 \xff\xfe\x80 中",
		"无", "—", strings.Repeat("长", 3000), strings.Repeat("长", 25000), "\u2028\u2029", `\u0041 is not unescaped`}

	rep := &nianbao.Report{Agency: "精确", Year: 2024, Template: nianbao.Template2021, Status: nianbao.StatusOK, Format: nianbao.FormatHTML,
		Parser: nianbao.ParserVersion}
	for i, f := range floats {
		v := f
		c := nianbao.Cell{Key: "t9.f." + strconv.Itoa(i), Value: &v, Raw: texts[i%len(texts)],
			Source: &nianbao.Provenance{Table: i % 5, Row: i, Col: -i, Engine: "html"}}
		switch i % 7 {
		case 1:
			c.Unit, c.Uncertain = "元", texts[(i+1)%len(texts)]
		case 2:
			c.Source.Page, c.Source.Box = i, &nianbao.Box{X0: floats[(i+1)%len(floats)], Y0: -0.5, X1: 1e300, Y1: 3}
		case 3:
			c.Source = nil
		case 4:
			c.Value, c.Blank = nil, texts[(i+2)%len(texts)]
		case 5:
			c.Raw, c.Source.Raw = "", "来自出处"
		case 6:
			c.Source.Engine = "ocr" // not the report's engine
			if i%2 == 0 {
				c.Source.Engine = ""
			}
		}
		rep.Cells = append(rep.Cells, c)
	}
	for i, s := range texts {
		v := float64(i)
		rep.Extra = append(rep.Extra, nianbao.Cell{Key: "t3.x." + s, Label: s, Value: &v, Raw: s,
			Source: &nianbao.Provenance{Table: 1, Row: 30, Col: i, Engine: "html"}})
	}
	// Repeated and missing keys are kept under suffixes.
	one := 1.0
	rep.Extra = append(rep.Extra, nianbao.Cell{Key: "t3.x.", Value: &one}, nianbao.Cell{Key: "", Value: &one}, nianbao.Cell{Key: "", Value: &one})

	setParse(t, func(context.Context, string, []byte, pipeline.Options) *nianbao.Report { return rep })
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.ingest(context.Background(), Input{Source: "x", Data: []byte("x")})
	if err != nil || out.Result != ResultNew {
		t.Fatalf("%+v %v", out, err)
	}
	db := s.Reader()
	if n := count(t, db, `SELECT count(*) FROM cells`); n != len(rep.Cells)+len(rep.Extra) {
		t.Fatalf("%d cells stored, want %d", n, len(rep.Cells)+len(rep.Extra))
	}
	type row struct {
		value                         sql.NullFloat64
		raw, blank, unit, unc, label  sql.NullString
		engine                        sql.NullString
		tbl, r, col, page             sql.NullInt64
		x0, y0, x1, y1                sql.NullFloat64
		extra                         int
		valueType, rawType, blankType string
	}
	read := func(key string) row {
		t.Helper()
		var x row
		err := db.QueryRow(`SELECT value, raw, blank, unit, uncertain, label, engine, tbl, row, col, page, x0, y0, x1, y1, extra,
			typeof(value), typeof(raw), typeof(blank) FROM cells WHERE key = ?`, key).
			Scan(&x.value, &x.raw, &x.blank, &x.unit, &x.unc, &x.label, &x.engine, &x.tbl, &x.r, &x.col, &x.page,
				&x.x0, &x.y0, &x.x1, &x.y1, &x.extra, &x.valueType, &x.rawType, &x.blankType)
		if err != nil {
			t.Fatalf("cell %q: %v", key, err)
		}
		return x
	}
	sameFloat := func(got sql.NullFloat64, want float64) bool {
		if math.IsNaN(want) {
			return !got.Valid
		}
		// SQLite keeps a REAL that is a whole number as an integer on
		// disk, so -0 reads back as 0; every other value to the bit.
		return got.Valid && (got.Float64 == want && (want != 0 || got.Float64 == 0)) &&
			(want == 0 || math.Float64bits(got.Float64) == math.Float64bits(want))
	}
	nullStr := func(got sql.NullString, want string) bool {
		return (want == "" && !got.Valid) || (got.Valid && got.String == want)
	}
	for _, c := range rep.Cells {
		x := read(c.Key)
		if c.Value != nil && !sameFloat(x.value, *c.Value) {
			t.Errorf("%s: value %v, want %v", c.Key, x.value, *c.Value)
		}
		if c.Value != nil && !math.IsNaN(*c.Value) && x.valueType != "real" {
			t.Errorf("%s: value stored as %s", c.Key, x.valueType)
		}
		if c.Value == nil && x.value.Valid {
			t.Errorf("%s: blank stored as %v", c.Key, x.value)
		}
		raw := c.Raw
		if raw == "" && c.Source != nil {
			raw = c.Source.Raw
		}
		if !nullStr(x.raw, raw) || (raw != "" && x.rawType != "text") {
			t.Errorf("%s: raw %q (%s), want %q", c.Key, x.raw.String, x.rawType, raw)
		}
		if !nullStr(x.blank, c.Blank) || !nullStr(x.unit, c.Unit) || !nullStr(x.unc, c.Uncertain) || x.label.Valid || x.extra != 0 {
			t.Errorf("%s: blank %v unit %v uncertain %v label %v extra %d", c.Key, x.blank, x.unit, x.unc, x.label, x.extra)
		}
		if src := c.Source; src == nil {
			if x.tbl.Valid || x.r.Valid || x.col.Valid || x.engine.Valid || x.page.Valid || x.x0.Valid {
				t.Errorf("%s: provenance without a source: %+v", c.Key, x)
			}
		} else {
			if x.tbl.Int64 != int64(src.Table) || x.r.Int64 != int64(src.Row) || x.col.Int64 != int64(src.Col) || !nullStr(x.engine, src.Engine) {
				t.Errorf("%s: provenance %+v, want %+v", c.Key, x, src)
			}
			if (src.Page > 0) != x.page.Valid || x.page.Int64 != int64(max(src.Page, 0)) {
				t.Errorf("%s: page %v, want %d", c.Key, x.page, src.Page)
			}
			if b := src.Box; b != nil {
				if !sameFloat(x.x0, b.X0) || !sameFloat(x.y0, b.Y0) || !sameFloat(x.x1, b.X1) || !sameFloat(x.y1, b.Y1) {
					t.Errorf("%s: box %v %v %v %v, want %+v", c.Key, x.x0, x.y0, x.x1, x.y1, b)
				}
			} else if x.x0.Valid {
				t.Errorf("%s: a box without one", c.Key)
			}
		}
	}
	for i, s := range texts {
		key := "t3.x." + s
		x := read(key)
		if x.extra != 1 || !nullStr(x.label, s) || !nullStr(x.raw, s) || x.value.Float64 != float64(i) {
			t.Errorf("extra %q: %+v", key, x)
		}
	}
	for _, key := range []string{"t3.x.#2", "unkeyed", "unkeyed#2"} {
		if x := read(key); x.value.Float64 != 1 || x.extra != 1 {
			t.Errorf("suffixed key %q: %+v", key, x)
		}
	}
}

// The integrity check the test above relies on does see a section missing
// from the index.
func TestSectionsIntegrityCheckSeesGaps(t *testing.T) {
	s := openFake(t, nil)
	if _, err := s.ingest(context.Background(), Input{Source: "a", Data: fakeDoc("甲", 2023, "section 1=一段文字内容")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO sections(report_id, section, text) SELECT id, '9', '没有索引的文字' FROM reports`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`); err == nil {
		t.Fatal("integrity-check passed with a section left out of the index")
	}
}

// Within one transaction, a report whose sections are not indexed yet is
// read again: they are indexed before being deleted, and when that
// document is refused, indexing them is rolled back with it and done again
// at commit.
func TestSectionsReparsedInTheirTransaction(t *testing.T) {
	ctx := context.Background()
	s := openFake(t, nil)
	if _, err := s.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON findings WHEN new.rule = 'boom'
		BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`); err != nil {
		t.Fatal(err)
	}
	// The same bytes read three ways.
	var text []string
	setParse(t, func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
		rep := fakeParse(ctx, source, data, opt)
		rep.Sections["1"] = text[0]
		if len(text) > 1 {
			rep.Findings = append(rep.Findings, nianbao.Finding{Rule: text[1]})
		}
		return rep
	})
	w, err := s.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if w != nil {
			w.rollback()
		}
	})
	write := func(source string, data []byte, reparse int64, sec ...string) Outcome {
		t.Helper()
		text = sec
		out, err := w.writeItem(s.prepareDoc(ctx, source, nil, data, reparse))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	doc := fakeDoc("甲", 2023)
	first := write("a", doc, 0, "最初写入的文字")
	write("b", fakeDoc("乙", 2023), 0, "另一份报告的文字")
	refused := write("a", doc, first.DocumentID, "被拒绝的文字", "boom")
	again := write("a", doc, first.DocumentID, "重新读取的文字")
	if first.Result != ResultNew || refused.Result != ResultFailed || again.Result != ResultReparsed {
		t.Fatalf("outcomes %+v %+v %+v", first, refused, again)
	}
	err = w.commit()
	w = nil
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("sections_fts does not match sections: %v", err)
	}
	for term, want := range map[string]int{"最初写入": 0, "被拒绝的": 0, "重新读取": 1, "另一份报告": 1} {
		if n := count(t, s.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH ?`, term); n != want {
			t.Errorf("%s: %d matches, want %d", term, n, want)
		}
	}
}

// A database made before migration 0004, its sections indexed by the
// trigger, is migrated on open: the trigger goes, what it indexed stays
// searchable, and new sections are indexed once, at commit.
func TestSectionsMigratedFromTrigger(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema of migration 0003, with a section indexed by the
	// trigger.
	for _, q := range []string{
		`CREATE TRIGGER sections_ai AFTER INSERT ON sections BEGIN INSERT INTO sections_fts(rowid, text) VALUES (new.id, new.text); END`,
		`DELETE FROM schema_migrations WHERE version = 4`,
		`INSERT INTO documents(id, sha256, size, format, source, first_seen, last_seen) VALUES (1, 'x', 1, 'text', 'old', 't', 't')`,
		`INSERT INTO reports(id, document_id, template, status, parser, parsed_at) VALUES (1, 1, '2019', 'ok', 'old', 't')`,
		`INSERT INTO sections(report_id, section, text) VALUES (1, '1', '迁移之前写入的文字')`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()

	if s, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := count(t, s.Reader(), `SELECT count(*) FROM sqlite_schema WHERE name = 'sections_ai'`); n != 0 {
		t.Fatal("migration 0004 left the insert trigger")
	}
	if _, err := s.ingest(ctx, Input{Source: "new", Data: fakeDoc("甲", 2023, "section 1=迁移之后写入的文字")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("sections_fts does not match sections: %v", err)
	}
	for term, want := range map[string]int{"迁移之前": 1, "迁移之后": 1, "写入的文字": 2} {
		if n := count(t, s.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH ?`, term); n != want {
			t.Errorf("%s: %d matches, want %d", term, n, want)
		}
	}
}

// TestSortCellsByKey: canonical keys compare by rank, others by their
// text, and the whole is in the keys' string order either way.
func TestSortCellsByKey(t *testing.T) {
	var cells []keyedCell
	for _, f := range nianbao.AllFields() {
		cells = append(cells, keyedCell{key: f.Key, rank: rankOf(f.Key)})
	}
	for _, k := range []string{"t3.other.total#2", "t2.a", "t4.zz", "unkeyed", "t3.extra.省级", "t3", ""} {
		cells = append(cells, keyedCell{key: k, rank: rankOf(k)})
	}
	rng := rand.New(rand.NewPCG(3, 5))
	check := func(cells []keyedCell) {
		t.Helper()
		var want []string
		for _, k := range cells {
			want = append(want, k.key)
		}
		slices.Sort(want)
		for range 20 {
			rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
			sortCells(cells)
			var got []string
			for _, k := range cells {
				got = append(got, k.key)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("sorted:\n%q\nwant:\n%q", got, want)
			}
		}
	}
	check(cells)
	check(cells[:40:40])                                                                             // canonical only
	check(append(slices.Clone(cells), keyedCell{key: "t3.new.total", rank: rankOf("t3.new.total")})) // a key twice
	check([]keyedCell{{key: "b", rank: -1}, {key: "a", rank: -1}})
	if rankOf("t3.new.total") < 0 || rankOf("t3.new.total#2") != -1 {
		t.Error("rankOf: a canonical key has a rank, another none")
	}
}

// TestDecodeCells: PostgreSQL's COPY gets the values SQLite reads from the
// same JSONB rows, texts of every header size included.
func TestDecodeCells(t *testing.T) {
	long := strings.Repeat("长", 25000) // an element with a 4-byte size
	texts := []string{"1,234", `引号"与\反斜杠`, "nul\x00inside", "bad utf-8 \xff", strings.Repeat("x", 11), strings.Repeat("x", 12), strings.Repeat("y", 300), long}
	floats := []float64{0, -1, 13, 14.2404, 1e21, -2.5e-310, math.Inf(1), math.Inf(-1), 123456789012345678}
	rep := &nianbao.Report{}
	for i, f := range floats {
		v := f
		rep.Cells = append(rep.Cells, nianbao.Cell{Key: "t9.f." + strconv.Itoa(i), Value: &v, Raw: texts[i%len(texts)],
			Source: &nianbao.Provenance{Table: i, Row: -i, Col: 1000 * i, Engine: "html"}})
	}
	rep.Cells = append(rep.Cells, nianbao.Cell{Key: "t9.blank", Blank: "dash"})
	rep.Extra = append(rep.Extra, nianbao.Cell{Key: "t9.x", Label: long, Value: &floats[3], Unit: "元",
		Source: &nianbao.Provenance{Page: 2, Box: &nianbao.Box{X0: 1.5, Y0: -2, X1: 1e300, Y1: 0}, Engine: "ocr"}})
	r, err := buildRows(rep)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := decodeCells(7, r)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string][]any{}
	for _, row := range rows {
		if len(row) != len(cellColumns) || row[0] != int64(7) {
			t.Fatalf("row %v", row)
		}
		byKey[row[1].(string)] = row
	}
	for i, f := range floats {
		row := byKey["t9.f."+strconv.Itoa(i)]
		if row == nil {
			t.Fatalf("cell %d missing", i)
		}
		if row[2] != f || row[3] != texts[i%len(texts)] || row[5] != int64(i) || row[6] != int64(-i) || row[7] != int64(1000*i) || row[8] != "html" {
			t.Errorf("cell %d: %v", i, row[:9])
		}
	}
	if row := byKey["t9.blank"]; row == nil || row[2] != nil || row[4] != "dash" {
		t.Errorf("blank cell: %v", row)
	}
	row := byKey["t9.x"]
	if row == nil || row[2] != floats[3] || row[8] != "ocr" || row[9] != "元" || row[11] != int64(1) || row[12] != long ||
		row[13] != int64(2) || row[14] != 1.5 || row[15] != -2.0 || row[16] != 1e300 || row[17] != 0.0 || row[18] != int64(0) {
		t.Errorf("extra cell: %v", row)
	}
	if _, err := jsonbRows(r.plain[:len(r.plain)-1]); err == nil {
		t.Error("a cut array decoded")
	}
}
