-- v_table3 and v_table4 again, faster: a canonical cell's row and column
-- come from fields (a join on the key) rather than from string operations on
-- every key, and a province's extra rows (keys t3.x.<label>.<col>) are added
-- from the extra cells alone. An extra column of a standard row
-- (t3.<row>.x.<label>) no longer makes a row of its own.

DROP VIEW v_table3;
CREATE VIEW v_table3 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       max(CASE f.col WHEN 'natural'    THEN c.value END) AS natural,
       max(CASE f.col WHEN 'commercial' THEN c.value END) AS commercial,
       max(CASE f.col WHEN 'research'   THEN c.value END) AS research,
       max(CASE f.col WHEN 'social'     THEN c.value END) AS social,
       max(CASE f.col WHEN 'legal'      THEN c.value END) AS legal,
       max(CASE f.col WHEN 'other_org'  THEN c.value END) AS other_org,
       max(CASE f.col WHEN 'total'      THEN c.value END) AS total,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't3.' AND c.key < 't3/'
JOIN fields f ON f.key = c.key
WHERE r.current
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       max(CASE x.col WHEN 'natural'    THEN x.value END),
       max(CASE x.col WHEN 'commercial' THEN x.value END),
       max(CASE x.col WHEN 'research'   THEN x.value END),
       max(CASE x.col WHEN 'social'     THEN x.value END),
       max(CASE x.col WHEN 'legal'      THEN x.value END),
       max(CASE x.col WHEN 'other_org'  THEN x.value END),
       max(CASE x.col WHEN 'total'      THEN x.value END),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't3.x.' AND c.key < 't3.x/') x ON x.report_id = r.id
WHERE r.current AND x.col IN ('natural', 'commercial', 'research', 'social', 'legal', 'other_org', 'total')
GROUP BY r.id, x.prefix;

DROP VIEW v_table4;
CREATE VIEW v_table4 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       max(CASE f.col WHEN 'upheld'    THEN c.value END) AS upheld,
       max(CASE f.col WHEN 'corrected' THEN c.value END) AS corrected,
       max(CASE f.col WHEN 'other'     THEN c.value END) AS other,
       max(CASE f.col WHEN 'pending'   THEN c.value END) AS pending,
       max(CASE f.col WHEN 'total'     THEN c.value END) AS total,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't4.' AND c.key < 't4/'
JOIN fields f ON f.key = c.key
WHERE r.current
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       max(CASE x.col WHEN 'upheld'    THEN x.value END),
       max(CASE x.col WHEN 'corrected' THEN x.value END),
       max(CASE x.col WHEN 'other'     THEN x.value END),
       max(CASE x.col WHEN 'pending'   THEN x.value END),
       max(CASE x.col WHEN 'total'     THEN x.value END),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't4.x.' AND c.key < 't4.x/') x ON x.report_id = r.id
WHERE r.current AND x.col IN ('upheld', 'corrected', 'other', 'pending', 'total')
GROUP BY r.id, x.prefix;
