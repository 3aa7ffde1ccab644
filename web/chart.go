package web

import (
	"math"
	"strconv"
)

// A chart is drawn on the server as SVG: its data (years, series) and the
// shapes computed from them, which the template writes out as they are.
// No script, no chart library in the browser.
type chart struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Kind   string   `json:"kind"` // bars, stacked (shares, to 100%), grouped
	Years  []int    `json:"years"`
	Series []series `json:"series"`
	// The drawing, in the SVG's own units.
	Width  float64    `json:"width"`
	Height float64    `json:"height"`
	Bars   []bar      `json:"bars"`
	Ticks  []tick     `json:"ticks"`
	Labels []xLabel   `json:"labels"`
	Legend []legendIt `json:"legend"`
	Empty  bool       `json:"empty"` // nothing to draw: every value blank
}

type series struct {
	Name   string     `json:"name"`
	Class  string     `json:"class"` // the CSS class that colours it
	Values []*float64 `json:"values"`
}

type bar struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	Class string  `json:"class"`
	Title string  `json:"title"` // shown on hover
}

type tick struct {
	Y     float64 `json:"y"`
	Label string  `json:"label"`
}

type xLabel struct {
	X       float64 `json:"x"`
	Text    string  `json:"text"`
	Missing bool    `json:"missing"` // no report that year
}

type legendIt struct {
	X     float64 `json:"x"`
	Class string  `json:"class"`
	Name  string  `json:"name"`
}

// The frame of every chart.
const (
	chartW      = 640.0
	chartH      = 220.0
	chartLeft   = 52.0
	chartRight  = 8.0
	chartTop    = 28.0
	chartBottom = 24.0
)

// newChart lays out series over years (present says which years have a
// report; the others get a label and no bar).
func newChart(id, title, kind string, years []int, present map[int]bool, ss []series) chart {
	c := chart{ID: id, Title: title, Kind: kind, Years: years, Series: ss, Width: chartW, Height: chartH}
	top := 0.0
	any := false
	for i := range years {
		sum := 0.0
		for _, s := range ss {
			if v := s.Values[i]; v != nil {
				any = true
				sum += *v
				top = math.Max(top, *v)
			}
		}
		if kind == "stacked" {
			top = math.Max(top, sum)
		}
	}
	c.Empty = !any
	if kind == "stacked" {
		top = 1
	}
	top = niceMax(top)
	plotH := chartH - chartTop - chartBottom
	plotW := chartW - chartLeft - chartRight
	y := func(v float64) float64 { return round1(chartTop + plotH - v/top*plotH) }
	for _, t := range []float64{0, top / 2, top} {
		label := num(t)
		if kind == "stacked" {
			label = strconv.Itoa(int(math.Round(t*100))) + "%"
		}
		c.Ticks = append(c.Ticks, tick{Y: y(t), Label: label})
	}
	slot := plotW / float64(max(len(years), 1))
	barW := slot * 0.7
	for i, yr := range years {
		x0 := chartLeft + slot*float64(i) + (slot-barW)/2
		c.Labels = append(c.Labels, xLabel{X: round1(chartLeft + slot*(float64(i)+0.5)), Text: strconv.Itoa(yr), Missing: !present[yr]})
		switch kind {
		case "stacked":
			base := 0.0
			for _, s := range ss {
				v := s.Values[i]
				if v == nil || *v <= 0 {
					continue
				}
				c.Bars = append(c.Bars, bar{X: round1(x0), Y: y(base + *v), W: round1(barW), H: round1(y(base) - y(base+*v)),
					Class: s.Class, Title: strconv.Itoa(yr) + " " + s.Name + " " + pct(v)})
				base += *v
			}
		default:
			w := barW / float64(len(ss))
			for j, s := range ss {
				v := s.Values[i]
				if v == nil {
					continue
				}
				c.Bars = append(c.Bars, bar{X: round1(x0 + w*float64(j)), Y: y(*v), W: round1(w), H: round1(y(0) - y(*v)),
					Class: s.Class, Title: strconv.Itoa(yr) + " " + s.Name + " " + num(*v)})
			}
		}
	}
	x := chartLeft
	for _, s := range ss {
		c.Legend = append(c.Legend, legendIt{X: x, Class: s.Class, Name: s.Name})
		x += 14 + 13*float64(len([]rune(s.Name))) + 12
	}
	return c
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten (1
// for an empty chart), so that its ticks are round numbers.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// organCharts are the three charts of an organ's page, from its panel rows.
func organCharts(rows []panelRow, years []int) []chart {
	present := map[int]bool{}
	byYear := map[int]panelRow{}
	for _, r := range rows {
		present[r.Year] = true
		byYear[r.Year] = r
	}
	col := func(get func(panelRow) *float64) []*float64 {
		out := make([]*float64, len(years))
		for i, y := range years {
			if r, ok := byYear[y]; ok {
				out[i] = get(r)
			}
		}
		return out
	}
	f := func(name string) func(panelRow) *float64 { return func(r panelRow) *float64 { return r.num(name) } }
	return []chart{
		newChart("applications", "本年新收申请 applications received", "bars", years, present, []series{
			{"本年新收", "s1", col(f("applications"))},
		}),
		newChart("outcomes", "办理结果占比 outcome shares", "stacked", years, present, []series{
			{"予以公开", "s1", col(f("granted_share"))},
			{"部分公开", "s2", col(f("partial_share"))},
			{"不予公开", "s3", col(f("denied_share"))},
			{"无法提供", "s4", col(f("unable_share"))},
			{"不予处理", "s5", col(f("rejected_share"))},
			{"其他处理", "s6", col(f("other_share"))},
		}),
		newChart("reviews", "行政复议、行政诉讼及纠正 reviews and suits, corrected", "grouped", years, present, []series{
			{"复议", "s1", col(f("reviews"))},
			{"复议纠正", "s2", col(f("reviews_corrected"))},
			{"诉讼", "s3", col(f("suits"))},
			{"诉讼纠正", "s4", col(f("suits_corrected"))},
		}),
	}
}
