package store

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/nianbao/nianbao"
)

// rows are the children of a report as the writer inserts them, built by a
// batch worker so that the single writer only binds and steps: the cells
// as JSONB arrays that SQLite expands itself (one bound value instead of
// ~2,000, each a cgo call), the findings and the sections.
type rows struct {
	plain, full []byte        // the cells, see encodeCells; nil when none
	engine      string        // the engine of every plain cell
	figures     sql.NullInt64 // digest of the figures, see encodeCells; null when none
	prose       sql.NullInt64 // digest of the sections without white space; null when none
	// years are the cells the cross-year equations read, as yearCells
	// reads them back.
	years    []yearCell
	findings []findingRow
	sections []sectionRow
}

type findingRow struct {
	rule, cells, detail string
	expected, actual    *float64 // the sides of a broken equation, nil for other findings
}

type sectionRow struct{ section, text string }

// The cells are inserted from JSONB arrays of rows (SQLite's binary JSON,
// https://sqlite.org/jsonb.html), which SQLite expands: given JSONB
// rather than JSON text, it reads the rows where they are instead of
// parsing the text into JSONB first (342 k instructions a report, callgrind
// on 500 generated reports). Most cells have no unit, doubt, label, page or
// box: they go through the narrower statement, since every ->> costs about
// as much as storing the value it reads, even for a column the row leaves
// out; the engine, the same for every cell a report's tables give, is
// bound once.
const (
	// Rows [key, value, raw, blank, tbl, row, col]; ?3 is the engine.
	cellsPlainInsert = `INSERT INTO cells(report_id, key, value, raw, blank, tbl, row, col, engine)
	SELECT ?1, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, ?3
	FROM jsonb_each(?2)`
	// Rows [key, value, raw, blank, tbl, row, col, engine, unit, uncertain,
	// extra, label, page, x0, y0, x1, y1, derived]; trailing nulls are left
	// out.
	cellsFullInsert = `INSERT INTO cells(report_id, key, value, raw, blank, tbl, row, col, engine,
		unit, uncertain, extra, label, page, x0, y0, x1, y1, derived)
	SELECT ?1, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7,
		value->>8, value->>9, coalesce(value->>10, 0), value->>11, value->>12, value->>13, value->>14, value->>15, value->>16,
		coalesce(value->>17, 0)
	FROM jsonb_each(?2)`
)

// buildRows prepares the children of rep for the writer.
func buildRows(rep *nianbao.Report) (*rows, error) {
	r := &rows{}
	r.plain, r.full, r.engine, r.figures, r.years = encodeCells(rep)
	for _, f := range rep.Findings {
		keys := f.Cells
		if keys == nil {
			keys = []string{}
		}
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", f.Rule, err)
		}
		r.findings = append(r.findings, findingRow{f.Rule, string(b), f.Detail, f.Expected, f.Actual})
	}
	for _, sec := range []string{"1", "5", "6"} {
		if text := strings.TrimSpace(rep.Sections[sec]); text != "" {
			r.sections = append(r.sections, sectionRow{sec, text})
		}
	}
	// Sections under other names are kept too rather than dropped, in a
	// fixed order so that the same report gives the same rows.
	var other []sectionRow
	for sec, text := range rep.Sections {
		if sec == "1" || sec == "5" || sec == "6" {
			continue
		}
		if text = strings.TrimSpace(text); text != "" {
			other = append(other, sectionRow{sec, text})
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i].section < other[j].section })
	r.sections = append(r.sections, other...)
	if len(r.sections) > 0 {
		r.prose = sql.NullInt64{Int64: proseDigest(r.sections), Valid: true}
	}
	return r, nil
}

// proseDigest is a digest of the sections' text without its white space,
// which differs between two layouts of the same words.
func proseDigest(secs []sectionRow) int64 {
	d := newDigest()
	for _, sec := range secs {
		d.WriteString(sec.section)
		d.WriteByte(0)
		for _, r := range sec.text {
			if !unicode.IsSpace(r) {
				d.WriteRune(r)
			}
		}
		d.WriteByte(0)
	}
	return d.sum()
}

// digest hashes what is written to it with SHA-256, buffered so that the
// many small writes of a report cost no call each.
type digest struct {
	h hash.Hash
	*bufio.Writer
}

func newDigest() digest {
	h := sha256.New()
	return digest{h, bufio.NewWriterSize(h, 1024)}
}

// sum is the first 64 bits of the SHA-256: enough to tell apart the few
// reports of one organ and year.
func (d digest) sum() int64 {
	d.Flush()
	return int64(binary.BigEndian.Uint64(d.h.Sum(nil)))
}

// encodeCells writes the canonical and extra cells of rep as two JSON
// arrays of rows, the plain and the full ones (see cellsPlainInsert), and
// the engine of the plain ones (a cell of another engine is a full one), each
// in key order so that the rows append to the end of the cells b-tree
// rather than split pages in its middle. Keys are unique per report: a
// repeated key gets a suffix rather than losing a figure. Strings are
// written byte for byte (SQLite's JSON keeps bytes that are not valid
// UTF-8 as they are), numbers in the shortest form that reads back to the
// same float64, ±Inf as ±9e999; rows_test.go checks all of it against
// SQLite.
//
// figures is a digest of what the cells say, whatever the document's
// format: key, value and blank mark of each, in key order. Two documents of
// one organ and year with the same digest are one report (see write).
//
// years are the cells the cross-year equations read (yearKeys), as
// yearCells would read them from the rows: a cell marked missing left out,
// an unprinted one nil.
func encodeCells(rep *nianbao.Report) (plain, full []byte, engine string, figures sql.NullInt64, years []yearCell) {
	cells := make([]keyedCell, 0, len(rep.Cells)+len(rep.Extra)+len(nianbao.T3Cols))
	for i := range rep.Cells {
		cells = append(cells, keyedCell{key: rep.Cells[i].Key, rank: rankOf(rep.Cells[i].Key), c: &rep.Cells[i]})
	}
	for i := range rep.Extra {
		cells = append(cells, keyedCell{key: rep.Extra[i].Key, rank: rankOf(rep.Extra[i].Key), c: &rep.Extra[i], extra: true})
	}
	sortCells(cells)
	// Keys are unique and present as a rule; otherwise they are made so
	// in the order of the report, as they always were, and sorted again.
	for i := range cells {
		if cells[i].key == "" || (i > 0 && cells[i].key == cells[i-1].key) {
			cells = uniqueKeys(rep, cells[:0])
			sortCells(cells)
			break
		}
	}
	if more := derivedOther(cells); len(more) > 0 {
		cells = append(cells, more...)
		sortCells(cells)
	}
	for _, k := range cells {
		if src := k.c.Source; src != nil && src.Engine != "" {
			engine = src.Engine
			break
		}
	}
	var p, f cellEncoder
	p.b = make([]byte, jsonbRoom, jsonbRoom+40*len(cells))
	figs := newDigest()
	var bits [9]byte
	for _, k := range cells {
		c, src := k.c, k.c.Source
		if c.Blank != "missing" && maybeYearKey(k.key) && isYearKey[k.key] {
			years = append(years, yearCell{k.key, c.Value})
		}
		if k.derived {
			// Not a figure of the report: the digest stays that of what it
			// prints, as for the reports stored before derived cells.
			f.row(k.key, c, false, true, true)
			continue
		}
		figs.WriteString(k.key)
		figs.WriteByte(0)
		if c.Value != nil {
			bits[0] = 1
			binary.BigEndian.PutUint64(bits[1:], math.Float64bits(*c.Value))
			figs.Write(bits[:])
		}
		figs.WriteByte(0)
		figs.WriteString(c.Blank)
		figs.WriteByte('\n')
		if !k.extra && c.Unit == "" && c.Uncertain == "" && src != nil && src.Page <= 0 && src.Box == nil && src.Engine == engine {
			p.row(k.key, c, false, false, false)
		} else {
			f.row(k.key, c, k.extra, true, false)
		}
	}
	if len(cells) > 0 {
		figures = sql.NullInt64{Int64: figs.sum(), Valid: true}
	}
	return p.array(), f.array(), engine, figures, years
}

type keyedCell struct {
	key     string
	c       *nianbao.Cell
	rank    int32 // see rankOf
	extra   bool
	derived bool // computed by derivedOther, not printed
}

// derivedOther returns the cells t3.other.<col> of a report that prints
// （六）其他处理 as its three sub-rows (template 2021) and not as one row:
// the sum of the sub-rows' printed figures (blank when none is printed,
// uncertain when a term is), so that the row is there in both templates
// and a sum over reports of both does not leave the 2021 ones out. A
// report that prints t3.other.<col> keeps it; cells are sorted by key.
func derivedOther(cells []keyedCell) []keyedCell {
	find := func(key string) *nianbao.Cell {
		i, ok := slices.BinarySearchFunc(cells, key, func(k keyedCell, key string) int { return strings.Compare(k.key, key) })
		if !ok {
			return nil
		}
		return cells[i].c
	}
	if find("t3.other.other.total") == nil && find("t3.other.no_correction.total") == nil && find("t3.other.no_fee.total") == nil {
		return nil // the usual case: no sub-rows
	}
	var out []keyedCell
	for _, col := range nianbao.T3Cols {
		key := "t3.other." + col.Key
		if find(key) != nil {
			continue
		}
		var sum float64
		printed, terms := false, 0
		uncertain := ""
		for _, row := range nianbao.T3OtherSplit {
			c := find("t3." + row.Key + "." + col.Key)
			if c == nil {
				continue
			}
			terms++
			if c.Value != nil {
				sum += *c.Value
				printed = true
			}
			if c.Uncertain != "" {
				uncertain = "the sum of the three （六） sub-rows, one of them uncertain"
			}
		}
		if terms == 0 {
			continue
		}
		d := &nianbao.Cell{Key: key, Uncertain: uncertain}
		if printed {
			d.Value = nianbao.F(sum)
		} else {
			d.Blank = "blank"
		}
		out = append(out, keyedCell{key: key, rank: rankOf(key), c: d, derived: true})
	}
	return out
}

// sortCells sorts cells by key. The canonical keys are placed by their
// ranks, in one pass and without comparing, and the others (a province's
// extra cells, few) sorted and merged in: sorting by comparing the keys
// was a third of encoding a report's cells. Keys twice go the slow way.
func sortCells(cells []keyedCell) {
	var slot [maxRanks]int32 // 1 + the index of the cell of each rank
	extras := 0
	for i, k := range cells {
		switch {
		case k.rank < 0:
			extras++
		case slot[k.rank] != 0:
			slices.SortFunc(cells, func(a, b keyedCell) int { return strings.Compare(a.key, b.key) })
			return
		default:
			slot[k.rank] = int32(i + 1)
		}
	}
	// The cells are read from a copy while written in order; a report's
	// fit on the stack.
	var stack [256]keyedCell
	in := append(stack[:0], cells...)
	var other []keyedCell
	if extras > 0 {
		other = make([]keyedCell, 0, extras)
		for _, k := range in {
			if k.rank < 0 {
				other = append(other, k)
			}
		}
		slices.SortFunc(other, func(a, b keyedCell) int { return strings.Compare(a.key, b.key) })
	}
	out := cells[:0]
	for _, i := range slot[:len(keyRanks)] {
		if i == 0 {
			continue
		}
		k := in[i-1]
		for len(other) > 0 && other[0].key < k.key {
			out = append(out, other[0])
			other = other[1:]
		}
		out = append(out, k)
	}
	copy(cells[len(out):], other) // the extras after the last canonical key
}

// maxRanks bounds the canonical keys sortCells places (keyRanks checks).
const maxRanks = 512

// keyRanks numbers the canonical keys of both templates in string order.
var keyRanks = func() map[string]int32 {
	var keys []string
	for _, f := range nianbao.AllFields() {
		keys = append(keys, f.Key)
	}
	slices.Sort(keys)
	if len(keys) > maxRanks {
		panic(fmt.Sprintf("store: %d canonical keys, more than maxRanks", len(keys)))
	}
	m := make(map[string]int32, len(keys))
	for i, k := range keys {
		m[k] = int32(i)
	}
	return m
}()

// rankOf returns the place of a canonical key among them all in string
// order, -1 for another key.
func rankOf(key string) int32 {
	if r, ok := keyRanks[key]; ok {
		return r
	}
	return -1
}

// uniqueKeys appends the cells of rep to cells with their keys made
// unique: a missing key is "unkeyed", a repeated one gets a suffix (#2, #3,
// …) rather than losing a figure.
func uniqueKeys(rep *nianbao.Report, cells []keyedCell) []keyedCell {
	seen := make(map[string]bool, len(rep.Cells)+len(rep.Extra))
	keyOf := func(c *nianbao.Cell) string {
		key := c.Key
		if key == "" {
			key = "unkeyed"
		}
		k := key
		for n := 2; seen[k]; n++ {
			k = key + "#" + strconv.Itoa(n)
		}
		seen[k] = true
		return k
	}
	for i := range rep.Cells {
		k := keyOf(&rep.Cells[i])
		cells = append(cells, keyedCell{key: k, rank: rankOf(k), c: &rep.Cells[i]})
	}
	for i := range rep.Extra {
		k := keyOf(&rep.Extra[i])
		cells = append(cells, keyedCell{key: k, rank: rankOf(k), c: &rep.Extra[i], extra: true})
	}
	return cells
}

// cellEncoder appends rows to a JSONB array; values are held back while
// they are null, so that trailing nulls are never written. Strings are
// TEXTRAW elements, their bytes as they are; numbers INT or FLOAT elements,
// their JSON text.
type cellEncoder struct {
	b     []byte // jsonbRoom bytes for the array's header, then its rows
	cur   []byte // the elements of the current row
	nulls int    // nulls pending
}

// JSONB element types (the low four bits of an element's first byte).
const (
	jsonbNull    = 0x0
	jsonbInt     = 0x3
	jsonbFloat   = 0x5
	jsonbTextRaw = 0xa
	jsonbArray   = 0xb
	// jsonbRoom is the largest header: a byte and an 8-byte size.
	jsonbRoom = 9
)

// jsonbHead appends the header of an element of type typ whose payload
// is n bytes long, in its shortest form.
func jsonbHead(b []byte, typ byte, n uint64) []byte {
	switch {
	case n <= 11:
		return append(b, byte(n)<<4|typ)
	case n <= 0xff:
		return append(b, 0xc0|typ, byte(n))
	case n <= 0xffff:
		return append(b, 0xd0|typ, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(b, 0xe0|typ, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xf0|typ), n)
}

// array returns the JSONB array of the rows, nil when there are none.
func (e *cellEncoder) array() []byte {
	if len(e.b) <= jsonbRoom {
		return nil
	}
	var h [jsonbRoom]byte
	head := jsonbHead(h[:0], jsonbArray, uint64(len(e.b)-jsonbRoom))
	at := jsonbRoom - len(head)
	copy(e.b[at:], head)
	return e.b[at:]
}

func (e *cellEncoder) row(key string, c *nianbao.Cell, extra, full, derived bool) {
	if len(e.b) == 0 {
		e.b = make([]byte, jsonbRoom, jsonbRoom+64)
	}
	e.cur, e.nulls = e.cur[:0], 0
	e.str(key)
	if c.Value != nil {
		e.float(*c.Value)
	} else {
		e.null()
	}
	raw := c.Raw
	src := c.Source
	if src != nil && raw == "" {
		raw = src.Raw
	}
	e.str(raw)
	e.str(c.Blank)
	if src != nil {
		e.int(int64(src.Table))
		e.int(int64(src.Row))
		e.int(int64(src.Col))
	} else {
		e.null()
		e.null()
		e.null()
	}
	if full {
		if src != nil {
			e.str(src.Engine)
		} else {
			e.null()
		}
		e.str(c.Unit)
		e.str(c.Uncertain)
		if extra {
			e.int(1)
			// The printed label is kept for extra cells, which have no
			// template label; for a canonical cell it would repeat a long
			// Chinese row label on every cell (40% of the database) and
			// can be read again through the provenance from the archived
			// document.
			e.str(c.Label)
		} else {
			e.null()
			e.null()
		}
		if src != nil && src.Page > 0 {
			e.int(int64(src.Page))
		} else {
			e.null()
		}
		if src != nil && src.Box != nil {
			e.float(src.Box.X0)
			e.float(src.Box.Y0)
			e.float(src.Box.X1)
			e.float(src.Box.Y1)
		} else {
			e.null()
			e.null()
			e.null()
			e.null()
		}
		if derived {
			e.int(1)
		}
	}
	e.b = jsonbHead(e.b, jsonbArray, uint64(len(e.cur)))
	e.b = append(e.b, e.cur...)
}

// sep writes the pending nulls before a value.
func (e *cellEncoder) sep() {
	for ; e.nulls > 0; e.nulls-- {
		e.cur = append(e.cur, jsonbNull)
	}
}

func (e *cellEncoder) null() { e.nulls++ }

func (e *cellEncoder) int(v int64) {
	var d [20]byte
	e.number(jsonbInt, strconv.AppendInt(d[:0], v, 10))
}

// number writes a number element whose payload is its JSON text.
func (e *cellEncoder) number(typ byte, text []byte) {
	e.sep()
	e.cur = jsonbHead(e.cur, typ, uint64(len(text)))
	e.cur = append(e.cur, text...)
}

// float writes v so that SQLite reads back the same float64 (tested
// against SQLite in rows_test.go): an INT element for an integer below
// 10^15, as SQLite's own JSON parser makes its digits, else a FLOAT, whose
// shortest text then always has a point or an exponent.
func (e *cellEncoder) float(v float64) {
	switch {
	case math.IsNaN(v):
		e.null()
		return
	case math.IsInf(v, 1):
		e.number(jsonbFloat, []byte("9e999"))
		return
	case math.IsInf(v, -1):
		e.number(jsonbFloat, []byte("-9e999"))
		return
	case v == 0 && math.Signbit(v):
		e.number(jsonbFloat, []byte("-0.0"))
		return
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		// Most figures: an integer's digits are its shortest text.
		e.int(int64(v))
		return
	}
	var d [32]byte
	e.number(jsonbFloat, strconv.AppendFloat(d[:0], v, 'g', -1, 64))
}

// str writes s as a TEXTRAW element (its bytes as they are: SQLite's
// ->> returns them unchanged), or a null for "" (stored as NULL).
func (e *cellEncoder) str(s string) {
	if s == "" {
		e.null()
		return
	}
	e.sep()
	e.cur = jsonbHead(e.cur, jsonbTextRaw, uint64(len(s)))
	e.cur = append(e.cur, s...)
}

// indexSections adds the sections written in this transaction to
// sections_fts, in one statement. FTS5 writes its pending terms to disk at
// every savepoint, and every document is written under one (and most
// statements open one of their own), so indexing each section as it is
// inserted made a tiny index segment per document, and the merging of
// those segments was most of the cost of a section.
func (w *txWriter) indexSections() error {
	if w.ftsAfter < 0 {
		return nil
	}
	if _, err := w.exec(`INSERT INTO sections_fts(rowid, text) SELECT id, text FROM sections WHERE id > ?`, w.ftsAfter); err != nil {
		return fmt.Errorf("index sections: %w", err)
	}
	w.ftsAfter = -1
	return nil
}

// indexSectionsOf indexes the pending sections if the report has one
// among them, before they are deleted.
func (w *txWriter) indexSectionsOf(repID int64) error {
	if w.ftsAfter < 0 {
		return nil
	}
	var pending bool
	if err := w.queryRow(`SELECT EXISTS (SELECT 1 FROM sections WHERE report_id = ? AND id > ?)`, repID, w.ftsAfter).Scan(&pending); err != nil {
		return fmt.Errorf("sections: %w", err)
	}
	if !pending {
		return nil
	}
	return w.indexSections()
}

// noteSections records, before the first section of the transaction is
// written, which sections are already indexed.
func (w *txWriter) noteSections() error {
	if w.ftsAfter >= 0 {
		return nil
	}
	if err := w.queryRow(`SELECT coalesce(max(id), 0) FROM sections`).Scan(&w.ftsAfter); err != nil {
		return fmt.Errorf("sections: %w", err)
	}
	return nil
}

// jsonbRows reads back an array of rows cellEncoder wrote: a string for a
// text, a json.Number for a number, nil for a null.
func jsonbRows(b []byte) ([][]any, error) {
	arr, rest, err := jsonbElem(b)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("jsonb: %d bytes after the array", len(rest))
	}
	rows, ok := arr.([]any)
	if !ok {
		return nil, fmt.Errorf("jsonb: not an array")
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		if out[i], ok = r.([]any); !ok {
			return nil, fmt.Errorf("jsonb: row %d is not an array", i)
		}
	}
	return out, nil
}

// jsonbElem reads the element at the start of b, of the types
// cellEncoder writes, and returns it and what follows it.
func jsonbElem(b []byte) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, fmt.Errorf("jsonb: truncated")
	}
	typ, size := b[0]&0x0f, uint64(b[0]>>4)
	b = b[1:]
	if size >= 12 {
		w := 1 << (size - 12) // 1, 2, 4 or 8 bytes of size
		if len(b) < w {
			return nil, nil, fmt.Errorf("jsonb: truncated header")
		}
		size = 0
		for _, c := range b[:w] {
			size = size<<8 | uint64(c)
		}
		b = b[w:]
	}
	if uint64(len(b)) < size {
		return nil, nil, fmt.Errorf("jsonb: payload of %d bytes, %d left", size, len(b))
	}
	payload, rest := b[:size], b[size:]
	switch typ {
	case jsonbNull:
		return nil, rest, nil
	case jsonbInt, jsonbFloat:
		return json.Number(payload), rest, nil
	case jsonbTextRaw:
		return string(payload), rest, nil
	case jsonbArray:
		var elems []any
		for len(payload) > 0 {
			v, more, err := jsonbElem(payload)
			if err != nil {
				return nil, nil, err
			}
			elems = append(elems, v)
			payload = more
		}
		return elems, rest, nil
	}
	return nil, nil, fmt.Errorf("jsonb: element type %d", typ)
}
