package storetest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// FakeParse reads the tiny line format of fakeDoc, so that store tests do
// not depend on the parser: "agency=…", "year=…", "status=…", "format=…", "template=…",
// "cell KEY=VALUE" (VALUE "-" is a blank cell), "extra KEY=VALUE",
// "finding RULE KEY… [expected=N actual=N]", "section N=TEXT", "panic". Every canonical cell of the
// template is present, blank unless given.
func FakeParse(_ context.Context, source string, data []byte, _ pipeline.Options) *nianbao.Report {
	rep := &nianbao.Report{Source: source, Format: nianbao.FormatText, Parser: nianbao.ParserVersion,
		Status: nianbao.StatusOK, Sections: map[string]string{}}
	if !bytes.HasPrefix(data, []byte("FAKE\n")) {
		rep.Status, rep.Error = nianbao.StatusError, "not a fake report"
		return rep
	}
	given := map[string]*float64{}
	var extra []nianbao.Cell
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		head, rest, _ := strings.Cut(line, " ")
		k, v, _ := strings.Cut(rest, "=")
		switch {
		case line == "panic":
			panic("fake parser told to panic")
		case strings.HasPrefix(line, "sleep="):
			d, _ := time.ParseDuration(strings.TrimPrefix(line, "sleep="))
			time.Sleep(d)
		case strings.HasPrefix(line, "agency="):
			rep.Agency = strings.TrimPrefix(line, "agency=")
		case strings.HasPrefix(line, "year="):
			rep.Year, _ = strconv.Atoi(strings.TrimPrefix(line, "year="))
		case strings.HasPrefix(line, "status="):
			rep.Status = nianbao.Status(strings.TrimPrefix(line, "status="))
			if rep.Status != nianbao.StatusOK && rep.Status != nianbao.StatusFindings {
				rep.Reason = "fake reason: " + string(rep.Status)
			}
		case strings.HasPrefix(line, "format="):
			rep.Format = nianbao.Format(strings.TrimPrefix(line, "format="))
		case strings.HasPrefix(line, "template="):
			rep.Template = nianbao.Template(strings.TrimPrefix(line, "template="))
		case head == "cell" || head == "extra":
			var val *float64
			if v != "-" {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					panic(err)
				}
				val = &f
			}
			if head == "cell" {
				given[k] = val
			} else {
				extra = append(extra, nianbao.Cell{Key: k, Label: "额外 " + k, Value: val, Raw: v,
					Source: &nianbao.Provenance{Table: 1, Row: 30, Col: 2, Raw: v, Engine: "fake"}})
			}
		case head == "finding":
			f := strings.Fields(rest)
			fd := nianbao.Finding{Rule: f[0], Detail: "fake " + f[0]}
			for _, w := range f[1:] {
				// expected=N and actual=N give the sides of the equation.
				name, num, ok := strings.Cut(w, "=")
				if !ok {
					fd.Cells = append(fd.Cells, w)
					continue
				}
				v, err := strconv.ParseFloat(num, 64)
				if err != nil {
					panic(err)
				}
				switch name {
				case "expected":
					fd.Expected = &v
				case "actual":
					fd.Actual = &v
				}
			}
			if fd.Expected != nil && fd.Actual != nil {
				fd.Difference = nianbao.F(*fd.Actual - *fd.Expected)
			}
			rep.Findings = append(rep.Findings, fd)
		case head == "section":
			rep.Sections[k] = v
		}
	}
	if rep.Template == "" && (rep.Status == nianbao.StatusOK || rep.Status == nianbao.StatusFindings) {
		rep.Template = nianbao.Template2019
	}
	for i, f := range nianbao.Schema(rep.Template) {
		c := nianbao.Cell{Key: f.Key, Source: &nianbao.Provenance{Table: f.Table - 2, Row: i / 7, Col: i % 7, Engine: "fake"}}
		if v, ok := given[f.Key]; ok && v != nil {
			c.Value = v
			c.Raw = strconv.FormatFloat(*v, 'f', -1, 64)
			c.Source.Raw = c.Raw
		} else {
			c.Blank = "blank"
		}
		if f.Key == "t3.new.natural" && c.Value != nil && *c.Value == 13 {
			// A figure with every flag, for the full cell statement.
			c.Uncertain = "fake doubt"
			c.Unit = "件"
			c.Source.Page, c.Source.Box = 3, &nianbao.Box{X0: 1, Y0: 2, X1: 3, Y1: 4}
		}
		rep.Cells = append(rep.Cells, c)
	}
	rep.Extra = extra
	if len(rep.Findings) > 0 && rep.Status == nianbao.StatusOK {
		rep.Status = nianbao.StatusFindings
	}
	return rep
}

// FakeDoc writes a document in the fake format.
func FakeDoc(agency string, year int, lines ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "FAKE\nagency=%s\nyear=%d\n", agency, year)
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}

// Dump returns every row of the store's tables as text, ordered, so that
// two states can be compared. skip names columns (table.column) and whole
// tables to leave out.
func Dump(t testing.TB, db *sql.DB, skip ...string) string {
	t.Helper()
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	var out strings.Builder
	for _, table := range []string{"documents", "document_sources", "reports", "cells", "findings", "sections", "fields",
		"organs", "organ_names", "store_meta", "schema_migrations"} {
		if skipped[table] {
			continue
		}
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, c := range cols {
				if skipped[table+"."+c] {
					continue
				}
				parts = append(parts, fmt.Sprintf("%s=%v", c, vals[i]))
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "## %s (%d)\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return out.String()
}

// Count returns the number a counting query gives.
func Count(t testing.TB, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Parsed parses a few generated reports for the benchmarks that
// leave the parser out.
func Parsed(b testing.TB) []*nianbao.Report {
	var cache []*nianbao.Report
	for i := range 16 {
		name, data := Doc(1, i)
		rep := pipeline.Read(context.Background(), name, data, pipeline.Options{})
		if rep.Status == nianbao.StatusOK || rep.Status == nianbao.StatusFindings {
			cache = append(cache, rep)
		}
	}
	if len(cache) == 0 {
		b.Fatal("no generated report parsed")
	}
	return cache
}
