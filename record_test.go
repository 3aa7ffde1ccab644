package nianbao

import (
	"encoding/json"
	"strings"
	"testing"
)

// Values must write valid JSON in cell order for every key, canonical or
// printed, and read back the same.
func TestValuesJSON(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	in := Values{
		{Key: "t3.new.natural", Value: f(1)},
		{Key: "t2.procurement.amount", Value: f(14.2404)},
		{Key: "t3.x.法人或其他组织小计.total", Value: nil},
		{Key: `t2.x.a"b\c<d>&`, Value: f(-0.5)},
		{Key: "t4.review.total", Value: f(1e6)},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"t3.new.natural":1,"t2.procurement.amount":14.2404,"t3.x.法人或其他组织小计.total":null,"t2.x.a\"b\\c\u003cd\u003e\u0026":-0.5,"t4.review.total":1000000}`
	if string(data) != want {
		t.Errorf("Marshal = %s\nwant      %s", data, want)
	}
	var back Values
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(in) {
		t.Fatalf("read back %d cells, want %d", len(back), len(in))
	}
	for i := range in {
		same := (in[i].Value == nil) == (back[i].Value == nil) && (in[i].Value == nil || *in[i].Value == *back[i].Value)
		if back[i].Key != in[i].Key || !same {
			t.Errorf("cell %d: %q %v, want %q %v", i, back[i].Key, back[i].Value, in[i].Key, in[i].Value)
		}
	}
}

// TestRecordEveryField: the JSON of a report has every field whatever the
// report (Python's rec["flags"] never raises KeyError): empty strings,
// objects and lists rather than missing keys; provenance and sections when
// asked for, even empty; every provenance and finding with all of its
// fields, null where they do not apply.
func TestRecordEveryField(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	reps := []*Report{
		{Source: "a.txt", Status: StatusError, Error: "unreadable"},
		{Source: "b.html", Status: StatusOK, Template: Template2019, Agency: "甲", Year: 2019,
			Cells: []Cell{{Key: "t3.new.total", Value: f(3), Source: &Provenance{Table: 1, Row: 2, Col: 3, Raw: "3", Engine: "html", Path: "html>body>table[1]>tr[3]>td[4]"}}},
			Findings: []Finding{{Rule: RuleMissingTable, Cells: []string{}, Detail: "no table 四"},
				{Rule: RuleReviewSum, Cells: []string{"t4.review.total"}, Detail: "…", Expected: f(4), Actual: f(3), Difference: f(-1)}}},
	}
	top := []string{"source", "sha256", "size", "format", "agency", "year", "title", "published", "published_from", "template",
		"status", "reason", "error", "parser", "cells", "extra_cells", "flags", "extra_labels", "findings"}
	for _, rep := range reps {
		for _, asked := range []bool{false, true} {
			b, err := json.Marshal(rep.Record(asked, asked))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range top {
				if _, ok := m[k]; !ok || m[k] == nil {
					t.Errorf("%s: no %q in %s", rep.Source, k, b)
				}
			}
			for _, k := range []string{"provenance", "sections"} {
				if _, ok := m[k]; ok != asked {
					t.Errorf("%s: %q present %v, asked %v", rep.Source, k, ok, asked)
				}
			}
			for _, x := range m["findings"].([]any) {
				for _, k := range []string{"rule", "cells", "detail", "expected", "actual", "difference"} {
					if _, ok := x.(map[string]any)[k]; !ok {
						t.Errorf("%s: finding without %q: %v", rep.Source, k, x)
					}
				}
			}
			if p, ok := m["provenance"].(map[string]any); ok {
				for _, x := range p {
					for _, k := range []string{"table", "row", "col", "page", "box", "raw", "engine", "path", "line", "col_from", "col_to"} {
						if _, ok := x.(map[string]any)[k]; !ok {
							t.Errorf("%s: provenance without %q: %v", rep.Source, k, x)
						}
					}
				}
			}
		}
	}
	// A flag lists all three qualifiers.
	rep := &Report{Cells: []Cell{{Key: "t3.new.total", Blank: "dash"}}}
	b, _ := json.Marshal(rep.Record(false, false))
	if want := `"flags":{"t3.new.total":{"blank":"dash","unit":"","uncertain":""}}`; !strings.Contains(string(b), want) {
		t.Errorf("flags: %s, want %s", b, want)
	}
}
