package htmldoc

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/charset"
	"github.com/nianbao/nianbao/extract/textutil"
)

// TestCellPaths: every cell of a grid carries the element path a person
// finds it under in the page's markup, with the ends HTML leaves out
// implied as a browser implies them (unclosed <td>, <tr>, <p>), unknown
// elements counted by their own name, and the cells of a data table
// inside a layout table under both.
func TestCellPaths(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>x</title></head><body>
<div class="nav"><p>首页</div>
<div id="main"><p>一、总体情况<p>二、主动公开</p>
<o:p></o:p><trs_editor><div>
<table border=1>
<tr><td>信息内容<td>本年新制作数量<td>本年新公开数量
<tr><td>规章<td>1<td>2</tr>
</table>
<table><tbody><tr><th>a</th><th>b</th></tr><tr><td>3</td><td colspan=2><span>4</span></td></tr></tbody></table>
<table><tr><td>layout<table><tr><td>申请人</td><td>5</td></tr></table></td></tr></table>
</div></trs_editor></div></body></html>`
	doc, err := Extract(context.Background(), []byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	var grids []*nianbao.Table
	for _, b := range doc.Blocks {
		if b.Table != nil {
			grids = append(grids, b.Table)
		}
	}
	if len(grids) != 3 {
		t.Fatalf("%d grids, want 3", len(grids))
	}
	const main = "html>body>div[2]>trs_editor[1]>div[1]>"
	for _, c := range []struct {
		grid, row, col int
		path           string
	}{
		{0, 0, 0, main + "table[1]>tr[1]>td[1]"},
		{0, 0, 2, main + "table[1]>tr[1]>td[3]"},
		{0, 1, 1, main + "table[1]>tr[2]>td[2]"},
		{1, 0, 1, main + "table[2]>tbody[1]>tr[1]>th[2]"},
		{1, 1, 1, main + "table[2]>tbody[1]>tr[2]>td[2]"},
		{1, 1, 2, main + "table[2]>tbody[1]>tr[2]>td[2]"}, // the colspan's second position: the same cell
		{2, 0, 1, main + "table[3]>tr[1]>td[1]>table[1]>tr[1]>td[2]"},
	} {
		g := grids[c.grid]
		if c.row >= len(g.Rows) || c.col >= len(g.Rows[c.row]) {
			t.Fatalf("grid %d has no cell %d,%d", c.grid, c.row, c.col)
		}
		if got := g.Rows[c.row][c.col].Path; got != c.path {
			t.Errorf("grid %d cell %d,%d (%q): path %q, want %q", c.grid, c.row, c.col, g.Rows[c.row][c.col].Text, got, c.path)
		}
	}
}

// A page nested deeper than any report gives up the paths, not memory.
func TestCellPathsDeep(t *testing.T) {
	var p elemPath
	for range 100000 {
		p.start(0, []byte("<div>"))
	}
	if !p.lost || len(p.open) > maxPathDepth || p.String() != "" {
		t.Fatalf("depth %d, lost %v", len(p.open), p.lost)
	}
}

// TestCellPathsFollowed follows the path of every cell of the real and
// generated pages in the tree a browser's parser builds of them
// (golang.org/x/net/html), and finds there the cell's own text: the path
// is one a person can follow. The browser's tree has a <tbody> where the
// markup has none; the path, of the markup, steps over it.
func TestCellPathsFollowed(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/generated/*.html")
	files = append(files, "../../testdata/samples/shanghai-bgt-2019.html", "../../testdata/synthetic/table3_gbk.html")
	if len(files) < 100 {
		t.Fatalf("only %d pages", len(files))
	}
	cells := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Extract(context.Background(), data, "")
		if err != nil {
			t.Fatal(err)
		}
		root, err := html.Parse(strings.NewReader(charset.Decode(data, "", true).Text))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range doc.Blocks {
			if b.Table == nil {
				continue
			}
			for _, row := range b.Table.Rows {
				for _, c := range row {
					if c.Pad {
						continue
					}
					if c.Path == "" {
						t.Fatalf("%s: cell %d,%d %q has no path", f, c.Row, c.Col, c.Text)
					}
					n := followPath(root, c.Path)
					if n == nil {
						t.Fatalf("%s: cell %d,%d %q: path %s leads nowhere", f, c.Row, c.Col, c.Text, c.Path)
					}
					if got := textutil.Collapse(nodeText(n)); got != c.Text && strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(c.Text, " ", "") {
						t.Fatalf("%s: cell %d,%d: path %s holds %q, the cell %q", f, c.Row, c.Col, c.Path, got, c.Text)
					}
					cells++
				}
			}
		}
	}
	t.Logf("%d cells of %d pages followed", cells, len(files))
}

// followPath walks a path in a parsed tree; nil when a step is missing.
func followPath(root *html.Node, path string) *html.Node {
	n := root
	for _, step := range strings.Split(path, ">") {
		name, idx, _ := strings.Cut(step, "[")
		k := 1
		if idx != "" {
			k, _ = strconv.Atoi(strings.TrimSuffix(idx, "]"))
		}
		next := nthChild(n, name, k)
		if next == nil && name == "tr" {
			// The tbody the parser inserted.
			if tb := nthChild(n, "tbody", 1); tb != nil {
				next = nthChild(tb, name, k)
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

func nthChild(n *html.Node, name string, k int) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == name {
			if k--; k == 0 {
				return c
			}
		}
	}
	return nil
}

// nodeText is the text of n, a line break between blocks as the reader
// makes one.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			switch n.Data {
			case "script", "style":
				return
			case "br", "p", "div":
				b.WriteString(" ")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestNoPaths: without paths a page reads into the same document, the
// paths left empty.
func TestNoPaths(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/generated/*.html")
	files = append(files, "../../testdata/samples/shanghai-bgt-2019.html", "../../testdata/synthetic/table3_gbk.html")
	if len(files) < 100 {
		t.Fatalf("only %d pages", len(files))
	}
	paths := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		with, err := Extract(context.Background(), data, "")
		if err != nil {
			t.Fatal(err)
		}
		without, err := ExtractWith(context.Background(), data, Options{NoPaths: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range with.Blocks {
			if b.Table == nil {
				continue
			}
			for _, row := range b.Table.Rows {
				for i := range row {
					if row[i].Path != "" {
						paths++
					}
					row[i].Path = ""
				}
			}
		}
		if !reflect.DeepEqual(with, without) {
			t.Fatalf("%s: the document differs without paths", f)
		}
	}
	if paths == 0 {
		t.Fatal("no cell had a path to leave out")
	}
}
