#!/usr/bin/env bash
# Build the Hornet kselftests from the assembled tree, the usual way (the
# top-level selftests Makefile, TARGETS=hornet), signing the test loaders
# with the trusted test key, and install them with run_kselftest.sh into
# $KSFT_INSTALL, which lab/initramfs.sh copies into the VM.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dir=$LINUX/tools/testing/selftests
[ -f "$dir/hornet/Makefile" ] || die "selftests: $dir/hornet/Makefile missing (make assemble)"
start=$(date +%s)
# The kernel's uapi headers, which the tests include (KHDR_INCLUDES, which
# the selftests Makefile sets from O=): out of tree, so the source tree
# stays clean for the O= kernel builds.
say "selftests: make headers in $KSFT_OBJ"
make -s -C "$LINUX" O="$KSFT_OBJ" headers
say "selftests: building into $SELFTESTS_OUT, installing into $KSFT_INSTALL"
rm -rf "$KSFT_INSTALL"
make -C "$dir" -j"$(nproc)" O="$KSFT_OBJ" TARGETS=hornet \
	KSFT_INSTALL_PATH="$KSFT_INSTALL" \
	HORNET_SIGN_KEY="$KEYS/signing_key.pem" HORNET_SIGN_CERT="$KEYS/signing_cert.pem" \
	HORNET_KEYS_DIR="$KEYS" install
say "selftests: run_kselftest.sh runs $(wc -l < "$KSFT_INSTALL/kselftest-list.txt") programs:" \
	"$(cut -d: -f2 "$KSFT_INSTALL/kselftest-list.txt" | paste -sd' ')"
say "selftests: done ($(( $(date +%s) - start )) s)"
