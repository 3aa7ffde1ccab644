// Package charset turns the bytes of a Chinese government web page or text
// file into UTF-8. Pages declare GB2312, GBK, GB18030 or UTF-8 — in the HTTP
// header, a meta tag, both, or neither — and the declaration is often wrong
// (a GBK page saying utf-8 after a CMS migration). So the bytes decide: a
// declaration is used only when the bytes decode cleanly under it.
package charset

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Result is decoded text and how it was decoded.
type Result struct {
	Text     string
	Encoding string // canonical name: "utf-8", "gb18030", "big5", "utf-16le", ...
	Declared string // what the header or meta tag said, if anything
	// Note is set when the declared encoding was wrong or the bytes had
	// undecodable sequences (replaced by U+FFFD).
	Note string
	// Cut is set when the bytes are UTF-8 but for a character cut short at
	// the very end: the file was truncated (the piece is dropped).
	Cut bool
}

// Decode returns data as UTF-8 text. contentType is the HTTP Content-Type
// header if known; html says whether to look for a meta charset.
func Decode(data []byte, contentType string, html bool) Result {
	if enc, name := bom(data); enc != nil {
		s, _ := decodeWith(enc, data)
		return Result{Text: s, Encoding: name}
	}
	declared := declaredName(data, contentType, html)
	cut := false
	if n := partialRune(data); n > 0 && utf8.Valid(data[:len(data)-n]) {
		// A UTF-8 file cut inside its last character is UTF-8, not GBK.
		data, cut = data[:len(data)-n], true
	}
	if utf8.Valid(data) {
		r := Result{Text: string(data), Encoding: "utf-8", Declared: declared, Cut: cut}
		if declared != "" && declared != "utf-8" && hasNonASCII(data) {
			r.Note = "declared " + declared + " but the bytes are UTF-8"
		}
		return r
	}
	// Not UTF-8. Try the declaration, then the Chinese encodings; keep the
	// first that decodes with no invalid sequences, else the least bad.
	candidates := []string{}
	if declared != "" && declared != "utf-8" {
		candidates = append(candidates, declared)
	}
	candidates = append(candidates, "gb18030", "big5")
	best := Result{}
	bestBad := -1
	for _, name := range candidates {
		enc := lookup(name)
		if enc == nil {
			continue
		}
		s, bad := decodeWith(enc, data)
		if bestBad < 0 || bad < bestBad {
			best, bestBad = Result{Text: s, Encoding: name, Declared: declared}, bad
		}
		if bad == 0 {
			break
		}
	}
	if bestBad < 0 { // unreachable: gb18030 always exists
		return Result{Text: strings.ToValidUTF8(string(data), "\uFFFD"), Encoding: "utf-8", Declared: declared}
	}
	if declared != "" && best.Encoding != declared {
		best.Note = "declared " + declared + " but the bytes are " + best.Encoding
	}
	if bestBad > 0 {
		if best.Note != "" {
			best.Note += "; "
		}
		best.Note += "undecodable bytes replaced"
	}
	return best
}

// partialRune returns the length of the incomplete UTF-8 sequence that
// ends data, or 0.
func partialRune(data []byte) int {
	for n := 1; n <= 3 && n <= len(data); n++ {
		c := data[len(data)-n]
		if c < 0x80 {
			return 0
		}
		if c >= 0xC0 {
			if utf8.FullRune(data[len(data)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func bom(data []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8BOM, "utf-8"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	}
	return nil, ""
}

// declaredName returns the canonical name of the charset the header or the
// page declares, mapping GB2312 and GBK to their superset GB18030.
func declaredName(data []byte, contentType string, html bool) string {
	name := ""
	if contentType != "" {
		if _, n, ok := charset.DetermineEncoding(nil, contentType); ok {
			name = n
		}
	}
	if name == "" && html {
		// DetermineEncoding prescans the first 1024 bytes for a meta tag,
		// as browsers do.
		if _, n, certain := charset.DetermineEncoding(data, ""); certain || n != "windows-1252" {
			name = n
		}
	}
	return canonical(name)
}

func canonical(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "":
		return ""
	case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312":
		return "gb18030"
	case "utf8", "utf-8":
		return "utf-8"
	case "big5", "big5-hkscs", "x-x-big5":
		return "big5"
	}
	if e, err := htmlindex.Get(n); err == nil {
		if cn, err := htmlindex.Name(e); err == nil {
			if cn == "gbk" {
				return "gb18030"
			}
			return cn
		}
	}
	return n
}

func lookup(name string) encoding.Encoding {
	switch name {
	case "gb18030":
		return simplifiedchinese.GB18030
	case "big5":
		return traditionalchinese.Big5
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	return e
}

// decodeWith decodes data and counts the sequences the encoding could not
// decode (they come out as U+FFFD).
func decodeWith(enc encoding.Encoding, data []byte) (string, int) {
	out, err := transformAll(enc.NewDecoder(), data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD"), len(data)
	}
	bad := 0
	if bytes.Contains(data, []byte("\xEF\xBF\xBD")) {
		// The source itself carried U+FFFD; don't blame the decoder for it.
		bad -= bytes.Count(data, []byte("\xEF\xBF\xBD"))
	}
	bad += bytes.Count(out, []byte("\uFFFD"))
	// out is never written again: the string shares its bytes.
	return unsafe.String(unsafe.SliceData(out), len(out)), max(bad, 0)
}

// transformAll is transform.Bytes with the output sized for Chinese text
// from the start (two bytes of GBK or Big5 become three of UTF-8), instead
// of grown from a small buffer: a report page is tens of kilobytes.
func transformAll(t transform.Transformer, src []byte) ([]byte, error) {
	dst := make([]byte, len(src)*3/2+64)
	nDst := 0
	for {
		n, nSrc, err := t.Transform(dst[nDst:], src, true)
		nDst += n
		src = src[nSrc:]
		switch err {
		case nil:
			return dst[:nDst], nil
		case transform.ErrShortDst:
			dst = append(dst[:nDst], make([]byte, len(src)*3+64)...)
			dst = dst[:cap(dst)]
		default:
			return nil, err
		}
	}
}
