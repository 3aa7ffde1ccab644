package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/nianbao/nianbao"
)

// findingRules are the rules a finding names (the filter's list).
var findingRules = []string{
	nianbao.RuleBalance, nianbao.RuleOutcomeSum, nianbao.RuleApplicantSum, nianbao.RuleReviewSum,
	nianbao.RuleCarryOver, nianbao.RuleInForce, nianbao.RuleOrgSubtotal,
	nianbao.RuleMissingTable, nianbao.RuleTruncated, nianbao.RuleUncertain, nianbao.RuleDuplicate,
}

// findingRow is one broken rule with its report and organ.
type findingRow struct {
	ID       int64    `json:"finding_id"`
	ReportID int64    `json:"report_id"`
	Agency   string   `json:"agency"`
	Year     *int64   `json:"year"`
	OrganID  *int64   `json:"organ_id"`
	Organ    string   `json:"organ"`
	Division string   `json:"division_code"`
	Rule     string   `json:"rule"`
	Cells    []string `json:"cells"`
	Detail   string   `json:"detail"`
	Expected *float64 `json:"expected"`
	Actual   *float64 `json:"actual"`
	Other    *int64   `json:"other_report_id"`
}

const findingsSelect = `SELECT f.id, f.report_id, coalesce(r.agency, ''), r.year, o.id, coalesce(o.name, ''), coalesce(o.division_code, ''),
		f.rule, f.cells, f.detail, f.expected, f.actual, f.other_report_id
	FROM findings f JOIN reports r ON r.id = f.report_id LEFT JOIN organs o ON o.id = r.organ_id`

// findingsWhere reads the findings a condition selects, by id.
func (s *Server) findingsWhere(ctx context.Context, cond string, args ...any) ([]findingRow, error) {
	return s.readFindings(ctx, findingsSelect+` WHERE `+cond+` ORDER BY f.id`, args...)
}

func (s *Server) readFindings(ctx context.Context, q string, args ...any) ([]findingRow, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	defer rows.Close()
	var out []findingRow
	for rows.Next() {
		var f findingRow
		var year, organ, other sql.NullInt64
		var exp, act sql.NullFloat64
		var cells string
		if err := rows.Scan(&f.ID, &f.ReportID, &f.Agency, &year, &organ, &f.Organ, &f.Division, &f.Rule, &cells, &f.Detail, &exp, &act, &other); err != nil {
			return nil, fmt.Errorf("findings: %w", err)
		}
		_ = json.Unmarshal([]byte(cells), &f.Cells) // a malformed list shows no cells
		f.Year, f.OrganID, f.Other, f.Expected, f.Actual = iptr(year), iptr(organ), iptr(other), fptr(exp), fptr(act)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	return out, nil
}

func findingsTable(name string, fs []findingRow) table {
	t := table{Name: name, Columns: []string{"finding_id", "report_id", "agency", "year", "organ_id", "organ", "division_code",
		"rule", "cells", "detail", "expected", "actual", "other_report_id"}}
	for _, f := range fs {
		t.Rows = append(t.Rows, []any{f.ID, f.ReportID, f.Agency, f.Year, f.OrganID, f.Organ, f.Division,
			f.Rule, strings.Join(f.Cells, " "), f.Detail, f.Expected, f.Actual, f.Other})
	}
	return t
}

type findingsData struct {
	Filter   findingsFilter `json:"filter"`
	Findings []findingRow   `json:"findings"`
	Pager    pager          `json:"paging"`
	Rules    []string       `json:"-"`
	Query    url.Values     `json:"-"`
}

type findingsFilter struct {
	Rule   string `json:"rule,omitempty"`
	Year   int    `json:"year,omitempty"`
	Region string `json:"region,omitempty"`
	Organ  int64  `json:"organ,omitempty"`
	Agency string `json:"agency,omitempty"`
}

// findingsPage lists the findings of current reports, newest first.
func (s *Server) findingsPage(r *http.Request) (*result, error) {
	var f findingsFilter
	var err error
	if f.Rule, err = oneOf(r, "rule", findingRules); err != nil {
		return nil, err
	}
	if f.Year, err = intParam(r, "year", 1990, 2100); err != nil {
		return nil, err
	}
	if f.Region, err = codeParam(r, "region"); err != nil {
		return nil, err
	}
	organ, err := intParam(r, "organ", 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	f.Organ = int64(organ)
	if f.Agency, err = textParam(r, "agency", 100); err != nil {
		return nil, err
	}
	pg := pager{}
	if pg.Page, err = pageParam(r); err != nil {
		return nil, err
	}
	list, err := s.filteredFindings(r.Context(), f, pg)
	if err != nil {
		return nil, err
	}
	if len(list) > perPage {
		list, pg.Next = list[:perPage], true
	}
	d := &findingsData{Filter: f, Findings: list, Pager: pg, Rules: findingRules, Query: r.URL.Query()}
	return &result{Title: "勾稽问题 findings", tmpl: "findings", Data: d, Tables: []table{findingsTable("findings", list)}}, nil
}

// findingsWindow is how many of the newest findings the first try reads
// (a variable for the tests).
var findingsWindow = 4000

// filteredFindings reads a page of the findings a filter selects, newest
// first, in two tries. First among the newest findings only, by id, each
// joined to its report and organ (the unary + keeps SQLite from starting
// at every report of the year or region instead, which reads far more when
// the filter matches many): a page found there is the page, since every
// finding after it is older. Else — the filter matches few — from the
// filter's own side: the organs of the region, or the reports of the year,
// each through its index, then their findings, sorted.
func (s *Server) filteredFindings(ctx context.Context, f findingsFilter, pg pager) ([]findingRow, error) {
	conds := func(hint string) ([]string, []any) {
		where := []string{`r.current`}
		var args []any
		if f.Rule != "" {
			where = append(where, `f.rule = ?`)
			args = append(args, f.Rule)
		}
		if f.Year != 0 {
			where = append(where, hint+`r.year = ?`)
			args = append(args, f.Year)
		}
		if f.Region != "" {
			where = append(where, hint+`o.division_code >= ? AND `+hint+`o.division_code < ?`)
			args = append(args, f.Region, f.Region+":") // ':' follows '9'
		}
		if f.Organ != 0 {
			where = append(where, `r.organ_id = ?`)
			args = append(args, f.Organ)
		}
		if f.Agency != "" {
			where = append(where, `instr(r.agency, ?) > 0`)
			args = append(args, f.Agency)
		}
		return where, args
	}
	page := []any{perPage + 1, pg.offset()}
	// SQLite's unary + keeps the planner off an index; PostgreSQL has none.
	hint := "+"
	if s.st.Postgres() {
		hint = ""
	}
	where, args := conds(hint)
	if f.Organ == 0 && f.Rule == "" {
		// The first try; a rule or an organ has an index of its own.
		where = append(where, `f.id > (SELECT coalesce(max(id), 0) FROM findings) - ?`)
		args = append(args, findingsWindow)
		list, err := s.readFindings(ctx, findingsSelect+` WHERE `+strings.Join(where, ` AND `)+` ORDER BY f.id DESC LIMIT ? OFFSET ?`, append(args, page...)...)
		if err != nil || len(list) > perPage {
			return list, err
		}
		where, args = conds("")
	}
	q := findingsSelect
	if f.Region != "" && f.Organ == 0 {
		// The organs of the region, then their reports and findings.
		q = strings.Replace(q, `FROM findings f JOIN reports r ON r.id = f.report_id LEFT JOIN organs o ON o.id = r.organ_id`,
			`FROM organs o CROSS JOIN reports r ON r.organ_id = o.id CROSS JOIN findings f ON f.report_id = r.id`, 1)
	}
	return s.readFindings(ctx, q+` WHERE `+strings.Join(where, ` AND `)+` ORDER BY f.id DESC LIMIT ? OFFSET ?`, append(args, page...)...)
}
