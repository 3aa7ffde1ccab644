package pdfdoc

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Chromium (Skia) and some Word exports map CJK glyphs that share their
// shape with a radical to the radical's code point: "⼆、主动公开" with U+2F06
// KANGXI RADICAL TWO for 二. A reader sees 二; so must the parser. Kangxi
// radicals have compatibility mappings (NFKC); the supplement's are listed.
var radicalSupplement = map[rune]rune{
	0x2E8C: '小', 0x2E8D: '小', 0x2E95: '彐', 0x2E9C: '日', 0x2E9F: '母', 0x2EA0: '民', 0x2EA6: '丬', 0x2EAB: '罒',
	0x2EAE: '竹', 0x2EB2: '罒', 0x2EB7: '羊', 0x2EBC: '肉', 0x2EC4: '西', 0x2EC5: '见', 0x2EC6: '角', 0x2EC8: '讠',
	0x2EC9: '贝', 0x2ECB: '车', 0x2ECC: '辶', 0x2ECD: '辶', 0x2ED0: '钅', 0x2ED3: '长', 0x2ED4: '门', 0x2ED7: '雨',
	0x2ED8: '青', 0x2EDA: '页', 0x2EDB: '风', 0x2EDC: '飞', 0x2EDD: '食', 0x2EDF: '食', 0x2EE0: '饣', 0x2EE2: '马',
	0x2EE3: '骨', 0x2EE4: '鬼', 0x2EE5: '鱼', 0x2EE6: '鸟', 0x2EE7: '卤', 0x2EE8: '麦', 0x2EE9: '黄', 0x2EEA: '黾',
	0x2EEB: '斉', 0x2EEC: '齐', 0x2EED: '歯', 0x2EEE: '齿', 0x2EEF: '竜', 0x2EF0: '龙', 0x2EF2: '亀', 0x2EF3: '龟',
}

// lookalikes are characters a font's ToUnicode gives for a glyph it shares
// with the character the writer typed (Skia maps ／ to U+2215).
var lookalikes = map[rune]string{0x2215: "/", 0x2044: "/"}

// fixRadicals replaces radicals by the unified ideographs they stand for,
// and look-alike slashes by the slash.
func fixRadicals(s string) string {
	if !strings.ContainsFunc(s, isRadical) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x2F00 && r <= 0x2FD5:
			b.WriteString(norm.NFKC.String(string(r)))
		case lookalikes[r] != "":
			b.WriteString(lookalikes[r])
		case radicalSupplement[r] != 0:
			b.WriteRune(radicalSupplement[r])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isRadical(r rune) bool { return r >= 0x2E80 && r <= 0x2FDF || r == 0x2215 || r == 0x2044 }
