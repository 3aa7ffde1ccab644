package ingest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
	"github.com/nianbao/nianbao/store"
)

// TestBatchPanicStored: a panic inside the parser does not stop a batch.
// The document is stored as an error whose reason says "internal error"
// — not the panic's own text, which tells a user nothing (the stack goes
// to the debug log) — and the documents after it are stored as usual.
func TestBatchPanicStored(t *testing.T) {
	for _, c := range []struct {
		name  string
		doc   []byte
		parse ParseFunc
		raw   string // the panic's own text, never in the reason
	}{
		{"a panic", fakeDoc("机关P", 2022, "panic"), fakeParse, "told to panic"},
		{"a runtime error", fakeDoc("机关P", 2022, "cell t3.new.total=1"),
			func(ctx context.Context, source string, data []byte, opt pipeline.Options) *nianbao.Report {
				if strings.HasSuffix(source, "panic.txt") {
					var s []int
					_ = s[len(data)] // index out of range, as a library would
				}
				return fakeParse(ctx, source, data, opt)
			}, "index out of range"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openFake(t, nil)
			s.parse = c.parse
			dir := t.TempDir()
			var items []Item
			for _, f := range []struct {
				name string
				data []byte
			}{
				{"before.txt", fakeDoc("机关A", 2022, "cell t3.new.total=1")},
				{"panic.txt", c.doc},
				{"after.txt", fakeDoc("机关B", 2022, "cell t3.new.total=2")},
			} {
				p := filepath.Join(dir, f.name)
				if err := os.WriteFile(p, f.data, 0o644); err != nil {
					t.Fatal(err)
				}
				items = append(items, FileItem(p))
			}
			var outs []store.Outcome
			// One worker: the documents are parsed in order, so the one
			// after the panic is parsed after it.
			err := s.IngestBatch(context.Background(), slices.Values(items), Options{Workers: 1,
				OnOutcome: func(o store.Outcome) { outs = append(outs, o) }})
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 3 || outs[1].Status != nianbao.StatusError || outs[2].Result != store.ResultNew || outs[2].Status != nianbao.StatusOK {
				t.Fatalf("outcomes %+v", outs)
			}
			rows, err := s.Reader().Query(`SELECT d.source, r.status, coalesce(r.reason, r.error, '') FROM reports r
				JOIN documents d ON d.id = r.document_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			stored := map[string]string{}
			for rows.Next() {
				var src, st, why string
				if err := rows.Scan(&src, &st, &why); err != nil {
					t.Fatal(err)
				}
				stored[filepath.Base(src)] = st
				if filepath.Base(src) == "panic.txt" && (!strings.Contains(why, "internal error") || strings.Contains(why, c.raw) ||
					strings.Contains(why, "runtime error") || strings.Contains(why, "goroutine")) {
					t.Errorf("stored reason %q: want \"internal error\", not the panic's text %q", why, c.raw)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"before.txt": "ok", "panic.txt": "error", "after.txt": "ok"}; !maps.Equal(stored, want) {
				t.Errorf("stored %v, want %v", stored, want)
			}
		})
	}
}
