package pdfdoc

import (
	"bytes"
	"compress/zlib"
	"errors"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
)

// TestPanicReported: a panic inside the library is an internal error of
// the PDF reader on its page, with the stack kept for the log; the
// budget's own errors pass through unchanged.
func TestPanicReported(t *testing.T) {
	var rt error
	func() {
		defer func() { rt = recover().(error) }()
		var s []int
		_ = s[len(s)+1] // runtime error: index out of range
	}()
	err := pagePanic(rt, 3)
	var pe *nianbao.PanicError
	if !errors.As(err, &pe) || pe.Page != 3 || len(pe.Stack) == 0 {
		t.Fatalf("got %#v", err)
	}
	if msg := err.Error(); msg != "internal error in the PDF reader on page 3" || strings.Contains(msg, "runtime") {
		t.Errorf("message %q", msg)
	}
	le := &nianbao.LimitError{Limit: "stream", Max: 1}
	if got := errPanic(le); got != le {
		t.Errorf("a LimitError became %v", got)
	}
}

// TestCheckInflation: a Flate stream that inflates past the stream limit,
// or streams past the document's, is found before a repair runs.
func TestCheckInflation(t *testing.T) {
	stream := func(n int) []byte {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(bytes.Repeat([]byte{' '}, n))
		w.Close()
		return append(append([]byte("<< /Filter /FlateDecode >>\nstream\n"), z.Bytes()...), "\nendstream\n"...)
	}
	two := append(stream(600), stream(600)...)
	b := nianbao.Budget{StreamBytes: 1000, DocBytes: 1000}
	var le *nianbao.LimitError
	if err := checkInflation(stream(2000), b); !errors.As(err, &le) || le.Limit != "stream" {
		t.Errorf("one stream past the limit: %v", err)
	}
	if err := checkInflation(two, b); !errors.As(err, &le) || le.Limit != "decoded" {
		t.Errorf("two streams past the document's limit: %v", err)
	}
	if err := checkInflation(stream(900), b); err != nil {
		t.Errorf("within the budget: %v", err)
	}
}
