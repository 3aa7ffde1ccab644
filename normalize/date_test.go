package normalize

import "testing"

func TestDates(t *testing.T) {
	for _, c := range []struct {
		in, date, published string
	}{
		{"发布日期：2024-01-20", "2024-01-20", "2024-01-20"},
		{"发布时间: 2024/1/5 10:31:00　　来源：淮安市人民政府", "2024-01-05", "2024-01-05"},
		{"日期：2024年1月20日", "2024-01-20", "2024-01-20"},
		{"发布日期：２０２４－０１－２８", "2024-01-28", "2024-01-28"},
		{"2024.01.31", "2024-01-31", ""},
		{"淮安市人民政府 2024年1月25日", "2024-01-25", ""}, // a signature: no publication label
		{"发布日期：2024-02-30", "", ""},
		{"成文日期：2024-01-10　发布日期：2024-01-22", "2024-01-10", "2024-01-22"},
		{"成文日期：2024-01-10", "2024-01-10", ""},
		{"浏览次数：2024", "", ""},
	} {
		d, ok := Date(c.in)
		if ok != (c.date != "") || d != c.date {
			t.Errorf("Date(%q) = %q %v, want %q", c.in, d, ok, c.date)
		}
		p, ok := PublishedDate(c.in)
		if ok != (c.published != "") || p != c.published {
			t.Errorf("PublishedDate(%q) = %q %v, want %q", c.in, p, ok, c.published)
		}
	}
	for _, c := range []struct {
		year          int
		published     string
		onTime, known bool
	}{
		{2023, "2024-01-31", true, true},
		{2023, "2024-02-01", false, true},
		{2023, "2023-12-30", true, true},
		{2023, "", false, false},
		{0, "2024-01-01", false, false},
	} {
		on, known := OnTime(c.year, c.published)
		if on != c.onTime || known != c.known {
			t.Errorf("OnTime(%d, %q) = %v %v", c.year, c.published, on, known)
		}
	}
}
