package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// termSafe makes text from documents and the web safe to print for a
// person: control characters (a terminal escape sequence in an organ name
// or a file name would move the cursor, recolour or retitle the terminal)
// and the bidirectional overrides (which reorder what is shown) are
// written as visible escapes, \x1b and \u202e; a tab becomes a space. Line
// breaks are kept when keepNL.
func termSafe(s string, keepNL bool) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r, keepNL) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteByte(' ')
		case unsafeRune(r, keepNL):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
	}
	return b.String()
}

func unsafeRune(r rune, keepNL bool) bool {
	switch {
	case r == '\n':
		return !keepNL
	case r == '\t':
		return true
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
		return true
	}
	return false
}

// safeWriter passes text through termSafe, line breaks kept: a summary
// printed whole (ingest's, which prints what documents said) goes through
// it. A rune split across two writes is held until the next.
type safeWriter struct {
	w    io.Writer
	tail []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	buf := append(s.tail, p...)
	// Hold back an incomplete rune at the end.
	cut := len(buf)
	for k := 1; k <= utf8.UTFMax && k <= len(buf); k++ {
		if utf8.RuneStart(buf[len(buf)-k]) {
			if !utf8.FullRune(buf[len(buf)-k:]) {
				cut = len(buf) - k
			}
			break
		}
	}
	s.tail = append(s.tail[:0:0], buf[cut:]...)
	if _, err := io.WriteString(s.w, termSafe(string(buf[:cut]), true)); err != nil {
		return 0, err
	}
	return len(p), nil
}
