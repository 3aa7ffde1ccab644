// Package organ says which organ a printed name is: the canonical name, the
// kind of organ, and its place in China's administrative divisions (the
// NBS 统计用区划代码 table bundled in divisions/). Names vary from year to
// year and site to site — 淮安市洪泽区人民政府 and 洪泽区人民政府, 沭阳县发改局
// and 沭阳县发展和改革局 — and resolve to one organ; a name whose place
// nothing decides (朝阳区 is in 北京 and in 长春) stays unplaced, with the
// reason, never guessed.
package organ

import (
	"cmp"
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Level is the level of a division or organ.
type Level string

const (
	LevelProvince Level = "省" // province, municipality, autonomous region
	LevelCity     Level = "市" // prefecture city, 盟, 自治州
	LevelCounty   Level = "县" // district, county, county-level city, 旗, development zone
	LevelTownship Level = "乡" // 乡, 镇, 街道
)

// Division is one administrative division.
type Division struct {
	Code   string // 2, 4, 6 or 9 digits
	Name   string
	Level  Level
	Parent *Division // nil for a province
}

// Path returns the division and those above it, province first.
func (d *Division) Path() []*Division {
	var p []*Division
	for x := d; x != nil; x = x.Parent {
		p = append(p, x)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Under reports whether d is a (or the same) division as a or below it.
func (d *Division) Under(a *Division) bool {
	for x := d; x != nil; x = x.Parent {
		if x == a {
			return true
		}
	}
	return false
}

// placeholder reports whether a city-level row stands for no real city:
// the 市辖区 and 县 of the municipalities, and the counties a province
// administers directly. Such names are never printed in an organ's name.
func (d *Division) placeholder() bool {
	return d.Level == LevelCity && (d.Name == "市辖区" || d.Name == "县" || strings.HasPrefix(d.Name, "省直辖") || strings.HasPrefix(d.Name, "自治区直辖"))
}

// zone reports whether a county-level division is a development zone or a
// similar area (the NBS codes them x7x: 130171 石家庄高新技术产业开发区).
func (d *Division) zone() bool {
	return d.Level == LevelCounty && len(d.Code) == 6 && d.Code[4] == '7'
}

// Table is a divisions table, indexed by code and by name. It is held
// compactly — one slice of divisions sorted by code, its names slices of
// the CSV text, and a sorted index of names — because ingest keeps it for
// its whole run, inside a heap limit its garbage collector works to.
type Table struct {
	// Date says which year's table this is, recorded wherever organs are
	// placed with it (divisions change every year).
	Date    string
	divs    []Division // sorted by code
	codes   []uint64   // codeKey of each of divs
	names   []int32    // indices into divs, sorted by name then code
	maxName int        // the longest name, in bytes

	kidsOnce sync.Once
	kids     map[string][]*Division
}

// Lookup returns the division with this code, or nil.
func (t *Table) Lookup(code string) *Division {
	k, ok := codeKey(code)
	if !ok {
		return nil
	}
	i, ok := slices.BinarySearch(t.codes, k)
	if !ok {
		return nil
	}
	return &t.divs[i]
}

// codeKey returns a number that orders codes as their text does: the
// digits padded with zeros to 12, then the length (a code comes before
// the longer ones it begins). Sorting the table by comparing strings was
// most of the time a program took to start.
func codeKey(code string) (uint64, bool) {
	if code == "" || len(code) > maxCode {
		return 0, false
	}
	var v uint64
	for i := range maxCode {
		v *= 10
		if i < len(code) {
			c := code[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v += uint64(c - '0')
		}
	}
	return v<<4 | uint64(len(code)), true
}

const (
	maxCode = 12 // digits of the longest code (a village's)
	// idxBits are the low bits of a sort key that hold a row's index: a
	// codeKey is below 2^44.
	idxBits = 20
)

// Named returns the divisions with this name (several: 朝阳区).
func (t *Table) Named(name string) []*Division {
	from, to := t.nameRange(name)
	if from == to {
		return nil
	}
	out := make([]*Division, 0, to-from)
	for _, i := range t.names[from:to] {
		out = append(out, &t.divs[i])
	}
	return out
}

// nameRange returns where the divisions named name are in t.names.
func (t *Table) nameRange(name string) (int, int) {
	cmp := func(i int32, name string) int { return strings.Compare(t.divs[i].Name, name) }
	from, ok := slices.BinarySearchFunc(t.names, name, cmp)
	if !ok {
		return from, from
	}
	to := from + 1
	for to < len(t.names) && t.divs[t.names[to]].Name == name {
		to++
	}
	return from, to
}

// Children returns the divisions right below the one with this code, in
// code order.
func (t *Table) Children(code string) []*Division {
	t.kidsOnce.Do(func() {
		t.kids = map[string][]*Division{}
		for i := range t.divs {
			if p := t.divs[i].Parent; p != nil {
				t.kids[p.Code] = append(t.kids[p.Code], &t.divs[i])
			}
		}
	})
	return t.kids[code]
}

// BundledDate is the year of the NBS data in divisions/ (see its README).
const BundledDate = "2023"

var (
	//go:embed divisions/provinces.csv
	provincesCSV string
	//go:embed divisions/cities.csv
	citiesCSV string
	//go:embed divisions/areas.csv
	areasCSV string
	//go:embed divisions/streets.csv
	streetsCSV string

	bundledOnce sync.Once
	bundled     *Table
	bundledErr  error
)

// Bundled returns the divisions table compiled into the program, read once.
func Bundled() (*Table, error) {
	bundledOnce.Do(func() {
		bundled, bundledErr = Load(BundledDate, provincesCSV, citiesCSV, areasCSV, streetsCSV)
	})
	return bundled, bundledErr
}

// Load reads a divisions table from its four CSV files (the format of
// divisions/README.md): provinces (code,name), cities (code,name,
// provinceCode), areas (code,name,cityCode,…) and streets (code,name,
// areaCode,…), a header line first, names in double quotes. A division's
// code and name are slices of the text given, which the table keeps.
func Load(date string, provinces, cities, areas, streets string) (*Table, error) {
	n := 0
	files := []struct {
		name, data string
		level      Level
	}{{"provinces", provinces, LevelProvince}, {"cities", cities, LevelCity}, {"areas", areas, LevelCounty}, {"streets", streets, LevelTownship}}
	for _, f := range files {
		n += strings.Count(f.data, "\n")
	}
	if n >= 1<<idxBits {
		return nil, fmt.Errorf("divisions: %d rows, more than %d", n, 1<<idxBits)
	}
	t := &Table{Date: date, divs: make([]Division, 0, n)}
	parents := make([]string, 0, n)
	keys := make([]uint64, 0, n) // codeKey and index, to sort by
	for _, f := range files {
		data := f.data
		_, data, _ = strings.Cut(data, "\n") // header
		for line := 2; data != ""; line++ {
			var row string
			row, data, _ = strings.Cut(data, "\n")
			row = strings.TrimSuffix(row, "\r")
			if row == "" {
				continue
			}
			code, rest, ok1 := strings.Cut(row, ",")
			name, rest, ok2 := cutQuoted(rest)
			parent, _, _ := strings.Cut(rest, ",")
			key, ok3 := codeKey(code)
			if !ok1 || !ok2 || !ok3 || (f.level != LevelProvince && parent == "") {
				return nil, fmt.Errorf("divisions %s:%d: %q is no row of code,\"name\",parent", f.name, line, row)
			}
			keys = append(keys, key<<idxBits|uint64(len(t.divs)))
			t.divs = append(t.divs, Division{Code: code, Name: name, Level: f.level})
			parents = append(parents, parent)
		}
	}
	// Sorted by code, parents resolved by code; a parent must be in the
	// table at a level above.
	slices.Sort(keys)
	sorted := make([]Division, len(t.divs))
	sortedParents := make([]string, len(t.divs))
	t.codes = make([]uint64, len(t.divs))
	for i, k := range keys {
		j := k & (1<<idxBits - 1)
		sorted[i], sortedParents[i], t.codes[i] = t.divs[j], parents[j], k>>idxBits
		if i > 0 && t.codes[i] == t.codes[i-1] {
			return nil, fmt.Errorf("divisions: code %s twice", sorted[i].Code)
		}
	}
	t.divs = sorted
	for i := range t.divs {
		d := &t.divs[i]
		if d.Level == LevelProvince {
			continue
		}
		if d.Parent = t.Lookup(sortedParents[i]); d.Parent == nil || d.Parent.Level == d.Level {
			return nil, fmt.Errorf("divisions: %s %s: no parent %s", d.Code, d.Name, sortedParents[i])
		}
	}
	for i := range t.divs {
		d := &t.divs[i]
		if !d.placeholder() && utf8.RuneCountInString(d.Name) >= 2 {
			t.names = append(t.names, int32(i))
			t.maxName = max(t.maxName, len(d.Name))
		}
	}
	// The first eight bytes of a name decide most comparisons as one
	// number; the strings are compared only when those are equal.
	prefix := make([]uint64, len(t.divs))
	for _, i := range t.names {
		var b [8]byte
		copy(b[:], t.divs[i].Name)
		prefix[i] = binary.BigEndian.Uint64(b[:])
	}
	slices.SortFunc(t.names, func(a, b int32) int {
		if pa, pb := prefix[a], prefix[b]; pa != pb {
			return cmp.Compare(pa, pb)
		}
		if c := strings.Compare(t.divs[a].Name, t.divs[b].Name); c != 0 {
			return c
		}
		return cmp.Compare(t.codes[a], t.codes[b])
	})
	return t, nil
}

// cutQuoted cuts a field in double quotes (no quote inside) and the comma
// after it from s.
func cutQuoted(s string) (field, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", "", false
	}
	field, rest = s[1:1+end], s[2+end:]
	rest = strings.TrimPrefix(rest, ",")
	return field, rest, true
}
