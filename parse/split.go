package parse

import (
	"strconv"
	"strings"

	"github.com/nianbao/nianbao"
)

// sumRule names the row a cut of run-together figures must add up in: the
// table (3 or 4) and the row's column keys, in order — "natural"… for
// table 三 (a 法人或其他组织小计 column as nianbao.T3OrgSubtotalCol), and
// "upheld"… or "review.upheld"… (the row of 15) for table 四. The sums
// themselves are the equations of nianbao.Equations the row's cells can be
// checked on (rowEquations).
type sumRule struct {
	table int
	cols  []string
}

// rowRule returns the sumRule of a row of table 3 or 4 with columns cols.
func rowRule(table int, cols []string) sumRule { return sumRule{table, cols} }

// recoverRun reads a row whose cell separators were lost, so that figures
// run together ("230 000023" for 2 3 0 0 0 0 2 3…). It tries every way of
// cutting the digit runs into len(keys) figures (no leading zeros, runs
// never joined) and accepts a cut only when it is the single one that
// satisfies the row's sums. ok is false when there is none, or more than
// one: the row is then flagged, never guessed.
func recoverRun(figs []*nianbao.GridCell, keys []string, rule sumRule) ([]*nianbao.GridCell, bool) {
	if rule.cols == nil || len(figs) == 0 || len(figs) >= len(keys) {
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
	eqs := rowEquations(rule)
	if len(eqs) == 0 {
		return nil, false // no sum to tell the right cut by
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
			if len(cur) == len(keys) && holds(eqs, vals) {
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

// rowEq is an equation of nianbao.Equations as positions in a row's
// figures.
type rowEq struct {
	rule        string
	left, right []int
}

// rowEquations returns the equations a row's figures alone can be checked
// on: every single-report or row equation with a cell of the row on each
// side. A term outside the row counts 0, as a blank does in
// nianbao.CheckEquation — a table 四 header that names no 其他结果 column
// has none. Every row of table 三 has the same row sums (rule 3, and the
// 小计 column when printed), extra subtotal rows too, so the cells are
// keyed on row new; those of table 四 likewise on row review.
func rowEquations(rule sumRule) []rowEq {
	at := make(map[string]int, len(rule.cols))
	for i, c := range rule.cols {
		switch {
		case rule.table == 3:
			at[nianbao.Key(3, "new", c)] = i
		case rule.table == 4 && strings.Contains(c, "."): // review.upheld: the row of 15
			at["t4."+c] = i
		case rule.table == 4:
			at[nianbao.Key(4, "review", c)] = i
		}
	}
	side := func(ts []nianbao.Term) []int {
		var pos []int
		for _, t := range ts {
			if i, ok := at[t.Key]; ok {
				pos = append(pos, i)
			}
		}
		return pos
	}
	var out []rowEq
	for _, e := range nianbao.Equations() {
		if e.Scope == nianbao.ScopeYears {
			continue
		}
		l, r := side(e.Left), side(e.Right)
		if len(l) > 0 && len(r) > 0 {
			out = append(out, rowEq{e.Rule, l, r})
		}
	}
	return out
}

// holds reports whether every equation holds on the row's figures.
func holds(eqs []rowEq, v []int64) bool {
	for _, e := range eqs {
		var l, r int64
		for _, i := range e.left {
			l += v[i]
		}
		for _, i := range e.right {
			r += v[i]
		}
		if l != r {
			return false
		}
	}
	return true
}
