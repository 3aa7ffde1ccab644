package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nianbao/nianbao/store"
)

// copyTree copies the files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A database made by the previous release (testdata/migration) migrates
// when opened, and reading its archive again (ingest --reparse) places its
// reports under their organs and finds the cross-year breaks planted in it.
func TestMigrateOldRelease(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "testdata", "migration", "v0.1.db.archive"), filepath.Join(dir, "v0.1.db.archive"))
	b, err := os.ReadFile(filepath.Join("..", "testdata", "migration", "v0.1.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "v0.1.db")
	if err := os.WriteFile(db, b, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatalf("the old database does not open: %v", err)
	}
	defer st.Close()
	r := st.Reader()
	if n := count(t, r, `SELECT count(*) FROM reports WHERE organ_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d reports with an organ before reparse", n)
	}
	if n, err := st.ReparseCount(ctx, false); err != nil || n != 19 {
		t.Fatalf("%d reports of an older parser, want 19 (%v)", n, err)
	}
	if err := Reparse(ctx, st, false, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, r, `SELECT count(*) FROM reports WHERE organ_id IS NULL`); n != 0 {
		t.Fatalf("%d reports without an organ after reparse", n)
	}
	// Three generated organs under their many names, and the two samples.
	rows, err := r.Query(`SELECT o.key, count(*), count(DISTINCT r.agency) FROM reports r JOIN organs o ON o.id = r.organ_id WHERE r.current GROUP BY o.key ORDER BY o.key`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var key string
		var n, names int
		rows.Scan(&key, &n, &names)
		got = append(got, key+" "+itoa(n)+" "+itoa(names))
	}
	rows.Close()
	want := "31/人民政府办公厅 1 1, 321071/公安局 6 2, 370203/人民政府 5 4, 370982/住房和城乡建设局 6 4, 410703/人民政府办公室 1 1"
	if strings.Join(got, ", ") != want {
		t.Fatalf("organs (key, current reports, names):\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
	rows, err = r.Query(`SELECT o.key, r.year, f.cells FROM findings f JOIN reports r ON r.id = f.report_id JOIN organs o ON o.id = r.organ_id
		WHERE f.other_report_id IS NOT NULL ORDER BY o.key, r.year, f.cells`)
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for rows.Next() {
		var key, cells string
		var year int
		rows.Scan(&key, &year, &cells)
		got = append(got, key+" "+itoa(year)+" "+cells)
	}
	rows.Close()
	want = `321071/公安局 2024 ["t3.carry_forward.other_org","t3.carried.other_org"], 321071/公安局 2024 ["t3.carry_forward.total","t3.carried.total"], ` +
		`370203/人民政府 2023 ["t3.carry_forward.social","t3.carried.social"], 370203/人民政府 2023 ["t3.carry_forward.total","t3.carried.total"]`
	if strings.Join(got, ", ") != want {
		t.Fatalf("cross-year findings:\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
	if n, err := st.ReparseCount(ctx, false); err != nil || n != 0 {
		t.Fatalf("%d reports still of an older parser (%v)", n, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
