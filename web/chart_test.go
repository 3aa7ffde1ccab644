package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the charts")

// goldenPanel is an organ's panel over 2019–2023 with 2021 missing, a
// year whose reviews are blank, and one whose outcomes are all blank.
func goldenPanel() ([]panelRow, []int) {
	cols := []string{"year", "report_id", "applications", "granted_share", "partial_share", "denied_share", "unable_share",
		"rejected_share", "other_share", "reviews", "reviews_corrected", "suits", "suits_corrected"}
	row := func(vals ...any) panelRow {
		p := panelRow{cols: cols, vals: vals}
		p.Year, p.ReportID = int(vals[0].(int64)), vals[1].(int64)
		return p
	}
	rows := []panelRow{
		row(int64(2019), int64(11), int64(120), 0.5, 0.25, 0.125, 0.0625, 0.0625, 0.0, int64(4), int64(1), int64(2), int64(0)),
		row(int64(2020), int64(12), int64(95), 0.6, 0.2, 0.1, 0.05, 0.05, 0.0, nil, nil, int64(3), int64(1)),
		row(int64(2022), int64(14), int64(310), nil, nil, nil, nil, nil, nil, int64(7), int64(2), int64(5), int64(2)),
		row(int64(2023), int64(15), nil, 0.4, 0.3, 0.1, 0.1, 0.05, 0.05, int64(0), int64(0), int64(0), int64(0)),
	}
	return rows, []int{2019, 2020, 2021, 2022, 2023}
}

// TestChartsGolden holds the charts' data and shapes (bars, ticks,
// labels) of a known panel to a golden file: a change to how a chart is
// computed shows as a diff (go test ./web -run Golden -update rewrites it).
func TestChartsGolden(t *testing.T) {
	rows, years := goldenPanel()
	charts := organCharts(rows, years)
	got, err := json.MarshalIndent(charts, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	file := filepath.Join("testdata", "charts.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the charts differ from %s (run with -update if the change is meant):\n%s", file, firstDiff(string(want), string(got)))
	}
}

// TestChartsShapes checks what the golden file should show: a missing
// year has its label and no bar, shares stack to the top, blanks draw
// nothing, bars stay inside the frame.
func TestChartsShapes(t *testing.T) {
	rows, years := goldenPanel()
	charts := organCharts(rows, years)
	if len(charts) != 3 {
		t.Fatalf("%d charts", len(charts))
	}
	apps, outcomes, reviews := charts[0], charts[1], charts[2]
	if len(apps.Bars) != 3 { // 2021 missing, 2023 blank
		t.Errorf("applications: %d bars, want 3", len(apps.Bars))
	}
	if !apps.Labels[2].Missing || apps.Labels[2].Text != "2021" {
		t.Errorf("2021 is not marked missing: %+v", apps.Labels[2])
	}
	// The tallest bar (310) reaches 310/500 of the plot (top rounded to 500).
	plotH := chartH - chartTop - chartBottom
	if b := apps.Bars[2]; b.H != round1(310.0/500*plotH) {
		t.Errorf("bar of 310: height %v", b.H)
	}
	// Each year's shares stack to the full height.
	stack := map[float64]float64{}
	for _, b := range outcomes.Bars {
		stack[b.X] += b.H
	}
	if len(stack) != 3 { // 2022's outcomes are blank
		t.Errorf("outcomes: %d stacks, want 3", len(stack))
	}
	for x, h := range stack {
		if h < plotH-1 || h > plotH+1 {
			t.Errorf("outcomes: the stack at %v is %v high, want %v", x, h, plotH)
		}
	}
	for _, c := range charts {
		for _, b := range c.Bars {
			if b.X < chartLeft || b.X+b.W > chartW-chartRight+0.5 || b.Y < chartTop-0.5 || b.Y+b.H > chartH-chartBottom+0.5 || b.H < 0 {
				t.Errorf("%s: bar outside the frame: %+v", c.ID, b)
			}
		}
	}
	// Reviews: 2020's blank reviews draw no bar; zeros draw bars of height 0.
	n2020 := 0
	for _, b := range reviews.Bars {
		if strings.HasPrefix(b.Title, "2020 ") {
			n2020++
		}
	}
	if n2020 != 2 {
		t.Errorf("reviews 2020: %d bars, want 2 (suits only)", n2020)
	}
	if e := organCharts(nil, nil); !e[0].Empty {
		t.Errorf("an organ without figures: chart not empty")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n want " + al[i] + "\n  got " + bl[i]
		}
	}
	return "lengths differ"
}

// TestNiceMax: chart tops are round numbers.
func TestNiceMax(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 7: 10, 12: 20, 310: 500, 1001: 2000, 5000: 5000} {
		if got := niceMax(v); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", v, got, want)
		}
	}
}
