package organ

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/nianbao/nianbao/normalize"
)

// Kind is what sort of organ a name is.
type Kind string

const (
	KindGovernment Kind = "人民政府"
	KindOffice     Kind = "人民政府办公室" // or 办公厅
	KindDepartment Kind = "部门"      // 局, 委, 办, 厅 …
	KindTownship   Kind = "乡镇"
	KindStreet     Kind = "街道"
	KindZone       Kind = "开发区" // development zones and their 管委会
	KindOther      Kind = "其他"
)

// How says what decided an organ's place.
const (
	HowDivision = "division"     // the divisions printed in the name, one match
	HowAlias    = "abbreviation" // a printed short form (aliases.tsv) and the divisions
	HowSite     = "site"         // the division of the site the report came from
	HowManual   = "manual"       // a decision in the names file
	HowUnplaced = "unplaced"     // nothing decided it (see Organ.Why)
)

// Organ is what a printed name resolves to.
type Organ struct {
	// Key identifies the organ across names and years: the division code
	// and the organ's own part ("320813/人民政府"), or "?" and the cleaned
	// name when unplaced.
	Key string
	// Name is the canonical full name: the divisions from the city (or
	// the province) down, then the organ's own part: 淮安市洪泽区人民政府.
	Name     string
	Unit     string // the organ's own part: 人民政府, 发展和改革局 …; "" for a bare division name
	Kind     Kind
	Level    Level     // of its division; "" when unplaced
	Division *Division // nil when unplaced
	// Parent is the key of the organ the name says this one belongs to: a
	// government's office or department belongs to the government of its
	// division.
	Parent string
	How    string
	// Why says why the organ is unplaced, or what was ambiguous.
	Why string
}

// Placed reports whether the organ has a division.
func (o Organ) Placed() bool { return o.Division != nil }

// Hint is what besides the name may place it.
type Hint struct {
	// Division is the code of the division the report's site belongs to
	// (from the sites file), or one the organ was placed in another year.
	Division string
	// Manual maps printed names (cleaned as Clean does) to a division code
	// or to the name they stand for: decisions from `nianbao organs
	// --names FILE`, which win over everything.
	Manual map[string]string
}

//go:embed aliases.tsv
var aliasesTSV []byte

var (
	aliasOnce     sync.Once
	unitAliases   map[string]string
	divisionAlias map[string]string
)

func loadAliases() {
	unitAliases, divisionAlias = map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(aliasesTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			panic(fmt.Sprintf("organ/aliases.tsv: %q is not three fields", line))
		}
		switch f[0] {
		case "unit":
			unitAliases[f[1]] = f[2]
		case "division":
			divisionAlias[f[1]] = f[2]
		default:
			panic(fmt.Sprintf("organ/aliases.tsv: %q: unknown kind %q", line, f[0]))
		}
	}
}

// Clean returns a printed name as names are compared: Traditional
// characters made Simplified, full-width forms folded, spaces and quotes
// removed, and what content systems put before it ("标题：", "发布机构：")
// cut off.
func Clean(s string) string {
	s = width.Fold.String(normalize.Simplified(s))
	for _, label := range []string{"标题", "发布机构", "来源", "发文机关", "发布单位", "信息来源", "索引号"} {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s), label); ok {
			if rest = strings.TrimLeft(rest, " \t"); strings.HasPrefix(rest, ":") {
				s = rest[1:]
			}
		}
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune("\"'“”‘’《》「」", r) {
			return -1
		}
		return r
	}, s)
	return s
}

// Resolve says which organ a printed name is. It never fails: a name it
// cannot place gives an unplaced organ keyed by the cleaned name, with the
// reason in Why.
func (t *Table) Resolve(printed string, h Hint) Organ {
	aliasOnce.Do(loadAliases)
	name := Clean(printed)
	if v, ok := h.Manual[name]; ok {
		return t.manual(name, v)
	}
	chain, rest := t.segment(name)
	unit, aliased := expandUnit(rest)
	how := HowDivision
	if aliased {
		how = HowAlias
	}
	var d *Division
	switch {
	case len(chain) == 0 && h.Division != "":
		// A name without its division ("市政府办公室") on a site of known
		// place: the site's division, the level word dropped.
		if d = t.Lookup(h.Division); d == nil {
			return unplaced(name, unit, fmt.Sprintf("no division in the name, and the site's division %s is not in the table", h.Division))
		}
		unit, _ = expandUnit(strings.TrimLeft(rest, "省市区县镇乡"))
		how = HowSite
	case len(chain) == 0:
		return unplaced(name, unit, "no division named in it")
	default:
		last := chain[len(chain)-1]
		if len(last) > 1 && h.Division != "" {
			if hd := t.Lookup(h.Division); hd != nil {
				var near []*Division
				for _, c := range last {
					if c.Under(hd) || hd.Under(c) {
						near = append(near, c)
					}
				}
				if len(near) > 0 && len(near) < len(last) {
					last, how = near, HowSite
				}
			}
		}
		if len(last) > 1 {
			return unplaced(name, unit, ambiguity(last))
		}
		d = last[0]
	}
	return placed(d, unit, how)
}

// placed is the organ unit of division d.
func placed(d *Division, unit, how string) Organ {
	o := Organ{Key: d.Code + "/" + unit, Name: canonicalName(d, unit), Unit: unit, Kind: kindOf(d, unit),
		Level: d.Level, Division: d, How: how}
	// A government's office or department belongs to that government.
	if (o.Kind == KindOffice || o.Kind == KindDepartment) && d.Level != LevelTownship {
		o.Parent = d.Code + "/人民政府"
	}
	return o
}

// manual applies a decision of the names file: a division code places the
// name there; anything else is the name it stands for.
func (t *Table) manual(name, v string) Organ {
	if d := t.Lookup(v); d != nil {
		chain, rest := t.segment(name)
		if len(chain) == 0 {
			rest = strings.TrimLeft(name, "省市区县镇乡")
		}
		unit, _ := expandUnit(rest)
		return placed(d, unit, HowManual)
	}
	o := t.Resolve(v, Hint{})
	o.How = HowManual
	return o
}

func unplaced(name, unit string, why string) Organ {
	return Organ{Key: "?" + name, Name: name, Unit: unit, Kind: kindOf(nil, unit), How: HowUnplaced, Why: why}
}

func ambiguity(ds []*Division) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s names %d divisions (", ds[0].Name, len(ds))
	for i, d := range ds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Code + " ")
		for _, p := range d.Path() {
			if !p.placeholder() {
				b.WriteString(p.Name)
			}
		}
	}
	b.WriteString("); nothing printed decides")
	return b.String()
}

// segment reads the divisions a name starts with, each below the one
// before (江苏省淮安市洪泽区人民政府: 江苏省, 淮安市, 洪泽区), and returns the
// candidates for each and the rest of the name. At each point the longest
// name that continues the chain is taken; the candidates of every step are
// then narrowed to those the later steps lie under.
func (t *Table) segment(s string) (chain [][]*Division, rest string) {
	for len(s) > 0 {
		var next []*Division
		n := 0
		for l := min(len(s), t.maxName); l >= 6; l-- { // names have two runes or more
			if l < len(s) && !utf8.RuneStart(s[l]) {
				continue
			}
			cands := t.Named(s[:l])
			if code, ok := divisionAlias[s[:l]]; ok && cands == nil {
				if d := t.Lookup(code); d != nil {
					cands = []*Division{d}
				}
			}
			if cands == nil {
				continue
			}
			if len(chain) > 0 {
				cands = below(cands, chain[len(chain)-1])
			}
			if len(cands) > 0 {
				next, n = cands, l
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		s = s[n:]
	}
	// Narrow each step to the ancestors of what follows it.
	for i := len(chain) - 2; i >= 0; i-- {
		var keep []*Division
		for _, c := range chain[i] {
			for _, d := range chain[i+1] {
				if d.Under(c) {
					keep = append(keep, c)
					break
				}
			}
		}
		chain[i] = keep
	}
	return chain, s
}

// below keeps the candidates that lie under one of the divisions above,
// strictly.
func below(cands, above []*Division) []*Division {
	var out []*Division
	for _, c := range cands {
		for _, a := range above {
			if c != a && c.Under(a) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// expandUnit writes a short form of an organ's own part out in full.
func expandUnit(u string) (string, bool) {
	u = strings.Trim(u, "-_—|:,，。、()（）")
	if full, ok := unitAliases[u]; ok {
		return full, true
	}
	return u, false
}

// kindOf says what sort of organ a unit of a division is.
func kindOf(d *Division, unit string) Kind {
	switch {
	case strings.HasPrefix(unit, "人民政府办公"):
		return KindOffice
	case unit == "街道办事处" || d != nil && d.Level == LevelTownship && strings.HasSuffix(d.Name, "街道") && (unit == "" || unit == "办事处"):
		return KindStreet
	case unit == "人民政府" && d != nil && d.Level == LevelTownship:
		return KindTownship
	case unit == "人民政府":
		return KindGovernment
	case strings.Contains(unit, "管理委员会") || d != nil && d.zone() && unit == "":
		return KindZone
	case unit != "" && endsWithAny(unit, "局", "委员会", "委", "办公室", "办", "厅", "署", "中心", "院", "处", "所", "站", "队", "部", "会"):
		return KindDepartment
	}
	return KindOther
}

func endsWithAny(s string, suffixes ...string) bool {
	return slices.ContainsFunc(suffixes, func(x string) bool { return strings.HasSuffix(s, x) })
}

// canonicalName writes the divisions from the city down (from the
// province for a province's own organs and the municipalities), then the
// unit.
func canonicalName(d *Division, unit string) string {
	path := d.Path()
	start := 0
	if len(path) > 1 && !path[1].placeholder() {
		start = 1 // the city: 淮安市洪泽区, not 江苏省淮安市洪泽区
	}
	var b strings.Builder
	for _, p := range path[start:] {
		if !p.placeholder() {
			b.WriteString(p.Name)
		}
	}
	b.WriteString(unit)
	return b.String()
}

// OfKey returns the placed organ a key names ("410703/人民政府"): the
// parent of an office or department, which may have no report of its own.
// ok is false for an unplaced key or an unknown division.
func (t *Table) OfKey(key string) (Organ, bool) {
	code, unit, found := strings.Cut(key, "/")
	d := t.Lookup(code)
	if !found || d == nil {
		return Organ{}, false
	}
	return placed(d, unit, HowDivision), true
}

// Region returns the province, city and county of a placed organ's
// division (a township's county; nil where the division has none: a
// province's own organs have no city, and a municipality's districts none
// either, its 市辖区 being no city).
func (o Organ) Region() (province, city, county *Division) {
	if o.Division == nil {
		return nil, nil, nil
	}
	for _, d := range o.Division.Path() {
		switch {
		case d.Level == LevelProvince:
			province = d
		case d.Level == LevelCity && !d.placeholder():
			city = d
		case d.Level == LevelCounty:
			county = d
		}
	}
	return province, city, county
}
