package parse

import (
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/normalize"
)

// t2Col classifies a column header of table 二; the template a label is
// peculiar to votes for that template.
func t2Col(l string) (string, bool) {
	k, _ := t2ColTemplate(l)
	return k, false
}

func t2ColTemplate(l string) (string, nianbao.Template) {
	p := normalize.Plain(l)
	switch {
	case strings.Contains(p, "新制作"):
		return "made", nianbao.Template2019
	case strings.Contains(p, "新公开"):
		return "published", nianbao.Template2019
	case strings.Contains(p, "公开总数"):
		return "total", nianbao.Template2019
	case strings.Contains(p, "上一年") || strings.Contains(p, "上年项目"):
		return "prev", nianbao.Template2019
	case strings.Contains(p, "增减") || strings.Contains(p, "增/减"):
		return "change", nianbao.Template2019
	case strings.Contains(p, "采购项目"):
		return "count", nianbao.Template2019
	case strings.Contains(p, "采购总金额") || strings.Contains(p, "采购金额"):
		return "amount", nianbao.Template2019
	case strings.Contains(p, "制发"):
		return "issued", nianbao.Template2021
	case strings.Contains(p, "废止"):
		return "repealed", nianbao.Template2021
	case strings.Contains(p, "现行有效"):
		return "in_force", nianbao.Template2021
	case strings.Contains(p, "收费金额"):
		return "amount", nianbao.Template2021
	case strings.Contains(p, "本年处理决定"):
		return "decisions", nianbao.Template2021
	case strings.Contains(p, "处理决定"):
		return "decisions", nianbao.TemplateUnknown
	}
	return "", nianbao.TemplateUnknown
}

// t2RowKey maps a row label of table 二.
func t2RowKey(l string) (string, nianbao.Template) {
	p := normalize.Plain(l)
	switch {
	case strings.Contains(p, "信息内容") || strings.Contains(p, "第二十条") || strings.Contains(p, "部门规范性文件"):
		// 部门规范性文件 is an extra row some provinces add, not normative.
		return "", nianbao.TemplateUnknown
	case strings.Contains(p, "规范性文件"):
		return "normative", nianbao.TemplateUnknown
	case strings.Contains(p, "规章"):
		return "rules", nianbao.TemplateUnknown
	case strings.Contains(p, "行政许可"):
		return "license", nianbao.TemplateUnknown
	case strings.Contains(p, "对外管理服务"):
		return "other_service", nianbao.Template2019
	case strings.Contains(p, "行政处罚"):
		return "penalty", nianbao.TemplateUnknown
	case strings.Contains(p, "行政强制"):
		return "coercion", nianbao.TemplateUnknown
	case strings.Contains(p, "事业性收费") || p == "收费":
		return "fees", nianbao.TemplateUnknown
	case strings.Contains(p, "集中采购") || strings.Contains(p, "政府采购"):
		return "procurement", nianbao.Template2019
	}
	return "", nianbao.TemplateUnknown
}

// t2Defaults are the columns of each row when no header says otherwise.
var t2Defaults = map[nianbao.Template]map[string][]string{}

func init() {
	for t, rows := range map[nianbao.Template][]nianbao.RowDef{nianbao.Template2019: nianbao.T2Rows2019, nianbao.Template2021: nianbao.T2Rows2021} {
		m := map[string][]string{}
		for _, r := range rows {
			for _, c := range r.Cols {
				m[r.Key] = append(m[r.Key], c.Key)
			}
		}
		t2Defaults[t] = m
	}
}

// pendingRow is a table 二 row whose figures could only be read in order:
// its keys wait for the template.
type pendingRow struct {
	rw    row
	key   string
	label string
	figs  []*nianbao.GridCell
}

// readT2 reads table 二: its blocks (第二十条第（一）项 …), each with a header
// row naming the columns and rows naming the matters.
func (p *parser) readT2() *tableRead {
	tr := newRead(40)
	var (
		m       colMap
		unit    string // the amount unit a header states
		pending []pendingRow
		// Table 二 is found when a header names the template's columns, or
		// enough of its rows are there.
		canonical int
		jobs      = make([]rowJob, 0, len(p.t2)) // a job a row, sized once
		block     int
	)
	defer func() {
		tr.found = canonical > 0 && tr.votes.v2019+tr.votes.v2021 > 0 || canonical >= 4
	}()
	for _, rw := range p.t2 {
		figs := rw.figs
		label := rw.label
		l := normalize.Label(label)
		if strings.Contains(l, "第二十条") {
			m, unit = colMap{}, "" // a new block: its own header follows
			block++
		}
		if len(figs) == 0 {
			if hasT2Header(rw) {
				block++
				m = buildMap(rw.t, []int{rw.r}, t2Col)
				unit = headerUnit(l)
				for c := range m.keys {
					if _, t := t2ColTemplate(normalize.Label(rw.t.Rows[rw.r][c].Text)); t != nianbao.TemplateUnknown {
						tr.votes.add(t)
					}
				}
				continue
			}
			if k, _ := t2RowKey(l); k == "" || !blankDataRow(rw, m) {
				continue
			}
		}
		key, vote := t2RowKey(l)
		tr.votes.add(vote)
		if key == "" {
			if label == "" {
				continue
			}
			key = "x." + normalize.Plain(label)
		} else {
			canonical++
		}
		use := m
		if use.t != nil && use.t != rw.t {
			if use.t.Width() != rw.t.Width() {
				use = colMap{}
			} else {
				use.t = rw.t
			}
		}
		cols := use.keyed()
		if len(cols) == 0 {
			pending = append(pending, pendingRow{rw: rw, key: key, label: label, figs: figs})
			continue
		}
		// Table 二 has no sums.
		unit := unit
		jobs = append(jobs, rowJob{rw: rw, m: use, keys: cols, block: block, classify: t2Col, leaf: sameLeaf,
			tn: '2', row: key, set: func(a alignment) {
				for i, col := range cols {
					tr.set(keyOf('2', key, col), p.figure(rw, a.cells[i], unit, col == "amount", label, a.uncertain))
				}
			}})
	}
	alignAll(jobs)
	p.noteRead(tr, jobs)
	p.t2pending = pending
	return tr
}

// resolveT2 reads the rows that had no header, now that the template is known.
func (p *parser) resolveT2(tr *tableRead, t nianbao.Template) {
	for _, pr := range p.t2pending {
		cols := t2Defaults[t][pr.key]
		if cols == nil {
			cols = make([]string, len(pr.figs))
			for i := range cols {
				cols[i] = "c" + string(rune('1'+i))
			}
		}
		uncertain := ""
		if len(pr.figs) != len(cols) {
			uncertain = "row has no column header and its figures do not match the template's columns"
		}
		for i, col := range cols {
			var c *nianbao.GridCell
			if i < len(pr.figs) {
				c = pr.figs[i]
			}
			tr.set(keyOf('2', pr.key, col), p.figure(pr.rw, c, "", col == "amount", pr.label, uncertain))
		}
	}
}

func hasT2Header(rw row) bool {
	for _, c := range rw.cells {
		if k, _ := t2ColTemplate(normalize.Label(c.Text)); k != "" {
			return true
		}
	}
	return false
}

// headerUnit returns the unit of money a header row states.
func headerUnit(l string) string {
	switch {
	case strings.Contains(l, "万元"):
		return "万元"
	case strings.Contains(l, "(元)") || strings.Contains(l, "单位元") || strings.Contains(l, "单位:元") || strings.Contains(l, "(单位元"):
		return "元"
	}
	return ""
}
