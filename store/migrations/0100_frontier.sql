-- The crawler's frontier: every URL a crawl found, what it is, and what
-- became of it. A run settles each URL it visits by setting run to its own
-- id, so a killed run resumes with the URLs it had not settled, and the next
-- run visits every URL again with a conditional GET (etag, last_modified).
CREATE TABLE frontier (
    url           TEXT    PRIMARY KEY,
    site          TEXT    NOT NULL,                 -- start URL of the site that found it
    kind          TEXT    NOT NULL CHECK (kind IN ('listing', 'page', 'attachment')),
    title         TEXT    NOT NULL DEFAULT '',      -- the link text that found it
    seq           INTEGER NOT NULL,                 -- discovery order
    found_at      TEXT    NOT NULL,                 -- RFC 3339, UTC
    state         TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'done', 'failed')),
    run           INTEGER NOT NULL DEFAULT 0,       -- the last run that settled it
    attempts      INTEGER NOT NULL DEFAULT 0,       -- failed runs in a row
    next_try      TEXT,                             -- not before (after failures)
    etag          TEXT    NOT NULL DEFAULT '',      -- validators of the last 200
    last_modified TEXT    NOT NULL DEFAULT '',
    sha256        TEXT    NOT NULL DEFAULT '',      -- of the last body (documents only)
    http_status   INTEGER,                          -- of the last visit
    outcome       TEXT    NOT NULL DEFAULT '',      -- new, changed, unchanged, not_modified, failed
    error         TEXT    NOT NULL DEFAULT '',      -- reason of the last failure
    fetched_at    TEXT,                             -- last 200 or 304
    -- visiting order within a run: listings, then pages, then attachments
    prio          INTEGER GENERATED ALWAYS AS (CASE kind WHEN 'listing' THEN 0 WHEN 'page' THEN 1 ELSE 2 END) VIRTUAL
);
-- Serves the "what is due" query in order, without sorting the site's rows.
CREATE INDEX frontier_due ON frontier(site, run, prio, seq);

-- One row per crawl run; a run without finished_at was killed and is
-- resumed by the next crawl.
CREATE TABLE crawl_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
