package normalize

import (
	"errors"
	"testing"
)

func TestLabelVariants(t *testing.T) {
	// Each variant seen in real reports must normalise to the same label.
	cases := []struct{ in, want string }{
		{"（三）不予公开", "(三)不予公开"},
		{"(三) 不予公开", "(三)不予公开"},
		{"（ 三 ）不予公开", "(三)不予公开"},
		{"1.属于国家秘密", "1.属于国家秘密"},
		{"1、属于国家秘密", "1.属于国家秘密"},
		{"1．属于国家秘密", "1.属于国家秘密"},
		{"（1）属于国家秘密", "1.属于国家秘密"},
		{"(1)属于国家秘密", "1.属于国家秘密"},
		{"3.危及“三安全一稳定”", "3.危及三安全一稳定"},
		{"3.危及\"三安全一稳定\"", "3.危及三安全一稳定"},
		{"3.危及「三安全一穩定」", "3.危及三安全一稳定"},
		{"科研机 构", "科研机构"},
		{"科研\n机构", "科研机构"},
		{"科研机构\u3000", "科研机构"},
		{"一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"},
		{"一. 本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"},
		{"不予公開", "不予公开"},
		{"保護第三方合法權益", "保护第三方合法权益"},
		{"行政複議", "行政复议"},
		{"结果維持", "结果维持"},
		{"ＡＢＣ１２３", "ABC123"},
	}
	for _, c := range cases {
		if got := Label(c.in); got != c.want {
			t.Errorf("Label(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Plain("（三）不予公开 1.属于国家秘密"); got != "不予公开属于国家秘密" {
		t.Errorf("Plain = %q", got)
	}
}

func TestNumber(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		in    string
		want  *float64
		unit  string
		blank string
		bad   bool
	}{
		{"3", f(3), "", "", false},
		{" 447228 ", f(447228), "", "", false},
		{"１２３", f(123), "", "", false},
		{"1,808,595", f(1808595), "", "", false},
		{"1，808，595", f(1808595), "", "", false},
		{"14.2404", f(14.2404), "", "", false},
		{"14.2404万元", f(14.2404), "万元", "", false},
		{"251000元", f(251000), "元", "", false},
		{"-5", f(-5), "", "", false},
		{"－5", f(-5), "", "", false},
		{"减5", f(-5), "", "", false},
		{"+2", f(2), "", "", false},
		{"0", f(0), "", "", false},
		{"-0", f(0), "", "", false},
		{"12件", f(12), "件", "", false},
		{"", nil, "", "blank", false},
		{"\u00a0", nil, "", "blank", false},
		{"/", nil, "", "slash", false},
		{"／", nil, "", "slash", false},
		{"-", nil, "", "dash", false},
		{"—", nil, "", "dash", false},
		{"——", nil, "", "dash", false},
		{" — ", nil, "", "dash", false},
		{"−", nil, "", "dash", false},
		{"–", nil, "", "dash", false},
		{"- -", nil, "", "dash", false},
		{"\u3000/\u3000", nil, "", "slash", false},
		{"\\", nil, "", "slash", false},
		{"//", nil, "", "slash", false},
		{"无", nil, "", "无", false},
		{" 无 ", nil, "", "无", false},
		{"暂无", nil, "", "无", false},
		{"见附件", nil, "", "unreadable", true},
		{"1,2", nil, "", "unreadable", true},
		{"12a", nil, "", "unreadable", true},
		{"1e9", nil, "", "unreadable", true},
	}
	for _, c := range cases {
		got, err := Number(c.in)
		if (err != nil) != c.bad {
			t.Errorf("Number(%q) error = %v, want error %v", c.in, err, c.bad)
		}
		if c.bad && !errors.Is(err, ErrNotNumber) {
			t.Errorf("Number(%q) error %v is not ErrNotNumber", c.in, err)
		}
		switch {
		case (got.Value == nil) != (c.want == nil):
			t.Errorf("Number(%q) = %v, want %v", c.in, got.Value, c.want)
		case got.Value != nil && *got.Value != *c.want:
			t.Errorf("Number(%q) = %v, want %v", c.in, *got.Value, *c.want)
		}
		if got.Unit != c.unit || got.Blank != c.blank {
			t.Errorf("Number(%q) unit %q blank %q, want %q %q", c.in, got.Unit, got.Blank, c.unit, c.blank)
		}
	}
}

func TestAmount(t *testing.T) {
	cases := []struct {
		in, header string
		want       float64
		unit       string
	}{
		{"251000元", "", 25.1, "元"},
		{"251000", "元", 25.1, "元"},
		{"14.2404", "万元", 14.2404, ""},
		{"14.2404万元", "元", 14.2404, "万元"},
		{"96171.6", "", 96171.6, ""},
		{"3", "元", 0.0003, "元"},
	}
	for _, c := range cases {
		got, err := Amount(c.in, c.header)
		if err != nil || got.Value == nil || *got.Value != c.want || got.Unit != c.unit {
			t.Errorf("Amount(%q, %q) = %v %q %v, want %v %q", c.in, c.header, got.Value, got.Unit, err, c.want, c.unit)
		}
	}
}

func TestParseTitle(t *testing.T) {
	cases := []struct {
		in     string
		agency string
		year   int
	}{
		{"新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告", "新乡市卫滨区人民政府办公室", 2019},
		{"2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019},
		{"2024 年政府信息公开工作年度报告", "", 2024},
		{"北京市海淀区教育委员会2021年度政府信息公开工作年度报告", "北京市海淀区教育委员会", 2021},
		{"关于XX县自然资源局2020年政府信息公开工作年度报告", "XX县自然资源局", 2020},
		{"广州市财政局2022年政府信息公开年报", "广州市财政局", 2022},
		{"2020年度南京市公安局政府信息公开工作年度报告", "南京市公安局", 2020},
		{"深圳市衛生健康委員會2021年政府信息公開工作年度報告", "深圳市卫生健康委员会", 2021},
		{"泉州市发展和改革委员会政府信息公开工作年度报告（2021年度）", "泉州市发展和改革委员会", 2021},
		{"南充市公安局二〇二一年政府信息公开工作年度报告", "南充市公安局", 2021},
		{"宜昌市水利局关于2020年度政府信息公开工作年度报告", "宜昌市水利局", 2020},
		{"# 柳州市水利局2021年政府信息公开工作年度报告", "柳州市水利局", 2021},
		{"XX市财政局关于2019年政府信息公开工作情况的报告", "XX市财政局", 2019},
	}
	for _, c := range cases {
		got, ok := ParseTitle(c.in)
		if !ok || got.Agency != c.agency || got.Year != c.year {
			t.Errorf("ParseTitle(%q) = %q %d %v, want %q %d", c.in, got.Agency, got.Year, ok, c.agency, c.year)
		}
	}
	for _, s := range []string{"一、总体情况", "本年度报告中所列数据统计期限从2019年1月1日到12月31日止。"} {
		if got, ok := ParseTitle(s); ok {
			t.Errorf("ParseTitle(%q) = %+v, want no title", s, got)
		}
	}
	if y := PeriodYear("报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。"); y != 2024 {
		t.Errorf("PeriodYear = %d", y)
	}
	if y := PeriodYear("本年度报告中所列数据统计期限从2019年1月1日到12月31日止。"); y != 2019 {
		t.Errorf("PeriodYear = %d", y)
	}
	if !IsAgency("淮安市人民政府") || IsAgency("一、总体情况") {
		t.Error("IsAgency")
	}
}
