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
	// The newest findings are read first (by id, descending) until a page
	// is full; the unary + keeps SQLite from going through every report of
	// the year or the region first, which reads far more when the filter
	// matches many (a filter matching very few findings reads them all).
	where := []string{`r.current`}
	var args []any
	if f.Rule != "" {
		where = append(where, `f.rule = ?`)
		args = append(args, f.Rule)
	}
	if f.Year != 0 {
		where = append(where, `+r.year = ?`)
		args = append(args, f.Year)
	}
	if f.Region != "" {
		where = append(where, `+o.division_code >= ? AND +o.division_code < ?`)
		args = append(args, f.Region, f.Region+":")
	}
	if f.Organ != 0 {
		where = append(where, `r.organ_id = ?`)
		args = append(args, f.Organ)
	}
	if f.Agency != "" {
		where = append(where, `instr(r.agency, ?) > 0`)
		args = append(args, f.Agency)
	}
	args = append(args, perPage+1, pg.offset())
	list, err := s.readFindings(r.Context(), findingsSelect+` WHERE `+strings.Join(where, ` AND `)+` ORDER BY f.id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	if len(list) > perPage {
		list, pg.Next = list[:perPage], true
	}
	d := &findingsData{Filter: f, Findings: list, Pager: pg, Rules: findingRules, Query: r.URL.Query()}
	return &result{Title: "勾稽问题 findings", tmpl: "findings", Data: d, Tables: []table{findingsTable("findings", list)}}, nil
}
