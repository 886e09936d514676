#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of the Hornet tools (no VM).  Builds sign-ebpf into a private
# directory under $HORNET_CACHE/build/host, runs every tests/host/t*.sh (or
# those named on the command line), prints their TAP renumbered as one
# stream and writes it to $HORNET_CACHE/build/tap/host.tap.  Exit status
# non-zero when any test fails.  The last line is
# "host: N passed, M failed, K skipped".

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export HORNET_CACHE=${HORNET_CACHE:-$HOME/.cache/hornet}
export HORNET_TREE=${HORNET_TREE:-$HORNET_CACHE/linux}
BUILD=$HORNET_CACHE/build/host
TAPDIR=$HORNET_CACHE/build/tap
mkdir -p "$BUILD" "$TAPDIR"

# A private copy per run: two runs at once (two clones, one cache) must not
# test each other's signer.
PRIV=$(mktemp -d "$BUILD/run.XXXXXX")
trap 'rm -rf "$PRIV"' EXIT
export SIGN_EBPF=$PRIV/sign-ebpf
export EXTRACT_SKEL=$ROOT/scripts/hornet/extract-skel.sh

# shellcheck disable=SC2046 # pkg-config prints a list of options
if ! cc -O2 -Wall -Werror -o "$SIGN_EBPF.tmp" "$ROOT"/scripts/hornet/*.c \
	$(pkg-config --cflags --libs libcrypto); then
	echo "host: cannot build sign-ebpf" >&2
	printf '1..1\nnot ok 1 - build sign-ebpf with -Wall -Werror\n' > "$TAPDIR/host.tap"
	echo "host: 0 passed, 1 failed"
	exit 1
fi
mv -f "$SIGN_EBPF.tmp" "$SIGN_EBPF"

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=("$HERE"/t[0-9]*.sh)
fi

start=$(date +%s)
n=0 pass=0 fail=0 skipped=0
out=$TAPDIR/host.tap.tmp
: > "$out"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "# $name" | tee -a "$out"
	tstart=$(date +%s)
	planned=
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*" # SKIP"*)
			n=$((n + 1)); pass=$((pass + 1)); skipped=$((skipped + 1))
			line="ok $n # SKIP $name: ${line#*# SKIP }" ;;
		"ok "[0-9]*)
			n=$((n + 1)); pass=$((pass + 1))
			rest=${line#ok }; line="ok $n - $name: ${rest#* - }" ;;
		"not ok "[0-9]*)
			n=$((n + 1)); fail=$((fail + 1))
			rest=${line#not ok }; line="not ok $n - $name: ${rest#* - }" ;;
		1..*)
			planned=${line#1..}; continue ;;
		*)
			line="# ${line#\# }" ;;
		esac
		echo "$line" | tee -a "$out"
	done < <(bash "$t" 2>&1; echo "# exit status $?")
	if [ -z "$planned" ]; then
		n=$((n + 1)); fail=$((fail + 1))
		echo "not ok $n - $name: test script ended without a plan" | tee -a "$out"
	fi
	echo "# $name: $(($(date +%s) - tstart)) s" | tee -a "$out"
done
{ echo "1..$n"; cat "$out"; } > "$TAPDIR/host.tap"
rm -f "$out"
echo "# host tests: $(($(date +%s) - start)) s, TAP in $TAPDIR/host.tap"
echo "host: $((pass - skipped)) passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
