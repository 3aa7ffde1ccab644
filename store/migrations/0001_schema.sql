-- The store's tables. Names documents, reports, cells, findings and sections
-- are a contract with analysts and scripts; do not rename them.

-- One row per distinct document, identified by the SHA-256 of its bytes. The
-- bytes themselves are kept in the archive folder next to the database
-- (<db>.archive/<sha[0:2]>/<sha>). Columns describe the first sighting;
-- document_sources lists every place the same bytes were seen.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT    NOT NULL UNIQUE,
    size          INTEGER NOT NULL,
    format        TEXT    NOT NULL,           -- html, text, pdf, docx, doc, unknown
    source        TEXT    NOT NULL,           -- URL or absolute path where first seen
    first_seen    TEXT    NOT NULL,           -- RFC 3339, UTC
    last_seen     TEXT    NOT NULL,
    etag          TEXT,                       -- HTTP validators, when fetched
    last_modified TEXT,
    content_type  TEXT,
    fetched_at    TEXT
);

CREATE TABLE document_sources (
    document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    source        TEXT    NOT NULL,
    first_seen    TEXT    NOT NULL,
    last_seen     TEXT    NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    content_type  TEXT,
    fetched_at    TEXT,
    PRIMARY KEY (document_id, source)
) WITHOUT ROWID;
CREATE INDEX document_sources_by_source ON document_sources(source);

-- One row per document: what the parser read from it. A report of a known
-- organ and year that parsed (status ok or findings) takes part in
-- versioning: the reports of one (agency, year) are numbered 1, 2, … in the
-- order they were first ingested, and each but the newest points to the
-- report that superseded it.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    agency        TEXT,                       -- the organ; NULL when not found
    year          INTEGER,                    -- the year the figures cover; NULL when not found
    title         TEXT,
    template      TEXT    NOT NULL,           -- 2019, 2021, pre2019 or '' (unknown)
    status        TEXT    NOT NULL CHECK (status IN ('ok', 'findings', 'unsupported', 'needs_ocr', 'error')),
    reason        TEXT,                       -- why unsupported / needs_ocr / error
    error         TEXT,
    parser        TEXT    NOT NULL,           -- parser version that produced this row
    parsed_at     TEXT    NOT NULL,
    version       INTEGER,                    -- 1, 2, … within (agency, year); NULL when not versioned
    superseded_by INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    current       INTEGER GENERATED ALWAYS AS (version IS NOT NULL AND superseded_by IS NULL) VIRTUAL
);
CREATE INDEX reports_by_agency_year ON reports(agency, year);
CREATE INDEX reports_by_year ON reports(year);

-- One row per figure. key is the canonical key (see the fields table);
-- extra = 1 for rows/columns a province adds, with label the printed row and
-- column labels (a canonical cell's labels are in fields). value is NULL when the document
-- leaves the cell blank, and blank then says how ('blank', 'dash', 'slash',
-- '无', 'missing', 'unreadable'). Provenance: tbl/row/col in the document's
-- grids (0-based), page (1-based, PDF), box in points (PDF), engine.
CREATE TABLE cells (
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    value     REAL,
    raw       TEXT,
    blank     TEXT,
    unit      TEXT,
    uncertain TEXT,
    extra     INTEGER NOT NULL DEFAULT 0,
    label     TEXT,
    tbl       INTEGER,
    row       INTEGER,
    col       INTEGER,
    page      INTEGER,
    x0        REAL,
    y0        REAL,
    x1        REAL,
    y1        REAL,
    engine    TEXT,
    PRIMARY KEY (report_id, key)
) WITHOUT ROWID;

-- Broken rules and other problems of a report; cells is a JSON array of keys.
CREATE TABLE findings (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    rule      TEXT    NOT NULL,
    cells     TEXT    NOT NULL DEFAULT '[]',
    detail    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX findings_by_report ON findings(report_id);
CREATE INDEX findings_by_rule ON findings(rule);

-- The prose of sections 一 ('1'), 五 ('5') and 六 ('6'), with a trigram
-- full-text index: sections_fts MATCH works for Chinese terms of three or more
-- characters; use LIKE on sections.text for shorter ones.
CREATE TABLE sections (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    section   TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    UNIQUE (report_id, section)
);
CREATE VIRTUAL TABLE sections_fts USING fts5(text, content='sections', content_rowid='id', tokenize='trigram');
CREATE TRIGGER sections_ai AFTER INSERT ON sections BEGIN
    INSERT INTO sections_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER sections_ad AFTER DELETE ON sections BEGIN
    INSERT INTO sections_fts(sections_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER sections_au AFTER UPDATE ON sections BEGIN
    INSERT INTO sections_fts(sections_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO sections_fts(rowid, text) VALUES (new.id, new.text);
END;

-- The canonical keys with their Chinese labels (both templates), kept in step
-- with the program's schema on every open. ord is the printed order.
CREATE TABLE fields (
    key       TEXT    PRIMARY KEY,
    ord       INTEGER NOT NULL,
    tbl       INTEGER NOT NULL,
    row       TEXT    NOT NULL,
    col       TEXT    NOT NULL,
    row_label TEXT    NOT NULL,
    col_label TEXT    NOT NULL,
    unit      TEXT    NOT NULL,
    templates TEXT    NOT NULL                -- e.g. '2019,2021'
) WITHOUT ROWID;
