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
// as JSON arrays that SQLite expands itself (one bound value instead of
// ~2,000, each a cgo call), the findings and the sections.
type rows struct {
	plain, full string        // the cells, see encodeCells; "" when none
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

// The cells are inserted from JSON arrays of rows, which SQLite expands
// (jsonb_each hands each row over as JSONB, so ->> reads it without parsing
// text again). Most cells have no unit, doubt, label, page or box: they go
// through the narrower statement, since every ->> costs about as much as
// storing the value it reads, even for a column the row leaves out; the
// engine, the same for every cell a report's tables give, is bound once.
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
func encodeCells(rep *nianbao.Report) (plain, full, engine string, figures sql.NullInt64, years []yearCell) {
	cells := make([]keyedCell, 0, len(rep.Cells)+len(rep.Extra)+len(nianbao.T3Cols))
	for i := range rep.Cells {
		cells = append(cells, keyedCell{key: rep.Cells[i].Key, c: &rep.Cells[i]})
	}
	for i := range rep.Extra {
		cells = append(cells, keyedCell{key: rep.Extra[i].Key, c: &rep.Extra[i], extra: true})
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
	p.b = make([]byte, 0, 48*len(cells))
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
		out = append(out, keyedCell{key: key, c: d, derived: true})
	}
	return out
}

func sortCells(cells []keyedCell) {
	slices.SortFunc(cells, func(a, b keyedCell) int { return strings.Compare(a.key, b.key) })
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
		cells = append(cells, keyedCell{key: keyOf(&rep.Cells[i]), c: &rep.Cells[i]})
	}
	for i := range rep.Extra {
		cells = append(cells, keyedCell{key: keyOf(&rep.Extra[i]), c: &rep.Extra[i], extra: true})
	}
	return cells
}

// cellEncoder appends rows to a JSON array; values are held back while
// they are null, so that trailing nulls are never written.
type cellEncoder struct {
	b     []byte
	n     int // values written in the current row
	nulls int // nulls pending
}

// array returns the JSON array of the rows, "" when there are none.
func (e *cellEncoder) array() string {
	if len(e.b) == 0 {
		return ""
	}
	return string(append(e.b, ']'))
}

func (e *cellEncoder) row(key string, c *nianbao.Cell, extra, full, derived bool) {
	if len(e.b) == 0 {
		e.b = append(e.b, '[')
	} else {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '[')
	e.n, e.nulls = 0, 0
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
	e.b = append(e.b, ']')
}

// sep writes the pending nulls and the separator before a value.
func (e *cellEncoder) sep() {
	for ; e.nulls > 0; e.nulls-- {
		if e.n > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, "null"...)
		e.n++
	}
	if e.n > 0 {
		e.b = append(e.b, ',')
	}
	e.n++
}

func (e *cellEncoder) null() { e.nulls++ }

func (e *cellEncoder) int(v int64) {
	e.sep()
	e.b = strconv.AppendInt(e.b, v, 10)
}

// float writes v so that SQLite reads back the same float64 (tested
// against SQLite's own parser in rows_test.go).
func (e *cellEncoder) float(v float64) {
	switch {
	case math.IsNaN(v):
		e.null()
		return
	case math.IsInf(v, 1):
		e.sep()
		e.b = append(e.b, "9e999"...)
		return
	case math.IsInf(v, -1):
		e.sep()
		e.b = append(e.b, "-9e999"...)
		return
	}
	e.sep()
	if v == 0 && math.Signbit(v) {
		e.b = append(e.b, "-0.0"...)
		return
	}
	e.b = strconv.AppendFloat(e.b, v, 'g', -1, 64)
}

// str writes s as a JSON string, or a null for "" (stored as NULL).
func (e *cellEncoder) str(s string) {
	if s == "" {
		e.null()
		return
	}
	e.sep()
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		e.b = append(e.b, s[start:i]...)
		switch c {
		case '"', '\\':
			e.b = append(e.b, '\\', c)
		default:
			e.b = append(e.b, '\\', 'u', '0', '0', hexDigit[c>>4], hexDigit[c&0xf])
		}
		start = i + 1
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

const hexDigit = "0123456789abcdef"

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
