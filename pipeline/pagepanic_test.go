package pipeline

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
)

// A PDF page the PDF library panics on is left out, and the report says
// so in its engine's notes ("internal error in the PDF reader on page N"),
// never the runtime's text; the log at debug level (--debug) has the
// stack. The input is a fuzz finding whose one page breaks the library.
func TestPagePanicNoted(t *testing.T) {
	raw, err := os.ReadFile("../extract/pdfdoc/testdata/fuzz/FuzzExtract/45dbf357d8d27268")
	if err != nil {
		t.Fatal(err)
	}
	// A Go fuzz corpus file: a header line, then []byte("…").
	_, lit, _ := strings.Cut(string(raw), "\n")
	lit = strings.TrimSuffix(strings.TrimSpace(lit), ")")
	lit = strings.TrimPrefix(lit, "[]byte(")
	pdf, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	// SetDefault also points package log at the handler: both are put back.
	oldSlog, oldW, oldF := slog.Default(), log.Writer(), log.Flags()
	t.Cleanup(func() { slog.SetDefault(oldSlog); log.SetOutput(oldW); log.SetFlags(oldF) })
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug})))

	rep := Read(context.Background(), "page-panic.pdf", []byte(pdf), Options{})
	// In the notes of a reading, or in the error of one that gave no
	// text because of it.
	var notes []string
	for _, run := range rep.Engines {
		notes = append(notes, run.Error)
		notes = append(notes, run.Notes...)
	}
	all := strings.Join(notes, "\n")
	if !strings.Contains(all, "internal error in the PDF reader on page 1: the page was not read") {
		t.Errorf("status %s %s: no note of the page left out; notes:\n%s\nengines %+v\nlog %s", rep.Status, rep.Reason, all, rep.Engines, logged.String())
	}
	if strings.Contains(all, "runtime error") || strings.Contains(rep.Reason+rep.Error, "runtime error") {
		t.Errorf("the runtime's text reached the report: %s %s\n%s", rep.Reason, rep.Error, all)
	}
	if l := logged.String(); !strings.Contains(l, "internal error") || !strings.Contains(l, "stack=") || !strings.Contains(l, "goroutine") {
		t.Errorf("--debug log without the stack:\n%s", l)
	}
}
