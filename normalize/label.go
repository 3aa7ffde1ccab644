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
	"unicode/utf8"

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
	if needsFold(s) {
		s = width.Fold.String(s)
	}
	if strings.ContainsAny(s, "∕⁄") {
		s = slashes.Replace(s)
	}
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

// slashes folds the look-alikes of "/" that PDF text carries (本年增∕减);
// the full-width one is width folding's.
var slashes = strings.NewReplacer("∕", "/", "⁄", "/")

// needsFold reports whether width.Fold would change s: only the ideographic
// space, the half-width won sign and the Halfwidth and Fullwidth Forms
// block have another width (TestNeedsFold checks every rune). Most labels
// have none, and folding allocates a copy.
func needsFold(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0xE3: // U+3000–U+3FFF
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
				return true
			}
		case 0xE2: // U+2000–U+2FFF
			if i+2 < len(s) && s[i+1] == 0x82 && s[i+2] == 0xA9 {
				return true
			}
		case 0xEF: // U+F000–U+FFFF
			if i+1 < len(s) && (s[i+1] == 0xBC || s[i+1] == 0xBD || s[i+1] == 0xBE || s[i+1] == 0xBF) {
				return true
			}
		}
	}
	return false
}

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

// markRe matches the unified numbering marks, for Plain.
var markRe = regexp.MustCompile(`\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、|[0-9]{1,2}\.`)

// unifyMarks unifies numbering marks: "（1）" "(1)" → "1."; "1、" "1．" "1," →
// "1."; "（一）" → "(一)"; "一." "一，" → "一、". It does what four regular
// expressions would, in this order, each replacing its leftmost matches
// without overlap (TestUnifyMarksAsRegexp and FuzzUnifyMarks hold it to
// them), at a tenth of their cost:
//
//	[(（]\s*([0-9]{1,2})\s*[)）]                          → $1.
//	(^|[^0-9.])([0-9]{1,2})\s*[、.．,，](\D|$)              → $1$2.$3
//	[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]              → ($1)
//	(^|[^一二三四五六七八九十])([一二三四五六七八九十]{1,3})\s*[、.．,，] → $1$2、
func unifyMarks(s string) string {
	// Each needs characters most labels lack; testing for them is much
	// cheaper than scanning for it.
	digit := strings.ContainsAny(s, "0123456789")
	paren := strings.ContainsAny(s, "(（")
	mark := strings.ContainsAny(s, "、.．,，")
	if digit && paren {
		s = unifyParens(s, isDigit, 2, false)
		mark = mark || strings.Contains(s, ".")
	}
	if digit && mark {
		s = unifyMarked(s, isDigit, 2, isDigitOrDot, true)
	}
	if paren {
		s = unifyParens(s, isHanDigit, 3, true)
	}
	if mark {
		s = unifyMarked(s, isHanDigit, 3, isHanDigit, false)
	}
	return s
}

func isDigit(r rune) bool      { return r >= '0' && r <= '9' }
func isDigitOrDot(r rune) bool { return isDigit(r) || r == '.' }

func isHanDigit(r rune) bool {
	switch r {
	case '一', '二', '三', '四', '五', '六', '七', '八', '九', '十':
		return true
	}
	return false
}

func isMark(r rune) bool { return r == '、' || r == '.' || r == '．' || r == ',' || r == '，' }

// skipSpace skips what \s matches in Go's regular expressions.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	return i
}

// numeral returns the end of the run of numerals at i and its length in
// runes. A mark's numeral is the whole run: with one numeral more after
// it, the character after the numeral is neither space nor mark, however
// the run is cut.
func numeral(s string, i int, num func(rune) bool) (end, n int) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !num(r) {
			break
		}
		i += size
		n++
	}
	return i, n
}

// unifyParens rewrites "(" space numeral space ")" (either width of
// bracket) as "numeral." or, with keep, "(numeral)".
func unifyParens(s string, num func(rune) bool, max int, keep bool) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '(' || r == '（' {
			j := skipSpace(s, i+size)
			k, n := numeral(s, j, num)
			if m := skipSpace(s, k); n >= 1 && n <= max && m < len(s) {
				if c, csize := utf8.DecodeRuneInString(s[m:]); c == ')' || c == '）' {
					b.WriteString(s[done:i])
					if keep {
						b.WriteByte('(')
						b.WriteString(s[j:k])
						b.WriteByte(')')
					} else {
						b.WriteString(s[j:k])
						b.WriteByte('.')
					}
					i = m + csize
					done = i
					continue
				}
			}
		}
		i += size
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// unifyMarked rewrites numeral space mark, at the start or after a
// character other than a numeral (or not), as numeral "." (arabic, which
// also wants a non-digit or the end after the mark, and keeps it) or
// numeral "、".
func unifyMarked(s string, num func(rune) bool, max int, notBefore func(rune) bool, arabic bool) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		start := i + size // where the numeral starts: after the character before it
		if i == 0 && num(r) {
			start = 0 // (^ …): a numeral opening the text
		} else if notBefore(r) {
			i += size
			continue
		}
		k, n := numeral(s, start, num)
		m := skipSpace(s, k)
		if n < 1 || n > max || m >= len(s) {
			i += size
			continue
		}
		c, csize := utf8.DecodeRuneInString(s[m:])
		if !isMark(c) {
			i += size
			continue
		}
		end := m + csize
		if arabic && end < len(s) {
			t, tsize := utf8.DecodeRuneInString(s[end:])
			if isDigit(t) {
				i += size
				continue
			}
			end += tsize // \D is part of the match
		}
		b.WriteString(s[done:k])
		if arabic {
			b.WriteByte('.')
			b.WriteString(s[m+csize : end])
		} else {
			b.WriteString("、")
		}
		i = end
		done = i
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
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
