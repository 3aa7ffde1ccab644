package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/nianbao/nianbao"
)

// Column is one column of an exported table: its key (the canonical key for
// a figure) and its Chinese label.
type Column struct {
	Key   string
	Label string
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

// ExportTables returns the tables of an export of the current reports (the
// newest version of each organ and year that parsed):
//
//   - reports: one row per report, its metadata, then every canonical key of
//     both templates as a column;
//   - table2, table3, table4: one row per report and row of table 二 / 三 / 四;
//   - findings, sections: per report;
//   - cells: every figure in long form with its flags and provenance;
//   - fields: the canonical keys and their labels.
func (s *Store) ExportTables() []*Table {
	return []*Table{s.exportReports(), s.exportView("table2", "表二 主动公开政府信息情况", "v_table2"),
		s.exportView("table3", "表三 收到和处理政府信息公开申请情况", "v_table3"),
		s.exportView("table4", "表四 政府信息公开行政复议、行政诉讼情况", "v_table4"),
		s.exportFindings(), s.exportSections(), s.exportCells(), s.exportFields()}
}

var reportMetaCols = []Column{
	{"report_id", "报告编号"}, {"agency", "机关"}, {"year", "年度"}, {"template", "模板"}, {"status", "状态"},
	{"version", "版本"}, {"findings", "问题数"}, {"title", "标题"}, {"source", "来源"}, {"sha256", "文件SHA-256"},
	{"format", "格式"}, {"parser", "解析器版本"},
}

func (s *Store) exportReports() *Table {
	fields := printedOrder(nianbao.AllFields())
	cols := append([]Column{}, reportMetaCols...)
	index := map[string]int{}
	for _, f := range fields {
		index[f.Key] = len(cols)
		cols = append(cols, Column{f.Key, FieldLabel(f)})
	}
	t := &Table{s: s, Name: "reports", Label: "报告", Columns: cols}
	t.rows = func(ctx context.Context, fn func([]any) error) error {
		// Reports in pages, then the cells of each by its primary key: no
		// read transaction stays open for the whole export.
		var after int64
		row := make([]any, len(cols))
		for {
			var page [][]any
			rows, err := s.rdb.QueryContext(ctx, `SELECT r.id, r.agency, r.year, r.template, r.status, r.version,
					(SELECT count(*) FROM findings x WHERE x.report_id = r.id), r.title, d.source, d.sha256, d.format, r.parser
				FROM reports r JOIN documents d ON d.id = r.document_id
				WHERE r.current AND r.id > ? ORDER BY r.id LIMIT 500`, after)
			if err != nil {
				return err
			}
			for rows.Next() {
				vals := make([]any, len(reportMetaCols))
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
			if len(page) == 0 {
				return nil
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
					if i, ok := index[key]; ok {
						row[i] = v
					}
				}
				if err := crow.Close(); err != nil {
					return err
				}
				if err := fn(row); err != nil {
					return err
				}
				after = id
			}
		}
	}
	return t
}

// exportView exports v_table2, v_table3 or v_table4: the row key and label,
// then the value columns under their keys and labels.
func (s *Store) exportView(name, label, view string) *Table {
	cols := []Column{{"report_id", "报告编号"}, {"agency", "机关"}, {"year", "年度"}, {"template", "模板"},
		{"row", "行"}, {"row_label", "行名称"}}
	valueCols := map[string][]nianbao.ColDef{"v_table2": nianbao.T2Cols, "v_table3": nianbao.T3Cols, "v_table4": nianbao.T4Cols}[view]
	names := []string{"report_id", "agency", "year", "template", "row", "row_label"}
	for _, c := range valueCols {
		cols = append(cols, Column{c.Key, c.Label})
		names = append(names, c.Key)
	}
	q := `SELECT ` + strings.Join(names, ", ") + ` FROM ` + view + ` ORDER BY report_id, row_ord IS NULL, row_ord, row`
	return &Table{s: s, Name: name, Label: label, Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportFindings() *Table {
	cols := []Column{{"report_id", "报告编号"}, {"agency", "机关"}, {"year", "年度"}, {"rule", "规则"},
		{"cells", "涉及的单元格"}, {"detail", "说明"}}
	q := `SELECT f.report_id, r.agency, r.year, f.rule, f.cells, f.detail FROM findings f JOIN reports r ON r.id = f.report_id
		WHERE r.current ORDER BY f.report_id, f.id`
	return &Table{s: s, Name: "findings", Label: "问题", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportSections() *Table {
	cols := []Column{{"report_id", "报告编号"}, {"agency", "机关"}, {"year", "年度"}, {"section", "部分"}, {"text", "正文"}}
	q := `SELECT s.report_id, r.agency, r.year, s.section, s.text FROM sections s JOIN reports r ON r.id = s.report_id
		WHERE r.current ORDER BY s.report_id, s.section`
	return &Table{s: s, Name: "sections", Label: "正文部分（一、五、六）", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportCells() *Table {
	cols := []Column{{"report_id", "报告编号"}, {"agency", "机关"}, {"year", "年度"}, {"key", "键"},
		{"row_label", "行名称"}, {"col_label", "列名称"}, {"label", "原表标签（额外单元格）"}, {"value", "数值"},
		{"raw", "原文"}, {"blank", "空白说明"}, {"unit", "原单位"}, {"uncertain", "存疑原因"}, {"extra", "额外"},
		{"tbl", "表格序号"}, {"row", "行号"}, {"col", "列号"}, {"page", "页码"},
		{"x0", "x0"}, {"y0", "y0"}, {"x1", "x1"}, {"y1", "y1"}, {"engine", "提取引擎"}}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Key
	}
	q := `SELECT ` + strings.Join(names, ", ") + ` FROM v_cells ORDER BY report_id, key`
	return &Table{s: s, Name: "cells", Label: "全部单元格", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
}

func (s *Store) exportFields() *Table {
	cols := []Column{{"key", "键"}, {"tbl", "表"}, {"row", "行键"}, {"col", "列键"}, {"row_label", "行名称"},
		{"col_label", "列名称"}, {"unit", "单位"}, {"templates", "模板"}}
	q := `SELECT key, tbl, row, col, row_label, col_label, unit, templates FROM fields ORDER BY ord`
	return &Table{s: s, Name: "fields", Label: "键与标签", Columns: cols,
		rows: func(ctx context.Context, fn func([]any) error) error { return s.queryRows(ctx, q, len(cols), fn) }}
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
