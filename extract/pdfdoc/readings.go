package pdfdoc

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	"github.com/nianbao/nianbao"
)

// repairedPrefix labels the readings of the copy pdfcpu repaired or
// decrypted: "pdfcpu+ledongthuc".
const repairedPrefix = "pdfcpu+"

// Readings yields the readings of a PDF in order of cost, lazily: an engine
// runs only when the caller asks for the reading after the last one, so a
// caller content with a reading breaks out of the loop and the costlier
// engines never run. The order:
//
//  1. the native engine;
//  2. when the file is damaged or encrypted with an empty user password,
//     the native engine on the copy pdfcpu repaired or decrypted, which the
//     engines below then read;
//  3. poppler's words (pdftotext -tsv) on our ruling lines;
//  4. unless the text layer is missing or unusable, the pages as
//     `pdftotext -layout` text, tables rebuilt by the text extractor from
//     the alignment of their columns (no ruling lines needed);
//  5. OCR, when no engine gave a document and one found no usable text;
//     it may take OCRBudget(pages), and keeps the first pages read when
//     its time runs out.
//
// An engine that cannot run or fails yields a reading with Err and no Doc,
// so the caller knows every engine that was tried and why it gave nothing.
// opt.Engine is ignored; each engine applies opt.Timeout on its own (OCR
// the larger of it and OCRBudget).
func Readings(ctx context.Context, data []byte, opt Options) iter.Seq[nianbao.Reading] {
	return func(yield func(nianbao.Reading) bool) {
		gotDoc, needsOCR := false, false
		next := func(r nianbao.Reading) bool {
			gotDoc = gotDoc || r.Doc != nil
			needsOCR = needsOCR || errors.Is(r.Err, ErrNeedsOCR)
			return yield(r)
		}
		native := runEngine(ctx, data, opt, EngineNative, string(EngineNative))
		if !next(native) {
			return
		}
		if errors.Is(native.Err, ErrDamaged) || errors.Is(native.Err, ErrEncrypted) {
			fixed, err := repair(ctx, data, errors.Is(native.Err, ErrEncrypted))
			if err != nil {
				if !next(nianbao.Reading{Engine: "pdfcpu", Err: err}) {
					return
				}
			} else {
				if !next(runEngine(ctx, fixed, opt, EngineNative, repairedPrefix+string(EngineNative))) {
					return
				}
				data = fixed
			}
		}
		if !PopplerAvailable(opt) {
			if !next(nianbao.Reading{Engine: string(EnginePoppler), Layout: nianbao.LayoutGlyphs, Err: notInstalled{}}) {
				return
			}
		} else {
			if !next(runEngine(ctx, data, opt, EnginePoppler, string(EnginePoppler))) {
				return
			}
			// Text rebuilt from alignment is worth nothing when there is
			// no text to align.
			if !needsOCR && !next(runEngine(ctx, data, opt, EngineLayout, string(EngineLayout))) {
				return
			}
		}
		if !gotDoc && needsOCR {
			next(runEngine(ctx, data, opt, EngineOCR, string(EngineOCR)))
		}
	}
}

// runEngine runs one engine and labels its reading and the reading's tables.
// The textless document that comes with ErrNeedsOCR is dropped: a reading
// has a document or an error — which then names the pages an internal
// error left out (why it has no text).
func runEngine(ctx context.Context, data []byte, opt Options, e Engine, label string) nianbao.Reading {
	opt.Engine = e
	r := nianbao.Reading{Engine: label, Layout: layoutOf(e)}
	doc, err := Extract(ctx, data, opt)
	if err != nil {
		var left []string
		if doc != nil {
			for _, n := range doc.Notes {
				if strings.HasSuffix(n, pageNotRead) {
					left = append(left, n)
				}
			}
		}
		if len(left) > 0 {
			err = fmt.Errorf("%w (%s)", err, strings.Join(left, "; "))
		}
		r.Err = err
		return r
	}
	for _, b := range doc.Blocks {
		if b.Table != nil {
			b.Table.Engine = label
		}
	}
	r.Doc = doc
	return r
}

func layoutOf(e Engine) nianbao.LayoutKind {
	switch e {
	case EngineOCR:
		return nianbao.LayoutOCR
	case EngineLayout:
		return nianbao.LayoutText
	}
	return nianbao.LayoutGlyphs
}

// notInstalled is the failure of an engine whose program this machine
// does not have.
type notInstalled struct{}

func (notInstalled) Error() string { return "not installed" }
func (notInstalled) Unwrap() error { return ErrEngineMissing }

var pdfcpuOnce sync.Once
