package parse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/normalize"
)

// identify finds the organ and the report year: from the title (the first
// short text that reads as one with a plausible organ, a title broken over
// two lines joined, the document's own title as a fallback), the
// statistics period stated in the body deciding the year when present. A
// title of a page about reports (a notice, a 解读, a list) is noted in
// p.notice, and no organ is taken from it.
func (p *parser) identify(rep *nianbao.Report) {
	var title normalize.Title
	found := false
	var texts []string
	for _, b := range p.doc.Blocks {
		if b.Table == nil && !b.Image && b.Text != "" {
			texts = append(texts, b.Text)
		}
	}
	// A title that names no organ ("2024年政府信息公开工作年度报告") gives the
	// year when nothing better comes.
	var yearOnly normalize.Title
	const lines = 30 // the title is among the first lines
	limit := min(len(texts), lines)
	// Each line is read as a title once: a line that is not one is read
	// again as the next line's predecessor.
	type parsed struct {
		t        normalize.Title
		ok, done bool
	}
	var titles [lines]parsed
	titleOf := func(i int) (normalize.Title, bool) {
		if !titles[i].done {
			titles[i].t, titles[i].ok = normalize.ParseTitle(texts[i])
			titles[i].done = true
		}
		return titles[i].t, titles[i].ok
	}
	for i := 0; i < limit && !found; i++ {
		if headingOf(texts[i]) == 1 {
			break // the title precedes section 一
		}
		if len([]rune(texts[i])) > 80 {
			continue
		}
		line := texts[i]
		t, ok := titleOf(i)
		if !ok && i+1 < limit && len([]rune(texts[i+1])) <= 40 {
			// "2024 年上海市科委政府信息公开工作" / "年度报告"; not a
			// breadcrumb followed by a whole title.
			if _, whole := titleOf(i + 1); whole {
				continue
			}
			if t, ok = normalize.ParseTitle(line + texts[i+1]); ok {
				line += texts[i+1]
				i++
			}
		}
		if !ok {
			continue
		}
		if normalize.Notice(line) {
			p.notice = strings.Join(strings.Fields(line), "")
			return
		}
		switch {
		case normalize.Plausible(t.Agency):
			title, found = t, true
		case t.Agency == "" && i > 0 && normalize.IsAgency(texts[i-1]):
			// "淮安市人民政府" on the line above "2024 年政府信息公开工作年度报告".
			title, found = t, true
			title.Agency = normalize.CleanAgency(texts[i-1])
			title.Text = texts[i-1] + " " + line
		case t.Agency == "" && yearOnly.Year == 0:
			yearOnly = t
		}
	}
	if !found && p.doc.Title != "" {
		t := p.doc.Title
		// "…年度报告_XX市人民政府门户网站": drop the site name.
		if i := strings.IndexAny(t, "_|"); i > 0 {
			t = t[:i]
		}
		if normalize.Notice(t) {
			p.notice = strings.Join(strings.Fields(t), "")
			return
		}
		if dt, ok := normalize.ParseTitle(t); ok && (normalize.Plausible(dt.Agency) || dt.Agency == "" && yearOnly.Year == 0) {
			title, found = dt, true
		}
	}
	if !found && yearOnly.Year > 0 {
		title, found = yearOnly, true
	}
	if found {
		rep.Title = title.Text
		rep.Agency = normalize.Simplified(title.Agency)
		rep.Year = title.Year
	}
	body := strings.Join(texts[:min(len(texts), 60)], "\n")
	if y := normalize.PeriodYear(body); y > 0 {
		rep.Year = y
	}
	if rep.Agency == "" {
		if m := compilerRe.FindStringSubmatch(body); m != nil {
			rep.Agency = normalize.Simplified(m[1])
		} else if m := publisherRe.FindStringSubmatch(body); m != nil && normalize.Plausible(m[1]) {
			rep.Agency = normalize.Simplified(m[1])
		}
	}
	if rep.Year == 0 {
		rep.Year = normalize.FirstYear(strings.Join(texts[:min(len(texts), 5)], "\n"))
	}
	p.published(rep, texts)
}

// published reads when the report was published: a "发布日期：" line of the
// page near its top, else the date its metadata states.
func (p *parser) published(rep *nianbao.Report, texts []string) {
	for _, t := range texts[:min(len(texts), 30)] {
		if d, ok := normalize.PublishedDate(t); ok {
			rep.Published, rep.PublishedFrom = d, "page"
			return
		}
	}
	if d, ok := normalize.Date(p.doc.Published); ok {
		rep.Published, rep.PublishedFrom = d, "meta"
	}
}

// "发布机构：XX局" on a line of the page's metadata: what follows the label.
var publisherRe = regexp.MustCompile(`(?m)^\s*(?:发布机构|发文机关|发布单位|信息来源|来源)\s*[:：]\s*([^\s:：|]{2,40})`)

// "本报告由XX根据《条例》…编制": the compiler, used when no title names the organ.
var compilerRe = regexp.MustCompile(`本(?:年度)?报告(?:是)?由([^，,。根按依（(]{2,40}?)(?:根据|按照|依据|依照|编制)`)

// sections collects the prose of sections 一, 五 and 六.
func (p *parser) sections() map[string]string {
	var bufs [7]strings.Builder
	cur := 0
	for _, b := range p.doc.Blocks {
		if b.Table != nil || b.Image {
			continue
		}
		if h := headingOf(b.Text); h > 0 && headRe.MatchString(b.Text) {
			cur = 0
			if h == 1 || h == 5 || h == 6 {
				cur = h
			}
			continue
		}
		if cur == 0 {
			continue
		}
		if bufs[cur].Len() > 0 {
			bufs[cur].WriteByte('\n')
		}
		bufs[cur].WriteString(b.Text)
	}
	var out map[string]string
	for _, h := range []int{1, 5, 6} {
		if bufs[h].Len() > 0 {
			if out == nil {
				out = map[string]string{}
			}
			out[strconv.Itoa(h)] = bufs[h].String()
		}
	}
	return out
}
