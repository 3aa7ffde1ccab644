-- The same report in another format (the HTML page and the PDF attachment
-- of one report, say) is not a new version of it. figures is a digest of a
-- report's cells (key, value and blank mark of each), prose one of its
-- sections' text with white space left out. A parsed report whose figures
-- are those of an earlier report of the same organ and year that is no copy
-- itself, and that comes in another format or with the same prose, is a
-- copy: same_as points to that report, and it has no version of its own. A
-- document changed in its figures, or in its prose within one format, is a
-- new version. Reports stored before this migration have no digests until
-- they are read again (nianbao ingest --reparse --all).
ALTER TABLE reports ADD COLUMN figures INTEGER;
ALTER TABLE reports ADD COLUMN prose INTEGER;
ALTER TABLE reports ADD COLUMN same_as INTEGER REFERENCES reports(id) ON DELETE SET NULL;
CREATE INDEX reports_by_same_as ON reports(same_as) WHERE same_as IS NOT NULL;
