package pdfdoc

import (
	"bytes"
	"strconv"
	"unicode/utf16"
)

// cmapData is what a CMap stream (a font's ToUnicode, or an embedded
// /Encoding CMap) says: how raw bytes split into codes, and what each code
// means (Unicode text for ToUnicode, a CID for an encoding CMap).
type cmapData struct {
	spaces []codespace
	uni    map[uint32]string
	cid    map[uint32]uint32
	cidRng []cidRange
}

type codespace struct {
	n      int // bytes
	lo, hi uint32
}

type cidRange struct{ lo, hi, cid uint32 }

// maxCMapEntries bounds what one hostile CMap can make us allocate.
const maxCMapEntries = 1 << 17

// parseCMap reads the parts of a CMap we need. It is written by hand rather
// than with the library's PostScript interpreter because that one scans its
// mapping lists linearly for every character and panics on odd input; here a
// map lookup decodes a code, and malformed input just ends the parse.
func parseCMap(data []byte) *cmapData {
	m := &cmapData{uni: map[uint32]string{}, cid: map[uint32]uint32{}}
	lx := cmapLexer{data: data}
	var operands []cmapTok
	entries := 0
	for {
		t, ok := lx.next()
		if !ok {
			break
		}
		if t.kind != tkKeyword {
			if t.kind == tkArrayEnd {
				// collapse the array into one operand
				i := len(operands) - 1
				for i >= 0 && operands[i].kind != tkArrayStart {
					i--
				}
				if i < 0 {
					continue
				}
				arr := cmapTok{kind: tkArray}
				arr.arr = append(arr.arr, operands[i+1:]...)
				operands = append(operands[:i], arr)
				continue
			}
			operands = append(operands, t)
			if len(operands) > 4096 {
				operands = operands[len(operands)-3:]
			}
			continue
		}
		switch t.str {
		case "endcodespacerange":
			for i := 0; i+1 < len(operands); i += 2 {
				lo, hi := operands[i], operands[i+1]
				if lo.kind == tkHex && hi.kind == tkHex && len(lo.str) == len(hi.str) && len(lo.str) >= 1 && len(lo.str) <= 4 {
					m.spaces = append(m.spaces, codespace{len(lo.str), beUint(lo.str), beUint(hi.str)})
				}
			}
		case "endbfchar":
			for i := 0; i+1 < len(operands) && entries < maxCMapEntries; i += 2 {
				src, dst := operands[i], operands[i+1]
				if src.kind != tkHex {
					continue
				}
				switch dst.kind {
				case tkHex:
					m.uni[beUint(src.str)] = utf16BE(dst.str)
				case tkName:
					if r, ok := glyphNameRune(dst.str); ok {
						m.uni[beUint(src.str)] = string(r)
					}
				}
				entries++
			}
		case "endbfrange":
			for i := 0; i+2 < len(operands); i += 3 {
				lo, hi, dst := operands[i], operands[i+1], operands[i+2]
				if lo.kind != tkHex || hi.kind != tkHex {
					continue
				}
				l, h := beUint(lo.str), beUint(hi.str)
				if h < l || h-l > 0xFFFF {
					continue
				}
				switch dst.kind {
				case tkHex:
					base := []byte(dst.str)
					for c := l; c <= h && entries < maxCMapEntries; c++ {
						b := append([]byte(nil), base...)
						addLast(b, c-l)
						m.uni[c] = utf16BE(string(b))
						entries++
					}
				case tkArray:
					for k, s := range dst.arr {
						if l+uint32(k) > h || entries >= maxCMapEntries {
							break
						}
						m.uni[l+uint32(k)] = utf16BE(s.str)
						entries++
					}
				}
			}
		case "endcidchar":
			for i := 0; i+1 < len(operands) && entries < maxCMapEntries; i += 2 {
				if operands[i].kind == tkHex && operands[i+1].kind == tkNumber {
					m.cid[beUint(operands[i].str)] = uint32(operands[i+1].num)
					entries++
				}
			}
		case "endcidrange":
			for i := 0; i+2 < len(operands); i += 3 {
				if operands[i].kind == tkHex && operands[i+1].kind == tkHex && operands[i+2].kind == tkNumber {
					m.cidRng = append(m.cidRng, cidRange{beUint(operands[i].str), beUint(operands[i+1].str), uint32(operands[i+2].num)})
				}
			}
		}
		operands = operands[:0]
	}
	return m
}

// addLast adds d to the big-endian number in b (bfrange destinations count
// up from the first code).
func addLast(b []byte, d uint32) {
	for i := len(b) - 1; i >= 0 && d > 0; i-- {
		s := uint32(b[i]) + d
		b[i] = byte(s)
		d = s >> 8
	}
}

func beUint(s string) uint32 {
	var v uint32
	for i := 0; i < len(s) && i < 4; i++ {
		v = v<<8 | uint32(s[i])
	}
	return v
}

func utf16BE(s string) string {
	if len(s)%2 == 1 {
		s += "\x00"
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
	}
	return string(utf16.Decode(u))
}

type tokKind int

const (
	tkNumber tokKind = iota
	tkHex
	tkString
	tkName
	tkKeyword
	tkArrayStart
	tkArrayEnd
	tkArray
	tkOther
)

type cmapTok struct {
	kind tokKind
	str  string
	num  float64
	arr  []cmapTok
}

type cmapLexer struct {
	data []byte
	pos  int
}

func (lx *cmapLexer) next() (cmapTok, bool) {
	d := lx.data
	for lx.pos < len(d) {
		c := d[lx.pos]
		if c == '%' {
			for lx.pos < len(d) && d[lx.pos] != '\n' && d[lx.pos] != '\r' {
				lx.pos++
			}
			continue
		}
		if isWhite(c) {
			lx.pos++
			continue
		}
		break
	}
	if lx.pos >= len(d) {
		return cmapTok{}, false
	}
	c := d[lx.pos]
	switch {
	case c == '<' && lx.pos+1 < len(d) && d[lx.pos+1] == '<':
		lx.pos += 2
		return cmapTok{kind: tkOther}, true
	case c == '>' && lx.pos+1 < len(d) && d[lx.pos+1] == '>':
		lx.pos += 2
		return cmapTok{kind: tkOther}, true
	case c == '<':
		end := bytes.IndexByte(d[lx.pos:], '>')
		if end < 0 {
			lx.pos = len(d)
			return cmapTok{}, false
		}
		hex := d[lx.pos+1 : lx.pos+end]
		lx.pos += end + 1
		return cmapTok{kind: tkHex, str: decodeHex(hex)}, true
	case c == '(':
		s, n := readLiteral(d[lx.pos:])
		lx.pos += n
		return cmapTok{kind: tkString, str: s}, true
	case c == '/':
		start := lx.pos + 1
		lx.pos++
		for lx.pos < len(d) && !isWhite(d[lx.pos]) && !isDelimiter(d[lx.pos]) {
			lx.pos++
		}
		return cmapTok{kind: tkName, str: string(d[start:lx.pos])}, true
	case c == '[':
		lx.pos++
		return cmapTok{kind: tkArrayStart}, true
	case c == ']':
		lx.pos++
		return cmapTok{kind: tkArrayEnd}, true
	case isDelimiter(c):
		lx.pos++
		return cmapTok{kind: tkOther}, true
	}
	start := lx.pos
	for lx.pos < len(d) && !isWhite(d[lx.pos]) && !isDelimiter(d[lx.pos]) {
		lx.pos++
	}
	w := string(d[start:lx.pos])
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return cmapTok{kind: tkNumber, num: f, str: w}, true
	}
	return cmapTok{kind: tkKeyword, str: w}, true
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func decodeHex(h []byte) string {
	out := make([]byte, 0, len(h)/2+1)
	var cur byte
	half := false
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if half {
			out = append(out, cur<<4|v)
			half = false
		} else {
			cur = v
			half = true
		}
	}
	if half {
		out = append(out, cur<<4)
	}
	return string(out)
}

// readLiteral reads a (string) with nesting and escapes; it returns the
// bytes and how much input it used.
func readLiteral(d []byte) (string, int) {
	var out []byte
	depth := 0
	i := 0
	for i < len(d) {
		c := d[i]
		i++
		switch c {
		case '(':
			if depth > 0 {
				out = append(out, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(out), i
			}
			out = append(out, c)
		case '\\':
			if i >= len(d) {
				return string(out), i
			}
			e := d[i]
			i++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if i < len(d) && d[i] == '\n' {
					i++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && i < len(d) && d[i] >= '0' && d[i] <= '7'; k++ {
						v = v*8 + int(d[i]-'0')
						i++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
	return string(out), i
}
