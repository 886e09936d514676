#!/usr/bin/env bash
# Write the series (hornet-base..hornet) as git format-patch files with a cover
# letter into $SERIES_DIR; subject and blurb come from patches/cover-letter.txt
# (first line = subject, text after the first blank line = body).
set -euo pipefail
. "$(dirname "$0")/common.sh"

SERIES_DIR=${SERIES_DIR:-$HORNET_CACHE/series}
git -C "$LINUX" rev-parse -q --verify refs/heads/hornet >/dev/null || die "series: no branch hornet (make assemble)"
mkdir -p "$SERIES_DIR"
SERIES_DIR=$(cd "$SERIES_DIR" && pwd)
rm -f "$SERIES_DIR"/*.patch
git -C "$LINUX" format-patch -q --cover-letter --base=hornet-base \
	--subject-prefix="${SERIES_PREFIX:-PATCH}" \
	-o "$SERIES_DIR" hornet-base..hornet
cover=$SERIES_DIR/0000-cover-letter.patch
text=$REPO/patches/cover-letter.txt
python3 - "$cover" "$text" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read()
subject, _, body = text.partition("\n")
c = open(cover).read()
c = c.replace("*** SUBJECT HERE ***", subject.strip(), 1)
c = c.replace("*** BLURB HERE ***", body.strip("\n"), 1)
open(cover, "w").write(c)
PY

# Check: the patches (without the cover letter) applied to hornet-base give hornet's tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$LINUX"
GIT_INDEX_FILE=$tmp/index git read-tree hornet-base
for p in "$SERIES_DIR"/*.patch; do
	[ "$p" = "$cover" ] || GIT_INDEX_FILE=$tmp/index git apply --cached "$p" || die "series: $p does not apply"
done
[ "$(GIT_INDEX_FILE=$tmp/index git write-tree)" = "$(git rev-parse 'hornet^{tree}')" ] ||
	die "series: patches applied to hornet-base do not give branch hornet's tree"
say "series: $(ls "$SERIES_DIR"/*.patch | wc -l) files in $SERIES_DIR (apply cleanly to hornet-base)"
