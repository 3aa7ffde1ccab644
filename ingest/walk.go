package ingest

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nianbao/nianbao/store"
)

// Counts says what a walk gave and what it left out.
type Counts struct {
	Files int // files given
	// Skipped counts the files under the folders given that are clearly
	// not reports (README.md, *.json, *.go, images, databases …; see
	// notReport). A file named on the command line is always given.
	Skipped int
	// Special counts the entries in the folders that are not regular
	// files — devices, FIFOs, sockets, links to them or to nothing —
	// which are never read (a device gives endless bytes, a FIFO blocks).
	// Links to folders are not followed and not counted.
	Special int
}

// Walk calls each with every file to ingest into st: files named as given,
// folders walked in lexical order, skipping hidden entries, the fixtures'
// *.expected.json, the store's own files and files that are clearly not
// reports; a path under another one given is walked once. It streams:
// what it holds is the folders on the current path, each listed by
// sortedDir in at most ~1 MB, so a folder of any size costs about as
// little as a small one.
func Walk(paths []string, st *store.Store, each func(string) bool) (Counts, error) {
	return walkPaths(paths, st.Path(), true, each)
}

// Count counts the files Walk will give for a store at db (and those it
// will skip), for a progress bar and to refuse an empty input before the
// database is created; it reads the folders in the order they come,
// holding nothing.
func Count(paths []string, db string) (Counts, error) {
	return walkPaths(paths, db, false, func(string) bool { return true })
}

// Files calls each with the files paths name, as Walk does but with no
// store: `nianbao parse` reads folders in the same order. Sorting a huge
// folder spills runs to temporary files in spill.
func Files(paths []string, spill string, each func(string) bool) (Counts, error) {
	w := &walker{sorted: true, spill: spill, each: each}
	err := w.walk(paths)
	return w.n, err
}

// walker holds what a walk needs to know at every folder.
type walker struct {
	own     map[string]bool // the store's own files
	archive string
	sorted  bool   // lexical order (else the folders' own)
	spill   string // where sortedDir writes its runs
	each    func(string) bool
	abs     bool // folders given as absolute paths (sources in the store are)
	n       Counts
}

func walkPaths(paths []string, db string, sorted bool, each func(string) bool) (Counts, error) {
	if store.IsPostgres(db) {
		// No file of the database to skip; spills go to the temporary folder.
		w := &walker{own: map[string]bool{}, sorted: sorted, spill: os.TempDir(), each: each, abs: true}
		err := w.walk(paths)
		return w.n, err
	}
	abs, err := filepath.Abs(db)
	if err != nil {
		return Counts{}, fmt.Errorf("walk: %w", err)
	}
	w := &walker{own: map[string]bool{}, archive: store.ArchiveDir(abs), sorted: sorted, spill: filepath.Dir(abs), each: each, abs: true}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		w.own[abs+suffix] = true
	}
	err = w.walk(paths)
	return w.n, err
}

// give hands one file to each.
func (w *walker) give(p string) bool {
	w.n.Files++
	return w.each(p)
}

// walk gives w.each the files the paths name: files as given, folders
// walked recursively.
func (w *walker) walk(paths []string) error {
	for _, root := range distinctRoots(paths) {
		fi, err := os.Stat(root)
		if err != nil || !fi.IsDir() {
			// A missing file is reported as a failed document.
			if !w.give(root) {
				return nil
			}
			continue
		}
		if w.abs {
			// A symbolic link given as the root is followed, links below it
			// to folders are not (as filepath.WalkDir does).
			if real, err := filepath.EvalSymlinks(root); err == nil {
				root = real
			}
			abs, err := filepath.Abs(root)
			if err != nil {
				return fmt.Errorf("walk %s: %w", root, err)
			}
			if abs == w.archive {
				continue
			}
			root = abs
		}
		more, err := w.folder(root)
		if err != nil {
			return fmt.Errorf("walk %s: %w", root, err)
		}
		if !more {
			return nil
		}
	}
	return nil
}

// distinctRoots leaves out the paths that name what another path given
// already covers — the same file or folder spelled another way (through
// a link, relative or absolute), or something under a folder given — so
// that `ingest dir dir/sub` lists every file once. The rest keep their
// order. A path under a hidden folder is kept: the walk of the outer
// folder skips hidden ones, so only the path given reaches it.
func distinctRoots(paths []string) []string {
	if len(paths) < 2 {
		return paths
	}
	type root struct {
		key string // absolute, links resolved
		dir bool
	}
	roots := make([]root, len(paths))
	for i, p := range paths {
		key, err := filepath.Abs(p)
		if err != nil {
			key = p
		}
		if real, err := filepath.EvalSymlinks(key); err == nil {
			key = real
		}
		fi, err := os.Stat(key)
		roots[i] = root{key: key, dir: err == nil && fi.IsDir()}
	}
	var out []string
	for i, p := range paths {
		covered := false
		for j, r := range roots {
			if j == i {
				continue
			}
			if roots[i].key == r.key {
				covered = j < i // the first spelling stays
			} else if r.dir {
				covered = under(r.key, roots[i].key)
			}
			if covered {
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// under says whether path lies inside the folder dir and a walk of dir
// reaches it (no hidden folder between them).
func under(dir, path string) bool {
	prefix := dir
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return false
	}
	for _, part := range strings.Split(rest, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// folder gives w.each the files under the folder dir; more is
// false when each asked to stop.
func (w *walker) folder(dir string) (more bool, err error) {
	var list dirList
	if w.sorted {
		list, err = readSortedDir(dir, w.spill)
	} else {
		list, err = openDir(dir)
	}
	if err != nil {
		return false, err
	}
	defer list.Close()
	for {
		name, typ, ok, err := list.Next()
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil
		}
		p := dir + string(filepath.Separator) + name
		switch {
		case typ.IsDir():
			if p == w.archive {
				continue
			}
			if more, err := w.folder(p); !more || err != nil {
				return more, err
			}
			continue
		case w.own[p] || strings.HasSuffix(name, ".expected.json"):
			continue
		case typ&fs.ModeSymlink != 0:
			// A link to a file is ingested, a link to a folder is not
			// followed.
			fi, err := os.Stat(p)
			if err == nil && fi.IsDir() {
				continue
			}
			if err != nil || !fi.Mode().IsRegular() {
				w.n.Special++
				continue
			}
		case !typ.IsRegular():
			w.n.Special++
			continue
		}
		if notReport(p, name) {
			w.n.Skipped++
			continue
		}
		if !w.give(p) {
			return false, nil
		}
	}
}

// dirList gives the entries of a folder one at a time, hidden ones left
// out (so are the temporary files of sortedDir, which may be written in the
// folder being listed).
type dirList interface {
	Next() (name string, typ fs.FileMode, ok bool, err error)
	Close() error
}

// typeCode packs the type of an entry in a byte, typeMode unpacks it.
func typeCode(t fs.FileMode) byte {
	switch {
	case t.IsDir():
		return 1
	case t.IsRegular():
		return 2
	case t&fs.ModeSymlink != 0:
		return 3
	}
	return 0
}

func typeMode(c byte) fs.FileMode {
	switch c {
	case 1:
		return fs.ModeDir
	case 2:
		return 0
	case 3:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}

// unsortedDir reads a folder a thousand entries at a time, in the order
// the file system gives them.
type unsortedDir struct {
	f     *os.File
	batch []fs.DirEntry
	done  bool
}

func openDir(dir string) (*unsortedDir, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	return &unsortedDir{f: f}, nil
}

func (d *unsortedDir) Next() (string, fs.FileMode, bool, error) {
	for {
		for len(d.batch) == 0 {
			if d.done {
				return "", 0, false, nil
			}
			var err error
			d.batch, err = d.f.ReadDir(1024)
			if err == io.EOF || (err == nil && len(d.batch) == 0) {
				d.done = true
			} else if err != nil {
				return "", 0, false, err
			}
		}
		e := d.batch[0]
		d.batch = d.batch[1:]
		if !strings.HasPrefix(e.Name(), ".") {
			return e.Name(), typeMode(typeCode(e.Type())), true, nil
		}
	}
}

func (d *unsortedDir) Close() error { return d.f.Close() }

// dirRun is how many entries of a folder are sorted in memory at a time
// (~20 bytes each). A larger folder is sorted in runs of this many, written
// to temporary files and merged as the entries are read, so that listing a
// folder holds ~1 MB whatever its size.
var dirRun = 1 << 15

// sortedDir gives the entries of a folder in lexical (byte) order, as
// os.ReadDir sorts them.
type sortedDir struct {
	last  packedRun  // the last run, in memory
	files []*os.File // the runs before it, on disk
	heap  runHeap
}

// readSortedDir reads and sorts the folder dir; runs are spilled to
// hidden temporary files in the folder spill.
func readSortedDir(dir, spill string) (_ *sortedDir, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &sortedDir{}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	for {
		batch, rerr := f.ReadDir(1024)
		for _, e := range batch {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if d.last.len() == dirRun {
				if err := d.spillRun(spill); err != nil {
					return nil, fmt.Errorf("sort %s: %w", dir, err)
				}
			}
			if err := d.last.add(e.Name(), typeCode(e.Type())); err != nil {
				return nil, fmt.Errorf("read %s: %w", dir, err)
			}
		}
		if rerr == io.EOF || (rerr == nil && len(batch) == 0) {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	d.last.sort()
	d.heap = append(d.heap, &d.last)
	for _, rf := range d.files {
		if _, err := rf.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("sort %s: %w", dir, err)
		}
		d.heap = append(d.heap, &fileRun{r: bufio.NewReader(rf)})
	}
	// Load the first entry of each run; empty runs leave the heap.
	runs := d.heap
	d.heap = d.heap[:0]
	for _, r := range runs {
		ok, err := r.advance()
		if err != nil {
			return nil, fmt.Errorf("sort %s: %w", dir, err)
		}
		if ok {
			d.heap = append(d.heap, r)
		}
	}
	heap.Init(&d.heap)
	return d, nil
}

// spillRun sorts the run in memory and writes it to a temporary file.
func (d *sortedDir) spillRun(spill string) error {
	f, err := os.CreateTemp(spill, ".nianbao-walk-*")
	if err != nil {
		return err
	}
	d.files = append(d.files, f)
	d.last.sort()
	w := bufio.NewWriterSize(f, 64<<10)
	var hdr [binary.MaxVarintLen64 + 1]byte
	for i := range d.last.len() {
		name, typ := d.last.at(i)
		n := binary.PutUvarint(hdr[:], uint64(len(name)))
		hdr[n] = typ
		w.Write(hdr[:n+1])
		w.Write(name)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	d.last.reset()
	return nil
}

func (d *sortedDir) Next() (string, fs.FileMode, bool, error) {
	if len(d.heap) == 0 {
		return "", 0, false, nil
	}
	r := d.heap[0]
	name, typ := r.head()
	s := string(name)
	ok, err := r.advance()
	if err != nil {
		return "", 0, false, err
	}
	if ok {
		heap.Fix(&d.heap, 0)
	} else {
		heap.Pop(&d.heap)
	}
	return s, typeMode(typ), true, nil
}

// Close removes the temporary files.
func (d *sortedDir) Close() error {
	var errs []error
	for _, f := range d.files {
		errs = append(errs, f.Close(), os.Remove(f.Name()))
	}
	d.files = nil
	return errors.Join(errs...)
}

// sortedRun is a sorted run of entries being merged.
type sortedRun interface {
	head() ([]byte, byte) // the current entry
	advance() (bool, error)
}

// packedRun holds entries packed: the names one after the other in one
// buffer, with an offset, a length and a type each.
type packedRun struct {
	names   []byte
	entries []packedEntry
	pos     int // the current entry plus one, when merging
}

type packedEntry struct {
	off uint32
	n   uint16
	typ byte
}

func (p *packedRun) len() int { return len(p.entries) }

func (p *packedRun) add(name string, typ byte) error {
	if len(p.names)+len(name) > math.MaxUint32 || len(name) > math.MaxUint16 {
		return errors.New("too many entries")
	}
	p.entries = append(p.entries, packedEntry{off: uint32(len(p.names)), n: uint16(len(name)), typ: typ})
	p.names = append(p.names, name...)
	return nil
}

func (p *packedRun) at(i int) ([]byte, byte) {
	e := p.entries[i]
	return p.names[e.off : e.off+uint32(e.n)], e.typ
}

func (p *packedRun) sort() {
	slices.SortFunc(p.entries, func(a, b packedEntry) int {
		return bytes.Compare(p.names[a.off:a.off+uint32(a.n)], p.names[b.off:b.off+uint32(b.n)])
	})
}

func (p *packedRun) reset() {
	p.names, p.entries = p.names[:0], p.entries[:0]
}

func (p *packedRun) head() ([]byte, byte) { return p.at(p.pos - 1) }

func (p *packedRun) advance() (bool, error) {
	if p.pos >= len(p.entries) {
		return false, nil
	}
	p.pos++
	return true, nil
}

// fileRun reads a run that spillRun wrote.
type fileRun struct {
	r    *bufio.Reader
	name []byte
	typ  byte
}

func (f *fileRun) head() ([]byte, byte) { return f.name, f.typ }

func (f *fileRun) advance() (bool, error) {
	n, err := binary.ReadUvarint(f.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if f.typ, err = f.r.ReadByte(); err != nil {
		return false, err
	}
	f.name = slices.Grow(f.name[:0], int(n))[:n]
	if _, err := io.ReadFull(f.r, f.name); err != nil {
		return false, err
	}
	return true, nil
}

// runHeap orders runs by their current entry.
type runHeap []sortedRun

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	a, _ := h[i].head()
	b, _ := h[j].head()
	return bytes.Compare(a, b) < 0
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(sortedRun)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
