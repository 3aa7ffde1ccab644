package ingest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A folder of reports often holds other files too: a README, notes, the
// JSON a scraper wrote, its source code. Stored, each would be one more
// "unsupported report" to explain away, so the walk leaves out files that
// are clearly not reports: by name first, and where the name does not
// settle it, by their first bytes. Anything in doubt is kept — a document
// the reader cannot use is reported with its reason, which is better than
// a report silently left out.

// reportExts are the formats reports come in (read, or recognised and
// reported as not supported yet): a file with one of them is always kept.
var reportExts = map[string]bool{
	".txt": true, ".text": true, ".html": true, ".htm": true, ".shtml": true, ".xhtml": true,
	".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".wps": true, ".et": true,
	".rtf": true, ".ofd": true,
}

// notReportExts are formats no report comes in: data, code, configuration,
// images, archives, databases, fonts, media.
var notReportExts = map[string]bool{}

func init() {
	for _, e := range strings.Fields(`
		.json .jsonl .ndjson .csv .tsv .xml .yaml .yml .toml .ini .cfg .conf .env .log .lock .sum .mod
		.go .py .pyc .js .mjs .ts .css .scss .sh .bash .bat .ps1 .c .h .cc .cpp .java .class .jar .rs .rb .pl .r .sql .ipynb
		.db .sqlite .sqlite3 .db-wal .db-shm .db-journal
		.png .jpg .jpeg .gif .bmp .svg .ico .webp .heic
		.zip .gz .tgz .bz2 .xz .zst .7z .rar .tar
		.exe .dll .so .o .a .dylib
		.woff .woff2 .ttf .otf .eot .mp3 .mp4 .avi .mov .wav
		.pem .key .crt`) {
		notReportExts[e] = true
	}
}

// notReportNames are the stems (name without extension, lower case) of the
// files a project or a download keeps beside its data.
var notReportNames = map[string]bool{
	"readme": true, "license": true, "licence": true, "copying": true, "changelog": true,
	"authors": true, "contributing": true, "makefile": true, "dockerfile": true,
}

// notReport says whether the file p (named name) in a folder being walked
// is clearly not a report.
func notReport(p, name string) bool {
	lower := strings.ToLower(name)
	ext := filepath.Ext(lower)
	if notReportNames[strings.TrimSuffix(lower, ext)] {
		return true
	}
	switch {
	case reportExts[ext]:
		return false
	case notReportExts[ext]:
		return true
	case ext == ".md" || ext == ".markdown" || ext == ".rst":
		// Notes, usually; but a report copied as Markdown is read too:
		// keep one that names itself an annual report.
		return !mentionsReport(p)
	}
	// No extension, or an unknown one (a page saved under its URL's name,
	// .jsp, .aspx …): kept unless the bytes say what else it is.
	return knownOther(p)
}

// sniffLen is how much of a file notReport reads.
const sniffLen = 64 << 10

// mentionsReport says whether the start of the file names an annual
// report of government information disclosure.
func mentionsReport(p string) bool {
	head := readHead(p, sniffLen)
	if head == nil {
		return true // unreadable: kept, and its error reported
	}
	for _, w := range []string{"年度报告", "年报", "政府信息公开"} {
		if bytes.Contains(head, []byte(w)) {
			return true
		}
	}
	return false
}

// otherMagic are the first bytes of formats that are never a report.
var otherMagic = [][]byte{
	[]byte("SQLite format 3\x00"),
	[]byte("\x7fELF"),
	[]byte("\x89PNG\r\n\x1a\n"),
	[]byte("\xff\xd8\xff"), // JPEG
	[]byte("GIF87a"), []byte("GIF89a"),
	[]byte("\x1f\x8b"), // gzip
	[]byte("#!"),       // a script
}

// knownOther says whether the file starts like a format that is never a
// report.
func knownOther(p string) bool {
	head := readHead(p, 16)
	for _, m := range otherMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return false
}

// readHead reads up to n bytes from the start of the file p; nil when it
// cannot be read.
func readHead(p string, n int) []byte {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil
	}
	return buf[:k]
}
