package normalize

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Figure is a printed value read as a number.
type Figure struct {
	Value *float64 // nil when blank or unreadable
	// Unit is the unit the text was printed in when it carried one ("元",
	// "万元", "件"); amounts in 元 are converted to 万元 by Amount.
	Unit string
	// Blank says why Value is nil: "blank" (empty), "dash" (- — –),
	// "slash" (/), "无", or "unreadable".
	Blank string
}

// ErrNotNumber is returned for text that is neither a figure nor a blank mark.
var ErrNotNumber = errors.New("not a number")

var (
	thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
	plainNum  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$`)
	unitTail  = regexp.MustCompile(`(万元|元|件|个|项|条|次|人次|家|%)$`)
)

// NumberTo reads one printed figure into *dst; Value then points to dst, so
// that callers reading hundreds of figures keep them in one slab. It accepts
// full-width digits, thousands separators (1,808,595), a sign or 增/减 for
// signed changes, and a unit after the figure. Blank marks (empty, -, —, /,
// 无) give a nil Value with the reason. Anything else is ErrNotNumber, with
// Blank "unreadable".
func NumberTo(raw string, dst *float64) (Figure, error) {
	v, f, err := number(raw)
	if f.Blank == "" && err == nil {
		*dst, f.Value = v, dst
	}
	return f, err
}

// number is Number with the value returned apart: Figure.Value is left nil,
// and a value was read when Blank is "" and err is nil.
func number(raw string) (float64, Figure, error) {
	if v, ok := plainDigits(raw); ok {
		return v, Figure{}, nil
	}
	// The blank marks every report prints, without the general path.
	switch strings.TrimSpace(raw) {
	case "":
		return 0, Figure{Blank: "blank"}, nil
	case "-", "－", "−", "–", "—", "─", "―", "--", "——":
		return 0, Figure{Blank: "dash"}, nil
	case "/", "／", "\\":
		return 0, Figure{Blank: "slash"}, nil
	case "无":
		return 0, Figure{Blank: "无"}, nil
	}
	s := strings.TrimSpace(fold(raw))
	if spacedDigits(s) {
		// "31 00004": two figures run together, or one with a space; not a
		// figure to read as one.
		return 0, Figure{Blank: "unreadable"}, fmt.Errorf("%q: digits separated by spaces: %w", raw, ErrNotNumber)
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u3000', '\t', '\n', '\r', '\u200b':
			return -1
		case '，':
			return ','
		case '．', '。':
			return '.'
		case '−', '－', '–', '—', '─', '―':
			return '-'
		}
		return r
	}, s)
	switch {
	case s == "":
		return 0, Figure{Blank: "blank"}, nil
	case strings.Trim(s, "-") == "":
		return 0, Figure{Blank: "dash"}, nil
	case strings.Trim(s, "/\\") == "":
		return 0, Figure{Blank: "slash"}, nil
	case s == "无" || s == "暂无" || s == "没有":
		return 0, Figure{Blank: "无"}, nil
	}
	sign := 1.0
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "减"), strings.HasPrefix(s, "减少"):
		sign = -1
		s = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(s, "减少"), "减"), "-")
	case strings.HasPrefix(s, "+"), strings.HasPrefix(s, "增"), strings.HasPrefix(s, "增加"):
		s = strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(s, "增加"), "增"), "+")
	}
	var f Figure
	if m := unitTail.FindString(s); m != "" {
		f.Unit = m
		s = strings.TrimSuffix(s, m)
	}
	if thousands.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	if !plainNum.MatchString(s) {
		return 0, Figure{Blank: "unreadable"}, fmt.Errorf("%q: %w", raw, ErrNotNumber)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, Figure{Blank: "unreadable"}, fmt.Errorf("%q: %w", raw, ErrNotNumber)
	}
	v *= sign
	if v == 0 {
		v = 0 // no negative zero in the output
	}
	return v, f, nil
}

// fold is width.Fold for figures, most of which are ASCII already.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return width.Fold.String(s)
		}
	}
	return s
}

// spacedDigits reports a digit, whitespace, then a digit inside s.
func spacedDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j > i+1 && j < len(s) && s[j] >= '0' && s[j] <= '9' {
			return true
		}
	}
	return false
}

// plainDigits reads the common case — ASCII digits, perhaps a decimal
// point — without the general path's folding and matching.
func plainDigits(s string) (float64, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	dot := false
	var n int64 // the integer so far: ≤15 digits are exact in a float64
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return 0, false
		}
	}
	if !dot {
		return float64(n), true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// AmountTo reads a money figure in 万元 into *dst, as NumberTo. headerUnit
// is the unit the column header states ("元" or "万元", "" when it states
// none); a unit printed with the figure wins over it.
func AmountTo(raw, headerUnit string, dst *float64) (Figure, error) {
	v, f, err := amount(raw, headerUnit)
	if f.Blank == "" && err == nil {
		*dst, f.Value = v, dst
	}
	return f, err
}

func amount(raw, headerUnit string) (float64, Figure, error) {
	v, f, err := number(raw)
	if err != nil || f.Blank != "" {
		return v, f, err
	}
	unit := f.Unit
	if unit == "" || unit == "件" || unit == "项" || unit == "个" {
		unit = headerUnit
	}
	if unit == "元" {
		// Amounts in 元 have at most 2 decimals, so in 万元 at most 6:
		// rounding to 8 drops what the binary division adds (1.23元 is
		// 0.000123万元, not 0.00012300000000000001).
		v = math.Round(v/10000*1e8) / 1e8
		f.Unit = "元"
	}
	return v, f, nil
}

// IsFigure reports whether the text of a cell is a figure or a blank mark
// (not a label): what may fill a value cell.
func IsFigure(raw string) bool {
	if _, ok := plainDigits(raw); ok {
		return true
	}
	// Labels are most of what is asked about: reject any text with a
	// character no figure has before the full reading.
	blank := true
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9', r >= '０' && r <= '９':
			blank = false
		case unicode.IsSpace(r) || r == '\u200b':
		case strings.ContainsRune(",.，．。-−－–—─―/／\\＼+%", r):
			blank = false
		case strings.ContainsRune("万元件个项条次人家无减增少加暂没有", r):
			blank = false
		default:
			return false
		}
	}
	if blank {
		return false
	}
	_, _, err := number(raw)
	return err == nil
}
