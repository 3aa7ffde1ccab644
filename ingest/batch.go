package ingest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// Item is one document of a batch. Its bytes are loaded by the worker that
// takes it, so a batch never holds more documents in memory than it has
// workers (plus a short queue), whatever its size.
type Item struct {
	Source string
	Fetch  *store.Fetch
	Load   func() ([]byte, error)
	// Division is the division code of the site the document came from
	// (see Input).
	Division string
	// reparse is the id of the archived document to read again.
	reparse int64
	// path is the local file of a FileItem, for the size check.
	path string
}

// FileItem is the item of a local file.
func FileItem(path string) Item {
	return Item{Source: path, path: path, Load: func() ([]byte, error) { return os.ReadFile(path) }}
}

// Batch ingests the items: workers load, hash, archive and parse (Ordered);
// the store's single writer stores the results in batched transactions,
// each document under its own savepoint, in the order of the items. A
// document that cannot be read is reported through OnOutcome and the batch
// goes on. The error return is for what stops the batch: the database
// failing, or ctx cancelled (what was written until then is committed;
// documents after a gap left by the cancellation are left for the next run).
func Batch(ctx context.Context, st *store.Store, items iter.Seq[Item], opt Options) error {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	txDocs := opt.TxDocs
	if txDocs <= 0 {
		txDocs = 500
	}
	txTime := opt.TxTime
	if txTime <= 0 {
		txTime = time.Second
	}
	w, err := st.NewWriter(ctx)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	parse := opt.parse()
	// wctx ends the workers when the writer gives up.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	// Archive files written for documents that never commit (the batch
	// failed, a full disk, or was interrupted) are removed at the end, so
	// that none is left without its row.
	arch := &uncommitted{shas: map[string]int{}}
	defer arch.drop(context.WithoutCancel(ctx), st)
	docs := Ordered(wctx, items, workers, 64*workers, func(ctx context.Context, it Item) *store.Doc {
		d := prepareItem(ctx, st, parse, it, opt.MaxSize)
		if d.SHA256 != "" && !d.Known && d.Reparse == 0 {
			arch.add(d.SHA256)
		}
		return d
	})
	var pending []store.Outcome
	var opened time.Time
	commit := func() error {
		if err := w.Commit(); err != nil {
			return err
		}
		// A PostgreSQL transaction another writer made fail was written
		// again: its outcomes are those of the second writing.
		if r := w.Replayed(); r != nil {
			pending = append(pending[:0], r...)
		}
		for _, o := range pending {
			arch.done(o.SHA256)
		}
		if opt.OnOutcome != nil {
			for _, o := range pending {
				opt.OnOutcome(o)
			}
		}
		pending = pending[:0]
		return nil
	}
	fail := func(err error) error {
		stop()
		for range docs {
		}
		return errors.Join(err, w.Close())
	}
	timer := time.NewTimer(txTime)
	defer timer.Stop()
	for {
		var d *store.Doc
		var ok bool
		select {
		case d, ok = <-docs:
		case <-timer.C:
			if err := commit(); err != nil {
				return fail(err)
			}
			timer.Reset(txTime)
			continue
		}
		if !ok {
			break
		}
		if !w.Open() {
			opened = time.Now()
			timer.Reset(txTime)
		}
		out, err := w.Write(d)
		if err != nil {
			return fail(err)
		}
		pending = append(pending, out)
		if len(pending) >= txDocs || time.Since(opened) >= txTime {
			if err := commit(); err != nil {
				return fail(err)
			}
		}
	}
	if err := commit(); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// prepareItem loads and prepares one item, turning a load failure into a
// failed document for the writer to report.
func prepareItem(ctx context.Context, st *store.Store, parse ParseFunc, it Item, maxSize int64) *store.Doc {
	if it.path != "" {
		// A local file is read only if it is a regular one, and never
		// past the limit, whatever size it claims (a device says 0).
		if maxSize <= 0 {
			maxSize = math.MaxInt64 / 2 // no limit
		}
		data, err := pipeline.ReadRegular(it.path, maxSize)
		if err != nil {
			return &store.Doc{Source: it.Source, Fetch: it.Fetch, Err: err}
		}
		return prepare(ctx, st, parse, &store.Doc{Source: it.Source, Fetch: it.Fetch, Division: it.Division, Reparse: it.reparse}, data)
	}
	data, err := it.Load()
	if err != nil {
		return &store.Doc{Source: it.Source, Fetch: it.Fetch, Err: fmt.Errorf("read %s: %w", it.Source, err)}
	}
	return prepare(ctx, st, parse, &store.Doc{Source: it.Source, Fetch: it.Fetch, Division: it.Division, Reparse: it.reparse}, data)
}

// Reparse reads archived documents again with the current parser and
// replaces their reports in place (ids and version order stay): all of
// them, or those whose report another parser version made. The documents
// are read from the archive, never fetched again.
func Reparse(ctx context.Context, st *store.Store, all bool, opt Options) error {
	var listErr error
	items := func(yield func(Item) bool) {
		var after int64
		for {
			page, err := st.ReparseList(ctx, all, after, 256)
			if err != nil {
				listErr = err
				return
			}
			if len(page) == 0 {
				return
			}
			for _, d := range page {
				var f *store.Fetch
				if d.ContentType != "" {
					f = &store.Fetch{ContentType: d.ContentType}
				}
				sha := d.SHA256
				it := Item{Source: d.Source, Fetch: f, reparse: d.DocumentID, Load: func() ([]byte, error) { return st.ArchiveGet(sha) }}
				if !yield(it) {
					return
				}
			}
			after = page[len(page)-1].DocumentID
		}
	}
	err := Batch(ctx, st, items, opt)
	return errors.Join(err, listErr)
}

// uncommitted counts the documents archived by a batch's workers whose
// rows have not committed yet.
type uncommitted struct {
	mu   sync.Mutex
	shas map[string]int
}

func (u *uncommitted) add(sha string) {
	u.mu.Lock()
	u.shas[sha]++
	u.mu.Unlock()
}

func (u *uncommitted) done(sha string) {
	u.mu.Lock()
	if u.shas[sha]--; u.shas[sha] <= 0 {
		delete(u.shas, sha)
	}
	u.mu.Unlock()
}

// drop removes the archive files left (ArchiveDrop keeps any the database
// holds after all).
func (u *uncommitted) drop(ctx context.Context, st *store.Store) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for sha := range u.shas {
		_ = st.ArchiveDrop(ctx, sha)
	}
	clear(u.shas)
}
