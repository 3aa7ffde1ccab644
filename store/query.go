package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
)

// ReportFilter selects reports for Reports.
type ReportFilter struct {
	Agency string           // substring of the organ's name
	Year   int              // 0: any
	Status []nianbao.Status // empty: any
	// Text must occur in the prose sections (一, 五, 六): full-text search
	// for three characters or more, a plain substring match below that.
	Text string
	// AllVersions includes superseded versions; otherwise each organ and
	// year shows its current report (documents that did not parse show
	// always).
	AllVersions bool
}

// ReportInfo is one stored report as Reports lists it.
type ReportInfo struct {
	ID           int64
	Agency       string
	Year         int
	Template     string
	Status       string
	Reason       string
	Version      int
	Current      bool
	SupersededBy int64
	SameAs       int64 // the report this one is another format of (same figures)
	Findings     int
	Source       string
	SHA256       string
	Format       string
	Parser       string
	ParsedAt     string
}

// Reports calls fn for each stored report that matches f, ordered by organ,
// year and version.
func (s *Store) Reports(ctx context.Context, f ReportFilter, fn func(ReportInfo) error) error {
	var where []string
	var args []any
	if f.Agency != "" {
		where = append(where, `instr(r.agency, ?) > 0`)
		args = append(args, f.Agency)
	}
	if f.Year != 0 {
		where = append(where, `r.year = ?`)
		args = append(args, f.Year)
	}
	if len(f.Status) > 0 {
		where = append(where, `r.status IN (`+strings.TrimSuffix(strings.Repeat("?,", len(f.Status)), ",")+`)`)
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	}
	if f.Text != "" {
		q, a := s.sectionMatch(f.Text)
		where = append(where, `r.id IN (`+q+`)`)
		args = append(args, a)
	}
	if !f.AllVersions {
		where = append(where, `(r.current OR (r.version IS NULL AND r.same_as IS NULL))`)
	}
	q := `SELECT r.id, coalesce(r.agency, ''), coalesce(r.year, 0), r.template, r.status, coalesce(r.reason, r.error, ''),
			coalesce(r.version, 0), r.current, coalesce(r.superseded_by, 0), coalesce(r.same_as, 0),
			(SELECT count(*) FROM findings x WHERE x.report_id = r.id),
			d.source, d.sha256, d.format, r.parser, r.parsed_at
		FROM reports r JOIN documents d ON d.id = r.document_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY r.agency IS NULL, r.agency, r.year NULLS FIRST, r.version NULLS FIRST, r.id`
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReportInfo
		if err := rows.Scan(&r.ID, &r.Agency, &r.Year, &r.Template, &r.Status, &r.Reason, &r.Version, &r.Current,
			&r.SupersededBy, &r.SameAs, &r.Findings, &r.Source, &r.SHA256, &r.Format, &r.Parser, &r.ParsedAt); err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list reports: %w", err)
	}
	return nil
}

// sectionMatch returns a query for the ids of reports whose sections hold
// text: the trigram index for three characters or more (what a trigram can
// match), LIKE below that. On PostgreSQL LIKE always: pg_trgm's index on
// sections.text serves it.
func (s *Store) sectionMatch(text string) (string, any) {
	if utf8.RuneCountInString(text) >= 3 && !s.pg {
		// A quoted FTS5 string is matched literally.
		return `SELECT s.report_id FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid WHERE sections_fts MATCH ?`,
			`"` + strings.ReplaceAll(text, `"`, `""`) + `"`
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
	return `SELECT s.report_id FROM sections s WHERE s.text LIKE ? ESCAPE '\'`, "%" + esc + "%"
}
