package web

import (
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// printedTable is a table of the report laid out as the national template
// prints it: its header rows and its rows, labels spanning as printed.
type printedTable struct {
	ID    string // t2, t3, t4: the page's anchor
	Title string
	Head  [][]layoutCell
	Rows  [][]layoutCell
}

// layoutCell is a position of a printed table: a label, or a figure.
type layoutCell struct {
	Text    string
	ColSpan int
	RowSpan int
	Fig     *figure
}

// figure is one cell's figure as the page shows it.
type figure struct {
	Key   string
	Text  string // the number, or the blank mark
	Class string // v (a value), blank, none (not read); uncertain, finding
	Title string // key, labels and flags, shown on hover
	Link  string // its provenance view
}

// figureOf shows a report's cell: a number, a blank (with the mark printed,
// if any), or nothing read; findings and doubts marked.
func figureOf(reportID int64, key string, cells map[string]*cellRow, rules map[string][]string) *figure {
	f := &figure{Key: key, Link: "/reports/" + strconv.FormatInt(reportID, 10) + "/cells/" + key + "#hl"}
	var title []string
	title = append(title, key)
	if fd, ok := nianbao.LookupField(key); ok {
		title = append(title, fd.RowLabel+" · "+fd.ColLabel)
	}
	c := cells[key]
	var classes []string
	switch {
	case c == nil:
		f.Text, f.Link = "", ""
		classes = append(classes, "none")
		title = append(title, "not read: the report does not print it")
	case c.Value != nil:
		f.Text = num(c.Value)
		classes = append(classes, "v")
		if c.Raw != "" && c.Raw != f.Text {
			title = append(title, "printed: "+c.Raw)
		}
	default:
		f.Text = blankMark(c)
		classes = append(classes, "blank")
		title = append(title, "blank ("+c.Blank+")")
	}
	if c != nil {
		if c.Uncertain != "" {
			classes = append(classes, "uncertain")
			title = append(title, "uncertain: "+c.Uncertain)
		}
		if c.Unit != "" {
			title = append(title, "printed in "+c.Unit)
		}
		if c.Derived {
			classes = append(classes, "derived")
			title = append(title, "derived: the sum of the three （六） sub-rows")
		}
	}
	if rs := rules[key]; len(rs) > 0 {
		classes = append(classes, "finding")
		title = append(title, "finding: "+strings.Join(rs, ", "))
	}
	f.Class = strings.Join(classes, " ")
	f.Title = strings.Join(title, "\n")
	return f
}

// blankMark is what a blank cell shows: the mark the report printed (/ - 无),
// or 空 for a cell printed empty.
func blankMark(c *cellRow) string {
	if r := strings.TrimSpace(c.Raw); r != "" {
		return r
	}
	return "空"
}

// layoutTables lays out tables 二, 三 and 四 of a report of template t;
// split says whether table 三 prints （六） as its three sub-rows.
func layoutTables(reportID int64, t nianbao.Template, split bool, cells map[string]*cellRow, rules map[string][]string) []printedTable {
	fig := func(key string) layoutCell {
		return layoutCell{ColSpan: 1, RowSpan: 1, Fig: figureOf(reportID, key, cells, rules)}
	}
	return []printedTable{layoutT2(t, fig), layoutT3(split, fig), layoutT4(fig)}
}

func label(text string, colSpan, rowSpan int) layoutCell {
	return layoutCell{Text: text, ColSpan: colSpan, RowSpan: rowSpan}
}

// t2Items says under which item of 条例 第二十条 each row of table 二 is
// printed.
var t2Items = map[string]string{
	"rules": "第二十条第（一）项", "normative": "第二十条第（一）项",
	"license": "第二十条第（五）项", "other_service": "第二十条第（五）项",
	"penalty": "第二十条第（六）项", "coercion": "第二十条第（六）项",
	"fees": "第二十条第（八）项", "procurement": "第二十条第（九）项",
}

// layoutT2 prints table 二 as the template does: under each item of 第二十条
// a header of its columns, then its rows.
func layoutT2(t nianbao.Template, fig func(string) layoutCell) printedTable {
	rows := nianbao.T2Rows2019
	if t == nianbao.Template2021 {
		rows = nianbao.T2Rows2021
	}
	width := 1
	for _, r := range rows {
		width = max(width, 1+len(r.Cols))
	}
	pt := printedTable{ID: "t2", Title: "二、主动公开政府信息情况"}
	item := ""
	for _, r := range rows {
		if it := t2Items[r.Key]; it != item {
			item = it
			pt.Rows = append(pt.Rows, []layoutCell{label(it, width, 1)})
			head := []layoutCell{label("信息内容", 1, 1)}
			for i, c := range r.Cols {
				span := 1
				if i == len(r.Cols)-1 {
					span = width - len(r.Cols)
				}
				head = append(head, label(c.Label, span, 1))
			}
			pt.Rows = append(pt.Rows, head)
		}
		row := []layoutCell{label(r.Label, 1, 1)}
		for i, c := range r.Cols {
			f := fig(nianbao.Key(2, r.Key, c.Key))
			if i == len(r.Cols)-1 {
				f.ColSpan = width - len(r.Cols)
			}
			row = append(row, f)
		}
		pt.Rows = append(pt.Rows, row)
	}
	return pt
}

// t3Groups are the outcome groups whose rows share a label in the second
// label column.
var t3Groups = map[string]string{
	"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理", "other": "（六）其他处理",
}

// layoutT3 prints table 三: three label columns (一、二、三、四; the outcome
// groups; their items), the applicant columns under 申请人情况 with 法人或其他组织
// over its five.
func layoutT3(split bool, fig func(string) layoutCell) printedTable {
	pt := printedTable{ID: "t3", Title: "三、收到和处理政府信息公开申请情况"}
	pt.Head = [][]layoutCell{
		{label("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), label("申请人情况", 7, 1)},
		{label("自然人", 1, 2), label("法人或其他组织", 5, 1), label("总计", 1, 2)},
		{label("商业企业", 1, 1), label("科研机构", 1, 1), label("社会公益组织", 1, 1), label("法律服务机构", 1, 1), label("其他", 1, 1)},
	}
	all := nianbao.T3Rows(split)
	outcomes := 0
	for _, r := range all {
		if r.Key != "new" && r.Key != "carried" && r.Key != "carry_forward" {
			outcomes++
		}
	}
	groupLeft := map[string]int{}
	for _, r := range all {
		if g, _, ok := strings.Cut(r.Key, "."); ok {
			groupLeft[g]++
		}
	}
	seenGroup := map[string]bool{}
	firstOutcome := true
	for _, r := range all {
		var row []layoutCell
		switch r.Key {
		case "new", "carried", "carry_forward":
			row = append(row, label(r.Label, 3, 1))
		default:
			if firstOutcome {
				row = append(row, label("三、本年度办理结果", 1, outcomes))
				firstOutcome = false
			}
			text := strings.TrimPrefix(r.Label, "三、本年度办理结果 ")
			if g, _, ok := strings.Cut(r.Key, "."); ok {
				if !seenGroup[g] {
					seenGroup[g] = true
					row = append(row, label(t3Groups[g], 1, groupLeft[g]))
				}
				row = append(row, label(strings.TrimPrefix(text, t3Groups[g]+" "), 1, 1))
			} else {
				row = append(row, label(text, 2, 1))
			}
		}
		for _, c := range r.Cols {
			row = append(row, fig(nianbao.Key(3, r.Key, c.Key)))
		}
		pt.Rows = append(pt.Rows, row)
	}
	return pt
}

// layoutT4 prints table 四 as one row of fifteen figures under its
// three-level header.
func layoutT4(fig func(string) layoutCell) printedTable {
	pt := printedTable{ID: "t4", Title: "四、政府信息公开行政复议、行政诉讼情况"}
	var outcomes []layoutCell
	for _, c := range nianbao.T4Cols {
		outcomes = append(outcomes, label(c.Label, 1, 1))
	}
	first := []layoutCell{label("行政复议", 5, 1), label("行政诉讼", 10, 1)}
	second := []layoutCell{}
	for _, c := range nianbao.T4Cols {
		second = append(second, label(c.Label, 1, 2))
	}
	second = append(second, label("未经复议直接起诉", 5, 1), label("复议后起诉", 5, 1))
	third := append(append([]layoutCell{}, outcomes...), outcomes...)
	pt.Head = [][]layoutCell{first, second, third}
	var row []layoutCell
	for _, r := range nianbao.T4Rows {
		for _, c := range r.Cols {
			row = append(row, fig(nianbao.Key(4, r.Key, c.Key)))
		}
	}
	pt.Rows = [][]layoutCell{row}
	return pt
}
