package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Title is what the title of a report says.
type Title struct {
	Text   string // the title as found
	Agency string
	Year   int
}

var (
	// The title's core: "政府信息公开工作年度报告" and its variants.
	titleCore = regexp.MustCompile(`(?:政府|政务)?信息公开(?:工作)?(?:年度|年)?(?:工作)?(?:报告|年报|情况的?报告)`)
	// A year as titles write it: 2019年, 2019年度, （2019年度）, 二〇一九年.
	yearExpr = regexp.MustCompile(`[(（]?((?:19|20)[0-9]{2}|[二][〇零○Ｏ0O][一二三四五六七八九〇零○0O]{2})\s*年\s*度?[)）]?`)
	// The period the figures cover: "统计期限自2024年1月1日至2024年12月31日".
	periodRe   = regexp.MustCompile(`(?:统计期限|统计时限|统计期间|数据统计|统计区间|所列数据)[^。；]{0,20}?((?:19|20)[0-9]{2})\s*年\s*1\s*月\s*1\s*日`)
	yearRe     = regexp.MustCompile(`((?:19|20)[0-9]{2})\s*年`)
	junkPrefix = regexp.MustCompile(`^(关于|附件[0-9]*[:：]?|[【\[].*?[】\]]|[#*>•·\-]+|(?:标题|文章标题|发布机构|发文机关|发布单位|信息来源|来源|索引号)\s*[:：])`)
	// What a page about reports says that a report's title does not: a
	// notice on compiling them, a reading guide, a list.
	noticeAfter  = regexp.MustCompile(`通知|通报|的函|意见|方案|公告|编制|发布工作|报送|解读|图解|目录|列表|汇总|专栏|链接`)
	noticeBefore = regexp.MustCompile(`关于(?:做好|印发|报送|开展|编制|公开|抓好|进一步)|解读|图解`)
)

// What an organ's name ends with. (Suffixes, not a regexp ending in $: Go's
// regexp tries such a pattern at every position of the name.)
var organEnds = []string{"人民政府", "政府", "办公厅", "办公室", "局", "委员会", "委", "厅", "院", "署", "办", "中心",
	"街道办事处", "管委会", "管理委员会", "公司", "所", "站", "队", "部", "处", "会", "镇", "乡", "街道", "总局", "监狱",
	"法院", "检察院", "银行", "集团", "学校", "大学", "学院", "医院", "分局", "支队", "大队"}

// What a division's name ends with, for organ names that are a place
// (平潭综合实验区) rather than an organ.
var placeEnds = []string{"区", "县", "市", "省", "州", "旗", "盟"}

// endsWith reports whether s ends with one of ends.
func endsWith(s string, ends []string) bool {
	for _, e := range ends {
		if strings.HasSuffix(s, e) {
			return true
		}
	}
	return false
}

// ParseTitle reads organ and year from a title such as
// "新乡市卫滨区人民政府办公室2019年政府信息公开工作年度报告",
// "2019年上海市人民政府办公厅政府信息公开工作年度报告" or
// "XX局政府信息公开工作年度报告（2021年度）".
func ParseTitle(s string) (Title, bool) {
	s = strings.TrimSpace(width.Fold.String(Simplified(s)))
	compact := strings.Join(strings.Fields(s), "")
	loc := titleCore.FindStringIndex(compact)
	if loc == nil {
		return Title{}, false
	}
	ym := yearExpr.FindStringSubmatch(compact)
	if ym == nil {
		return Title{}, false
	}
	t := Title{Text: s, Year: parseYear(ym[1])}
	agency := yearExpr.ReplaceAllString(compact[:loc[0]], "")
	agency = strings.TrimSuffix(strings.TrimSuffix(agency, "的"), "关于")
	t.Agency = cleanAgency(agency)
	return t, t.Year > 0
}

// parseYear reads 2019 or 二〇一九.
func parseYear(s string) int {
	if y, err := strconv.Atoi(s); err == nil {
		return y
	}
	y := 0
	for _, r := range s {
		d := strings.IndexRune("〇一二三四五六七八九", r)
		switch {
		case d >= 0:
			d = len([]rune("〇一二三四五六七八九"[:d]))
		case r == '零' || r == '○' || r == 'O' || r == 'Ｏ' || r == '0':
			d = 0
		default:
			return 0
		}
		y = y*10 + d
	}
	return y
}

// CleanAgency returns an organ's name as printed without what surrounds
// it: white space, a CMS label ("标题："), brackets and quotes.
func CleanAgency(s string) string {
	return cleanAgency(strings.Join(strings.Fields(width.Fold.String(s)), ""))
}

func cleanAgency(s string) string {
	s = strings.TrimSpace(s)
	for {
		n := strings.TrimSpace(junkPrefix.ReplaceAllString(s, ""))
		if n == s {
			break
		}
		s = n
	}
	s = strings.TrimSuffix(s, "关于")
	s = strings.Trim(s, " -_—|:：,，。、\"“”《》()（）#*")
	return s
}

// Plausible reports whether a name taken from a title can be an organ's:
// it reads as one (IsAgency) or as a place. The year cut out of a
// breadcrumb such as "2019年以前政府信息公开年度报告" leaves "以前", which
// is neither.
func Plausible(agency string) bool {
	s := strings.Join(strings.Fields(agency), "")
	return IsAgency(s) || utf8.RuneCountInString(s) >= 3 && endsWith(s, placeEnds)
}

// Notice reports whether a title is of a page about reports rather than a
// report: "关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", a 解读
// or a list of them.
func Notice(title string) bool {
	s := strings.Join(strings.Fields(width.Fold.String(Simplified(title))), "")
	loc := titleCore.FindStringIndex(s)
	if loc == nil {
		return false
	}
	return noticeBefore.MatchString(s[:loc[0]]) || noticeAfter.MatchString(s[loc[1]:])
}

// IsAgency reports whether s reads as an organ name on its own (a title
// line above the "2024年政府信息公开工作年度报告" line).
func IsAgency(s string) bool {
	s = cleanAgency(strings.Join(strings.Fields(s), ""))
	n := len([]rune(s))
	return n >= 3 && n <= 40 && endsWith(s, organEnds) && !strings.ContainsAny(s, "。，,；:：")
}

// PeriodYear returns the year of the statistics period a report states in
// its body ("统计期限自2024年1月1日至…"), or 0.
func PeriodYear(body string) int {
	// Look only near the words that open the statement: folding and
	// matching a whole report body costs more than parsing its tables.
	for _, w := range []string{"统计", "所列数据"} {
		rest := body
		for {
			i := strings.Index(rest, w)
			if i < 0 {
				break
			}
			end := min(len(rest), i+200)
			for end < len(rest) && !utf8.RuneStart(rest[end]) {
				end++
			}
			if m := periodRe.FindStringSubmatch(width.Fold.String(rest[i:end])); m != nil {
				y, _ := strconv.Atoi(m[1])
				return y
			}
			rest = rest[i+len(w):]
		}
	}
	return 0
}

// FirstYear returns the first plausible report year in s, or 0.
func FirstYear(s string) int {
	for _, m := range yearRe.FindAllStringSubmatch(width.Fold.String(s), -1) {
		y, _ := strconv.Atoi(m[1])
		if y >= 2000 && y <= 2100 {
			return y
		}
	}
	return 0
}
