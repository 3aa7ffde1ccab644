// Package pipeline runs one document through extract → parse → normalize and
// returns its Report. It is the single entry point the commands, the store's
// ingest and the crawler use, so that they all read a document the same way.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/normalize"
	"github.com/nianbao/nianbao/parse"
)

// Options tune a run.
type Options struct {
	// ContentType is the HTTP Content-Type of a fetched document; its
	// charset is one hint among others.
	ContentType string
	// SHA256 is the hex SHA-256 of the document when the caller has it
	// already (the store hashes before it parses); Read computes it when
	// empty.
	SHA256 string
}

// ReadFile reads the file at path and returns its report. It never returns
// nil and never panics: an unreadable file gives a report with StatusError.
func ReadFile(ctx context.Context, path string, opt Options) *nianbao.Report {
	data, err := os.ReadFile(path)
	if err != nil {
		return &nianbao.Report{Source: path, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
			Error: fmt.Sprintf("read %s: %v", path, err), Parser: nianbao.ParserVersion}
	}
	return Read(ctx, path, data, opt)
}

// Read returns the report of one document given as bytes; source names it
// (a path or URL) in the report and in errors.
func Read(ctx context.Context, source string, data []byte, opt Options) (rep *nianbao.Report) {
	sha := opt.SHA256
	if sha == "" {
		sum := sha256.Sum256(data)
		sha = hex.EncodeToString(sum[:])
	}
	rep = &nianbao.Report{Source: source, SHA256: sha, Size: int64(len(data)),
		Format: extract.Sniff(source, data), Parser: nianbao.ParserVersion}
	defer func() {
		// One bad document must never stop a batch.
		if p := recover(); p != nil {
			*rep = nianbao.Report{Source: rep.Source, SHA256: rep.SHA256, Size: rep.Size, Format: rep.Format,
				Parser: rep.Parser, Status: nianbao.StatusError, Error: fmt.Sprintf("internal error reading %s: %v", source, p)}
		}
	}()
	// A PDF has a reading per engine, tried in order of cost until one is
	// whole; the other formats have one.
	choose(ctx, rep, extract.Readings(ctx, rep.Format, data, extract.Options{ContentType: opt.ContentType, PDF: pdfOptions}), opt)
	return rep
}

// fail records why a document could not be read.
func fail(rep *nianbao.Report, source string, err error) {
	switch {
	case errors.Is(err, extract.ErrUnsupported):
		rep.Status = nianbao.StatusUnsupported
		rep.Reason = err.Error()
	case errors.Is(err, extract.ErrImage):
		rep.Status = nianbao.StatusNeedsOCR
		rep.Reason = err.Error()
	default:
		rep.Status = nianbao.StatusError
		rep.Error = fmt.Sprintf("extract %s: %v", source, err)
	}
}

// analyse parses an extracted document into rep, checks its arithmetic and
// sets its status. rep keeps the source, hash, size and format it has.
func analyse(ctx context.Context, rep *nianbao.Report, doc *nianbao.Document, opt Options) {
	if err := ctx.Err(); err != nil {
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("parse %s: %v", rep.Source, err)
		return
	}
	got, err := parse.Parse(doc)
	rep.Agency, rep.Year, rep.Title, rep.Sections = got.Agency, got.Year, got.Title, got.Sections
	rep.Published, rep.PublishedFrom = got.Published, got.PublishedFrom
	if err != nil {
		rep.Template = nianbao.TemplateUnknown
		rep.Cells, rep.Extra, rep.Findings = nil, nil, nil
		rep.Status = nianbao.StatusUnsupported
		if errors.Is(err, parse.ErrPre2019) {
			rep.Template = nianbao.TemplatePre2019
		}
		rep.Reason = err.Error()
		return
	}
	rep.Template, rep.Cells, rep.Extra = got.Template, got.Cells, got.Extra
	rep.Findings = append(got.Findings, normalize.Check(got)...)
	if rep.Findings == nil {
		rep.Findings = []nianbao.Finding{}
	}
	rep.Status = nianbao.StatusOK
	if len(rep.Findings) > 0 {
		rep.Status = nianbao.StatusFindings
	}
}
