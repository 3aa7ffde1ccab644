// Package ingest brings documents into the store: it hashes each one,
// archives its bytes, reads it with the pipeline on parallel workers (one
// ordered pool, also used by `nianbao parse`), and hands the results to the
// store's single writer in batched transactions, in input order. It also
// reads archived documents again (Reparse) and walks folders for files.
//
// The store only persists; everything that reads a document is here, so
// the store never imports the reader.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/memo"
	"github.com/nianbao/nianbao/organ"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// ParseFunc reads one document into a report, as pipeline.Read does;
// Options.Parse replaces the pipeline in tests.
type ParseFunc func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report

// Options tune an ingest.
type Options struct {
	// Parse reads a document; nil means pipeline.Read.
	Parse ParseFunc
	// Workers parse in parallel; 0 means GOMAXPROCS.
	Workers int
	// A transaction is committed after TxDocs documents or TxTime,
	// whichever comes first (defaults 500 and 1s). A crash loses at most
	// the open transaction, which the next run redoes.
	TxDocs int
	TxTime time.Duration
	// OnOutcome is called for each document once its transaction has
	// committed, from a single goroutine, in the order of the items.
	OnOutcome func(store.Outcome)
	// MaxSize refuses local files larger than this many bytes (0: no
	// limit), so that one huge file cannot take the memory of a batch.
	MaxSize int64
}

func (o *Options) parse() ParseFunc {
	if o.Parse != nil {
		return o.Parse
	}
	return pipeline.Read
}

// Input is one document given as bytes, with where it came from.
type Input struct {
	Source string // URL or path
	Data   []byte
	Fetch  *store.Fetch // nil for a local file
	// Division is the division code of the site the document came from:
	// it places an organ name that does not say where it is.
	Division string
	// Archived says Data was read from the store's archive (a queue's
	// parse job): it is not written there again, which on PostgreSQL
	// would send the whole document to the server a second time.
	Archived bool
}

// One ingests one document in a transaction of its own: the crawler comes
// here, the batch through Batch, so a document is stored the same way
// whichever way it arrives. A document that cannot be parsed is still
// stored, with its status and reason; the error return is for storage
// failures and cancellation.
func One(ctx context.Context, st *store.Store, in Input, opt Options) (store.Outcome, error) {
	d := prepareArchived(ctx, st, opt.parse(), &store.Doc{Source: in.Source, Fetch: in.Fetch, Division: in.Division}, in.Data, in.Archived)
	if err := ctx.Err(); err != nil {
		// A parse cut short must not be stored as the document's report.
		return store.Outcome{Source: in.Source, SHA256: d.SHA256, Result: store.ResultFailed, Err: err}, fmt.Errorf("ingest %s: %w", in.Source, err)
	}
	return st.Write(ctx, d)
}

// prepare does the work that needs no database write, so that batch
// workers can run it in parallel: hash, look up, archive, parse, encode,
// resolve the organ. d says where the document came from (Source, Fetch,
// Division) and, for an archived document read again, Reparse.
func prepare(ctx context.Context, st *store.Store, parse ParseFunc, d *store.Doc, data []byte) *store.Doc {
	return prepareArchived(ctx, st, parse, d, data, false)
}

// prepareArchived is prepare for data that may have come from the
// archive (archived), which it then leaves alone.
func prepareArchived(ctx context.Context, st *store.Store, parse ParseFunc, d *store.Doc, data []byte, archived bool) *store.Doc {
	source, fetch := d.Source, d.Fetch
	sum := sha256.Sum256(data)
	d.SHA256, d.Size = hex.EncodeToString(sum[:]), int64(len(data))
	if d.Reparse == 0 {
		known, err := st.Known(ctx, d.SHA256)
		if err != nil {
			d.Err = fmt.Errorf("%s: %w", source, err)
			return d
		}
		// A known document's archive file is put back if a crash of the
		// machine lost it (ArchivePut leaves a whole one alone).
		if !archived {
			if err := st.ArchivePut(d.SHA256, data); err != nil {
				d.Err = fmt.Errorf("%s: %w", source, err)
				return d
			}
		}
		if known {
			d.Known = true
			return d
		}
	}
	opt := pipeline.Options{SHA256: d.SHA256, NoPaths: true}
	if fetch != nil {
		opt.ContentType = fetch.ContentType
	}
	rep := parseSafe(ctx, parse, source, data, opt)
	if err := d.SetReport(rep); err != nil {
		d.Err = err
		return d
	}
	if rep.Agency != "" {
		o, err := resolveOrgan(rep.Agency, d.Division)
		if err != nil {
			d.Err = fmt.Errorf("%s: %w", source, err)
			return d
		}
		d.Organ = &o
	}
	return d
}

// organCache caches resolved names: an organ prints the same name year after
// year, and resolving one takes ~70 µs.
var organCache memo.Memo[[2]string, organ.Organ]

// resolveOrgan says which organ a printed name is, the division of the
// document's site placing a name that does not say where it is.
func resolveOrgan(name, division string) (organ.Organ, error) {
	k := [2]string{name, division}
	if o, ok := organCache.Get(k); ok {
		return o, nil
	}
	t, err := organ.Bundled()
	if err != nil {
		return organ.Organ{}, fmt.Errorf("divisions table: %w", err)
	}
	o := t.Resolve(name, organ.Hint{Division: division})
	organCache.Put([2]string{strings.Clone(name), division}, o)
	return o, nil
}

// parseSafe runs the parser and turns a panic or a nil report into an error
// report: one bad document never stops a batch.
func parseSafe(ctx context.Context, parse ParseFunc, source string, data []byte, opt pipeline.Options) (rep *nianbao.Report) {
	defer func() {
		if r := recover(); r != nil {
			pe := &nianbao.PanicError{Reader: "reader", Value: r, Stack: debug.Stack()}
			pe.Log("source", source)
			rep = &nianbao.Report{Source: source, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
				Error: fmt.Sprintf("read %s: %v", source, pe), Parser: nianbao.ParserVersion}
		}
	}()
	rep = parse(ctx, source, data, opt)
	if rep == nil {
		rep = &nianbao.Report{Source: source, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
			Error: "the parser returned no report", Parser: nianbao.ParserVersion}
	}
	return rep
}
