package nianbao

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Budget bounds the work of reading one document: what a reader may
// decode, hold and spend before it gives up with a LimitError. A crawler
// reads whatever a website serves, and one small file must not take the
// memory or the hours of a batch; the defaults sit far above any real
// report (three tables, a few dozen pages, a few hundred KB of text) and
// far below what a hostile file asks for. Every reader finds the budget
// of its document in its context (BudgetOf).
type Budget struct {
	// Time is the wall clock of one document: every extraction engine,
	// the PDF repair, OCR and the parsing. The default leaves OCR of a
	// 50-page scan its time (pdfdoc.OCRBudget); each other engine has its
	// own minute, and the other limits stop a hostile file long before.
	Time time.Duration
	// StreamBytes bounds what one compressed stream (a PDF content
	// stream, form, font) decodes to; DocBytes what all of a document's
	// streams decode to together.
	StreamBytes int64
	DocBytes    int64
	// RepairMemory is the address space of the process that repairs a
	// damaged PDF (pdfcpu decodes whole streams into memory).
	RepairMemory int64
	// Objects bounds the cross-reference entries a PDF declares, Pages
	// its pages.
	Objects int
	Pages   int
	// Tables and Cells bound the table grids of a document, Text its text
	// (bytes of UTF-8, markup left out).
	Tables int
	Cells  int
	Text   int64
}

// DefaultBudget is the budget of a document when none is set. The README
// ("Limits") gives the same figures.
func DefaultBudget() Budget {
	return Budget{
		Time:         20 * time.Minute,
		StreamBytes:  64 << 20,
		DocBytes:     256 << 20,
		RepairMemory: 256 << 20,
		Objects:      1_000_000,
		Pages:        1_000,
		Tables:       2_000,
		Cells:        500_000,
		Text:         8 << 20,
	}
}

// withDefaults fills the zero fields from DefaultBudget.
func (b Budget) withDefaults() Budget {
	d := DefaultBudget()
	if b.Time <= 0 {
		b.Time = d.Time
	}
	if b.StreamBytes <= 0 {
		b.StreamBytes = d.StreamBytes
	}
	if b.DocBytes <= 0 {
		b.DocBytes = d.DocBytes
	}
	if b.RepairMemory <= 0 {
		b.RepairMemory = d.RepairMemory
	}
	if b.Objects <= 0 {
		b.Objects = d.Objects
	}
	if b.Pages <= 0 {
		b.Pages = d.Pages
	}
	if b.Tables <= 0 {
		b.Tables = d.Tables
	}
	if b.Cells <= 0 {
		b.Cells = d.Cells
	}
	if b.Text <= 0 {
		b.Text = d.Text
	}
	return b
}

// limitNames are the names of the limits as --limit and LimitError say
// them, with what each bounds.
var limitNames = map[string]string{
	"time":    "wall-clock time of one document",
	"stream":  "decoded bytes of one compressed stream",
	"decoded": "decoded bytes of all the streams of a document",
	"repair":  "memory of the PDF repair process",
	"objects": "objects a PDF declares",
	"pages":   "pages of a PDF",
	"tables":  "tables of a document",
	"cells":   "table cells of a document",
	"text":    "bytes of text of a document",
}

// LimitNames lists the names Set accepts, sorted.
func LimitNames() []string {
	var n []string
	for k := range limitNames {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Set changes one limit from NAME=VALUE: a Go duration for time, a size
// (64MB, 1GiB, 1000) for the byte limits, a count for the others.
func (b *Budget) Set(s string) error {
	name, val, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("limit %q: want NAME=VALUE (names: %s)", s, strings.Join(LimitNames(), ", "))
	}
	bytesOf := func() (int64, error) {
		n, err := ParseSize(val)
		if err == nil && n <= 0 {
			err = errors.New("must be positive")
		}
		return n, err
	}
	count := func() (int, error) {
		n, err := strconv.Atoi(strings.ReplaceAll(val, ",", ""))
		if err == nil && n <= 0 {
			err = errors.New("must be positive")
		}
		return n, err
	}
	var err error
	switch name {
	case "time":
		b.Time, err = time.ParseDuration(val)
		if err == nil && b.Time <= 0 {
			err = errors.New("must be positive")
		}
	case "stream":
		b.StreamBytes, err = bytesOf()
	case "decoded":
		b.DocBytes, err = bytesOf()
	case "repair":
		b.RepairMemory, err = bytesOf()
	case "text":
		b.Text, err = bytesOf()
	case "objects":
		b.Objects, err = count()
	case "pages":
		b.Pages, err = count()
	case "tables":
		b.Tables, err = count()
	case "cells":
		b.Cells, err = count()
	default:
		return fmt.Errorf("limit %q: unknown name %q (names: %s)", s, name, strings.Join(LimitNames(), ", "))
	}
	if err != nil {
		return fmt.Errorf("limit %s: %q: %v", name, val, err)
	}
	return nil
}

// ParseSize reads a size in bytes: 1000, 64KB, 64MB, 2GB (powers of 1024,
// as the caps have always been read), KiB/MiB/GiB the same.
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("not a size: %q (e.g. 64MB)", s)
	}
	return n * mult, nil
}

// ErrOverBudget is what every LimitError wraps.
var ErrOverBudget = errors.New("over the document's budget")

// LimitError says which limit of the budget a document went over.
type LimitError struct {
	Limit string // a name of LimitNames: "stream", "tables" …
	Max   int64  // the limit (nanoseconds for time)
	Got   int64  // what the document has or asked for, when known (0: unknown)
}

func (e *LimitError) Error() string {
	show := func(v int64) string {
		switch e.Limit {
		case "time":
			return time.Duration(v).String()
		case "stream", "decoded", "repair", "text":
			return FormatSize(v)
		}
		return strconv.FormatInt(v, 10)
	}
	what := limitNames[e.Limit]
	if e.Got > 0 {
		return fmt.Sprintf("over the budget: %s %s, more than %s (--limit %s=…)", what, show(e.Got), show(e.Max), e.Limit)
	}
	return fmt.Sprintf("over the budget: %s more than %s (--limit %s=…)", what, show(e.Max), e.Limit)
}

func (e *LimitError) Unwrap() error { return ErrOverBudget }

// FormatSize writes a byte count the way ParseSize reads it.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

type budgetKey struct{}

// WithBudget returns ctx carrying b (zero fields take the defaults) for
// the readers of one document.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b.withDefaults())
}

// BudgetOf returns the budget ctx carries, or DefaultBudget.
func BudgetOf(ctx context.Context) Budget {
	if ctx != nil {
		if b, ok := ctx.Value(budgetKey{}).(Budget); ok {
			return b
		}
	}
	return DefaultBudget()
}

// PanicError is a panic inside a reader (most often inside a library:
// pdfcpu, ledongthuc/pdf) caught and turned into an error. Its message
// names the reader and the page, not the runtime's text ("slice bounds
// out of range" tells a user nothing); the value and the stack are kept
// for the log (--debug).
type PanicError struct {
	Reader string // "PDF reader", "HTML reader" …
	Page   int    // 1-based; 0 when not known
	Value  any
	Stack  []byte
}

// Log logs the panic with its value and stack at debug level (the
// commands' --debug), with attrs first (the document): the report says
// only what Error says.
func (e *PanicError) Log(attrs ...any) {
	slog.Debug("internal error", append(attrs, "reader", e.Reader, "page", e.Page,
		"panic", fmt.Sprint(e.Value), "stack", string(e.Stack))...)
}

func (e *PanicError) Error() string {
	if e.Page > 0 {
		return fmt.Sprintf("internal error in the %s on page %d", e.Reader, e.Page)
	}
	return "internal error in the " + e.Reader
}
