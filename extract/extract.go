// Package extract reads documents of any supported format into the
// format-neutral document model (nianbao.Document): it sniffs the format
// from the bytes and hands them to the extractor of that format. A PDF has
// several readings, one per engine (Readings); Extract gives the first.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"strings"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract/htmldoc"
	"github.com/nianbao/nianbao/extract/pdfdoc"
	"github.com/nianbao/nianbao/extract/textdoc"
)

// Errors callers map to a report status.
var (
	ErrEmpty       = errors.New("empty document")
	ErrBinary      = errors.New("binary data, not a document")
	ErrUnsupported = errors.New("format not supported yet")
	ErrImage       = errors.New("an image, not a text document")
)

// Sniff tells the format of a document from its bytes; the name (a path or
// URL) only breaks ties, because file names on government sites lie
// (.htm files that are PDFs, .doc files that are HTML).
func Sniff(name string, data []byte) nianbao.Format {
	head := data[:min(len(data), 1024)]
	switch {
	case len(data) == 0:
		return nianbao.FormatUnknown
	case bytes.Contains(head, []byte("%PDF-")):
		return nianbao.FormatPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if bytes.Contains(data[:min(len(data), 1<<16)], []byte("word/")) {
			return nianbao.FormatDOCX
		}
		return nianbao.FormatUnknown
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nianbao.FormatDOC
	case isImage(data):
		return nianbao.FormatUnknown
	case htmldoc.Sniff(data):
		return nianbao.FormatHTML
	case textdoc.Sniff(data):
		ext := strings.ToLower(filepath.Ext(name))
		if (ext == ".html" || ext == ".htm" || ext == ".shtml") && bytes.Contains(bytes.ToLower(data[:min(len(data), 8192)]), []byte("<")) {
			return nianbao.FormatHTML
		}
		return nianbao.FormatText
	}
	return nianbao.FormatUnknown
}

func isImage(data []byte) bool {
	for _, m := range [][]byte{{0x89, 'P', 'N', 'G'}, {0xFF, 0xD8, 0xFF}, []byte("GIF8"), []byte("BM"), []byte("II*\x00"), []byte("MM\x00*")} {
		if bytes.HasPrefix(data, m) {
			return true
		}
	}
	return len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
}

// Options tune extraction.
type Options struct {
	// ContentType is the HTTP Content-Type of a fetched document; its
	// charset is one hint among others.
	ContentType string
	// PDF names the PDF engines' programs and bounds their work.
	PDF pdfdoc.Options
	// NoPaths leaves out the element paths of HTML cells (see
	// htmldoc.Options), for a caller that keeps only grid positions.
	NoPaths bool
}

// Readings yields the readings of a document already sniffed as format f,
// lazily, in order of cost: for a PDF one per engine (pdfdoc.Readings),
// for the other formats exactly one. A reading has a document or an error;
// a caller keeps the best and breaks out of the loop when no later engine
// could do better.
func Readings(ctx context.Context, f nianbao.Format, data []byte, opt Options) iter.Seq[nianbao.Reading] {
	if f == nianbao.FormatPDF {
		cut := pdfdoc.Truncated(data)
		if cut == "" {
			return pdfdoc.Readings(ctx, data, opt.PDF)
		}
		// Every engine reads the same cut file: each reading says so.
		return func(yield func(nianbao.Reading) bool) {
			for r := range pdfdoc.Readings(ctx, data, opt.PDF) {
				if r.Doc != nil {
					r.Doc.Truncated = cut
				}
				if !yield(r) {
					return
				}
			}
		}
	}
	return func(yield func(nianbao.Reading) bool) {
		r := nianbao.Reading{Engine: string(f)}
		switch f {
		case nianbao.FormatHTML:
			r.Layout = nianbao.LayoutGrid
		case nianbao.FormatText:
			r.Layout = nianbao.LayoutText
		}
		r.Doc, r.Err = extractOne(ctx, f, data, opt)
		yield(r)
	}
}

// Extract reads a document of any supported format; for a PDF, the first
// engine that gives a document does (pipeline.Read instead reads every
// engine it needs and keeps the best). contentType is the HTTP
// Content-Type when the document was fetched.
func Extract(ctx context.Context, name string, data []byte, contentType string) (*nianbao.Document, error) {
	return ExtractFormat(ctx, Sniff(name, data), data, contentType)
}

// ExtractFormat is Extract for a document already sniffed as format f.
func ExtractFormat(ctx context.Context, f nianbao.Format, data []byte, contentType string) (*nianbao.Document, error) {
	if f != nianbao.FormatPDF {
		return extractOne(ctx, f, data, Options{ContentType: contentType})
	}
	var errs []error
	for r := range Readings(ctx, f, data, Options{ContentType: contentType}) {
		if r.Err == nil {
			return r.Doc, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", r.Engine, r.Err))
	}
	return nil, fmt.Errorf("%s: %w", f, errors.Join(errs...))
}

// extractOne reads a document of a format that has one reading.
func extractOne(ctx context.Context, f nianbao.Format, data []byte, opt Options) (*nianbao.Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	var doc *nianbao.Document
	var err error
	switch f {
	case nianbao.FormatHTML:
		doc, err = htmldoc.ExtractWith(ctx, data, htmldoc.Options{ContentType: opt.ContentType, NoPaths: opt.NoPaths})
	case nianbao.FormatText:
		doc, err = textdoc.Extract(ctx, data)
	case nianbao.FormatDOCX, nianbao.FormatDOC:
		return nil, fmt.Errorf("%s: %w", f, ErrUnsupported)
	default:
		if isImage(data) {
			return nil, ErrImage
		}
		return nil, ErrBinary
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return doc, nil
}
