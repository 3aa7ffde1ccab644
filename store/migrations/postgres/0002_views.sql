-- The analysts' views on PostgreSQL: the same names, columns and rows as
-- the SQLite store's (their latest definitions, store/migrations/0008 and
-- 0009). A count is NUMERIC here where SQLite makes a whole REAL an
-- INTEGER (CAST(CAST(x AS TEXT) AS NUMERIC)): the store gives it to Go as
-- an int64 when it is whole, as SQLite does; CAST(x AS INTEGER) is
-- trunc(x)::bigint (SQLite truncates), shares are double precision. A
-- figure in v_cells is NUMERIC whatever its key (an amount too: a CASE of
-- float and NUMERIC would be float), read back with 15 significant digits.

CREATE VIEW v_cells AS
SELECT r.id AS report_id, r.agency, r.year, r.template,
       c.key, f.row_label, f.col_label, c.label,
       CAST(c.value AS numeric) AS value,
       c.raw, c.blank, c.unit, c.uncertain, c.extra,
       c.tbl, c.row, c.col, c.page, c.x0, c.y0, c.x1, c.y1, c.engine, c.derived
FROM reports r
JOIN cells c ON c.report_id = r.id
LEFT JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

CREATE VIEW v_reports AS
SELECT r.id AS report_id, r.agency, r.year, r.template, r.status, r.version,
       (SELECT count(*) FROM findings x WHERE x.report_id = r.id) AS findings,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total')           AS t3_new_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total')       AS t3_carried_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total')       AS t3_granted_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total')       AS t3_partial_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total') AS t3_outcome_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total') AS t3_carry_forward_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total')            AS t4_review_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total')       AS t4_suit_direct_total,
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total') AS t4_suit_after_review_total,
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
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_direct.total'),
       (SELECT CAST(value AS numeric) FROM cells c WHERE c.report_id = r.id AND c.key = 't4.suit_after_review.total'),
       d.source, d.sha256, d.format,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.published, r.published_source, NULL,
       CASE WHEN r.agency IS NULL AND r.year IS NULL THEN 'no organ and no year found'
            WHEN r.agency IS NULL THEN 'no organ found' ELSE 'no year found' END,
       r.title, r.parser
FROM reports r
JOIN documents d ON d.id = r.document_id
WHERE r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

CREATE VIEW v_table2 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, min(f.row_label) AS row_label,
       CAST(max(CASE f.col WHEN 'made'      THEN c.value END) AS numeric) AS made,
       CAST(max(CASE f.col WHEN 'published' THEN c.value END) AS numeric) AS published,
       CAST(max(CASE f.col WHEN 'total'     THEN c.value END) AS numeric) AS total,
       CAST(max(CASE f.col WHEN 'issued'    THEN c.value END) AS numeric) AS issued,
       CAST(max(CASE f.col WHEN 'repealed'  THEN c.value END) AS numeric) AS repealed,
       CAST(max(CASE f.col WHEN 'in_force'  THEN c.value END) AS numeric) AS in_force,
       CAST(max(CASE f.col WHEN 'prev'      THEN c.value END) AS numeric) AS prev,
       CAST(max(CASE f.col WHEN 'change'    THEN c.value END) AS numeric) AS change,
       CAST(max(CASE f.col WHEN 'decisions' THEN c.value END) AS numeric) AS decisions,
       CAST(max(CASE f.col WHEN 'count'     THEN c.value END) AS numeric) AS count,
       max(CASE f.col WHEN 'amount' THEN c.value END) AS amount,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't2.' AND c.key < 't2/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(max(CASE x.col WHEN 'made'      THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'published' THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'total'     THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'issued'    THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'repealed'  THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'in_force'  THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'prev'      THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'change'    THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'decisions' THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'count'     THEN x.value END) AS numeric),
       max(CASE x.col WHEN 'amount' THEN x.value END),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't2.x.' AND c.key < 't2.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('made', 'published', 'total', 'issued', 'repealed', 'in_force', 'prev', 'change', 'decisions', 'count', 'amount')
GROUP BY r.id, x.prefix;

CREATE VIEW v_table3 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, min(f.row_label) AS row_label,
       CAST(max(CASE f.col WHEN 'natural'    THEN c.value END) AS numeric) AS natural,
       CAST(max(CASE f.col WHEN 'commercial' THEN c.value END) AS numeric) AS commercial,
       CAST(max(CASE f.col WHEN 'research'   THEN c.value END) AS numeric) AS research,
       CAST(max(CASE f.col WHEN 'social'     THEN c.value END) AS numeric) AS social,
       CAST(max(CASE f.col WHEN 'legal'      THEN c.value END) AS numeric) AS legal,
       CAST(max(CASE f.col WHEN 'other_org'  THEN c.value END) AS numeric) AS other_org,
       CAST(max(CASE f.col WHEN 'total'      THEN c.value END) AS numeric) AS total,
       min(f.ord) AS row_ord,
       max(c.derived) AS derived
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't3.' AND c.key < 't3/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(max(CASE x.col WHEN 'natural'    THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'commercial' THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'research'   THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'social'     THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'legal'      THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'other_org'  THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'total'      THEN x.value END) AS numeric),
       NULL, 0
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't3.x.' AND c.key < 't3.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('natural', 'commercial', 'research', 'social', 'legal', 'other_org', 'total')
GROUP BY r.id, x.prefix;

CREATE VIEW v_table4 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, min(f.row_label) AS row_label,
       CAST(max(CASE f.col WHEN 'upheld'    THEN c.value END) AS numeric) AS upheld,
       CAST(max(CASE f.col WHEN 'corrected' THEN c.value END) AS numeric) AS corrected,
       CAST(max(CASE f.col WHEN 'other'     THEN c.value END) AS numeric) AS other,
       CAST(max(CASE f.col WHEN 'pending'   THEN c.value END) AS numeric) AS pending,
       CAST(max(CASE f.col WHEN 'total'     THEN c.value END) AS numeric) AS total,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't4.' AND c.key < 't4/'
JOIN fields f ON f.key = c.key
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL)
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       CAST(max(CASE x.col WHEN 'upheld'    THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'corrected' THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'other'     THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'pending'   THEN x.value END) AS numeric),
       CAST(max(CASE x.col WHEN 'total'     THEN x.value END) AS numeric),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't4.x.' AND c.key < 't4.x/') x ON x.report_id = r.id
WHERE (r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL))
  AND x.col IN ('upheld', 'corrected', 'other', 'pending', 'total')
GROUP BY r.id, x.prefix;

CREATE VIEW v_findings AS
SELECT f.id AS finding_id, f.report_id, r.agency, r.year, f.rule, f.cells, f.detail,
       CAST(f.expected AS numeric) AS expected,
       CAST(f.actual AS numeric) AS actual,
       CAST(f.difference AS numeric) AS difference,
       f.other_report_id
FROM findings f
JOIN reports r ON r.id = f.report_id
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

CREATE VIEW v_sections AS
SELECT s.report_id, r.agency, r.year, s.section, s.text
FROM sections s
JOIN reports r ON r.id = s.report_id
WHERE r.current OR r.status IN ('ok', 'findings') AND (r.agency IS NULL OR r.year IS NULL);

CREATE VIEW v_panel AS
SELECT organ_id, organ, kind, level, division_code, province, city, county, year, report_id, template,
       published, on_time, applications, carried, granted, partial, denied, unable, rejected, other,
       outcome_total, carry_forward,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * granted / outcome_total END  AS granted_share,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * partial / outcome_total END  AS partial_share,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * denied / outcome_total END   AS denied_share,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * unable / outcome_total END   AS unable_share,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * rejected / outcome_total END AS rejected_share,
       CASE WHEN outcome_total > 0 THEN 1.0::float8 * other / outcome_total END    AS other_share,
       reviews, reviews_corrected,
       CASE WHEN reviews > 0 THEN 1.0::float8 * reviews_corrected / reviews END AS review_correction_rate,
       suits, suits_corrected,
       CASE WHEN suits > 0 THEN 1.0::float8 * suits_corrected / suits END AS suit_correction_rate,
       findings, cross_year_findings
FROM (
    SELECT o.id AS organ_id, o.name AS organ, o.kind, o.level, o.division_code, o.province, o.city, o.county,
           r.year, r.id AS report_id, r.template, r.published,
           CASE WHEN r.published IS NULL THEN NULL
                WHEN r.published <= (r.year + 1) || '-01-31' THEN 1 ELSE 0 END AS on_time,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.new.total')) AS bigint) AS applications,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carried.total')) AS bigint) AS carried,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.granted.total')) AS bigint) AS granted,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.partial.total')) AS bigint) AS partial,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.denied.secret.total', 't3.denied.law.total', 't3.denied.safety.total', 't3.denied.third_party.total', 't3.denied.internal.total', 't3.denied.process.total', 't3.denied.enforcement.total', 't3.denied.query.total'))) AS bigint) AS denied,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.unable.not_held.total', 't3.unable.need_create.total', 't3.unable.unclear.total'))) AS bigint) AS unable,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.rejected.petition.total', 't3.rejected.duplicate.total', 't3.rejected.publication.total', 't3.rejected.excessive.total', 't3.rejected.confirm.total'))) AS bigint) AS rejected,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t3.other.total', 't3.other.no_correction.total', 't3.other.no_fee.total', 't3.other.other.total') AND c.derived = 0)) AS bigint) AS other,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.outcome_total.total')) AS bigint) AS outcome_total,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't3.carry_forward.total')) AS bigint) AS carry_forward,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.total')) AS bigint) AS reviews,
           CAST(trunc((SELECT c.value FROM cells c WHERE c.report_id = r.id AND c.key = 't4.review.corrected')) AS bigint) AS reviews_corrected,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t4.suit_direct.total', 't4.suit_after_review.total'))) AS bigint) AS suits,
           CAST(trunc((SELECT sum(c.value) FROM cells c WHERE c.report_id = r.id AND c.key IN ('t4.suit_direct.corrected', 't4.suit_after_review.corrected'))) AS bigint) AS suits_corrected,
           (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.other_report_id IS NULL) AS findings,
           (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.other_report_id IS NOT NULL) AS cross_year_findings
    FROM reports r
    JOIN organs o ON o.id = r.organ_id
    WHERE r.current
) AS panel;
