# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Minimal TAP helpers sourced by the host tests.  Each test numbers its
# own results and prints the plan last; run.sh renumbers the combined
# output.  T is a private scratch directory removed on exit.

TAP_N=0
TAP_FAIL=0
T=$(mktemp -d "${TMPDIR:-/tmp}/hornet-host.XXXXXX")
tap_cleanup_hooks=()
tap_cleanup() {
	local h
	for h in "${tap_cleanup_hooks[@]}"; do eval "$h" || true; done
	rm -rf "$T"
}
trap tap_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

HORNET_CACHE=${HORNET_CACHE:-$HOME/.cache/hornet}

SIGN_EBPF=${SIGN_EBPF:-$HORNET_CACHE/build/host/sign-ebpf}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXTRACT_SKEL=${EXTRACT_SKEL:-$HERE/../../scripts/hornet/extract-skel.sh}

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP $*"; }
diag() { sed 's/^/# /' "$@"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@" > "$T/.out" 2>&1; then ok "$desc"; else not_ok "$desc"; diag "$T/.out"; fi
}

# check_fail DESC REGEX CMD...: passes when CMD exits non-zero and its
# output matches the extended regular expression REGEX (case-insensitive).
check_fail() {
	local desc=$1 re=$2 rc=0; shift 2
	"$@" > "$T/.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && grep -Eqi -- "$re" "$T/.out"; then
		ok "$desc"
	else
		not_ok "$desc"; echo "# exit $rc, wanted non-zero and /$re/"; diag "$T/.out"
	fi
}

# make_key DIR: RSA-2048 key (PEM, PKCS#8, unencrypted) and self-signed cert.
make_key() {
	mkdir -p "$1"
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
		-subj "/CN=hornet host test $(basename "$1")" \
		-keyout "$1/key.pem" -out "$1/cert.pem" > /dev/null 2>&1
}

done_testing() { echo "1..$TAP_N"; [ "$TAP_FAIL" -eq 0 ]; }
