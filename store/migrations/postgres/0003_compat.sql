-- SQLite's functions the store's queries (and analysts' habits) use, so
-- that one statement reads the same on both: instr(haystack, needle) and
-- group_concat(value[, separator]).
CREATE FUNCTION instr(text, text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos($1, $2)';

CREATE FUNCTION nianbao_concat(acc text, v anyelement, sep text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    'SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2::text ELSE $1 || $3 || $2::text END';
CREATE FUNCTION nianbao_concat(acc text, v anyelement) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    'SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2::text ELSE $1 || '','' || $2::text END';
CREATE AGGREGATE group_concat(anyelement, text) (SFUNC = nianbao_concat, STYPE = text);
CREATE AGGREGATE group_concat(anyelement) (SFUNC = nianbao_concat, STYPE = text);

-- The role read-only queries run as (nianbao query, nianbao serve's SQL
-- page, every store opened read-only): SELECT on the store's tables and
-- views, nothing else. Made where the server lets this user create roles;
-- elsewhere the read-only transaction alone keeps those queries from
-- writing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nianbao_reader') THEN
        BEGIN
            CREATE ROLE nianbao_reader NOLOGIN;
        EXCEPTION WHEN insufficient_privilege OR duplicate_object THEN
            RETURN;
        END;
    END IF;
    BEGIN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO nianbao_reader', current_schema());
        EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO nianbao_reader', current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO nianbao_reader', current_schema());
        EXECUTE format('GRANT nianbao_reader TO %I', current_user);
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
        NULL;
    END;
END $$;
