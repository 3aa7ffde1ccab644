package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// PanelFilter selects the rows of the panel (v_panel) and how to group them.
type PanelFilter struct {
	// By is "organ" (a row per organ and year, as v_panel) or "county",
	// "city", "province": the organs of each division of that level summed,
	// a row per division and year.
	By string
	// Region keeps the organs in a division: its code (NBS codes nest, so
	// 32 is 江苏, 3208 淮安, 320813 洪泽区).
	Region string
	Level  string // 省, 市, 县 or 乡; "": any
	Kind   string // the organ's kind (人民政府, 部门 …); "": any
	// From and To bound the years (0: open).
	From, To int
}

// panelCounts are the counts of v_panel, summed when grouped.
var panelCounts = []string{"applications", "carried", "granted", "partial", "denied", "unable", "rejected", "other",
	"outcome_total", "carry_forward", "reviews", "reviews_corrected", "suits", "suits_corrected", "findings", "cross_year_findings"}

// panelShares are the shares of v_panel, recomputed from the sums when
// grouped: numerator and denominator.
var panelShares = [][3]string{
	{"granted_share", "granted", "outcome_total"}, {"partial_share", "partial", "outcome_total"},
	{"denied_share", "denied", "outcome_total"}, {"unable_share", "unable", "outcome_total"},
	{"rejected_share", "rejected", "outcome_total"}, {"other_share", "other", "outcome_total"},
	{"review_correction_rate", "reviews_corrected", "reviews"}, {"suit_correction_rate", "suits_corrected", "suits"},
}

// Panel calls header with the panel's column names, then fn once per row
// with its values (int64, float64, string or nil), in the order of region,
// organ and year.
func (s *Store) Panel(ctx context.Context, f PanelFilter, header func([]string) error, fn func([]any) error) error {
	q, args, err := panelQuery(f)
	if err != nil {
		return err
	}
	return s.scanRows(ctx, q, args, header, fn)
}

// PanelTable is the panel as a table of an export (XLSX).
func (s *Store) PanelTable(ctx context.Context, f PanelFilter) (*Table, error) {
	q, args, err := panelQuery(f)
	if err != nil {
		return nil, err
	}
	t := &Table{s: s, Name: "panel", Label: "面板"}
	// The columns, from the statement without its rows.
	err = s.scanRows(ctx, `SELECT * FROM (`+q+`) AS panel LIMIT 0`, args, func(cols []string) error {
		for _, c := range cols {
			t.Columns = append(t.Columns, Column{Name: c, Label: panelLabels[c]})
		}
		return nil
	}, func([]any) error { return nil })
	if err != nil {
		return nil, err
	}
	t.rows = func(ctx context.Context, fn func([]any) error) error {
		return s.scanRows(ctx, q, args, func([]string) error { return nil }, fn)
	}
	return t, nil
}

// panelLabels are the Chinese headers of the panel's columns.
var panelLabels = map[string]string{
	"organ_id": "机关编号", "organ": "机关", "kind": "机关类型", "level": "层级", "division_code": "区划代码",
	"province": "省", "city": "市", "county": "县", "year": "年度", "report_id": "报告编号", "template": "模板",
	"published": "发布日期", "on_time": "按时发布", "on_time_known": "发布日期已知", "reports": "报告数",
	"organs_missing": "缺报机关数", "applications": "本年新收申请", "carried": "上年结转", "granted": "予以公开",
	"partial": "部分公开", "denied": "不予公开", "unable": "无法提供", "rejected": "不予处理", "other": "其他处理",
	"outcome_total": "办理结果总计", "carry_forward": "结转下年度", "granted_share": "予以公开占比",
	"partial_share": "部分公开占比", "denied_share": "不予公开占比", "unable_share": "无法提供占比",
	"rejected_share": "不予处理占比", "other_share": "其他处理占比", "reviews": "行政复议", "reviews_corrected": "复议结果纠正",
	"review_correction_rate": "复议纠错率", "suits": "行政诉讼", "suits_corrected": "诉讼结果纠正",
	"suit_correction_rate": "诉讼纠错率", "findings": "勾稽问题", "cross_year_findings": "跨年度勾稽问题",
}

// panelQuery builds the panel's statement for a filter.
func panelQuery(f PanelFilter) (string, []any, error) {
	var where []string
	var args []any
	if f.Region != "" {
		if strings.Trim(f.Region, "0123456789") != "" {
			return "", nil, fmt.Errorf("panel: region %q is no division code", f.Region)
		}
		where = append(where, `o.division_code >= ? AND o.division_code < ?`)
		args = append(args, f.Region, f.Region+":") // ':' follows '9'
	}
	if f.Level != "" {
		where = append(where, `p.level = ?`)
		args = append(args, f.Level)
	}
	if f.Kind != "" {
		where = append(where, `p.kind = ?`)
		args = append(args, f.Kind)
	}
	if f.From != 0 {
		where = append(where, `p.year >= ?`)
		args = append(args, f.From)
	}
	if f.To != 0 {
		where = append(where, `p.year <= ?`)
		args = append(args, f.To)
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, ` AND `)
	}
	var q string
	switch f.By {
	case "", "organ":
		q = `SELECT p.* FROM v_panel p JOIN organs o ON o.id = p.organ_id` + cond +
			` ORDER BY p.province IS NULL, p.province, p.city NULLS FIRST, p.county NULLS FIRST, p.organ, p.organ_id, p.year`
	case "county", "city", "province":
		code, name := f.By+"_code", f.By
		sums := make([]string, 0, len(panelCounts)+len(panelShares)+6)
		sums = append(sums, `o.`+code+` AS division_code`, `min(o.`+name+`) AS `+name, `p.year`,
			`count(*) AS reports`,
			// Organs of the division reporting in another year of the
			// selection but not in this one.
			`(SELECT count(DISTINCT p2.organ_id) FROM v_panel p2 JOIN organs o2 ON o2.id = p2.organ_id`+
				strings.ReplaceAll(strings.ReplaceAll(cond, "p.", "p2."), "o.", "o2.")+andOrWhere(cond)+`o2.`+code+` = o.`+code+`) - count(*) AS organs_missing`,
			`sum(p.on_time) AS on_time`, `count(p.on_time) AS on_time_known`)
		for _, c := range panelCounts {
			sums = append(sums, `sum(p.`+c+`) AS `+c)
		}
		for _, sh := range panelShares {
			sums = append(sums, `CASE WHEN sum(p.`+sh[2]+`) > 0 THEN 1.0 * sum(p.`+sh[1]+`) / sum(p.`+sh[2]+`) END AS `+sh[0])
		}
		q = `SELECT ` + strings.Join(sums, ", ") + ` FROM v_panel p JOIN organs o ON o.id = p.organ_id` + cond +
			andOrWhere(cond) + `o.` + code + ` IS NOT NULL GROUP BY o.` + code + `, p.year ORDER BY o.` + code + `, p.year`
		// The region conditions appear twice (outer and per group).
		args = append(slices.Clone(args), args...)
	default:
		return "", nil, fmt.Errorf("panel: by %q: want organ, county, city or province", f.By)
	}
	return q, args, nil
}

// scanRows runs a read query, calling header with its column names and fn
// with each row (int64, float64, string or nil; fn must not keep the
// slice).
func (s *Store) scanRows(ctx context.Context, q string, args []any, header func([]string) error, fn func([]any) error) error {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("panel: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("panel: %w", err)
	}
	if err := header(cols); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("panel: %w", err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("panel: %w", err)
	}
	return nil
}

// andOrWhere continues a WHERE clause, or starts one.
func andOrWhere(cond string) string {
	if cond == "" {
		return ` WHERE `
	}
	return ` AND `
}

// OrganInfo is one organ as Organs lists it.
type OrganInfo struct {
	ID                           int64
	Key, Name, Kind, Level       string
	Division                     string // code; "" when unplaced
	Province, City, County       string
	Parent                       string // the parent organ's name
	How                          string // how it was placed
	Why                          string // why it is unplaced, if it is
	Names                        []string
	Years                        []int // with a current report
	Missing                      []int // between the first and the last of Years
	Reports, Findings, CrossYear int
}

// Organs calls fn for each organ whose name, a name it printed, or its
// division code matches match ("" for every organ), by region and name.
// Organs made only as another's parent, with no report of their own, are
// left out.
func (s *Store) Organs(ctx context.Context, match string, fn func(OrganInfo) error) error {
	q := `SELECT o.id, o.key, o.name, o.kind, coalesce(o.level, ''), coalesce(o.division_code, ''),
			coalesce(o.province, ''), coalesce(o.city, ''), coalesce(o.county, ''),
			coalesce((SELECT p.name FROM organs p WHERE p.id = o.parent_id), ''), o.placed_how, coalesce(o.why, ''),
			(SELECT group_concat(n.name, '|') FROM organ_names n WHERE n.organ_id = o.id),
			(SELECT group_concat(r.year, '|') FROM reports r WHERE r.organ_id = o.id AND r.current),
			(SELECT count(*) FROM reports r WHERE r.organ_id = o.id),
			(SELECT count(*) FROM reports r JOIN findings f ON f.report_id = r.id WHERE r.organ_id = o.id AND r.current AND f.other_report_id IS NULL),
			(SELECT count(*) FROM reports r JOIN findings f ON f.report_id = r.id WHERE r.organ_id = o.id AND r.current AND f.other_report_id IS NOT NULL)
		FROM organs o
		WHERE EXISTS (SELECT 1 FROM reports r WHERE r.organ_id = o.id)`
	var args []any
	if match != "" {
		q += ` AND (instr(o.name, ?) > 0 OR o.division_code >= ? AND o.division_code < ?
			OR EXISTS (SELECT 1 FROM organ_names n WHERE n.organ_id = o.id AND instr(n.name, ?) > 0))`
		args = append(args, match, match, match+":", match)
	}
	q += ` ORDER BY o.division_code IS NULL, o.division_code, o.name`
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("organs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o OrganInfo
		var names, years *string
		if err := rows.Scan(&o.ID, &o.Key, &o.Name, &o.Kind, &o.Level, &o.Division, &o.Province, &o.City, &o.County,
			&o.Parent, &o.How, &o.Why, &names, &years, &o.Reports, &o.Findings, &o.CrossYear); err != nil {
			return fmt.Errorf("organs: %w", err)
		}
		if names != nil {
			o.Names = strings.Split(*names, "|")
			slices.Sort(o.Names)
		}
		if years != nil {
			for _, y := range strings.Split(*years, "|") {
				if n, err := strconv.Atoi(y); err == nil {
					o.Years = append(o.Years, n)
				}
			}
			slices.Sort(o.Years)
			o.Years = slices.Compact(o.Years)
			for y := o.Years[0] + 1; y < o.Years[len(o.Years)-1]; y++ {
				if !slices.Contains(o.Years, y) {
					o.Missing = append(o.Missing, y)
				}
			}
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("organs: %w", err)
	}
	return nil
}
