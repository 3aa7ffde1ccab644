#!/bin/sh
# The scale suite (BenchmarkScale in cmd/nianbao): first and second ingest,
# sha256sum over the same files and parse at each size, the analysts'
# queries on the largest store, and many versions of one organ and year
# against distinct organs — for one or more binaries, interleaved, printed
# side by side as one Markdown table (wall and CPU seconds, with ratios).
#
#   scripts/scale.sh                               this tree, 1,000 and 10,000
#   scripts/scale.sh -n 1000,10000,50000 -v 10000 old=/tmp/old/nianbao new=./nianbao
#
# Corpora and databases go under a fresh top-level temporary folder (ext4
# without a journal makes creating files near many just deleted slow, which
# would charge one run for the last one's clean-up); -k keeps it, with the
# databases.
set -eu
sizes=1000,10000
versions=1000
keep=
while getopts n:v:k opt; do
	case $opt in
	n) sizes=$OPTARG ;;
	v) versions=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: $0 [-n SIZES] [-v VERSIONS] [-k] [NAME=BINARY...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
bins=
for b in "$@"; do
	name=${b%%=*}
	path=${b#*=}
	case $b in *=*) ;; *) echo "$0: $b is not NAME=BINARY" >&2; exit 2 ;; esac
	[ -x "$path" ] || { echo "$0: $path is not an executable" >&2; exit 2; }
	bins="$bins $name=$(cd "$(dirname "$path")" && pwd)/$(basename "$path")"
done
root=$(mktemp -d "${SCALE_ROOT:-/tmp}/nianbao-scale.XXXXXX")
if [ -z "$keep" ]; then trap 'rm -rf "$root"' EXIT; else echo "keeping $root" >&2; fi
cd "$(dirname "$0")/.."
TMPDIR=$root NIANBAO_SCALE=1 NIANBAO_SCALE_KEEP=$keep NIANBAO_SCALE_N=$sizes NIANBAO_SCALE_VERSIONS=$versions NIANBAO_SCALE_BINS=$bins \
	go test -tags sqlite_fts5 -run '^$' -bench '^BenchmarkScale$' -benchtime 1x -timeout 0 ./cmd/nianbao
