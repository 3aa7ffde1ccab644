package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/nianbao/nianbao/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// parseTemplates reads each page's template with the layout around it.
func parseTemplates() (map[string]*template.Template, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", f)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		// html/template works out its escaping on the first execution:
		// done here, not on a visitor's time. Without data it stops early,
		// which is no failure.
		_ = t.Execute(io.Discard, view{})
		pages[name] = t
	}
	return pages, nil
}

// view is what the layout shows around a page.
type view struct {
	Title   string
	JSONURL string
	CSVURL  string
	Tables  []string // the CSV tables of the page, when more than one
	Data    any
}

// render writes a page as HTML; a template failure is the server's.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, res *result) {
	t := s.pages[res.tmpl]
	if t == nil {
		http.Error(w, "internal error: no template "+res.tmpl, http.StatusInternalServerError)
		return
	}
	v := view{Title: res.Title, Data: res.Data}
	if code == http.StatusOK {
		v.JSONURL, v.CSVURL = altURL(r, ".json"), altURL(r, ".csv")
		if len(res.Tables) > 1 {
			for _, tb := range res.Tables {
				v.Tables = append(v.Tables, tb.Name)
			}
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		s.opt.Log.Error("serve: template", "page", res.tmpl, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}

var funcs = template.FuncMap{
	"num":    num,
	"pct":    pct,
	"nz":     func(v *float64) string { return num(v) },
	"query":  withQuery,
	"csvurl": csvTableURL,
	"add":    func(a, b int) int { return a + b },
	"join":   func(xs []int) string { return joinInts(xs, ", ") },
	"add1":   func(a, b float64) float64 { return a + b },
	"text":   store.CellText,
}

// num prints a figure: whole numbers without a fraction, blank as "".
func num(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case *float64:
		if x == nil {
			return ""
		}
		return num(*x)
	case *int64:
		if x == nil {
			return ""
		}
		return strconv.FormatInt(*x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

// pct prints a share as a percentage with one decimal.
func pct(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// withQuery is the address of the same list with one parameter changed
// (the page reset unless that is what changes).
func withQuery(base string, q url.Values, key, value string) string {
	v := url.Values{}
	for k, xs := range q {
		v[k] = append([]string(nil), xs...)
	}
	if key != "page" {
		v.Del("page")
	}
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	if e := v.Encode(); e != "" {
		return base + "?" + e
	}
	return base
}

// csvTableURL is the CSV address of one table of the page.
func csvTableURL(csvURL, name string) string {
	u, err := url.Parse(csvURL)
	if err != nil {
		return csvURL
	}
	q := u.Query()
	q.Set("table", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

// static serves the embedded stylesheet and icon.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if r.URL.Path == "/favicon.ico" {
		name = "favicon.svg"
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		s.fail(w, r, formatHTML, notFound("no such file"))
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(b)
}
