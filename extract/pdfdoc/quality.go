package pdfdoc

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nianbao/nianbao"
)

// commonHan holds about 600 of the most frequent Chinese characters plus
// those of the report's own vocabulary. Real text is made mostly of them;
// a text layer decoded through the wrong map gives rare characters,
// private-use code points or U+FFFD.
const commonHan = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞申请予以公开不掌握执案卷查询秘密复议诉讼审维持纠正尚未起诉结转办理告布告息政府履职网站平台"

var commonSet = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range commonHan {
		m[r] = true
	}
	return m
}()

// reportPhrases are words any report of this kind prints.
var reportPhrases = []string{"政府信息", "信息公开", "公开", "申请", "年度", "报告"}

// judgeText decides whether the text layer can be trusted: no text at all
// means an image-only document; text that is mostly undecodable or made of
// rare characters means a broken font map.
func judgeText(doc *nianbao.Document, pages []*pageData) error {
	var b strings.Builder
	images := 0
	for _, p := range pages {
		images += len(p.images)
		for i := range p.glyphs {
			b.WriteString(p.glyphs[i].s)
		}
	}
	text := b.String()
	st := textStats(text)
	switch {
	case st.total == 0 && images > 0:
		doc.Notes = append(doc.Notes, fmt.Sprintf("no text on %d pages, %d images", len(pages), images))
		return ErrNoText
	case st.total == 0:
		doc.Notes = append(doc.Notes, "no text and no images")
		return ErrNoText
	}
	phrase := false
	for _, p := range reportPhrases {
		if strings.Contains(text, p) {
			phrase = true
			break
		}
	}
	bad := float64(st.bad) / float64(st.total)
	commonShare := 1.0
	if st.han > 0 {
		commonShare = float64(st.common) / float64(st.han)
	}
	if bad > 0.3 || (st.han >= 40 && commonShare < 0.35) || (st.han >= 40 && !phrase && commonShare < 0.5) {
		doc.Notes = append(doc.Notes, fmt.Sprintf("text layer looks undecoded: %d characters, %.0f%% undecodable, %.0f%% of Han characters common",
			st.total, bad*100, commonShare*100))
		return ErrGarbage
	}
	return nil
}

type stats struct{ total, bad, han, common int }

func textStats(s string) stats {
	var st stats
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		st.total++
		switch {
		case r == '\uFFFD' || (r >= 0xE000 && r <= 0xF8FF) || unicode.IsControl(r) || r >= 0xF0000:
			st.bad++
		case unicode.Is(unicode.Han, r):
			st.han++
			if commonSet[r] {
				st.common++
			}
		}
	}
	return st
}
