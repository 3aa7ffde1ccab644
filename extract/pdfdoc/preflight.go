package pdfdoc

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"github.com/nianbao/nianbao"
)

// preflight rejects files that would make the library loop or allocate
// without bound before it sees them: it trusts the numbers a file declares
// (an xref /Size or subsection of billions of entries is allocated at once,
// a /Prev chain that points back at itself is followed forever, an object
// stream's /N is counted through even past its end). No real report
// declares more entries than its size in bytes.
func preflight(data []byte, objects int) error {
	limit := int64(len(data))*4 + 1024
	for _, m := range declRe.FindAllSubmatch(data, 100_000) {
		v, err := strconv.ParseInt(string(m[2]), 10, 64)
		if err != nil || v > limit {
			return fmt.Errorf("%w: implausible /%s %s for a %d-byte file", ErrDamaged, m[1], m[2], len(data))
		}
		if string(m[1]) == "Size" && v > int64(objects) {
			// The library allocates its cross-reference table at once.
			return &nianbao.LimitError{Limit: "objects", Max: int64(objects), Got: v}
		}
	}
	// Walk the xref chain from startxref along /Prev.
	m := startxrefRe.FindAllSubmatch(data[max(0, len(data)-2048):], -1)
	if len(m) == 0 {
		return nil // the library reports the missing startxref itself
	}
	off, _ := strconv.ParseInt(string(m[len(m)-1][1]), 10, 64)
	seen := map[int64]bool{}
	for step := 0; off > 0 && off < int64(len(data)); step++ {
		if seen[off] || step > 256 {
			return fmt.Errorf("%w: the cross-reference chain loops", ErrDamaged)
		}
		seen[off] = true
		sec := data[off:min(int64(len(data)), off+1<<20)]
		if bytes.HasPrefix(bytes.TrimLeft(sec, " \r\n\t"), []byte("xref")) {
			if err := checkXrefTable(sec, limit); err != nil {
				return err
			}
		}
		// the section's own dictionary: up to its stream or the next startxref
		end := len(sec)
		for _, kw := range [][]byte{[]byte("stream"), []byte("startxref")} {
			if i := bytes.Index(sec, kw); i >= 0 && i < end {
				end = i
			}
		}
		pm := prevRe.FindAllSubmatch(sec[:end], -1)
		if len(pm) == 0 {
			break
		}
		off, _ = strconv.ParseInt(string(pm[len(pm)-1][1]), 10, 64)
	}
	return nil
}

var (
	declRe      = regexp.MustCompile(`/(Size|N|First)\s+(\d{1,30})`)
	startxrefRe = regexp.MustCompile(`startxref\s+(\d{1,20})`)
	prevRe      = regexp.MustCompile(`/Prev\s+(\d{1,20})`)
	subsecRe    = regexp.MustCompile(`^\s*(\d{1,20})\s+(\d{1,20})\s*[\r\n]`)
)

// checkXrefTable bounds the subsection headers of a classic xref table.
func checkXrefTable(sec []byte, limit int64) error {
	p := bytes.Index(sec, []byte("xref")) + 4
	for n := 0; n < 100_000 && p < len(sec); n++ {
		m := subsecRe.FindSubmatchIndex(sec[p:])
		if m == nil {
			return nil // "trailer" or something the library will judge
		}
		start, _ := strconv.ParseInt(string(sec[p+m[2]:p+m[3]]), 10, 64)
		count, _ := strconv.ParseInt(string(sec[p+m[4]:p+m[5]]), 10, 64)
		if start > limit || count > limit || start+count > limit {
			return fmt.Errorf("%w: implausible xref subsection %d %d", ErrDamaged, start, count)
		}
		p += m[1]
		// skip the entries: three tokens each
		for i := int64(0); i < count && p < len(sec); i++ {
			for k := 0; k < 3 && p < len(sec); k++ {
				for p < len(sec) && isWhite(sec[p]) {
					p++
				}
				for p < len(sec) && !isWhite(sec[p]) {
					p++
				}
			}
		}
	}
	return nil
}
