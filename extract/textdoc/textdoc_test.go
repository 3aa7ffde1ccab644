package textdoc

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

func read(t testing.TB, s string) *nianbao.Document {
	t.Helper()
	doc, err := Extract(context.Background(), []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// rows renders the tables of a document as "a|b|c" lines, trailing empty
// cells dropped, for compact comparison.
func rows(doc *nianbao.Document) []string {
	var out []string
	for _, b := range doc.Blocks {
		if b.Table == nil {
			out = append(out, "TEXT "+b.Text)
			continue
		}
		for _, r := range b.Table.Rows {
			var cs []string
			for _, c := range r {
				cs = append(cs, c.Text)
			}
			out = append(out, strings.TrimRight(strings.Join(cs, "|"), "|"))
		}
	}
	return out
}

func TestLayouts(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"tabs, shifted row kept as printed",
			"三、收到和处理政府信息公开申请情况\n\n一、本年新收\t3\t1\t4\n\n二、上年结转\t\t0\t1\t1\t\n",
			[]string{"TEXT 三、收到和处理政府信息公开申请情况", "一、本年新收|3|1|4", "二、上年结转||0|1|1"}},
		{"markdown pipes",
			"| 信息内容 | 本年制发件数 | 本年废止件数 |\n|---|:---:|---|\n| 规章 | 1 | 0 |\n| 行政规范性文件 |  | 26 |\n",
			[]string{"信息内容|本年制发件数|本年废止件数", "规章|1|0", "行政规范性文件||26"}},
		{"space-aligned with single-spaced figures",
			"一、本年新收政府信息公开申请数量    3001 53 0 0 61 4 3119\n",
			[]string{"一、本年新收政府信息公开申请数量|3001|53|0|0|61|4|3119"}},
		{"label wrapped around its figures",
			"（五）不予处理     4.无正当理由大量反复申请   0  0  0\n          5.要求行政机关确认或重新出\n                                1   0   1\n          具已获取信息\n（七）总计   2   0   2\n",
			[]string{"（五）不予处理|4.无正当理由大量反复申请|0|0|0", "5.要求行政机关确认或重新出具已获取信息|1|0|1", "（七）总计|2|0|2"}},
		{"label wrapped, figures on its second line",
			"1.信访举报投诉类申请  1  0  1\n1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信   67  3  70\n息公开申请\n",
			[]string{"1.信访举报投诉类申请|1|0|1", "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请|67|3|70"}},
		{"page number between rows dropped",
			"1.本机关不掌握相关政府信息   746  12  758\n\n-4-\n2.没有现成信息需要另行制作   11  0  11\n",
			[]string{"1.本机关不掌握相关政府信息|746|12|758", "2.没有现成信息需要另行制作|11|0|11"}},
		{"prose ending in a figure is not a row",
			"答复），均在法定期限内予以答复。政府信息公开行政复议 351\n未审结 37 件；政府信息公开行政诉讼 46\n",
			[]string{"TEXT 答复），均在法定期限内予以答复。政府信息公开行政复议 351", "TEXT 未审结 37 件；政府信息公开行政诉讼 46"}},
		{"heading ends a table",
			"行政许可\t0\t0\n四、政府信息公开行政复议、行政诉讼情况\n结果维持\t结果纠正\n0\t1\n",
			[]string{"行政许可|0|0", "TEXT 四、政府信息公开行政复议、行政诉讼情况", "结果维持|结果纠正", "0|1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rows(read(t, c.in))
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestWeibinStructure(t *testing.T) {
	data, err := os.ReadFile("../../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Extract(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range doc.Blocks {
		if b.Table != nil {
			n++
			if b.Table.Engine != "text" || b.Table.Layout != nianbao.LayoutText || b.Table.Index != n-1 {
				t.Errorf("table %d: engine %q layout %q index %d", n, b.Table.Engine, b.Table.Layout, b.Table.Index)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d tables, want 3 (二, 三, 四)", n)
	}
}

func TestGBKText(t *testing.T) {
	gbk := []byte{0xd5, 0xfe, 0xb8, 0xae, '\t', '1', '\t', '2', '\n'} // 政府\t1\t2
	got := rows(read(t, string(gbk)))
	if len(got) != 1 || got[0] != "政府|1|2" {
		t.Errorf("got %q", got)
	}
}

func FuzzExtract(f *testing.F) {
	if b, err := os.ReadFile("../../testdata/samples/weibin-2019-text.txt"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile("../../testdata/text/huaian-szf-2024-layout.txt"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("| a | 1 |\n|--|--|\n| b |  |\n"))
	f.Add([]byte("x\t\t\t\n\t1\n-1-\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Extract(context.Background(), data)
		if err != nil {
			return
		}
		for _, b := range doc.Blocks {
			if b.Table == nil {
				continue
			}
			for r, row := range b.Table.Rows {
				if len(row) != b.Table.Width() {
					t.Fatalf("row %d not as wide as the table", r)
				}
			}
		}
	})
}

// opensLabel reads only the start of a label, spaces left out.
func TestOpensLabel(t *testing.T) {
	for s, want := range map[string]bool{
		"（一）予以公开":   true,
		"（ 三 ）不予公开": true,
		"1.属于国家秘密":  true,
		"１２．其他":     true,
		"第 二 十 条":   true,
		"三、本年度办理结果": true,
		"行政复议":      true,
		"法人或其他组织":   true,
		"  其他处理":    true,
		"掌握相关政府信息":  false,
		"费通知要求缴纳费用": false,
		"":          false,
		"2019年":     false,
		"一二三四五六七八九十一二三四五、": false, // past the characters read
		// Traditional pages: a header line opens a row of its own.
		"信息內容 本年處理決定數量": true,
		"規章":            true,
		"總計":            true,
		"申請人情況":         true,
		"復議後起訴":         true,
	} {
		if got := opensLabel(s); got != want {
			t.Errorf("opensLabel(%q) = %v, want %v", s, got, want)
		}
	}
}

// A Traditional page printing table 二 in blocks, each under its own
// header line, as generated text reports do: the header lines are rows of
// their own and never the wrapped end of the label above (which read the
// 行政規範性文件 row as 行政規範性文件信息內容 and left its figures out).
func TestTraditionalBlockHeaders(t *testing.T) {
	doc := read(t, "二、主动公开政府信息情况\n"+
		"信息內容          本年制發件數                  本年廢止件數    現行有效件數\n"+
		"規章              3                             无              3\n"+
		"行政規範性文件    8                             无              51\n"+
		"信息內容          本年處理決定數量\n"+
		"行政許可          155\n"+
		"三、收到和处理政府信息公开申请情况\n")
	got := strings.Join(rows(doc), "\n")
	for _, want := range []string{"\n行政規範性文件|8|无|51\n", "\n信息內容", "\n行政許可|155\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("no row %q in:\n%s", strings.TrimSpace(want), got)
		}
	}
}
