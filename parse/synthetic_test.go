package parse

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/extract"
)

// expectedT3 reads testdata/synthetic/table3_expected.json: the 25 rows of
// table 三 (template 2021) in printed order, seven figures each.
func expectedT3(t *testing.T) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "synthetic", "table3_expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Rows [][2]json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatal(err)
	}
	rows := nianbao.T3Rows(true)
	if len(exp.Rows) != len(rows) {
		t.Fatalf("expected file has %d rows, the 2021 table 三 %d", len(exp.Rows), len(rows))
	}
	want := map[string]float64{}
	for i, r := range exp.Rows {
		var vals []float64
		if err := json.Unmarshal(r[1], &vals); err != nil {
			t.Fatal(err)
		}
		for j, c := range nianbao.T3Cols {
			want[nianbao.Key(3, rows[i].Key, c.Key)] = vals[j]
		}
	}
	return want
}

// TestSyntheticTable3HTML reads table 三 from the synthetic HTML pages, UTF-8
// and GBK, and checks all 175 cells.
func TestSyntheticTable3HTML(t *testing.T) {
	want := expectedT3(t)
	for _, name := range []string{"table3.html", "table3_gbk.html"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "synthetic", name))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := extract.Extract(context.Background(), name, data, "")
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Template != nianbao.Template2021 {
				t.Errorf("template %q, want 2021 (table 三 has the three （六） sub-rows)", rep.Template)
			}
			if rep.Agency != "某市人民政府办公室" || rep.Year != 2023 {
				t.Errorf("agency %q year %d", rep.Agency, rep.Year)
			}
			right := 0
			for k, w := range want {
				v, ok := rep.Value(k)
				if !ok || v != w {
					t.Errorf("%s = %v (%v), want %v", k, v, ok, w)
					continue
				}
				right++
			}
			t.Logf("%s: %d of %d cells right", name, right, len(want))
		})
	}
}
