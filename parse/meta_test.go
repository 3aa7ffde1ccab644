package parse

import (
	"errors"
	"testing"

	"github.com/nianbao/nianbao"
)

// TestIdentify reads organ and year from the title forms real pages use;
// the documents have no tables, so Parse reports them as such (or as a
// page about reports) with what it identified.
func TestIdentify(t *testing.T) {
	for _, c := range []struct {
		name   string
		lines  []string
		title  string // the document's own title (<title>, ArticleTitle meta)
		agency string
		year   int
		notice bool
	}{
		{name: "organ then year", lines: []string{"新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告"}, agency: "新乡市卫滨区人民政府办公室", year: 2019},
		{name: "year first", lines: []string{"2019年上海市人民政府办公厅政府信息公开工作年度报告"}, agency: "上海市人民政府办公厅", year: 2019},
		{name: "year in brackets", lines: []string{"沭阳县发展和改革局政府信息公开工作年度报告（2021年度）"}, agency: "沭阳县发展和改革局", year: 2021},
		{name: "Chinese numerals", lines: []string{"淮安市人民政府二〇二一年政府信息公开工作年度报告"}, agency: "淮安市人民政府", year: 2021},
		{name: "organ on the line above", lines: []string{"淮安市人民政府", "2024 年政府信息公开工作年度报告"}, agency: "淮安市人民政府", year: 2024},
		{name: "year first over two lines", lines: []string{"2024 年上海市科委政府信息公开工作", "年度报告", "上海市科学技术委员会"}, agency: "上海市科委", year: 2024},
		{name: "breadcrumb before the title", lines: []string{"首页 > 政府信息公开 > 年度报告", "2019年以前政府信息公开年度报告", "洪泽区人民政府2023年政府信息公开工作年度报告"},
			agency: "洪泽区人民政府", year: 2023},
		{name: "CMS label", lines: []string{"标题:沭阳县发展和改革局2023年度政府信息公开工作年度报告"}, agency: "沭阳县发展和改革局", year: 2023},
		{name: "CMS label full-width", lines: []string{"标题：平潭综合实验区2022年政府信息公开工作年度报告"}, agency: "平潭综合实验区", year: 2022},
		{name: "Traditional", lines: []string{"上海市人民政府辦公廳2019年政府信息公開工作年度報告"}, agency: "上海市人民政府办公厅", year: 2019},
		{name: "document title when the page has none", lines: []string{"首页>信息公开>年度报告", "发布日期：2024-01-20"},
			title: "洪泽区人民政府2023年政府信息公开工作年度报告_淮安市洪泽区人民政府", agency: "洪泽区人民政府", year: 2023},
		{name: "compiler in the body", lines: []string{"2023年政府信息公开工作年度报告", "本报告由沭阳县发展和改革局根据《中华人民共和国政府信息公开条例》编制。"},
			agency: "沭阳县发展和改革局", year: 2023},
		{name: "publisher metadata line", lines: []string{"发布机构：沭阳县发展和改革局 发布日期：2024-01-20", "2023年政府信息公开工作年度报告"},
			agency: "沭阳县发展和改革局", year: 2023},
		{name: "metadata names no organ", lines: []string{"来源：本站", "2023年政府信息公开工作年度报告"}, year: 2023},
		{name: "breadcrumb only", lines: []string{"2019年以前政府信息公开年度报告"}, year: 2019}, // the first year in the text, and no organ
		{name: "notice on compiling reports", lines: []string{"关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "各区人民政府，市政府各委、办、局："}, notice: true},
		{name: "reading guide", lines: []string{"《淮安市人民政府2023年政府信息公开工作年度报告》解读"}, notice: true},
		{name: "picture guide", lines: []string{"图解：淮安市人民政府2023年政府信息公开工作年度报告"}, notice: true},
		{name: "notice as the document title", lines: []string{"各县区人民政府："}, title: "关于报送2022年政府信息公开工作年度报告的通知_某某市人民政府", notice: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := &nianbao.Document{Format: nianbao.FormatHTML, Title: c.title}
			for _, l := range c.lines {
				doc.Blocks = append(doc.Blocks, nianbao.Block{Text: l})
			}
			rep, err := Parse(doc)
			if c.notice {
				if !errors.Is(err, ErrNotReport) || rep.Agency != "" {
					t.Fatalf("got %v, agency %q; want a page about reports and no organ", err, rep.Agency)
				}
				return
			}
			if !errors.Is(err, ErrNoTables) {
				t.Fatalf("got %v, want ErrNoTables", err)
			}
			if rep.Agency != c.agency || rep.Year != c.year {
				t.Fatalf("got %q %d, want %q %d", rep.Agency, rep.Year, c.agency, c.year)
			}
		})
	}
}

// TestPublished reads the publication date from the page's metadata line,
// else from the date its metadata states, never from a signature.
func TestPublished(t *testing.T) {
	for _, c := range []struct {
		name      string
		lines     []string
		meta      string
		date, src string
	}{
		{"metadata line", []string{"洪泽区人民政府2023年政府信息公开工作年度报告", "发布日期：2024-01-22　来源：洪泽区人民政府"}, "2024-01-30 10:00", "2024-01-22", "page"},
		{"written date left alone", []string{"洪泽区人民政府2023年政府信息公开工作年度报告", "成文日期：2024-01-10"}, "", "", ""},
		{"meta only", []string{"洪泽区人民政府2023年政府信息公开工作年度报告"}, "2024-01-30 10:00:00", "2024-01-30", "meta"},
		{"signature only", []string{"洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", "2024年1月25日"}, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := &nianbao.Document{Format: nianbao.FormatHTML, Published: c.meta}
			for _, l := range c.lines {
				doc.Blocks = append(doc.Blocks, nianbao.Block{Text: l})
			}
			rep, _ := Parse(doc)
			if rep.Published != c.date || rep.PublishedFrom != c.src {
				t.Fatalf("got %q from %q, want %q from %q", rep.Published, rep.PublishedFrom, c.date, c.src)
			}
		})
	}
}
