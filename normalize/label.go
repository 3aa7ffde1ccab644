// Package normalize turns printed text into comparable values: labels into
// a canonical form, figures into numbers with their unit and blank reason,
// titles into organ name and report year; and it checks a report's
// arithmetic (勾稽关系).
package normalize

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// Label returns the canonical form of a printed label, for matching: Traditional
// characters made Simplified, full-width letters, digits and brackets made
// half-width, and every space, line break, quote and punctuation mark
// removed. Numbering marks are kept but unified ("1、" "1．" "（1）" → "1.";
// "（一）" → "(一)"), so that section context survives.
func Label(s string) string {
	s = Simplified(s)
	s = width.Fold.String(s)
	s = unifyMarks(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '\u3000', r == '\u200b', r == '\ufeff':
		case strings.ContainsRune("\"'“”‘’「」『』《》〈〉【】[]·•:;,，；：！!？?…~～*＊", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Plain returns the label with its numbering marks and brackets removed as
// well: "(三)不予公开1.属于国家秘密" → "不予公开属于国家秘密".
func Plain(s string) string {
	s = Label(s)
	s = markRe.ReplaceAllString(s, "")
	return strings.NewReplacer("(", "", ")", "", ".", "", "/", "").Replace(s)
}

var (
	// "1、" "1．" "1," "（1）" "(1)" "1)" → "1."; "（一）" "(一)" → "(一)"; "一、" "一." → "一、"
	arabicMark  = regexp.MustCompile(`(^|[^0-9.])([0-9]{1,2})\s*[、.．,，](\D|$)`)
	arabicParen = regexp.MustCompile(`[(（]\s*([0-9]{1,2})\s*[)）]`)
	hanParen    = regexp.MustCompile(`[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]`)
	hanMark     = regexp.MustCompile(`(^|[^一二三四五六七八九十])([一二三四五六七八九十]{1,3})\s*[、.．,，]`)
	markRe      = regexp.MustCompile(`\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、|[0-9]{1,2}\.`)
)

func unifyMarks(s string) string {
	s = arabicParen.ReplaceAllString(s, "$1.")
	s = arabicMark.ReplaceAllString(s, "$1$2.$3")
	s = hanParen.ReplaceAllString(s, "($1)")
	s = hanMark.ReplaceAllString(s, "$1$2、")
	return s
}

// Marks returns the numbering marks in a label, in order: "(三)" for a
// section, "3." for an item, "三、" for a top-level row.
func Marks(label string) []string {
	return markRe.FindAllString(Label(label), -1)
}

// traditionalOnly holds characters that appear in report labels and organ
// names only in Traditional writing; their presence switches on the full
// OpenCC conversion, which costs ~30µs a label and is wasted on the
// Simplified text almost every report is written in.
const traditionalOnly = "開屬於國護權複結維業機構請處數費務內類過執詢無關現補確訪舉報訴議訟糾審總計發廢織會組規範許罰強採購項條區縣廳辦門衛財稅華東廣蘇遼寧龍貴雲陝肅臺灣澤專據應這為與對單當經網統參額萬徵責團體學醫療續號後億兩減決產場標準設點圖書員錄證問題進況級觀視聞電話郵歸僅錯誤針頁歷製導協調節環資質監實際個並從營運輸傳達檔約簽領鄉鎮閱覽黨"

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
)

// Simplified converts Traditional Chinese to Simplified when s contains a
// Traditional character, and returns s unchanged otherwise.
func Simplified(s string) string {
	if !HasTraditional(s) {
		return s
	}
	t2sOnce.Do(func() {
		c, err := opencc.New("t2s")
		if err == nil {
			t2s = c
		}
	})
	if t2s == nil {
		return s
	}
	out, err := t2s.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// HasTraditional reports whether s contains a Traditional-only character.
func HasTraditional(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && strings.ContainsRune(traditionalOnly, r) {
			return true
		}
	}
	return false
}
