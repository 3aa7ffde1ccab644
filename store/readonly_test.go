package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao/pipeline"
)

// A read-only store must refuse every way of writing that SQL offers, even
// when the statement is smuggled after a harmless one.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ingest(ctx, Input{Source: "a", Data: fakeDoc("甲", 2023, "cell t3.new.total=5", "section 1=一段文字内容")}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, s.Reader())
	s.Close()

	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	d := &Doc{Source: "b", SHA256: fmt.Sprintf("%064x", 1), Size: 1}
	if err := d.SetReport(fakeParse(ctx, "b", fakeDoc("乙", 2023), pipeline.Options{})); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Write(ctx, d); err == nil {
		t.Fatal("Write on a read-only store succeeded")
	}
	if _, err := ro.NewWriter(ctx); err == nil {
		t.Fatal("NewWriter on a read-only store succeeded")
	}
	if err := ro.ArchivePut(d.SHA256, []byte("x")); err == nil {
		t.Fatal("ArchivePut on a read-only store succeeded")
	}
	evil := filepath.Join(dir, "evil.db")
	attacks := []string{
		`DELETE FROM cells`,
		`UPDATE cells SET value = 0`,
		`INSERT INTO reports(document_id, template, status, parser, parsed_at) VALUES (1, '', 'ok', 'x', 'x')`,
		`DROP TABLE cells`,
		`DROP VIEW v_reports`,
		`CREATE TABLE x(a)`,
		`CREATE TEMP TABLE x(a)`,
		`CREATE TEMP VIEW x AS SELECT 1`,
		`SELECT 1; DELETE FROM cells`,
		`SELECT 1; PRAGMA query_only = 0; DELETE FROM cells`,
		`PRAGMA query_only = 0`,
		`PRAGMA journal_mode = DELETE`,
		`PRAGMA writable_schema = 1`,
		`ATTACH DATABASE '` + evil + `' AS e`,
		`VACUUM INTO '` + evil + `'`,
		`VACUUM`,
		`REINDEX`,
		`ANALYZE`,
		`INSERT INTO sections_fts(sections_fts) VALUES ('rebuild')`,
		`BEGIN; DELETE FROM cells; COMMIT`,
		`WITH x AS (SELECT 1) DELETE FROM cells`,
		`SELECT load_extension('/tmp/x.so')`,
	}
	for _, q := range attacks {
		rows, err := ro.Reader().QueryContext(ctx, q)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if err == nil {
			t.Errorf("%s: no error", q)
		}
		if _, err := ro.Reader().ExecContext(ctx, q); err == nil {
			t.Errorf("exec %s: no error", q)
		}
	}
	if _, err := os.Stat(evil); err == nil {
		t.Error("a query created a file")
	}
	// Reading works, views and full-text search included.
	if n := count(t, ro.Reader(), `SELECT count(*) FROM v_reports`); n != 1 {
		t.Fatalf("v_reports: %d", n)
	}
	if n := count(t, ro.Reader(), `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3) SELECT count(*) FROM c`); n != 3 {
		t.Fatal("recursive query refused")
	}
	if n := count(t, ro.Reader(), `SELECT count(*) FROM sections_fts WHERE sections_fts MATCH '文字内容'`); n != 1 {
		t.Fatal("fts refused")
	}
	if n := count(t, ro.Reader(), `SELECT count(*) FROM pragma_table_info('cells')`); n == 0 {
		t.Fatal("pragma_table_info refused")
	}
	ro.Close()

	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := dump(t, s.Reader()); after != before {
		t.Fatal("the database changed under a read-only connection")
	}
}
