-- The data contract analysts' tools rely on (issue 14): the full-text index
-- declared so that sqlite-utils and Datasette find it, counts as INTEGER in
-- every view, （六）其他处理 as one row in both templates, findings with their
-- numbers, and every view showing the same reports: the current ones and
-- those read without an organ or a year (see v_reports).
--
-- A figure's column is named after its key with the dots as underscores
-- (t3.new.total is t3_new_total), but t3.outcome_total.total, whose row and
-- column both say total, is t3_outcome_total: fields.column_name holds the
-- name of each key, in the views and in the exports alike.

-- sqlite-utils and Datasette find a table's full-text index by
-- content="table" (double quotes, or [table]) in the CREATE VIRTUAL TABLE;
-- 0001 wrote content='sections'. The same index again, filled from
-- sections; the triggers of 0001 and the writer keep it in step as before.
DROP TABLE sections_fts;
CREATE VIRTUAL TABLE sections_fts USING fts5(text, content="sections", content_rowid="id", tokenize="trigram");
INSERT INTO sections_fts(sections_fts) VALUES ('rebuild');

-- A figure nianbao computed rather than read: t3.other.<col> of a report
-- that prints （六）其他处理 as its three sub-rows (template 2021) is their
-- sum, so that the row is there in both templates. A derived cell never
-- stands for a printed one: it is made only where the report prints none.
ALTER TABLE cells ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;

-- The derived （六） cells of the reports stored so far (the writer makes
-- them from now on): the sum of the sub-rows' printed figures, blank when
-- none is printed, uncertain when a term is.
INSERT INTO cells(report_id, key, value, blank, uncertain, derived)
SELECT c.report_id, 't3.other.' || f.col, sum(c.value),
       CASE WHEN count(c.value) = 0 THEN 'blank' END,
       CASE WHEN max(c.uncertain) IS NOT NULL THEN 'the sum of the three （六） sub-rows, one of them uncertain' END,
       1
FROM cells c
JOIN fields f ON f.key = c.key AND f.row IN ('other.no_correction', 'other.no_fee', 'other.other')
WHERE NOT EXISTS (SELECT 1 FROM cells o WHERE o.report_id = c.report_id AND o.key = 't3.other.' || f.col)
GROUP BY c.report_id, f.col;

-- A finding's two sides differ by actual − expected (0008 added the sides).
ALTER TABLE findings ADD COLUMN difference REAL GENERATED ALWAYS AS (actual - expected) VIRTUAL;

-- The column name of each key, see above (store.ColumnName in the program).
ALTER TABLE fields ADD COLUMN column_name TEXT GENERATED ALWAYS AS
    (CASE key WHEN 't3.outcome_total.total' THEN 't3_outcome_total' ELSE replace(key, '.', '_') END) VIRTUAL;

-- Every view below shows the same reports: the current ones (the newest
-- version of each organ and year that parsed) and the parsed reports with
-- no organ or no year, which have no version (v_reports says what is
-- missing). CAST(CAST(x AS TEXT) AS NUMERIC) turns a whole number into an
-- INTEGER and leaves any other as it is: counts read as integers (pandas
-- int64, not float64), and a count misprinted with a fraction is not cut.
-- Amounts (t2.*.amount, 万元) stay REAL.

DROP VIEW v_reports;
CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.agency, r.year, r.template, r.status, r.version,
       (SELECT count(*) FROM findings x WHERE x.report_id = r.id) AS findings,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total')           AS t3_new_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total')       AS t3_carried_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total')       AS t3_granted_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total')       AS t3_partial_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total') AS t3_outcome_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total') AS t3_carry_forward_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total')            AS t4_review_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total')       AS t4_suit_direct_total,
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total') AS t4_suit_after_review_total,
       d.source, d.sha256, d.format,
       o.id AS organ_id, o.name AS organ, o.kind AS organ_kind, o.level AS organ_level, o.division_code,
       o.province, o.city, o.county, r.published, r.published_source,
       CASE WHEN r.published IS NULL OR r.year IS NULL THEN NULL
            WHEN r.published <= (r.year + 1) || '-01-31' THEN 1 ELSE 0 END AS on_time,
       NULL AS missing,
       r.title, r.parser
FROM reports r
JOIN documents d ON d.id = r.document_id
LEFT JOIN organs o ON o.id = r.organ_id
WHERE r.current
UNION ALL
SELECT r.id, r.agency, r.year, r.template, r.status, r.version,
       (SELECT count(*) FROM findings x WHERE x.report_id = r.id),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total'),
       (SELECT CAST(CAST(value AS TEXT) AS NUMERIC) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total'),
       d.source, d.sha256, d.format,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.published, r.published_source, NULL,
       CASE WHEN r.agency IS NULL AND r.year IS NULL THEN 'no organ and no year found'
            WHEN r.agency IS NULL THEN 'no organ found' ELSE 'no year found' END,
       r.title, r.parser
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

-- Every figure, with its organ, year and labels; value an INTEGER for a
-- count, REAL for an amount; derived marks a figure nianbao computed.
DROP VIEW v_cells;
CREATE VIEW v_cells AS
SELECT r.id AS report_id, r.agency, r.year, r.template,
       c.key, f.row_label, f.col_label, c.label,
       CASE WHEN c.key LIKE '%.amount' THEN c.value ELSE CAST(CAST(c.value AS TEXT) AS NUMERIC) END AS value,
       c.raw, c.blank, c.unit, c.uncertain, c.extra,
       c.tbl, c.row, c.col, c.page, c.x0, c.y0, c.x1, c.y1, c.engine, c.derived
FROM reports r
CROSS JOIN cells c ON c.report_id = r.id
LEFT JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

-- Table 二: amount stays REAL, every other column a count.
DROP VIEW v_table2;
CREATE VIEW v_table2 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       CAST(CAST(max(CASE f.col WHEN 'made'      THEN c.value END) AS TEXT) AS NUMERIC) AS made,
       CAST(CAST(max(CASE f.col WHEN 'published' THEN c.value END) AS TEXT) AS NUMERIC) AS published,
       CAST(CAST(max(CASE f.col WHEN 'total'     THEN c.value END) AS TEXT) AS NUMERIC) AS total,
       CAST(CAST(max(CASE f.col WHEN 'issued'    THEN c.value END) AS TEXT) AS NUMERIC) AS issued,
       CAST(CAST(max(CASE f.col WHEN 'repealed'  THEN c.value END) AS TEXT) AS NUMERIC) AS repealed,
       CAST(CAST(max(CASE f.col WHEN 'in_force'  THEN c.value END) AS TEXT) AS NUMERIC) AS in_force,
       CAST(CAST(max(CASE f.col WHEN 'prev'      THEN c.value END) AS TEXT) AS NUMERIC) AS prev,
       CAST(CAST(max(CASE f.col WHEN 'change'    THEN c.value END) AS TEXT) AS NUMERIC) AS change,
       CAST(CAST(max(CASE f.col WHEN 'decisions' THEN c.value END) AS TEXT) AS NUMERIC) AS decisions,
       CAST(CAST(max(CASE f.col WHEN 'count'     THEN c.value END) AS TEXT) AS NUMERIC) AS count,
       max(CASE f.col WHEN 'amount' THEN c.value END) AS amount,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't2.' AND c.key < 't2/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(CAST(max(CASE x.col WHEN 'made'      THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'published' THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'total'     THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'issued'    THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'repealed'  THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'in_force'  THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'prev'      THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'change'    THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'decisions' THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'count'     THEN x.value END) AS TEXT) AS NUMERIC),
       max(CASE x.col WHEN 'amount' THEN x.value END),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't2.x.' AND c.key < 't2.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('made', 'published', 'total', 'issued', 'repealed', 'in_force', 'prev', 'change', 'decisions', 'count', 'amount')
GROUP BY r.id, x.prefix;

-- Table 三: every column a count; derived = 1 on the （六） row a report
-- printing its three sub-rows has from their sums.
DROP VIEW v_table3;
CREATE VIEW v_table3 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       CAST(CAST(max(CASE f.col WHEN 'natural'    THEN c.value END) AS TEXT) AS NUMERIC) AS natural,
       CAST(CAST(max(CASE f.col WHEN 'commercial' THEN c.value END) AS TEXT) AS NUMERIC) AS commercial,
       CAST(CAST(max(CASE f.col WHEN 'research'   THEN c.value END) AS TEXT) AS NUMERIC) AS research,
       CAST(CAST(max(CASE f.col WHEN 'social'     THEN c.value END) AS TEXT) AS NUMERIC) AS social,
       CAST(CAST(max(CASE f.col WHEN 'legal'      THEN c.value END) AS TEXT) AS NUMERIC) AS legal,
       CAST(CAST(max(CASE f.col WHEN 'other_org'  THEN c.value END) AS TEXT) AS NUMERIC) AS other_org,
       CAST(CAST(max(CASE f.col WHEN 'total'      THEN c.value END) AS TEXT) AS NUMERIC) AS total,
       min(f.ord) AS row_ord,
       max(c.derived) AS derived
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't3.' AND c.key < 't3/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(CAST(max(CASE x.col WHEN 'natural'    THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'commercial' THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'research'   THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'social'     THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'legal'      THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'other_org'  THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'total'      THEN x.value END) AS TEXT) AS NUMERIC),
       NULL, 0
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't3.x.' AND c.key < 't3.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('natural', 'commercial', 'research', 'social', 'legal', 'other_org', 'total')
GROUP BY r.id, x.prefix;

-- Table 四: every column a count.
DROP VIEW v_table4;
CREATE VIEW v_table4 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       CAST(CAST(max(CASE f.col WHEN 'upheld'    THEN c.value END) AS TEXT) AS NUMERIC) AS upheld,
       CAST(CAST(max(CASE f.col WHEN 'corrected' THEN c.value END) AS TEXT) AS NUMERIC) AS corrected,
       CAST(CAST(max(CASE f.col WHEN 'other'     THEN c.value END) AS TEXT) AS NUMERIC) AS other,
       CAST(CAST(max(CASE f.col WHEN 'pending'   THEN c.value END) AS TEXT) AS NUMERIC) AS pending,
       CAST(CAST(max(CASE f.col WHEN 'total'     THEN c.value END) AS TEXT) AS NUMERIC) AS total,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't4.' AND c.key < 't4/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(CAST(max(CASE x.col WHEN 'upheld'    THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'corrected' THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'other'     THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'pending'   THEN x.value END) AS TEXT) AS NUMERIC),
       CAST(CAST(max(CASE x.col WHEN 'total'     THEN x.value END) AS TEXT) AS NUMERIC),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't4.x.' AND c.key < 't4.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('upheld', 'corrected', 'other', 'pending', 'total')
GROUP BY r.id, x.prefix;

-- The findings of the same reports, with their numbers: expected and
-- actual are the two sides of a broken equation (blank cells counting 0),
-- difference = actual − expected; all three NULL for a finding that is no
-- equation (missing_table, uncertain …) or one stored before they were
-- (nianbao ingest --reparse fills them). other_report_id: the earlier
-- year's report a cross-year finding (rules 5, 6) compares with.
CREATE VIEW v_findings AS
SELECT f.id AS finding_id, f.report_id, r.agency, r.year, f.rule, f.cells, f.detail,
       CAST(CAST(f.expected AS TEXT) AS NUMERIC) AS expected,
       CAST(CAST(f.actual AS TEXT) AS NUMERIC) AS actual,
       CAST(CAST(f.difference AS TEXT) AS NUMERIC) AS difference,
       f.other_report_id
FROM findings f
JOIN reports r ON r.id = f.report_id
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

-- The prose sections 一, 五, 六 of the same reports.
CREATE VIEW v_sections AS
SELECT s.report_id, r.agency, r.year, s.section, s.text
FROM sections s
JOIN reports r ON r.id = s.report_id
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

-- v_panel of 0008 again, its （六） total from the printed cells only: the
-- derived t3.other.total is the sum of the sub-rows it also adds.
DROP VIEW v_panel;
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
           CAST((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.other.total', 't3.other.no_correction.total', 't3.other.no_fee.total', 't3.other.other.total') AND NOT c.derived)
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
