package parse

import (
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// layoutT2 is the documents block of table 二 in the 2021 template as a
// `pdftotext -layout` page prints it: the header's words over their
// columns, then the rows of 规章 and 行政规范性文件.
func layoutT2(rules, normative string) string {
	return strings.Join([]string{
		"二、主动公开政府信息情况",
		"第二十条 第（一）项",
		layoutLine([]int{0, 18, 33, 48}, "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
		rules, normative,
		"三、收到和处理政府信息公开申请情况",
		"五、存在的主要问题及改进情况", "无。",
	}, "\n")
}

// t2Cols are where the figures of table 二 stand: under the middle of the
// header's words.
var t2Cols = []int{0, 20, 35, 50}

// t2Row lays out a row of table 二 with its figures in the columns given
// (1 本年制发件数, 2 本年废止件数, 3 现行有效件数); the others are blank.
func t2Row(label string, figs map[int]string) string {
	at, cells := []int{0}, []string{label}
	for c := 1; c < len(t2Cols); c++ {
		if f, ok := figs[c]; ok {
			at, cells = append(at, t2Cols[c]), append(cells, f)
		}
	}
	return layoutLine(at, cells...)
}

// Table 二 of layout text (2021: 本年制发件数, 本年废止件数, 现行有效件数):
// a row with a figure left blank keeps each printed figure in its column
// — the blank is null, no figure moves left into it — whether a full row
// of the block or only the header's words give the columns.
func TestLayoutT2ShortRow(t *testing.T) {
	full := t2Row("规章", map[int]string{1: "3", 2: "1", 3: "388"})
	for _, c := range []struct {
		name             string
		rules, normative string
		want             string // t2.rules.{issued,repealed,in_force}, then t2.normative's
	}{
		{"all printed", full, t2Row("行政规范性文件", map[int]string{1: "38", 2: "14", 3: "40"}), "3 1 388 38 14 40"},
		{"issued blank", full, t2Row("行政规范性文件", map[int]string{2: "14", 3: "40"}), "3 1 388 null 14 40"},
		{"repealed blank", full, t2Row("行政规范性文件", map[int]string{1: "38", 3: "40"}), "3 1 388 38 null 40"},
		{"in force blank", full, t2Row("行政规范性文件", map[int]string{1: "38", 2: "14"}), "3 1 388 38 14 null"},
		// No row prints every figure: the header's words place them.
		{"both short", t2Row("规章", map[int]string{2: "1", 3: "388"}), t2Row("行政规范性文件", map[int]string{1: "38", 3: "40"}),
			"null 1 388 38 null 40"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := parseText(t, layoutT2(c.rules, c.normative))
			var got []string
			for _, row := range []string{"rules", "normative"} {
				for _, col := range []string{"issued", "repealed", "in_force"} {
					got = append(got, show(cellOf(rep, "t2."+row+"."+col)))
				}
			}
			if strings.Join(got, " ") != c.want || rep.Template != nianbao.Template2021 {
				t.Errorf("template %s, table 二 = %s, want 2021, %s", rep.Template, strings.Join(got, " "), c.want)
			}
		})
	}
}

// A figure of table 二 that stands between two columns is not guessed
// into either: the cells it could be are uncertain, and the full row
// above is read as printed.
func TestLayoutT2BetweenColumns(t *testing.T) {
	normative := layoutLine([]int{0, t2Cols[1], (t2Cols[2] + t2Cols[3]) / 2}, "行政规范性文件", "38", "40")
	rep := parseText(t, layoutT2(t2Row("规章", map[int]string{1: "3", 2: "1", 3: "388"}), normative))
	for key, want := range map[string]string{
		"t2.rules.issued": "3", "t2.rules.repealed": "1", "t2.rules.in_force": "388",
		"t2.normative.repealed": "uncertain", "t2.normative.in_force": "uncertain",
	} {
		if got := show(cellOf(rep, key)); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	// 38 stands in its column: read, or flagged with the rest of its row.
	if got := show(cellOf(rep, "t2.normative.issued")); got != "38" && got != "uncertain" {
		t.Errorf("t2.normative.issued = %s, want 38 (or uncertain)", got)
	}
}
