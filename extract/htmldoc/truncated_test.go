package htmldoc

import "testing"

// A page that stops inside a table was cut; one that closes its body with
// a table left open (sloppy markup) was not.
func TestTruncated(t *testing.T) {
	for _, c := range []struct {
		name, page string
		cut        bool
	}{
		{"cut inside a row", `<html><body><p>四、行政复议</p><table><tr><td>72</td><td>6`, true},
		{"cut inside a tag", `<html><body><table><tr><td>72</td><td`, true},
		{"cut after the table", `<html><body><table><tr><td>72</td></tr></table><p>五、`, false},
		{"table left open, page closed", `<html><body><table><tr><td>72</td></body></html>`, false},
		{"whole page", `<html><body><table><tr><td>72</td></tr></table></body></html>`, false},
	} {
		if got := extract(t, c.page).Truncated != ""; got != c.cut {
			t.Errorf("%s: truncated %v, want %v", c.name, got, c.cut)
		}
	}
}
