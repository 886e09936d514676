#!/usr/bin/env bash
# Run the host (no VM) tests of the tools, tests/host/run.sh, if present; it
# writes its TAP to $HORNET_CACHE/build/tap/host.tap itself.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$TAP_DIR"
rm -f "$TAP_DIR/host.tap"
if [ ! -x "$REPO/tests/host/run.sh" ]; then
	say "host-test: tests/host/run.sh not present, skipped"
	exit 0
fi
say "host-test: tests/host/run.sh -> $TAP_DIR/host.tap"
"$REPO/tests/host/run.sh"
