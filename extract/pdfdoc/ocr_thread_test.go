package pdfdoc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTesseractOneThread: every Tesseract run is asked for one thread
// (pages run in parallel instead; its own threads cost 2–3× the CPU for
// the same text), whatever the environment says.
func TestTesseractOneThread(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "env")
	fake := filepath.Join(dir, "tesseract")
	script := "#!/bin/sh\necho \"OMP_THREAD_LIMIT=$OMP_THREAD_LIMIT\" >> '" + record + "'\necho text\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OMP_THREAD_LIMIT", "8")
	out, err := tesseractOutput(context.Background(), Options{Tesseract: fake}, "in.pgm", "stdout")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != "text" {
		t.Errorf("output %q, want the program's", out)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != "OMP_THREAD_LIMIT=1" {
		t.Errorf("tesseract ran with %q, want OMP_THREAD_LIMIT=1", strings.TrimSpace(string(got)))
	}
}
