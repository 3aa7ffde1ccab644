package normalize

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/width"
)

// The four expressions unifyMarks stands for, applied as it used to.
var (
	arabicParenRE = regexp.MustCompile(`[(（]\s*([0-9]{1,2})\s*[)）]`)
	arabicMarkRE  = regexp.MustCompile(`(^|[^0-9.])([0-9]{1,2})\s*[、.．,，](\D|$)`)
	hanParenRE    = regexp.MustCompile(`[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]`)
	hanMarkRE     = regexp.MustCompile(`(^|[^一二三四五六七八九十])([一二三四五六七八九十]{1,3})\s*[、.．,，]`)
)

func unifyMarksRE(s string) string {
	s = arabicParenRE.ReplaceAllString(s, "$1.")
	s = arabicMarkRE.ReplaceAllString(s, "$1$2.$3")
	s = hanParenRE.ReplaceAllString(s, "($1)")
	return hanMarkRE.ReplaceAllString(s, "$1$2、")
}

// TestUnifyMarksAsRegexp holds the hand-written unifyMarks to the regular
// expressions: the tricky cases by name, then random strings over the
// characters that matter.
func TestUnifyMarksAsRegexp(t *testing.T) {
	cases := []string{
		"", "1、属于国家秘密", "（1）本机关不掌握", "(12)x", "(123)x", "（ 3 ）", "三、本年度办理结果 （三）不予公开 1.属于国家秘密",
		"1.2.3", "1、a2、b", "1、2", "x1、", "12、", "123、", "1 ．x", "1\t,x", "1\v,x", ".1、x", "a.1、x",
		"（一）予以公开", "(十一)", "(十一十)", "(十一十二)", "十一、", "十一十二、", "一.二.", "一、二、三、", "x一 ，y",
		"（１）", "1、\xff", "\xff1、x", "((1))", "（1)）", "(一)1、二、", "第二十条 第(六)项", "本年增／减",
	}
	for _, c := range cases {
		if got, want := unifyMarks(c), unifyMarksRE(c); got != want {
			t.Errorf("unifyMarks(%q) = %q, the expressions give %q", c, got, want)
		}
	}
	alphabet := []string{"1", "2", "0", "9", ".", "、", "．", ",", "，", "(", ")", "（", "）", " ", "\t", "一", "二", "十", "三",
		"a", "属", "\xff", "\n"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := unifyMarks(s), unifyMarksRE(s); got != want {
			t.Fatalf("unifyMarks(%q) = %q, the expressions give %q", s, got, want)
		}
	}
}

func FuzzUnifyMarks(f *testing.F) {
	for _, s := range []string{"1、属于", "（1）x", "三、（三）不予公开 1.属于", "1、a2、b", "十一、", "(十一)", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := unifyMarks(s), unifyMarksRE(s); got != want {
			t.Fatalf("unifyMarks(%q) = %q, the expressions give %q", s, got, want)
		}
	})
}

// TestNeedsFold checks every rune: where width folding changes one,
// needsFold must say so (alone and inside text).
func TestNeedsFold(t *testing.T) {
	n := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		if width.Fold.String(s) == s {
			continue
		}
		n++
		if !needsFold(s) || !needsFold("本年"+s+"减") {
			t.Errorf("needsFold(%q U+%04X) = false, width.Fold makes it %q", s, r, width.Fold.String(s))
		}
	}
	if n < 100 {
		t.Fatalf("only %d runes fold: the test is not testing", n)
	}
	if needsFold("三、本年度办理结果（三）不予公开") == false {
		t.Error("full-width brackets need folding")
	}
	if needsFold("三、本年度办理结果 不予公开 1.属于国家秘密") {
		t.Error("nothing to fold here")
	}
}
