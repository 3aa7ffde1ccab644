-- Table 二 (主动公开政府信息情况): one row per (report, row key) of the current
-- reports, like v_table3 and v_table4. The two templates ask different
-- columns of a row (2019: made, published, total for documents; prev,
-- change, decisions for items; 2021: issued, repealed, in_force;
-- decisions; amount), so the view has them all and a row fills its own.
-- Extra rows a province adds (keys t2.x.<label>.<col>) appear with
-- row_label NULL.
CREATE VIEW v_table2 AS
SELECT r.id AS report_id, r.agency, r.year, r.template, f.row, f.row_label,
       max(CASE f.col WHEN 'made'      THEN c.value END) AS made,
       max(CASE f.col WHEN 'published' THEN c.value END) AS published,
       max(CASE f.col WHEN 'total'     THEN c.value END) AS total,
       max(CASE f.col WHEN 'issued'    THEN c.value END) AS issued,
       max(CASE f.col WHEN 'repealed'  THEN c.value END) AS repealed,
       max(CASE f.col WHEN 'in_force'  THEN c.value END) AS in_force,
       max(CASE f.col WHEN 'prev'      THEN c.value END) AS prev,
       max(CASE f.col WHEN 'change'    THEN c.value END) AS change,
       max(CASE f.col WHEN 'decisions' THEN c.value END) AS decisions,
       max(CASE f.col WHEN 'count'     THEN c.value END) AS count,
       max(CASE f.col WHEN 'amount'    THEN c.value END) AS amount,
       min(f.ord) AS row_ord
FROM reports r
JOIN cells c ON c.report_id = r.id AND c.key >= 't2.' AND c.key < 't2/'
JOIN fields f ON f.key = c.key
WHERE r.current
GROUP BY r.id, f.row
UNION ALL
SELECT r.id, r.agency, r.year, r.template, substr(x.prefix, 4, length(x.prefix) - 4), NULL,
       max(CASE x.col WHEN 'made'      THEN x.value END),
       max(CASE x.col WHEN 'published' THEN x.value END),
       max(CASE x.col WHEN 'total'     THEN x.value END),
       max(CASE x.col WHEN 'issued'    THEN x.value END),
       max(CASE x.col WHEN 'repealed'  THEN x.value END),
       max(CASE x.col WHEN 'in_force'  THEN x.value END),
       max(CASE x.col WHEN 'prev'      THEN x.value END),
       max(CASE x.col WHEN 'change'    THEN x.value END),
       max(CASE x.col WHEN 'decisions' THEN x.value END),
       max(CASE x.col WHEN 'count'     THEN x.value END),
       max(CASE x.col WHEN 'amount'    THEN x.value END),
       NULL
FROM reports r
JOIN (SELECT c.report_id, c.value, rtrim(c.key, replace(c.key, '.', '')) AS prefix,
             substr(c.key, length(rtrim(c.key, replace(c.key, '.', ''))) + 1) AS col
      FROM cells c WHERE c.key >= 't2.x.' AND c.key < 't2.x/') x ON x.report_id = r.id
WHERE r.current AND x.col IN ('made', 'published', 'total', 'issued', 'repealed', 'in_force', 'prev', 'change', 'decisions', 'count', 'amount')
GROUP BY r.id, x.prefix;
