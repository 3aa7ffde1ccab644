package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/extract/textdoc"
)

// pdfOptions are the extractor options of every engine; tests change them
// to run the chain as on a machine without poppler or Tesseract.
var pdfOptions = pdfdoc.Options{}

// candidate is one reading of the document by one engine.
type candidate struct {
	engine string // with "pdfcpu+" when read after repair
	rep    *nianbao.Report
	score  float64
}

// readPDF reads a PDF with a chain of engines and keeps the best reading:
// the native engine first; a damaged or encrypted file is repaired or
// decrypted with pdfcpu and read again; when that fails, misses a table or
// breaks the arithmetic, poppler's words on our ruling lines, then
// `pdftotext -layout` text through the text extractor; an image-only
// document goes to OCR, or gets status needs_ocr when Tesseract is absent.
func readPDF(ctx context.Context, rep *nianbao.Report, data []byte, opt Options) {
	rep.Format = nianbao.FormatPDF
	base := *rep
	var cands []candidate
	var failures []string
	var lastErr error
	needsOCR := false

	encrypted := false
	try := func(engine pdfdoc.Engine, label string, input []byte) bool {
		o := pdfOptions
		o.Engine = engine
		doc, err := pdfdoc.Extract(ctx, input, o)
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", label, err))
			lastErr = err
			needsOCR = needsOCR || errors.Is(err, pdfdoc.ErrNeedsOCR)
			encrypted = encrypted || errors.Is(err, pdfdoc.ErrEncrypted)
			return false
		}
		for _, b := range doc.Blocks {
			if b.Table != nil {
				b.Table.Engine = label
			}
		}
		c := analyseCandidate(ctx, base, label, doc, opt)
		cands = append(cands, c)
		return c.rep.Status == nianbao.StatusOK
	}

	if try(pdfdoc.EngineNative, string(pdfdoc.EngineNative), data) {
		*rep = *cands[0].rep
		return
	}
	// Repair or decrypt, then read again.
	if lastErr != nil && (errors.Is(lastErr, pdfdoc.ErrDamaged) || errors.Is(lastErr, pdfdoc.ErrEncrypted)) {
		fixed, err := repairPDF(ctx, data, errors.Is(lastErr, pdfdoc.ErrEncrypted))
		if err != nil {
			failures = append(failures, "pdfcpu: "+err.Error())
		} else if try(pdfdoc.EngineNative, "pdfcpu+"+string(pdfdoc.EngineNative), fixed) {
			adopt(rep, cands)
			return
		} else {
			data = fixed
		}
	}
	if pdfdoc.PopplerAvailable(pdfOptions) {
		if try(pdfdoc.EnginePoppler, string(pdfdoc.EnginePoppler), data) {
			adopt(rep, cands)
			return
		}
		// Last text engine: the page as space-aligned text, tables rebuilt
		// from alignment by the text extractor (no ruling lines needed).
		if !needsOCR {
			if c, err := layoutCandidate(ctx, base, data, opt); err != nil {
				failures = append(failures, err.Error())
			} else {
				cands = append(cands, c)
			}
		}
	} else {
		failures = append(failures, "pdftotext: not installed")
	}
	if len(cands) == 0 && needsOCR {
		if !pdfdoc.OCRAvailable(pdfOptions) {
			*rep = base
			rep.Status = nianbao.StatusNeedsOCR
			rep.Reason = "image-only PDF (no usable text layer) and Tesseract is not installed: " + strings.Join(failures, "; ")
			return
		}
		o := pdfOptions
		o.Engine = pdfdoc.EngineOCR
		doc, err := pdfdoc.Extract(ctx, data, o)
		if err != nil {
			*rep = base
			rep.Status = nianbao.StatusNeedsOCR
			rep.Reason = "image-only PDF; OCR failed: " + err.Error()
			return
		}
		c := analyseCandidate(ctx, base, string(pdfdoc.EngineOCR), doc, opt)
		confirmByArithmetic(c.rep)
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		*rep = base
		if encrypted {
			lastErr = pdfdoc.ErrEncrypted
		}
		pdfFail(rep, lastErr, failures)
		return
	}
	adopt(rep, cands)
}

// engineLayout names tables rebuilt from `pdftotext -layout` text.
const engineLayout = "pdftotext-layout"

func layoutCandidate(ctx context.Context, base nianbao.Report, data []byte, opt Options) (candidate, error) {
	txt, err := pdfdoc.LayoutText(ctx, data, pdfOptions)
	if err != nil {
		return candidate{}, fmt.Errorf("%s: %w", engineLayout, err)
	}
	doc, err := textdoc.Extract(ctx, txt)
	if err != nil {
		return candidate{}, fmt.Errorf("%s: %w", engineLayout, err)
	}
	doc.Format = nianbao.FormatPDF
	for _, b := range doc.Blocks {
		if b.Table != nil {
			b.Table.Engine = engineLayout
		}
	}
	return analyseCandidate(ctx, base, engineLayout, doc, opt), nil
}

func analyseCandidate(ctx context.Context, base nianbao.Report, engine string, doc *nianbao.Document, opt Options) candidate {
	r := base
	r.Cells, r.Extra, r.Findings, r.Sections = nil, nil, nil, nil
	if r.Title == "" {
		r.Title = doc.Title
	}
	analyse(ctx, &r, doc, opt)
	return candidate{engine: engine, rep: &r, score: score(&r)}
}

// adopt copies the best candidate into rep; the first engine wins a tie.
func adopt(rep *nianbao.Report, cands []candidate) {
	best := cands[0]
	for _, c := range cands[1:] {
		if c.score > best.score {
			best = c
		}
	}
	*rep = *best.rep
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

// pdfFail sets the status of a PDF no engine could read.
func pdfFail(rep *nianbao.Report, err error, failures []string) {
	detail := strings.Join(failures, "; ")
	switch {
	case errors.Is(err, pdfdoc.ErrEncrypted):
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: encrypted PDF that cannot be opened without a password: %s", rep.Source, detail)
	case errors.Is(err, pdfdoc.ErrNotPDF):
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: not a PDF: %s", rep.Source, detail)
	default:
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("read %s: %s", rep.Source, detail)
	}
}

var pdfcpuOnce sync.Once

// repairPDF rewrites a damaged PDF (or decrypts one whose user password is
// empty) with pdfcpu. pdfcpu has no context; a file that makes it hang is
// abandoned after the timeout.
func repairPDF(ctx context.Context, data []byte, encrypted bool) ([]byte, error) {
	pdfcpuOnce.Do(api.DisableConfigDir)
	type result struct {
		out []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- result{nil, fmt.Errorf("pdfcpu failed: %v", p)}
			}
		}()
		conf := model.NewDefaultConfiguration()
		conf.ValidationMode = model.ValidationRelaxed
		var out bytes.Buffer
		var err error
		if encrypted {
			err = api.Decrypt(bytes.NewReader(data), &out, conf)
		} else {
			err = api.Optimize(bytes.NewReader(data), &out, conf)
		}
		ch <- result{out.Bytes(), err}
	}()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		return r.out, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, errors.New("pdfcpu timed out")
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
