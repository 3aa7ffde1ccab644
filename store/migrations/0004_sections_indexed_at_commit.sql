-- Sections are indexed in sections_fts by the writer, all those of a
-- transaction in one statement just before it commits, instead of one by one
-- by a trigger. FTS5 writes its pending terms to disk at every savepoint, and
-- the store writes each document under one: the trigger made a tiny index
-- segment per document, and merging them cost three times the indexing.
-- The index stays in step with sections at every commit; deleting and
-- updating sections still go through the triggers sections_ad and sections_au.
DROP TRIGGER sections_ai;
