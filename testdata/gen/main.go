// Command gen writes the generated fixture reports into testdata/generated:
// for each document <name>.html or <name>.txt and <name>.expected.json with
// what a correct parser reads from it. It is deterministic (fixed seeds);
// run it from the module root after changing internal/fixture:
//
//	go run ./testdata/gen
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
)

func main() {
	out := flag.String("out", "testdata/generated", "output folder (its generated files are replaced)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// doc is one generated document.
type doc struct {
	name string
	spec fixture.Spec
	html *fixture.HTMLStyle
	text *fixture.TextStyle
}

func run(out string) error {
	docs := plan()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(out, "*"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if strings.HasSuffix(f, ".html") || strings.HasSuffix(f, ".txt") || strings.HasSuffix(f, ".json") {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	var total int64
	for _, d := range docs {
		exp := fixture.Expect(d.spec)
		exp.Name = d.name
		var data []byte
		if d.html != nil {
			data = fixture.HTML(d.spec, *d.html)
			exp.File, exp.Format, exp.Encoding, exp.Style = d.name+".html", nianbao.FormatHTML, d.html.Encoding, d.html
		} else {
			data = fixture.Text(d.spec, *d.text)
			exp.File, exp.Format, exp.Encoding, exp.Style = d.name+".txt", nianbao.FormatText, d.text.Encoding, d.text
		}
		js, err := json.MarshalIndent(exp, "", " ")
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		if err := os.WriteFile(filepath.Join(out, exp.File), data, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, d.name+".expected.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
		total += int64(len(data) + len(js))
	}
	slog.Info("generated", "documents", len(docs), "bytes", total, "folder", out)
	return nil
}

func rngFor(set, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(set)*1_000_003, uint64(i)+0x6e69616e62616f))
}

// plan lists every document: random reports of both templates in HTML and
// text, reports with one broken rule, pre-2019 and 图片版 pages, and a few
// with chosen hard variants.
func plan() []doc {
	var docs []doc
	tmpls := map[string]nianbao.Template{"2019": nianbao.Template2019, "2021": nianbao.Template2021}
	for si, set := range []struct {
		format string
		tmpl   string
		n      int
	}{{"html", "2019", 80}, {"html", "2021", 80}, {"text", "2019", 40}, {"text", "2021", 40}} {
		for i := 1; i <= set.n; i++ {
			rng := rngFor(si+1, i)
			s := fixture.Random(rng, tmpls[set.tmpl])
			docs = append(docs, styled(rng, fmt.Sprintf("%s-%s-%03d", set.format, set.tmpl, i), s, set.format))
		}
	}
	// One broken rule each: 10 per rule, both templates, HTML and text.
	for ri, rule := range fixture.BreakableRules {
		for i := 1; i <= 10; i++ {
			rng := rngFor(10+ri, i)
			t := nianbao.Template2019
			if i%2 == 0 {
				t = nianbao.Template2021
			}
			s := fixture.Break(fixture.Random(rng, t), rule)
			format := "html"
			if i%3 == 0 {
				format = "text"
			}
			docs = append(docs, styled(rng, fmt.Sprintf("broken-%s-%02d", strings.ReplaceAll(rule, ".", "_"), i), s, format))
		}
	}
	for i := 1; i <= 6; i++ {
		rng := rngFor(20, i)
		format := "html"
		if i > 3 {
			format = "text"
		}
		docs = append(docs, styled(rng, fmt.Sprintf("pre2019-%02d", i), fixture.Pre2019(rng), format))
	}
	for i := 1; i <= 4; i++ {
		rng := rngFor(21, i)
		t := nianbao.Template2019
		if i%2 == 0 {
			t = nianbao.Template2021
		}
		docs = append(docs, styled(rng, fmt.Sprintf("image-%02d", i), fixture.Image(rng, t), "html"))
	}
	return append(docs, hard()...)
}

func styled(rng *rand.Rand, name string, s fixture.Spec, format string) doc {
	if format == "html" {
		st := fixture.RandomHTMLStyle(rng)
		return doc{name: name, spec: s, html: &st}
	}
	st := fixture.RandomTextStyle(rng)
	return doc{name: name, spec: s, text: &st}
}

// hard returns documents with chosen variants turned on together, so that
// each hard case is there whatever the random draws gave.
func hard() []doc {
	var docs []doc
	add := func(i int, t nianbao.Template, fs func(*fixture.Spec), fh func(*fixture.HTMLStyle), ft func(*fixture.TextStyle)) {
		rng := rngFor(30, i)
		s := fixture.Random(rng, t)
		if fs != nil {
			fs(&s)
		}
		name := fmt.Sprintf("hard-%02d", i)
		if fh != nil {
			st := fixture.RandomHTMLStyle(rng)
			fh(&st)
			docs = append(docs, doc{name: name, spec: s, html: &st})
			return
		}
		st := fixture.RandomTextStyle(rng)
		ft(&st)
		docs = append(docs, doc{name: name, spec: s, text: &st})
	}
	t19, t21 := nianbao.Template2019, nianbao.Template2021
	// The whole table in Traditional characters, GBK without a charset.
	add(1, t21, nil, func(st *fixture.HTMLStyle) {
		st.Labels.Traditional, st.Encoding, st.Meta = true, "gbk", "missing"
	}, nil)
	// A Word export declared UTF-8 but written in GBK, spans inside numbers.
	add(2, t19, nil, func(st *fixture.HTMLStyle) {
		st.Layout, st.Markup, st.SplitNumbers, st.Encoding, st.Meta = "word", "word", true, "gbk", "wrong"
	}, nil)
	// 8 columns and subtotal rows, flattened headers, every table split.
	add(3, t21, func(s *fixture.Spec) {
		s.SubtotalColumn, s.SubtotalRows = true, true
	}, func(st *fixture.HTMLStyle) {
		st.Spans, st.T3Header, st.Split = false, "flat", []string{"t2blocks", "t3head", "t3body", "t4head"}
	}, nil)
	// Shanghai-like: blanks as &nbsp;, amounts in 元, table 四 as one row.
	add(4, t19, func(s *fixture.Spec) {
		s.AmountUnit, s.AmountUnitInHeader = "元", false
		for k, v := range s.Values {
			if v != nil && *v == 0 && strings.HasPrefix(k, "t3.") {
				s.Values[k] = nil
			}
		}
	}, func(st *fixture.HTMLStyle) {
		st.Markup, st.Blank, st.T4Rows, st.Spans = "shanghai", "&nbsp;", false, true
	}, nil)
	// Weibin-like text: tab grid, shifted rows, table 四 header over lines.
	add(5, t19, nil, nil, func(st *fixture.TextStyle) {
		st.Layout, st.Copy, st.Shift, st.T4Rows, st.Encoding = "tab", false, true, false, "utf-8"
	})
	// Browser copy: rows under a rowspan are short; labels wrap.
	add(6, t21, nil, nil, func(st *fixture.TextStyle) {
		st.Layout, st.Copy, st.Wrap, st.Shift = "tab", true, true, false
	})
	// Text out of a PDF: aligned columns, wrapped labels, a page number.
	add(7, t21, func(s *fixture.Spec) { s.SubtotalColumn = true }, nil, func(st *fixture.TextStyle) {
		st.Layout, st.Wrap, st.PageBreaks, st.Copy, st.Repeat, st.Blank = "space", true, true, false, false, "-"
	})
	// Markdown pipe tables from a converter, full-width digits, separators.
	add(8, t19, nil, nil, func(st *fixture.TextStyle) {
		st.Layout, st.Copy, st.FullWidthDigits, st.Thousands = "markdown", true, true, true
	})
	// Label variants all at once.
	add(9, t21, nil, func(st *fixture.HTMLStyle) {
		st.Labels = fixture.LabelStyle{Numbering: "（1）", ASCIIBrackets: true, Quotes: `""`, Spaces: true, Abbrev: true, Breaks: true}
		st.T3LabelCols = 1
	}, nil)
	// A 2021 report that keeps （六） as one row; amounts in 元 in the header.
	add(10, t21, func(s *fixture.Spec) {
		if s.T3Split {
			*s = reshapeOther(*s)
			s.T3Split = false
		}
		s.AmountUnit, s.AmountUnitInHeader = "元", true
	}, func(st *fixture.HTMLStyle) { st.T3LabelCols, st.T3HeadingRows = 1, true }, nil)
	// A report with nothing at all: every figure blank.
	add(11, t19, func(s *fixture.Spec) {
		for k := range s.Values {
			if strings.HasPrefix(k, "t3.") || strings.HasPrefix(k, "t4.") {
				s.Values[k] = nil
			}
		}
	}, nil, func(st *fixture.TextStyle) { st.Layout, st.Blank = "tab", "" })
	// Nested layout tables, GB18030, label breaks, flattened with repeats.
	add(12, t19, func(s *fixture.Spec) {
		s.ExtraT2 = []fixture.ExtraRow{{Label: "其他主动公开文件", Values: []*float64{nianbao.F(12), nianbao.F(12), nianbao.F(140)}}}
	}, func(st *fixture.HTMLStyle) {
		st.Layout, st.Encoding, st.Meta, st.Spans, st.Repeat = "nested", "gb18030", "match", false, true
		st.Labels.Breaks = true
	}, nil)
	return docs
}

// reshapeOther turns a spec's three （六） sub-rows into the single row.
func reshapeOther(s fixture.Spec) fixture.Spec {
	for _, c := range nianbao.T3Cols {
		sum := 0.0
		for _, sub := range []string{"no_correction", "no_fee", "other"} {
			k := "t3.other." + sub + "." + c.Key
			if v := s.Values[k]; v != nil {
				sum += *v
			}
			delete(s.Values, k)
		}
		s.Values["t3.other."+c.Key] = nianbao.F(sum)
	}
	return s
}
