// Package pipeline runs one document through extract → parse → normalize and
// returns its Report. It is the single entry point the commands, the store's
// ingest and the crawler use, so that they all read a document the same way.
package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"

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
	// MaxSize is the largest file ReadFile reads (0: DefaultMaxSize).
	MaxSize int64
	// NoPaths leaves out the element paths of HTML cells
	// (Provenance.Path ""), for a caller that keeps only grid positions:
	// ingest, whose store has no place for them (the web view reads them
	// again from the archived document).
	NoPaths bool
}

// DefaultMaxSize is the largest file ReadFile reads when Options.MaxSize
// is 0, as `nianbao ingest --max-size` and the crawler refuse larger ones.
const DefaultMaxSize = 64 << 20

// ReadFile reads the file at path and returns its report. It never returns
// nil and never panics: an unreadable file gives a report with StatusError.
// Only a regular file is read (a link to one is followed): a device gives
// endless bytes and a FIFO blocks until a writer comes, so both are
// refused before they are opened.
func ReadFile(ctx context.Context, path string, opt Options) *nianbao.Report {
	data, err := ReadRegular(path, opt.MaxSize)
	if err != nil {
		return &nianbao.Report{Source: path, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
			Error: err.Error(), Parser: nianbao.ParserVersion}
	}
	return Read(ctx, path, data, opt)
}

// ErrNotRegular is the error of a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ReadRegular reads a regular file of at most maxSize bytes (0: the
// default). It checks the kind of file before opening it (opening a FIFO
// blocks) and again on the open file (the path may have been swapped),
// and reads at most maxSize+1 bytes whatever the size the file claims (a
// device says 0).
func ReadRegular(path string, maxSize int64) ([]byte, error) {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w (%s)", path, ErrNotRegular, FileKind(fi.Mode()))
	}
	if fi.Size() > maxSize {
		return nil, fmt.Errorf("read %s: %d bytes, more than the limit of %d (--max-size)", path, fi.Size(), maxSize)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w", path, ErrNotRegular)
	}
	// Read into a buffer of the file's size (io.ReadAll grows one from
	// 512 bytes, allocating about twice the file and copying it), with
	// room to see the end, or a file that grew since.
	var buf bytes.Buffer
	buf.Grow(int(min(fi.Size(), maxSize)) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSize+1)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > maxSize {
		return nil, fmt.Errorf("read %s: more than the limit of %d bytes (--max-size)", path, maxSize)
	}
	return data, nil
}

// FileKind names the kind of a file that is not a regular one ("a FIFO").
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

// Read returns the report of one document given as bytes; source names it
// (a path or URL) in the report and in errors. The document's budget
// (nianbao.BudgetOf(ctx)) bounds every reader, and its Time the whole
// read: a document over budget is an error that names the limit it hit.
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
			pe := &nianbao.PanicError{Reader: "reader", Value: p, Stack: debug.Stack()}
			logPanic(source, pe)
			*rep = nianbao.Report{Source: rep.Source, SHA256: rep.SHA256, Size: rep.Size, Format: rep.Format,
				Parser: rep.Parser, Status: nianbao.StatusError, Error: fmt.Sprintf("read %s: %v", source, pe)}
		}
	}()
	b := nianbao.BudgetOf(ctx)
	over := &nianbao.LimitError{Limit: "time", Max: int64(b.Time)}
	dctx, cancel := context.WithTimeoutCause(nianbao.WithBudget(ctx, b), b.Time, over)
	defer cancel()
	// A PDF has a reading per engine, tried in order of cost until one is
	// whole; the other formats have one.
	choose(dctx, rep, extract.Readings(dctx, rep.Format, data, extract.Options{ContentType: opt.ContentType, PDF: pdfOptions, NoPaths: opt.NoPaths}), opt)
	if dctx.Err() != nil && ctx.Err() == nil {
		// The time ran out: whatever was read so far is not the document.
		overBudget(rep, over)
	}
	return rep
}

// overBudget records that a document went over a limit of its budget.
func overBudget(rep *nianbao.Report, err error) {
	*rep = nianbao.Report{Source: rep.Source, SHA256: rep.SHA256, Size: rep.Size, Format: rep.Format,
		Parser: rep.Parser, Engines: rep.Engines, Status: nianbao.StatusError,
		Error: fmt.Sprintf("read %s: %v", rep.Source, err)}
}

// logPanic logs a reader's panic with its stack, at debug level (the
// commands' --debug): the report says only "internal error in …".
func logPanic(source string, pe *nianbao.PanicError) { pe.Log("source", source) }

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
	if errors.Is(err, parse.ErrTruncated) {
		// Cut before its tables: not a report of another kind, a file
		// that could not be read.
		rep.Template = nianbao.TemplateUnknown
		rep.Cells, rep.Extra, rep.Findings = nil, nil, nil
		rep.Status, rep.Error = nianbao.StatusError, fmt.Sprintf("parse %s: %v", rep.Source, err)
		return
	}
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
