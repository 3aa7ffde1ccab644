package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Frontier kinds.
const (
	KindListing    = "listing"    // a page of the report column: read for links
	KindPage       = "page"       // a report page: the report itself, or links to it
	KindAttachment = "attachment" // a document file
)

// Frontier states.
const (
	StatePending = "pending"
	StateDone    = "done"
	StateFailed  = "failed"
)

// FrontierLink is a URL found by the crawler.
type FrontierLink struct {
	URL   string
	Kind  string
	Title string
}

// FrontierItem is one row of the frontier.
type FrontierItem struct {
	URL, Site, Kind, Title string
	State                  string
	Run                    int64 // the last run that settled it
	Attempts               int
	NextTry                time.Time // zero: any time
	ETag, LastModified     string
	SHA256                 string
	HTTPStatus             int
	Outcome                string
	Error                  string
}

// Due says run is to fetch the URL: no run since the last settled it, and
// not waiting after failures — what DueInFrontier selects.
func (it FrontierItem) Due(run int64, now time.Time) bool {
	return it.Run < run && !it.NextTry.After(now)
}

// BeginCrawl starts a crawl run, or resumes the last one if it never
// finished (the process was killed).
func (s *Store) BeginCrawl(ctx context.Context) (run int64, resumed bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("begin crawl: %w", err)
	}
	defer tx.Rollback()
	var finished sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, finished_at FROM crawl_runs ORDER BY id DESC LIMIT 1`).Scan(&run, &finished)
	switch {
	case err == nil && !finished.Valid:
		return run, true, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return 0, false, fmt.Errorf("begin crawl: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO crawl_runs(started_at) VALUES (?) RETURNING id`, stamp(s.now())).Scan(&run); err != nil {
		return 0, false, fmt.Errorf("begin crawl: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("begin crawl: %w", err)
	}
	return run, false, nil
}

// FinishCrawl marks a run complete: the next crawl starts a new one.
func (s *Store) FinishCrawl(ctx context.Context, run int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE crawl_runs SET finished_at = ? WHERE id = ?`, stamp(s.now()), run); err != nil {
		return fmt.Errorf("finish crawl %d: %w", run, err)
	}
	return nil
}

// AddToFrontier records URLs found for site; a URL already known keeps its
// row (and its site and kind).
func (s *Store) AddToFrontier(ctx context.Context, site string, links []FrontierLink) error {
	tx, err := s.beginFrontier(ctx)
	if err != nil {
		return fmt.Errorf("add to frontier: %w", err)
	}
	defer tx.Rollback()
	if err := addLinks(ctx, tx, site, links, stamp(s.now())); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("add to frontier: %w", err)
	}
	return nil
}

// beginFrontier begins a transaction that writes the frontier. On
// PostgreSQL the crawl's workers write it at once, each on a connection of
// its own: two adding overlapping links in different orders deadlocked,
// and two reading max(seq) together numbered their links alike. The
// frontier's writers take turns instead, under one advisory lock held to
// the end of the transaction (each is a few rows; SQLite's single writer
// connection serialises them already).
func (s *Store) beginFrontier(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil || !s.pg {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(pgFrontierLock)); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// pgFrontierLock is the key of the frontier writers' advisory lock
// ('nbfr').
const pgFrontierLock = 0x6e626672

func addLinks(ctx context.Context, tx *sql.Tx, site string, links []FrontierLink, now string) error {
	if len(links) == 0 {
		return nil
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) FROM frontier`).Scan(&seq); err != nil {
		return fmt.Errorf("add to frontier: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO frontier(url, site, kind, title, seq, found_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT(url) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("add to frontier: %w", err)
	}
	defer stmt.Close()
	for _, l := range links {
		switch l.Kind {
		case KindListing, KindPage, KindAttachment:
		default:
			return fmt.Errorf("add to frontier %s: unknown kind %q", l.URL, l.Kind)
		}
		seq++
		if _, err := stmt.ExecContext(ctx, l.URL, site, l.Kind, l.Title, seq, now); err != nil {
			return fmt.Errorf("add to frontier %s: %w", l.URL, err)
		}
	}
	return nil
}

// DueInFrontier returns up to limit URLs of site that run has not settled
// yet and that are not waiting after failures: the least recently visited
// first (so a run stopped by a bound does not starve the rest next time),
// then listings before pages before attachments, in discovery order.
func (s *Store) DueInFrontier(ctx context.Context, site string, run int64, limit int) ([]FrontierItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM frontier
		WHERE site = ? AND run < ? AND (next_try IS NULL OR next_try <= ?)
		ORDER BY run, prio, seq
		LIMIT ?`, site, run, stamp(s.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("frontier of %s: %w", site, err)
	}
	return scanItems(rows, site)
}

// DeferredInFrontier counts the URLs of site that run leaves alone because
// they failed recently (next_try is later).
func (s *Store) DeferredInFrontier(ctx context.Context, site string, run int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM frontier WHERE site = ? AND run < ? AND next_try > ?`,
		site, run, stamp(s.now())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("frontier of %s: %w", site, err)
	}
	return n, nil
}

// FrontierOf returns every row of site (all sites when site is ""), in
// discovery order.
func (s *Store) FrontierOf(ctx context.Context, site string) ([]FrontierItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM frontier WHERE ? = '' OR site = ? ORDER BY seq`, site, site)
	if err != nil {
		return nil, fmt.Errorf("frontier of %s: %w", site, err)
	}
	return scanItems(rows, site)
}

const itemColumns = `url, site, kind, title, state, run, attempts, COALESCE(next_try, ''), etag, last_modified,
	sha256, COALESCE(http_status, 0), outcome, error`

func scanItems(rows *sql.Rows, site string) ([]FrontierItem, error) {
	defer rows.Close()
	var out []FrontierItem
	for rows.Next() {
		var it FrontierItem
		var next string
		if err := rows.Scan(&it.URL, &it.Site, &it.Kind, &it.Title, &it.State, &it.Run, &it.Attempts, &next,
			&it.ETag, &it.LastModified, &it.SHA256, &it.HTTPStatus, &it.Outcome, &it.Error); err != nil {
			return nil, fmt.Errorf("frontier of %s: %w", site, err)
		}
		if next != "" {
			it.NextTry, _ = time.Parse(time.RFC3339, next)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("frontier of %s: %w", site, err)
	}
	return out, nil
}

// SettleFrontier records what run did with it (state, validators, hash,
// outcome, error, next try) and adds the URLs found on it, in one
// transaction: a crash leaves either both or neither.
func (s *Store) SettleFrontier(ctx context.Context, run int64, it FrontierItem, found []FrontierLink) error {
	tx, err := s.beginFrontier(ctx)
	if err != nil {
		return fmt.Errorf("settle %s: %w", it.URL, err)
	}
	defer tx.Rollback()
	now := stamp(s.now())
	var next any
	if !it.NextTry.IsZero() {
		next = stamp(it.NextTry)
	}
	var status any
	if it.HTTPStatus != 0 {
		status = it.HTTPStatus
	}
	fetched := any(nil)
	if it.State == StateDone {
		fetched = now
	}
	res, err := tx.ExecContext(ctx, `UPDATE frontier SET state = ?, run = ?, attempts = ?, next_try = ?,
		etag = ?, last_modified = ?, sha256 = ?, http_status = ?, outcome = ?, error = ?,
		fetched_at = COALESCE(?, fetched_at)
		WHERE url = ?`,
		it.State, run, it.Attempts, next, it.ETag, it.LastModified, it.SHA256, status, it.Outcome, it.Error, fetched, it.URL)
	if err != nil {
		return fmt.Errorf("settle %s: %w", it.URL, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("settle %s: not in the frontier", it.URL)
	}
	if err := addLinks(ctx, tx, it.Site, found, now); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("settle %s: %w", it.URL, err)
	}
	return nil
}
