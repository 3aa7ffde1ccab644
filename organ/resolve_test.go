package organ

import (
	"strings"
	"testing"
)

func table(t testing.TB) *Table {
	t.Helper()
	tb, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestBundled(t *testing.T) {
	tb := table(t)
	for code, want := range map[string]string{"41": "河南省", "4107": "新乡市", "410703": "卫滨区", "320813": "洪泽区", "110105": "朝阳区", "110101001": "东华门街道"} {
		d := tb.Lookup(code)
		if d == nil || d.Name != want {
			t.Errorf("%s: %+v, want %s", code, d, want)
		}
	}
	if d := tb.Lookup("410703"); d.Level != LevelCounty || d.Parent.Code != "4107" || d.Parent.Parent.Code != "41" {
		t.Errorf("卫滨区: %+v", d)
	}
	if n := len(tb.Named("朝阳区")); n != 2 {
		t.Errorf("朝阳区: %d divisions, want 2", n)
	}
	if len(tb.Named("市辖区")) != 0 {
		t.Error("placeholder city names are indexed")
	}
}

func TestResolve(t *testing.T) {
	tb := table(t)
	for _, c := range []struct {
		printed string
		hint    Hint
		key     string // "" for unplaced
		name    string
		kind    Kind
		level   Level
		parent  string
		how     string
		why     string // part of Why, for unplaced
	}{
		// The samples.
		{printed: "新乡市卫滨区人民政府办公室", key: "410703/人民政府办公室", name: "新乡市卫滨区人民政府办公室", kind: KindOffice, level: LevelCounty, parent: "410703/人民政府", how: HowDivision},
		{printed: "淮安市人民政府", key: "3208/人民政府", name: "淮安市人民政府", kind: KindGovernment, level: LevelCity, how: HowDivision},
		{printed: "上海市人民政府办公厅", key: "31/人民政府办公厅", name: "上海市人民政府办公厅", kind: KindOffice, level: LevelProvince, parent: "31/人民政府", how: HowDivision},
		// A city or province prefix makes no new organ.
		{printed: "淮安市洪泽区人民政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: "洪泽区人民政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: "江苏省淮安市洪泽区人民政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: "江苏省洪泽区人民政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		// Abbreviations.
		{printed: "沭阳县发改局", key: "321322/发展和改革局", name: "宿迁市沭阳县发展和改革局", kind: KindDepartment, level: LevelCounty, parent: "321322/人民政府", how: HowAlias},
		{printed: "沭阳县发展和改革局", key: "321322/发展和改革局", name: "宿迁市沭阳县发展和改革局", kind: KindDepartment, level: LevelCounty, parent: "321322/人民政府", how: HowDivision},
		{printed: "上海市科委", key: "31/科学技术委员会", name: "上海市科学技术委员会", kind: KindDepartment, level: LevelProvince, parent: "31/人民政府", how: HowAlias},
		{printed: "北京市政府办公厅", key: "11/人民政府办公厅", name: "北京市人民政府办公厅", kind: KindOffice, level: LevelProvince, parent: "11/人民政府", how: HowAlias},
		{printed: "洪泽区政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowAlias},
		// Traditional characters, spaces, full-width forms, CMS labels.
		{printed: "淮安市洪澤區人民政府", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: " 洪泽区 人民 政府 ", key: "320813/人民政府", name: "淮安市洪泽区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: "标题:沭阳县发展和改革局", key: "321322/发展和改革局", name: "宿迁市沭阳县发展和改革局", kind: KindDepartment, level: LevelCounty, parent: "321322/人民政府", how: HowDivision},
		{printed: "标题：沭阳县发展和改革局", key: "321322/发展和改革局", name: "宿迁市沭阳县发展和改革局", kind: KindDepartment, level: LevelCounty, parent: "321322/人民政府", how: HowDivision},
		// An alias of a division, and a bare division name.
		{printed: "标题:平潭综合实验区", key: "350128/", name: "福州市平潭县", kind: KindOther, level: LevelCounty, how: HowDivision},
		{printed: "平潭综合实验区管委会", key: "350128/管理委员会", name: "福州市平潭县管理委员会", kind: KindZone, level: LevelCounty, parent: "", how: HowAlias},
		// Municipalities: the province is the city.
		{printed: "北京市朝阳区人民政府", key: "110105/人民政府", name: "北京市朝阳区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		{printed: "长春市朝阳区人民政府", key: "220104/人民政府", name: "长春市朝阳区人民政府", kind: KindGovernment, level: LevelCounty, how: HowDivision},
		// Ambiguous: decided by the site, else unplaced with the reason.
		{printed: "朝阳区人民政府", why: "朝阳区 names 2 divisions (110105 北京市朝阳区, 220104 吉林省长春市朝阳区)"},
		{printed: "朝阳区人民政府", hint: Hint{Division: "2201"}, key: "220104/人民政府", name: "长春市朝阳区人民政府", kind: KindGovernment, level: LevelCounty, how: HowSite},
		{printed: "朝阳区人民政府", hint: Hint{Division: "11"}, key: "110105/人民政府", name: "北京市朝阳区人民政府", kind: KindGovernment, level: LevelCounty, how: HowSite},
		{printed: "朝阳区人民政府", hint: Hint{Division: "32"}, why: "nothing printed decides"},
		// No division in the name: the site's, else unplaced.
		{printed: "市政府办公室", hint: Hint{Division: "3208"}, key: "3208/人民政府办公室", name: "淮安市人民政府办公室", kind: KindOffice, level: LevelCity, parent: "3208/人民政府", how: HowSite},
		{printed: "市政府办公室", why: "no division named in it"},
		{printed: "国家税务总局", why: "no division named in it"},
		// Townships and streets.
		{printed: "沭阳县沭城街道办事处", key: "321322001/办事处", name: "宿迁市沭阳县沭城街道办事处", kind: KindStreet, level: LevelTownship, how: HowDivision},
		// Manual decisions win.
		{printed: "朝阳区人民政府", hint: Hint{Manual: map[string]string{"朝阳区人民政府": "220104"}}, key: "220104/人民政府", name: "长春市朝阳区人民政府", kind: KindGovernment, level: LevelCounty, how: HowManual},
		{printed: "市政府办", hint: Hint{Manual: map[string]string{"市政府办": "淮安市人民政府办公室"}}, key: "3208/人民政府办公室", name: "淮安市人民政府办公室", kind: KindOffice, level: LevelCity, parent: "3208/人民政府", how: HowManual},
	} {
		o := tb.Resolve(c.printed, c.hint)
		if c.key == "" {
			if o.Placed() || o.How != HowUnplaced || !strings.Contains(o.Why, c.why) || !strings.HasPrefix(o.Key, "?") {
				t.Errorf("%q %+v: %+v, want unplaced because %q", c.printed, c.hint, o, c.why)
			}
			continue
		}
		if o.Key != c.key || (c.name != "" && o.Name != c.name) || o.Kind != c.kind || o.Level != c.level || o.Parent != c.parent || o.How != c.how {
			t.Errorf("%q %+v:\n got %s %s %s %s parent %q how %s (%s)\nwant %s %s %s %s parent %q how %s",
				c.printed, c.hint, o.Key, o.Name, o.Kind, o.Level, o.Parent, o.How, o.Why, c.key, c.name, c.kind, c.level, c.parent, c.how)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	tb := table(b)
	names := []string{"新乡市卫滨区人民政府办公室", "淮安市洪泽区人民政府", "沭阳县发改局", "朝阳区人民政府", "上海市科委", "国家税务总局"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tb.Resolve(names[i%len(names)], Hint{})
		i++
	}
}

func BenchmarkBundled(b *testing.B) {
	for b.Loop() {
		if _, err := Load(BundledDate, provincesCSV, citiesCSV, areasCSV, streetsCSV); err != nil {
			b.Fatal(err)
		}
	}
}
