// Package parse reads the figures of an annual report out of its document
// model: it finds tables 二, 三 and 四 by their headings and labels, detects
// the template, maps every printed row and column label to the canonical
// keys, and reads the numbers. Position in the page never decides what a
// figure is: labels do, and the count of figures a row must have.
package parse

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/memo"
	"github.com/nianbao/nianbao/normalize"
)

// Errors for documents that are not (supported) reports.
var (
	ErrNoTables    = errors.New("no report tables found")
	ErrPre2019     = errors.New("pre-2019 report format (not supported)")
	ErrImageTables = errors.New("the report tables are images (图片版)")
	ErrNotReport   = errors.New("a page about annual reports, not a report")
	// ErrTruncated: the document ends before any table of the report.
	ErrTruncated = errors.New("truncated document")
)

// Parse reads the report in doc. The report it returns has Agency, Year,
// Title, Template, Cells (every canonical cell of the template, in schema
// order), Extra, Sections and the findings of the parse itself (a missing
// table, uncertain figures); the arithmetic checks are normalize.Check's.
// An error means the document is not a supported report; the report
// returned with it still carries agency and year when they were found.
func Parse(doc *nianbao.Document) (*nianbao.Report, error) {
	p := &parser{doc: doc}
	rep := &nianbao.Report{Format: doc.Format}
	p.identify(rep)
	rep.Sections = p.sections()
	p.segment()
	if len(p.t2) == 0 && len(p.t3) == 0 && len(p.t4) == 0 {
		return rep, p.whyNoTables(rep)
	}
	t2 := p.readT2()
	t3 := p.readT3()
	t4 := p.readT4()
	tmpl := detectTemplate(t2, t3)
	if tmpl == nianbao.TemplateUnknown {
		return rep, p.whyNoTables(rep)
	}
	rep.Template = tmpl
	p.resolveT2(t2, tmpl)
	p.assemble(rep, t2, t3, t4)
	return rep, nil
}

// A row of a grid, as the table readers see it.
type row struct {
	t     *nianbao.Table
	r     int
	cells []*nianbao.GridCell
	// Read once, by newRow, for every reader: the cells with each merged
	// area once (by its origin, in column order), the cells holding a
	// figure or a blank mark, and the label (the other cells' text).
	distinct []*nianbao.GridCell
	figs     []*nianbao.GridCell
	label    string
}

// newRow reads a row once for every reader. Its cell lists are carved out
// of p.cells, one slab for the whole document instead of two slices a row.
func (p *parser) newRow(t *nianbao.Table, r int) row {
	rw := row{t: t, r: r, cells: t.Rows[r]}
	n := len(p.cells)
	p.cells = rw.appendOrigins(p.cells)
	rw.distinct = p.cells[n:len(p.cells):len(p.cells)]
	n = len(p.cells)
	p.cells, rw.label = scanRow(rw, p.cells)
	rw.figs = p.cells[n:len(p.cells):len(p.cells)]
	return rw
}

// appendOrigins appends the row's origins to dst. A merged area's positions
// in a row are contiguous, so comparing with the previous origin is enough.
func (rw row) appendOrigins(dst []*nianbao.GridCell) []*nianbao.GridCell {
	var prev *nianbao.GridCell
	for _, c := range rw.cells {
		o := rw.origin(c)
		if o == prev {
			continue
		}
		prev = o
		dst = append(dst, o)
	}
	return dst
}

// soleText returns the text of a row that has exactly one non-empty cell.
func (rw row) soleText() (string, bool) {
	text, n := "", 0
	for _, o := range rw.distinct {
		if o.Text != "" {
			text = o.Text
			n++
		}
	}
	return text, n == 1
}

// origin returns the cell at the origin of c's merged area.
func (rw row) origin(c *nianbao.GridCell) *nianbao.GridCell {
	if c.IsOrigin() || c.OriginRow >= len(rw.t.Rows) || c.OriginCol >= len(rw.t.Rows[c.OriginRow]) {
		return c
	}
	return rw.t.Rows[c.OriginRow][c.OriginCol]
}

type parser struct {
	doc        *nianbao.Document
	t2, t3, t4 []row
	t2pending  []pendingRow
	floats     []float64
	cells      []*nianbao.GridCell // the slab rows' cell lists are cut from
	// notice is the title of a page about reports (a notice on compiling
	// them, a 解读, a list), which is no report.
	notice string
	// last is the data row read last in the document, where a truncated
	// document stopped; topSection is the highest section heading seen.
	last       lastRow
	topSection int
}

// lastRow is a data row of the document: its place and its row key.
type lastRow struct {
	table, r int
	key      string // "t3.denied.law"
	ok       bool
}

// noteRead remembers the last row of the document among jobs.
func (p *parser) noteRead(_ *tableRead, jobs []rowJob) {
	last := -1
	for i, j := range jobs {
		t, r := j.rw.t.Index, j.rw.r
		if !p.last.ok || t > p.last.table || t == p.last.table && r > p.last.r {
			p.last, last = lastRow{table: t, r: r, ok: true}, i
		}
	}
	if last >= 0 {
		p.last.key = "t" + string(jobs[last].tn) + "." + jobs[last].row
	}
}

// Section headings of the template.
var (
	headRe = regexp.MustCompile(`^\s*[一二三四五六七八九十]{1,2}\s*[、.．,，]`)
)

func headingOf(s string) int {
	// Prose is long and never a heading; normalising it would be wasted.
	// (More than 240 bytes is more than 60 characters.)
	if len(s) > 240 || utf8.RuneCountInString(s) > 60 {
		return -1
	}
	// Every heading headingOfLabel knows has one of these characters
	// (情况, 申请, 问题, 报告; Simplified or Traditional); most short lines of
	// a report have none, and would each miss the cache.
	if !strings.ContainsAny(s, headingChars) {
		return -1
	}
	if h, ok := headings.Get(s); ok {
		return h
	}
	h := headingOfLabel(s)
	headings.Put(strings.Clone(s), h)
	return h
}

// headings and cues cache headingOf and cue: the same labels and headings
// come back in every report.
var (
	headings memo.Memo[string, int]
	cues     memo.Memo[string, int]
)

// headingChars are the characters of which every heading has at least one.
const headingChars = "况況申问問报報"

func headingOfLabel(s string) int {
	l := normalize.Label(s)
	if utf8.RuneCountInString(l) > 40 {
		return -1
	}
	switch {
	case strings.Contains(l, "总体情况"):
		return 1
	case strings.Contains(l, "主动公开政府信息情况") || strings.Contains(l, "主动公开情况") && headRe.MatchString(s):
		return 2
	case strings.Contains(l, "收到和处理政府信息公开申请") || strings.Contains(l, "依申请公开") && strings.Contains(l, "情况") && headRe.MatchString(s):
		return 3
	case strings.Contains(l, "行政复议") && strings.Contains(l, "行政诉讼") && strings.Contains(l, "情况"):
		return 4
	case strings.Contains(l, "存在的主要问题") || strings.Contains(l, "主要问题及改进"):
		return 5
	case strings.Contains(l, "其他需要报告"):
		return 6
	}
	return -1
}

// segment assigns the rows of the document's grids to tables 二, 三 and 四,
// by the section headings around them and by the labels of the rows
// themselves (a page may omit a heading, or put it inside the table).
func (p *parser) segment() {
	n := 0
	for _, b := range p.doc.Blocks {
		if b.Table != nil {
			n += len(b.Table.Rows) * b.Table.Width()
		}
	}
	p.cells = make([]*nianbao.GridCell, 0, 2*n)
	cur := 0
	for _, b := range p.doc.Blocks {
		if b.Table == nil {
			if h := headingOf(b.Text); h > 0 {
				cur = tableOfHeading(h)
				p.topSection = max(p.topSection, h)
			}
			continue
		}
		for r := range b.Table.Rows {
			rw := p.newRow(b.Table, r)
			if text, ok := rw.soleText(); ok {
				if h := headingOf(text); h > 0 {
					cur = tableOfHeading(h)
					p.topSection = max(p.topSection, h)
					continue
				}
			}
			if c := rowCue(rw); c != 0 && c != cur {
				// Labels only ever move forward through the report, except
				// when nothing was seen yet.
				if cur == 0 || c > cur {
					cur = c
				}
			}
			switch cur {
			case 2:
				p.t2 = append(p.t2, rw)
			case 3:
				p.t3 = append(p.t3, rw)
			case 4:
				p.t4 = append(p.t4, rw)
			}
		}
	}
}

func tableOfHeading(h int) int {
	switch h {
	case 2, 3, 4:
		return h
	}
	return 0
}

// rowCue is cue of the row's label.
func rowCue(rw row) int {
	label := rw.label
	if c, ok := cues.Get(label); ok {
		return c
	}
	c := cue(normalize.Label(label))
	if len(label) <= 192 {
		cues.Put(strings.Clone(label), c)
	}
	return c
}

// cue tells which table a row's labels belong to, or 0.
func cue(l string) int {
	switch {
	case strings.Contains(l, "自然人") || strings.Contains(l, "申请人情况") || strings.Contains(l, "商业企业") || strings.Contains(l, "本年新收"):
		return 3
	case strings.Contains(l, "结果维持") || strings.Contains(l, "未经复议") || strings.Contains(l, "复议后起诉") ||
		strings.Contains(l, "行政复议") && strings.Contains(l, "行政诉讼"):
		return 4
	case strings.Contains(l, "第二十条") || strings.Contains(l, "信息内容") || strings.Contains(l, "本年制发件数") || strings.Contains(l, "本年新制作数量"):
		return 2
	}
	return 0
}

var pre2019Words = []string{"主动公开政府信息数", "主动公开信息数", "受理政府信息公开申请", "申请总数", "同意公开", "同意部分公开", "不同意公开", "依申请公开信息目录", "收取费用"}

// whyNoTables explains a document in which no template table was found.
func (p *parser) whyNoTables(rep *nianbao.Report) error {
	if p.notice != "" {
		return fmt.Errorf("%w: %s", ErrNotReport, p.notice)
	}
	if p.doc.Truncated != "" {
		return fmt.Errorf("%w: %s, before any table of the report was read", ErrTruncated, p.doc.Truncated)
	}
	var text strings.Builder
	images := 0
	tables := 0
	for _, b := range p.doc.Blocks {
		switch {
		case b.Image:
			images++
			text.WriteString(b.Text)
		case b.Table != nil:
			tables++
			for _, r := range b.Table.Rows {
				for _, c := range r {
					text.WriteString(c.Text)
				}
			}
		default:
			text.WriteString(b.Text)
		}
		text.WriteByte('\n')
	}
	all := normalize.Label(text.String())
	hits := 0
	for _, w := range pre2019Words {
		if strings.Contains(all, w) {
			hits++
		}
	}
	if (rep.Year > 0 && rep.Year < 2019) || hits >= 2 {
		return ErrPre2019
	}
	if images > 0 && (strings.Contains(all, "图片") || tables == 0) {
		return ErrImageTables
	}
	if p.topSection >= 2 && p.topSection < 5 {
		// The sections stop where the tables should be: cut there.
		return fmt.Errorf("%w: the document ends in section %s, before its tables", ErrTruncated, []string{"二", "三", "四"}[p.topSection-2])
	}
	if tables == 0 {
		return ErrNoTables
	}
	return fmt.Errorf("%w (%d tables, none with the template's labels)", ErrNoTables, tables)
}

// value is a figure read from a grid cell, before it becomes a nianbao.Cell.
type value struct {
	cell      *nianbao.GridCell
	t         *nianbao.Table
	fig       normalize.Figure
	raw       string
	uncertain string
	label     string // printed labels, for extra cells
}

// toCell makes the report's cell; prov, when not nil, is where to put its
// provenance (assemble hands out one slab for all of a report's cells).
func (v value) toCell(key string, prov *nianbao.Provenance) nianbao.Cell {
	c := nianbao.Cell{Key: key, Value: v.fig.Value, Raw: v.raw, Blank: v.fig.Blank, Uncertain: v.uncertain, Label: v.label}
	if v.fig.Unit == "元" {
		c.Unit = "元"
	}
	if v.cell != nil {
		if prov == nil {
			prov = new(nianbao.Provenance)
		}
		*prov = nianbao.Provenance{Table: v.t.Index, Row: v.cell.Row, Col: v.cell.Col, Page: v.cell.Page,
			Box: v.cell.Box, Raw: v.raw, Engine: v.t.Engine, Path: v.cell.Path, Line: v.cell.Line}
		if prov.Line == 0 && v.cell.Row < len(v.t.Rows) {
			// A position the line left blank: the line of its row.
			for _, gc := range v.t.Rows[v.cell.Row] {
				if gc.Line > 0 {
					prov.Line = gc.Line
					break
				}
			}
		}
		if v.cell.C1 > v.cell.C0 {
			// The text's 0-based, past-the-end characters as an editor
			// numbers its columns.
			prov.ColFrom, prov.ColTo = v.cell.C0+1, v.cell.C1
		}
		c.Source = prov
		if c.Uncertain == "" && v.cell.Uncertain != "" {
			c.Uncertain = v.cell.Uncertain
		}
	}
	return c
}

// figure reads the value cell c of a row (nil: nothing printed there).
// uncertain, when set, marks a figure read from a row that could not be
// aligned with certainty.
func (p *parser) figure(rw row, c *nianbao.GridCell, amountUnit string, isAmount bool, label, uncertain string) value {
	v := value{t: rw.t, label: label}
	if c == nil {
		// An uncertain row may have lost a figure here: the blank is
		// flagged as well.
		v.fig.Blank, v.uncertain = "blank", uncertain
		return v
	}
	v.cell, v.raw = c, c.Text
	var err error
	if isAmount {
		v.fig, err = normalize.AmountTo(c.Text, amountUnit, p.float())
	} else {
		v.fig, err = normalize.NumberTo(c.Text, p.float())
	}
	if err != nil {
		v.uncertain = "unreadable figure " + quote(c.Text)
	}
	if uncertain != "" && (v.fig.Value != nil || err == nil) {
		v.uncertain = uncertain
	}
	return v
}

// float hands out the place of one figure's value: a report's figures share
// a few slabs instead of one allocation each.
func (p *parser) float() *float64 {
	if len(p.floats) == cap(p.floats) {
		p.floats = make([]float64, 0, 128)
	}
	p.floats = p.floats[:len(p.floats)+1]
	return &p.floats[len(p.floats)-1]
}

func quote(s string) string { return "\u201c" + s + "\u201d" }

// assemble puts the values read into the report's cells in schema order.
func (p *parser) assemble(rep *nianbao.Report, t2, t3, t4 *tableRead) {
	split := t3.split
	if !t3.found {
		split = rep.Template == nianbao.Template2021
	}
	byTable := map[byte]*tableRead{'2': t2, '3': t3, '4': t4}
	schema := nianbao.SchemaWith(rep.Template, split)
	inSchema := schemaSets[schemaKind{rep.Template, split}]
	rep.Cells = make([]nianbao.Cell, 0, len(schema))
	provs := make([]nianbao.Provenance, len(schema))
	for _, f := range schema {
		v, ok := byTable[f.Key[1]].get(f.Key)
		if !ok {
			c := nianbao.Cell{Key: f.Key, Blank: "missing"}
			rep.Cells = append(rep.Cells, c)
			continue
		}
		rep.Cells = append(rep.Cells, v.toCell(f.Key, &provs[len(rep.Cells)]))
	}
	// Canonical keys of the other template or layout, and rows and columns
	// the template does not have, are kept as extra cells.
	for _, tr := range []*tableRead{t2, t3, t4} {
		for i, k := range tr.order {
			if inSchema[k] {
				continue
			}
			rep.Extra = append(rep.Extra, tr.vals[i].toCell(k, nil))
		}
	}
	for i, tr := range []*tableRead{t2, t3, t4} {
		if !tr.found {
			rep.Findings = append(rep.Findings, nianbao.Finding{Rule: nianbao.RuleMissingTable,
				Detail: fmt.Sprintf("table %s not found", []string{"二", "三", "四"}[i])})
		}
		rep.Findings = append(rep.Findings, tr.findings...)
	}
	for _, c := range rep.Cells {
		if c.Uncertain != "" {
			rep.Findings = append(rep.Findings, nianbao.Finding{Rule: nianbao.RuleUncertain, Cells: []string{c.Key},
				Detail: fmt.Sprintf("%s: %s", c.Key, c.Uncertain)})
		}
	}
	if f, ok := p.truncation(rep, []*tableRead{t2, t3, t4}); ok {
		rep.Findings = append(rep.Findings, f)
	}
}

// truncation returns the finding of a document that ends early, naming
// the cells not read: those with no figure from the row where it stops
// (the last row read, for a document the extractor knows was cut) or
// from the first table missing in a document that has the tables before
// it (if any), none after, and no section after 四 (a cut between tables
// leaves no mark in the text).
func (p *parser) truncation(rep *nianbao.Report, tables []*tableRead) (nianbao.Finding, bool) {
	why, from := p.doc.Truncated, ""
	if why != "" {
		if p.last.ok {
			from = p.last.key + "."
		}
	} else {
		// The tables found, then none: what a cut leaves.
		missing := 0
		for missing < len(tables) && tables[missing].found {
			missing++
		}
		for _, tr := range tables[missing:] {
			if tr.found {
				return nianbao.Finding{}, false
			}
		}
		if missing == len(tables) || p.topSection < 2 || p.topSection >= 5 {
			return nianbao.Finding{}, false
		}
		why = fmt.Sprintf("the document ends before table %s, with no section after it", []string{"二", "三", "四"}[missing])
		from = fmt.Sprintf("t%d.", missing+2)
	}
	var cells []string
	started := from == ""
	for _, c := range rep.Cells {
		started = started || strings.HasPrefix(c.Key, from)
		if started && c.Value == nil && c.Source == nil {
			cells = append(cells, c.Key)
		}
	}
	return nianbao.Finding{Rule: nianbao.RuleTruncated, Cells: cells,
		Detail: fmt.Sprintf("%s: %d cells not read", why, len(cells))}, true
}

// schemaSets holds the keys of each schema, for telling extra cells.
type schemaKind struct {
	t     nianbao.Template
	split bool
}

var schemaSets = func() map[schemaKind]map[string]bool {
	out := map[schemaKind]map[string]bool{}
	for _, t := range []nianbao.Template{nianbao.Template2019, nianbao.Template2021} {
		for _, split := range []bool{false, true} {
			set := map[string]bool{}
			for _, f := range nianbao.SchemaWith(t, split) {
				set[f.Key] = true
			}
			out[schemaKind{t, split}] = set
		}
	}
	return out
}()

// tableRead is what a table reader found.
type tableRead struct {
	found bool
	split bool // table 三 prints （六） as three sub-rows
	// at holds, per canonical field (fieldIndex), 1 + the position of its
	// value in vals, 0 when not read: no map per table for the keys every
	// report has. Extra keys (x.…) go to extra.
	at       []int32
	extra    map[string]int
	vals     []value  // in the order read, for stable extra cells
	order    []string // the keys of vals
	findings []nianbao.Finding
	votes    votes
}

// votes counts the labels peculiar to each template.
type votes struct{ v2019, v2021 int }

func (v *votes) add(t nianbao.Template) {
	switch t {
	case nianbao.Template2019:
		v.v2019++
	case nianbao.Template2021:
		v.v2021++
	}
}

func newRead(size int) *tableRead {
	return &tableRead{at: make([]int32, len(fieldKeys)), vals: make([]value, 0, size), order: make([]string, 0, size)}
}

// fieldKeys and fieldIndex number the canonical keys of both templates.
var (
	fieldKeys  = nianbao.AllFields()
	fieldIndex = func() map[string]int {
		m := make(map[string]int, len(fieldKeys))
		for i, f := range fieldKeys {
			m[f.Key] = i
		}
		return m
	}()
)

// pos returns the position of key's value in vals.
func (tr *tableRead) pos(key string) (int, bool) {
	if i, ok := fieldIndex[key]; ok {
		p := tr.at[i]
		return int(p) - 1, p > 0
	}
	p, ok := tr.extra[key]
	return p, ok
}

// get returns the value read under key.
func (tr *tableRead) get(key string) (value, bool) {
	i, ok := tr.pos(key)
	if !ok {
		return value{}, false
	}
	return tr.vals[i], true
}

// index records that key's value is at position p of vals.
func (tr *tableRead) index(key string, p int) {
	if i, ok := fieldIndex[key]; ok {
		tr.at[i] = int32(p + 1)
		return
	}
	if tr.extra == nil {
		tr.extra = map[string]int{}
	}
	tr.extra[key] = p
}

// reindex rebuilds the index after vals and order changed.
func (tr *tableRead) reindex() {
	clear(tr.at)
	clear(tr.extra)
	for p, k := range tr.order {
		tr.index(k, p)
	}
}

// keyOf returns the key t<table>.<row>.<col>, without building the string
// again for the canonical keys: a report has a few hundred.
func keyOf(table byte, row, col string) string {
	if k, ok := canonicalKeys[keyParts{table, row, col}]; ok {
		return k
	}
	return "t" + string(table) + "." + row + "." + col
}

type keyParts struct {
	table    byte
	row, col string
}

var canonicalKeys = func() map[keyParts]string {
	m := map[keyParts]string{}
	for _, f := range nianbao.AllFields() {
		m[keyParts{byte('0' + f.Table), f.Row, f.Col}] = f.Key
	}
	return m
}()

// set records a value; a key read twice keeps the first figure and, when the
// second differs, reports it.
func (tr *tableRead) set(key string, v value) {
	if old, ok := tr.get(key); ok {
		if !sameFigure(old.fig, v.fig) {
			tr.findings = append(tr.findings, nianbao.Finding{Rule: nianbao.RuleDuplicate, Cells: []string{key},
				Detail: fmt.Sprintf("%s printed twice: %s and %s; the first is kept", key, quote(old.raw), quote(v.raw))})
		}
		return
	}
	tr.index(key, len(tr.vals))
	tr.vals = append(tr.vals, v)
	tr.order = append(tr.order, key)
}

func sameFigure(a, b normalize.Figure) bool {
	if a.Value == nil || b.Value == nil {
		return a.Value == nil && b.Value == nil
	}
	return *a.Value == *b.Value
}

func detectTemplate(t2, t3 *tableRead) nianbao.Template {
	switch {
	case t2.votes.v2019 > t2.votes.v2021:
		return nianbao.Template2019
	case t2.votes.v2021 > t2.votes.v2019:
		return nianbao.Template2021
	case t3.found && t3.split:
		return nianbao.Template2021
	case t3.found:
		return nianbao.Template2019
	}
	return nianbao.TemplateUnknown
}
