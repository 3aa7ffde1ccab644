package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/organ"
)

// The writer's organ statements.
const (
	qNameLookup = `SELECT n.organ_id, n.how, o.key FROM organ_names n JOIN organs o ON o.id = n.organ_id WHERE n.name = ?`
	// A writer of another process may add the name meanwhile (PostgreSQL):
	// it placed it the same way.
	qNameInsert = `INSERT INTO organ_names(name, organ_id, how) VALUES (?,?,?) ON CONFLICT (name) DO NOTHING`
	qNameUpdate = `UPDATE organ_names SET organ_id = ?, how = ? WHERE name = ?`
	// An organ seen first as another's parent takes the way its own name
	// was placed when a report of it comes.
	qOrganUpsert = `INSERT INTO organs(key, name, kind, level, division_code, province_code, province, city_code, city,
			county_code, county, parent_id, placed_how, why)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (key) DO UPDATE SET
			parent_id = coalesce(organs.parent_id, excluded.parent_id),
			placed_how = CASE WHEN organs.placed_how = 'parent' THEN excluded.placed_how ELSE organs.placed_how END
		RETURNING id`
	// The current reports of an organ, by year: the first of a year (by
	// id) is its report.
	qCurrentOf = `SELECT id, year, template FROM reports INDEXED BY reports_by_organ_year
		WHERE organ_id = ? AND current ORDER BY year, id`
	// The cross-year findings on the reports of an organ, current or not.
	// From the organ's reports to their findings (CROSS JOIN keeps that
	// order): searching findings by rule would read every one in the store.
	qYearFindings = `SELECT r.year, f.id, f.report_id, f.rule, f.cells, f.detail, f.other_report_id
		FROM reports r INDEXED BY reports_by_organ_year CROSS JOIN findings f ON f.report_id = r.id
		WHERE r.organ_id = ? AND f.rule IN ('` + nianbao.RuleCarryOver + `', '` + nianbao.RuleInForce + `')`
	qFindingDelete     = `DELETE FROM findings WHERE id = ?`
	qYearFindingInsert = `INSERT INTO findings(report_id, rule, cells, detail, other_report_id, expected, actual) VALUES (?,?,?,?,?,?,?)`
)

// howParent marks an organ row made because another organ names it as its
// parent, before any report of its own.
const howParent = "parent"

// divisions is the bundled divisions table; loading it takes ~0.15 s, so
// it is loaded once, when the first organ is placed.
func divisions() (*organ.Table, error) {
	t, err := organ.Bundled()
	if err != nil {
		return nil, fmt.Errorf("divisions table: %w", err)
	}
	return t, nil
}

// placeOrgan returns the organ of a document's report, writing the organ
// and the printed name's row when they are new. A decision of the names
// file for the printed name wins; so does a placement made before for the
// same name when this report alone cannot place it (its site placed it
// another year); otherwise the organ package's resolution (Doc.Organ, or
// resolved here) decides. NULL when the report names no organ.
func (w *txWriter) placeOrgan(p *Doc) (sql.NullInt64, error) {
	rep := p.rep
	if rep.Agency == "" {
		return sql.NullInt64{}, nil
	}
	o := p.Organ
	if o == nil {
		t, err := divisions()
		if err != nil {
			return sql.NullInt64{}, err
		}
		r := t.Resolve(rep.Agency, organ.Hint{Division: p.Division})
		o = &r
	}
	name := organ.Clean(rep.Agency)
	had, found, err := w.lookupName(name)
	switch {
	case err != nil:
		return sql.NullInt64{}, err
	case found && (had.how == organ.HowManual || had.key == o.Key || !o.Placed()):
		return sql.NullInt64{Int64: had.id, Valid: true}, nil
	}
	id, err := w.organID(*o)
	if err != nil {
		return sql.NullInt64{}, err
	}
	q := qNameInsert
	args := []any{name, id, o.How}
	if found {
		q, args = qNameUpdate, []any{id, o.How, name}
	}
	if _, err := w.exec(q, args...); err != nil {
		return sql.NullInt64{}, fmt.Errorf("name %s: %w", name, err)
	}
	w.keepName(name, nameRow{id, o.How, o.Key})
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// organID returns the id of an organ, writing it (and its parent) when new.
// The ids the transaction has written or read are kept: an organ's reports
// come many to a batch, each with its parent. An organ written as a parent
// only is written again when a report of its own comes, which places it.
func (w *txWriter) organID(o organ.Organ) (int64, error) {
	if c, ok := w.knownOrgan(o.Key); ok && (c.own || o.How == howParent) {
		return c.id, nil
	}
	var parent sql.NullInt64
	if o.Parent != "" {
		t, err := divisions()
		if err != nil {
			return 0, err
		}
		if po, ok := t.OfKey(o.Parent); ok {
			po.How = howParent
			pid, err := w.organID(po)
			if err != nil {
				return 0, err
			}
			parent = sql.NullInt64{Int64: pid, Valid: true}
		}
	}
	var code, level any
	if o.Division != nil {
		code, level = o.Division.Code, string(o.Level)
	}
	prov, city, county := o.Region()
	var id int64
	if w.s.pg {
		// PostgreSQL spends an id of the sequence on every upsert, even
		// one that finds the row: an organ known is looked up first, so
		// that ids follow the organs made, as on SQLite.
		found, err := w.pgOrganKnown(o, parent, &id)
		if err != nil {
			return 0, fmt.Errorf("organ %s: %w", o.Key, err)
		}
		if found {
			if w.organs == nil {
				w.organs = map[string]organRow{}
			}
			w.organs[o.Key] = organRow{id, o.How != howParent}
			return id, nil
		}
	}
	err := w.queryRow(qOrganUpsert, o.Key, o.Name, string(o.Kind), level, code,
		divCode(prov), divName(prov), divCode(city), divName(city), divCode(county), divName(county),
		parent, o.How, nullString(o.Why)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("organ %s: %w", o.Key, err)
	}
	if w.organs == nil {
		w.organs = map[string]organRow{}
	}
	w.organs[o.Key] = organRow{id, o.How != howParent}
	w.created(id)
	return id, nil
}

// pgOrganKnown finds a stored organ, updating it as qOrganUpsert would.
func (w *txWriter) pgOrganKnown(o organ.Organ, parent sql.NullInt64, id *int64) (bool, error) {
	var how string
	var par sql.NullInt64
	err := w.queryRow(`SELECT id, placed_how, parent_id FROM organs WHERE key = ?`, o.Key).Scan(id, &how, &par)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	if (how == howParent && o.How != howParent) || (!par.Valid && parent.Valid) {
		if _, err := w.exec(`UPDATE organs SET parent_id = coalesce(parent_id, ?),
			placed_how = CASE WHEN placed_how = 'parent' THEN ? ELSE placed_how END WHERE id = ?`, parent, o.How, *id); err != nil {
			return false, err
		}
	}
	return true, nil
}

// organRow is an organ the transaction wrote: its id, and whether it was
// written with its own placement (else as another's parent).
type organRow struct {
	id  int64
	own bool
}

func divCode(d *organ.Division) any {
	if d == nil {
		return nil
	}
	return d.Code
}

func divName(d *organ.Division) any {
	if d == nil {
		return nil
	}
	return d.Name
}

// china is the time zone the publication deadline is in (China Standard
// Time has no daylight saving: a fixed zone needs no tz database).
var china = time.FixedZone("CST", 8*3600)

// publication says when a report was published and where that was read:
// the document's own statement (a 发布日期 line, page or PDF metadata),
// else the server's Last-Modified, else the first fetch (a bound: it was
// published by then). "" when nothing says.
func publication(rep *nianbao.Report, f *Fetch, now string) (date, source string) {
	if rep.Published != "" {
		return rep.Published, rep.PublishedFrom
	}
	if f == nil {
		return "", ""
	}
	if t, err := time.Parse(time.RFC1123, f.LastModified); err == nil && f.LastModified != "" {
		return t.In(china).Format(time.DateOnly), "http"
	}
	if !f.FetchedAt.IsZero() {
		return f.FetchedAt.In(china).Format(time.DateOnly), "crawl"
	}
	return "", ""
}

// organYear is an organ's reports of one year.
type organYear struct {
	organ int64
	year  int
}

// touch notes that the reports of an organ and year changed, so that the
// cross-year rules are checked again for them at commit.
func (w *txWriter) touch(organ int64, year int) {
	if w.touched == nil {
		w.touched = map[organYear]bool{}
	}
	w.touched[organYear{organ, year}] = true
}

// checkYears checks rules 5 and 6 between the current reports of every
// touched organ and year and those of the years before and after: a
// broken equation is a finding on the later report naming the earlier
// one. The findings of a pair are written anew each time, from the
// reports current at commit, so the order documents arrive in does not
// matter. A missing neighbour year is not a finding.
//
// Each organ is read with two queries, its current reports and its
// cross-year findings, whatever the number of its years touched.
func (w *txWriter) checkYears() error {
	years := map[int64][]int{} // the later years of the pairs, by organ
	for k := range w.touched {
		years[k.organ] = append(years[k.organ], k.year, k.year+1)
	}
	w.touched = nil
	organs := make([]int64, 0, len(years))
	for o := range years {
		organs = append(organs, o)
	}
	slices.Sort(organs)
	for _, o := range organs {
		ys := years[o]
		slices.Sort(ys)
		if err := w.checkOrgan(o, slices.Compact(ys)); err != nil {
			return fmt.Errorf("cross-year rules of organ %d: %w", o, err)
		}
	}
	return nil
}

// yearReport is the current report of an organ and year with the cells
// the cross-year equations read (figs read when first needed).
type yearReport struct {
	id       int64
	template string
	figs     nianbao.Figures
}

// yearFinding is a cross-year finding as stored.
type yearFinding struct {
	report           int64
	rule, cells, why string
	other            int64
	expected, actual float64
}

// storedFinding is a cross-year finding read from the store, with its id
// and the year of its report.
type storedFinding struct {
	yearFinding
	id   int64
	year int
}

// same reports whether a finding to write is this stored one (the figures
// are in its detail).
func (f *storedFinding) same(x yearFinding) bool {
	return x.report == f.report && x.rule == f.rule && x.cells == f.cells && x.why == f.why && x.other == f.other
}

// checkOrgan checks the pairs of an organ's years (year-1, year) for the
// given later years against each other, and makes the stored findings of
// each pair what the check found: only the difference is written, so that
// checking again what did not change writes nothing.
func (w *txWriter) checkOrgan(organ int64, years []int) error {
	if err := w.pgLockOrgan(organ); err != nil {
		return err
	}
	var current map[int]*yearReport
	var stored []storedFinding
	if f := w.freshOf(organ); f != nil {
		// Created by this transaction: its reports are the ones it wrote,
		// and the only cross-year findings it can have are written here.
		current = f.current()
	}
	if current == nil {
		var err error
		if current, err = w.currentOf(organ); err != nil {
			return err
		}
		if stored, err = w.storedYearFindings(organ); err != nil {
			return err
		}
	}
	for _, year := range years {
		want, err := w.yearFindings(year, current)
		if err != nil {
			return fmt.Errorf("%d: %w", year, err)
		}
		for _, f := range stored {
			if f.year != year {
				continue
			}
			if i := slices.IndexFunc(want, f.same); i >= 0 {
				want = slices.Delete(want, i, i+1) // stored already
				continue
			}
			if _, err := w.exec(qFindingDelete, f.id); err != nil {
				return err
			}
		}
		for _, f := range want {
			if _, err := w.exec(qYearFindingInsert, f.report, f.rule, f.cells, f.why, f.other, f.expected, f.actual); err != nil {
				return err
			}
		}
	}
	return nil
}

// currentOf returns the current report of each year of an organ.
func (w *txWriter) currentOf(organ int64) (map[int]*yearReport, error) {
	rows, err := w.queryRows(qCurrentOf, organ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	current := map[int]*yearReport{}
	for rows.Next() {
		var year int
		r := &yearReport{}
		if err := rows.Scan(&r.id, &year, &r.template); err != nil {
			return nil, err
		}
		if _, ok := current[year]; !ok {
			current[year] = r
		}
	}
	return current, rows.Err()
}

// storedYearFindings returns the cross-year findings stored on the
// reports of an organ.
func (w *txWriter) storedYearFindings(organ int64) ([]storedFinding, error) {
	rows, err := w.queryRows(qYearFindings, organ)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedFinding
	for rows.Next() {
		var f storedFinding
		var other sql.NullInt64
		if err := rows.Scan(&f.year, &f.id, &f.report, &f.rule, &f.cells, &f.why, &other); err != nil {
			return nil, err
		}
		f.other = other.Int64
		out = append(out, f)
	}
	return out, rows.Err()
}

// figures returns the cells of a current report the cross-year equations
// read: those the transaction wrote, else read from the store once.
func (w *txWriter) figures(r *yearReport) (nianbao.Figures, error) {
	if r.figs != nil {
		return r.figs, nil
	}
	if cells, ok := w.yearFigs[r.id]; ok {
		r.figs = make(nianbao.Figures, len(cells))
		for _, c := range cells {
			r.figs[c.key] = c.value
		}
		return r.figs, nil
	}
	figs, err := w.yearCells(r.id)
	if err != nil {
		return nil, err
	}
	r.figs = figs
	return figs, nil
}

// yearFindings returns the broken cross-year equations between the
// current reports of an organ's years year-1 and year; none when either
// year has no current report.
func (w *txWriter) yearFindings(year int, current map[int]*yearReport) ([]yearFinding, error) {
	c, p := current[year], current[year-1]
	if c == nil || p == nil {
		return nil, nil
	}
	curV, err := w.figures(c)
	if err != nil {
		return nil, err
	}
	prevV, err := w.figures(p)
	if err != nil {
		return nil, err
	}
	cur, curT := c.id, c.template
	prev, prevT := p.id, p.template
	var out []yearFinding
	for _, e := range nianbao.YearEquations(nianbao.Template(prevT), nianbao.Template(curT)) {
		r := nianbao.CheckYears(e, prevV.Get, curV.Get)
		// A cell one of the reports does not have (its row or column was
		// not found) is no figure to compare: the equation says nothing.
		if r.Outcome != nianbao.Broken || r.Missing != 0 {
			continue
		}
		cells, _ := json.Marshal(e.Cells())
		f := yearFinding{report: cur, rule: e.Rule, cells: string(cells), other: prev, expected: r.Left, actual: r.Right}
		if slices.ContainsFunc(e.Right, func(t nianbao.Term) bool { return t.Prev }) {
			f.expected, f.actual = r.Right, r.Left
		}
		f.why = fmt.Sprintf("%s: %s = %s, but %s = %s (report %d of %d against report %d of %d)",
			e.Where, yearTerms(e.Left, prevV, curV, year), fmtNum(r.Left), yearTerms(e.Right, prevV, curV, year), fmtNum(r.Right),
			cur, year, prev, year-1)
		out = append(out, f)
	}
	return out, nil
}

// yearKeys are the cells the cross-year equations read.
var yearKeys = func() []string {
	var keys []string
	for _, e := range nianbao.Equations() {
		if e.Scope != nianbao.ScopeYears {
			continue
		}
		for _, k := range e.Cells() {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}()

// isYearKey holds yearKeys.
var isYearKey = func() map[string]bool {
	m := make(map[string]bool, len(yearKeys))
	for _, k := range yearKeys {
		m[k] = true
	}
	return m
}()

// yearCell is a cell the cross-year equations read, as a report's rows
// hold it until checkYears needs its figures.
type yearCell struct {
	key   string
	value *float64
}

// maybeYearKey is a quick test before isYearKey: the keys of tables 二
// and of table 三's carry rows ("t3.carried.…", "t3.carry_forward.…").
func maybeYearKey(k string) bool {
	return strings.HasPrefix(k, "t2.") || strings.HasPrefix(k, "t3.carr")
}

// wroteCells keeps the cross-year cells of a report the transaction
// wrote, for checkYears.
func (w *txWriter) wroteCells(report int64, r *rows) {
	if w.yearFigs == nil {
		w.yearFigs = map[int64][]yearCell{}
	}
	w.yearFigs[report] = r.years
}

var qYearCells = `SELECT key, value, (blank IS NOT NULL AND blank = 'missing') FROM cells WHERE report_id = ? AND key IN (?` + strings.Repeat(",?", len(yearKeys)-1) + `)`

// yearCells reads the cells of a report the cross-year equations need. A
// cell the report does not have (blank 'missing': a row or column not
// found) is left out, so that an equation that needs it is not checkable,
// while a cell printed blank counts 0 as in the report's own rules.
func (w *txWriter) yearCells(report int64) (nianbao.Figures, error) {
	st, err := w.stmt(qYearCells)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, len(yearKeys)+1)
	args = append(args, report)
	for _, k := range yearKeys {
		args = append(args, k)
	}
	rows, err := st.QueryContext(w.ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	figs := nianbao.Figures{}
	for rows.Next() {
		var key string
		var v sql.NullFloat64
		var missing bool
		if err := rows.Scan(&key, &v, &missing); err != nil {
			return nil, err
		}
		switch {
		case missing:
		case v.Valid:
			f := v.Float64
			figs[key] = &f
		default:
			figs[key] = nil
		}
	}
	return figs, rows.Err()
}

// yearTerms writes "carry_forward.natural 2022 = 5 + …" for a finding's
// detail: each term with its year and figure.
func yearTerms(ts []nianbao.Term, prev, cur nianbao.Figures, year int) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		figs, y := cur, year
		if t.Prev {
			figs, y = prev, year-1
		}
		name := t.Key[strings.IndexByte(t.Key, '.')+1:] + " of " + strconv.Itoa(y)
		if v, ok := figs[t.Key]; ok && v != nil {
			parts[i] = name + " " + fmtNum(*v)
		} else {
			parts[i] = name + " (blank)"
		}
	}
	return strings.Join(parts, " + ")
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// RecheckYears checks rules 5 and 6 again between the current reports of
// every organ's consecutive years, a thousand organs and years a
// transaction: after a change of the rules, or to measure what checking
// them costs. It returns how many organs and years it checked.
func (s *Store) RecheckYears(ctx context.Context) (int, error) { return s.recheck(ctx, "") }
