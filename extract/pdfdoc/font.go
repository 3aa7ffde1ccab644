package pdfdoc

import (
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// fontInfo is everything needed to turn the bytes of a text-showing
// operator into positioned characters: how the bytes split into codes, the
// text of each code and its advance width. It is built once per font
// object per document (the library re-decodes the font at every font
// switch, which is most of its cost on real reports) and caches the text of
// each code it has seen.
type fontInfo struct {
	name    string
	type0   bool
	spaces  []codespace // for Type0 fonts with an embedded or predefined CMap
	mb      string      // "gbk" for the multi-byte GB encodings, "" otherwise
	ucs2    bool        // predefined UniGB-UCS2/UTF16: the code is the Unicode value
	ident   bool        // Identity-H/V: code = CID
	toUni   map[uint32]string
	enc     *cmapData // embedded encoding CMap: code → CID
	lib     *pdf.Font // library decoder, for simple fonts without ToUnicode
	widths  map[uint32]float64
	dw      float64 // default width, glyph units (1/1000 em)
	first   int
	simpleW []float64
	scale   float64 // glyph units → text space (0.001, or the FontMatrix for Type3)
	ascent  float64 // em
	descent float64 // em, ≤ 0
	cache   map[uint32]string
}

// fontFor returns the font a resources' /Font dictionary names, decoded
// once per document. An indirect font (nearly all) is known by its object
// number without reading the object: every page names its fonts, and
// reading the font dictionary there (the library parses the object from
// the file again at every lookup) and printing it as a key was most of the
// native reader's time. An inline font (rare) is read and known by its
// printed dictionary.
func (d *docState) fontFor(fonts pdf.Value, name string) *fontInfo {
	ref, ok := rawRef(fonts, name)
	if ok {
		if f, found := d.byRef[ref]; found {
			return f
		}
	}
	v := fonts.Key(name)
	if v.IsNull() {
		return d.fallbackFont()
	}
	if ok {
		f := d.newFont(v)
		if d.byRef == nil {
			d.byRef = map[objRef]*fontInfo{}
		}
		d.byRef[ref] = f
		return f
	}
	key := v.String() // the dictionary with its references
	if f, found := d.fonts[key]; found {
		return f
	}
	f := d.newFont(v)
	d.fonts[key] = f
	return f
}

func (d *docState) newFont(v pdf.Value) *fontInfo {
	f := newFontInfo(v)
	d.fontIndex[f] = len(d.fontIndex) + 1
	return f
}

func (d *docState) fallbackFont() *fontInfo {
	if d.fallback == nil {
		d.fallback = &fontInfo{scale: 0.001, dw: 500, ascent: 0.88, descent: -0.12, cache: map[uint32]string{}}
		d.fontIndex[d.fallback] = 0
	}
	return d.fallback
}

// objRef is an indirect object's identity in one file: number and
// generation.
type objRef struct {
	id  uint32
	gen uint16
}

// valueShape is where the library's Value keeps its parsed data (an
// interface holding a map for a dictionary) and which type its object
// references have. The library exports neither; reflection reads them
// without writing. ok is false if the library changes shape, and fonts
// are then read as inline ones (TestRawRef fails first).
var valueShape = func() (s struct {
	ok      bool
	data    int
	refType reflect.Type
}) {
	t := reflect.TypeFor[pdf.Value]()
	data, ok1 := t.FieldByName("data")
	ptr, ok2 := t.FieldByName("ptr")
	if !ok1 || !ok2 || data.Type.Kind() != reflect.Interface || ptr.Type.Kind() != reflect.Struct || ptr.Type.NumField() != 2 ||
		ptr.Type.Field(0).Type.Kind() != reflect.Uint32 || ptr.Type.Field(1).Type.Kind() != reflect.Uint16 {
		return s
	}
	s.ok, s.data, s.refType = true, data.Index[0], ptr.Type
	return s
}()

// rawRef returns the object reference stored under key in the dictionary
// dict, without reading the object it points to; ok is false when the
// entry is absent or a direct value.
func rawRef(dict pdf.Value, key string) (ref objRef, ok bool) {
	if !valueShape.ok || dict.Kind() != pdf.Dict {
		return ref, false
	}
	m := reflect.ValueOf(dict).Field(valueShape.data).Elem()
	if m.Kind() != reflect.Map || m.Type().Key().Kind() != reflect.String {
		return ref, false
	}
	e := m.MapIndex(reflect.ValueOf(key).Convert(m.Type().Key()))
	if !e.IsValid() || e.Kind() != reflect.Interface || e.IsNil() {
		return ref, false
	}
	e = e.Elem()
	if e.Type() != valueShape.refType {
		return ref, false
	}
	return objRef{uint32(e.Field(0).Uint()), uint16(e.Field(1).Uint())}, true
}

// newFontInfo reads a font dictionary. It panics only through the library
// (malformed objects); callers recover per page.
func newFontInfo(v pdf.Value) *fontInfo {
	f := &fontInfo{name: v.Key("BaseFont").Name(), scale: 0.001, dw: 1000, ascent: 0.88, descent: -0.12,
		cache: map[uint32]string{}}
	if i := strings.IndexByte(f.name, '+'); i >= 0 {
		f.name = f.name[i+1:]
	}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if data, err := readStream(tu, 8<<20); err == nil {
			cm := parseCMap(data)
			if len(cm.uni) > 0 {
				f.toUni = cm.uni
			}
			f.spaces = cm.spaces
		}
	}
	desc := v.Key("FontDescriptor")
	switch v.Key("Subtype").Name() {
	case "Type0":
		f.type0 = true
		f.spaces = nil
		enc := v.Key("Encoding")
		switch enc.Kind() {
		case pdf.Name:
			n := enc.Name()
			switch {
			case n == "Identity-H" || n == "Identity-V":
				f.ident = true
			case strings.HasPrefix(n, "UniGB-UCS2") || strings.HasPrefix(n, "UniGB-UTF16") ||
				strings.HasPrefix(n, "UniCNS-UCS2") || strings.HasPrefix(n, "UniCNS-UTF16") ||
				strings.HasPrefix(n, "UniJIS-UCS2") || strings.HasPrefix(n, "UniKS-UCS2"):
				f.ucs2 = true
			case strings.HasPrefix(n, "GB") || strings.HasPrefix(n, "GBK"):
				f.mb = "gbk"
			default:
				f.ident = true // unknown predefined CMap: assume two bytes
			}
		case pdf.Stream:
			if data, err := readStream(enc, 8<<20); err == nil {
				f.enc = parseCMap(data)
				f.spaces = f.enc.spaces
			}
		default:
			f.ident = true
		}
		df := v.Key("DescendantFonts").Index(0)
		desc = df.Key("FontDescriptor")
		if dw := df.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
			f.dw = dw.Float64()
		}
		f.widths = readW(df.Key("W"))
	case "Type3":
		fm := v.Key("FontMatrix")
		if fm.Len() == 6 && fm.Index(0).Float64() != 0 {
			f.scale = fm.Index(0).Float64()
		}
		fallthrough
	default:
		lf := pdf.Font{V: v}
		f.lib = &lf
		f.first = int(v.Key("FirstChar").Int64())
		w := v.Key("Widths")
		n := min(w.Len(), 256)
		f.simpleW = make([]float64, n)
		for i := 0; i < n; i++ {
			f.simpleW[i] = w.Index(i).Float64()
		}
		f.dw = 0
		if mw := desc.Key("MissingWidth"); mw.Kind() != pdf.Null {
			f.dw = mw.Float64()
		}
	}
	if a := desc.Key("Ascent").Float64(); a > 0 {
		f.ascent = clamp(a/1000, 0.7, 1.1)
	}
	if d := desc.Key("Descent").Float64(); d < 0 {
		f.descent = clamp(d/1000, -0.35, 0)
	}
	return f
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// readW reads a CIDFont /W array: c [w1 w2 …] or c1 c2 w.
func readW(w pdf.Value) map[uint32]float64 {
	m := map[uint32]float64{}
	n := w.Len()
	for i := 0; i < n; {
		c := w.Index(i)
		if c.Kind() != pdf.Integer && c.Kind() != pdf.Real {
			break
		}
		start := uint32(c.Int64())
		if i+1 >= n {
			break
		}
		nx := w.Index(i + 1)
		if nx.Kind() == pdf.Array {
			for k := 0; k < nx.Len() && len(m) < maxCMapEntries; k++ {
				m[start+uint32(k)] = nx.Index(k).Float64()
			}
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		end := uint32(nx.Int64())
		wv := w.Index(i + 2).Float64()
		for cc := start; cc <= end && cc-start < 0x10000 && len(m) < maxCMapEntries; cc++ {
			m[cc] = wv
		}
		i += 3
	}
	return m
}

// readStream returns the decoded bytes of a stream, at most limit bytes.
func readStream(v pdf.Value, limit int64) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errPanic(p)
		}
	}()
	rc := v.Reader()
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

// nextCode splits the next character code off raw and returns it with its
// length in bytes.
func (f *fontInfo) nextCode(raw string) (uint32, int) {
	if !f.type0 {
		return uint32(raw[0]), 1
	}
	if len(f.spaces) > 0 {
		for n := 1; n <= 4 && n <= len(raw); n++ {
			c := beUint(raw[:n])
			for _, s := range f.spaces {
				if s.n == n && c >= s.lo && c <= s.hi {
					return c, n
				}
			}
		}
	}
	if f.mb == "gbk" {
		if raw[0] >= 0x81 && raw[0] <= 0xFE && len(raw) >= 2 {
			return beUint(raw[:2]), 2
		}
		return uint32(raw[0]), 1
	}
	if len(raw) >= 2 {
		return beUint(raw[:2]), 2
	}
	return uint32(raw[0]), 1
}

// text returns the Unicode text of one code.
func (f *fontInfo) text(code uint32, n int) string {
	if s, ok := f.cache[code]; ok {
		return s
	}
	s := fixRadicals(f.decode(code, n))
	if len(f.cache) < maxCMapEntries {
		f.cache[code] = s
	}
	return s
}

func (f *fontInfo) decode(code uint32, n int) string {
	if s, ok := f.toUni[code]; ok {
		return s
	}
	switch {
	case f.ucs2:
		if utf8.ValidRune(rune(code)) {
			return string(rune(code))
		}
	case f.mb == "gbk":
		var b []byte
		if n == 2 {
			b = []byte{byte(code >> 8), byte(code)}
		} else {
			b = []byte{byte(code)}
		}
		if s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	case f.lib != nil:
		return f.simpleDecode(code)
	}
	return "\uFFFD"
}

func (f *fontInfo) simpleDecode(code uint32) (s string) {
	defer func() {
		if recover() != nil {
			s = "\uFFFD"
		}
	}()
	s = f.lib.Encoder().Decode(string([]byte{byte(code)}))
	if s == "" || s == "\x00" {
		return "\uFFFD"
	}
	return s
}

// width returns the advance of a code in glyph units.
func (f *fontInfo) width(code uint32) float64 {
	if f.type0 {
		cid, ok := code, f.ident
		if f.enc != nil {
			cid, ok = f.enc.cid[code]
			if !ok {
				for _, r := range f.enc.cidRng {
					if code >= r.lo && code <= r.hi {
						cid, ok = r.cid+code-r.lo, true
						break
					}
				}
			}
		}
		if ok {
			if w, found := f.widths[cid]; found {
				return w
			}
			return f.dw
		}
		// Predefined CMap without the CID tables at hand: CJK glyphs are
		// full width, ASCII half width in the GB1 collection.
		if code < 0x80 || (f.ucs2 && code < 0x2000) {
			return 500
		}
		return 1000
	}
	i := int(code) - f.first
	if i >= 0 && i < len(f.simpleW) && f.simpleW[i] > 0 {
		return f.simpleW[i]
	}
	if f.dw > 0 {
		return f.dw
	}
	return 500
}

// glyphNameRune knows the glyph names used in ToUnicode-less CMaps that
// map to names; everything else goes through the library.
func glyphNameRune(name string) (rune, bool) {
	if strings.HasPrefix(name, "uni") && len(name) == 7 {
		if v := beHexRune(name[3:]); v > 0 {
			return v, true
		}
	}
	if utf8.RuneCountInString(name) == 1 {
		r, _ := utf8.DecodeRuneInString(name)
		return r, true
	}
	return 0, false
}

func beHexRune(h string) rune {
	var v rune
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + c - '0'
		case c >= 'a' && c <= 'f':
			v = v*16 + c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = v*16 + c - 'A' + 10
		default:
			return 0
		}
	}
	return v
}
