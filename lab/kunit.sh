#!/usr/bin/env bash
# Run Hornet's KUnit tests (security/hornet/.kunitconfig of the assembled tree)
# with kunit.py under UML in $HORNET_CACHE/build/kunit; the test cases are
# written as flat TAP to $HORNET_CACHE/build/tap/kunit.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$TAP_DIR"
rm -f "$TAP_DIR/kunit.tap"
say "kunit: kunit.py run (UML) in $BUILD/kunit, log $BUILD/kunit.log (first build takes minutes)"
start=$(date +%s)
cd "$LINUX"
rc=0
./tools/testing/kunit/kunit.py run --kunitconfig=security/hornet --build_dir="$BUILD/kunit" \
	--jobs="$(nproc)" --raw_output=kunit > "$BUILD/kunit.log" 2>&1 || rc=$?
# Flatten to one line per test case (the innermost results; a failed suite with
# no failed case, a failing kunit.py or no result at all adds one failure).
awk -v rc="$rc" '
	/^ *(not )?ok / {
		match($0, /^ */); d = RLENGTH; t = substr($0, d + 1); bad = t ~ /^not/
		if (kids[d + 4]) {              # a suite: its cases were already counted
			if (bad && !kf[d + 4]) print "not ok " ++n " suite " t
			kids[d + 4] = kf[d + 4] = 0; kids[d] = 1; kf[d] = kf[d] || bad; next
		}
		kids[d] = 1; kf[d] = kf[d] || bad; if (bad) f++
		sub(/^(not )?ok [0-9]+/, (bad ? "not ok " : "ok ") ++n, t); print t
	}
	END { if (n == 0 || (rc != 0 && f == 0)) print "not ok " ++n " kunit.py (exit " rc ")"
	      print "1.." n }' "$BUILD/kunit.log" > "$TAP_DIR/kunit.tap"
cat "$TAP_DIR/kunit.tap"
say "kunit: kunit.py exit $rc, $(( $(date +%s) - start )) s, log $BUILD/kunit.log"
[ "$rc" -eq 0 ] && ! grep -q '^not ok' "$TAP_DIR/kunit.tap"
