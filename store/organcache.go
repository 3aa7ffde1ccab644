package store

import (
	"database/sql"
	"errors"
	"sync"
)

// organCache holds the printed names and organs of a SQLite store as its
// last commit left them, so that placing a report's organ does not look up
// a name or write an organ the writer has seen before: across a batch, the
// same names come back transaction after transaction, and on a new store
// every name is new — which only a cache holding every stored name can
// tell without a query.
//
// It is right only while nothing else writes the tables: every write of
// this process goes through the one write connection, and another
// process's commit changes that connection's PRAGMA data_version, which
// each transaction reads first (begin). A transaction's own entries join
// the cache when it commits; one that wrote organs or names some other way
// (a names file, a document rolled back alone) empties the cache instead.
// PostgreSQL stores, written by many processes at once, have none.
type organCache struct {
	mu      sync.Mutex
	version int64 // data_version the entries are of; -1 before the first transaction
	// complete: names holds every stored name, so a name not in it is not
	// stored. Loaded whole when the store has at most maxCachedNames.
	complete bool
	names    map[string]nameRow
	organs   map[string]organRow
}

// maxCachedNames bounds the names loaded at once (~150 bytes each).
const maxCachedNames = 50_000

// nameRow is a printed name's row: its organ, how it was placed, and the
// organ's key.
type nameRow struct {
	id       int64
	how, key string
}

func newOrganCache() *organCache { return &organCache{version: -1} }

// reset forgets every entry: the next transaction loads them again.
func (c *organCache) reset() {
	c.mu.Lock()
	c.version, c.complete, c.names, c.organs = -1, false, nil, nil
	c.mu.Unlock()
}

// sync makes the cache that of the store as the transaction begins: kept
// when no other connection committed since the last check, else loaded
// again (whole if small enough).
func (c *organCache) sync(w *txWriter) error {
	var version int64
	if err := w.conn.QueryRowContext(w.ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if version == c.version { // -1 after a reset: never a data_version
		return nil
	}
	c.version, c.complete = version, false
	c.names, c.organs = map[string]nameRow{}, map[string]organRow{}
	var n int
	if err := w.conn.QueryRowContext(w.ctx, `SELECT count(*) FROM organ_names`).Scan(&n); err != nil {
		return err
	}
	if n > maxCachedNames {
		return nil
	}
	rows, err := w.conn.QueryContext(w.ctx, `SELECT n.name, n.organ_id, n.how, o.key FROM organ_names n JOIN organs o ON o.id = n.organ_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var r nameRow
		if err := rows.Scan(&name, &r.id, &r.how, &r.key); err != nil {
			return err
		}
		c.names[name] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	c.complete = true
	return nil
}

// name looks a printed name up: its row and whether it is stored; known
// is false when the cache cannot tell (the store is to be asked).
func (c *organCache) name(name string) (r nameRow, stored, known bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.names[name]; ok {
		return r, true, true
	}
	return nameRow{}, false, c.complete
}

// organ returns a stored organ's row by key.
func (c *organCache) organ(key string) (organRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.organs[key]
	return r, ok
}

// add puts a committed transaction's names and organs in the cache.
func (c *organCache) add(names map[string]nameRow, organs map[string]organRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names == nil {
		return // reset meanwhile
	}
	for k, v := range names {
		c.names[k] = v
	}
	for k, v := range organs {
		c.organs[k] = v
	}
}

// lookupName returns the stored row of a printed name, from the
// transaction's own entries, the store's cache, or the store.
func (w *txWriter) lookupName(name string) (nameRow, bool, error) {
	if r, ok := w.names[name]; ok {
		return r, true, nil
	}
	if w.cache != nil && !w.cacheStale {
		if r, stored, known := w.cache.name(name); known {
			return r, stored, nil
		}
	}
	var r nameRow
	err := w.queryRow(qNameLookup, name).Scan(&r.id, &r.how, &r.key)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nameRow{}, false, nil
	case err != nil:
		return nameRow{}, false, err
	}
	w.keepName(name, r)
	return r, true, nil
}

// keepName notes a name's row as the transaction sees it.
func (w *txWriter) keepName(name string, r nameRow) {
	if w.names == nil {
		w.names = map[string]nameRow{}
	}
	w.names[name] = r
}

// knownOrgan returns an organ's row the transaction wrote or read, or that
// the store's cache holds.
func (w *txWriter) knownOrgan(key string) (organRow, bool) {
	if r, ok := w.organs[key]; ok {
		return r, true
	}
	if w.cache != nil && !w.cacheStale {
		return w.cache.organ(key)
	}
	return organRow{}, false
}

// organsWritten says the transaction wrote organs or names other than
// through placeOrgan, or lost some of its own to a rollback: from then on
// it asks the store, and the cache is emptied when it commits.
func (w *txWriter) organsWritten() {
	w.names, w.organs, w.fresh = nil, nil, nil
	w.cacheStale = true
}

// endCache updates the store's cache after the transaction committed.
func (w *txWriter) endCache() {
	if w.cache == nil {
		return
	}
	if w.cacheStale {
		w.cache.reset()
		return
	}
	w.cache.add(w.names, w.organs)
}

// freshShortcut turns the fresh organs' shortcut on; a test turns it off
// to compare.
var freshShortcut = true

// freshOrgan is an organ the transaction created (SQLite): every report
// of it is one the transaction wrote, so what the writer would ask the
// store about it — its versions of a year, its current reports, its
// cross-year findings — it knows. On a first ingest most organs are new.
type freshOrgan struct {
	// years holds, for each year, the reports the transaction placed
	// there and the first one's id and template.
	years map[int]*freshYear
	// dirty: a report came to the organ some other way (a reparse): the
	// store is asked.
	dirty bool
}

type freshYear struct {
	n        int
	id       int64
	template string
}

// created notes an organ's id as the transaction wrote it: above every
// id stored when it began, it is one the transaction created.
func (w *txWriter) created(id int64) {
	if !freshShortcut || w.cache == nil || w.cacheStale || id <= w.organsBefore {
		return
	}
	if w.fresh == nil {
		w.fresh = map[int64]*freshOrgan{}
	}
	if w.fresh[id] == nil {
		w.fresh[id] = &freshOrgan{years: map[int]*freshYear{}}
	}
}

// freshOf returns the organ if the transaction created it and knows all
// its reports, else nil.
func (w *txWriter) freshOf(organ int64) *freshOrgan {
	if w.cacheStale {
		return nil
	}
	if f := w.fresh[organ]; f != nil && !f.dirty {
		return f
	}
	return nil
}

// placed notes a report the transaction placed in an organ's year.
func (w *txWriter) placed(organ int64, year int, report int64, template string) {
	f := w.freshOf(organ)
	if f == nil {
		return
	}
	if y := f.years[year]; y != nil {
		y.n++
		return
	}
	f.years[year] = &freshYear{n: 1, id: report, template: template}
}

// current returns the current report of each year of a fresh organ
// when each year has one report (then it is the current one), else nil:
// the store is asked.
func (f *freshOrgan) current() map[int]*yearReport {
	cur := make(map[int]*yearReport, len(f.years))
	for year, y := range f.years {
		if y.n != 1 {
			return nil
		}
		cur[year] = &yearReport{id: y.id, template: y.template}
	}
	return cur
}
