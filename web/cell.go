package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// cellData is a figure's provenance view: the figure, the findings naming
// it, and the document where it was printed.
type cellData struct {
	Report   reportHead   `json:"report"`
	Cell     cellRow      `json:"cell"`
	Findings []findingRow `json:"findings"`
	// View is how the place is shown: pdf (the page with the box), html
	// (the page as read, the cell marked), text (the lines around it), or
	// "" when the document cannot be shown (Note says why).
	View  string     `json:"view"`
	Note  string     `json:"note,omitempty"`
	PDF   *pdfView   `json:"pdf,omitempty"`
	Lines []textLine `json:"lines,omitempty"`
	HTML  *docView   `json:"-"`
}

// pdfView is a page image with the cell's box, both in points.
type pdfView struct {
	Image  string   `json:"image"`
	Page   int64    `json:"page"`
	Width  float64  `json:"width"`
	Height float64  `json:"height"`
	Box    *boxView `json:"box"`
}

type boxView struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

func (s *Server) cellPage(r *http.Request) (*result, error) {
	id, err := idValue(r.PathValue("id"), "report")
	if err != nil {
		return nil, err
	}
	key, _ := splitFormat(r.PathValue("key"))
	if len(key) > 200 || !strings.HasPrefix(key, "t") {
		return nil, notFound("no figure %q: keys look like t3.new.total", clip(key, 40))
	}
	ctx := r.Context()
	d := &cellData{}
	if d.Report, err = s.readReportHead(ctx, id); err != nil {
		return nil, err
	}
	cells, err := s.readCells(ctx, id, key)
	if err != nil {
		return nil, err
	}
	if len(cells) == 0 {
		return nil, notFound("report %d has no figure %s", id, key)
	}
	d.Cell = cells[0]
	all, err := s.findingsWhere(ctx, `f.report_id = ? OR f.other_report_id = ?`, id, id)
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		if slices.Contains(f.Cells, key) {
			d.Findings = append(d.Findings, f)
		}
	}
	s.placeCell(r, d)
	title := fmt.Sprintf("%s · %s", key, d.Report.Agency)
	t := cellsTable([]cellRow{d.Cell})
	return &result{Title: title, tmpl: "cell", Data: d, Tables: []table{t, findingsTable("findings", d.Findings)}}, nil
}

// placeCell fills the view of where the cell was printed; a document that
// cannot be shown leaves a note, never a failed page.
func (s *Server) placeCell(r *http.Request, d *cellData) {
	c, h := d.Cell, d.Report
	switch {
	case c.Derived:
		d.Note = "derived: nianbao computed this figure as the sum of the three （六） sub-rows; it was not printed"
		return
	case c.Table == nil:
		d.Note = "the report does not say where this figure was printed"
		return
	}
	if nianbao.Format(h.Format) == nianbao.FormatPDF {
		s.placePDF(r, d)
		return
	}
	data, err := s.st.ArchiveGet(h.SHA256)
	if err != nil {
		d.Note = "the archive does not hold the document: " + err.Error()
		return
	}
	// Read again by this parser, the document says where a person finds
	// the figure (the element path, the line and its columns), which the
	// store does not keep; a figure read elsewhere now is not used.
	if fresh := freshSource(r.Context(), h, data, c); fresh != nil {
		if d.Cell.Path == "" {
			d.Cell.Path = fresh.Path
		}
		if d.Cell.Line == nil && fresh.Line > 0 {
			line, from, to := int64(fresh.Line), int64(fresh.ColFrom), int64(fresh.ColTo)
			d.Cell.Line, d.Cell.ColFrom, d.Cell.ColTo = &line, &from, &to
		}
		c = d.Cell
	}
	switch nianbao.Format(h.Format) {
	case nianbao.FormatHTML:
		v, err := htmlView(r.Context(), data, int(*c.Table), int(*c.Row), int(*c.Col))
		if err != nil {
			d.Note = "the archived page could not be read again: " + err.Error()
			return
		}
		d.View, d.HTML = "html", v
	case nianbao.FormatText:
		lines, note := textLines(r.Context(), data, c)
		d.View, d.Lines, d.Note = "text", lines, note
		if lines == nil {
			d.View = ""
		}
	default:
		d.Note = "documents of format " + h.Format + " are not shown"
	}
}

// placePDF shows the figure's page with its box; the document is read
// from the archive only when the page is not rendered yet.
func (s *Server) placePDF(r *http.Request, d *cellData) {
	c, h := d.Cell, d.Report
	if c.Page == nil || *c.Page < 1 {
		d.Note = "the figure's page is not known"
		return
	}
	_, w, ht, err := s.pdf.page(r.Context(), h.SHA256, int(*c.Page), func() ([]byte, error) { return s.st.ArchiveGet(h.SHA256) })
	if err != nil {
		d.Note = "the page could not be rendered: " + err.Error()
		return
	}
	d.View = "pdf"
	d.PDF = &pdfView{Image: fmt.Sprintf("/pages/%s/%d.jpg", h.SHA256, *c.Page), Page: *c.Page, Width: round1(w), Height: round1(ht)}
	if c.X0 != nil && c.Y0 != nil && c.X1 != nil && c.Y1 != nil {
		// A little margin, so that the box frames the figure.
		const m = 2
		d.PDF.Box = &boxView{X: round1(*c.X0 - m), Y: round1(*c.Y0 - m), W: round1(*c.X1 - *c.X0 + 2*m), H: round1(*c.Y1 - *c.Y0 + 2*m)}
	} else {
		d.Note = "the figure was read from this page's text (" + c.Engine + "), which gives no box"
	}
}

// freshSource reads the document again and returns where this parser finds
// the cell, when it finds it at the stored grid position (else nil).
func freshSource(ctx context.Context, h reportHead, data []byte, c cellRow) *nianbao.Provenance {
	rep := pipeline.Read(ctx, h.Source, data, pipeline.Options{SHA256: h.SHA256})
	fc := rep.Cell(c.Key)
	if fc == nil {
		for i := range rep.Extra {
			if rep.Extra[i].Key == c.Key {
				fc = &rep.Extra[i]
			}
		}
	}
	if fc == nil || fc.Source == nil || c.Table == nil || c.Row == nil || c.Col == nil {
		return nil
	}
	src := fc.Source
	if int64(src.Table) != *c.Table || int64(src.Row) != *c.Row || int64(src.Col) != *c.Col {
		return nil
	}
	return src
}
