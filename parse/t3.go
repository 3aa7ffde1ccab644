package parse

import (
	"regexp"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/memo"
	"github.com/nianbao/nianbao/normalize"
)

// t3Col classifies a header label of table 三.
func t3Col(l string) (string, bool) {
	p := normalize.Plain(l)
	switch {
	case strings.Contains(p, "小计"):
		// Only 法人或其他组织 has a subtotal column, printed 小计 under its
		// span or 法人或其他组织小计 in a flat header.
		return "x.法人或其他组织小计", false
	case strings.Contains(p, "自然人"):
		return "natural", false
	case strings.Contains(p, "商业企业"):
		return "commercial", false
	case strings.Contains(p, "科研机构"):
		return "research", false
	case strings.Contains(p, "社会公益"):
		return "social", false
	case strings.Contains(p, "法律服务"):
		return "legal", false
	case strings.Contains(p, "法人或其他组织") || strings.Contains(p, "申请人情况"):
		return "", true
	case p == "其他" || p == "其它" || p == "其他组织":
		return "other_org", false
	case p == "总计" || p == "合计" || p == "总数":
		return "total", false
	}
	return "", false
}

// t3Columns returns the columns a row of table 三 has, in printed order:
// the template's seven, whatever the header managed to name (a header
// flattened by a copy loses its positions, and may lose labels), plus the
// extra columns the header names (法人或其他组织小计, at the end of its group).
func t3Columns(m colMap) []string {
	cols := []string{"natural", "commercial", "research", "social", "legal", "other_org"}
	for _, k := range m.keyed() {
		if strings.HasPrefix(k, "x.") {
			cols = append(cols, k)
		}
	}
	return append(cols, "total")
}

// t3Row names the canonical row of a table 三 label, given the section the
// label stands in (denied, unable, rejected, other — set by labels such as
// （三）不予公开 on this or an earlier row).
type t3Section string

type keyword struct {
	key   string
	words []string
}

// Sub-row keywords come first: a merged label such as
// "三、本年度办理结果（三）不予公开 1.属于国家秘密" holds the section's words too.
var t3Keywords = []keyword{
	{"denied.secret", []string{"国家秘密"}},
	{"denied.law", []string{"法律行政法规禁止", "法规禁止", "禁止公开"}},
	{"denied.safety", []string{"三安全一稳定", "危及"}},
	{"denied.third_party", []string{"第三方"}},
	{"denied.internal", []string{"内部事务"}},
	{"denied.process", []string{"过程性"}},
	{"denied.enforcement", []string{"执法案卷"}},
	{"denied.query", []string{"查询事项", "行政查询"}},
	{"unable.not_held", []string{"不掌握"}},
	{"unable.need_create", []string{"另行制作", "没有现成"}},
	{"unable.unclear", []string{"仍不明确", "补正后申请"}},
	{"other.no_correction", []string{"逾期不补正", "不补正"}},
	{"other.no_fee", []string{"缴纳费用", "收费通知", "未按收费", "逾期未缴费", "缴费"}},
	{"rejected.petition", []string{"信访", "举报投诉"}},
	{"rejected.duplicate", []string{"重复申请"}},
	{"rejected.publication", []string{"出版物"}},
	{"rejected.excessive", []string{"大量反复", "大量申请"}},
	{"rejected.confirm", []string{"重新出具", "确认或"}},
	{"granted", []string{"予以公开"}},
	{"partial", []string{"部分公开"}},
	{"new", []string{"新收"}},
	{"carried", []string{"上年结转", "上年度结转"}},
	{"carry_forward", []string{"结转下年", "下年度继续", "继续办理"}},
}

var numbered = map[t3Section][]string{
	"denied":   {"denied.secret", "denied.law", "denied.safety", "denied.third_party", "denied.internal", "denied.process", "denied.enforcement", "denied.query"},
	"unable":   {"unable.not_held", "unable.need_create", "unable.unclear"},
	"rejected": {"rejected.petition", "rejected.duplicate", "rejected.publication", "rejected.excessive", "rejected.confirm"},
	"other":    {"other.no_correction", "other.no_fee", "other.other"},
}

var groupNames = map[t3Section]string{"denied": "不予公开", "unable": "无法提供", "rejected": "不予处理", "other": "其他处理"}

var itemRe = regexp.MustCompile(`([0-9]{1,2})\.`)

// sectionOf returns the section a label opens, or "" when it opens none.
func sectionOf(l string) t3Section {
	switch {
	case strings.Contains(l, "(三)") || strings.Contains(l, "不予公开"):
		return "denied"
	case strings.Contains(l, "(四)") || strings.Contains(l, "无法提供"):
		return "unable"
	case strings.Contains(l, "(五)") || strings.Contains(l, "不予处理"):
		return "rejected"
	case strings.Contains(l, "(六)") || strings.Contains(l, "其他处理"):
		return "other"
	case strings.Contains(l, "(一)") || strings.Contains(l, "(二)") || strings.Contains(l, "(七)") ||
		strings.Contains(l, "予以公开") || strings.Contains(l, "部分公开") || strings.Contains(l, "总计") ||
		strings.Contains(l, "新收") || strings.Contains(l, "结转"):
		return "top"
	}
	return ""
}

// t3RowKey maps a row label to its row key. sec is the section in force
// before this row; the section the row opens is returned for the next rows.
// extra is set for rows the template does not have (subtotals).
func t3RowKey(label string, sec t3Section) (key string, next t3Section, extra bool) {
	q := rowQuery{label, sec}
	if r, ok := rowKeys.Get(q); ok {
		return r.key, r.next, r.extra
	}
	key, next, extra = t3RowKeyOf(label, sec)
	if len(label) <= 192 {
		q.label = strings.Clone(label)
		rowKeys.Put(q, rowAnswer{key, next, extra})
	}
	return key, next, extra
}

// rowKeys caches t3RowKey: every report asks about the same labels.
var rowKeys memo.Memo[rowQuery, rowAnswer]

type rowQuery struct {
	label string
	sec   t3Section
}

type rowAnswer struct {
	key   string
	next  t3Section
	extra bool
}

func t3RowKeyOf(label string, sec t3Section) (key string, next t3Section, extra bool) {
	l := normalize.Label(label)
	if s := sectionOf(l); s != "" {
		sec = s
	}
	if sec == "top" {
		sec = ""
	}
	if strings.Contains(l, "小计") || strings.Contains(l, "合计") && !strings.Contains(l, "总计") {
		// A subtotal row is named by its group, whatever else its merged
		// label cells say: t3.x.不予公开小计.
		if g := groupNames[sec]; g != "" {
			return "x." + g + "小计", sec, true
		}
		return "x." + normalize.Plain(label), sec, true
	}
	// Keywords first; a keyword of another section than the one the label
	// names is still right (the section mark may be a typo, the words less
	// likely so).
	for _, kw := range t3Keywords {
		for _, w := range kw.words {
			if strings.Contains(l, w) {
				return kw.key, sec, false
			}
		}
	}
	// Abbreviated or garbled sub-row labels: the item number in its section.
	if items, ok := numbered[sec]; ok {
		if m := itemRe.FindAllStringSubmatch(l, -1); m != nil {
			n := int(m[len(m)-1][1][0] - '0')
			if len(m[len(m)-1][1]) == 2 {
				n = n*10 + int(m[len(m)-1][1][1]-'0')
			}
			if n >= 1 && n <= len(items) {
				return items[n-1], sec, false
			}
		}
		if sec == "other" && strings.Contains(l, "其他") && !strings.Contains(l, "其他处理") {
			return "other.other", sec, false
		}
	}
	switch {
	case strings.Contains(l, "其他处理"):
		return "other", sec, false
	case strings.Contains(l, "总计"):
		return "outcome_total", "", false
	}
	return "", sec, false
}

// readT3 reads table 三.
func (p *parser) readT3() *tableRead {
	tr := newRead(200)
	var (
		header  []int
		hgrid   *nianbao.Table
		m       colMap
		sec     t3Section
		inData  bool
		lastMap colMap
		// Table 三 is found when its applicant header is, or enough of its
		// rows: a 2017-format report has a row "同意部分公开" too.
		headerSeen bool
		canonical  int
		cols       []string // the columns of the rows under the header colsOf
		colsOf     []string
		rule       sumRule
		jobs       = make([]rowJob, 0, len(p.t3)) // a job a row, sized once
		block      int
	)
	defer func() {
		tr.found = headerSeen && canonical > 0 || canonical >= 5
		if tr.split {
			dropBlankRow(tr, "other")
		}
	}()
	// A text table 三 with no figure at all: its labelled rows are rows of
	// blanks (in text, a label alone on a line is otherwise a heading).
	blankTable := true
	for _, rw := range p.t3 {
		if len(rw.figs) > 0 {
			blankTable = false
			break
		}
	}
	for i, rw := range p.t3 {
		if rw.t != hgrid {
			hgrid, header, inData = rw.t, nil, false
			m = colMap{}
			block++
		}
		figs := rw.figs
		label := rw.label
		// Which map: this grid's header, else the last one seen (a table
		// split over several <table> elements), else the template's order.
		use := m
		if use.empty() && !lastMap.empty() && lastMap.t.Width() == rw.t.Width() {
			use = lastMap
			use.t = rw.t
		}
		if len(figs) == 0 {
			l := normalize.Label(label)
			if isT3Header(l) {
				if inData {
					header, inData = nil, false
				}
				header = append(header, rw.r)
				headerSeen = true
				block++
				m = buildMap(rw.t, header, t3Col)
				lastMap = m
				continue
			}
			// A row of the template whose cells are all blank is data in a
			// grid that has cells (HTML, PDF); in text it is a label on a line
			// of its own, which sets the section for the rows under it.
			if k, _, _ := t3RowKey(label, sec); k == "" || !blankDataRow(rw, use) && !(blankTable && rw.t.Layout == nianbao.LayoutText && blankCells(rw, use)) {
				if s := sectionOf(l); s != "" {
					if s == "top" {
						s = ""
					}
					sec = s
				}
				continue
			}
		}
		inData = true
		key, next, extra := t3RowKey(label, sec)
		if key == "" || extra {
			// "三、本年度办理结果   3 0 1" over "（一）予以公开": a label wrapped
			// below its figures.
			if l2 := labelBelow(p.t3, i); l2 != "" {
				if k2, n2, x2 := t3RowKey(label+" "+l2, sec); k2 != "" && !x2 {
					key, next, extra = k2, n2, x2
				}
			}
		}
		sec = next
		if key == "" {
			if label == "" {
				continue // figures with no label at all: nothing to key them by
			}
			key, extra = "x."+normalize.Plain(label), true
		}
		if !extra {
			canonical++
		}
		if strings.HasPrefix(key, "other.") {
			tr.split = true
		}
		if cols == nil || !sameKeys(use.keys, colsOf) {
			// Rows under one header share their columns.
			cols, colsOf = t3Columns(use), use.keys
			rule = rowRule(3, cols)
		}
		cols := cols
		jobs = append(jobs, rowJob{rw: rw, m: use, keys: cols, rule: rule, block: block, classify: t3Col, leaf: sameLeaf,
			tn: '3', row: key, set: func(a alignment) {
				for i, col := range cols {
					tr.set(keyOf('3', key, col), p.figure(rw, a.cells[i], "", false, label, a.uncertain))
				}
			}})
	}
	alignAll(jobs)
	p.noteRead(tr, jobs)
	return tr
}

// dropBlankRow forgets a row read with every cell blank: "（六）其他处理" on a
// row of its own is the heading of its three sub-rows, not a row of figures.
func dropBlankRow(tr *tableRead, row string) {
	prefix := "t3." + row + "."
	ofRow := func(k string) bool {
		// t3.other.natural and t3.other.x.…小计, not t3.other.other.natural
		rest, ok := strings.CutPrefix(k, prefix)
		return ok && (!strings.Contains(rest, ".") || strings.HasPrefix(rest, "x."))
	}
	for i, k := range tr.order {
		if ofRow(k) && tr.vals[i].fig.Value != nil {
			return
		}
	}
	order, vals := tr.order[:0], tr.vals[:0]
	for i, k := range tr.order {
		if ofRow(k) {
			continue
		}
		order, vals = append(order, k), append(vals, tr.vals[i])
	}
	tr.order, tr.vals = order, vals
	tr.reindex()
}

// labelBelow returns the label of the row after rows[i] when that row is
// in the same grid and has no figures, else "".
func labelBelow(rows []row, i int) string {
	if i+1 >= len(rows) || rows[i+1].t != rows[i].t || len(rows[i+1].figs) > 0 {
		return ""
	}
	return rows[i+1].label
}

func isT3Header(l string) bool {
	for _, w := range []string{"自然人", "商业企业", "科研机构", "社会公益", "法律服务", "申请人情况", "法人或其他组织"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
