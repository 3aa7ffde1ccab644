package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/nianbao/nianbao/fetch/crawl"
	"github.com/nianbao/nianbao/store"
)

func init() {
	register(command{Name: "ingest", Summary: "store report files (and folders) in the SQLite database, idempotently", Run: runIngest})
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	db := storeDBFlag(fl, env)
	reparse := fl.Bool("reparse", false, "read the archived documents again with the current parser (those read by another parser version; all with --all); takes no PATH")
	all := fl.Bool("all", false, "with --reparse: every document, not only those read by another parser version")
	workers := fl.Int("j", runtime.GOMAXPROCS(0), "documents parsed at once")
	txDocs := fl.Int("tx", 500, "documents per transaction")
	strict := fl.Bool("strict", false, "exit with status 1 when a document failed")
	quiet := fl.Bool("q", false, "no progress on stderr")
	maxSize := fl.String("max-size", "64MB", "larger files are refused (reported as failed), as the crawler does")
	fl.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: nianbao ingest [--db FILE] PATH...\n       nianbao ingest [--db FILE] --reparse [--all]\n\n"+
			"Stores every report file given, and every file under each folder given (recursively;\n"+
			"hidden files skipped), in the database (default nianbao.db, or $NIANBAO_DB). The same\n"+
			"bytes ingested again change nothing; a changed report of the same organ and year\n"+
			"becomes a new version. Interrupted runs resume by running the same command again.")
		fl.PrintDefaults()
	}
	paths, err := storeParseFlags(fl, args)
	if err != nil {
		return silentExit(2)
	}
	if *reparse == (len(paths) > 0) {
		fl.Usage()
		return silentExit(2)
	}
	if *all && !*reparse {
		return usageError("--all goes with --reparse")
	}
	limit, err := crawl.ParseBytes(*maxSize)
	if err != nil {
		return usageError("--max-size: %v", err)
	}

	st, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()

	var total int
	if *reparse {
		total, err = st.ReparseCount(ctx, *all)
	} else {
		total, err = ingestCount(paths, st)
	}
	if err != nil {
		return err
	}
	prog := newIngestProgress(env.Stderr, total, *quiet)
	var sum store.Summary
	start := time.Now()
	bopt := store.BatchOptions{Workers: *workers, TxDocs: *txDocs, MaxSize: limit, OnOutcome: func(o store.Outcome) {
		sum.Add(o)
		prog.step()
	}}
	if *reparse {
		err = st.Reparse(ctx, store.ReparseOptions{All: *all, BatchOptions: bopt})
	} else {
		var walkErr error
		items := func(yield func(store.Item) bool) {
			walkErr = ingestWalk(paths, st, func(p string) bool {
				// Sources are stored as absolute paths, so that runs from
				// other folders name a file the same way.
				if abs, err := filepath.Abs(p); err == nil {
					p = abs
				}
				return yield(store.FileItem(p))
			})
		}
		err = errors.Join(st.IngestBatch(ctx, items, bopt), walkErr)
	}
	prog.finish()
	sum.Elapsed = time.Since(start)
	if werr := sum.Write(env.Stdout, *db); werr != nil && err == nil {
		err = werr
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

// storeDBFlag declares --db, defaulting to $NIANBAO_DB or nianbao.db.
func storeDBFlag(fl *flag.FlagSet, env *Env) *string {
	def := env.Getenv("NIANBAO_DB")
	if def == "" {
		def = "nianbao.db"
	}
	return fl.String("db", def, "the SQLite database file (default $NIANBAO_DB, else nianbao.db)")
}

// storeParseFlags parses flags that may come before, between or after the
// positional arguments (`nianbao ingest samples --db x.db`); "--" ends the
// flags.
func storeParseFlags(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at "--" (dropping it) or at the first non-flag.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// ingestWalk calls each with every file to ingest: files named as given,
// folders walked in lexical order, skipping hidden entries, the fixtures'
// *.expected.json and the store's own files. It streams: nothing is
// collected but the names of the folders on the current path (see
// sortedDir), so a folder of 100,000 files costs about 2 MB.
func ingestWalk(paths []string, st *store.Store, each func(string) bool) error {
	own := map[string]bool{}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		own[st.Path()+suffix] = true
	}
	for _, root := range paths {
		fi, err := os.Stat(root)
		if err != nil || !fi.IsDir() {
			// A missing file is reported as a failed document.
			if !each(root) {
				return nil
			}
			continue
		}
		// A symbolic link given as the root is followed, links below it
		// to folders are not (as filepath.WalkDir does).
		if real, err := filepath.EvalSymlinks(root); err == nil {
			root = real
		}
		abs, err := filepath.Abs(root)
		if err != nil {
			return fmt.Errorf("walk %s: %w", root, err)
		}
		if abs == st.Archive() {
			continue
		}
		more, err := walkFolder(abs, own, st.Archive(), each)
		if err != nil {
			return fmt.Errorf("walk %s: %w", root, err)
		}
		if !more {
			return nil
		}
	}
	return nil
}

// walkFolder gives each the files under the absolute folder dir in
// lexical order; more is false when each asked to stop.
func walkFolder(dir string, own map[string]bool, archive string, each func(string) bool) (more bool, err error) {
	d, err := readSortedDir(dir)
	if err != nil {
		return false, err
	}
	for i := range d.Len() {
		name, typ := d.Entry(i)
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := dir + string(filepath.Separator) + name
		switch {
		case typ.IsDir():
			if p == archive {
				continue
			}
			if more, err := walkFolder(p, own, archive, each); !more || err != nil {
				return more, err
			}
			continue
		case own[p] || strings.HasSuffix(name, ".expected.json"):
			continue
		case typ&fs.ModeSymlink != 0:
			// A link to a file is ingested, a link to a folder is not
			// followed.
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue
			}
		case !typ.IsRegular():
			continue
		}
		if !each(p) {
			return false, nil
		}
	}
	return true, nil
}

// sortedDir holds the entries of a folder, packed: the names one after
// the other in one buffer, with an offset, length and type each, sorted by
// name. 100,000 entries take ~2 MB, where os.ReadDir's fs.DirEntry values
// take ~15 MB.
type sortedDir struct {
	names   []byte
	entries []dirEntry
}

type dirEntry struct {
	off uint32
	n   uint16
	typ uint16 // 1 folder, 2 regular file, 3 symbolic link, 0 other
}

// readSortedDir reads the folder a thousand entries at a time.
func readSortedDir(dir string) (*sortedDir, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &sortedDir{}
	for {
		batch, err := f.ReadDir(1024)
		for _, e := range batch {
			var typ uint16
			switch t := e.Type(); {
			case t.IsDir():
				typ = 1
			case t.IsRegular():
				typ = 2
			case t&fs.ModeSymlink != 0:
				typ = 3
			}
			name := e.Name()
			if len(d.names)+len(name) > math.MaxUint32 || len(name) > math.MaxUint16 {
				return nil, fmt.Errorf("read %s: too many entries", dir)
			}
			d.entries = append(d.entries, dirEntry{off: uint32(len(d.names)), n: uint16(len(name)), typ: typ})
			d.names = append(d.names, name...)
		}
		if err == io.EOF || (err == nil && len(batch) == 0) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(d.entries, func(a, b dirEntry) int {
		return bytes.Compare(d.names[a.off:a.off+uint32(a.n)], d.names[b.off:b.off+uint32(b.n)])
	})
	return d, nil
}

func (d *sortedDir) Len() int { return len(d.entries) }

// Entry returns the name and type of the i-th entry.
func (d *sortedDir) Entry(i int) (string, fs.FileMode) {
	e := d.entries[i]
	name := string(d.names[e.off : e.off+uint32(e.n)])
	switch e.typ {
	case 1:
		return name, fs.ModeDir
	case 2:
		return name, 0
	case 3:
		return name, fs.ModeSymlink
	}
	return name, fs.ModeIrregular
}

// ingestCount counts the files ingestWalk will give, for the progress bar.
func ingestCount(paths []string, st *store.Store) (int, error) {
	n := 0
	err := ingestWalk(paths, st, func(string) bool { n++; return true })
	return n, err
}

// ingestProgressEvery is how often plain progress lines are printed.
var ingestProgressEvery = 5 * time.Second

// ingestProgress shows progress on stderr: a bar on a terminal, a plain
// line every few seconds otherwise (logs, CI).
type ingestProgress struct {
	bar      *progressbar.ProgressBar
	w        io.Writer
	total    int
	done     int
	shown    int // done when the last line was printed
	start    time.Time
	last     time.Time
	interval time.Duration
	quiet    bool
}

func newIngestProgress(w io.Writer, total int, quiet bool) *ingestProgress {
	p := &ingestProgress{w: w, total: total, start: time.Now(), interval: ingestProgressEvery, quiet: quiet}
	p.last = p.start
	if quiet {
		return p
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("ingest"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("files"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	return p
}

func (p *ingestProgress) step() {
	p.done++
	if p.quiet {
		return
	}
	if p.bar != nil {
		p.bar.Add(1)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= p.interval {
		p.last = now
		p.line(now)
	}
}

func (p *ingestProgress) line(now time.Time) {
	p.shown = p.done
	el := now.Sub(p.start).Seconds()
	rate := float64(p.done) / max(el, 1e-9)
	eta := ""
	if rate > 0 && p.total > p.done {
		eta = fmt.Sprintf(", ETA %s", time.Duration(float64(p.total-p.done)/rate*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(p.w, "ingest: %d/%d files, %.0f files/s%s\n", p.done, p.total, rate, eta)
}

func (p *ingestProgress) finish() {
	if p.quiet {
		return
	}
	if p.bar != nil {
		p.bar.Finish()
		return
	}
	if p.done > p.shown && time.Since(p.start) >= p.interval {
		p.line(time.Now())
	}
}
