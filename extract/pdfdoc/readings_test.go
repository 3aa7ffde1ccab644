package pdfdoc

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/toolcheck"
)

// readingSig sums up a reading: its engine, its layout kind, and what it
// gave ("doc", or the error it wraps).
func readingSig(t *testing.T, r nianbao.Reading) string {
	t.Helper()
	if (r.Doc == nil) == (r.Err == nil) {
		t.Errorf("%s: doc %v and error %v: want exactly one", r.Engine, r.Doc != nil, r.Err)
	}
	got := "doc"
	for _, e := range []struct {
		err  error
		name string
	}{{ErrEngineMissing, "missing"}, {ErrEncrypted, "encrypted"}, {ErrNeedsOCR, "needs-ocr"}, {ErrDamaged, "damaged"}} {
		if errors.Is(r.Err, e.err) {
			got = e.name
			break
		}
	}
	if r.Err != nil && got == "doc" {
		got = "failed"
	}
	if r.Doc != nil {
		for _, b := range r.Doc.Blocks {
			if tb := b.Table; tb != nil && (tb.Engine != r.Engine || tb.Layout != r.Layout) {
				t.Errorf("%s: table %d labelled %q %q, want the reading's %q", r.Engine, tb.Index, tb.Engine, tb.Layout, r.Layout)
			}
		}
	}
	return r.Engine + "/" + string(r.Layout) + "=" + got
}

// Every engine of the chain, in order, when the caller never stops: what
// each gives and how it is labelled.
func TestReadingsOrder(t *testing.T) {
	if !PopplerAvailable(Options{}) {
		toolcheck.Skip(t, "pdftotext not installed")
	}
	noOCR := Options{Tesseract: "/nonexistent/tesseract"}
	noPoppler := Options{Pdftotext: "/nonexistent/pdftotext"}
	cases := []struct {
		file string
		opt  Options
		want string
	}{
		{"huaian-szf-2024.pdf", Options{}, "ledongthuc/glyphs=doc pdftotext/glyphs=doc pdftotext-layout/text=doc"},
		{"huaian-szf-2024.pdf", noPoppler, "ledongthuc/glyphs=doc pdftotext/glyphs=missing"},
		// AES-256, empty user password: pdfcpu decrypts, the rest read its copy
		{"encrypted_owner_only.pdf", Options{}, "ledongthuc/glyphs=encrypted pdfcpu+ledongthuc/glyphs=doc pdftotext/glyphs=doc pdftotext-layout/text=doc"},
		{"encrypted_user_password.pdf", Options{}, "ledongthuc/glyphs=encrypted pdfcpu/=failed pdftotext/glyphs=encrypted pdftotext-layout/text=damaged"},
		// no text layer: no layout text, and OCR, which is not installed here
		{"table3_scanned_imageonly.pdf", noOCR, "ledongthuc/glyphs=needs-ocr pdftotext/glyphs=needs-ocr ocr/ocr=missing"},
	}
	for _, c := range cases {
		var got []string
		for r := range Readings(context.Background(), read(t, c.file), c.opt) {
			got = append(got, readingSig(t, r))
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: readings\n  %s\nwant\n  %s", c.file, g, c.want)
		}
	}
}

// A caller that stops after a reading stops the chain: the engines after
// it never run. A fake pdftotext leaves a mark when it is run.
func TestReadingsLazy(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script")
	}
	dir := t.TempDir()
	mark := filepath.Join(dir, "ran")
	bin := filepath.Join(dir, "pdftotext")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\ntouch '"+mark+"'\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	opt := Options{Pdftotext: bin}
	data := read(t, "huaian-szf-2024.pdf")
	for r := range Readings(context.Background(), data, opt) {
		if r.Engine != string(EngineNative) || r.Doc == nil {
			t.Fatalf("first reading %s (%v), want the native document", r.Engine, r.Err)
		}
		break
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("pdftotext ran after the caller stopped at the native reading")
	}
	n := 0
	for r := range Readings(context.Background(), data, opt) {
		if n++; n > 1 && !errors.Is(r.Err, ErrDamaged) {
			t.Errorf("%s with a failing pdftotext: %v, want a damaged-PDF error", r.Engine, r.Err)
		}
	}
	if _, err := os.Stat(mark); err != nil || n != 3 {
		t.Errorf("%d readings, pdftotext run: %v; want 3 and the mark", n, err == nil)
	}
}
