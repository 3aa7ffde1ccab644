package main

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestExportNeverOverwrites: an export never writes over the database it
// reads — named as given, through a link or spelled another way, with
// --force or not — and never over an existing file unless --force; a
// refusal is exit 2 and leaves nothing behind.
func TestExportNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "study.db")
	if code, out, errs := storeRun(t, nil, "ingest", "-q", "--db", db, storeSamples[0]); code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, errs)
	}
	before := fileSum(t, db)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	if err := os.Symlink(db, filepath.Join(dir, "link.xlsx")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{db, filepath.Join(dir, "sub", "..", "study.db"), filepath.Join(dir, "link.xlsx"), db + "-wal"} {
		if _, err := os.Stat(out); err != nil {
			continue // no WAL left after a clean close
		}
		for _, force := range []bool{false, true} {
			args := []string{"export", "--db", db, "--format", "xlsx", "--out", out}
			if force {
				args = append(args, "--force")
			}
			code, _, errs := storeRun(t, nil, args...)
			if code != 2 || !strings.Contains(errs, "is the database being exported") {
				t.Errorf("export --out %s (force %v): exit %d, %q; want 2, refused", out, force, code, errs)
			}
			if fileSum(t, db) != before {
				t.Fatalf("export --out %s changed the database", out)
			}
		}
	}
	// The CSV folder named as the database.
	if code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", db); code != 2 {
		t.Errorf("csv --out the database: exit %d %q", code, errs)
	}

	// An existing file: refused without --force, replaced with it.
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# notes\n"), 0o644)
	code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "xlsx", "--out", readme)
	if b, _ := os.ReadFile(readme); code != 2 || !strings.Contains(errs, "README.md exists") || !strings.Contains(errs, "--force") ||
		string(b) != "# notes\n" {
		t.Errorf("--out README.md: exit %d, %q, file now %q", code, errs, b)
	}
	if code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "xlsx", "--out", readme, "--force"); code != 0 {
		t.Errorf("--out README.md --force: exit %d %s", code, errs)
	} else if wb, err := excelize.OpenFile(readme); err != nil {
		t.Errorf("--force did not write a workbook: %v", err)
	} else {
		wb.Close()
	}

	// CSV: one existing table file refuses the whole export before any
	// file is written.
	csvDir := filepath.Join(dir, "csv")
	os.Mkdir(csvDir, 0o755)
	os.WriteFile(filepath.Join(csvDir, "table3.csv"), []byte("mine\n"), 0o644)
	code, _, errs = storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", csvDir)
	entries, _ := os.ReadDir(csvDir)
	if code != 2 || !strings.Contains(errs, "table3.csv exists") || len(entries) != 1 {
		t.Errorf("csv over an existing file: exit %d %q, folder holds %d entries", code, errs, len(entries))
	}
	if code, _, errs := storeRun(t, nil, "export", "--db", db, "--format", "csv", "--out", csvDir, "--force"); code != 0 {
		t.Errorf("csv --force: exit %d %s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(csvDir, "table3.csv")); bytes.Equal(b, []byte("mine\n")) {
		t.Error("--force did not replace table3.csv")
	}
	// No temporary file is left anywhere.
	for _, d := range []string{dir, csvDir} {
		if left, _ := filepath.Glob(filepath.Join(d, ".*.tmp-*")); len(left) > 0 {
			t.Errorf("temporary files left: %q", left)
		}
	}
	if fileSum(t, db) != before {
		t.Fatal("the database changed")
	}
}
