-- Organs across years. A report's organ is the name it prints (agency,
-- kept as printed) resolved by package organ: one organ under many names
-- (淮安市洪泽区人民政府 and 洪泽区人民政府), placed in the NBS divisions
-- table bundled with the program (its year in store_meta). Versions and the
-- cross-year rules (5 and 6) go by organ and year.

-- Facts about the store as a whole: divisions_date, the year of the
-- divisions table organs were placed with.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per organ. key is the division code and the organ's own part
-- ("320813/人民政府"), or "?" and the cleaned printed name when nothing
-- placed it (why says what). kind: 人民政府, 人民政府办公室, 部门, 乡镇, 街道,
-- 开发区, 其他; level: 省, 市, 县, 乡 (NULL when unplaced). The region
-- columns name the division's province, city (NULL for a province's own
-- organs and a municipality's districts) and county. parent is the organ
-- the name says this one belongs to (a government's office or department
-- belongs to that government), which may have no report of its own.
CREATE TABLE organs (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    level         TEXT,
    division_code TEXT,
    province_code TEXT,
    province      TEXT,
    city_code     TEXT,
    city          TEXT,
    county_code   TEXT,
    county        TEXT,
    parent_id     INTEGER REFERENCES organs(id) ON DELETE SET NULL,
    placed_how    TEXT NOT NULL,  -- division, abbreviation, site, manual, unplaced, parent
    why           TEXT
);
CREATE INDEX organs_by_division ON organs(division_code);
CREATE INDEX organs_by_parent ON organs(parent_id) WHERE parent_id IS NOT NULL;

-- Every printed name seen (cleaned: Simplified, no spaces, no CMS label)
-- and its organ, with how that was decided. manual holds the decision of a
-- names file (nianbao organs --names FILE: a division code or the name it
-- stands for), which wins over every other way and survives re-ingest and
-- reparse.
CREATE TABLE organ_names (
    name     TEXT PRIMARY KEY,
    organ_id INTEGER NOT NULL REFERENCES organs(id),
    how      TEXT NOT NULL,
    manual   TEXT
) WITHOUT ROWID;
CREATE INDEX organ_names_by_organ ON organ_names(organ_id);

ALTER TABLE reports ADD COLUMN organ_id INTEGER REFERENCES organs(id);
-- The date the report was published (YYYY-MM-DD) and where that was read:
-- page (a 发布日期 line of the page), meta (the page's metadata), pdf (the
-- PDF's metadata), http (Last-Modified), crawl (first fetched).
ALTER TABLE reports ADD COLUMN published TEXT;
ALTER TABLE reports ADD COLUMN published_source TEXT;

-- A cross-year finding (rules 5 and 6) is on the later report and names
-- the earlier one; expected and actual are the two sides of the broken
-- equation (expected the one with the total or the earlier year's figure).
ALTER TABLE findings ADD COLUMN other_report_id INTEGER REFERENCES reports(id) ON DELETE CASCADE;
ALTER TABLE findings ADD COLUMN expected REAL;
ALTER TABLE findings ADD COLUMN actual REAL;
CREATE INDEX findings_by_other_report ON findings(other_report_id) WHERE other_report_id IS NOT NULL;

-- Versions by organ and year (they were by the printed name): the indexes
-- of the writer's version lookups, again on organ_id. Reports stored before
-- this migration have no organ until they are read again (nianbao ingest
-- --reparse); their versions stay as they were numbered until then.
DROP INDEX reports_versions;
DROP INDEX reports_versions_by_format;
DROP INDEX reports_versions_by_prose;
CREATE INDEX reports_versions ON reports(organ_id, year, version) WHERE version IS NOT NULL AND same_as IS NULL;
CREATE INDEX reports_versions_by_format ON reports(organ_id, year, figures, format) WHERE version IS NOT NULL AND same_as IS NULL;
CREATE INDEX reports_versions_by_prose ON reports(organ_id, year, figures, prose) WHERE version IS NOT NULL AND same_as IS NULL;
CREATE INDEX reports_by_organ_year ON reports(organ_id, year);

-- One row per report with the headline figures: the current reports, and
-- the reports that were read but have no organ or year (so no version),
-- with what is missing.
DROP VIEW v_reports;
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.agency, r.year, r.template, r.status, r.version,
       (SELECT count(*) FROM findings x WHERE x.report_id = r.id) AS findings,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total')           AS t3_new_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total')       AS t3_carried_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total')       AS t3_granted_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total')       AS t3_partial_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total') AS t3_outcome_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total') AS t3_carry_forward_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total')            AS t4_review_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total')       AS t4_suit_direct_total,
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total') AS t4_suit_after_review_total,
       d.source, d.sha256, d.format,
       o.id AS organ_id, o.name AS organ, o.kind AS organ_kind, o.level AS organ_level, o.division_code,
       o.province, o.city, o.county, r.published, r.published_source,
       CASE WHEN r.published IS NULL OR r.year IS NULL THEN NULL
            WHEN r.published <= (r.year + 1) || '-01-31' THEN 1 ELSE 0 END AS on_time,
       NULL AS missing
FROM reports r
JOIN documents d ON d.id = r.document_id
LEFT JOIN organs o ON o.id = r.organ_id
WHERE r.current
UNION ALL
SELECT r.id, r.agency, r.year, r.template, r.status, r.version,
       (SELECT count(*) FROM findings x WHERE x.report_id = r.id),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total'),
       (SELECT value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total'),
       d.source, d.sha256, d.format,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.published, r.published_source, NULL,
       CASE WHEN r.agency IS NULL AND r.year IS NULL THEN 'no organ and no year found'
            WHEN r.agency IS NULL THEN 'no organ found' ELSE 'no year found' END
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);
CREATE INDEX reports_unidentified ON reports(id) WHERE status IN ('ok', 'findings') AND (agency IS NULL OR year IS NULL);

-- The panel: one row per organ and year (the current version), the
-- figures researchers compute with. Counts are whole numbers (INTEGER),
-- shares and rates REAL; a figure the report leaves blank is NULL, and a
-- sum of rows counts its blank rows as 0 (NULL when all are blank). The
-- README's data dictionary gives each column's formula.
CREATE VIEW v_panel AS
SELECT organ_id, organ, kind, level, division_code, province, city, county, year, report_id, template,
       published, on_time, applications, carried, granted, partial, denied, unable, rejected, other,
       outcome_total, carry_forward,
       CASE WHEN outcome_total > 0 THEN 1.0 * granted / outcome_total END  AS granted_share,
       CASE WHEN outcome_total > 0 THEN 1.0 * partial / outcome_total END  AS partial_share,
       CASE WHEN outcome_total > 0 THEN 1.0 * denied / outcome_total END   AS denied_share,
       CASE WHEN outcome_total > 0 THEN 1.0 * unable / outcome_total END   AS unable_share,
       CASE WHEN outcome_total > 0 THEN 1.0 * rejected / outcome_total END AS rejected_share,
       CASE WHEN outcome_total > 0 THEN 1.0 * other / outcome_total END    AS other_share,
       reviews, reviews_corrected,
       CASE WHEN reviews > 0 THEN 1.0 * reviews_corrected / reviews END AS review_correction_rate,
       suits, suits_corrected,
       CASE WHEN suits > 0 THEN 1.0 * suits_corrected / suits END AS suit_correction_rate,
       findings, cross_year_findings
FROM (
    SELECT o.id AS organ_id, o.name AS organ, o.kind, o.level, o.division_code, o.province, o.city, o.county,
           r.year, r.id AS report_id, r.template, r.published,
           CASE WHEN r.published IS NULL THEN NULL
                WHEN r.published <= (r.year + 1) || '-01-31' THEN 1 ELSE 0 END AS on_time,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total') AS INTEGER) AS applications,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total') AS INTEGER) AS carried,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total') AS INTEGER) AS granted,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total') AS INTEGER) AS partial,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.denied.secret.total', 't3.denied.law.total', 't3.denied.safety.total', 't3.denied.third_party.total', 't3.denied.internal.total', 't3.denied.process.total', 't3.denied.enforcement.total', 't3.denied.query.total'))
                AS INTEGER) AS denied,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.unable.not_held.total', 't3.unable.need_create.total', 't3.unable.unclear.total')) AS INTEGER) AS unable,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.rejected.petition.total', 't3.rejected.duplicate.total', 't3.rejected.publication.total', 't3.rejected.excessive.total', 't3.rejected.confirm.total'))
                AS INTEGER) AS rejected,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.other.total', 't3.other.no_correction.total', 't3.other.no_fee.total', 't3.other.other.total'))
                AS INTEGER) AS other,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total') AS INTEGER) AS outcome_total,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total') AS INTEGER) AS carry_forward,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total') AS INTEGER) AS reviews,
           CAST((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.corrected') AS INTEGER) AS reviews_corrected,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t4.suit_direct.total', 't4.suit_after_review.total')) AS INTEGER) AS suits,
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t4.suit_direct.corrected', 't4.suit_after_review.corrected')) AS INTEGER) AS suits_corrected,
           (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.other_report_id IS NULL) AS findings,
           (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.other_report_id IS NOT NULL) AS cross_year_findings
    FROM reports r
    JOIN organs o ON o.id = r.organ_id
    WHERE r.current
);
