package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
)

type organData struct {
	Organ     organHead        `json:"organ"`
	Names     []organName      `json:"names"`
	Years     []organYear      `json:"years"`
	Missing   []int            `json:"missing"`
	Panel     []map[string]any `json:"panel"`
	Charts    []chart          `json:"charts"`
	CrossYear []findingRow     `json:"cross_year_findings"`
	// PanelRows are the panel for the page's table.
	PanelRows []panelRow `json:"-"`
}

type organHead struct {
	ID         int64  `json:"organ_id"`
	Key        string `json:"key"`
	Name       string `json:"organ"`
	Kind       string `json:"kind"`
	Level      string `json:"level"`
	Division   string `json:"division_code"`
	Province   string `json:"province"`
	City       string `json:"city"`
	County     string `json:"county"`
	ParentID   int64  `json:"parent_id,omitempty"`
	ParentName string `json:"parent,omitempty"`
	PlacedHow  string `json:"placed_how"`
	Why        string `json:"why,omitempty"`
}

type organName struct {
	Name   string `json:"name"`
	How    string `json:"how"`
	Manual string `json:"manual,omitempty"`
}

// organYear is a year between the organ's first report and its last.
type organYear struct {
	Year     int   `json:"year"`
	ReportID int64 `json:"report_id,omitempty"` // 0: no report that year
}

// panelRow is a row of v_panel, its columns by name.
type panelRow struct {
	Year     int
	ReportID int64
	cols     []string
	vals     []any
}

// num is a column as a number (nil when blank).
func (p panelRow) num(name string) *float64 {
	for i, c := range p.cols {
		if c == name {
			switch x := p.vals[i].(type) {
			case int64:
				f := float64(x)
				return &f
			case float64:
				return &x
			}
			return nil
		}
	}
	return nil
}

// Val is a column's value, for the template.
func (p panelRow) Val(name string) any {
	for i, c := range p.cols {
		if c == name {
			return p.vals[i]
		}
	}
	return nil
}

// Share is a share column as a percentage.
func (p panelRow) Share(name string) string { return pct(p.num(name)) }

func (s *Server) organPage(r *http.Request) (*result, error) {
	idText, _ := splitFormat(r.PathValue("id"))
	id, err := idValue(idText, "organ")
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	d := &organData{}
	var level, div, prov, city, county, parent, why sql.NullString
	var parentID sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT o.id, o.key, o.name, o.kind, o.level, o.division_code, o.province, o.city, o.county,
			o.parent_id, p.name, o.placed_how, o.why
		FROM organs o LEFT JOIN organs p ON p.id = o.parent_id WHERE o.id = ?`, id).
		Scan(&d.Organ.ID, &d.Organ.Key, &d.Organ.Name, &d.Organ.Kind, &level, &div, &prov, &city, &county, &parentID, &parent, &d.Organ.PlacedHow, &why)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no organ %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("organ %d: %w", id, err)
	}
	d.Organ.Level, d.Organ.Division, d.Organ.Province, d.Organ.City, d.Organ.County = level.String, div.String, prov.String, city.String, county.String
	d.Organ.ParentID, d.Organ.ParentName, d.Organ.Why = parentID.Int64, parent.String, why.String
	if err := s.organNames(ctx, d); err != nil {
		return nil, err
	}
	if err := s.organPanel(ctx, d); err != nil {
		return nil, err
	}
	if d.CrossYear, err = s.findingsWhere(ctx, `r.organ_id = ? AND r.current AND f.other_report_id IS NOT NULL`, id); err != nil {
		return nil, err
	}
	var years []int
	if len(d.PanelRows) > 0 {
		first, last := d.PanelRows[0].Year, d.PanelRows[len(d.PanelRows)-1].Year
		byYear := map[int]int64{}
		for _, p := range d.PanelRows {
			byYear[p.Year] = p.ReportID
		}
		for y := first; y <= last; y++ {
			years = append(years, y)
			d.Years = append(d.Years, organYear{Year: y, ReportID: byYear[y]})
			if byYear[y] == 0 {
				d.Missing = append(d.Missing, y)
			}
		}
	}
	d.Charts = organCharts(d.PanelRows, years)
	return &result{Title: d.Organ.Name, tmpl: "organ", Data: d, Tables: organTables(d)}, nil
}

func (s *Server) organNames(ctx context.Context, d *organData) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name, how, coalesce(manual, '') FROM organ_names WHERE organ_id = ? ORDER BY name`, d.Organ.ID)
	if err != nil {
		return fmt.Errorf("organ names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n organName
		if err := rows.Scan(&n.Name, &n.How, &n.Manual); err != nil {
			return fmt.Errorf("organ names: %w", err)
		}
		d.Names = append(d.Names, n)
	}
	return rows.Err()
}

// organPanel reads the organ's rows of v_panel, one per year.
func (s *Server) organPanel(ctx context.Context, d *organData) error {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM v_panel WHERE organ_id = ? ORDER BY year`, d.Organ.ID)
	if err != nil {
		return fmt.Errorf("organ panel: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("organ panel: %w", err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("organ panel: %w", err)
		}
		p := panelRow{cols: cols, vals: vals}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			m[c] = vals[i]
		}
		if y, ok := vals[colIndex(cols, "year")].(int64); ok {
			p.Year = int(y)
		}
		if id, ok := vals[colIndex(cols, "report_id")].(int64); ok {
			p.ReportID = id
		}
		d.PanelRows = append(d.PanelRows, p)
		d.Panel = append(d.Panel, m)
	}
	return rows.Err()
}

func colIndex(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	return 0
}

func organTables(d *organData) []table {
	panel := table{Name: "panel"}
	if len(d.PanelRows) > 0 {
		panel.Columns = d.PanelRows[0].cols
	}
	for _, p := range d.PanelRows {
		panel.Rows = append(panel.Rows, p.vals)
	}
	names := table{Name: "names", Columns: []string{"name", "how", "manual"}}
	for _, n := range d.Names {
		names.Rows = append(names.Rows, []any{n.Name, n.How, n.Manual})
	}
	years := table{Name: "years", Columns: []string{"year", "report_id"}}
	for _, y := range d.Years {
		var id any
		if y.ReportID != 0 {
			id = y.ReportID
		}
		years.Rows = append(years.Rows, []any{y.Year, id})
	}
	charts := table{Name: "charts", Columns: []string{"chart", "series", "year", "value"}}
	for _, c := range d.Charts {
		for _, s := range c.Series {
			for i, y := range c.Years {
				charts.Rows = append(charts.Rows, []any{c.ID, s.Name, y, s.Values[i]})
			}
		}
	}
	return []table{panel, names, years, findingsTable("cross_year_findings", d.CrossYear), charts}
}
