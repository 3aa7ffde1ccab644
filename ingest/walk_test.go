package ingest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// TestIngestWalkOrder checks the packed walker against filepath.WalkDir:
// the same files in the same (lexical) order, hidden entries, fixtures'
// expectations, the store's own files and links to folders left out, links
// to files kept, and a stop asked for midway honoured.
func TestIngestWalkOrder(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	files := []string{"b.txt", "a.html", "B.txt", "a b.txt", "10.txt", "9.txt", "中文.txt", "z/2.txt", "z/1.txt",
		"z/y/x.txt", "a/c.txt", ".hidden.txt", ".h/d.txt", "x.expected.json", "z/.h/e.txt"}
	for _, f := range files {
		p := filepath.Join(in, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(filepath.Join(in, "b.txt"), filepath.Join(in, "link.txt"))
	os.Symlink(filepath.Join(in, "z"), filepath.Join(in, "linkdir"))
	os.Symlink(filepath.Join(in, "missing"), filepath.Join(in, "dangling.txt"))
	db := filepath.Join(in, "own.db")
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var want []string
	filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p != in && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p == st.Archive() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == db || strings.HasPrefix(p, db+"-") || strings.HasSuffix(p, ".expected.json") {
			return nil
		}
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		want = append(want, p)
		return nil
	})
	// Folders sorted in memory, and in runs of 1, 2 and 3 entries merged
	// from temporary files, which are gone after the walk.
	defer func(n int) { dirRun = n }(dirRun)
	for _, run := range []int{dirRun, 1, 2, 3} {
		dirRun = run
		var got []string
		if _, err := Walk([]string{in}, st, func(p string) bool { got = append(got, p); return true }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("walk in runs of %d:\n got %q\nwant %q", run, got, want)
		}
		if !slices.Contains(got, filepath.Join(in, "link.txt")) || slices.Contains(got, filepath.Join(in, "linkdir", "1.txt")) {
			t.Errorf("links: %q", got)
		}
		if n, err := Count([]string{in}, db); err != nil || n.Files != len(want) {
			t.Errorf("count %d, %v; want %d", n.Files, err, len(want))
		}
		// Stopping midway stops the walk of every path given.
		var some []string
		_, err = Walk([]string{in, in}, st, func(p string) bool { some = append(some, p); return len(some) < 4 })
		if err != nil || !slices.Equal(some, want[:4]) {
			t.Errorf("stopped walk in runs of %d: %q, %v", run, some, err)
		}
		if left, _ := filepath.Glob(filepath.Join(in, ".nianbao-walk-*")); len(left) > 0 {
			t.Errorf("runs of %d: temporary files left: %q", run, left)
		}
	}
	var got []string
	// A file given by name is given as is, a missing one too (it is
	// reported as a failed document).
	got = nil
	Walk([]string{filepath.Join(in, "b.txt"), filepath.Join(in, "nope")}, st, func(p string) bool { got = append(got, p); return true })
	if !slices.Equal(got, []string{filepath.Join(in, "b.txt"), filepath.Join(in, "nope")}) {
		t.Errorf("named files: %q", got)
	}
	// An unreadable folder is an error, not a silent gap.
	if os.Getuid() != 0 {
		locked := filepath.Join(in, "z", "y")
		os.Chmod(locked, 0)
		defer os.Chmod(locked, 0o755)
		if _, err := Walk([]string{in}, st, func(string) bool { return true }); err == nil {
			t.Error("an unreadable folder gave no error")
		}
	}
}

// BenchmarkIngestWalk measures listing the files of a benchmark corpus in
// lexical order, as ingest does (10,000 files; $NIANBAO_BENCH_N files
// instead). live-heap-MB is the most the heap held during a walk (collected
// every 1,000 files): a folder's names, which should not grow past ~1 MB
// (see dirRun) whatever the size of the folder.
func BenchmarkIngestWalk(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("NIANBAO_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	dir, err := storetest.Corpus(1, n)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "x.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	for b.Loop() {
		count := 0
		_, err := Walk([]string{dir}, st, func(string) bool {
			if count++; count%1000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return true
		})
		if err != nil || count != n {
			b.Fatal(count, err)
		}
	}
	b.ReportMetric(float64(peak-min(base, peak))/(1<<20), "live-heap-MB")
}

// TestWalkSkipsNotReports: files in a folder that are clearly not reports
// are left out and counted, by name and by their first bytes; every
// format a report comes in is kept, and so is a file in doubt. A file
// named as a path is always given.
func TestWalkSkipsNotReports(t *testing.T) {
	in := t.TempDir()
	files := map[string]string{
		// kept
		"a.txt": "text", "b.html": "<html>", "c.htm": "<html>", "d.pdf": "%PDF-1.7", "e.doc": "\xd0\xcf\x11\xe0",
		"f.docx": "PK\x03\x04", "g.xls": "\xd0\xcf\x11\xe0", "h.xlsx": "PK\x03\x04", "i.wps": "\xd0\xcf\x11\xe0",
		"t20200131_1001": "<html>", "art_1.jsp": "<html>", "garbage.bin": "\x00\x01\xff",
		"report.md": "# 某市2023年政府信息公开工作年度报告\n", "报告.MD": "政府信息公开工作年度报告",
		// left out
		"README.md": "# notes", "readme.txt": "notes", "LICENSE": "MIT", "notes.md": "# todo: 年 报 later",
		"data.json": "{}", "main.go": "package main", "list.csv": "a,b", "logo.png": "\x89PNG\r\n\x1a\n",
		"copy.db": "SQLite format 3\x00", "noext-sqlite": "SQLite format 3\x00", "run": "#!/bin/sh\n",
		"sites.yaml": "a: b", "pages.zip": "PK\x03\x04",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"a.txt", "art_1.jsp", "b.html", "c.htm", "d.pdf", "e.doc", "f.docx", "g.xls", "garbage.bin",
		"h.xlsx", "i.wps", "report.md", "t20200131_1001", "报告.MD"}
	var got []string
	n, err := Files([]string{in}, t.TempDir(), func(p string) bool {
		got = append(got, filepath.Base(p))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("kept\n %q\nwant\n %q", got, want)
	}
	if n.Files != len(want) || n.Skipped != len(files)-len(want) {
		t.Errorf("counts %+v, want %d files, %d skipped", n, len(want), len(files)-len(want))
	}
	c, err := Count([]string{in}, filepath.Join(t.TempDir(), "x.db"))
	if err != nil || c != n {
		t.Errorf("Count %+v %v, want %+v", c, err, n)
	}
	// Named, a README is read: the user asked for it.
	got = nil
	Files([]string{filepath.Join(in, "README.md")}, t.TempDir(), func(p string) bool { got = append(got, p); return true })
	if len(got) != 1 {
		t.Errorf("a file named as a path was left out: %q", got)
	}
}

// TestWalkOverlappingPaths: a path under another one given, or the same
// one spelled another way, is walked once; a hidden folder named
// explicitly is still walked (the outer walk skips it).
func TestWalkOverlappingPaths(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	for _, f := range []string{"a.txt", "sub/b.txt", "sub/deep/c.txt", ".h/d.txt"} {
		p := filepath.Join(in, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(in, filepath.Join(dir, "link"))
	st, err := store.Open(context.Background(), filepath.Join(dir, "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	walk := func(paths ...string) []string {
		var got []string
		if _, err := Walk(paths, st, func(p string) bool {
			rel, _ := filepath.Rel(in, p)
			got = append(got, rel)
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	all := []string{"a.txt", "sub/b.txt", "sub/deep/c.txt"}
	for _, paths := range [][]string{
		{in, filepath.Join(in, "sub")},
		{filepath.Join(in, "sub"), in},
		{in, in + "/", filepath.Join(dir, "link")},
		{in, filepath.Join(in, "sub", "deep", "c.txt")},
	} {
		got := walk(paths...)
		sort.Strings(got)
		if !slices.Equal(got, all) {
			t.Errorf("walk %q: %q, want each file once: %q", paths, got, all)
		}
	}
	if got := walk(in, filepath.Join(in, ".h")); !slices.Equal(got, append(all[:3:3], ".h/d.txt")) {
		t.Errorf("a hidden folder named explicitly: %q", got)
	}
	// Files of two different folders are all there.
	if got := walk(filepath.Join(in, "sub", "deep"), filepath.Join(in, "sub")); len(got) != 2 {
		t.Errorf("nested folders: %q", got)
	}
}
