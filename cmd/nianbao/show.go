package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/extract/charset"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "show", Summary: "show a figure where it was printed: its lines or cells, page and box, and the findings that name it", Run: runShow})
}

// maxShowFile bounds the file show reads, as ingest's default --max-size.
const maxShowFile = 64 << 20

func runShow(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("show", "usage: nianbao show [--db FILE] [--context N] REPORT_ID|FILE [KEY]\n\n"+
		"Shows a figure of a stored report (REPORT_ID, read again from the archived\n"+
		"document) or of a document (FILE) in its source: the lines of a text around it\n"+
		"with its columns marked, the element path and the table rows around an HTML cell,\n"+
		"the page and box of a PDF cell; and the findings that name it. KEY is a canonical\n"+
		"key (t3.new.total) or the start of some (t3.new); without KEY, every figure with\n"+
		"where it was printed, and every finding.")
	db := storeDBFlag(fl.FlagSet, env)
	around := fl.Int("context", 2, "`N` lines or table rows shown before and after the figure's")
	rest, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 || len(rest) > 2 {
		return usageError("show takes a report id or a file, and optionally a key (got %d arguments)", len(rest))
	}
	if *around < 0 {
		return usageError("--context must be 0 or more (got %d)", *around)
	}
	var key string
	if len(rest) == 2 {
		key = rest[1]
	}
	sh, err := loadShown(ctx, *db, rest[0])
	if err != nil {
		return err
	}
	w := &showWriter{w: env.Stdout}
	sh.header(w)
	if key == "" {
		sh.overview(w)
		return w.err
	}
	keys := sh.match(key)
	if len(keys) == 0 {
		return usageError("the report has no figure %s (keys look like t3.new.total; nianbao show %s lists them)", key, rest[0])
	}
	if len(keys) == 1 {
		sh.figure(ctx, w, keys[0], *around)
		return w.err
	}
	// The start of many keys (a row): each figure on a line; show one key
	// for its source.
	for _, k := range keys {
		sh.summaryLine(w, *sh.cell(k))
	}
	w.line("")
	sh.findings(w, key+".")
	return w.err
}

// shown is a report to show: the figures and findings (stored, or read
// from the file), and the document they were read from.
type shown struct {
	id      int64 // the stored report; 0 for a file
	what    string
	source  string
	format  nianbao.Format
	data    []byte // the document; nil when the archive lacks it
	missing string // why data is nil
	cells   []shownCell
	finds   []shownFinding
	// fresh is the document read again by this parser: the provenance a
	// person follows (element path, line and columns) comes from it, and
	// a stored figure it reads otherwise is pointed out.
	fresh  *nianbao.Report
	parser string // the parser of the stored report
}

type shownCell struct {
	nianbao.Cell
	derived bool
}

type shownFinding struct {
	nianbao.Finding
	id, report, other int64
}

// loadShown reads the report arg names: a file that exists, else a
// stored report's id.
func loadShown(ctx context.Context, db, arg string) (*shown, error) {
	if fi, err := os.Stat(arg); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, usageError("%s is not a regular file", arg)
		}
		if fi.Size() > maxShowFile {
			return nil, fmt.Errorf("%s: larger than %d MB", arg, maxShowFile>>20)
		}
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, err
		}
		rep := pipeline.Read(ctx, arg, data, pipeline.Options{})
		sh := &shown{what: "file", source: arg, format: rep.Format, data: data, fresh: rep, parser: rep.Parser}
		sh.fromReport(rep)
		return sh, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return nil, usageError("%s: no such file, and not a report id", arg)
	}
	st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return loadStored(ctx, st, id)
}

func loadStored(ctx context.Context, st *store.Store, id int64) (*shown, error) {
	r := st.Reader()
	sh := &shown{id: id}
	var agency, title sql.NullString
	var year sql.NullInt64
	var sha, source, format, template, status, parser string
	err := r.QueryRowContext(ctx, `SELECT r.agency, r.year, r.title, r.template, r.status, r.parser, d.sha256, d.source, d.format
		FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.id = ?`, id).
		Scan(&agency, &year, &title, &template, &status, &parser, &sha, &source, &format)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, usageError("no report %d in %s", id, st.Path())
	}
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	sh.what = fmt.Sprintf("report %d: %s %s, template %s, %s", id, orUnknown(agency.String, "(no organ)"),
		orUnknown(yearText(int(year.Int64)), "(no year)"), orUnknown(template, "unknown"), status)
	sh.source, sh.format, sh.parser = source, nianbao.Format(format), parser
	// In printed order (fields.ord), the extra cells after.
	rows, err := r.QueryContext(ctx, `SELECT c.key, c.value, c.raw, c.blank, c.unit, c.uncertain, c.label, c.extra, c.derived,
			c.tbl, c.row, c.col, c.page, c.x0, c.y0, c.x1, c.y1, c.engine
		FROM cells c LEFT JOIN fields f ON f.key = c.key WHERE c.report_id = ? ORDER BY f.ord IS NULL, f.ord, c.key`, id)
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	for rows.Next() {
		var c shownCell
		var v sql.NullFloat64
		var raw, blank, unit, uncertain, label, engine sql.NullString
		var extra bool
		var tbl, row, col, page sql.NullInt64
		var x0, y0, x1, y1 sql.NullFloat64
		if err := rows.Scan(&c.Key, &v, &raw, &blank, &unit, &uncertain, &label, &extra, &c.derived,
			&tbl, &row, &col, &page, &x0, &y0, &x1, &y1, &engine); err != nil {
			rows.Close()
			return nil, fmt.Errorf("report %d: %w", id, err)
		}
		if v.Valid {
			c.Value = nianbao.F(v.Float64)
		}
		c.Raw, c.Blank, c.Unit, c.Uncertain, c.Label = raw.String, blank.String, unit.String, uncertain.String, label.String
		if tbl.Valid {
			c.Source = &nianbao.Provenance{Table: int(tbl.Int64), Row: int(row.Int64), Col: int(col.Int64),
				Page: int(page.Int64), Raw: raw.String, Engine: engine.String}
			if x0.Valid {
				c.Source.Box = &nianbao.Box{X0: x0.Float64, Y0: y0.Float64, X1: x1.Float64, Y1: y1.Float64}
			}
		}
		sh.cells = append(sh.cells, c)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	frows, err := r.QueryContext(ctx, `SELECT id, report_id, rule, cells, detail, expected, actual, difference, other_report_id
		FROM findings WHERE report_id = ? OR other_report_id = ? ORDER BY id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	for frows.Next() {
		var f shownFinding
		var cells string
		var exp, act, diff sql.NullFloat64
		var other sql.NullInt64
		if err := frows.Scan(&f.id, &f.report, &f.Rule, &cells, &f.Detail, &exp, &act, &diff, &other); err != nil {
			frows.Close()
			return nil, fmt.Errorf("report %d: %w", id, err)
		}
		_ = json.Unmarshal([]byte(cells), &f.Cells)
		f.Expected, f.Actual, f.Difference, f.other = nullF(exp), nullF(act), nullF(diff), other.Int64
		sh.finds = append(sh.finds, f)
	}
	if err := errors.Join(frows.Err(), frows.Close()); err != nil {
		return nil, fmt.Errorf("report %d: %w", id, err)
	}
	data, err := st.ArchiveGet(sha)
	if err != nil {
		sh.missing = err.Error()
		return sh, nil
	}
	sh.data = data
	sh.fresh = pipeline.Read(ctx, source, data, pipeline.Options{SHA256: sha})
	return sh, nil
}

func nullF(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return nianbao.F(v.Float64)
}

func orUnknown(s, unknown string) string {
	if s == "" {
		return unknown
	}
	return s
}

func yearText(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// fromReport takes the figures and findings of a report read now.
func (sh *shown) fromReport(rep *nianbao.Report) {
	sh.what = fmt.Sprintf("%s %s, template %s, %s", orUnknown(rep.Agency, "(no organ)"), orUnknown(yearText(rep.Year), "(no year)"),
		orUnknown(string(rep.Template), "unknown"), rep.Status)
	if rep.Reason != "" || rep.Error != "" {
		sh.what += ": " + orUnknown(rep.Reason, rep.Error)
	}
	for _, list := range [][]nianbao.Cell{rep.Cells, rep.Extra} {
		for _, c := range list {
			sh.cells = append(sh.cells, shownCell{Cell: c})
		}
	}
	for _, f := range rep.Findings {
		sh.finds = append(sh.finds, shownFinding{Finding: f})
	}
}

func (sh *shown) cell(key string) *shownCell {
	for i := range sh.cells {
		if sh.cells[i].Key == key {
			return &sh.cells[i]
		}
	}
	return nil
}

// match returns the keys named by key: itself, or those it starts.
func (sh *shown) match(key string) []string {
	if sh.cell(key) != nil {
		return []string{key}
	}
	var out []string
	for _, c := range sh.cells {
		if strings.HasPrefix(c.Key, key+".") {
			out = append(out, c.Key)
		}
	}
	return out
}

// freshSource is where this parser finds the figure now, nil when it
// reads no such cell.
func (sh *shown) freshSource(key string) *nianbao.Provenance {
	if sh.fresh == nil {
		return nil
	}
	if c := sh.fresh.Cell(key); c != nil {
		return c.Source
	}
	return nil
}

func (sh *shown) header(w *showWriter) {
	w.line("%s", sh.what)
	w.line("source: %s (%s)", sh.source, sh.format)
	if sh.missing != "" {
		w.line("the document is not in the archive (%s): the figures are shown without their source", sh.missing)
	}
	if sh.id != 0 && sh.parser != nianbao.ParserVersion {
		w.line("stored by parser %s; this is %s (nianbao ingest --reparse reads it again)", sh.parser, nianbao.ParserVersion)
	}
	w.line("")
}

// overview lists every figure with where it was printed, and every finding.
func (sh *shown) overview(w *showWriter) {
	w.line("figures (%d):", len(sh.cells))
	for _, c := range sh.cells {
		sh.summaryLine(w, c)
	}
	w.line("")
	sh.findings(w, "")
}

// summaryLine shows a figure on one line: key, value, where.
func (sh *shown) summaryLine(w *showWriter, c shownCell) {
	where := "not printed"
	if c.derived {
		where = "derived: the sum of the three （六） sub-rows"
	} else if src := sh.freshSource(c.Key); src != nil {
		where = place(src)
	} else if c.Source != nil {
		where = place(c.Source)
	}
	w.line("  %-34s %-10s %s", c.Key, valueText(c.Cell), where)
}

// findings lists the findings naming key ("": all; "t3.new.": any key
// it starts).
func (sh *shown) findings(w *showWriter, key string) {
	var list []shownFinding
	for _, f := range sh.finds {
		if key == "" || slices.ContainsFunc(f.Cells, func(k string) bool {
			return k == key || strings.HasSuffix(key, ".") && strings.HasPrefix(k, key)
		}) {
			list = append(list, f)
		}
	}
	key = strings.TrimSuffix(key, ".")
	if len(list) == 0 {
		if key == "" {
			w.line("findings: none")
		} else {
			w.line("findings naming %s: none", key)
		}
		return
	}
	if key == "" {
		w.line("findings (%d):", len(list))
	} else {
		w.line("findings naming %s (%d):", key, len(list))
	}
	for _, f := range list {
		s := fmt.Sprintf("  [%s] %s", f.Rule, f.Detail)
		if f.Expected != nil && f.Actual != nil {
			s += fmt.Sprintf(" (expected %s, actual %s", num(*f.Expected), num(*f.Actual))
			if f.Difference != nil {
				s += ", difference " + num(*f.Difference)
			}
			s += ")"
		}
		if sh.id != 0 && f.report != sh.id {
			s += fmt.Sprintf(" — a finding of report %d, the next year's, against this one", f.report)
		}
		w.line("%s", s)
	}
}

// figure shows one figure in its source.
func (sh *shown) figure(ctx context.Context, w *showWriter, key string, around int) {
	c := sh.cell(key)
	label := ""
	if f, ok := nianbao.LookupField(key); ok {
		label = f.RowLabel + " · " + f.ColLabel
	} else if c.Label != "" {
		label = c.Label
	}
	w.line("%s = %s  (%s)", key, valueText(c.Cell), label)
	for _, flag := range []struct{ name, v string }{{"blank", c.Blank}, {"printed in", c.Unit}, {"uncertain", c.Uncertain}} {
		if flag.v != "" {
			w.line("  %s: %s", flag.name, flag.v)
		}
	}
	if c.derived {
		w.line("  derived, not printed: the sum of the three （六） sub-rows, where each was printed:")
		col := key[strings.LastIndexByte(key, '.')+1:]
		for _, row := range nianbao.T3OtherSplit {
			k := "t3." + row.Key + "." + col
			if t := sh.cell(k); t != nil {
				src := sh.freshSource(k)
				if src == nil {
					src = t.Source
				}
				w.line("    %-34s %-10s %s", k, valueText(t.Cell), place(src))
			}
		}
		sh.findings(w, key)
		return
	}
	src := sh.freshSource(key)
	if src == nil {
		src = c.Source
	}
	if src == nil {
		w.line("  not printed in the document")
		sh.findings(w, key)
		return
	}
	if sh.fresh != nil && sh.id != 0 {
		if now := sh.fresh.Cell(key); now != nil && !sameValue(now.Value, c.Value) {
			w.line("  this parser reads %s there now (the stored figure is of parser %s)", valueText(*now), sh.parser)
		}
	}
	w.line("  printed as %q, %s", src.Raw, place(src))
	if sh.data != nil {
		sh.context(ctx, w, src, around)
	}
	sh.findings(w, key)
}

func sameValue(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// place says where a figure was printed, for a person: the element path
// (HTML), the line and columns (text), the page and box (PDF), and the
// grid position the parser read it at.
func place(src *nianbao.Provenance) string {
	if src == nil {
		return "not printed"
	}
	var parts []string
	if src.Path != "" {
		parts = append(parts, "element "+src.Path)
	}
	if src.Line > 0 {
		s := fmt.Sprintf("line %d", src.Line)
		switch {
		case src.ColFrom > 0 && src.ColFrom == src.ColTo:
			s += fmt.Sprintf(", column %d", src.ColFrom)
		case src.ColFrom > 0:
			s += fmt.Sprintf(", columns %d–%d", src.ColFrom, src.ColTo)
		}
		parts = append(parts, s)
	}
	if src.Page > 0 {
		parts = append(parts, fmt.Sprintf("page %d", src.Page))
	}
	if src.Box != nil {
		parts = append(parts, fmt.Sprintf("box %.1f,%.1f–%.1f,%.1f pt", src.Box.X0, src.Box.Y0, src.Box.X1, src.Box.Y1))
	}
	parts = append(parts, fmt.Sprintf("table %d row %d column %d (%s)", src.Table+1, src.Row+1, src.Col+1, src.Engine))
	return strings.Join(parts, ", ")
}

// context prints the source around a figure: the text's lines, or the
// rows of its table as the engine that read it found them.
func (sh *shown) context(ctx context.Context, w *showWriter, src *nianbao.Provenance, around int) {
	if sh.format == nianbao.FormatText && src.Line > 0 {
		lines := textLines(sh.data)
		if src.Line > len(lines) {
			return
		}
		if from, to := max(src.Line-around, 1), min(src.Line+around, len(lines)); from == to {
			w.line("  the file, line %d:", from)
		} else {
			w.line("  the file, lines %d–%d:", from, to)
		}
		width := len(strconv.Itoa(min(src.Line+around, len(lines))))
		for n := max(src.Line-around, 1); n <= min(src.Line+around, len(lines)); n++ {
			mark := " "
			if n == src.Line {
				mark = ">"
			}
			w.line("  %s %*d | %s", mark, width, n, safeText(strings.ReplaceAll(lines[n-1], "\t", "    ")))
			if n == src.Line && src.ColFrom > 0 && !strings.Contains(lines[n-1], "\t") {
				w.line("    %*s | %s%s", width, "", strings.Repeat(" ", markOffset(lines[n-1], src.ColFrom-1)),
					strings.Repeat("^", max(markOffset(lines[n-1], src.ColTo)-markOffset(lines[n-1], src.ColFrom-1), 1)))
			}
		}
		return
	}
	t := sh.table(ctx, src)
	if t == nil {
		return
	}
	from, to := max(src.Row-around, 0), min(src.Row+around, len(t.Rows)-1)
	if from == to {
		w.line("  table %d, row %d as read (the figure in [ ]):", src.Table+1, from+1)
	} else {
		w.line("  table %d, rows %d–%d as read (the figure in [ ]):", src.Table+1, from+1, to+1)
	}
	for r := from; r <= to; r++ {
		var cells []string
		for ci, gc := range t.Rows[r] {
			if ci > 0 && gc.OriginRow == t.Rows[r][ci-1].OriginRow && gc.OriginCol == t.Rows[r][ci-1].OriginCol {
				continue // the rest of a merged cell
			}
			text := clipText(gc.Text, 24)
			if gc.OriginRow == src.Row && gc.OriginCol == src.Col || r == src.Row && ci == src.Col {
				text = "[" + gc.Text + "]"
			}
			cells = append(cells, text)
		}
		mark := " "
		if r == src.Row {
			mark = ">"
		}
		w.line("  %s %3d | %s", mark, r+1, safeText(strings.Join(cells, " | ")))
	}
}

// table reads the document again with the engine that gave the figure and
// returns its table, nil when it cannot.
func (sh *shown) table(ctx context.Context, src *nianbao.Provenance) *nianbao.Table {
	for r := range extract.Readings(ctx, sh.format, sh.data, extract.Options{}) {
		if r.Engine != src.Engine {
			continue // an engine before the one that read it (PDF)
		}
		if r.Doc == nil {
			return nil
		}
		for _, b := range r.Doc.Blocks {
			if b.Table != nil && b.Table.Index == src.Table {
				if src.Row < len(b.Table.Rows) {
					return b.Table
				}
				return nil
			}
		}
		return nil
	}
	return nil
}

// textLines splits a text document into its lines as the text reader
// numbers them.
func textLines(data []byte) []string {
	text := charset.Decode(data, "", false).Text
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ReplaceAll(text, "\f", "")
	return strings.Split(text, "\n")
}

// markOffset is the display column of the n-th character of line (or of
// its display width, for text aligned by width): where a caret goes.
func markOffset(line string, n int) int {
	col, i := 0, 0
	for _, r := range line {
		if i == n {
			break
		}
		col += runeWidth(r)
		i++
	}
	return col
}

func runeWidth(r rune) int {
	if r >= 0x1100 && (unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xff60) {
		return 2
	}
	return 1
}

func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func valueText(c nianbao.Cell) string {
	if c.Value == nil {
		if c.Blank != "" {
			return "(" + c.Blank + ")"
		}
		return "(blank)"
	}
	return num(*c.Value)
}

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// safeText drops the control characters a document may carry, which a
// terminal would obey.
func safeText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return -1
		}
		return r
	}, s)
}

// showWriter writes lines, keeping the first error.
type showWriter struct {
	w   io.Writer
	err error
}

func (s *showWriter) line(format string, a ...any) {
	if s.err != nil {
		return
	}
	_, s.err = io.WriteString(s.w, safeText(fmt.Sprintf(format, a...))+"\n")
}
