package parse

import (
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/normalize"
)

// t4Leaf classifies a header label of table 四: a result column, or a group
// (行政复议, 行政诉讼 and its two kinds).
func t4Leaf(l string) (string, bool) {
	p := normalize.Plain(l)
	switch {
	case strings.Contains(p, "维持"):
		return "upheld", false
	case strings.Contains(p, "纠正"):
		return "corrected", false
	case strings.Contains(p, "其他结果") || p == "其他":
		return "other", false
	case strings.Contains(p, "尚未审结") || strings.Contains(p, "未审结"):
		return "pending", false
	case p == "总计" || p == "合计" || p == "小计":
		return "total", false
	case t4Group(p) != "" || strings.Contains(p, "行政诉讼"):
		return "", true
	}
	return "", false
}

// t4Group names the row of table 四 a label stands for.
func t4Group(l string) string {
	p := normalize.Plain(l)
	switch {
	case strings.Contains(p, "未经复议") || strings.Contains(p, "直接起诉"):
		return "suit_direct"
	case strings.Contains(p, "复议后起诉") || strings.Contains(p, "复议后"):
		return "suit_after_review"
	case strings.Contains(p, "行政复议"):
		return "review"
	}
	return ""
}

var t4Default = func() []string {
	var out []string
	for _, r := range nianbao.T4Rows {
		for _, c := range r.Cols {
			out = append(out, r.Key+"."+c.Key)
		}
	}
	return out
}()

var t4Leaves = []string{"upheld", "corrected", "other", "pending", "total"}

// readT4 reads table 四, printed either as one row of 15 figures under a
// three-level header or as three labelled rows of five.
func (p *parser) readT4() *tableRead {
	tr := newRead(16)
	var (
		header []int
		hgrid  *nianbao.Table
		inData bool
		full   colMap                         // column → "review.upheld" …
		leaves colMap                         // column → "upheld" …
		jobs   = make([]rowJob, 0, len(p.t4)) // a job a row, sized once
		block  int
	)
	for _, rw := range p.t4 {
		if rw.t != hgrid {
			block++
			if len(header) == 0 || hgrid == nil || hgrid.Width() != rw.t.Width() {
				full, leaves = colMap{}, colMap{}
			} else {
				full.t, leaves.t = rw.t, rw.t
			}
			hgrid, header, inData = rw.t, nil, false
		}
		figs := rw.figs
		label := rw.label
		if len(figs) == 0 {
			// Rows of table 四 whose cells are all blank: a labelled row under
			// a header of result columns, or an unlabelled row under the full
			// three-level header.
			rowLayout := t4Group(label) != "" && !hasLeaf(rw) && !leaves.empty()
			blankRow := label == "" && !full.empty() && full.t == rw.t ||
				blankDataRow(rw, full) && !isT4Header(normalize.Label(label))
			if !rowLayout && !blankRow {
				if isT4Header(normalize.Label(label)) {
					if inData {
						header, inData = nil, false
					}
					header = append(header, rw.r)
					block++
					leaves = buildMap(rw.t, header, t4Leaf)
					full = t4FullMap(rw.t, header, leaves)
				}
				continue
			}
		}
		inData = true
		tr.found = true
		if g := t4Group(label); g != "" {
			cols := leaves.keyed()
			if len(cols) == 0 {
				cols = t4Leaves
			}
			jobs = append(jobs, rowJob{rw: rw, m: leaves, keys: cols, rule: rowRule(4, cols), block: block, classify: t4Leaf, leaf: sameLeaf,
				tn: '4', row: g, set: func(a alignment) {
					for i, col := range cols {
						tr.set(keyOf('4', g, col), p.figure(rw, a.cells[i], "", false, label, a.uncertain))
					}
				}})
			continue
		}
		cols := full.keyed()
		if len(cols) != len(t4Default) {
			cols = t4Default
		}
		jobs = append(jobs, rowJob{rw: rw, m: full, keys: cols, rule: rowRule(4, cols), block: block, classify: t4Leaf, leaf: t4LeafOf,
			tn: '4', row: "review", set: func(a alignment) {
				for i, col := range cols {
					g, leaf, _ := strings.Cut(col, ".")
					tr.set(keyOf('4', g, leaf), p.figure(rw, a.cells[i], "", false, label, a.uncertain))
				}
			}})
	}
	alignAll(jobs)
	p.noteRead(tr, jobs)
	return tr
}

// t4LeafOf is the result column of a key of the row of 15: review.upheld →
// upheld.
func t4LeafOf(k string) string {
	_, leaf, _ := strings.Cut(k, ".")
	return leaf
}

// t4FullMap combines each column's group (the row of table 四) and leaf.
func t4FullMap(t *nianbao.Table, header []int, leaves colMap) colMap {
	groups := groupsOf(t, header, t4Leaf)
	m := colMap{t: t, keys: make([]string, t.Width()), printed: leaves.printed}
	for c := range m.keys {
		if leaves.keys[c] == "" {
			continue
		}
		g := ""
		for _, l := range groups[c] {
			if k := t4Group(l); k != "" {
				g = k // the lowest group label wins
			}
		}
		if g != "" {
			m.keys[c] = g + "." + leaves.keys[c]
		}
	}
	return m
}

// hasLeaf reports whether a row names a result column of table 四.
func hasLeaf(rw row) bool {
	for _, o := range rw.distinct {
		if o.Text == "" {
			continue
		}
		if k, _ := t4Leaf(normalize.Label(o.Text)); k != "" {
			return true
		}
	}
	return false
}

func isT4Header(l string) bool {
	for _, w := range []string{"行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结", "未经复议", "复议后起诉"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
