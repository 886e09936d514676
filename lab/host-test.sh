#!/usr/bin/env bash
# Run the host (no VM) tests of the tools, tests/host/run.sh, if present; its
# TAP output is kept in $HORNET_CACHE/build/tap/host.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$TAP_DIR"
rm -f "$TAP_DIR/host.tap"
if [ ! -x "$REPO/tests/host/run.sh" ]; then
	say "host-test: tests/host/run.sh not present, skipped"
	exit 0
fi
say "host-test: tests/host/run.sh -> $TAP_DIR/host.tap"
"$REPO/tests/host/run.sh" | tee "$TAP_DIR/host.tap"
