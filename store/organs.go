package store

import (
	"cmp"
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
	qCurrentOf = `SELECT id, template FROM reports INDEXED BY reports_by_organ_year
		WHERE organ_id = ? AND year = ? AND current`
	// The cross-year findings on the reports of an organ and year.
	// From the organ's reports to their findings (CROSS JOIN keeps that
	// order): searching findings by rule would read every one in the store.
	qYearFindings = `SELECT f.id, f.report_id, f.rule, f.cells, f.detail, f.other_report_id
		FROM reports r INDEXED BY reports_by_organ_year CROSS JOIN findings f ON f.report_id = r.id
		WHERE r.organ_id = ? AND r.year = ? AND f.rule IN ('` + nianbao.RuleCarryOver + `', '` + nianbao.RuleInForce + `')`
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
	var id int64
	var how, key string
	err := w.queryRow(qNameLookup, name).Scan(&id, &how, &key)
	found := err == nil
	switch {
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return sql.NullInt64{}, err
	case found && (how == organ.HowManual || key == o.Key || !o.Placed()):
		return sql.NullInt64{Int64: id, Valid: true}, nil
	}
	if id, err = w.organID(*o); err != nil {
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
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// organID returns the id of an organ, writing it (and its parent) when new.
// The ids the transaction has written or read are kept: an organ's reports
// come many to a batch, each with its parent. An organ written as a parent
// only is written again when a report of its own comes, which places it.
func (w *txWriter) organID(o organ.Organ) (int64, error) {
	if c, ok := w.organs[o.Key]; ok && (c.own || o.How == howParent) {
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
func (w *txWriter) checkYears() error {
	pairs := map[organYear]bool{} // by the later year
	for k := range w.touched {
		pairs[k] = true
		pairs[organYear{k.organ, k.year + 1}] = true
	}
	w.touched = nil
	keys := make([]organYear, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b organYear) int {
		return cmp.Or(cmp.Compare(a.organ, b.organ), cmp.Compare(a.year, b.year))
	})
	// A year's report is in two pairs, as the later and as the earlier:
	// it is read once.
	current := map[organYear]*yearReport{}
	for _, k := range keys {
		if err := w.checkPair(k.organ, k.year, current); err != nil {
			return fmt.Errorf("cross-year rules of organ %d %d: %w", k.organ, k.year, err)
		}
	}
	return nil
}

// yearReport is the current report of an organ and year with the cells
// the cross-year equations read; id 0 when there is none.
type yearReport struct {
	id       int64
	template string
	figs     nianbao.Figures
}

// currentYear returns the current report of an organ and year, read once
// per checkYears.
func (w *txWriter) currentYear(k organYear, current map[organYear]*yearReport) (*yearReport, error) {
	if r, ok := current[k]; ok {
		return r, nil
	}
	r := &yearReport{}
	err := w.queryRow(qCurrentOf, k.organ, k.year).Scan(&r.id, &r.template)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.id = 0
	case err != nil:
		return nil, err
	default:
		if r.figs, err = w.yearCells(r.id); err != nil {
			return nil, err
		}
	}
	current[k] = r
	return r, nil
}

// yearFinding is a cross-year finding as stored.
type yearFinding struct {
	report           int64
	rule, cells, why string
	other            int64
	expected, actual float64
}

// checkPair checks the current reports of an organ's years year-1 and
// year against each other, and makes the stored findings of the pair what
// the check found: only the difference is written, so that checking again
// what did not change writes nothing.
func (w *txWriter) checkPair(organ int64, year int, current map[organYear]*yearReport) error {
	if err := w.pgLockOrgan(organ); err != nil {
		return err
	}
	want, err := w.yearFindings(organ, year, current)
	if err != nil {
		return err
	}
	rows, err := w.queryRows(qYearFindings, organ, year)
	if err != nil {
		return err
	}
	var stale []int64
	for rows.Next() {
		var id int64
		var f yearFinding
		var other sql.NullInt64
		if err := rows.Scan(&id, &f.report, &f.rule, &f.cells, &f.why, &other); err != nil {
			rows.Close()
			return err
		}
		f.other = other.Int64
		if i := slices.IndexFunc(want, func(x yearFinding) bool {
			return x.report == f.report && x.rule == f.rule && x.cells == f.cells && x.why == f.why && x.other == f.other
		}); i >= 0 {
			want = slices.Delete(want, i, i+1) // stored already
		} else {
			stale = append(stale, id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, id := range stale {
		if _, err := w.exec(qFindingDelete, id); err != nil {
			return err
		}
	}
	for _, f := range want {
		if _, err := w.exec(qYearFindingInsert, f.report, f.rule, f.cells, f.why, f.other, f.expected, f.actual); err != nil {
			return err
		}
	}
	return nil
}

// yearFindings returns the broken cross-year equations between the
// current reports of an organ's years year-1 and year; none when either
// year has no current report.
func (w *txWriter) yearFindings(organ int64, year int, current map[organYear]*yearReport) ([]yearFinding, error) {
	c, err := w.currentYear(organYear{organ, year}, current)
	if err != nil || c.id == 0 {
		return nil, err
	}
	p, err := w.currentYear(organYear{organ, year - 1}, current)
	if err != nil || p.id == 0 {
		return nil, err
	}
	cur, curT, curV := c.id, c.template, c.figs
	prev, prevT, prevV := p.id, p.template, p.figs
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
