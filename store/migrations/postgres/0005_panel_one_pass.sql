-- v_panel again, the same columns and rows, each report's figures read in
-- one pass over its cells (an aggregate with FILTER, LATERAL) instead of a
-- subquery per column: PostgreSQL runs each of those as a plan of its own,
-- and the panel of 5,000 reports took four times SQLite's time.
DROP VIEW v_panel;
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
           CAST(trunc(x.applications) AS bigint) AS applications,
           CAST(trunc(x.carried) AS bigint) AS carried,
           CAST(trunc(x.granted) AS bigint) AS granted,
           CAST(trunc(x.partial) AS bigint) AS partial,
           CAST(trunc(x.denied) AS bigint) AS denied,
           CAST(trunc(x.unable) AS bigint) AS unable,
           CAST(trunc(x.rejected) AS bigint) AS rejected,
           CAST(trunc(x.other) AS bigint) AS other,
           CAST(trunc(x.outcome_total) AS bigint) AS outcome_total,
           CAST(trunc(x.carry_forward) AS bigint) AS carry_forward,
           CAST(trunc(x.reviews) AS bigint) AS reviews,
           CAST(trunc(x.reviews_corrected) AS bigint) AS reviews_corrected,
           CAST(trunc(x.suits) AS bigint) AS suits,
           CAST(trunc(x.suits_corrected) AS bigint) AS suits_corrected,
           f.findings, f.cross_year_findings
    FROM reports r
    JOIN organs o ON o.id = r.organ_id
    CROSS JOIN LATERAL (
        SELECT max(c.value) FILTER (WHERE c.key = 't3.new.total') AS applications,
               max(c.value) FILTER (WHERE c.key = 't3.carried.total') AS carried,
               max(c.value) FILTER (WHERE c.key = 't3.granted.total') AS granted,
               max(c.value) FILTER (WHERE c.key = 't3.partial.total') AS partial,
               sum(c.value) FILTER (WHERE c.key IN ('t3.denied.secret.total', 't3.denied.law.total', 't3.denied.safety.total', 't3.denied.third_party.total', 't3.denied.internal.total', 't3.denied.process.total', 't3.denied.enforcement.total', 't3.denied.query.total')) AS denied,
               sum(c.value) FILTER (WHERE c.key IN ('t3.unable.not_held.total', 't3.unable.need_create.total', 't3.unable.unclear.total')) AS unable,
               sum(c.value) FILTER (WHERE c.key IN ('t3.rejected.petition.total', 't3.rejected.duplicate.total', 't3.rejected.publication.total', 't3.rejected.excessive.total', 't3.rejected.confirm.total')) AS rejected,
               sum(c.value) FILTER (WHERE c.key IN ('t3.other.total', 't3.other.no_correction.total', 't3.other.no_fee.total', 't3.other.other.total') AND c.derived = 0) AS other,
               max(c.value) FILTER (WHERE c.key = 't3.outcome_total.total') AS outcome_total,
               max(c.value) FILTER (WHERE c.key = 't3.carry_forward.total') AS carry_forward,
               max(c.value) FILTER (WHERE c.key = 't4.review.total') AS reviews,
               max(c.value) FILTER (WHERE c.key = 't4.review.corrected') AS reviews_corrected,
               sum(c.value) FILTER (WHERE c.key IN ('t4.suit_direct.total', 't4.suit_after_review.total')) AS suits,
               sum(c.value) FILTER (WHERE c.key IN ('t4.suit_direct.corrected', 't4.suit_after_review.corrected')) AS suits_corrected
        FROM cells c
        WHERE c.report_id = r.id AND c.key IN ('t3.new.total', 't3.carried.total', 't3.granted.total', 't3.partial.total',
            't3.denied.secret.total', 't3.denied.law.total', 't3.denied.safety.total', 't3.denied.third_party.total', 't3.denied.internal.total',
            't3.denied.process.total', 't3.denied.enforcement.total', 't3.denied.query.total',
            't3.unable.not_held.total', 't3.unable.need_create.total', 't3.unable.unclear.total',
            't3.rejected.petition.total', 't3.rejected.duplicate.total', 't3.rejected.publication.total', 't3.rejected.excessive.total', 't3.rejected.confirm.total',
            't3.other.total', 't3.other.no_correction.total', 't3.other.no_fee.total', 't3.other.other.total',
            't3.outcome_total.total', 't3.carry_forward.total', 't4.review.total', 't4.review.corrected',
            't4.suit_direct.total', 't4.suit_after_review.total', 't4.suit_direct.corrected', 't4.suit_after_review.corrected')
    ) x
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE fi.other_report_id IS NULL) AS findings,
               count(*) FILTER (WHERE fi.other_report_id IS NOT NULL) AS cross_year_findings
        FROM findings fi WHERE fi.report_id = r.id
    ) f
    WHERE r.current
) AS panel;
