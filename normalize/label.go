// Package normalize turns printed text into comparable values: labels into
// a canonical form, figures into numbers with their unit and blank reason,
// titles into organ name and report year; and it checks a report's
// arithmetic (勾稽关系).
package normalize

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"github.com/nianbao/nianbao/internal/memo"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"
)

// Label returns the canonical form of a printed label, for matching: Traditional
// characters made Simplified, full-width letters, digits and brackets made
// half-width, and every space, line break, quote and punctuation mark
// removed. Numbering marks are kept but unified ("1、" "1．" "（1）" → "1.";
// "（一）" → "(一)"), so that section context survives.
func Label(s string) string {
	if v, ok := labels.Get(s); ok {
		return v
	}
	v := label(s)
	remember(&labels, s, v)
	return v
}

func label(s string) string {
	s = Simplified(s)
	s = width.Fold.String(s)
	s = slashes.Replace(s)
	s = unifyMarks(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '\u3000', r == '\u200b', r == '\ufeff':
		case strings.ContainsRune("\"'“”‘’「」『』《》〈〉【】[]·•:;,，；：！!？?…~～*＊", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Plain returns the label with its numbering marks and brackets removed as
// well: "(三)不予公开1.属于国家秘密" → "不予公开属于国家秘密".
func Plain(s string) string {
	if v, ok := plains.Get(s); ok {
		return v
	}
	v := markRe.ReplaceAllString(Label(s), "")
	v = plainReplacer.Replace(v)
	remember(&plains, s, v)
	return v
}

// slashes folds the look-alikes of "/" that PDF text carries (本年增∕减).
var slashes = strings.NewReplacer("∕", "/", "⁄", "/", "／", "/")

var plainReplacer = strings.NewReplacer("(", "", ")", "", ".", "", "/", "")

// Reports print the same few hundred labels over and over; normalising one
// costs microseconds of regular expressions, looking it up nanoseconds.
// Prose is not cached: it would only crowd the labels out.
var labels, plains memo.Memo[string, string]

// maxMemoKey is the longest text cached, in bytes.
const maxMemoKey = 192

func remember(m *memo.Memo[string, string], k, v string) {
	if len(k) <= maxMemoKey {
		m.Put(strings.Clone(k), v)
	}
}

var (
	// "1、" "1．" "1," "（1）" "(1)" "1)" → "1."; "（一）" "(一)" → "(一)"; "一、" "一." → "一、"
	arabicMark  = regexp.MustCompile(`(^|[^0-9.])([0-9]{1,2})\s*[、.．,，](\D|$)`)
	arabicParen = regexp.MustCompile(`[(（]\s*([0-9]{1,2})\s*[)）]`)
	hanParen    = regexp.MustCompile(`[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]`)
	hanMark     = regexp.MustCompile(`(^|[^一二三四五六七八九十])([一二三四五六七八九十]{1,3})\s*[、.．,，]`)
	markRe      = regexp.MustCompile(`\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、|[0-9]{1,2}\.`)
)

func unifyMarks(s string) string {
	// Each expression needs characters most labels lack; testing for them
	// is much cheaper than running it.
	digit := strings.ContainsAny(s, "0123456789")
	paren := strings.ContainsAny(s, "(（")
	mark := strings.ContainsAny(s, "、.．,，")
	if digit && paren {
		s = arabicParen.ReplaceAllString(s, "$1.")
		mark = mark || strings.Contains(s, ".")
	}
	if digit && mark {
		s = arabicMark.ReplaceAllString(s, "$1$2.$3")
	}
	if paren {
		s = hanParen.ReplaceAllString(s, "($1)")
	}
	if mark {
		s = hanMark.ReplaceAllString(s, "$1$2、")
	}
	return s
}

// gb2312 marks the CJK characters of GB2312, the Simplified set every
// Simplified report is written in. A character outside it switches on the
// full OpenCC conversion, which costs ~30µs a label and would be wasted on
// the Simplified text almost every report uses.
var (
	gb2312Once sync.Once
	gb2312     []uint64 // bit per rune in U+4E00–U+9FFF
)

func loadGB2312() {
	gb2312 = make([]uint64, (0x9FFF-0x4E00+64)/64)
	enc := simplifiedchinese.HZGB2312.NewEncoder()
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		if _, err := enc.String(string(r)); err == nil {
			i := r - 0x4E00
			gb2312[i/64] |= 1 << (i % 64)
		}
	}
}

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
)

// Simplified converts Traditional Chinese to Simplified when s contains a
// Traditional character, and returns s unchanged otherwise.
func Simplified(s string) string {
	if !HasTraditional(s) {
		return s
	}
	t2sOnce.Do(func() {
		c, err := opencc.New("t2s")
		if err == nil {
			t2s = c
		}
	})
	if t2s == nil {
		return s
	}
	out, err := t2s.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// HasTraditional reports whether s contains a character outside GB2312:
// Traditional, or a rare one OpenCC leaves alone.
func HasTraditional(s string) bool {
	gb2312Once.Do(loadGB2312)
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			i := r - 0x4E00
			if gb2312[i/64]&(1<<(i%64)) == 0 {
				return true
			}
		}
	}
	return false
}
