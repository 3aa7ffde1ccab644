// Package web is the web view of a store (nianbao serve): coverage, organs
// across the years with their charts, each report's tables as the template
// prints them with its findings marked on their cells, where every figure
// was printed (the PDF page with its box, the HTML page, the text lines),
// findings, full-text search and a read-only SQL box. Every page is also
// JSON and CSV at the same path with .json or .csv added.
//
// It only reads: GET and HEAD, through the store's read-only connection;
// archived documents are found by their content hash, never by a path
// from the request. Everything it shows is in the binary (templates, CSS,
// no script at all), so it works offline under a strict
// Content-Security-Policy.
package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/nianbao/nianbao/store"
)

// Options tune a Server; the zero value serves with the defaults.
type Options struct {
	// CacheDir keeps rendered PDF pages (by document hash and page); ""
	// renders into a folder of the system's temporary folder.
	CacheDir string
	// Pdftoppm is the poppler program that renders a PDF page ("" means
	// pdftoppm on the PATH).
	Pdftoppm string
	// PageTimeout bounds the time of one request (default 15s).
	PageTimeout time.Duration
	// SQLTimeout bounds a query of the SQL page (default 5s); SQLRows is
	// the most rows it returns (default 1000).
	SQLTimeout time.Duration
	SQLRows    int
	// LoopbackOnly refuses a request whose Host header is not a loopback
	// name or address: a web page elsewhere cannot reach the server through
	// a name of its own pointed at 127.0.0.1 (DNS rebinding).
	LoopbackOnly bool
	// Log receives failures (nil: discarded).
	Log *slog.Logger
}

// Server serves one store.
type Server struct {
	st    *store.Store
	db    *sql.DB
	opt   Options
	mux   *http.ServeMux
	pages map[string]*template.Template
	cols  cellColumns
	home  homeCache
	pdf   *pageRenderer
}

// New makes the server of st, which should be opened read-only.
func New(ctx context.Context, st *store.Store, opt Options) (*Server, error) {
	if opt.PageTimeout <= 0 {
		opt.PageTimeout = 15 * time.Second
	}
	if opt.SQLTimeout <= 0 {
		opt.SQLTimeout = 5 * time.Second
	}
	if opt.SQLRows <= 0 {
		opt.SQLRows = 1000
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{st: st, db: st.Reader(), opt: opt}
	var err error
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	if s.cols, err = readCellColumns(ctx, st); err != nil {
		return nil, err
	}
	if s.pdf, err = newPageRenderer(opt.CacheDir, opt.Pdftoppm); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Warm computes the home page's coverage ahead of the first visitor (it
// reads every current report once).
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.homeData(ctx)
	return err
}

// routes registers every page; an unknown path is a 404 page.
func (s *Server) routes() {
	m := http.NewServeMux()
	s.mux = m
	m.HandleFunc("GET /{$}", s.page(s.homePage))
	m.HandleFunc("GET /index.json", s.page(s.homePage))
	m.HandleFunc("GET /index.csv", s.page(s.homePage))
	for path, h := range map[string]pageFunc{
		"/organs":   s.organsPage,
		"/findings": s.findingsPage,
		"/search":   s.searchPage,
		"/sql":      s.sqlPage,
	} {
		m.HandleFunc("GET "+path, s.page(h))
		m.HandleFunc("GET "+path+".json", s.page(h))
		m.HandleFunc("GET "+path+".csv", s.page(h))
	}
	m.HandleFunc("GET /organs/{id}", s.page(s.organPage))
	m.HandleFunc("GET /reports/{id}", s.page(s.reportPage))
	m.HandleFunc("GET /reports/{id}/cells/{key}", s.page(s.cellPage))
	m.HandleFunc("GET /pages/{sha}/{page}", s.pageImage)
	m.HandleFunc("GET /documents/{sha}", s.document)
	m.HandleFunc("GET /static/{file}", s.static)
	m.HandleFunc("GET /favicon.ico", s.static)
	m.HandleFunc("/", s.page(func(*http.Request) (*result, error) {
		return nil, notFound("no such page")
	}))
}

// ServeHTTP sets the security headers, refuses what is not a read, and
// bounds the request's time.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// No write endpoint: nothing here takes a body.
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "nianbao serve only reads: GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	if s.opt.LoopbackOnly && !loopbackHost(r.Host) {
		http.Error(w, "this server answers to localhost, 127.0.0.1 and [::1] only", http.StatusMisdirectedRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opt.PageTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.opt.Log.Error("serve: panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

// contentSecurityPolicy allows the page's own stylesheet and images and
// nothing else: no script at all, no frame, no form posting elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// timedOut says whether err is the request's time running out.
func timedOut(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded
}
