package parse

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/textdoc"
)

// layoutLine lays out cells at the given character columns, as
// `pdftotext -layout` does (one column per character).
func layoutLine(at []int, cells ...string) string {
	var b []rune
	for i, c := range cells {
		for len(b) < at[i] {
			b = append(b, ' ')
		}
		b = append(b, []rune(c)...)
	}
	return string(b)
}

func parseText(t *testing.T, text string) *nianbao.Report {
	t.Helper()
	doc, err := textdoc.Extract(context.Background(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func cellOf(rep *nianbao.Report, key string) nianbao.Cell {
	if c := rep.Cell(key); c != nil {
		return *c
	}
	return nianbao.Cell{Key: key, Blank: "no such cell"}
}

func show(c nianbao.Cell) string {
	switch {
	case c.Uncertain != "":
		return "uncertain"
	case c.Value == nil:
		return "null"
	}
	return strconv.FormatFloat(*c.Value, 'f', -1, 64)
}

// layoutT3 is table 三 of a `pdftotext -layout` page: the header words
// stand over their columns, the figures where the page prints them.
func layoutT3(rows ...string) string {
	head := []int{0, 30, 40, 50, 60, 70, 80, 88}
	lines := []string{
		"三、收到和处理政府信息公开申请情况",
		layoutLine(head[1:], "自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"),
	}
	return strings.Join(append(lines, rows...), "\n") + "\n五、存在的主要问题及改进情况\n无。\n"
}

var t3Cols = []int{0, 31, 41, 51, 61, 71, 81, 89}

// A short row of layout text keeps each printed figure in the column it
// stands in, by the rows of its page that print every figure; the blank
// is null, never filled by its neighbour.
func TestLayoutShortRow(t *testing.T) {
	rep := parseText(t, layoutT3(
		layoutLine(t3Cols, "一、本年新收政府信息公开申请数量", "30", "5", "0", "0", "1", "0", "36"),
		layoutLine(t3Cols, "二、上年结转政府信息公开申请数量", "2", "0", "0", "0", "0", "0", "2"),
		layoutLine([]int{0, 31, 51, 61, 71, 81, 89}, "（一）予以公开", "20", "0", "0", "1", "0", "21"),
	))
	var got []string
	for _, col := range []string{"natural", "commercial", "research", "social", "legal", "other_org", "total"} {
		got = append(got, show(cellOf(rep, "t3.granted."+col)))
	}
	if want := "20 null 0 0 1 0 21"; strings.Join(got, " ") != want {
		t.Errorf("t3.granted = %s, want %s", strings.Join(got, " "), want)
	}
}

// Table 四's one row of 15: with a figure left blank, the header's words
// above it give the columns (the row has no other to go by).
func TestLayoutT4Row(t *testing.T) {
	at := []int{0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60, 66, 72, 78, 84}
	leaves := []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}
	var head []string
	for range 3 {
		head = append(head, leaves...)
	}
	figs := []string{"72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"}
	// 178 left blank: the row prints 14 figures.
	row := layoutLine(append(append([]int{}, at[:2]...), at[3:]...), append(append([]string{}, figs[:2]...), figs[3:]...)...)
	text := strings.Join([]string{
		"二、主动公开政府信息情况", "四、政府信息公开行政复议、行政诉讼情况",
		layoutLine([]int{0, 30, 60}, "行政复议", "未经复议直接起诉", "复议后起诉"),
		layoutLine(at, head...), row,
		"五、存在的主要问题及改进情况", "无。"}, "\n")
	doc, err := textdoc.Extract(context.Background(), []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p := &parser{doc: doc}
	p.segment()
	tr := p.readT4()
	var got []string
	for _, k := range t4Default {
		g, leaf, _ := strings.Cut(k, ".")
		v, ok := tr.get(keyOf('4', g, leaf))
		switch {
		case !ok:
			got = append(got, "missing")
		case v.uncertain != "":
			got = append(got, "uncertain")
		case v.fig.Value == nil:
			got = append(got, "null")
		default:
			got = append(got, v.raw)
		}
	}
	want := append(append(append([]string{}, figs[:2]...), "null"), figs[3:]...)
	if !slices.Equal(got, want) {
		t.Errorf("table 四 = %v, want %v", got, want)
	}
}

// A figure that stands between two columns is not guessed: its row is
// uncertain.
func TestLayoutBetweenColumns(t *testing.T) {
	rep := parseText(t, layoutT3(
		layoutLine(t3Cols, "一、本年新收政府信息公开申请数量", "30", "5", "0", "0", "1", "0", "36"),
		layoutLine([]int{0, 31, 46, 61, 71, 81, 89}, "（一）予以公开", "20", "0", "0", "1", "0", "21"),
	))
	if c := cellOf(rep, "t3.granted.commercial"); c.Uncertain == "" {
		t.Errorf("t3.granted.commercial = %+v, want uncertain", c)
	}
}

// A text that stops on a row of table 四 is truncated: the finding names
// the cells the cut took.
func TestTruncatedFinding(t *testing.T) {
	rep := parseText(t, strings.Join([]string{
		"三、收到和处理政府信息公开申请情况",
		layoutLine(t3Cols[1:], "自然人", "商业企业", "科研机构", "社会公益", "法律服务", "其他", "总计"),
		layoutLine(t3Cols, "一、本年新收政府信息公开申请数量", "30", "5", "0", "0", "1", "0", "36"),
		layoutLine(t3Cols, "二、上年结转政府信息公开申请数量", "2", "0", "0", "0", "0", "0", "2"),
		"四、政府信息公开行政复议、行政诉讼情况",
		layoutLine([]int{0, 6, 12}, "结果维持", "结果纠正", "其他结果"),
		layoutLine([]int{0, 6}, "72", "64"),
	}, "\n"))
	var f *nianbao.Finding
	for i := range rep.Findings {
		if rep.Findings[i].Rule == nianbao.RuleTruncated {
			f = &rep.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no truncated finding: %+v", rep.Findings)
	}
	if !slices.Contains(f.Cells, "t4.review.other") || !slices.Contains(f.Cells, "t4.suit_after_review.total") ||
		slices.Contains(f.Cells, "t4.review.upheld") || slices.Contains(f.Cells, "t3.new.natural") {
		t.Errorf("cells not read %v", f.Cells)
	}
}
