package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/queue"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "ingest", Summary: "store report files (and folders) in the SQLite database, idempotently", Run: runIngest,
		GC: storeGC})
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	fl := newFlags("ingest", "usage: nianbao ingest [--db FILE] [flags] PATH...\n       nianbao ingest [--db FILE] --reparse [--all]\n\n"+
		"Stores every report file given, and every file under each folder given (recursively;\n"+
		"hidden files skipped), in the database (default nianbao.db, or $NIANBAO_DB). The same\n"+
		"bytes ingested again change nothing; a changed report of the same organ and year\n"+
		"becomes a new version. Interrupted runs resume by running the same command again.\n\n"+
		"With a PostgreSQL --db (or --queue) each file is archived in the store and enqueued\n"+
		"for the workers (nianbao worker) to parse; --here reads them in this process.")
	db := storeDBFlag(fl.FlagSet, env)
	reparse := fl.Bool("reparse", false, "read the archived documents again with the current parser (those read by another parser version; all with --all); takes no PATH")
	all := fl.Bool("all", false, "with --reparse: every document, not only those read by another parser version")
	workers := fl.Int("j", runtime.GOMAXPROCS(0), "`N` documents parsed at once (default: the number of cores)")
	txDocs := fl.Int("tx", 500, "`N` documents per transaction")
	strict := fl.Bool("strict", false, "exit with status 1 when a document failed")
	quiet := fl.Bool("q", false, "no progress on stderr")
	maxSize := fl.String("max-size", "64MB", "files larger than `SIZE` are refused (reported as failed), as the crawler does")
	rf := addReadFlags(fl)
	queueDB := queueFlag(fl.FlagSet)
	here := fl.Bool("here", false, "read the documents in this process even when --db (or --queue) is a PostgreSQL database, instead of enqueueing them for the workers")
	paths, err := fl.parse(env, args)
	if err != nil {
		return err
	}
	switch {
	case *reparse && len(paths) > 0:
		return usageError("--reparse takes no PATH: it reads the documents archived in the database again (got %q)", paths[0])
	case !*reparse && len(paths) == 0:
		return usageError("no PATH given: name the report files or folders to store (or --reparse)")
	case *all && !*reparse:
		return usageError("--all goes with --reparse")
	}
	if err := positive("-j", *workers); err != nil {
		return err
	}
	if err := positive("--tx", *txDocs); err != nil {
		return err
	}
	limit, err := crawl.ParseBytes(*maxSize)
	if err != nil {
		return usageError("--max-size: %v", err)
	}

	// Everything the command line names is checked before the database
	// is opened: a typo must not leave an empty database or a folder behind.
	if err := checkDB(*db); err != nil {
		return err
	}
	var total int
	if *reparse {
		if _, err := os.Stat(*db); errors.Is(err, fs.ErrNotExist) && !store.IsPostgres(*db) {
			return fmt.Errorf("no database at %s to read again", *db)
		}
	} else {
		if err := checkInputs(paths); err != nil {
			return err
		}
		n, err := ingest.Count(paths, *db)
		if err != nil {
			return err
		}
		if n.Files == 0 {
			return emptyInput(paths, n)
		}
		total = n.Files
	}

	qdsn, err := queueDSN(*db, *queueDB)
	if err != nil {
		return err
	}
	if qdsn != "" && !*here && !*reparse {
		return enqueueFiles(ctx, env, fl, *db, qdsn, paths, limit, *strict)
	}

	ctx = rf.apply(ctx, env)
	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if *reparse {
		if total, err = st.ReparseCount(ctx, *all); err != nil {
			return err
		}
	}
	prog := newIngestProgress(env.Stderr, total, *quiet)
	var sum store.Summary
	start := time.Now()
	bopt := ingest.Options{Workers: *workers, TxDocs: *txDocs, MaxSize: limit, OnOutcome: func(o store.Outcome) {
		sum.Add(o)
		prog.step()
	}, Parse: prog.watch(pipeline.Read)}
	var walked ingest.Counts
	if *reparse {
		err = ingest.Reparse(ctx, st, *all, bopt)
	} else {
		var walkErr error
		items := func(yield func(ingest.Item) bool) {
			walked, walkErr = ingest.Walk(paths, st, func(p string) bool {
				// Sources are stored as absolute paths, so that runs from
				// other folders name a file the same way.
				if abs, err := filepath.Abs(p); err == nil {
					p = abs
				}
				return yield(ingest.FileItem(p))
			})
		}
		err = errors.Join(ingest.Batch(ctx, st, items, bopt), walkErr)
	}
	prog.finish()
	sum.Elapsed = time.Since(start)
	// The summary quotes documents (reasons, paths): made safe to print.
	if werr := sum.Write(&safeWriter{w: env.Stdout}, *db); werr != nil && err == nil {
		err = werr
	}
	if walked.Skipped > 0 {
		fmt.Fprintf(env.Stdout, "%d files in the folders skipped: not reports by name or content (README, *.json, *.go, images …)\n", walked.Skipped)
	}
	if walked.Special > 0 {
		fmt.Fprintf(env.Stdout, "%d entries in the folders skipped: not regular files (devices, FIFOs, sockets, broken links)\n", walked.Special)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; what was stored is kept, run the same command again to go on")
		}
		return err
	}
	if *strict && sum.Failed > 0 {
		return silentExit(1)
	}
	return nil
}

// storeDBFlag declares --db, defaulting to $NIANBAO_DB or nianbao.db:
// every subcommand that opens a store takes it from here. A value that
// starts with postgres:// or postgresql:// is a PostgreSQL database.
func storeDBFlag(fl *flag.FlagSet, env *Env) *string {
	def := env.Getenv("NIANBAO_DB")
	if def == "" {
		def = "nianbao.db"
	}
	return fl.String("db", def, "the SQLite database `FILE`, or a PostgreSQL database postgres://… (default $NIANBAO_DB, else nianbao.db)")
}

// checkDB checks a --db value before the store is opened: a SQLite file's
// folder must exist (checkDBFolder); a PostgreSQL address is the server's
// to judge.
func checkDB(db string) error {
	if store.IsPostgres(db) {
		return nil
	}
	return checkDBFolder(db)
}

// enqueueFiles archives every file paths name in the store at db and
// enqueues its parse job on the queue at dsn.
func enqueueFiles(ctx context.Context, env *Env, fl *cmdFlags, db, dsn string, paths []string, maxSize int64, strict bool) error {
	var refused error
	fl.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "j", "tx", "limit", "debug":
			if refused == nil {
				refused = usageError("-%s is a setting of reading in one process (--here); the workers (nianbao worker) read the documents of the queue", f.Name)
			}
		}
	})
	if refused != nil {
		return refused
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := queue.Open(ctx, dsn, env.Log)
	if err != nil {
		return err
	}
	defer q.Close()
	var enqueued, known, failed int
	var runErr error
	walked, walkErr := ingest.Walk(paths, st, func(p string) bool {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		isNew, err := q.EnqueueFile(ctx, st, p, maxSize)
		switch {
		case ctx.Err() != nil:
			runErr = ctx.Err()
			return false
		case err != nil:
			failed++
			fmt.Fprintf(env.Stderr, "nianbao ingest: %s\n", termSafe(err.Error(), false))
		case isNew:
			enqueued++
		default:
			known++
		}
		return true
	})
	fmt.Fprintf(env.Stdout, "%d documents enqueued on %s for the workers (nianbao worker) to parse", enqueued, queue.Redact(dsn))
	if known > 0 {
		fmt.Fprintf(env.Stdout, ", %d already queued or parsed", known)
	}
	if failed > 0 {
		fmt.Fprintf(env.Stdout, ", %d could not be read", failed)
	}
	fmt.Fprintln(env.Stdout)
	if walked.Skipped > 0 {
		fmt.Fprintf(env.Stdout, "%d files in the folders skipped: not reports by name or content (README, *.json, *.go, images …)\n", walked.Skipped)
	}
	if err := errors.Join(runErr, walkErr); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; what was enqueued stays queued, run the same command again to go on")
		}
		return err
	}
	if strict && failed > 0 {
		return silentExit(1)
	}
	return nil
}
