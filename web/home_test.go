package web

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// TestHomeFollowsTheStore: the coverage is cached, and read again in the
// background once an ingest changed the database; visitors meanwhile get
// the last one.
func TestHomeFollowsTheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "live.db")
	w, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	add := func(agency string, year int) {
		t.Helper()
		doc := storetest.FakeDoc(agency, year, "cell t3.new.total=1")
		if _, err := ingest.One(ctx, w, ingest.Input{Source: agency, Data: doc}, ingest.Options{Parse: storetest.FakeParse}); err != nil {
			t.Fatal(err)
		}
	}
	add("淮安市人民政府", 2020)
	st, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := New(ctx, st, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	reports := func() int {
		var d homeData
		if err := json.Unmarshal(get(t, s, "/index.json").Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		return d.Reports
	}
	if n := reports(); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}
	add("淮安市人民政府", 2021)
	deadline := time.Now().Add(10 * time.Second)
	for reports() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the coverage never showed the new report")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
