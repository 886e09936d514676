#!/usr/bin/env bash
# Run the host (no VM) tests of the tools, tests/host/run.sh; it writes its
# TAP to $HORNET_CACHE/build/tap/host.tap itself.
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$TAP_DIR"
rm -f "$TAP_DIR/host.tap"
say "host-test: tests/host/run.sh -> $TAP_DIR/host.tap"
"$REPO/tests/host/run.sh"
