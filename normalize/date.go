package normalize

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

var (
	// A date as pages print it: 2024-01-20, 2024/1/20, 2024.01.20,
	// 2024年1月20日, with a time or not.
	dateRe = regexp.MustCompile(`((?:19|20)[0-9]{2})\s*(?:[-/.]|年)\s*([0-9]{1,2})\s*(?:[-/.]|月)\s*([0-9]{1,2})`)
	// A publication date line of a page's metadata: "发布日期：2024-01-20".
	// (成文日期, the date a document was written, is no publication date.)
	publishedRe = regexp.MustCompile(`(成文日期|发布日期|发布时间|发文日期|公开日期|发布于|日期)\s*[:：]\s*((?:19|20)[0-9]{2}\s*(?:[-/.]|年)\s*[0-9]{1,2}\s*(?:[-/.]|月)\s*[0-9]{1,2})`)
)

// Date reads the first date in s as YYYY-MM-DD; ok is false when there is
// none or it is no day of the calendar (2024-02-30).
func Date(s string) (string, bool) {
	m := dateRe.FindStringSubmatch(width.Fold.String(s))
	if m == nil {
		return "", false
	}
	return ymd(m[1], m[2], m[3])
}

// PublishedDate reads the date a page says it was published on, from a
// labelled line of its metadata ("发布日期：2024-01-20 10:31"); ok is false
// when no such line is in s.
func PublishedDate(s string) (string, bool) {
	// Only near a label: the regular expression over a whole paragraph of
	// a report's body cost a fifth of reading a text report.
	for rest := s; ; {
		i := indexDateLabel(rest)
		if i < 0 {
			return "", false
		}
		from := max(i-6, 0) // 成文 or 发布 before 日期
		for from > 0 && !utf8.RuneStart(rest[from]) {
			from--
		}
		to := min(len(rest), i+90)
		for to < len(rest) && !utf8.RuneStart(rest[to]) {
			to++
		}
		for _, m := range publishedRe.FindAllStringSubmatch(width.Fold.String(rest[from:to]), -1) {
			if m[1] != "成文日期" {
				return Date(m[2])
			}
		}
		rest = rest[i+3:]
	}
}

// indexDateLabel returns where the next 日期 or 发布 is in s, or -1.
func indexDateLabel(s string) int {
	i, j := strings.Index(s, "日期"), strings.Index(s, "发布")
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

func ymd(ys, ms, ds string) (string, bool) {
	y, _ := strconv.Atoi(ys)
	mo, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, d), true
}

// OnTime says whether a report of year was published by the deadline of
// the regulations (条例 第五十条): 31 January of the following year. known
// is false when the date is unknown or unreadable.
func OnTime(year int, published string) (onTime, known bool) {
	if year == 0 || len(published) != 10 {
		return false, false
	}
	return published <= fmt.Sprintf("%04d-01-31", year+1), true
}
