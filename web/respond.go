package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nianbao/nianbao/store"
)

// A pageFunc reads what a page shows. The same result gives the HTML page,
// its JSON (Data) and its CSV (one of Tables).
type pageFunc func(r *http.Request) (*result, error)

type result struct {
	Title  string
	tmpl   string // the page's template
	Data   any    // the JSON of the page, and what its template shows
	Tables []table
}

// table is a table of a page as CSV gives it.
type table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// format is what a request asks for: the page, or .json / .csv at its path.
type format int

const (
	formatHTML format = iota
	formatJSON
	formatCSV
)

// splitFormat cuts a .json or .csv ending off the last part of a path.
func splitFormat(s string) (string, format) {
	switch {
	case strings.HasSuffix(s, ".json"):
		return strings.TrimSuffix(s, ".json"), formatJSON
	case strings.HasSuffix(s, ".csv"):
		return strings.TrimSuffix(s, ".csv"), formatCSV
	}
	return s, formatHTML
}

// httpError is an error with the status a visitor sees.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func notFound(format string, a ...any) error {
	return &httpError{http.StatusNotFound, fmt.Sprintf(format, a...)}
}

func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// page turns a pageFunc into a handler of its three formats.
func (s *Server) page(fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, f := splitFormat(r.URL.Path)
		start := time.Now()
		res, err := fn(r)
		// The time the page took to read, for a browser's network panel
		// (rendering the template adds a little).
		w.Header().Set("Server-Timing", fmt.Sprintf("page;dur=%.1f", float64(time.Since(start).Microseconds())/1000))
		if err != nil {
			s.fail(w, r, f, err)
			return
		}
		switch f {
		case formatJSON:
			writeJSON(w, http.StatusOK, res.Data)
		case formatCSV:
			s.writeCSV(w, r, res)
		default:
			s.render(w, r, http.StatusOK, res)
		}
	}
}

// fail shows an error in the format asked for; a failure that is not the
// visitor's is logged and shown without its detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, f format, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		if timedOut(r.Context(), err) {
			he = &httpError{http.StatusServiceUnavailable, "the page took too long to read and was stopped"}
		} else {
			s.opt.Log.Error("serve", "path", r.URL.Path, "err", err)
			he = &httpError{http.StatusInternalServerError, "internal error: the server's log says what failed"}
		}
	}
	switch f {
	case formatJSON:
		writeJSON(w, he.code, map[string]string{"error": he.msg})
	case formatCSV:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(he.code)
		fmt.Fprintln(w, he.msg)
	default:
		s.render(w, r, he.code, &result{Title: http.StatusText(he.code), tmpl: "error", Data: errorData{Code: he.code, Message: he.msg}})
	}
}

type errorData struct {
	Code    int    `json:"code"`
	Message string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// writeCSV writes one table of the page: ?table=NAME, else the first.
func (s *Server) writeCSV(w http.ResponseWriter, r *http.Request, res *result) {
	if len(res.Tables) == 0 {
		s.fail(w, r, formatCSV, notFound("this page has no table"))
		return
	}
	t := res.Tables[0]
	if name := r.URL.Query().Get("table"); name != "" {
		found := false
		var names []string
		for _, x := range res.Tables {
			names = append(names, x.Name)
			if x.Name == name {
				t, found = x, true
			}
		}
		if !found {
			s.fail(w, r, formatCSV, badRequest("no table %q on this page (%s)", name, strings.Join(names, ", ")))
			return
		}
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(t.Columns)
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = store.CSVCell(csvValue(row[i]), false)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, t.Name))
	w.Write(b.Bytes())
}

// csvValue unwraps the nullable values pages keep.
func csvValue(v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case int:
		return int64(x)
	case float64:
		return x
	case bool:
		return x
	}
	return v
}

// altURL is the page's address in another format, its query kept.
func altURL(r *http.Request, ext string) string {
	p, _ := splitFormat(r.URL.Path)
	if p == "/" || p == "/index" {
		p = "/index"
	}
	u := p + ext
	if q := r.URL.RawQuery; q != "" {
		u += "?" + q
	}
	return u
}
