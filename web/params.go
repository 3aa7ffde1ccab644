package web

import (
	"database/sql"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// perPage is the length of a list page.
const perPage = 50

// intParam reads a whole-number parameter in [lo, hi]; "" gives 0.
func intParam(r *http.Request, name string, lo, hi int) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("%s must be a whole number from %d to %d (got %q)", name, lo, hi, clip(s, 40))
	}
	return n, nil
}

// pageParam is the 1-based page of a list.
func pageParam(r *http.Request) (int, error) {
	n, err := intParam(r, "page", 1, 100000)
	if n == 0 {
		n = 1
	}
	return n, err
}

// textParam reads a text parameter, at most max characters.
func textParam(r *http.Request, name string, max int) (string, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if utf8.RuneCountInString(s) > max {
		return "", badRequest("%s is longer than %d characters", name, max)
	}
	if !utf8.ValidString(s) {
		return "", badRequest("%s is not UTF-8", name)
	}
	return s, nil
}

// codeParam reads a division code (digits only, at most 12).
func codeParam(r *http.Request, name string) (string, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return "", nil
	}
	if len(s) > 12 || strings.Trim(s, "0123456789") != "" {
		return "", badRequest("%s must be a division code, digits only (got %q)", name, clip(s, 40))
	}
	return s, nil
}

// oneOf reads a parameter that must be one of the allowed values ("" too).
func oneOf(r *http.Request, name string, allowed []string) (string, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return "", nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", badRequest("%s must be one of %s (got %q)", name, strings.Join(allowed, ", "), clip(s, 40))
}

// idValue reads the numeric id of a path ("12", "12.json").
func idValue(s, what string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, notFound("no %s %q", what, clip(s, 40))
	}
	return n, nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// loopbackHost says whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = strings.Trim(host, "[]")
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Nullable values of the database, as pages keep them (nil is blank).

func fptr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

func iptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// pager is the paging of a list: which page, and whether another follows.
type pager struct {
	Page int  `json:"page"`
	Next bool `json:"next"`
}

// offset is the first row of the page.
func (p pager) offset() int { return (p.Page - 1) * perPage }
