package toolcheck

import (
	"os"
	"strings"
	"testing"
)

// fakeT records what the helpers do to a test.
type fakeT struct {
	testing.TB
	skipped, failed, logged bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Skip(...any)           { f.skipped = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Log(...any)            { f.logged = true }

func TestSkipOrFail(t *testing.T) {
	t.Setenv(RequireEnv, "")
	var f fakeT
	Skip(&f, "pdftotext not installed")
	if !f.skipped || f.failed {
		t.Errorf("without %s: skipped %v, failed %v; want a skip", RequireEnv, f.skipped, f.failed)
	}
	f = fakeT{}
	Note(&f, "poppler engine not tested")
	if !f.logged || f.failed {
		t.Errorf("Note without %s: %+v", RequireEnv, f)
	}
	f = fakeT{}
	Require(&f, "surely-not-a-program-nianbao")
	if !f.skipped {
		t.Error("Require of a missing program did not skip")
	}

	t.Setenv(RequireEnv, "1")
	for _, call := range []func(testing.TB){
		func(tb testing.TB) { Skip(tb, "tesseract not installed") },
		func(tb testing.TB) { Note(tb, "poppler engine not tested") },
		func(tb testing.TB) { Require(tb, "surely-not-a-program-nianbao") },
	} {
		f = fakeT{}
		call(&f)
		if !f.failed || f.skipped {
			t.Errorf("with %s=1: skipped %v, failed %v; want a failure", RequireEnv, f.skipped, f.failed)
		}
	}
}

// CI requires the tools: .ci/run sets the variable.
func TestCIRequiresTools(t *testing.T) {
	b, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "export "+RequireEnv+"=1") {
		t.Errorf(".ci/run does not export %s=1", RequireEnv)
	}
}
