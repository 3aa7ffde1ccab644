package textdoc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// placed renders the cells of a document's tables as text@x0-x1/page, the
// places the parser matches figures to columns by.
func placed(doc *nianbao.Document) []string {
	var out []string
	for _, b := range doc.Blocks {
		if b.Table == nil {
			continue
		}
		for _, r := range b.Table.Rows {
			var cs []string
			for _, c := range r {
				if !c.Pad {
					cs = append(cs, fmt.Sprintf("%s@%d-%d/%d", c.Text, c.X0, c.X1, c.Page))
				}
			}
			out = append(out, strings.Join(cs, " "))
		}
	}
	return out
}

// Space-aligned columns keep where each cell stands: in characters for
// `pdftotext -layout` (one column per character, pages cut by form feeds,
// each page its own grid), in display width for text laid out for a
// monospaced screen (a Chinese character two columns). Tabs place nothing.
func TestColumns(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"characters, pages",
			"规章            1          0        11\n行政规范性文件       8          26       66\n\f规章        1     0    11\n",
			[]string{"规章@0-2/1 1@14-15/1 0@25-26/1 11@34-36/1", "行政规范性文件@0-7/1 8@14-15/1 26@25-27/1 66@34-36/1",
				"规章@0-2/2 1@10-11/2 0@16-17/2 11@21-23/2"}},
		{"display width",
			"规章            1   0   11\n行政规范性文件  8   26  66\n",
			[]string{"规章@0-4/0 1@16-17/0 0@20-21/0 11@24-26/0", "行政规范性文件@0-14/0 8@16-17/0 26@20-22/0 66@24-26/0"}},
		{"header words on a line of their own keep their places",
			"结果   结果    其他结    尚未\n          总计        总计\n维持   纠正    果      审结\n72   64    178    37    351   13\n",
			[]string{"结果@0-2/0 结果@5-7/0 其他结@11-14/0 尚未@18-20/0", "总计@10-12/0 总计@20-22/0",
				"维持@0-2/0 纠正@5-7/0 果@11-12/0 审结@18-20/0",
				"72@0-2/0 64@5-7/0 178@11-14/0 37@18-20/0 351@24-27/0 13@30-32/0"}},
		{"tabs", "规章\t1\t0\t11\n", []string{"规章@0-0/0 1@0-0/0 0@0-0/0 11@0-0/0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := placed(read(t, c.in))
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// A report goes on after its tables: text whose last line is a table row,
// or that ends inside a character, was cut.
func TestTruncated(t *testing.T) {
	for _, c := range []struct {
		name, in string
		cut      bool
	}{
		{"ends on a row", "四、政府信息公开行政复议、行政诉讼情况\n72   64    178\n", true},
		{"ends on a row, blank lines after", "一、本年新收\t3\t1\t4\n\n\n", true},
		{"prose after the tables", "一、本年新收\t3\t1\t4\n五、存在的主要问题及改进情况\n无。\n", false},
		{"a character cut", "一、本年新收\t3\t1\t4\n五、存在的主要问题" + "\xe5\xad", true},
	} {
		doc := read(t, c.in)
		if (doc.Truncated != "") != c.cut {
			t.Errorf("%s: Truncated = %q, want cut %v", c.name, doc.Truncated, c.cut)
		}
	}
}
