#!/usr/bin/env bash
# Run Hornet's KUnit tests (security/hornet/.kunitconfig of the assembled tree)
# with kunit.py under UML in $HORNET_CACHE/build/kunit; the test cases are
# written as flat TAP to $HORNET_CACHE/build/tap/kunit.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$TAP_DIR"
rm -f "$TAP_DIR/kunit.tap"
if [ ! -f "$LINUX/security/hornet/.kunitconfig" ]; then
	say "kunit: no security/hornet/.kunitconfig in the tree, skipped"
	exit 0
fi
say "kunit: kunit.py run (UML) in $BUILD/kunit"
start=$(date +%s)
cd "$LINUX"
rc=0
./tools/testing/kunit/kunit.py run --kunitconfig=security/hornet --build_dir="$BUILD/kunit" \
	--jobs="$(nproc)" --raw_output=kunit > "$BUILD/kunit.log" 2>&1 || rc=$?
# Flatten to one line per test case; a failing run with no failed case, or a
# run without results, is one extra failure.
awk -v rc="$rc" '
	/^    (not )?ok / { sub(/^    /, ""); bad = /^not/; if (bad) f++
		sub(/^(not )?ok [0-9]+/, (bad ? "not ok " : "ok ") ++n); print }
	END { if (n == 0 || (rc != 0 && f == 0)) print "not ok " ++n " kunit.py (exit " rc ")"
	      print "1.." n }' "$BUILD/kunit.log" > "$TAP_DIR/kunit.tap"
cat "$TAP_DIR/kunit.tap"
say "kunit: kunit.py exit $rc, $(( $(date +%s) - start )) s, log $BUILD/kunit.log"
[ "$rc" -eq 0 ] && ! grep -q '^not ok' "$TAP_DIR/kunit.tap"
