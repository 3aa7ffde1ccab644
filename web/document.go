package web

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// docByHash finds a stored document by its content hash: the only way a
// request names an archived file (never by a path).
func (s *Server) docByHash(r *http.Request, sha string) (format string, err error) {
	if len(sha) != 64 || strings.ToLower(sha) != sha {
		return "", notFound("no document %q: documents are named by their SHA-256", clip(sha, 70))
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return "", notFound("no document %q: documents are named by their SHA-256", clip(sha, 70))
	}
	err = s.db.QueryRowContext(r.Context(), `SELECT format FROM documents WHERE sha256 = ?`, sha).Scan(&format)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("no document %s in this store", sha)
	}
	if err != nil {
		return "", fmt.Errorf("document %s: %w", sha, err)
	}
	return format, nil
}

// document serves an archived document's bytes, always as a download: an
// archived page is a stranger's HTML, never shown as a page of this site.
func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	format, err := s.docByHash(r, sha)
	if err != nil {
		s.fail(w, r, formatHTML, err)
		return
	}
	data, err := s.st.ArchiveGet(sha)
	if err != nil {
		s.fail(w, r, formatHTML, notFound("the archive does not hold document %s: %v", sha, err))
		return
	}
	ext, ctype := ".bin", "application/octet-stream"
	switch format {
	case "pdf":
		ext, ctype = ".pdf", "application/pdf"
	case "html":
		ext = ".html"
	case "text":
		ext = ".txt"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+sha[:16]+ext+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "max-age=86400, immutable")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// pageImage serves a PDF page rendered to JPEG (/pages/SHA/N.jpg).
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	pageText, ok := strings.CutSuffix(r.PathValue("page"), ".jpg")
	page, err := strconv.Atoi(pageText)
	if !ok || err != nil || page < 1 || page > 10000 {
		s.fail(w, r, formatHTML, notFound("no page %q: pages are /pages/SHA256/N.jpg", clip(r.PathValue("page"), 20)))
		return
	}
	format, err := s.docByHash(r, sha)
	if err != nil {
		s.fail(w, r, formatHTML, err)
		return
	}
	if format != "pdf" {
		s.fail(w, r, formatHTML, notFound("document %s is %s, not a PDF", sha, format))
		return
	}
	file, _, _, err := s.pdf.page(r.Context(), sha, page, func() ([]byte, error) { return s.st.ArchiveGet(sha) })
	if err != nil {
		if timedOut(r.Context(), err) {
			s.fail(w, r, formatHTML, err)
			return
		}
		s.fail(w, r, formatHTML, notFound("page %d of %s: %v", page, sha, err))
		return
	}
	f, err := os.Open(file)
	if err != nil {
		s.fail(w, r, formatHTML, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "max-age=86400, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}
