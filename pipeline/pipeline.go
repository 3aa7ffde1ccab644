// Package pipeline runs one document through extract → parse → normalize and
// returns its Report. It is the single entry point the commands, the store's
// ingest and the crawler use, so that they all read a document the same way.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/nianbao/nianbao"
)

// Options tune a run.
type Options struct {
	// Provenance keeps, for each cell, where it was printed.
	Provenance bool
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
	sum := sha256.Sum256(data)
	rep = &nianbao.Report{Source: source, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
		Format: nianbao.FormatUnknown, Parser: nianbao.ParserVersion}
	defer func() {
		// One bad document must never stop a batch.
		if p := recover(); p != nil {
			*rep = nianbao.Report{Source: rep.Source, SHA256: rep.SHA256, Size: rep.Size, Format: rep.Format,
				Parser: rep.Parser, Status: nianbao.StatusError, Error: fmt.Sprintf("internal error reading %s: %v", source, p)}
		}
	}()
	read(ctx, rep, data, opt)
	return rep
}

func read(ctx context.Context, rep *nianbao.Report, data []byte, opt Options) {
	// Filled in by the extract → parse → normalize steps.
	rep.Status = nianbao.StatusError
	rep.Error = "not implemented yet"
}
