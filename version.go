package nianbao

// ParserVersion identifies the extract/parse/normalize code that produced a
// report; it is stored with each report. It changes whenever what is read
// from a document can change, so that `nianbao ingest --reparse` re-reads
// exactly the reports an older parser made: TestParserVersion
// (pipeline/version_test.go) fails when the reading of its test documents
// changes while this stays the same.
const ParserVersion = "0.5.0"

// Release is the version of nianbao as a program: what `nianbao --version`
// prints and the crawler's User-Agent carries. It changes with every
// release; ParserVersion only when what a report reads to can change.
const Release = "0.1.0"
