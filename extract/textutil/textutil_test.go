package textutil

import (
	"strings"
	"testing"
)

func TestCollapse(t *testing.T) {
	cases := map[string]string{
		"":               "",
		"科研机构":           "科研机构",
		" 科研机 构 ":        "科研机 构",
		"a  b\t\nc":      "a b c",
		"\u00a0公开\u3000": "公开",
		"行政\u200b许可":     "行政许可",
		"\ufeff标题":       "标题",
		"1 2 3":          "1 2 3",
		"三安全一稳定\u2003x":  "三安全一稳定 x",
		"“三安全一稳定”":       "“三安全一稳定”",
		"a\u00adb":       "ab",
	}
	for in, want := range cases {
		if got := Collapse(in); got != want {
			t.Errorf("Collapse(%q) = %q, want %q", in, got, want)
		}
		// CollapseBytes gives the same, and a string that survives the
		// buffer being reused.
		buf := []byte(in)
		got := CollapseBytes(buf)
		for i := range buf {
			buf[i] = 'x'
		}
		if got != want {
			t.Errorf("CollapseBytes(%q) = %q after the buffer changed, want %q", in, got, want)
		}
	}
}

func TestTrim(t *testing.T) {
	for _, s := range []string{"", " ", "\t a b \r\n", "\u3000公开\u00a0", "  \u3000 x", "x \u2003", "科研机构", " 1 ", "\v\f"} {
		if got, want := Trim(s), strings.TrimFunc(s, IsSpace); got != want {
			t.Errorf("Trim(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "科研机构": 8, "２０１９年": 10, "t3 合计": 7} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
