package parse

import (
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// sumRule tells whether a row's figures, in key order, satisfy the
// arithmetic the row must: total = sum of its parts.
type sumRule func(vals []int64) bool

// recoverRun reads a row whose cell separators were lost, so that figures
// run together ("230 000023" for 2 3 0 0 0 0 2 3…). It tries every way of
// cutting the digit runs into len(keys) figures (no leading zeros, runs
// never joined) and accepts a cut only when it is the single one that
// satisfies the row's sums. ok is false when there is none, or more than
// one: the row is then flagged, never guessed.
func recoverRun(figs []*nianbao.GridCell, keys []string, rule sumRule) ([]*nianbao.GridCell, bool) {
	if rule == nil || len(figs) == 0 || len(figs) >= len(keys) {
		return nil, false
	}
	runs := make([]string, len(figs))
	total := 0
	for i, f := range figs {
		s := strings.ReplaceAll(strings.TrimSpace(f.Text), " ", "")
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return nil, false
		}
		runs[i] = s
		total += len(s)
	}
	if total < len(keys) || total > 60 {
		return nil, false
	}
	var (
		found    [][]string
		cur      []string
		vals     []int64
		budget   = 200000 // cuts tried; past it, give up rather than stall
		run, pos int
	)
	var walk func()
	walk = func() {
		if len(found) > 1 || budget <= 0 {
			return
		}
		budget--
		if run == len(runs) {
			if len(cur) == len(keys) && rule(vals) {
				found = append(found, append([]string{}, cur...))
			}
			return
		}
		s := runs[run]
		// Parts still needed must fit the digits left.
		left := len(keys) - len(cur)
		digits := len(s) - pos
		for _, r := range runs[run+1:] {
			digits += len(r)
		}
		if left <= 0 || left > digits {
			return
		}
		maxLen := len(s) - pos
		if s[pos] == '0' {
			maxLen = 1 // "0" is a figure, "05" is not
		}
		for l := 1; l <= min(maxLen, 10); l++ {
			part := s[pos : pos+l]
			v, _ := strconv.ParseInt(part, 10, 64)
			cur, vals = append(cur, part), append(vals, v)
			oldRun, oldPos := run, pos
			pos += l
			if pos == len(s) {
				run, pos = run+1, 0
			}
			walk()
			run, pos = oldRun, oldPos
			cur, vals = cur[:len(cur)-1], vals[:len(vals)-1]
		}
	}
	walk()
	if len(found) != 1 || budget <= 0 {
		return nil, false
	}
	// Each figure keeps the position of the run it came from; the raw text
	// says what was printed.
	out := make([]*nianbao.GridCell, len(keys))
	i, consumed := 0, 0
	for k, part := range found[0] {
		src := figs[i]
		c := *src
		c.Text = part
		c.Uncertain = ""
		out[k] = &c
		consumed += len(part)
		if consumed == len(runs[i]) {
			i, consumed = i+1, 0
		}
	}
	return out, true
}

// t3Rule: a row of table 三 — total is the sum of the six applicant columns,
// and a 法人或其他组织小计 column the sum of the five organisation columns.
func t3Rule(keys []string) sumRule {
	return func(v []int64) bool {
		var sum, org, sub int64 = 0, 0, -1
		total := int64(-1)
		for i, k := range keys {
			switch {
			case k == "total":
				total = v[i]
			case strings.HasPrefix(k, "x."):
				sub = v[i]
			default:
				sum += v[i]
				if k != "natural" {
					org += v[i]
				}
			}
		}
		return total == sum && (sub < 0 || sub == org)
	}
}

// t4Rule: in each row of table 四 (keys "upheld"… or "review.upheld"…), total
// is the sum of the other four results.
func t4Rule(keys []string) sumRule {
	return func(v []int64) bool {
		sums, totals := map[string]int64{}, map[string]int64{}
		for i, k := range keys {
			group, col := "", k
			if j := strings.LastIndexByte(k, '.'); j >= 0 {
				group, col = k[:j], k[j+1:]
			}
			if col == "total" {
				totals[group] = v[i]
			} else {
				sums[group] += v[i]
			}
		}
		for g, t := range totals {
			if sums[g] != t {
				return false
			}
		}
		return len(totals) > 0
	}
}
