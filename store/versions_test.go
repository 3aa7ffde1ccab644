package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestThousandVersions writes 1,000 versions of one organ and year, among
// them copies and unreadable documents, in batches as ingest does: the
// writer's index lookups (place) must give what the rule gives, worked out
// here the plain way (every earlier version compared), and what renumber
// gives reading the whole organ and year. Versions share figures in fifty
// ways and differ in prose, so the copy lookups have many versions with the
// same figures to tell apart.
func TestThousandVersions(t *testing.T) {
	s := openFake(t, nil)
	ctx := context.Background()
	const org, year = "甲市人民政府", 2023

	// The documents and, for each, what the rule makes of it.
	type doc struct {
		data           []byte
		parsed         bool
		figures, prose int // -1: no prose
		format         string
	}
	var docs []doc
	for i := range 1000 {
		f := i % 50
		// A version: text, figures shared with every fiftieth, its own prose.
		docs = append(docs, doc{fakeDoc(org, year, fmt.Sprintf("cell t3.new.total=%d", f), fmt.Sprintf("section 1=第%d版", i)), true, f, i, "text"})
		switch i % 8 {
		case 3: // the page of an earlier version with the same figures: a copy (another format)
			docs = append(docs, doc{fakeDoc(org, year, "format=html", fmt.Sprintf("cell t3.new.total=%d", f), fmt.Sprintf("section 1=网页 %d", i)), true, f, 100000 + i, "html"})
		case 5: // this version fetched again, a byte changed: a copy (same prose)
			docs = append(docs, doc{fakeDoc(org, year, fmt.Sprintf("cell t3.new.total=%d", f), fmt.Sprintf("section 1=第%d版", i), "visits=2"), true, f, i, "text"})
		case 6: // unreadable: no version, no copy
			docs = append(docs, doc{fakeDoc(org, year, "status=needs_ocr", fmt.Sprintf("n=%d", i)), false, 0, -1, "text"})
		case 7: // no prose, new figures, in PDF: a version; then its text with the same figures and no prose: a copy
			docs = append(docs, doc{fakeDoc(org, year, "format=pdf", fmt.Sprintf("cell t3.new.total=%d", 1000+i)), true, 1000 + i, -1, "pdf"})
			docs = append(docs, doc{fakeDoc(org, year, fmt.Sprintf("cell t3.new.total=%d", 1000+i)), true, 1000 + i, -1, "text"})
		}
	}

	// The rule, the plain way: a parsed document is a copy of the first
	// version with its figures in another format or with its prose; the
	// others are versions 1, 2, … each superseded by the next.
	type place struct {
		version, sameAs int // indexes into docs; -1 none
		n               int // version number
	}
	want := make([]place, len(docs))
	var heads []int
	for i, d := range docs {
		want[i] = place{-1, -1, 0}
		if !d.parsed {
			continue
		}
		for _, h := range heads {
			if docs[h].figures == d.figures && (docs[h].format != d.format || docs[h].prose == d.prose) {
				want[i].sameAs = h
				break
			}
		}
		if want[i].sameAs < 0 {
			heads = append(heads, i)
			want[i].n = len(heads)
		}
	}
	if len(heads) < 1000 {
		t.Fatalf("the test makes %d versions, want 1,000 or more", len(heads))
	}

	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // a failure below leaves a transaction open
	ids := make([]int64, len(docs))
	for i, d := range docs {
		out, err := w.Write(s.prepareDoc(ctx, fmt.Sprintf("d%04d", i), nil, d.data, 0))
		if err != nil || out.Result == ResultFailed {
			t.Fatalf("document %d: %+v %v", i, out, err)
		}
		ids[i] = out.ReportID
		wantSame := int64(0)
		if want[i].sameAs >= 0 {
			wantSame = ids[want[i].sameAs]
		}
		if out.Version != want[i].n || out.SameAs != wantSame {
			t.Fatalf("document %d: version %d, copy of %d; want version %d, copy of %d", i, out.Version, out.SameAs, want[i].n, wantSame)
		}
		if i%300 == 299 {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// The stored history: versions, copies, and each version superseded
	// by the next one.
	next := map[int64]int64{}
	for k := 1; k < len(heads); k++ {
		next[ids[heads[k-1]]] = ids[heads[k]]
	}
	check := func(when string) {
		t.Helper()
		rows, err := s.Reader().Query(`SELECT id, coalesce(version, 0), coalesce(superseded_by, 0), coalesce(same_as, 0), current
			FROM reports WHERE agency = ? AND year = ? ORDER BY id`, org, year)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		currents := 0
		for ; rows.Next(); i++ {
			var id, v, by, same int64
			var cur bool
			if err := rows.Scan(&id, &v, &by, &same, &cur); err != nil {
				t.Fatal(err)
			}
			wantSame := int64(0)
			if want[i].sameAs >= 0 {
				wantSame = ids[want[i].sameAs]
			}
			if id != ids[i] || v != int64(want[i].n) || by != next[id] || same != wantSame {
				t.Fatalf("%s: report %d (document %d): version %d, superseded by %d, copy of %d; want %d, %d, %d",
					when, id, i, v, by, same, want[i].n, next[id], wantSame)
			}
			if cur {
				currents++
				if id != ids[heads[len(heads)-1]] {
					t.Fatalf("%s: report %d is current, want only the last version", when, id)
				}
			}
		}
		if i != len(docs) || currents != 1 {
			t.Fatalf("%s: %d reports, %d current; want %d and 1", when, i, currents, len(docs))
		}
	}
	check("after the batch")

	// renumber, reading the whole organ and year, agrees: it writes no
	// row (total_changes of the single write connection).
	changes := func() int { return count(t, s.db, `SELECT total_changes()`) }
	before := changes()
	var organID int64
	if err := s.rdb.QueryRow(`SELECT DISTINCT organ_id FROM reports`).Scan(&organID); err != nil {
		t.Fatal(err)
	}
	if err := s.withTx(ctx, func(w *txWriter) error { return w.renumber(organID, year) }); err != nil {
		t.Fatal(err)
	}
	if n := changes() - before; n != 0 {
		t.Fatalf("renumber changed %d rows of what the writer stored", n)
	}
	check("after renumber")
}

// A database made before migration 0007 learns the format of its reports
// from their documents: a PDF with the figures of an HTML page stored
// before is its copy, as it would have been.
func TestLookupsMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html, err := s.ingest(ctx, Input{Source: "r.html", Data: fakeDoc("甲", 2023, "format=html", "cell t3.new.total=5", "section 1=网页的文字")})
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema of migration 0006.
	for _, q := range []string{
		`DROP INDEX reports_by_superseded_by`, `DROP INDEX reports_versions`,
		`DROP INDEX reports_versions_by_format`, `DROP INDEX reports_versions_by_prose`,
		`ALTER TABLE reports DROP COLUMN format`,
		`DELETE FROM schema_migrations WHERE version = 7`,
	} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()

	if s, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pdf, err := s.ingest(ctx, Input{Source: "r.pdf", Data: fakeDoc("甲", 2023, "format=pdf", "cell t3.new.total=5", "section 1=PDF 的文字")})
	if err != nil {
		t.Fatal(err)
	}
	if pdf.SameAs != html.ReportID || pdf.Version != 0 {
		t.Fatalf("the PDF after the migration: %+v, want a copy of report %d", pdf, html.ReportID)
	}
	if n := count(t, s.Reader(), `SELECT count(*) FROM reports WHERE format IS NULL`); n != 0 {
		t.Fatalf("%d reports without a format", n)
	}
}
