#!/bin/sh
# The hostile corpus at full size (issue 15): streams inflating up to
# 1 GiB, HTML of 200,000 tables, a PDF of 20,000 pages, 50 MB of text,
# every sample cut at each twentieth, a link to /dev/zero and a FIFO —
# generated into a fresh temporary folder (nothing is committed), read
# by parse (one process per document), ingest (one per class, and the
# whole corpus) and crawl (the corpus served as a site, with a page
# trickling a byte a second), at the default budget. Prints Markdown:
# each document's status, wall time and peak RSS, per class the peak RSS
# and the slowest document.
#
#   scripts/hostile.sh            # about 2.5 GB of disk, minutes
set -eu
cd "$(dirname "$0")/.."
root=$(mktemp -d "${HOSTILE_ROOT:-/tmp}/nianbao-hostile.XXXXXX")
trap 'rm -rf "$root"' EXIT
go build -tags sqlite_fts5 -o "$root/nianbao" ./cmd/nianbao
TMPDIR=$root NIANBAO_HOSTILE_BIN=$root/nianbao \
	go test -tags sqlite_fts5 -run '^TestHostileFull$' -count 1 -v -timeout 0 ./cmd/nianbao
