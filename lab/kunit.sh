#!/usr/bin/env bash
# Run Hornet's KUnit tests (security/hornet/.kunitconfig of the assembled tree)
# with kunit.py under UML in $HORNET_CACHE/build/kunit; kunit.py's own KTAP
# parser (kunit_parser) reads its output, and the test cases are written as
# flat TAP to $HORNET_CACHE/build/tap/kunit.tap.
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
# Flatten to one line per test case (the innermost results; a suite or a
# parameterised case reported "not ok" with no failed case under it, a
# failing kunit.py or no result at all adds one failure). Not kunit.py --json:
# it drops a suite's own result, so such a failed suite would pass. The
# parser's own summary goes to $BUILD/kunit-parse.log.
python3 - "$BUILD/kunit.log" "$TAP_DIR/kunit.tap" "$rc" > "$BUILD/kunit-parse.log" <<'PY'
import sys
sys.path.insert(0, "tools/testing/kunit")
from kunit_parser import TestStatus, parse_run_tests
log, tap, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
GOOD = (TestStatus.SUCCESS, TestStatus.SKIPPED)
lines = []
def flatten(test, name):  # -> True if a failure was written
    if not test.subtests:
        skip = " # SKIP" if test.status == TestStatus.SKIPPED else ""
        lines.append((test.status in GOOD, f"{name}{skip}"))
        return not lines[-1][0]
    bad = False
    for sub in test.subtests:
        bad = flatten(sub, f"{name}.{sub.name or '(missing)'}") or bad
    if not bad and test.status not in GOOD:
        lines.append((False, f"suite {name} ({test.status.name})"))
        bad = True
    return bad
with open(log, errors="backslashreplace") as f:
    failed = any([flatten(s, s.name) for s in parse_run_tests(f.read().splitlines()).subtests])
if not lines or (rc != 0 and not failed):
    lines.append((False, f"kunit.py (exit {rc})"))
with open(tap, "w") as out:
    for n, (ok, text) in enumerate(lines, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {text}", file=out)
    print(f"1..{len(lines)}", file=out)
PY
cat "$TAP_DIR/kunit.tap"
say "kunit: kunit.py exit $rc, $(( $(date +%s) - start )) s, log $BUILD/kunit.log"
[ "$rc" -eq 0 ] && ! grep -q '^not ok' "$TAP_DIR/kunit.tap"
