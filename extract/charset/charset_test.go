package charset

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const page = `<html><head>%s<title>新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告</title></head><body><p>三、收到和处理政府信息公开申请情况：“三安全一稳定”，科研机构，法律服务机构。</p></body></html>`

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	withMeta := func(meta string) string { return strings.Replace(page, "%s", meta, 1) }
	cases := []struct {
		name        string
		data        []byte
		contentType string
		enc         string
		note        bool
	}{
		{"utf-8, declared utf-8", []byte(withMeta(`<meta charset="utf-8">`)), "", "utf-8", false},
		{"utf-8, nothing declared", []byte(withMeta("")), "", "utf-8", false},
		{"utf-8, meta says gb2312 (wrong)", []byte(withMeta(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`)), "", "utf-8", true},
		{"utf-8, header says gbk (wrong)", []byte(withMeta("")), "text/html; charset=GBK", "utf-8", true},
		{"gbk, meta gb2312", gbk(t, withMeta(`<meta charset="gb2312">`)), "", "gb18030", false},
		{"gbk, nothing declared", gbk(t, withMeta("")), "", "gb18030", false},
		{"gbk, meta says utf-8 (wrong)", gbk(t, withMeta(`<meta charset="utf-8">`)), "", "gb18030", true},
		{"gbk, header says utf-8 (wrong)", gbk(t, withMeta("")), "text/html; charset=utf-8", "gb18030", true},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, withMeta("")...), "", "utf-8", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Decode(c.data, c.contentType, true)
			if r.Encoding != c.enc {
				t.Errorf("encoding %q, want %q", r.Encoding, c.enc)
			}
			if (r.Note != "") != c.note {
				t.Errorf("note %q, want note: %v", r.Note, c.note)
			}
			if !strings.Contains(r.Text, "新乡市卫滨区人民政府办公室") || !strings.Contains(r.Text, "“三安全一稳定”") {
				t.Errorf("text not decoded: %.80q", r.Text)
			}
		})
	}
}

func TestDecodeBig5(t *testing.T) {
	b, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte("<html><head><meta charset=big5></head><body>政府資訊公開年度報告</body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	r := Decode(b, "", true)
	if r.Encoding != "big5" || !strings.Contains(r.Text, "政府資訊公開年度報告") {
		t.Errorf("big5: %q %q", r.Encoding, r.Text)
	}
}

func TestDecodeGarbage(t *testing.T) {
	// Never a panic, always valid UTF-8 out.
	for _, b := range [][]byte{nil, {0xff}, {0x81}, {0xfe, 0xfe, 0xfe}, []byte("\x00\x01\x02")} {
		r := Decode(b, "text/html; charset=nonsense", true)
		if !utf8.ValidString(r.Text) {
			t.Errorf("Decode(%q) = %q: not UTF-8", b, r.Text)
		}
	}
}
