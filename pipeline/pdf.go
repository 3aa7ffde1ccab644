package pipeline

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
)

// pdfOptions are the extractor options of every engine; tests change them
// to run the chain as on a machine without poppler or Tesseract.
var pdfOptions = pdfdoc.Options{}

// candidate is one reading of the document by one engine, parsed.
type candidate struct {
	engine string // with "pdfcpu+" when read after repair
	rep    *nianbao.Report
	score  float64
	run    int // its entry in Report.Engines
}

// chain is what choose gathers from the readings of one document.
type chain struct {
	base   nianbao.Report // the report before any reading
	cands  []candidate
	runs   []nianbao.EngineRun
	failed []nianbao.Reading
}

// choose parses the readings of a document in order until one is whole,
// keeps the best of those parsed (score), and records every reading in
// rep.Engines; a document no engine could read gets the status its
// failures say. Only a PDF has more than one reading: a reading that
// misses a table, rows or columns, or has figures it could not read, may
// be bettered by the next engine; a whole reading whose arithmetic is
// broken is not — every engine reads the same printed figures, and many
// real reports break their rules — so the chain stops there.
func choose(ctx context.Context, rep *nianbao.Report, readings iter.Seq[nianbao.Reading], opt Options) {
	ch := chain{base: *rep}
	var over error
	for r := range readings {
		run := nianbao.EngineRun{Engine: r.Engine, Layout: r.Layout}
		if r.Doc != nil {
			run.Notes = r.Doc.Notes
		}
		if r.Err != nil {
			run.Error = r.Err.Error()
			ch.runs = append(ch.runs, run)
			ch.failed = append(ch.failed, r)
			var pe *nianbao.PanicError
			if errors.As(r.Err, &pe) {
				logPanic(rep.Source, pe)
			}
			if errors.Is(r.Err, nianbao.ErrOverBudget) {
				// No other engine may spend more on a document over
				// its budget.
				over = r.Err
				break
			}
			continue
		}
		c := analyseCandidate(ctx, ch.base, r.Engine, r.Doc, opt)
		if r.Layout == nianbao.LayoutOCR {
			// An OCR figure stays uncertain until the report's own
			// arithmetic confirms it.
			confirmByArithmetic(c.rep)
			c.score = score(c.rep)
		}
		run.Status, run.Incomplete = c.rep.Status, incomplete(c.rep)
		c.run = len(ch.runs)
		ch.runs = append(ch.runs, run)
		ch.cands = append(ch.cands, c)
		if run.Incomplete == "" {
			break
		}
	}
	switch {
	case over != nil:
		rep.Engines = ch.runs
		overBudget(rep, over)
		return
	case len(ch.cands) > 0:
		ch.runs[adopt(rep, ch.cands)].Kept = true
	case rep.Format == nianbao.FormatPDF:
		pdfFail(rep, ch.failed)
	case len(ch.failed) > 0:
		fail(rep, rep.Source, ch.failed[len(ch.failed)-1].Err)
	}
	rep.Engines = ch.runs
}

// incomplete says what a parsed reading lacks that another engine might
// still read, or "" when it is whole: every table of the template found,
// every cell of their rows and columns there, no figure unreadable or read
// with doubt, no row read twice with other figures.
func incomplete(r *nianbao.Report) string {
	if r.Status != nianbao.StatusOK && r.Status != nianbao.StatusFindings {
		return strings.TrimSuffix(fmt.Sprintf("%s: %s%s", r.Status, r.Reason, r.Error), ": ")
	}
	var why []string
	for _, rule := range []string{nianbao.RuleMissingTable, nianbao.RuleUncertain, nianbao.RuleDuplicate} {
		n := 0
		for _, f := range r.Findings {
			if f.Rule == rule {
				n++
			}
		}
		if n > 0 {
			why = append(why, fmt.Sprintf("%d %s", n, rule))
		}
	}
	missing := 0
	for _, c := range r.Cells {
		if c.Blank == "missing" {
			missing++
		}
	}
	if missing > 0 {
		why = append(why, fmt.Sprintf("%d cells missing", missing))
	}
	return strings.Join(why, ", ")
}

// engineLayout names tables rebuilt from `pdftotext -layout` text.
const engineLayout = string(pdfdoc.EngineLayout)

func analyseCandidate(ctx context.Context, base nianbao.Report, engine string, doc *nianbao.Document, opt Options) candidate {
	r := base
	r.Cells, r.Extra, r.Findings, r.Sections = nil, nil, nil, nil
	if r.Title == "" {
		r.Title = doc.Title
	}
	analyse(ctx, &r, doc, opt)
	return candidate{engine: engine, rep: &r, score: score(&r)}
}

// adopt copies the best candidate into rep and returns its run; the first
// engine wins a tie.
func adopt(rep *nianbao.Report, cands []candidate) int {
	best := cands[0]
	for _, c := range cands[1:] {
		if c.score > best.score {
			best = c
		}
	}
	*rep = *best.rep
	return best.run
}

// score ranks readings: all tables found and every rule holding first,
// then fewer findings, then more figures read.
func score(r *nianbao.Report) float64 {
	s := 0.0
	switch r.Status {
	case nianbao.StatusOK:
		s = 1e6
	case nianbao.StatusFindings:
		s = 5e5
		for _, f := range r.Findings {
			if f.Rule == nianbao.RuleMissingTable {
				s -= 1e4
			} else {
				s -= 100
			}
		}
	case nianbao.StatusUnsupported:
		s = 1e3
	}
	for _, c := range r.Cells {
		if c.Value != nil {
			s++
		}
	}
	return s
}

// pdfFail sets the status of a PDF no engine could read: needs_ocr when
// its text layer is missing or unusable and OCR could not run (the OCR
// reading is the last), else error with every engine's failure.
func pdfFail(rep *nianbao.Report, failed []nianbao.Reading) {
	var failures []string
	encrypted, notPDF, cut := false, false, false
	for _, r := range failed {
		cut = cut || errors.Is(r.Err, pdfdoc.ErrTruncated)
	}
	for _, r := range failed {
		if r.Layout == nianbao.LayoutOCR && !cut {
			// (A file cut short is not an image: OCR would not read
			// what the cut took.)
			rep.Status = nianbao.StatusNeedsOCR
			if errors.Is(r.Err, pdfdoc.ErrEngineMissing) {
				rep.Reason = "image-only PDF (no usable text layer) and Tesseract is not installed: " + strings.Join(failures, "; ")
			} else {
				rep.Reason = "image-only PDF; OCR failed: " + r.Err.Error()
			}
			return
		}
		failures = append(failures, r.Engine+": "+r.Err.Error())
		encrypted = encrypted || errors.Is(r.Err, pdfdoc.ErrEncrypted)
		notPDF = notPDF || errors.Is(r.Err, pdfdoc.ErrNotPDF)
	}
	detail := strings.Join(failures, "; ")
	switch {
	case encrypted:
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: encrypted PDF that cannot be opened without a password: %s", rep.Source, detail)
	case notPDF:
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: not a PDF: %s", rep.Source, detail)
	case cut:
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: truncated PDF (the file was cut): %s", rep.Source, detail)
	default:
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: %s", rep.Source, detail)
	}
}

// confirmByArithmetic keeps the OCR flag only on figures that no holding
// rule of the 勾稽关系 confirms: a figure that takes part in at least one
// rule that holds with every term printed, and in none that fails, was
// read right (a misread digit would break the rule). Everything else stays
// uncertain, with its finding.
func confirmByArithmetic(rep *nianbao.Report) {
	val := nianbao.CellFigures(rep)
	confirmed, broken := map[string]bool{}, map[string]bool{}
	for _, e := range nianbao.ReportEquations(rep.Template, nianbao.LayoutOf(val.Get)) {
		// Only an equation with every term printed counts: a blank read by
		// OCR may be a figure it missed.
		r := nianbao.CheckEquation(e, val.Get)
		if !r.Complete() {
			continue
		}
		mark := confirmed
		if r.Outcome == nianbao.Broken {
			mark = broken
		}
		for _, k := range e.Cells() {
			mark[k] = true
		}
	}
	cleared := map[string]bool{}
	for i := range rep.Cells {
		c := &rep.Cells[i]
		if c.Uncertain != "" && c.Source != nil && c.Source.Engine == string(pdfdoc.EngineOCR) && confirmed[c.Key] && !broken[c.Key] {
			c.Uncertain = ""
			cleared[c.Key] = true
		}
	}
	var kept []nianbao.Finding
	for _, f := range rep.Findings {
		if f.Rule == nianbao.RuleUncertain && len(f.Cells) == 1 && cleared[f.Cells[0]] {
			continue
		}
		kept = append(kept, f)
	}
	rep.Findings = kept
	if rep.Findings == nil {
		rep.Findings = []nianbao.Finding{}
	}
	if rep.Status == nianbao.StatusFindings && len(rep.Findings) == 0 {
		rep.Status = nianbao.StatusOK
	}
}
