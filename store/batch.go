package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/nianbao/nianbao"
)

// Item is one document of a batch. Its bytes are loaded by the worker that
// takes it, so a batch never holds more documents in memory than it has
// workers (plus a short queue), whatever its size.
type Item struct {
	Source string
	Fetch  *Fetch
	Load   func() ([]byte, error)
	// reparse is the id of the archived document to read again.
	reparse int64
	// path is the local file of a FileItem, for the size check.
	path string
}

// FileItem is the item of a local file.
func FileItem(path string) Item {
	return Item{Source: path, path: path, Load: func() ([]byte, error) { return os.ReadFile(path) }}
}

// BatchOptions tune IngestBatch.
type BatchOptions struct {
	// Workers parse in parallel; 0 means GOMAXPROCS.
	Workers int
	// A transaction is committed after TxDocs documents or TxTime,
	// whichever comes first (defaults 500 and 1s). A crash loses at most
	// the open transaction, which the next run redoes.
	TxDocs int
	TxTime time.Duration
	// OnOutcome is called for each document once its transaction has
	// committed, from a single goroutine, in the order of the items.
	OnOutcome func(Outcome)
	// MaxSize refuses local files larger than this many bytes (0: no
	// limit), so that one huge file cannot take the memory of a batch.
	MaxSize int64
}

// IngestBatch ingests the items: GOMAXPROCS workers load, hash, archive and
// parse; a single writer stores the results in batched transactions, each
// document under its own savepoint. A document that cannot be read is
// reported through OnOutcome and the batch goes on. The error return is for
// what stops the batch: the database failing, or ctx cancelled (what was
// written until then is committed).
func (s *Store) IngestBatch(ctx context.Context, items iter.Seq[Item], opt BatchOptions) error {
	if s.db == nil {
		return errors.New("ingest: the store is open read-only")
	}
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

	// Documents are written in the order of items, whatever order the
	// workers finish in, so that the same input gives the same database
	// (ids, and which of two copies of a report is the newer version). At
	// most `window` documents are in flight between the feeder and the
	// writer: memory stays flat however long the batch, and one slow
	// document (OCR) holds back at most that many.
	window := 64 * workers
	type job struct {
		seq int
		it  Item
	}
	type result struct {
		seq int
		p   *prepared
	}
	// stop ends the feeder and the workers when the writer gives up.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	slots := make(chan struct{}, window)
	jobs := make(chan job, workers)
	results := make(chan result, workers)
	go func() {
		defer close(jobs)
		seq := 0
		for it := range items {
			select {
			case slots <- struct{}{}:
			case <-wctx.Done():
				return
			}
			select {
			case jobs <- job{seq, it}:
				seq++
			case <-wctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if wctx.Err() != nil {
					continue // drain
				}
				p := s.prepareItem(wctx, j.it, opt.MaxSize)
				if wctx.Err() != nil {
					// Cancelled while parsing: the result may be a parse
					// cut short, which must not be stored as the report.
					continue
				}
				select {
				case results <- result{j.seq, p}:
				case <-wctx.Done():
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	// Without a checkpointer (it could not open its connection) the
	// writer checkpoints as usual.
	ckpt, _ := s.startCheckpointer(ctx)
	if ckpt != nil {
		defer ckpt.stop()
	}
	var (
		w       *txWriter
		pending []Outcome
		opened  time.Time
		waiting = map[int]*prepared{}
		next    int
	)
	commit := func() error {
		if w == nil {
			return nil
		}
		err := w.commit()
		w = nil
		if err != nil {
			return err
		}
		if ckpt != nil {
			ckpt.committed()
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
		if w != nil {
			w.rollback()
			w = nil
		}
		stop()
		for range results {
		}
		return err
	}
	timer := time.NewTimer(txTime)
	defer timer.Stop()
	for {
		var r result
		var ok bool
		select {
		case r, ok = <-results:
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
		waiting[r.seq] = r.p
		for {
			p, ready := waiting[next]
			if !ready {
				break
			}
			delete(waiting, next)
			next++
			if w == nil {
				if ckpt != nil {
					ckpt.beforeBegin()
				}
				var err error
				if w, err = s.begin(ctx); err != nil {
					return fail(err)
				}
				opened = time.Now()
				timer.Reset(txTime)
			}
			out, err := w.writeItem(p)
			if err != nil {
				return fail(err)
			}
			<-slots
			pending = append(pending, out)
			if len(pending) >= txDocs || time.Since(opened) >= txTime {
				if err := commit(); err != nil {
					return fail(err)
				}
			}
		}
	}
	// Documents after a gap left by cancellation stay unwritten; the next
	// run does them.
	if err := commit(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// prepareItem loads and prepares one item, turning a load failure into a
// failed outcome for the writer to report.
func (s *Store) prepareItem(ctx context.Context, it Item, maxSize int64) *prepared {
	if maxSize > 0 && it.path != "" {
		if fi, err := os.Stat(it.path); err == nil && fi.Size() > maxSize {
			return &prepared{source: it.Source, fetch: it.Fetch,
				err: fmt.Errorf("read %s: %d bytes, more than the limit of %d (--max-size)", it.Source, fi.Size(), maxSize)}
		}
	}
	data, err := it.Load()
	if err != nil {
		return &prepared{source: it.Source, fetch: it.Fetch, err: fmt.Errorf("read %s: %w", it.Source, err)}
	}
	return s.prepare(ctx, it.Source, it.Fetch, data, it.reparse)
}

// ReparseOptions choose what Reparse reads again.
type ReparseOptions struct {
	// All re-parses every document; otherwise only those whose report was
	// made by another parser version than the current one.
	All bool
	BatchOptions
}

// ReparseCount returns how many documents Reparse would read again.
func (s *Store) ReparseCount(ctx context.Context, all bool) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM reports WHERE ? OR parser <> ?`, all, nianbao.ParserVersion).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count documents to reparse: %w", err)
	}
	return n, nil
}

// Reparse reads archived documents again with the current parser and
// replaces their reports in place (ids and version order stay). The
// documents are read from the archive, never fetched again.
func (s *Store) Reparse(ctx context.Context, opt ReparseOptions) error {
	var listErr error
	items := func(yield func(Item) bool) {
		// Page by id rather than hold one long read: a long read
		// transaction would keep the WAL from being checkpointed.
		var after int64
		for {
			type doc struct {
				id                int64
				sha, source, ctyp string
			}
			var page []doc
			rows, err := s.rdb.QueryContext(ctx, `SELECT d.id, d.sha256, d.source, coalesce(d.content_type, '')
				FROM documents d JOIN reports r ON r.document_id = d.id
				WHERE d.id > ? AND (? OR r.parser <> ?) ORDER BY d.id LIMIT 256`, after, opt.All, nianbao.ParserVersion)
			if err != nil {
				listErr = fmt.Errorf("list documents to reparse: %w", err)
				return
			}
			for rows.Next() {
				var d doc
				if err := rows.Scan(&d.id, &d.sha, &d.source, &d.ctyp); err != nil {
					rows.Close()
					listErr = fmt.Errorf("list documents to reparse: %w", err)
					return
				}
				page = append(page, d)
			}
			if err := rows.Close(); err != nil {
				listErr = fmt.Errorf("list documents to reparse: %w", err)
				return
			}
			if len(page) == 0 {
				return
			}
			for _, d := range page {
				var f *Fetch
				if d.ctyp != "" {
					f = &Fetch{ContentType: d.ctyp}
				}
				it := Item{Source: d.source, Fetch: f, reparse: d.id, Load: func() ([]byte, error) { return s.ArchiveGet(d.sha) }}
				if !yield(it) {
					return
				}
			}
			after = page[len(page)-1].id
		}
	}
	err := s.IngestBatch(ctx, items, opt.BatchOptions)
	return errors.Join(err, listErr)
}
