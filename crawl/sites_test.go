package crawl

import (
	"strings"
	"testing"
	"time"
)

func TestParseSites(t *testing.T) {
	in := `# annual-report columns
https://www.example.gov.cn/col/ndbg/index.html name=某市人民政府 delay=5s

  http://zwgk.example.gov.cn/nb/#top  max-pages=300 max-bytes=200MB hosts=files.example.gov.cn,cdn.example.gov.cn:8080
`
	sites, err := ParseSites(strings.NewReader(in), "sites.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 2 {
		t.Fatalf("%d sites", len(sites))
	}
	a, b := sites[0], sites[1]
	if a.Start != "https://www.example.gov.cn/col/ndbg/index.html" || a.Name != "某市人民政府" || a.Delay == nil || *a.Delay != 5*time.Second {
		t.Errorf("site 1: %+v", a)
	}
	if b.Start != "http://zwgk.example.gov.cn/nb/" || b.MaxPages != 300 || b.MaxBytes != 200<<20 ||
		strings.Join(b.Hosts, " ") != "files.example.gov.cn cdn.example.gov.cn:8080" || b.Delay != nil {
		t.Errorf("site 2: %+v", b)
	}
}

func TestParseSitesErrors(t *testing.T) {
	for in, want := range map[string]string{
		"ftp://x.gov.cn/":                        "sites.txt:1: crawl: start URL",
		"www.x.gov.cn/nb/":                       "want an http(s) URL",
		"http://x.gov.cn/ name":                  "want key=value",
		"http://x.gov.cn/ delay=fast":            "delay \"fast\"",
		"http://x.gov.cn/ delay=-1s":             "delay",
		"http://x.gov.cn/ max-pages=0":           "max-pages",
		"http://x.gov.cn/ max-bytes=lots":        "max-bytes",
		"http://x.gov.cn/ colour=red":            "unknown setting \"colour\"",
		"http://x.gov.cn/ hosts=http://y/":       "not a host name",
		"\n\nhttp://x.gov.cn/\nhttp://x.gov.cn/": "sites.txt:4: http://x.gov.cn/ is already listed on line 3",
	} {
		_, err := ParseSites(strings.NewReader(in), "sites.txt")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "500000": 500000, "200KB": 200 << 10, "64MB": 64 << 20, "2GB": 2 << 30,
		"1GiB": 1 << 30, "10 MB": 10 << 20, "3m": 3 << 20, "7B": 7} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "MB", "1.5GB", "99999999999999999GB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) accepted", in)
		}
	}
}

func FuzzParseSites(f *testing.F) {
	f.Add("https://www.example.gov.cn/col/ndbg/index.html name=某市 delay=5s\n# c\n")
	f.Add("http://x.gov.cn/ max-pages=3 max-bytes=2MB hosts=a.gov.cn,b.gov.cn:81\n")
	f.Add("http://x.gov.cn/ =\n")
	f.Fuzz(func(t *testing.T, in string) {
		sites, err := ParseSites(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, s := range sites {
			if !strings.HasPrefix(s.Start, "http://") && !strings.HasPrefix(s.Start, "https://") {
				t.Errorf("start %q", s.Start)
			}
			if s.MaxPages < 0 || s.MaxBytes < 0 || (s.Delay != nil && *s.Delay < 0) {
				t.Errorf("negative setting: %+v", s)
			}
		}
	})
}

// A site's division places the reports whose organ name says no place: as
// the sites file gives it, or where the site's organ name places it.
func TestSiteDivision(t *testing.T) {
	sites, err := ParseSites(strings.NewReader("https://a.gov.cn/nb/ name=淮安市人民政府\nhttps://b.gov.cn/nb/ name=朝阳区人民政府\nhttps://c.gov.cn/nb/ name=朝阳区人民政府 division=220104\n"), "sites.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"3208", "", "220104"} {
		if got := siteDivision(sites[i]); got != want {
			t.Errorf("%s: division %q, want %q", sites[i].Start, got, want)
		}
	}
	for _, bad := range []string{"division=32081", "division=x", "division=3208a"} {
		if _, err := ParseSites(strings.NewReader("https://a.gov.cn/nb/ "+bad+"\n"), "sites.txt"); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
