package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/nianbao/nianbao"
)

type reportData struct {
	Report   reportHead     `json:"report"`
	Versions []versionRow   `json:"versions"`
	Sources  []sourceRow    `json:"sources"`
	Cells    []cellRow      `json:"cells"`
	Findings []findingRow   `json:"findings"`
	Sections []sectionRow   `json:"sections"`
	Printed  []printedTable `json:"-"`
	Extra    []cellRow      `json:"-"`
}

type reportHead struct {
	ID              int64  `json:"report_id"`
	Agency          string `json:"agency"`
	Title           string `json:"title"`
	Year            *int64 `json:"year"`
	Template        string `json:"template"`
	Status          string `json:"status"`
	Reason          string `json:"reason"`
	OrganID         *int64 `json:"organ_id"`
	Organ           string `json:"organ"`
	Published       string `json:"published"`
	PublishedSource string `json:"published_source"`
	OnTime          *int64 `json:"on_time"`
	Source          string `json:"source"`
	SHA256          string `json:"sha256"`
	Format          string `json:"format"`
	Parser          string `json:"parser"`
	ParsedAt        string `json:"parsed_at"`
	Version         *int64 `json:"version"`
	Current         bool   `json:"current"`
	SupersededBy    *int64 `json:"superseded_by"`
	SameAs          *int64 `json:"same_as"`
}

// versionRow is a report of the same organ and year: another version, or a
// copy in another format.
type versionRow struct {
	ID       int64  `json:"report_id"`
	Version  *int64 `json:"version"`
	Current  bool   `json:"current"`
	SameAs   *int64 `json:"same_as"`
	Status   string `json:"status"`
	Format   string `json:"format"`
	ParsedAt string `json:"parsed_at"`
}

type sourceRow struct {
	Source    string `json:"source"`
	FirstSeen string `json:"first_seen"`
	LastSeen  string `json:"last_seen"`
}

// cellRow is a stored figure with where it was printed.
type cellRow struct {
	Key       string   `json:"key"`
	RowLabel  string   `json:"row_label"`
	ColLabel  string   `json:"col_label"`
	Value     *float64 `json:"value"`
	Raw       string   `json:"raw"`
	Blank     string   `json:"blank"`
	Unit      string   `json:"unit"`
	Uncertain string   `json:"uncertain"`
	Label     string   `json:"label"`
	Extra     bool     `json:"extra"`
	Derived   bool     `json:"derived"`
	Table     *int64   `json:"tbl"`
	Row       *int64   `json:"row"`
	Col       *int64   `json:"col"`
	Page      *int64   `json:"page"`
	X0        *float64 `json:"x0"`
	Y0        *float64 `json:"y0"`
	X1        *float64 `json:"x1"`
	Y1        *float64 `json:"y1"`
	Engine    string   `json:"engine"`
	Path      string   `json:"path"`
	Line      *int64   `json:"line"`
	ColFrom   *int64   `json:"col_from"`
	ColTo     *int64   `json:"col_to"`
}

type sectionRow struct {
	Section string `json:"section"`
	Text    string `json:"text"`
}

// sectionNames are the headings of the prose sections.
var sectionNames = map[string]string{"1": "一、总体情况", "5": "五、存在的主要问题及改进情况", "6": "六、其他需要报告的事项"}

// Heading is the section's printed heading.
func (s sectionRow) Heading() string {
	if h, ok := sectionNames[s.Section]; ok {
		return h
	}
	return s.Section
}

// Paragraphs splits the text into its paragraphs.
func (s sectionRow) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(s.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (s *Server) reportPage(r *http.Request) (*result, error) {
	idText, _ := splitFormat(r.PathValue("id"))
	id, err := idValue(idText, "report")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	d := &reportData{}
	if d.Report, err = s.readReportHead(ctx, id); err != nil {
		return nil, err
	}
	if err := s.readVersions(ctx, d); err != nil {
		return nil, err
	}
	if d.Cells, err = s.readCells(ctx, id, ""); err != nil {
		return nil, err
	}
	if d.Findings, err = s.findingsWhere(ctx, `f.report_id = ? OR f.other_report_id = ?`, id, id); err != nil {
		return nil, err
	}
	if err := s.readSections(ctx, d); err != nil {
		return nil, err
	}
	cells := map[string]*cellRow{}
	split := false
	for i := range d.Cells {
		c := &d.Cells[i]
		if c.Extra {
			d.Extra = append(d.Extra, *c)
			continue
		}
		cells[c.Key] = c
		if strings.HasPrefix(c.Key, "t3.other.") && strings.Count(c.Key, ".") == 3 && !c.Derived {
			split = true
		}
	}
	// A finding marks its cells on this report; a cross-year finding of
	// the next year's report names this report's cells too.
	rules := map[string][]string{}
	for _, f := range d.Findings {
		for _, k := range f.Cells {
			rules[k] = append(rules[k], f.Rule)
		}
	}
	if d.Report.Status == string(nianbao.StatusOK) || d.Report.Status == string(nianbao.StatusFindings) {
		d.Printed = layoutTables(id, templateOf(d.Report.Template, cells), split, cells, rules)
	}
	title := d.Report.Agency
	if d.Report.Year != nil {
		title += fmt.Sprintf(" %d", *d.Report.Year)
	}
	if title == "" {
		title = fmt.Sprintf("report %d", id)
	}
	return &result{Title: title, tmpl: "report", Data: d, Tables: reportTables(d)}, nil
}

// templateOf is the report's template, or the one its table 二 cells say.
func templateOf(t string, cells map[string]*cellRow) nianbao.Template {
	switch nianbao.Template(t) {
	case nianbao.Template2019, nianbao.Template2021:
		return nianbao.Template(t)
	}
	for k := range cells {
		if strings.HasPrefix(k, "t2.rules.issued") || strings.HasPrefix(k, "t2.rules.in_force") {
			return nianbao.Template2021
		}
	}
	return nianbao.Template2019
}

func (s *Server) readReportHead(ctx context.Context, id int64) (reportHead, error) {
	var h reportHead
	var agency, title, tmpl, reason, rerr, organ, pub, pubSrc sql.NullString
	var year, organID, onTime, version, sup, same sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT r.id, r.agency, r.title, r.year, r.template, r.status, r.reason, r.error,
			r.organ_id, o.name, r.published, r.published_source,
			CASE WHEN r.published IS NULL OR r.year IS NULL THEN NULL
			     WHEN r.published <= (r.year + 1) || '-01-31' THEN 1 ELSE 0 END,
			d.source, d.sha256, d.format, r.parser, r.parsed_at, r.version, r.current, r.superseded_by, r.same_as
		FROM reports r JOIN documents d ON d.id = r.document_id LEFT JOIN organs o ON o.id = r.organ_id
		WHERE r.id = ?`, id).Scan(&h.ID, &agency, &title, &year, &tmpl, &h.Status, &reason, &rerr, &organID, &organ, &pub, &pubSrc, &onTime,
		&h.Source, &h.SHA256, &h.Format, &h.Parser, &h.ParsedAt, &version, &h.Current, &sup, &same)
	if errors.Is(err, sql.ErrNoRows) {
		return h, notFound("no report %d", id)
	}
	if err != nil {
		return h, fmt.Errorf("report %d: %w", id, err)
	}
	h.Agency, h.Title, h.Template, h.Organ, h.Published, h.PublishedSource = agency.String, title.String, tmpl.String, organ.String, pub.String, pubSrc.String
	h.Reason = reason.String
	if h.Reason == "" {
		h.Reason = rerr.String
	}
	h.Year, h.OrganID, h.OnTime, h.Version, h.SupersededBy, h.SameAs = iptr(year), iptr(organID), iptr(onTime), iptr(version), iptr(sup), iptr(same)
	return h, nil
}

// readVersions reads the reports of the same organ and year, and the places
// the document was seen.
func (s *Server) readVersions(ctx context.Context, d *reportData) error {
	h := d.Report
	if h.OrganID != nil && h.Year != nil {
		rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.version, r.current, r.same_as, r.status, d.format, r.parsed_at
			FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.organ_id = ? AND r.year = ? ORDER BY r.id`, *h.OrganID, *h.Year)
		if err != nil {
			return fmt.Errorf("versions: %w", err)
		}
		for rows.Next() {
			var v versionRow
			var ver, same sql.NullInt64
			if err := rows.Scan(&v.ID, &ver, &v.Current, &same, &v.Status, &v.Format, &v.ParsedAt); err != nil {
				rows.Close()
				return fmt.Errorf("versions: %w", err)
			}
			v.Version, v.SameAs = iptr(ver), iptr(same)
			d.Versions = append(d.Versions, v)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("versions: %w", err)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT s.source, s.first_seen, s.last_seen FROM document_sources s
		JOIN documents d ON d.id = s.document_id WHERE d.sha256 = ? ORDER BY s.first_seen, s.source`, h.SHA256)
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var src sourceRow
		if err := rows.Scan(&src.Source, &src.FirstSeen, &src.LastSeen); err != nil {
			return fmt.Errorf("sources: %w", err)
		}
		d.Sources = append(d.Sources, src)
	}
	return rows.Err()
}

// readCells reads a report's figures (key: that one only), in printed
// order, a province's extra cells after.
func (s *Server) readCells(ctx context.Context, id int64, key string) ([]cellRow, error) {
	q := `SELECT c.key, c.value, coalesce(c.raw, ''), coalesce(c.blank, ''), coalesce(c.unit, ''), coalesce(c.uncertain, ''),
			coalesce(c.label, ''), c.extra, c.tbl, c.row, c.col, c.page, c.x0, c.y0, c.x1, c.y1, coalesce(c.engine, '')` + s.cols.selectList() + `
		FROM cells c LEFT JOIN fields f ON f.key = c.key WHERE c.report_id = ?`
	args := []any{id}
	if key != "" {
		q += ` AND c.key = ?`
		args = append(args, key)
	}
	q += ` ORDER BY f.ord IS NULL, f.ord, c.key`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cells: %w", err)
	}
	defer rows.Close()
	var out []cellRow
	for rows.Next() {
		var c cellRow
		var v, x0, y0, x1, y1 sql.NullFloat64
		var tbl, row, col, page, line, from, to sql.NullInt64
		var path sql.NullString
		if err := rows.Scan(&c.Key, &v, &c.Raw, &c.Blank, &c.Unit, &c.Uncertain, &c.Label, &c.Extra, &tbl, &row, &col, &page,
			&x0, &y0, &x1, &y1, &c.Engine, &c.Derived, &path, &line, &from, &to); err != nil {
			return nil, fmt.Errorf("cells: %w", err)
		}
		c.Value, c.X0, c.Y0, c.X1, c.Y1 = fptr(v), fptr(x0), fptr(y0), fptr(x1), fptr(y1)
		c.Table, c.Row, c.Col, c.Page, c.Line, c.ColFrom, c.ColTo = iptr(tbl), iptr(row), iptr(col), iptr(page), iptr(line), iptr(from), iptr(to)
		c.Path = path.String
		if f, ok := nianbao.LookupField(c.Key); ok {
			c.RowLabel, c.ColLabel = f.RowLabel, f.ColLabel
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Server) readSections(ctx context.Context, d *reportData) error {
	rows, err := s.db.QueryContext(ctx, `SELECT section, text FROM sections WHERE report_id = ? ORDER BY section`, d.Report.ID)
	if err != nil {
		return fmt.Errorf("sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sec sectionRow
		if err := rows.Scan(&sec.Section, &sec.Text); err != nil {
			return fmt.Errorf("sections: %w", err)
		}
		d.Sections = append(d.Sections, sec)
	}
	return rows.Err()
}

func cellsTable(cs []cellRow) table {
	t := table{Name: "cells", Columns: []string{"key", "row_label", "col_label", "value", "raw", "blank", "unit", "uncertain", "label", "extra", "derived",
		"tbl", "row", "col", "page", "x0", "y0", "x1", "y1", "engine", "path", "line", "col_from", "col_to"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []any{c.Key, c.RowLabel, c.ColLabel, c.Value, c.Raw, c.Blank, c.Unit, c.Uncertain, c.Label, c.Extra, c.Derived,
			c.Table, c.Row, c.Col, c.Page, c.X0, c.Y0, c.X1, c.Y1, c.Engine, c.Path, c.Line, c.ColFrom, c.ColTo})
	}
	return t
}

func reportTables(d *reportData) []table {
	secs := table{Name: "sections", Columns: []string{"section", "text"}}
	for _, s := range d.Sections {
		secs.Rows = append(secs.Rows, []any{s.Section, s.Text})
	}
	vers := table{Name: "versions", Columns: []string{"report_id", "version", "current", "same_as", "status", "format", "parsed_at"}}
	for _, v := range d.Versions {
		vers.Rows = append(vers.Rows, []any{v.ID, v.Version, v.Current, v.SameAs, v.Status, v.Format, v.ParsedAt})
	}
	return []table{cellsTable(d.Cells), findingsTable("findings", d.Findings), secs, vers}
}
