-- Views for analysts. They show current reports only: the newest version of
-- each (agency, year) that parsed. The history is in reports (version,
-- superseded_by).

-- Every figure of the current reports with its organ, year and labels.
CREATE VIEW v_cells AS
SELECT r.id AS report_id, r.agency, r.year, r.template,
       c.key, f.row_label, f.col_label, c.label, c.value, c.raw, c.blank, c.unit, c.uncertain, c.extra,
       c.tbl, c.row, c.col, c.page, c.x0, c.y0, c.x1, c.y1, c.engine
FROM reports r
JOIN cells c ON c.report_id = r.id
LEFT JOIN fields f ON f.key = c.key
WHERE r.current;

-- One row per report with the headline figures.
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
       d.source, d.sha256, d.format
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE r.current;

-- Table 三: one row per (report, row key) with the seven applicant columns.
-- The row key is the middle of the cell key (t3.<row>.<col>); extra rows a
-- province adds appear too, with row_label NULL.
CREATE VIEW v_table3 AS
WITH t AS (
    SELECT c.report_id, rtrim(c.key, replace(c.key, '.', '')) AS prefix, c.key, c.value
    FROM cells c
    WHERE c.key >= 't3.' AND c.key < 't3/'
)
SELECT r.id AS report_id, r.agency, r.year, r.template,
       substr(t.prefix, 4, length(t.prefix) - 4) AS row,
       (SELECT f.row_label FROM fields f WHERE f.key = t.prefix || 'natural') AS row_label,
       max(CASE WHEN t.key = t.prefix || 'natural'    THEN t.value END) AS natural,
       max(CASE WHEN t.key = t.prefix || 'commercial' THEN t.value END) AS commercial,
       max(CASE WHEN t.key = t.prefix || 'research'   THEN t.value END) AS research,
       max(CASE WHEN t.key = t.prefix || 'social'     THEN t.value END) AS social,
       max(CASE WHEN t.key = t.prefix || 'legal'      THEN t.value END) AS legal,
       max(CASE WHEN t.key = t.prefix || 'other_org'  THEN t.value END) AS other_org,
       max(CASE WHEN t.key = t.prefix || 'total'      THEN t.value END) AS total,
       (SELECT f.ord FROM fields f WHERE f.key = t.prefix || 'natural') AS row_ord
FROM reports r
JOIN t ON t.report_id = r.id
WHERE r.current
GROUP BY r.id, t.prefix;

-- Table 四: one row per (report, row key) with the five result columns.
CREATE VIEW v_table4 AS
WITH t AS (
    SELECT c.report_id, rtrim(c.key, replace(c.key, '.', '')) AS prefix, c.key, c.value
    FROM cells c
    WHERE c.key >= 't4.' AND c.key < 't4/'
)
SELECT r.id AS report_id, r.agency, r.year, r.template,
       substr(t.prefix, 4, length(t.prefix) - 4) AS row,
       (SELECT f.row_label FROM fields f WHERE f.key = t.prefix || 'upheld') AS row_label,
       max(CASE WHEN t.key = t.prefix || 'upheld'    THEN t.value END) AS upheld,
       max(CASE WHEN t.key = t.prefix || 'corrected' THEN t.value END) AS corrected,
       max(CASE WHEN t.key = t.prefix || 'other'     THEN t.value END) AS other,
       max(CASE WHEN t.key = t.prefix || 'pending'   THEN t.value END) AS pending,
       max(CASE WHEN t.key = t.prefix || 'total'     THEN t.value END) AS total,
       (SELECT f.ord FROM fields f WHERE f.key = t.prefix || 'upheld') AS row_ord
FROM reports r
JOIN t ON t.report_id = r.id
WHERE r.current
GROUP BY r.id, t.prefix;
