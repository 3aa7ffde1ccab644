package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/pipeline"
)

// Fetch carries what an HTTP fetch said about a document.
type Fetch struct {
	ETag         string
	LastModified string
	ContentType  string
	FetchedAt    time.Time
}

// Input is one document to ingest: its bytes and where they came from.
type Input struct {
	Source string // URL or path
	Data   []byte
	Fetch  *Fetch // nil for a local file
}

// Result says what ingesting a document did.
type Result string

const (
	ResultNew        Result = "new"         // a document not seen before, stored with its report
	ResultNewVersion Result = "new_version" // new, and it superseded the report of the same organ and year
	ResultUnchanged  Result = "unchanged"   // the same bytes were already stored: nothing changed but last_seen
	ResultReparsed   Result = "reparsed"    // an archived document read again with the current parser
	ResultFailed     Result = "failed"      // could not be read or stored: nothing was written
)

// Outcome is what happened to one document.
type Outcome struct {
	Source     string
	SHA256     string
	Result     Result
	DocumentID int64
	ReportID   int64
	Status     nianbao.Status
	// Reason says why a report is unsupported, needs OCR or is an error.
	Reason     string
	Agency     string
	Year       int
	Version    int   // 1, 2, … within the organ and year; 0 when not versioned
	Supersedes int64 // the report this one superseded, if any
	// SameAs is the report this document's report is a copy of: same
	// organ, year and figures, in another format or with the same prose
	// (see renumber). A copy is no version (Version is then 0).
	SameAs   int64
	Findings int
	// Stale marks an unchanged document whose report was made by another
	// parser version (`nianbao ingest --reparse` reads it again).
	Stale bool
	// Err says why Result is ResultFailed.
	Err error
}

// Ingest stores one document: it is archived, parsed (unless the same bytes
// are already stored) and written in one transaction. The crawler and the
// batch ingest both come here, so a document is stored the same way
// whichever way it arrives. A document that cannot be parsed is still stored,
// with its status and reason; the error return is for storage failures.
func (s *Store) Ingest(ctx context.Context, in Input) (Outcome, error) {
	if s.db == nil {
		return Outcome{}, errors.New("ingest: the store is open read-only")
	}
	p := s.prepare(ctx, in.Source, in.Fetch, in.Data, 0)
	if err := ctx.Err(); err != nil {
		// A parse cut short must not be stored as the document's report.
		return Outcome{Source: in.Source, SHA256: p.sha, Result: ResultFailed, Err: err}, fmt.Errorf("ingest %s: %w", in.Source, err)
	}
	var out Outcome
	err := s.withTx(ctx, func(w *txWriter) error {
		var err error
		out, err = w.write(p)
		return err
	})
	if err != nil {
		return Outcome{Source: in.Source, SHA256: p.sha, Result: ResultFailed, Err: err}, err
	}
	return out, nil
}

// prepared is a document ready for the writer: hashed, archived, parsed.
type prepared struct {
	source  string
	fetch   *Fetch
	sha     string
	size    int64
	known   bool            // already stored: rep is nil
	rep     *nianbao.Report // nil when known or failed; without its cells and sections, which are in rows
	rows    *rows           // rep's children, with rep
	reparse int64           // the document id when re-parsing from the archive
	err     error           // the document could not be read or archived
}

// prepare does the work that needs no database write, so that batch
// workers can run it in parallel: hash, look up, archive, parse.
func (s *Store) prepare(ctx context.Context, source string, fetch *Fetch, data []byte, reparse int64) *prepared {
	sum := sha256.Sum256(data)
	p := &prepared{source: source, fetch: fetch, sha: hex.EncodeToString(sum[:]), size: int64(len(data)), reparse: reparse}
	if reparse == 0 {
		var one int
		// Not cancellable: database/sql would start a goroutine per query to
		// watch ctx, for a lookup of a few µs (the batch checks ctx itself).
		err := s.known.QueryRowContext(context.WithoutCancel(ctx), p.sha).Scan(&one)
		switch {
		case err == nil:
			p.known = true
			// Put back an archive file lost with a crash of the machine
			// (archivePut leaves a whole one alone).
			if err := s.archivePut(p.sha, data); err != nil {
				p.err = err
			}
			return p
		case !errors.Is(err, sql.ErrNoRows):
			p.err = fmt.Errorf("look up %s: %w", source, err)
			return p
		}
		if err := s.archivePut(p.sha, data); err != nil {
			p.err = fmt.Errorf("%s: %w", source, err)
			return p
		}
	}
	opt := pipeline.Options{SHA256: p.sha}
	if fetch != nil {
		opt.ContentType = fetch.ContentType
	}
	rep := s.parseSafe(ctx, source, data, opt)
	if p.rows, p.err = buildRows(rep); p.err != nil {
		p.err = fmt.Errorf("%s: %w", source, p.err)
	}
	// The writer needs the report's own fields only, its cells and
	// sections being in rows now: a batch holds up to 64 documents a
	// worker between parse and write, and the cells were most of them.
	slim := *rep
	slim.Cells, slim.Extra, slim.Sections = nil, nil, nil
	p.rep = &slim
	return p
}

// parseSafe runs the parser and turns a panic or a nil report into an error
// report: one bad document never stops a batch.
func (s *Store) parseSafe(ctx context.Context, source string, data []byte, opt pipeline.Options) (rep *nianbao.Report) {
	defer func() {
		if r := recover(); r != nil {
			rep = &nianbao.Report{Source: source, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
				Error: fmt.Sprintf("internal error reading %s: %v", source, r), Parser: nianbao.ParserVersion}
		}
	}()
	rep = s.parse(ctx, source, data, opt)
	if rep == nil {
		rep = &nianbao.Report{Source: source, Status: nianbao.StatusError, Format: nianbao.FormatUnknown,
			Error: "the parser returned no report", Parser: nianbao.ParserVersion}
	}
	return rep
}

// txWriter writes prepared documents inside one transaction, keeping the
// statements it prepared for the transaction's life.
//
// The transaction is BEGIN … COMMIT on a connection of its own rather than
// a sql.Tx: database/sql gives a Tx a cancellable context and then starts
// a goroutine to watch it for every query run in it, two per report
// (~5% of the writer's time, with the wake-ups).
type txWriter struct {
	s     *Store
	ctx   context.Context
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
	now   string
	// ftsAfter is the largest sections id that was indexed when the
	// transaction began (-1 until the first section is written): sections
	// above it are indexed together at commit, see indexSections.
	ftsAfter int64
}

// withTx runs fn in a write transaction. The transaction does not follow
// ctx's cancellation (database/sql would roll it back mid-write); callers
// check ctx between documents instead.
func (s *Store) withTx(ctx context.Context, fn func(*txWriter) error) error {
	w, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(w); err != nil {
		w.rollback()
		return err
	}
	return w.commit()
}

func (s *Store) begin(ctx context.Context) (*txWriter, error) {
	ctx = context.WithoutCancel(ctx)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	// IMMEDIATE takes the write lock now, so that two processes never
	// deadlock upgrading a read lock.
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return &txWriter{s: s, ctx: ctx, conn: conn, stmts: map[string]*sql.Stmt{}, now: stamp(s.now()), ftsAfter: -1}, nil
}

func (w *txWriter) closeStmts() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts = nil
}

func (w *txWriter) commit() error {
	if err := w.indexSections(); err != nil {
		w.rollback()
		return err
	}
	w.closeStmts()
	if _, err := w.conn.ExecContext(w.ctx, `COMMIT`); err != nil {
		w.rollback()
		return fmt.Errorf("commit: %w", err)
	}
	w.conn.Close()
	return nil
}

// rollback ends the transaction without its writes. The connection goes
// back to the pool only once no transaction is left open on it.
func (w *txWriter) rollback() {
	w.closeStmts()
	if _, err := w.conn.ExecContext(w.ctx, `ROLLBACK`); err != nil {
		var autocommit bool
		w.conn.Raw(func(dc any) error {
			if c, ok := dc.(interface{ AutoCommit() bool }); ok {
				autocommit = c.AutoCommit()
			}
			return nil
		})
		if !autocommit {
			// Unknown state: drop the connection rather than reuse it.
			w.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	w.conn.Close()
}

func (w *txWriter) stmt(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(w.ctx, q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

func (w *txWriter) exec(q string, args ...any) (sql.Result, error) {
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

func (w *txWriter) queryRow(q string, args ...any) *sql.Row {
	st, err := w.stmt(q)
	if err != nil {
		// Surface the error through Scan as database/sql does.
		return w.conn.QueryRowContext(w.ctx, q, args...)
	}
	return st.QueryRowContext(w.ctx, args...)
}

// writeItem writes one document inside a savepoint, so that a document the
// database refuses (a constraint, a value too big) is rolled back alone and
// the rest of the transaction stands. Other errors are returned as fatal.
func (w *txWriter) writeItem(p *prepared) (Outcome, error) {
	if p.err != nil {
		return Outcome{Source: p.source, SHA256: p.sha, Result: ResultFailed, Err: p.err}, nil
	}
	if _, err := w.exec(`SAVEPOINT doc`); err != nil {
		return Outcome{}, fmt.Errorf("savepoint: %w", err)
	}
	ftsAfter := w.ftsAfter
	out, err := w.write(p)
	if err != nil {
		if _, rerr := w.exec(`ROLLBACK TO doc`); rerr != nil {
			return Outcome{}, errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
		// What the document indexed was rolled back with it.
		w.ftsAfter = ftsAfter
		if _, rerr := w.exec(`RELEASE doc`); rerr != nil {
			return Outcome{}, errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
		}
		if itemError(err) {
			return Outcome{Source: p.source, SHA256: p.sha, Result: ResultFailed, Err: err}, nil
		}
		return Outcome{}, err
	}
	if _, err := w.exec(`RELEASE doc`); err != nil {
		return Outcome{}, fmt.Errorf("release savepoint: %w", err)
	}
	return out, nil
}

// itemError reports whether err is about one document's data rather than
// the database as a whole.
func itemError(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrConstraint, sqlite3.ErrTooBig, sqlite3.ErrMismatch, sqlite3.ErrRange:
			return true
		}
		return false
	}
	var de *docError
	return errors.As(err, &de)
}

// docError is a problem of one document found while writing it.
type docError struct{ msg string }

func (e *docError) Error() string { return e.msg }

// write stores one prepared document in the current transaction.
func (w *txWriter) write(p *prepared) (Outcome, error) {
	if p.err != nil {
		return Outcome{}, p.err
	}
	out := Outcome{Source: p.source, SHA256: p.sha}
	var docID int64
	err := w.queryRow(`SELECT id FROM documents WHERE sha256 = ?`, p.sha).Scan(&docID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store %s: %w", p.source, err)
	}
	found := err == nil
	switch {
	case p.reparse != 0:
		if !found || docID != p.reparse {
			return out, &docError{fmt.Sprintf("reparse %s: document %d is no longer stored", p.source, p.reparse)}
		}
		return w.reparse(p, docID)
	case found:
		return w.seenAgain(p, docID)
	case p.known:
		// Looked up as stored, but gone by now: it was deleted meanwhile.
		return out, &docError{fmt.Sprintf("store %s: the document vanished while being ingested; ingest it again", p.source)}
	}

	rep := p.rep
	f := fetchArgs(p.fetch)
	res, err := w.exec(`INSERT INTO documents(sha256, size, format, source, first_seen, last_seen, etag, last_modified, content_type, fetched_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`,
		p.sha, p.size, string(formatOf(rep)), p.source, w.now, w.now, f[0], f[1], f[2], f[3])
	if err != nil {
		return out, fmt.Errorf("store %s: document: %w", p.source, err)
	}
	if docID, err = res.LastInsertId(); err != nil {
		return out, fmt.Errorf("store %s: document: %w", p.source, err)
	}
	if err := w.addSource(docID, p); err != nil {
		return out, err
	}
	// A parsed report of a known organ and year is the newest version of
	// it (ids only grow, and versions follow ids), unless it is a copy of
	// a report stored before (see renumber): then it has no version.
	var version, prev, sameAs any
	if versioned(rep) {
		group, err := w.versionGroup(rep.Agency, rep.Year)
		if err != nil {
			return out, fmt.Errorf("store %s: %w", p.source, err)
		}
		me := versionRow{parsed: true, format: string(formatOf(rep)), figures: p.rows.figures, prose: p.rows.prose}
		var last *versionRow
		for i := range group {
			h := &group[i]
			if !h.head() {
				continue
			}
			if sameAs == nil && me.copyOf(h) {
				sameAs = h.id
			}
			if last == nil || h.version.Int64 > last.version.Int64 {
				last = h
			}
		}
		switch {
		case sameAs != nil:
		case last != nil:
			version, prev = last.version.Int64+1, last.id
		default:
			version = int64(1)
		}
	}
	res, err = w.exec(`INSERT INTO reports(document_id, agency, year, title, template, status, reason, error, parser, parsed_at, version, figures, prose, same_as)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		docID, nullString(rep.Agency), nullInt(rep.Year), nullString(rep.Title), string(rep.Template),
		string(statusOf(rep)), nullString(reasonOf(rep)), nullString(rep.Error), parserOf(rep), w.now, version,
		p.rows.figures, p.rows.prose, sameAs)
	if err != nil {
		return out, fmt.Errorf("store %s: report: %w", p.source, err)
	}
	repID, err := res.LastInsertId()
	if err != nil {
		return out, fmt.Errorf("store %s: report: %w", p.source, err)
	}
	if prev != nil {
		if _, err := w.exec(`UPDATE reports SET superseded_by = ? WHERE id = ?`, repID, prev); err != nil {
			return out, fmt.Errorf("store %s: versions: %w", p.source, err)
		}
	}
	if err := w.writeChildren(repID, p.rows); err != nil {
		return out, fmt.Errorf("store %s: %w", p.source, err)
	}
	out.Result = ResultNew
	out.DocumentID, out.ReportID = docID, repID
	out.Status, out.Agency, out.Year = statusOf(rep), rep.Agency, rep.Year
	out.Reason = reasonOf(rep)
	if out.Reason == "" {
		out.Reason = rep.Error
	}
	out.Findings = len(rep.Findings)
	out.Stale = parserOf(rep) != nianbao.ParserVersion
	if version != nil {
		out.Version = int(version.(int64))
	}
	if prev != nil {
		out.Supersedes = prev.(int64)
		out.Result = ResultNewVersion
	}
	if sameAs != nil {
		out.SameAs = sameAs.(int64)
	}
	return out, nil
}

// seenAgain records another sighting of stored bytes.
func (w *txWriter) seenAgain(p *prepared, docID int64) (Outcome, error) {
	out := Outcome{Source: p.source, SHA256: p.sha, Result: ResultUnchanged, DocumentID: docID}
	if _, err := w.exec(`UPDATE documents SET last_seen = ? WHERE id = ? AND last_seen <> ?`, w.now, docID, w.now); err != nil {
		return out, fmt.Errorf("store %s: %w", p.source, err)
	}
	if err := w.addSource(docID, p); err != nil {
		return out, err
	}
	if err := w.queryRow(`SELECT id FROM reports WHERE document_id = ?`, docID).Scan(&out.ReportID); err != nil {
		return out, fmt.Errorf("store %s: report of document %d: %w", p.source, docID, err)
	}
	if err := w.describe(&out); err != nil {
		return out, fmt.Errorf("store %s: %w", p.source, err)
	}
	return out, nil
}

// reparse replaces the report of an archived document with a fresh parse.
// The report keeps its id, so versions keep their order.
func (w *txWriter) reparse(p *prepared, docID int64) (Outcome, error) {
	out := Outcome{Source: p.source, SHA256: p.sha, Result: ResultReparsed, DocumentID: docID}
	rep := p.rep
	var oldAgency sql.NullString
	var oldYear sql.NullInt64
	if err := w.queryRow(`SELECT id, agency, year FROM reports WHERE document_id = ?`, docID).Scan(&out.ReportID, &oldAgency, &oldYear); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	// The delete trigger takes a section out of sections_fts, so it must
	// be there: a section of this transaction is indexed first.
	if err := w.indexSectionsOf(out.ReportID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	for _, q := range []string{`DELETE FROM cells WHERE report_id = ?`, `DELETE FROM findings WHERE report_id = ?`, `DELETE FROM sections WHERE report_id = ?`} {
		if _, err := w.exec(q, out.ReportID); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.source, err)
		}
	}
	if _, err := w.exec(`UPDATE reports SET agency = ?, year = ?, title = ?, template = ?, status = ?, reason = ?, error = ?,
		parser = ?, parsed_at = ?, version = NULL, superseded_by = NULL, figures = ?, prose = ?, same_as = NULL WHERE id = ?`,
		nullString(rep.Agency), nullInt(rep.Year), nullString(rep.Title), string(rep.Template), string(statusOf(rep)),
		nullString(reasonOf(rep)), nullString(rep.Error), parserOf(rep), w.now, p.rows.figures, p.rows.prose, out.ReportID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	if _, err := w.exec(`UPDATE documents SET format = ? WHERE id = ?`, string(formatOf(rep)), docID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	if err := w.writeChildren(out.ReportID, p.rows); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	// The report may have left one (agency, year) and joined another; both
	// are numbered again, which re-points every report that pointed at it
	// (superseded_by and same_as stay within an organ and year).
	if oldAgency.Valid && oldYear.Valid {
		if err := w.renumber(oldAgency.String, int(oldYear.Int64)); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.source, err)
		}
	}
	if rep.Agency != "" && rep.Year != 0 && (rep.Agency != oldAgency.String || int64(rep.Year) != oldYear.Int64) {
		if err := w.renumber(rep.Agency, rep.Year); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.source, err)
		}
	}
	if err := w.describe(&out); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.source, err)
	}
	return out, nil
}

// describe fills an outcome from the stored report.
func (w *txWriter) describe(out *Outcome) error {
	var status, parser string
	var agency, reason sql.NullString
	var year, version, supersedes, sameAs sql.NullInt64
	err := w.queryRow(`SELECT r.status, r.parser, r.agency, r.year, r.version, coalesce(r.reason, r.error),
			(SELECT count(*) FROM findings f WHERE f.report_id = r.id),
			(SELECT max(o.id) FROM reports o WHERE o.superseded_by = r.id), r.same_as
		FROM reports r WHERE r.id = ?`, out.ReportID).
		Scan(&status, &parser, &agency, &year, &version, &reason, &out.Findings, &supersedes, &sameAs)
	if err != nil {
		return fmt.Errorf("read back report %d: %w", out.ReportID, err)
	}
	out.Status = nianbao.Status(status)
	out.Agency, out.Year, out.Version = agency.String, int(year.Int64), int(version.Int64)
	out.Reason = reason.String
	out.SameAs = sameAs.Int64
	out.Stale = parser != nianbao.ParserVersion
	if out.Result != ResultUnchanged {
		out.Supersedes = supersedes.Int64
	}
	return nil
}

func (w *txWriter) addSource(docID int64, p *prepared) error {
	f := fetchArgs(p.fetch)
	_, err := w.exec(`INSERT INTO document_sources(document_id, source, first_seen, last_seen, etag, last_modified, content_type, fetched_at)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (document_id, source) DO UPDATE SET
			last_seen = excluded.last_seen,
			etag = coalesce(excluded.etag, etag),
			last_modified = coalesce(excluded.last_modified, last_modified),
			content_type = coalesce(excluded.content_type, content_type),
			fetched_at = coalesce(excluded.fetched_at, fetched_at)
		WHERE last_seen <> excluded.last_seen OR excluded.etag IS NOT NULL OR excluded.fetched_at IS NOT NULL`,
		docID, p.source, w.now, w.now, f[0], f[1], f[2], f[3])
	if err != nil {
		return fmt.Errorf("store %s: source: %w", p.source, err)
	}
	return nil
}

// versionRow is a stored report of one organ and year, as versioning
// reads it.
type versionRow struct {
	id                    int64
	parsed                bool          // status ok or findings
	version, sameAs, next sql.NullInt64 // next: superseded_by
	figures, prose        sql.NullInt64
	format                string
}

// head reports whether r is a version: parsed, and no copy.
func (r *versionRow) head() bool { return r.parsed && !r.sameAs.Valid && r.version.Valid }

// copyOf reports whether r is a copy of the version h: the same figures,
// in another format or with the same prose.
func (r *versionRow) copyOf(h *versionRow) bool {
	return r.figures.Valid && h.figures == r.figures && (h.format != r.format || h.prose == r.prose)
}

// versionGroup reads the reports of one organ and year, in id order.
func (w *txWriter) versionGroup(agency string, year int) ([]versionRow, error) {
	st, err := w.stmt(`SELECT r.id, r.status IN ('ok', 'findings'), r.version, r.same_as, r.figures, r.prose, d.format
		FROM reports r JOIN documents d ON d.id = r.document_id WHERE r.agency = ? AND r.year = ? ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("versions of %s %d: %w", agency, year, err)
	}
	rows, err := st.QueryContext(w.ctx, agency, year)
	if err != nil {
		return nil, fmt.Errorf("versions of %s %d: %w", agency, year, err)
	}
	defer rows.Close()
	var group []versionRow
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(&r.id, &r.parsed, &r.version, &r.sameAs, &r.figures, &r.prose, &r.format); err != nil {
			return nil, fmt.Errorf("versions of %s %d: %w", agency, year, err)
		}
		group = append(group, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("versions of %s %d: %w", agency, year, err)
	}
	return group, nil
}

// renumber recomputes versions within one organ and year, in the order the
// reports were first stored (their ids): a parsed report is a copy of the
// first earlier version it is a copy of (copyOf; same_as, no version); the
// other parsed reports are numbered 1, 2, … and each points to the next as
// the one that superseded it. write applies the same rule to a new report.
func (w *txWriter) renumber(agency string, year int) error {
	group, err := w.versionGroup(agency, year)
	if err != nil {
		return err
	}
	var heads []*versionRow
	for i := range group {
		r := &group[i]
		r.version, r.sameAs, r.next = sql.NullInt64{}, sql.NullInt64{}, sql.NullInt64{}
		if !r.parsed {
			continue
		}
		for _, h := range heads {
			if r.copyOf(h) {
				r.sameAs = sql.NullInt64{Int64: h.id, Valid: true}
				break
			}
		}
		if r.sameAs.Valid {
			continue
		}
		if len(heads) > 0 {
			heads[len(heads)-1].next = sql.NullInt64{Int64: r.id, Valid: true}
		}
		heads = append(heads, r)
		r.version = sql.NullInt64{Int64: int64(len(heads)), Valid: true}
	}
	for _, r := range group {
		if _, err := w.exec(`UPDATE reports SET version = ?, superseded_by = ?, same_as = ? WHERE id = ?`,
			r.version, r.next, r.sameAs, r.id); err != nil {
			return fmt.Errorf("versions of %s %d: %w", agency, year, err)
		}
	}
	return nil
}

// versioned reports whether a report takes part in versioning: it parsed,
// and its organ and year are known. An unreadable or unsupported copy of a
// report never supersedes a good one.
func versioned(rep *nianbao.Report) bool {
	st := statusOf(rep)
	return rep.Agency != "" && rep.Year != 0 && (st == nianbao.StatusOK || st == nianbao.StatusFindings)
}

// writeChildren writes the cells, findings and sections of a report.
func (w *txWriter) writeChildren(repID int64, r *rows) error {
	if r.plain != "" {
		if _, err := w.exec(cellsPlainInsert, repID, r.plain, r.engine); err != nil {
			return fmt.Errorf("cells: %w", err)
		}
	}
	if r.full != "" {
		if _, err := w.exec(cellsFullInsert, repID, r.full); err != nil {
			return fmt.Errorf("cells: %w", err)
		}
	}
	for _, f := range r.findings {
		if _, err := w.exec(`INSERT INTO findings(report_id, rule, cells, detail) VALUES (?,?,?,?)`, repID, f.rule, f.cells, f.detail); err != nil {
			return fmt.Errorf("finding %s: %w", f.rule, err)
		}
	}
	if len(r.sections) > 0 {
		if err := w.noteSections(); err != nil {
			return err
		}
	}
	for _, sec := range r.sections {
		if _, err := w.exec(`INSERT INTO sections(report_id, section, text) VALUES (?,?,?)`, repID, sec.section, sec.text); err != nil {
			return fmt.Errorf("section %s: %w", sec.section, err)
		}
	}
	return nil
}

func statusOf(rep *nianbao.Report) nianbao.Status {
	switch rep.Status {
	case nianbao.StatusOK, nianbao.StatusFindings, nianbao.StatusUnsupported, nianbao.StatusNeedsOCR, nianbao.StatusError:
		return rep.Status
	}
	return nianbao.StatusError
}

func reasonOf(rep *nianbao.Report) string {
	if rep.Reason != "" {
		return rep.Reason
	}
	switch rep.Status {
	case nianbao.StatusOK, nianbao.StatusFindings, nianbao.StatusUnsupported, nianbao.StatusNeedsOCR, nianbao.StatusError:
		return ""
	}
	return fmt.Sprintf("the parser gave the unknown status %q", rep.Status)
}

func formatOf(rep *nianbao.Report) nianbao.Format {
	if rep.Format == "" {
		return nianbao.FormatUnknown
	}
	return rep.Format
}

func parserOf(rep *nianbao.Report) string {
	if rep.Parser == "" {
		return nianbao.ParserVersion
	}
	return rep.Parser
}

func fetchArgs(f *Fetch) []any {
	if f == nil {
		return []any{nil, nil, nil, nil}
	}
	var at any
	if !f.FetchedAt.IsZero() {
		at = stamp(f.FetchedAt)
	}
	return []any{nullString(f.ETag), nullString(f.LastModified), nullString(f.ContentType), at}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}
