-- SQLite sums comparisons (a comparison is 0 or 1 there): sum(status =
-- 'findings') counts the rows where it holds. The same for PostgreSQL's
-- booleans: sum(boolean) is the number of true ones, NULL for no rows.
CREATE FUNCTION nianbao_sum_bool(acc bigint, v boolean) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE coalesce($1, 0) + CASE WHEN $2 THEN 1 ELSE 0 END END';
CREATE AGGREGATE sum(boolean) (SFUNC = nianbao_sum_bool, STYPE = bigint);
