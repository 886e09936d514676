#!/usr/bin/env bash
# Build the Hornet kselftests from the assembled tree into $HORNET_CACHE/build/selftests,
# signing the test loaders with the trusted test key.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dir=$LINUX/tools/testing/selftests/hornet
[ -f "$dir/Makefile" ] || die "selftests: $dir/Makefile missing (make assemble)"
mkdir -p "$SELFTESTS_OUT"
start=$(date +%s)
# The kernel's uapi headers, which the tests include (KHDR_INCLUDES):
# out of tree, so the source tree stays clean for the O= kernel builds.
say "selftests: make headers in $KSFT_OBJ"
make -s -C "$LINUX" O="$KSFT_OBJ" headers
say "selftests: building into $SELFTESTS_OUT"
make -C "$dir" -j"$(nproc)" OUTPUT="$SELFTESTS_OUT" \
	KHDR_INCLUDES="-isystem $KSFT_OBJ/usr/include" \
	HORNET_SIGN_KEY="$KEYS/signing_key.pem" HORNET_SIGN_CERT="$KEYS/signing_cert.pem" \
	HORNET_KEYS_DIR="$KEYS"
say "selftests: done ($(( $(date +%s) - start )) s)"
