package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"

	"github.com/nianbao/nianbao"
)

// Column is one column of an exported table: its name, the same as in
// the view it comes from (for a figure, ColumnName of its key), its
// Chinese label, and for a figure its canonical key.
type Column struct {
	Name  string
	Label string
	Key   string // the canonical key of a figure's column, else ""
}

// ColumnName is the name of a figure's column in the views and the
// exports: its key with the dots as underscores (t3.new.total is
// t3_new_total), but t3.outcome_total.total, whose row and column both say
// total, is t3_outcome_total, as v_reports has always named it. The fields
// table has it as column_name.
func ColumnName(key string) string {
	if key == "t3.outcome_total.total" {
		return "t3_outcome_total"
	}
	return strings.ReplaceAll(key, ".", "_")
}

// Table is one table of an export, read row by row from the database so
// that an export of any size streams.
type Table struct {
	Name    string
	Label   string
	Columns []Column
	s       *Store
	rows    func(ctx context.Context, fn func([]any) error) error
}

// Rows calls fn with each row, values in the order of Columns: int64,
// float64, string or nil. fn must not keep the slice.
func (t *Table) Rows(ctx context.Context, fn func([]any) error) error {
	if err := t.rows(ctx, fn); err != nil {
		return fmt.Errorf("export %s: %w", t.Name, err)
	}
	return nil
}

// tableNames labels the three tables of a report.
var tableNames = map[int]string{2: "表二", 3: "表三", 4: "表四"}

// FieldLabel is the Chinese label of a canonical key for a column header:
// table, row and column as the template prints them.
func FieldLabel(f nianbao.Field) string {
	col := f.ColLabel
	if f.Unit == "万元" && !strings.Contains(col, "万元") {
		col += "（万元）"
	}
	return tableNames[f.Table] + " " + f.RowLabel + " · " + col
}

// ExportTables returns the tables of an export: the reports the views show
// (the current ones, the newest version of each organ and year, and those
// read without an organ or a year, see v_reports), each table from its
// view and under the view's column names:
//
//   - reports: v_reports, then every other canonical key of both templates
//     as a column (ColumnName);
//   - table2, table3, table4: v_table2, v_table3, v_table4;
//   - findings, sections, cells: v_findings, v_sections, v_cells;
//   - fields: the canonical keys, their column names and labels.
//
// Counts are int64, amounts (t2.*.amount) float64, as in the views.
func (s *Store) ExportTables() []*Table {
	return []*Table{s.exportReports(), s.exportView("table2", "表二 主动公开政府信息情况", "v_table2"),
		s.exportView("table3", "表三 收到和处理政府信息公开申请情况", "v_table3"),
		s.exportView("table4", "表四 政府信息公开行政复议、行政诉讼情况", "v_table4"),
		s.exportFindings(), s.exportSections(), s.exportCells(), s.exportFields()}
}

// ReportColumns are the columns of v_reports, in its order, with their
// labels; the headline figures are named by ColumnName of their keys.
var ReportColumns = []Column{
	{Name: "report_id", Label: "报告编号"}, {Name: "agency", Label: "机关（报告所署）"}, {Name: "year", Label: "年度"},
	{Name: "template", Label: "模板"}, {Name: "status", Label: "状态"}, {Name: "version", Label: "版本"},
	{Name: "findings", Label: "问题数"},
	figureColumn("t3.new.total"), figureColumn("t3.carried.total"), figureColumn("t3.granted.total"),
	figureColumn("t3.partial.total"), figureColumn("t3.outcome_total.total"), figureColumn("t3.carry_forward.total"),
	figureColumn("t4.review.total"), figureColumn("t4.suit_direct.total"), figureColumn("t4.suit_after_review.total"),
	{Name: "source", Label: "来源"}, {Name: "sha256", Label: "文件SHA-256"}, {Name: "format", Label: "格式"},
	{Name: "organ_id", Label: "机关编号"}, {Name: "organ", Label: "机关（规范名称）"}, {Name: "organ_kind", Label: "机关类别"},
	{Name: "organ_level", Label: "机关层级"}, {Name: "division_code", Label: "区划代码"}, {Name: "province", Label: "省"},
	{Name: "city", Label: "市"}, {Name: "county", Label: "县"}, {Name: "published", Label: "发布日期"},
	{Name: "published_source", Label: "发布日期来源"}, {Name: "on_time", Label: "按时发布（次年1月31日前）"},
	{Name: "missing", Label: "缺少（机关或年度）"}, {Name: "title", Label: "标题"}, {Name: "parser", Label: "解析器版本"},
}

func figureColumn(key string) Column {
	f, _ := nianbao.LookupField(key)
	return Column{Name: ColumnName(key), Label: FieldLabel(f), Key: key}
}

// figureValue types a stored figure as the views do: an amount stays a
// float64, a count that is a whole number becomes an int64.
func figureValue(key string, v any) any {
	f, ok := v.(float64)
	if !ok || strings.HasSuffix(key, ".amount") {
		return v
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<51 {
		return int64(f)
	}
	return v
}

// shownReports is the condition of the reports every view shows.
const shownReports = `(r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))`

func (s *Store) exportReports() *Table {
	cols := append([]Column{}, ReportColumns...)
	index := map[string]int{}
	for i, c := range cols {
		if c.Key != "" {
			index[c.Key] = i
		}
	}
	for _, f := range printedOrder(nianbao.AllFields()) {
		if _, ok := index[f.Key]; ok {
			continue // a headline figure of v_reports
		}
		index[f.Key] = len(cols)
		cols = append(cols, Column{Name: ColumnName(f.Key), Label: FieldLabel(f), Key: f.Key})
	}
	names := make([]string, len(ReportColumns))
	for i, c := range ReportColumns {
		names[i] = c.Name
	}
	// The reports of a page by id first, then those rows of v_reports:
	// ordering the view itself by report_id would compute every row after
	// the page's first for each page.
	qIDs := `SELECT r.id FROM reports r WHERE r.id > ? AND ` + shownReports + ` ORDER BY r.id LIMIT 500`
	qPage := `SELECT ` + strings.Join(names, ", ") + ` FROM v_reports WHERE report_id BETWEEN ? AND ? ORDER BY report_id`
	t := &Table{s: s, Name: "reports", Label: "报告", Columns: cols}
	t.rows = func(ctx context.Context, fn func([]any) error) error {
		// Reports in pages, then the cells of each by its primary key: no
		// read transaction stays open for the whole export.
		var after int64
		row := make([]any, len(cols))
		for {
			var first, last sql.NullInt64
			if err := s.rdb.QueryRowContext(ctx, `SELECT min(id), max(id) FROM (`+qIDs+`) AS page`, after).Scan(&first, &last); err != nil {
				return err
			}
			if !first.Valid {
				return nil
			}
			var page [][]any
			rows, err := s.rdb.QueryContext(ctx, qPage, first.Int64, last.Int64)
			if err != nil {
				return err
			}
			for rows.Next() {
				vals := make([]any, len(names))
				ptrs := make([]any, len(vals))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				page = append(page, vals)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			for _, vals := range page {
				clear(row)
				copy(row, vals)
				id := vals[0].(int64)
				crow, err := s.rdb.QueryContext(ctx, `SELECT key, value FROM cells WHERE report_id = ?`, id)
				if err != nil {
					return err
				}
				for crow.Next() {
					var key string
					var v any
					if err := crow.Scan(&key, &v); err != nil {
						crow.Close()
						return err
					}
					if i, ok := index[key]; ok && i >= len(names) {
						row[i] = figureValue(key, v)
					}
				}
				if err := crow.Close(); err != nil {
					return err
				}
				if err := fn(row); err != nil {
					return err
				}
			}
			after = last.Int64
		}
	}
	return t
}

// exportView exports v_table2, v_table3 or v_table4: the row key and label,
// then the value columns under their keys and labels.
func (s *Store) exportView(name, label, view string) *Table {
	cols := []Column{{Name: "report_id", Label: "报告编号"}, {Name: "agency", Label: "机关"}, {Name: "year", Label: "年度"},
		{Name: "template", Label: "模板"}, {Name: "row", Label: "行"}, {Name: "row_label", Label: "行名称"}}
	valueCols := map[string][]nianbao.ColDef{"v_table2": nianbao.T2Cols, "v_table3": nianbao.T3Cols, "v_table4": nianbao.T4Cols}[view]
	for _, c := range valueCols {
		cols = append(cols, Column{Name: c.Key, Label: c.Label})
	}
	if view == "v_table3" {
		cols = append(cols, Column{Name: "derived", Label: "推算（六）合计行"})
	}
	q := `SELECT ` + columnList(cols) + ` FROM ` + view + ` ORDER BY report_id, row_ord IS NULL, row_ord, row`
	return &Table{s: s, Name: name, Label: label, Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportFindings() *Table {
	cols := []Column{{Name: "finding_id", Label: "问题编号"}, {Name: "report_id", Label: "报告编号"}, {Name: "agency", Label: "机关"},
		{Name: "year", Label: "年度"}, {Name: "rule", Label: "规则"}, {Name: "cells", Label: "涉及的单元格"}, {Name: "detail", Label: "说明"},
		{Name: "expected", Label: "应为"}, {Name: "actual", Label: "实为"}, {Name: "difference", Label: "差额（实为−应为）"},
		{Name: "other_report_id", Label: "对照报告编号（跨年度）"}}
	q := `SELECT ` + columnList(cols) + ` FROM v_findings ORDER BY report_id, finding_id`
	return &Table{s: s, Name: "findings", Label: "问题", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportSections() *Table {
	cols := []Column{{Name: "report_id", Label: "报告编号"}, {Name: "agency", Label: "机关"}, {Name: "year", Label: "年度"},
		{Name: "section", Label: "部分"}, {Name: "text", Label: "正文"}}
	q := `SELECT ` + columnList(cols) + ` FROM v_sections ORDER BY report_id, section`
	return &Table{s: s, Name: "sections", Label: "正文部分（一、五、六）", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportCells() *Table {
	cols := []Column{{Name: "report_id", Label: "报告编号"}, {Name: "agency", Label: "机关"}, {Name: "year", Label: "年度"},
		{Name: "key", Label: "键"}, {Name: "row_label", Label: "行名称"}, {Name: "col_label", Label: "列名称"},
		{Name: "label", Label: "原表标签（额外单元格）"}, {Name: "value", Label: "数值"}, {Name: "raw", Label: "原文"},
		{Name: "blank", Label: "空白说明"}, {Name: "unit", Label: "原单位"}, {Name: "uncertain", Label: "存疑原因"},
		{Name: "extra", Label: "额外"}, {Name: "derived", Label: "推算（非原文）"},
		{Name: "tbl", Label: "表格序号"}, {Name: "row", Label: "行号"}, {Name: "col", Label: "列号"}, {Name: "page", Label: "页码"},
		{Name: "x0", Label: "x0"}, {Name: "y0", Label: "y0"}, {Name: "x1", Label: "x1"}, {Name: "y1", Label: "y1"},
		{Name: "engine", Label: "提取引擎"}}
	q := `SELECT ` + columnList(cols) + ` FROM v_cells ORDER BY report_id, key`
	return &Table{s: s, Name: "cells", Label: "全部单元格", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportFields() *Table {
	cols := []Column{{Name: "key", Label: "键"}, {Name: "column_name", Label: "列名（视图与导出）"}, {Name: "tbl", Label: "表"},
		{Name: "row", Label: "行键"}, {Name: "col", Label: "列键"}, {Name: "row_label", Label: "行名称"},
		{Name: "col_label", Label: "列名称"}, {Name: "unit", Label: "单位"}, {Name: "templates", Label: "模板"}}
	q := `SELECT ` + columnList(cols) + ` FROM fields ORDER BY ord`
	return &Table{s: s, Name: "fields", Label: "键与标签", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

// columnList names the columns, quoted: natural (a column of v_table3)
// is a reserved word of PostgreSQL.
func columnList(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = `"` + c.Name + `"`
	}
	return strings.Join(names, ", ")
}

// queryRows streams a query's rows as []any.
func (s *Store) queryRows(ctx context.Context, q string, n int, fn func([]any) error) error {
	rows, err := s.rdb.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		clear(vals)
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}
