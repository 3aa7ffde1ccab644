package pdfdoc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/toolcheck"
)

// deadPID returns the ID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

// ocrWork lists the OCR work folders in dir.
func ocrWork(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ocrWorkPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mkdirs(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Join(p, "p1"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "p1", "text.pgm"), []byte("P5\n1 1\n255\n\xff"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// A killed run leaves its work folder; the next run removes it, and only
// what is known to be dead: a folder of a live process (this one) stays,
// and so do a recent folder of an older version (no PID in its name) and
// folders of other programs.
func TestOCRSweepsKilledRunsWork(t *testing.T) {
	tmp := t.TempDir()
	dead := filepath.Join(tmp, fmt.Sprintf("%s%d-123456", ocrWorkPrefix, deadPID(t)))
	live := filepath.Join(tmp, fmt.Sprintf("%s%d-654321", ocrWorkPrefix, os.Getpid()))
	oldLegacy := filepath.Join(tmp, ocrWorkPrefix+"162877250")
	newLegacy := filepath.Join(tmp, ocrWorkPrefix+"4172700471")
	other := filepath.Join(tmp, "nianbao-ocr-notes")
	mkdirs(t, dead, live, oldLegacy, newLegacy, other)
	longAgo := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(oldLegacy, longAgo, longAgo); err != nil {
		t.Fatal(err)
	}
	sweepOCRWork(tmp)
	for path, gone := range map[string]bool{dead: true, oldLegacy: true, live: false, newLegacy: false, other: false} {
		if _, err := os.Stat(path); os.IsNotExist(err) != gone {
			t.Errorf("%s: removed %v, want %v", filepath.Base(path), os.IsNotExist(err), gone)
		}
	}
}

// The next run cleans up at its start, whatever becomes of it: here it is
// cancelled before it begins, on a machine that may not even have
// Tesseract.
func TestOCRNextRunCleansKilledRunsWork(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := filepath.Join(tmp, fmt.Sprintf("%s%d-99", ocrWorkPrefix, deadPID(t)))
	mkdirs(t, dead)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Extract(ctx, read(t, "table3_scanned_imageonly.pdf"), Options{Engine: EngineOCR}); err == nil {
		t.Error("a cancelled OCR gave no error")
	}
	if left := ocrWork(t, tmp); len(left) > 0 {
		t.Errorf("work folders left: %v", left)
	}
}

// fakeTesseract writes a stand-in for Tesseract that reads the images of
// page 1 (one "1" per image of a list, one word for a page) and blocks on
// any other page, first creating the file mark: the tests know when a run
// is under way without timing it.
func fakeTesseract(t *testing.T, mark string) string {
	t.Helper()
	script := `#!/bin/sh
case "$1" in
--list-langs) printf 'chi_sim\neng\n'; exit 0 ;;
*/p1/*) ;;
*) : > "` + mark + `"; exec sleep 600 ;;
esac
case "$1" in
*.txt) while read -r f; do printf '1\f'; done < "$1" ;;
*) printf 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n'
   printf '1\t1\t0\t0\t0\t0\t0\t0\t2480\t3509\t-1\t\n'
   printf '5\t1\t1\t1\t1\t1\t400\t400\t240\t80\t96\t报告\n' ;;
esac
`
	path := filepath.Join(t.TempDir(), "tesseract")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitFor returns once path exists.
func waitFor(t *testing.T, path string, done <-chan struct{}) {
	t.Helper()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-done:
			t.Fatalf("OCR ended before %s appeared", filepath.Base(path))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// An OCR cancelled while Tesseract runs removes its work folder (and
// Tesseract is stopped: Extract returns).
func TestOCRCancelledRemovesWork(t *testing.T) {
	toolcheck.Require(t, "pdftoppm")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mark := filepath.Join(t.TempDir(), "running")
	opt := Options{Engine: EngineOCR, Tesseract: fakeTesseract(t, mark)}
	data := read(t, "huaian-scanned-5p.pdf")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		_, err = Extract(ctx, data, opt)
	}()
	waitFor(t, mark, done)
	if len(ocrWork(t, tmp)) != 1 {
		t.Errorf("no work folder while OCR runs: %v", ocrWork(t, tmp))
	}
	cancel()
	<-done
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "cancel") {
		t.Errorf("error %v, want a cancelled OCR", err)
	}
	if left := ocrWork(t, tmp); len(left) > 0 {
		t.Errorf("work folders left: %v", left)
	}
}

// When the budget runs out, the pages read so far are kept: the reading
// is the document's first pages, with a note of the pages not read.
func TestOCRKeepsPagesReadWithinBudget(t *testing.T) {
	toolcheck.Require(t, "pdftoppm")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mark := filepath.Join(t.TempDir(), "page2")
	opt := Options{Engine: EngineOCR, Tesseract: fakeTesseract(t, mark)}
	// One page at a time, so page 2 starts once page 1 is read; the
	// budget runs out when the test says so.
	saved, savedBudget := ocrPagesAtOnce, ocrWithBudget
	defer func() { ocrPagesAtOnce, ocrWithBudget = saved, savedBudget }()
	ocrPagesAtOnce = 1
	expire := make(chan context.CancelFunc, 1)
	var limit time.Duration
	ocrWithBudget = func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
		limit = d
		ctx, cancel := context.WithCancel(ctx)
		expire <- cancel
		return ctx, cancel
	}
	data := read(t, "huaian-scanned-5p.pdf")
	done := make(chan struct{})
	var doc *nianbao.Document
	var err error
	go func() {
		defer close(done)
		doc, err = Extract(context.Background(), data, opt)
	}()
	waitFor(t, mark, done)
	(<-expire)()
	<-done
	if err != nil {
		t.Fatalf("a reading out of budget gave %v, want the pages read", err)
	}
	if limit != OCRBudget(5) {
		t.Errorf("budget %v, want OCRBudget(5) = %v", limit, OCRBudget(5))
	}
	if doc.Pages != 5 {
		t.Errorf("Pages %d, want 5", doc.Pages)
	}
	var text []string
	for _, b := range doc.Blocks {
		if b.Page != 1 {
			t.Errorf("a block of page %d", b.Page)
		}
		text = append(text, b.Text)
	}
	if !slicesContain(text, "报告") {
		t.Errorf("page 1's text missing: %q", text)
	}
	if notes := strings.Join(doc.Notes, "\n"); !strings.Contains(notes, "OCR stopped at its time limit") || !strings.Contains(notes, "not 2–5") {
		t.Errorf("notes %q", notes)
	}
	if left := ocrWork(t, tmp); len(left) > 0 {
		t.Errorf("work folders left: %v", left)
	}
}

// Within a document's own time (the caller's deadline) OCR ends early
// enough for the pages read to be parsed.
func TestOCRStopsWithinDocumentTime(t *testing.T) {
	toolcheck.Require(t, "pdftoppm")
	t.Setenv("TMPDIR", t.TempDir())
	saved := ocrWithBudget
	defer func() { ocrWithBudget = saved }()
	var limit time.Duration
	ocrWithBudget = func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
		limit = d
		ctx, cancel := context.WithCancel(ctx)
		cancel() // nothing to read here: the limit is the test
		return ctx, cancel
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	opt := Options{Engine: EngineOCR, Tesseract: fakeTesseract(t, filepath.Join(t.TempDir(), "mark"))}
	if _, err := Extract(ctx, read(t, "huaian-scanned-5p.pdf"), opt); !errors.Is(err, ErrTimeout) {
		t.Errorf("error %v, want no page read in time", err)
	}
	if limit <= 0 || limit > 100*time.Second-ocrReserve {
		t.Errorf("OCR's limit %v in a document with 100s left", limit)
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func TestOCRBudgetGrowsWithPages(t *testing.T) {
	if OCRBudget(1) != time.Minute || OCRBudget(0) != OCRBudget(1) {
		t.Errorf("one page: %v (and no page %v), want 1m0s", OCRBudget(1), OCRBudget(0))
	}
	if OCRBudget(5) != 140*time.Second || OCRBudget(500) != OCRBudget(ocrMaxPages) {
		t.Errorf("five pages %v, 500 pages %v", OCRBudget(5), OCRBudget(500))
	}
}

// The scanned samples read alike one page at a time and with pages in
// parallel (Tesseract with one thread either way): pages are independent.
func TestOCRParallelPagesSameReading(t *testing.T) {
	if !OCRAvailable(Options{}) {
		toolcheck.Skip(t, "tesseract with chi_sim or pdftoppm not installed")
	}
	if testing.Short() {
		t.Skip("OCR of five pages twice takes a minute")
	}
	data := read(t, "huaian-scanned-5p.pdf")
	saved := ocrPagesAtOnce
	defer func() { ocrPagesAtOnce = saved }()
	ocrPagesAtOnce = 1
	// Time enough on any machine: a reading cut by its budget is another.
	opt := Options{Engine: EngineOCR, Timeout: time.Hour}
	one, err := Extract(context.Background(), data, opt)
	if err != nil {
		t.Fatal(err)
	}
	ocrPagesAtOnce = max(2, saved)
	many, err := Extract(context.Background(), data, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables(one)) == 0 {
		t.Fatal("no table read")
	}
	if !reflect.DeepEqual(one, many) {
		t.Error("pages in parallel read otherwise than one at a time")
	}
}
