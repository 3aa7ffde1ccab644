package nianbao

// ParserVersion identifies the extract/parse/normalize code that produced a
// report. Bump it when a change can alter the cells of a stored report, so
// that `ingest --reparse` knows what is stale.
const ParserVersion = "0.1.0"
