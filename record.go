package nianbao

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Record is the JSON form of a Report: one object per document, the form
// `nianbao parse --json` prints one per line. Cells map canonical keys to
// numbers or null, in schema order. Every field is always written (an
// empty string, an empty object or list), so that a reader never meets a
// missing key; provenance and sections are written when asked for.
type Record struct {
	Source string `json:"source"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Format Format `json:"format"`
	Agency string `json:"agency"`
	Year   int    `json:"year"`
	Title  string `json:"title"`
	// Published is the publication date the document states (YYYY-MM-DD),
	// PublishedFrom where: "page" (a 发布日期 line) or "meta".
	Published     string   `json:"published"`
	PublishedFrom string   `json:"published_from"`
	Template      Template `json:"template"`
	Status        Status   `json:"status"`
	Reason        string   `json:"reason"`
	Error         string   `json:"error"`
	Parser        string   `json:"parser"`
	Cells         Values   `json:"cells"`
	Extra         Values   `json:"extra_cells"`
	// Flags lists, for every cell that has one, why it is blank, the unit
	// it was printed in, and why it is uncertain.
	Flags      map[string]Flags  `json:"flags"`
	ExtraLabel map[string]string `json:"extra_labels"`
	Findings   []Finding         `json:"findings"`
	// Provenance and Sections are nil unless asked for (Report.Record),
	// and then written even when empty.
	Provenance map[string]*Provenance `json:"provenance,omitzero"`
	Sections   map[string]string      `json:"sections,omitzero"`
}

// Flags are the qualifiers of one cell, each "" when it does not apply.
type Flags struct {
	Blank     string `json:"blank"`
	Unit      string `json:"unit"`
	Uncertain string `json:"uncertain"`
}

// Values is an ordered list of cells that marshals as a JSON object
// {key: number|null} keeping its order.
type Values []Cell

// MarshalJSON writes the cells as an object in their order.
func (v Values) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*40)
	b = append(b, '{')
	for i, c := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if plainKey(c.Key) {
			b = append(b, '"')
			b = append(b, c.Key...)
			b = append(b, '"')
		} else {
			k, _ := json.Marshal(c.Key)
			b = append(b, k...)
		}
		b = append(b, ':')
		if c.Value == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, *c.Value, 'f', -1, 64)
		}
	}
	return append(b, '}'), nil
}

// plainKey reports a key JSON writes as it is: the canonical keys are all
// such, extra keys (printed labels) may not be.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// UnmarshalJSON reads an object of cells; the order is the object's.
func (v *Values) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	*v = (*v)[:0]
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		var f *float64
		if err := dec.Decode(&f); err != nil {
			return err
		}
		*v = append(*v, Cell{Key: key, Value: f})
	}
	_, err := dec.Token() // }
	return err
}

// Record returns the JSON form of the report; provenance adds where each
// cell was printed, sections the prose of sections 一, 五, 六.
func (r *Report) Record(provenance, sections bool) Record {
	rec := Record{Source: r.Source, SHA256: r.SHA256, Size: r.Size, Format: r.Format, Agency: r.Agency,
		Year: r.Year, Title: r.Title, Published: r.Published, PublishedFrom: r.PublishedFrom, Template: r.Template, Status: r.Status, Reason: r.Reason, Error: r.Error,
		Parser: r.Parser, Cells: Values(r.Cells), Extra: Values(r.Extra), Findings: r.Findings}
	if rec.Cells == nil {
		rec.Cells = Values{}
	}
	if rec.Extra == nil {
		rec.Extra = Values{}
	}
	if rec.Findings == nil {
		rec.Findings = []Finding{}
	}
	rec.Flags, rec.ExtraLabel = map[string]Flags{}, map[string]string{}
	if provenance {
		rec.Provenance = map[string]*Provenance{}
	}
	for _, list := range [][]Cell{r.Cells, r.Extra} {
		for _, c := range list {
			if c.Blank != "" || c.Unit != "" || c.Uncertain != "" {
				rec.Flags[c.Key] = Flags{Blank: c.Blank, Unit: c.Unit, Uncertain: c.Uncertain}
			}
			if provenance && c.Source != nil {
				rec.Provenance[c.Key] = c.Source
			}
		}
	}
	for _, c := range r.Extra {
		if c.Label != "" {
			rec.ExtraLabel[c.Key] = c.Label
		}
	}
	if sections {
		rec.Sections = r.Sections
		if rec.Sections == nil {
			rec.Sections = map[string]string{}
		}
	}
	return rec
}
