package web

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/organ"
)

// The values the organs' filters take (organs.kind and level of package
// organ; a report's status).
var (
	organKinds    = []string{"人民政府", "人民政府办公室", "部门", "乡镇", "街道", "开发区", "其他"}
	organLevels   = []string{"省", "市", "县", "乡"}
	organStatuses = []string{"ok", "findings", "unplaced"}
)

type organsData struct {
	Filter  organsFilter `json:"filter"`
	Organs  []organRow   `json:"organs"`
	Pager   pager        `json:"paging"`
	Choices organChoices `json:"-"`
	Query   url.Values   `json:"-"`
}

type organsFilter struct {
	Province string `json:"province,omitempty"`
	City     string `json:"city,omitempty"`
	County   string `json:"county,omitempty"`
	Level    string `json:"level,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Year     int    `json:"year,omitempty"`
	Status   string `json:"status,omitempty"`
	Name     string `json:"q,omitempty"`
}

type organRow struct {
	ID       int64  `json:"organ_id"`
	Name     string `json:"organ"`
	Kind     string `json:"kind"`
	Level    string `json:"level"`
	Division string `json:"division_code"`
	Province string `json:"province"`
	City     string `json:"city"`
	County   string `json:"county"`
	Years    []int  `json:"years"`
	Findings int    `json:"findings"`
}

// organChoices are the options of the filters' lists.
type organChoices struct {
	Provinces, Cities, Counties []choice
	Kinds, Levels, Statuses     []string
}

type choice struct{ Code, Name string }

func (s *Server) organsPage(r *http.Request) (*result, error) {
	var f organsFilter
	var err error
	for _, p := range []struct {
		name string
		dst  *string
	}{{"province", &f.Province}, {"city", &f.City}, {"county", &f.County}} {
		if *p.dst, err = codeParam(r, p.name); err != nil {
			return nil, err
		}
	}
	// A city or county left chosen from another province (the lists
	// follow the province only once the form is sent) is dropped.
	if f.Province != "" && !strings.HasPrefix(f.City, f.Province) {
		f.City = ""
	}
	if f.City != "" && !strings.HasPrefix(f.County, f.City) || f.City == "" && f.Province != "" && !strings.HasPrefix(f.County, f.Province) {
		f.County = ""
	}
	if f.Level, err = oneOf(r, "level", organLevels); err != nil {
		return nil, err
	}
	if f.Kind, err = oneOf(r, "kind", organKinds); err != nil {
		return nil, err
	}
	if f.Status, err = oneOf(r, "status", organStatuses); err != nil {
		return nil, err
	}
	if f.Year, err = intParam(r, "year", 1990, 2100); err != nil {
		return nil, err
	}
	if f.Name, err = textParam(r, "q", 100); err != nil {
		return nil, err
	}
	pg := pager{}
	if pg.Page, err = pageParam(r); err != nil {
		return nil, err
	}
	d := &organsData{Filter: f, Pager: pg, Query: r.URL.Query(), Choices: choicesFor(f)}
	q, args := organsQuery(f, pg)
	rows, err := s.db.QueryContext(r.Context(), q, args...)
	if err != nil {
		return nil, fmt.Errorf("organs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o organRow
		var years sql.NullString
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Level, &o.Division, &o.Province, &o.City, &o.County, &years, &o.Findings); err != nil {
			return nil, fmt.Errorf("organs: %w", err)
		}
		o.Years = splitYears(years.String)
		d.Organs = append(d.Organs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("organs: %w", err)
	}
	if len(d.Organs) > perPage {
		d.Organs, d.Pager.Next = d.Organs[:perPage], true
	}
	t := table{Name: "organs", Columns: []string{"organ_id", "organ", "kind", "level", "division_code", "province", "city", "county", "years", "findings"}}
	for _, o := range d.Organs {
		t.Rows = append(t.Rows, []any{o.ID, o.Name, o.Kind, o.Level, o.Division, o.Province, o.City, o.County, joinInts(o.Years, " "), o.Findings})
	}
	return &result{Title: "机关 organs", tmpl: "organs", Data: d, Tables: []table{t}}, nil
}

// organsQuery selects a page of organs with a current report, in the
// order of their division (NBS codes sort by region), then of their id:
// the index on division_code gives that order without sorting.
func organsQuery(f organsFilter, pg pager) (string, []any) {
	var where, report []string
	var args []any
	region := f.County
	if region == "" {
		region = f.City
	}
	if region == "" {
		region = f.Province
	}
	if f.Year != 0 {
		report = append(report, `r.year = ?`)
		args = append(args, f.Year)
	}
	switch f.Status {
	case "ok", "findings":
		report = append(report, `r.status = ?`)
		args = append(args, f.Status)
	case "unplaced":
		where = append(where, `o.placed_how = 'unplaced'`)
	}
	where = append(where, `EXISTS (SELECT 1 FROM reports r WHERE r.organ_id = o.id AND r.current`+andAll(report)+`)`)
	if region != "" {
		where = append(where, `o.division_code >= ? AND o.division_code < ?`)
		args = append(args, region, region+":") // ':' follows '9'
	}
	if f.Level != "" {
		where = append(where, `o.level = ?`)
		args = append(args, f.Level)
	}
	if f.Kind != "" {
		where = append(where, `o.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Name != "" {
		// The printed names are searched once, not once per organ.
		where = append(where, `(instr(o.name, ?) > 0 OR o.id IN (SELECT n.organ_id FROM organ_names n WHERE instr(n.name, ?) > 0))`)
		args = append(args, f.Name, f.Name)
	}
	q := `SELECT o.id, o.name, o.kind, coalesce(o.level, ''), coalesce(o.division_code, ''), coalesce(o.province, ''),
			coalesce(o.city, ''), coalesce(o.county, ''),
			(SELECT group_concat(r.year, ' ') FROM reports r WHERE r.organ_id = o.id AND r.current),
			(SELECT count(*) FROM reports r JOIN findings x ON x.report_id = r.id WHERE r.organ_id = o.id AND r.current)
		FROM organs o WHERE ` + strings.Join(where, ` AND `) + `
		ORDER BY o.division_code NULLS FIRST, o.id LIMIT ? OFFSET ?`
	args = append(args, perPage+1, pg.offset())
	return q, args
}

func andAll(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return ` AND ` + strings.Join(conds, ` AND `)
}

// splitYears reads a list of years, sorted and without repeats.
func splitYears(s string) []int {
	var ys []int
	for _, f := range strings.Fields(s) {
		if y, err := strconv.Atoi(f); err == nil {
			ys = append(ys, y)
		}
	}
	return sortedUnique(ys)
}

func sortedUnique(ys []int) []int {
	slices.Sort(ys)
	return slices.Compact(ys)
}

// choicesFor lists the filter options: the provinces, the cities of the
// chosen province and the counties of the chosen city (from the bundled
// divisions table, so that the lists cost the database nothing).
func choicesFor(f organsFilter) organChoices {
	c := organChoices{Kinds: organKinds, Levels: organLevels, Statuses: organStatuses}
	divs, err := organ.Bundled()
	if err != nil {
		return c
	}
	for _, p := range provinces(divs) {
		c.Provinces = append(c.Provinces, choice{p.Code, p.Name})
	}
	if f.Province != "" {
		for _, d := range divs.Children(f.Province) {
			c.Cities = append(c.Cities, choice{d.Code, d.Name})
		}
	}
	if f.City != "" {
		for _, d := range divs.Children(f.City) {
			c.Counties = append(c.Counties, choice{d.Code, d.Name})
		}
	}
	return c
}
