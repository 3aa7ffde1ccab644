package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/organ"
)

// Fetch carries what an HTTP fetch said about a document.
type Fetch struct {
	ETag         string
	LastModified string
	ContentType  string
	FetchedAt    time.Time
}

// Result says what writing a document did.
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
	// OrganID is the organ the written report was placed under (0: none,
	// or nothing was written): its cross-year rules are the ones a write
	// may change (Store.RecheckOrgans).
	OrganID int64
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

// Doc is one document for the writer. The caller (package ingest) hashes
// and archives it and, unless its bytes were already stored, reads its
// report and gives it with SetReport.
type Doc struct {
	Source string
	Fetch  *Fetch // nil for a local file
	SHA256 string
	Size   int64
	// Known says the bytes were stored already when the caller looked them
	// up (Known): only the new sighting is written.
	Known bool
	// Reparse is the id of the archived document whose report this one
	// replaces (ReparseList).
	Reparse int64
	// Err says why the document could not be read or archived: nothing is
	// written, and the outcome is ResultFailed.
	Err error
	// Organ is what the report's printed organ name resolves to (package
	// ingest resolves it on its workers); nil: the writer resolves it.
	Organ *organ.Organ
	// Division is the division code of the site the document came from,
	// which places an organ name that does not say where it is.
	Division string

	rep  *nianbao.Report // the report's own fields; its cells and sections are in rows
	rows *rows
}

// SetReport gives the document its report. The rows the writer inserts are
// encoded here, on the caller's goroutine, so that batch workers do that
// work in parallel rather than the single writer; the document then keeps
// the report's own fields only: a batch holds many documents between parse
// and write, and the cells were most of their memory.
func (d *Doc) SetReport(rep *nianbao.Report) error {
	r, err := buildRows(rep)
	if err != nil {
		return fmt.Errorf("%s: %w", d.Source, err)
	}
	slim := *rep
	slim.Cells, slim.Extra, slim.Sections = nil, nil, nil
	d.rep, d.rows = &slim, r
	return nil
}

// Known reports whether a document with these bytes is stored.
func (s *Store) Known(ctx context.Context, sha string) (bool, error) {
	if s.known == nil {
		return false, fmt.Errorf("look up %s: the store is open read-only", sha)
	}
	var one int
	// Not cancellable: database/sql would start a goroutine per query to
	// watch ctx, for a lookup of a few µs (batches check ctx themselves).
	err := s.known.QueryRowContext(context.WithoutCancel(ctx), sha).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("look up %s: %w", sha, err)
}

// Write stores one document in a transaction of its own. A document that
// could not be parsed is still stored, with its status and reason; the
// error return is for storage failures.
func (s *Store) Write(ctx context.Context, d *Doc) (Outcome, error) {
	if s.db == nil {
		return Outcome{}, errors.New("write: the store is open read-only")
	}
	var out Outcome
	err := s.retry(ctx, func() error {
		return s.withTx(ctx, func(w *txWriter) error {
			var err error
			out, err = w.write(d)
			return err
		})
	})
	if err != nil {
		return Outcome{Source: d.Source, SHA256: d.SHA256, Result: ResultFailed, Err: err}, err
	}
	return out, nil
}

// Writer writes the documents of a batch in transactions of many documents
// on the store's single write connection: Write opens a transaction when
// none is open, Commit ends it. While a Writer is open, the WAL is copied
// back into the database from another connection after each commit (see
// checkpointer).
type Writer struct {
	s    *Store
	ctx  context.Context
	tx   *txWriter
	ckpt *checkpointer
	// On PostgreSQL, the documents of the open transaction, written again
	// in a new one when another writer made it fail (a deadlock, a
	// serialization failure); replayed holds their outcomes then.
	docs     []*Doc
	replayed []Outcome
	// committed are the outcomes of the last Commit's transaction when it
	// was written again (Replayed).
	committed []Outcome
}

// NewWriter starts a batch of writes. Close it when the batch ends.
func (s *Store) NewWriter(ctx context.Context) (*Writer, error) {
	if s.db == nil {
		return nil, errors.New("write: the store is open read-only")
	}
	w := &Writer{s: s, ctx: ctx}
	if s.pg {
		return w, nil
	}
	// Without a checkpointer (it could not open its connection) the
	// writer checkpoints as usual.
	w.ckpt, _ = s.startCheckpointer(ctx)
	return w, nil
}

// Write writes one document under a savepoint of the open transaction (one
// is opened if needed), so that a document the database refuses (a
// constraint, a value too big) is rolled back alone, reported as failed, and
// the rest of the transaction stands. The error return is for what stops
// the batch.
func (w *Writer) Write(d *Doc) (Outcome, error) {
	if w.s.pg {
		return w.pgWrite(d)
	}
	if w.tx == nil {
		if w.ckpt != nil {
			w.ckpt.beforeBegin()
		}
		tx, err := w.s.begin(w.ctx)
		if err != nil {
			return Outcome{}, err
		}
		w.tx = tx
	}
	return w.tx.writeItem(d)
}

// Open reports whether a transaction is open: written documents wait for
// Commit.
func (w *Writer) Open() bool { return w.tx != nil }

// Commit commits the open transaction, if any.
func (w *Writer) Commit() error {
	if w.s.pg {
		return w.pgCommit()
	}
	if w.tx == nil {
		return nil
	}
	err := w.tx.commit()
	w.tx = nil
	if err != nil {
		return err
	}
	if w.ckpt != nil {
		w.ckpt.committed()
	}
	return nil
}

// Close rolls back a transaction left open and ends the batch.
func (w *Writer) Close() error {
	w.docs = nil
	if w.tx != nil {
		w.tx.rollback()
		w.tx = nil
	}
	if w.ckpt != nil {
		err := w.ckpt.stop()
		w.ckpt = nil
		return err
	}
	return nil
}

// The writer's statements, one per thing it does to a document; every
// lookup among them is an index search whose cost does not grow with the
// store (plan_test.go checks their query plans). The version lookups name
// their index (INDEXED BY), so that statistics (ANALYZE) cannot turn them
// into a scan of an organ and year.
const (
	qDocumentBySHA  = `SELECT id FROM documents WHERE sha256 = ?`
	qDocumentInsert = `INSERT INTO documents(sha256, size, format, source, first_seen, last_seen, etag, last_modified, content_type, fetched_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`
	qSeen         = `UPDATE documents SET last_seen = ? WHERE id = ? AND last_seen <> ?`
	qSourceUpsert = `INSERT INTO document_sources(document_id, source, first_seen, last_seen, etag, last_modified, content_type, fetched_at)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT (document_id, source) DO UPDATE SET
			last_seen = excluded.last_seen,
			etag = coalesce(excluded.etag, document_sources.etag),
			last_modified = coalesce(excluded.last_modified, document_sources.last_modified),
			content_type = coalesce(excluded.content_type, document_sources.content_type),
			fetched_at = coalesce(excluded.fetched_at, document_sources.fetched_at)
		WHERE document_sources.last_seen <> excluded.last_seen OR excluded.etag IS NOT NULL OR excluded.fetched_at IS NOT NULL`
	qReportInsert = `INSERT INTO reports(document_id, agency, year, title, template, status, reason, error, parser, parsed_at, version, figures, prose, same_as, format,
			organ_id, published, published_source)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	qSupersede = `UPDATE reports SET superseded_by = ? WHERE id = ?`
	// The first version of an organ and year with these figures and prose.
	qCopyByProse = `SELECT id FROM reports INDEXED BY reports_versions_by_prose
		WHERE organ_id = ? AND year = ? AND figures = ? AND prose IS ? AND version IS NOT NULL AND same_as IS NULL
		ORDER BY id LIMIT 1`
	// The first version of an organ and year with these figures in the
	// first format after the one given.
	qCopyByFormat = `SELECT format, id FROM reports INDEXED BY reports_versions_by_format
		WHERE organ_id = ? AND year = ? AND figures = ? AND format > ? AND version IS NOT NULL AND same_as IS NULL
		ORDER BY format, id LIMIT 1`
	// The newest version of an organ and year.
	qNewestVersion = `SELECT id, version FROM reports INDEXED BY reports_versions
		WHERE organ_id = ? AND year = ? AND version IS NOT NULL AND same_as IS NULL
		ORDER BY version DESC LIMIT 1`
	qDescribe = `SELECT r.id, r.status, r.parser, r.agency, r.year, r.version, coalesce(r.reason, r.error),
			(SELECT count(*) FROM findings f WHERE f.report_id = r.id), r.same_as
		FROM reports r WHERE r.document_id = ?`
	// The report a report superseded.
	qSuperseded = `SELECT max(id) FROM reports WHERE superseded_by = ?`
	qReparseOld = `SELECT id, organ_id, year, status IN ('ok', 'findings'), figures, prose, format
		FROM reports WHERE document_id = ?`
	qCellsDelete    = `DELETE FROM cells WHERE report_id = ?`
	qFindingsDelete = `DELETE FROM findings WHERE report_id = ?`
	qSectionsDelete = `DELETE FROM sections WHERE report_id = ?`
	// A reparsed report that keeps its place among the versions.
	qReparseUpdate = `UPDATE reports SET agency = ?, year = ?, title = ?, template = ?, status = ?, reason = ?, error = ?,
		parser = ?, parsed_at = ?, figures = ?, prose = ?, format = ?, organ_id = ?, published = ?, published_source = ? WHERE id = ?`
	// A reparsed report whose organ and year are numbered again (renumber).
	qReparseUpdateUnplaced = `UPDATE reports SET agency = ?, year = ?, title = ?, template = ?, status = ?, reason = ?, error = ?,
		parser = ?, parsed_at = ?, figures = ?, prose = ?, format = ?, organ_id = ?, published = ?, published_source = ?,
		version = NULL, superseded_by = NULL, same_as = NULL WHERE id = ?`
	qDocumentFormat = `UPDATE documents SET format = ? WHERE id = ?`
	// Every report of an organ and year, for renumber (a reparse that
	// moves a report): its cost is that of the organ and year.
	qVersionGroup = `SELECT id, status IN ('ok', 'findings'), version, same_as, superseded_by, figures, prose, coalesce(format, '')
		FROM reports WHERE organ_id = ? AND year = ? ORDER BY id`
	qRenumber      = `UPDATE reports SET version = ?, superseded_by = ?, same_as = ? WHERE id = ?`
	qFindingInsert = `INSERT INTO findings(report_id, rule, cells, detail, expected, actual) VALUES (?,?,?,?,?,?)`
	qSectionInsert = `INSERT INTO sections(report_id, section, text) VALUES (?,?,?)`
)

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
	// touched are the organs and years whose reports changed: their
	// cross-year rules are checked at commit (checkYears).
	touched map[organYear]bool
	// organs are the ids of the organs the transaction wrote or read, by
	// key (organID).
	organs map[string]organRow
	// locked are the organs whose advisory lock the transaction holds
	// (PostgreSQL, pgLockOrgan).
	locked map[int64]bool
	// names are the printed names the transaction wrote or read, and
	// cache the store's (nil on PostgreSQL); cacheStale: the transaction
	// wrote names or organs the cache cannot follow (organsWritten).
	names      map[string]nameRow
	cache      *organCache
	cacheStale bool
	// organsBefore is the largest organ id when the transaction began
	// (SQLite: no other writer adds one until it ends); fresh are the
	// organs it created since (organcache.go).
	organsBefore int64
	fresh        map[int64]*freshOrgan
	// yearFigs are the cells the cross-year equations read of the reports
	// the transaction wrote, by report id, so that checkYears need not
	// read them back.
	yearFigs map[int64][]yearCell
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
	// deadlock upgrading a read lock. PostgreSQL writers lock rows and
	// organs as they go (pgLockOrgan).
	begin := `BEGIN IMMEDIATE`
	if s.pg {
		begin = `BEGIN`
	}
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	w := &txWriter{s: s, ctx: ctx, conn: conn, stmts: map[string]*sql.Stmt{}, now: stamp(s.now()), ftsAfter: -1}
	if s.organs != nil {
		if err := s.organs.sync(w); err != nil {
			w.rollback()
			return nil, fmt.Errorf("begin transaction: organs: %w", err)
		}
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM organs`).Scan(&w.organsBefore); err != nil {
			w.rollback()
			return nil, fmt.Errorf("begin transaction: organs: %w", err)
		}
		w.cache = s.organs
	}
	return w, nil
}

func (w *txWriter) closeStmts() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts = nil
}

func (w *txWriter) commit() error {
	if err := w.checkYears(); err != nil {
		w.rollback()
		return err
	}
	if err := w.indexSections(); err != nil {
		w.rollback()
		return err
	}
	w.closeStmts()
	if _, err := w.conn.ExecContext(w.ctx, `COMMIT`); err != nil {
		w.rollback()
		return fmt.Errorf("commit: %w", err)
	}
	w.endCache()
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
	if w.s.pg {
		// pgx prepares and caches the statements of its connection.
		return w.conn.ExecContext(w.ctx, q, args...)
	}
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(w.ctx, args...)
}

func (w *txWriter) queryRows(q string, args ...any) (*sql.Rows, error) {
	if w.s.pg {
		return w.conn.QueryContext(w.ctx, q, args...)
	}
	st, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

func (w *txWriter) queryRow(q string, args ...any) *sql.Row {
	if w.s.pg {
		return w.conn.QueryRowContext(w.ctx, q, args...)
	}
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
func (w *txWriter) writeItem(p *Doc) (Outcome, error) {
	if p.Err != nil {
		return Outcome{Source: p.Source, SHA256: p.SHA256, Result: ResultFailed, Err: p.Err}, nil
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
		// What the document indexed was rolled back with it, and so may
		// be an organ it wrote.
		w.ftsAfter = ftsAfter
		w.organsWritten()
		w.yearFigs = nil // its report's id may be given again
		if _, rerr := w.exec(`RELEASE doc`); rerr != nil {
			return Outcome{}, errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
		}
		if itemError(err) {
			return Outcome{Source: p.Source, SHA256: p.SHA256, Result: ResultFailed, Err: err}, nil
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
	if code := pgCode(err); code != "" {
		// Data exceptions and integrity constraints.
		return code[:2] == "22" || code[:2] == "23"
	}
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
func (w *txWriter) write(p *Doc) (Outcome, error) {
	if p.Err != nil {
		return Outcome{}, p.Err
	}
	out := Outcome{Source: p.Source, SHA256: p.SHA256}
	if p.rep == nil && !p.Known {
		// SetReport was not called: a mistake of the caller, not of the document.
		return out, fmt.Errorf("store %s: no report to store", p.Source)
	}
	var docID int64
	err := w.queryRow(qDocumentBySHA, p.SHA256).Scan(&docID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store %s: %w", p.Source, err)
	}
	found := err == nil
	switch {
	case p.Reparse != 0:
		if !found || docID != p.Reparse {
			return out, &docError{fmt.Sprintf("reparse %s: document %d is no longer stored", p.Source, p.Reparse)}
		}
		return w.reparse(p, docID)
	case found:
		return w.seenAgain(p, docID)
	case p.Known:
		// Looked up as stored, but gone by now: it was deleted meanwhile.
		return out, &docError{fmt.Sprintf("store %s: the document vanished while being ingested; ingest it again", p.Source)}
	}

	rep := p.rep
	f := fetchArgs(p.Fetch)
	if w.s.pg {
		// Another writer may store the same bytes meanwhile: the second
		// sees them again.
		err := w.queryRow(qDocumentInsert+` ON CONFLICT (sha256) DO NOTHING RETURNING id`,
			p.SHA256, p.Size, string(formatOf(rep)), p.Source, w.now, w.now, f[0], f[1], f[2], f[3]).Scan(&docID)
		if errors.Is(err, sql.ErrNoRows) {
			if err := w.queryRow(qDocumentBySHA, p.SHA256).Scan(&docID); err != nil {
				return out, fmt.Errorf("store %s: %w", p.Source, err)
			}
			return w.seenAgain(p, docID)
		}
		if err != nil {
			return out, fmt.Errorf("store %s: document: %w", p.Source, err)
		}
	} else {
		res, err := w.exec(qDocumentInsert,
			p.SHA256, p.Size, string(formatOf(rep)), p.Source, w.now, w.now, f[0], f[1], f[2], f[3])
		if err != nil {
			return out, fmt.Errorf("store %s: document: %w", p.Source, err)
		}
		if docID, err = res.LastInsertId(); err != nil {
			return out, fmt.Errorf("store %s: document: %w", p.Source, err)
		}
	}
	if err := w.addSource(docID, p); err != nil {
		return out, err
	}
	organID, err := w.placeOrgan(p)
	if err != nil {
		return out, fmt.Errorf("store %s: organ: %w", p.Source, err)
	}
	published, pubSource := publication(rep, p.Fetch, w.now)
	// A parsed report of a known organ and year is the newest version of
	// it (ids only grow, and versions follow ids), unless it is a copy of
	// a report stored before (see renumber): then it has no version.
	var place versionPlace
	if versioned(rep) && organID.Valid {
		me := versionRow{parsed: true, format: string(formatOf(rep)), figures: p.rows.figures, prose: p.rows.prose}
		if place, err = w.place(organID.Int64, rep.Year, &me); err != nil {
			return out, fmt.Errorf("store %s: %w", p.Source, err)
		}
		w.touch(organID.Int64, rep.Year)
	}
	repID, err := w.insertID(qReportInsert,
		docID, nullString(rep.Agency), nullInt(rep.Year), nullString(rep.Title), string(rep.Template),
		string(statusOf(rep)), nullString(reasonOf(rep)), nullString(rep.Error), parserOf(rep), w.now, place.version,
		p.rows.figures, p.rows.prose, place.sameAs, string(formatOf(rep)), organID, nullString(published), nullString(pubSource))
	if err != nil {
		return out, fmt.Errorf("store %s: report: %w", p.Source, err)
	}
	if place.prev.Valid {
		if _, err := w.exec(qSupersede, repID, place.prev); err != nil {
			return out, fmt.Errorf("store %s: versions: %w", p.Source, err)
		}
	}
	if versioned(rep) && organID.Valid {
		w.placed(organID.Int64, rep.Year, repID, string(rep.Template))
	}
	if err := w.writeChildren(repID, p.rows); err != nil {
		return out, fmt.Errorf("store %s: %w", p.Source, err)
	}
	w.wroteCells(repID, p.rows)
	out.Result = ResultNew
	out.DocumentID, out.ReportID = docID, repID
	out.OrganID = organID.Int64
	out.Status, out.Agency, out.Year = statusOf(rep), rep.Agency, rep.Year
	out.Reason = reasonOf(rep)
	if out.Reason == "" {
		out.Reason = rep.Error
	}
	out.Findings = len(rep.Findings)
	out.Stale = parserOf(rep) != nianbao.ParserVersion
	out.Version = int(place.version.Int64)
	out.SameAs = place.sameAs.Int64
	if place.prev.Valid {
		out.Supersedes = place.prev.Int64
		out.Result = ResultNewVersion
	}
	return out, nil
}

// insertID runs an INSERT and returns the id of its row: LastInsertId on
// SQLite, RETURNING id on PostgreSQL.
func (w *txWriter) insertID(q string, args ...any) (int64, error) {
	var id int64
	if w.s.pg {
		err := w.queryRow(q+` RETURNING id`, args...).Scan(&id)
		return id, err
	}
	res, err := w.exec(q, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// seenAgain records another sighting of stored bytes.
func (w *txWriter) seenAgain(p *Doc, docID int64) (Outcome, error) {
	out := Outcome{Source: p.Source, SHA256: p.SHA256, Result: ResultUnchanged, DocumentID: docID}
	if _, err := w.exec(qSeen, w.now, docID, w.now); err != nil {
		return out, fmt.Errorf("store %s: %w", p.Source, err)
	}
	if err := w.addSource(docID, p); err != nil {
		return out, err
	}
	if err := w.describe(&out); err != nil {
		return out, fmt.Errorf("store %s: %w", p.Source, err)
	}
	return out, nil
}

// reparse replaces the report of an archived document with a fresh parse.
// The report keeps its id, so versions keep their order.
func (w *txWriter) reparse(p *Doc, docID int64) (Outcome, error) {
	out := Outcome{Source: p.Source, SHA256: p.SHA256, Result: ResultReparsed, DocumentID: docID}
	rep := p.rep
	var old versionRow
	var oldFormat sql.NullString
	var oldOrgan, oldYear sql.NullInt64
	if err := w.queryRow(qReparseOld, docID).Scan(&out.ReportID, &oldOrgan, &oldYear, &old.parsed, &old.figures, &old.prose, &oldFormat); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	organID, err := w.placeOrgan(p)
	if err != nil {
		return out, fmt.Errorf("reparse %s: organ: %w", p.Source, err)
	}
	if f := w.fresh[organID.Int64]; f != nil {
		f.dirty = true // a report of before comes to it
	}
	published, pubSource := publication(rep, p.Fetch, w.now)
	// Versions follow from each report's organ, year, status, figures,
	// prose and format (renumber): a report that reads the same in these
	// keeps its place, and its organ and year are not numbered again,
	// which would read and maybe rewrite every report of them.
	now := versionRow{parsed: parsed(rep), figures: p.rows.figures, prose: p.rows.prose, format: string(formatOf(rep))}
	same := oldOrgan == organID && oldYear.Int64 == int64(rep.Year) && old.parsed == now.parsed &&
		old.figures == now.figures && old.prose == now.prose && oldFormat.String == now.format
	// The delete trigger takes a section out of sections_fts, so it must
	// be there: a section of this transaction is indexed first.
	if err := w.indexSectionsOf(out.ReportID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	for _, q := range []string{qCellsDelete, qFindingsDelete, qSectionsDelete} {
		if _, err := w.exec(q, out.ReportID); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.Source, err)
		}
	}
	q := qReparseUpdate
	if !same {
		q = qReparseUpdateUnplaced
	}
	if _, err := w.exec(q,
		nullString(rep.Agency), nullInt(rep.Year), nullString(rep.Title), string(rep.Template), string(statusOf(rep)),
		nullString(reasonOf(rep)), nullString(rep.Error), parserOf(rep), w.now, p.rows.figures, p.rows.prose, now.format,
		organID, nullString(published), nullString(pubSource), out.ReportID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	if _, err := w.exec(qDocumentFormat, now.format, docID); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	if err := w.writeChildren(out.ReportID, p.rows); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	w.wroteCells(out.ReportID, p.rows)
	// The report may have left one (organ, year) and joined another; both
	// are numbered again, which re-points every report that pointed at it
	// (superseded_by and same_as stay within an organ and year).
	if !same && oldOrgan.Valid && oldYear.Valid {
		if err := w.renumber(oldOrgan.Int64, int(oldYear.Int64)); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.Source, err)
		}
	}
	if !same && organID.Valid && rep.Year != 0 && (organID != oldOrgan || int64(rep.Year) != oldYear.Int64) {
		if err := w.renumber(organID.Int64, rep.Year); err != nil {
			return out, fmt.Errorf("reparse %s: %w", p.Source, err)
		}
	}
	// The cross-year findings of both places are checked again at commit,
	// whether or not the versions moved: the figures may have.
	if oldOrgan.Valid && oldYear.Valid {
		w.touch(oldOrgan.Int64, int(oldYear.Int64))
	}
	if organID.Valid && rep.Year != 0 && parsed(rep) {
		w.touch(organID.Int64, rep.Year)
	}
	if err := w.describe(&out); err != nil {
		return out, fmt.Errorf("reparse %s: %w", p.Source, err)
	}
	out.OrganID = organID.Int64
	return out, nil
}

// describe fills an outcome from the stored report of out.DocumentID. The
// report a new version superseded is looked up only for a reparse: an
// unchanged document reports none.
func (w *txWriter) describe(out *Outcome) error {
	var status, parser string
	var agency, reason sql.NullString
	var year, version, sameAs sql.NullInt64
	err := w.queryRow(qDescribe, out.DocumentID).
		Scan(&out.ReportID, &status, &parser, &agency, &year, &version, &reason, &out.Findings, &sameAs)
	if err != nil {
		return fmt.Errorf("read back the report of document %d: %w", out.DocumentID, err)
	}
	out.Status = nianbao.Status(status)
	out.Agency, out.Year, out.Version = agency.String, int(year.Int64), int(version.Int64)
	out.Reason = reason.String
	out.SameAs = sameAs.Int64
	out.Stale = parser != nianbao.ParserVersion
	if out.Result != ResultUnchanged {
		var supersedes sql.NullInt64
		if err := w.queryRow(qSuperseded, out.ReportID).Scan(&supersedes); err != nil {
			return fmt.Errorf("read back the versions of report %d: %w", out.ReportID, err)
		}
		out.Supersedes = supersedes.Int64
	}
	return nil
}

func (w *txWriter) addSource(docID int64, p *Doc) error {
	f := fetchArgs(p.Fetch)
	_, err := w.exec(qSourceUpsert, docID, p.Source, w.now, w.now, f[0], f[1], f[2], f[3])
	if err != nil {
		return fmt.Errorf("store %s: source: %w", p.Source, err)
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

// copyOf reports whether r is a copy of the version h: the same figures,
// in another format or with the same prose.
func (r *versionRow) copyOf(h *versionRow) bool {
	return r.figures.Valid && h.figures == r.figures && (h.format != r.format || h.prose == r.prose)
}

// versionPlace is where a new report goes among the versions of its organ
// and year: a copy of sameAs, or version after prev (the newest).
type versionPlace struct {
	version, prev, sameAs sql.NullInt64
}

// place applies renumber's rule to a new parsed report r of an organ and
// year, which comes after every report stored (ids only grow): it is a
// copy of the first version it is a copy of (copyOf), else the version
// after the newest. Each lookup is an index search, at most one per
// format for the copy, however many versions the organ and year has: the
// first version with r's figures and prose, the first with r's figures in
// each other format, and the newest version. Only parsed reports have a
// version, so a report with a version and no same_as is a head.
func (w *txWriter) place(organ int64, year int, r *versionRow) (versionPlace, error) {
	var pl versionPlace
	if err := w.pgLockOrgan(organ); err != nil {
		return pl, err
	}
	if f := w.freshOf(organ); f != nil && f.years[year] == nil {
		// The first report of a year of an organ new in this
		// transaction: no other to be a copy of or to supersede.
		pl.version = sql.NullInt64{Int64: 1, Valid: true}
		return pl, nil
	}
	// The newest version first: with none, there is nothing to be a copy
	// of either (copies are of versions), the usual case of a year's first
	// report, which then costs one search instead of three.
	var newest, version int64
	switch err := w.queryRow(qNewestVersion, organ, year).Scan(&newest, &version); {
	case errors.Is(err, sql.ErrNoRows):
		pl.version = sql.NullInt64{Int64: 1, Valid: true}
		return pl, nil
	case err != nil:
		return pl, fmt.Errorf("versions of organ %d %d: %w", organ, year, err)
	}
	if r.figures.Valid {
		var first sql.NullInt64
		err := w.queryRow(qCopyByProse, organ, year, r.figures, r.prose).Scan(&first)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return pl, fmt.Errorf("copies in organ %d %d: %w", organ, year, err)
		}
		// The formats of the versions with these figures, one search
		// each: each gives the first version in its format.
		after := ""
		for {
			var format string
			var id int64
			err := w.queryRow(qCopyByFormat, organ, year, r.figures, after).Scan(&format, &id)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return pl, fmt.Errorf("copies in organ %d %d: %w", organ, year, err)
			}
			if format != r.format && (!first.Valid || id < first.Int64) {
				first = sql.NullInt64{Int64: id, Valid: true}
			}
			after = format
		}
		if first.Valid {
			pl.sameAs = first
			return pl, nil
		}
	}
	pl.version = sql.NullInt64{Int64: version + 1, Valid: true}
	pl.prev = sql.NullInt64{Int64: newest, Valid: true}
	return pl, nil
}

// versionGroup reads the reports of one organ and year, in id order.
func (w *txWriter) versionGroup(organ int64, year int) ([]versionRow, error) {
	rows, err := w.queryRows(qVersionGroup, organ, year)
	if err != nil {
		return nil, fmt.Errorf("versions of organ %d %d: %w", organ, year, err)
	}
	defer rows.Close()
	var group []versionRow
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(&r.id, &r.parsed, &r.version, &r.sameAs, &r.next, &r.figures, &r.prose, &r.format); err != nil {
			return nil, fmt.Errorf("versions of organ %d %d: %w", organ, year, err)
		}
		group = append(group, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("versions of organ %d %d: %w", organ, year, err)
	}
	return group, nil
}

// renumber recomputes versions within one organ and year, in the order the
// reports were first stored (their ids): a parsed report is a copy of the
// first earlier version it is a copy of (copyOf; same_as, no version); the
// other parsed reports are numbered 1, 2, … and each points to the next as
// the one that superseded it. write applies the same rule to a new report
// (place). Only the reports whose place changed are written.
func (w *txWriter) renumber(organ int64, year int) error {
	if err := w.pgLockOrgan(organ); err != nil {
		return err
	}
	group, err := w.versionGroup(organ, year)
	if err != nil {
		return err
	}
	was := make([]versionRow, len(group))
	copy(was, group)
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
	for i, r := range group {
		if r.version == was[i].version && r.next == was[i].next && r.sameAs == was[i].sameAs {
			continue
		}
		if _, err := w.exec(qRenumber, r.version, r.next, r.sameAs, r.id); err != nil {
			return fmt.Errorf("versions of organ %d %d: %w", organ, year, err)
		}
	}
	return nil
}

// parsed reports whether a report's status is ok or findings.
func parsed(rep *nianbao.Report) bool {
	st := statusOf(rep)
	return st == nianbao.StatusOK || st == nianbao.StatusFindings
}

// versioned reports whether a report takes part in versioning: it parsed,
// and its organ and year are known. An unreadable or unsupported copy of a
// report never supersedes a good one.
func versioned(rep *nianbao.Report) bool {
	return rep.Agency != "" && rep.Year != 0 && parsed(rep)
}

// writeChildren writes the cells, findings and sections of a report.
func (w *txWriter) writeChildren(repID int64, r *rows) error {
	if w.s.pg {
		return w.pgWriteChildren(repID, r)
	}
	if len(r.plain) > 0 {
		if _, err := w.exec(cellsPlainInsert, repID, r.plain, r.engine); err != nil {
			return fmt.Errorf("cells: %w", err)
		}
	}
	if len(r.full) > 0 {
		if _, err := w.exec(cellsFullInsert, repID, r.full); err != nil {
			return fmt.Errorf("cells: %w", err)
		}
	}
	for _, f := range r.findings {
		if _, err := w.exec(qFindingInsert, repID, f.rule, f.cells, f.detail, f.expected, f.actual); err != nil {
			return fmt.Errorf("finding %s: %w", f.rule, err)
		}
	}
	if len(r.sections) > 0 {
		if err := w.noteSections(); err != nil {
			return err
		}
	}
	for _, sec := range r.sections {
		if _, err := w.exec(qSectionInsert, repID, sec.section, sec.text); err != nil {
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
