package web

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

type searchData struct {
	Query string      `json:"q"`
	Hits  []searchHit `json:"hits"`
	Pager pager       `json:"paging"`
	Note  string      `json:"note,omitempty"`
	URL   url.Values  `json:"-"`
}

type searchHit struct {
	ReportID int64  `json:"report_id"`
	Agency   string `json:"agency"`
	Year     *int64 `json:"year"`
	Section  string `json:"section"`
	// Snippet marks the matches with [ and ]; marked with markOpen and
	// markClose, for the page.
	Snippet string `json:"snippet"`
	marked  string
}

// The marks SQLite puts around a match in a snippet: characters of Unicode's
// private use area, which a report's text does not hold, so that the page
// can escape the whole snippet and mark the matches after.
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// snippetPart is a piece of a snippet, a match or not.
type snippetPart struct {
	Text  string
	Match bool
}

// Parts splits the snippet at the match marks.
func (h searchHit) Parts() []snippetPart {
	var out []snippetPart
	s := h.marked
	for s != "" {
		i := strings.Index(s, markOpen)
		if i < 0 {
			out = append(out, snippetPart{Text: s})
			break
		}
		if i > 0 {
			out = append(out, snippetPart{Text: s[:i]})
		}
		s = s[i+len(markOpen):]
		j := strings.Index(s, markClose)
		if j < 0 {
			out = append(out, snippetPart{Text: s, Match: true})
			break
		}
		out = append(out, snippetPart{Text: s[:j], Match: true})
		s = s[j+len(markClose):]
	}
	return out
}

// searchPage searches the prose sections with the trigram index: three
// characters or more (a trigram index cannot match fewer), the newest
// reports first — ranking every match of a common word would read them all.
func (s *Server) searchPage(r *http.Request) (*result, error) {
	q, err := textParam(r, "q", 200)
	if err != nil {
		return nil, err
	}
	pg := pager{}
	if pg.Page, err = pageParam(r); err != nil {
		return nil, err
	}
	d := &searchData{Query: q, Pager: pg, URL: r.URL.Query()}
	res := &result{Title: "全文搜索 search", tmpl: "search", Data: d}
	switch {
	case q == "":
	case utf8.RuneCountInString(q) < 3:
		return nil, badRequest("search for three characters or more (the full-text index matches trigrams); use the SQL page with LIKE for shorter text")
	default:
		// A quoted FTS5 string is matched literally.
		match := `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
		query, args := `SELECT s.report_id, coalesce(r.agency, ''), r.year, s.section,
				snippet(sections_fts, 0, ?, ?, '…', 24)
			FROM sections_fts JOIN sections s ON s.id = sections_fts.rowid JOIN reports r ON r.id = s.report_id
			WHERE sections_fts MATCH ? AND (r.current OR r.version IS NULL AND r.same_as IS NULL)
			ORDER BY sections_fts.rowid DESC LIMIT ? OFFSET ?`, []any{markOpen, markClose, match, perPage + 1, pg.offset()}
		if s.st.Postgres() {
			// pg_trgm's index on sections.text serves LIKE; the snippet is
			// cut here (pgSnippet).
			esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
			query, args = `SELECT s.report_id, coalesce(r.agency, ''), r.year, s.section, s.text
			FROM sections s JOIN reports r ON r.id = s.report_id
			WHERE s.text LIKE ? ESCAPE '\' AND (r.current OR r.version IS NULL AND r.same_as IS NULL)
			ORDER BY s.id DESC LIMIT ? OFFSET ?`, []any{"%" + esc + "%", perPage + 1, pg.offset()}
		}
		rows, err := s.db.QueryContext(r.Context(), query, args...)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h searchHit
			var year sql.NullInt64
			if err := rows.Scan(&h.ReportID, &h.Agency, &year, &h.Section, &h.Snippet); err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			if s.st.Postgres() {
				h.Snippet = pgSnippet(h.Snippet, q, 24)
			}
			h.Year = iptr(year)
			d.Hits = append(d.Hits, h)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if len(d.Hits) > perPage {
			d.Hits, d.Pager.Next = d.Hits[:perPage], true
		}
	}
	t := table{Name: "hits", Columns: []string{"report_id", "agency", "year", "section", "snippet"}}
	for _, h := range d.Hits {
		plain := strings.NewReplacer(markOpen, "", markClose, "").Replace(h.Snippet)
		t.Rows = append(t.Rows, []any{h.ReportID, h.Agency, h.Year, h.Section, plain})
	}
	// The JSON snippet marks matches with [ and ].
	for i := range d.Hits {
		d.Hits[i].marked = d.Hits[i].Snippet
		d.Hits[i].Snippet = strings.NewReplacer(markOpen, "[", markClose, "]").Replace(d.Hits[i].Snippet)
	}
	res.Tables = []table{t}
	return res, nil
}

// pgSnippet cuts what FTS5's snippet gives on SQLite from a section's
// text: about n characters around the first match of q, the matches
// marked, … where text was left out.
func pgSnippet(text, q string, n int) string {
	at := strings.Index(text, q)
	if at < 0 {
		return text
	}
	r := []rune(text)
	start := utf8.RuneCountInString(text[:at])
	qn := utf8.RuneCountInString(q)
	from := max(0, start-(n-qn)/2)
	to := min(len(r), from+max(n, qn))
	if to-from < n {
		from = max(0, to-n)
	}
	part := string(r[from:to])
	out := strings.ReplaceAll(part, q, markOpen+q+markClose)
	if from > 0 {
		out = "…" + out
	}
	if to < len(r) {
		out += "…"
	}
	return out
}
