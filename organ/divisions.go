// Package organ says which organ a printed name is: the canonical name, the
// kind of organ, and its place in China's administrative divisions (the
// NBS 统计用区划代码 table bundled in divisions/). Names vary from year to
// year and site to site — 淮安市洪泽区人民政府 and 洪泽区人民政府, 沭阳县发改局
// and 沭阳县发展和改革局 — and resolve to one organ; a name whose place
// nothing decides (朝阳区 is in 北京 and in 长春) stays unplaced, with the
// reason, never guessed.
package organ

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
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

// Table is a divisions table, indexed by code and by name.
type Table struct {
	// Date says which year's table this is, recorded wherever organs are
	// placed with it (divisions change every year).
	Date    string
	byCode  map[string]*Division
	byName  map[string][]*Division
	kids    map[string][]*Division
	maxName int // the longest name, in bytes
}

// Lookup returns the division with this code, or nil.
func (t *Table) Lookup(code string) *Division { return t.byCode[code] }

// Named returns the divisions with this name (several: 朝阳区).
func (t *Table) Named(name string) []*Division { return t.byName[name] }

// Children returns the divisions right below the one with this code, in
// the table's order.
func (t *Table) Children(code string) []*Division { return t.kids[code] }

// BundledDate is the year of the NBS data in divisions/ (see its README).
const BundledDate = "2023"

var (
	//go:embed divisions/provinces.csv
	provincesCSV []byte
	//go:embed divisions/cities.csv
	citiesCSV []byte
	//go:embed divisions/areas.csv
	areasCSV []byte
	//go:embed divisions/streets.csv
	streetsCSV []byte

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
// areaCode,…). Each row's parent must come in an earlier file.
func Load(date string, provinces, cities, areas, streets []byte) (*Table, error) {
	t := &Table{Date: date, byCode: make(map[string]*Division, 46000), byName: make(map[string][]*Division, 40000), kids: make(map[string][]*Division, 3400)}
	for _, f := range []struct {
		name  string
		data  []byte
		level Level
	}{{"provinces", provinces, LevelProvince}, {"cities", cities, LevelCity}, {"areas", areas, LevelCounty}, {"streets", streets, LevelTownship}} {
		r := csv.NewReader(bytes.NewReader(f.data))
		r.ReuseRecord = true
		if _, err := r.Read(); err != nil { // header
			return nil, fmt.Errorf("divisions %s: %w", f.name, err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("divisions %s: %w", f.name, err)
			}
			if len(rec) < 2 || (f.level != LevelProvince && len(rec) < 3) {
				return nil, fmt.Errorf("divisions %s: short row %q", f.name, rec)
			}
			d := &Division{Code: rec[0], Name: rec[1], Level: f.level}
			if f.level != LevelProvince {
				if d.Parent = t.byCode[rec[2]]; d.Parent == nil {
					return nil, fmt.Errorf("divisions %s: %s %s: no parent %s", f.name, d.Code, d.Name, rec[2])
				}
				t.kids[d.Parent.Code] = append(t.kids[d.Parent.Code], d)
			}
			if _, dup := t.byCode[d.Code]; dup {
				return nil, fmt.Errorf("divisions %s: code %s twice", f.name, d.Code)
			}
			t.byCode[d.Code] = d
			if !d.placeholder() && utf8.RuneCountInString(d.Name) >= 2 {
				t.byName[d.Name] = append(t.byName[d.Name], d)
				t.maxName = max(t.maxName, len(d.Name))
			}
		}
	}
	return t, nil
}
