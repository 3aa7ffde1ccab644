package nianbao

import (
	"encoding/json"
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
