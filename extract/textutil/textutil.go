// Package textutil holds the small text helpers every extractor needs.
package textutil

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/width"
)

// Collapse replaces every run of whitespace — including no-break and
// ideographic spaces and the zero-width characters Word and CMS editors
// leave behind — by one ASCII space, and trims the ends.
func Collapse(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if IsSpace(r) {
			space = true
			continue
		}
		if r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// CollapseBytes is Collapse of a buffer the caller goes on reusing: the
// result never shares its bytes.
func CollapseBytes(b []byte) string {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if clean(s) {
		return strings.Clone(s)
	}
	return Collapse(s) // the slow path builds a new string
}

// Trim is strings.TrimFunc(s, IsSpace), quick on the ASCII padding of
// space-aligned text.
func Trim(s string) string {
	i, j := 0, len(s)
	for i < j && asciiSpace(s[i]) {
		i++
	}
	for j > i && asciiSpace(s[j-1]) {
		j--
	}
	s = s[i:j]
	if s != "" && (s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		return strings.TrimFunc(s, IsSpace)
	}
	return s
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// Width is the display width of s in a terminal or a monospaced layout:
// wide and full-width (CJK) characters count two columns.
func Width(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// IsSpace reports whitespace as a reader sees it.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' || r == '\u2002' || r == '\u2003' || r == '\u2009'
}

// clean reports whether Collapse would return s unchanged: ASCII spaces
// single and inside, nothing else to remove. Most cells are like that.
func clean(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case c < 0x20, c == 0x7f:
			return false
		case c >= 0x80:
			// Multi-byte: the spaces and invisible characters to remove all
			// start with 0xC2 (U+00A0, U+00AD), 0xE2 0x80 (U+2002…U+200D),
			// 0xE3 0x80 0x80 (U+3000) or 0xEF 0xBB 0xBF (U+FEFF); U+1680,
			// U+2028 and U+205F are rare enough to take the slow path too.
			switch c {
			case 0xC2, 0xE1, 0xE2:
				return false
			case 0xE3:
				if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
					return false
				}
			case 0xEF:
				if i+2 < len(s) && s[i+1] == 0xBB && s[i+2] == 0xBF {
					return false
				}
			}
		}
		prevSpace = false
	}
	return true
}
