package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/hostile"
)

// TestBudgetLimits reads a document of each hostile class with a budget a
// little under what it asks for: each is an error naming the limit it
// went over, and no reader spends more (the limits of the real defaults
// are the same code at other numbers; scripts/hostile.sh runs the full
// sizes).
func TestBudgetLimits(t *testing.T) {
	gen := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	// A table of 200 rows of 40 cells spanning 256 columns each: a few
	// hundred KB of markup asking for two million cells.
	var spans strings.Builder
	spans.WriteString("<html><body><table>")
	for range 200 {
		spans.WriteString("<tr>" + strings.Repeat(`<td colspan="256">1</td>`, 40) + "</tr>")
	}
	spans.WriteString("</table></body></html>")
	weibin, err := os.ReadFile("../testdata/samples/weibin-2019-text.txt")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		file   string
		data   []byte
		budget nianbao.Budget
		limit  string
	}{
		{"tables", "t.html", gen(func(b *bytes.Buffer) error { return hostile.TablesHTML(b, 300) }), nianbao.Budget{Tables: 100}, "tables"},
		{"spans", "s.html", []byte(spans.String()), nianbao.Budget{Cells: 100_000}, "cells"},
		{"html text", "t.html", gen(func(b *bytes.Buffer) error { return hostile.TablesHTML(b, 300) }), nianbao.Budget{Text: 4 << 10}, "text"},
		{"text", "t.txt", gen(func(b *bytes.Buffer) error { return hostile.Repeat(b, weibin, 200<<10) }), nianbao.Budget{Text: 100 << 10}, "text"},
		{"text tables", "t.txt", gen(func(b *bytes.Buffer) error { return hostile.Repeat(b, weibin, 200<<10) }), nianbao.Budget{Tables: 20}, "tables"},
		{"pages", "p.pdf", gen(func(b *bytes.Buffer) error { return hostile.PagesPDF(b, 60) }), nianbao.Budget{Pages: 50}, "pages"},
		{"objects", "p.pdf", gen(func(b *bytes.Buffer) error { return hostile.PagesPDF(b, 60) }), nianbao.Budget{Objects: 100}, "objects"},
		{"decoded", "p.pdf", gen(func(b *bytes.Buffer) error { return hostile.PagesPDF(b, 60) }), nianbao.Budget{DocBytes: 2000}, "decoded"},
		{"stream", "i.pdf", gen(func(b *bytes.Buffer) error { return hostile.InflatePDF(b, 8<<20, false) }), nianbao.Budget{StreamBytes: 1 << 20}, "stream"},
		// A stale cross-reference table: the native reader fails and the
		// repair is asked; the stream is found too large before pdfcpu runs.
		{"stream before repair", "i.pdf", gen(func(b *bytes.Buffer) error { return hostile.InflatePDF(b, 8<<20, true) }), nianbao.Budget{StreamBytes: 1 << 20}, "stream"},
		// The stream limit lifted: pdfcpu runs, in its child, and the
		// child's address space gives out.
		{"repair memory", "i.pdf", gen(func(b *bytes.Buffer) error { return hostile.InflatePDF(b, 256<<20, true) }),
			nianbao.Budget{StreamBytes: 1 << 40, DocBytes: 1 << 40, RepairMemory: 16 << 20}, "repair"},
		{"time", "t.html", gen(func(b *bytes.Buffer) error { return hostile.TablesHTML(b, 300) }), nianbao.Budget{Time: time.Nanosecond}, "time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := nianbao.WithBudget(context.Background(), c.budget)
			rep := Read(ctx, c.file, c.data, Options{})
			if rep.Status != nianbao.StatusError {
				t.Fatalf("status %s (%s%s), want error over the %s limit", rep.Status, rep.Reason, rep.Error, c.limit)
			}
			if want := "--limit " + c.limit + "="; !strings.Contains(rep.Error, want) || !strings.Contains(rep.Error, "over the budget") {
				t.Errorf("error %q does not name the %s limit", rep.Error, c.limit)
			}
			if !strings.Contains(rep.Error, c.file) {
				t.Errorf("error %q does not name the document", rep.Error)
			}
		})
	}
}

// TestBudgetDefaultsRead: the bundled samples read whole under the
// default budget (the limits are far from any real report).
func TestBudgetDefaultsRead(t *testing.T) {
	for _, name := range []string{"weibin-2019-text.txt", "shanghai-bgt-2019.html", "huaian-szf-2024.pdf"} {
		rep := ReadFile(context.Background(), filepath.Join("../testdata/samples", name), Options{})
		if rep.Status != nianbao.StatusOK && rep.Status != nianbao.StatusFindings {
			t.Errorf("%s: %s %s%s", name, rep.Status, rep.Reason, rep.Error)
		}
	}
}

// TestReadFileNotRegular: a device and a FIFO are refused before a byte is
// read (a link to /dev/zero once ended in "out of memory", a FIFO hung).
func TestReadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	zero, fifo := filepath.Join(dir, "zero.pdf"), filepath.Join(dir, "fifo.html")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{zero, fifo, dir} {
		rep := ReadFile(context.Background(), p, Options{})
		if rep.Status != nianbao.StatusError || !strings.Contains(rep.Error, ErrNotRegular.Error()) {
			t.Errorf("%s: %s %q, want an error saying it is not a regular file", p, rep.Status, rep.Error)
		}
	}
	if _, err := ReadRegular(zero, 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegular(%s) = %v, want ErrNotRegular", zero, err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, bytes.Repeat([]byte("a"), 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegular(big, 1000); err == nil || !strings.Contains(err.Error(), "--max-size") {
		t.Errorf("ReadRegular over the size: %v", err)
	}
}
