package pipeline

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/internal/fixture"
	"github.com/nianbao/nianbao/internal/toolcheck"
)

// The five-page scan of the Huaian report (testdata/pdf/README.md), read by
// Tesseract with one thread and the pages in parallel, within its budget:
// every figure the arithmetic accepts is the printed one, as the text PDF
// reads natively (held by the golden file).
func TestPDFScannedFivePages(t *testing.T) {
	if !pdfdoc.OCRAvailable(pdfOptions) {
		toolcheck.Skip(t, "tesseract with chi_sim not installed")
	}
	if testing.Short() {
		t.Skip("OCR of five pages takes half a minute")
	}
	truth := readPDFFile(t, "huaian-szf-2024.pdf")
	// Time enough on any machine (the budget is OCR's own test): the
	// figures are the test here.
	saved := pdfOptions
	defer func() { pdfOptions = saved }()
	pdfOptions.Timeout = time.Hour
	rep := readPDFFile(t, "huaian-scanned-5p.pdf")
	if rep.Template != truth.Template || rep.Year != truth.Year {
		t.Fatalf("status %s template %s year %d, want %s %d; reason %q error %q",
			rep.Status, rep.Template, rep.Year, truth.Template, truth.Year, rep.Reason, rep.Error)
	}
	var kept string
	for _, e := range rep.Engines {
		if e.Kept {
			kept = e.Engine
		}
	}
	if kept != string(pdfdoc.EngineOCR) {
		t.Errorf("reading kept: %q, want the OCR one (%+v)", kept, rep.Engines)
	}
	accepted := 0
	for _, c := range rep.Cells {
		if c.Value == nil || c.Uncertain != "" {
			continue
		}
		accepted++
		if w := truth.Cell(c.Key); w == nil || w.Value == nil || *w.Value != *c.Value {
			t.Errorf("%s accepted as %v, printed %+v", c.Key, *c.Value, w)
		}
	}
	t.Logf("OCR: %d of %d figures accepted by the arithmetic", accepted, len(rep.Cells))
	// 136 with Tesseract 5.3 and its fast models; a floor, not the count,
	// so that another Tesseract may read a little otherwise.
	if accepted < 100 {
		t.Errorf("only %d figures accepted", accepted)
	}
}

// An OCR reading stopped by its budget has the first pages only; the
// figures it keeps are those its own rows confirm. In a report read up to
// the middle of table 三, each read row whose sum holds is confirmed;
// equations with a term on a page not read (the column sums, table 四)
// confirm nothing, and a misread figure leaves its row uncertain.
func TestConfirmByArithmeticFirstPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 4))
	for i := range 4 {
		tmpl := []nianbao.Template{nianbao.Template2019, nianbao.Template2021}[i%2]
		spec := fixture.Random(rng, tmpl)
		for k, v := range spec.Values {
			if v == nil {
				spec.Values[k] = nianbao.F(0) // every term printed
			}
		}
		read := map[string]bool{} // rows of 三 on the pages read
		for _, r := range nianbao.T3Rows(spec.T3Split)[:15] {
			read[r.Key] = true
		}
		rep := ocrReport(spec)
		misread := "t3.granted.research"
		*rep.Cell(misread).Value += 1
		var findings []nianbao.Finding
		for _, f := range rep.Findings {
			if f.Rule == nianbao.RuleUncertain && !onPagesRead(f.Cells[0], read) {
				continue
			}
			findings = append(findings, f)
		}
		rep.Findings = findings
		for j := range rep.Cells {
			if c := &rep.Cells[j]; !onPagesRead(c.Key, read) {
				c.Value, c.Uncertain, c.Source, c.Blank = nil, "", nil, "missing"
			}
		}
		confirmByArithmetic(rep)
		for _, c := range rep.Cells {
			if !onPagesRead(c.Key, read) {
				if c.Value != nil || c.Uncertain != "" {
					t.Errorf("%s: a cell not read has %v %q", c.Key, c.Value, c.Uncertain)
				}
				continue
			}
			row := strings.Join(strings.Split(c.Key, ".")[1:len(strings.Split(c.Key, "."))-1], ".")
			want := strings.HasPrefix(c.Key, "t2.") || "t3."+row == "t3.granted"
			if (c.Uncertain != "") != want {
				t.Errorf("%s (%s): uncertain %q, want uncertain %v", c.Key, tmpl, c.Uncertain, want)
			}
		}
	}
}

// onPagesRead says whether a cell is on the pages read: table 二, and the
// rows of table 三 in read.
func onPagesRead(key string, read map[string]bool) bool {
	switch {
	case strings.HasPrefix(key, "t2."):
		return true
	case strings.HasPrefix(key, "t3."):
		parts := strings.Split(key, ".")
		return read[strings.Join(parts[1:len(parts)-1], ".")]
	}
	return false
}
