package pipeline

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// FuzzRead feeds mutated text and HTML reports through the whole read path
// (extract, parse, normalize, checks). Read turns a panic into an error
// report so that a batch goes on; here that is a failure, as is a figure
// that is not a number or a cell without a key.
func FuzzRead(f *testing.F) {
	for _, p := range []string{"../testdata/samples/weibin-2019-text.txt", "../testdata/synthetic/table3.html"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, strings.HasSuffix(p, ".html"))
	}
	f.Add([]byte("一、总体情况\n二、主动公开政府信息情况\n（三）不予公开 1.属于国家秘密 1 2 3"), false)
	f.Add([]byte("<table><tr><td rowspan=9>三、本年度办理结果</td><td>（一）予以公开</td><td>1</td></tr></table>"), true)
	f.Fuzz(func(t *testing.T, data []byte, html bool) {
		name := "fuzz.txt"
		if html {
			name = "fuzz.html"
		}
		rep := Read(context.Background(), name, data, Options{})
		if rep == nil {
			t.Fatal("no report")
		}
		if strings.Contains(rep.Error, "internal error") {
			t.Fatalf("panic inside Read: %s", rep.Error)
		}
		for _, cells := range [][]nianbao.Cell{rep.Cells, rep.Extra} {
			for _, c := range cells {
				if c.Key == "" {
					t.Fatalf("a cell without a key: %+v", c)
				}
				if c.Value != nil && (math.IsNaN(*c.Value) || math.IsInf(*c.Value, 0)) {
					t.Fatalf("cell %s: value %v", c.Key, *c.Value)
				}
			}
		}
	})
}
