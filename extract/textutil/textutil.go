// Package textutil holds the small text helpers every extractor needs.
package textutil

import (
	"strings"
	"unicode"
)

// Collapse replaces every run of whitespace — including no-break and
// ideographic spaces and the zero-width characters Word and CMS editors
// leave behind — by one ASCII space, and trims the ends.
func Collapse(s string) string {
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

// IsSpace reports whitespace as a reader sees it.
func IsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' || r == '\u2002' || r == '\u2003' || r == '\u2009'
}
