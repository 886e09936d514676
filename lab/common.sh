# Shared settings for the lab scripts (sourced, not run).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HORNET_CACHE=${HORNET_CACHE:-$HOME/.cache/hornet}
LINUX=$HORNET_CACHE/linux
BUILD=$HORNET_CACHE/build
KEYS=$HORNET_CACHE/keys
# The selftests' object tree (make headers O=, and the selftests' O=):
# the kernel headers, and the build of the hornet kselftests in
# kselftest/hornet, as the top-level selftests Makefile names it.
KSFT_OBJ=$BUILD/ksft
SELFTESTS_OUT=$KSFT_OBJ/kselftest/hornet
# Where they are installed (run_kselftest.sh, kselftest-list.txt, hornet/).
KSFT_INSTALL=$BUILD/kselftest
TAP_DIR=$BUILD/tap
# The kernel build directory: HORNET_KBUILD if set (make system-test's own
# kernel), else the debug or the fast kernel.
if [ -n "${HORNET_KBUILD:-}" ]; then KBUILD=$HORNET_KBUILD
elif [ "${HORNET_DEBUG:-0}" = 1 ]; then KBUILD=$BUILD/kernel-debug
else KBUILD=$BUILD/kernel; fi
export HORNET_CACHE

# key_fragment <file>: the config fragment with the key placeholders filled in
# (the files of lab/keys.sh); fails naming the first one that is missing.
key_fragment() {
	local f
	for f in signing_cert.pem blacklist.hashes revoked_cert.pem; do
		[ -s "$KEYS/$f" ] || { echo "[hornet] ERROR: $KEYS/$f missing (make keys)" >&2; return 1; }
	done
	sed "s|@HORNET_CERT@|$KEYS/signing_cert.pem|; s|@HORNET_BLACKLIST@|$KEYS/blacklist.hashes|
	     s|@HORNET_REVOKED@|$KEYS/revoked_cert.pem|" "$1"
}

say() { echo "[hornet] $*"; }
die() { echo "[hornet] ERROR: $*" >&2; exit 1; }

# Commit identity: the machine's git identity, or a fixed one if git has none.
use_git_identity() {
	if [ -z "$(git config user.name || true)" ] || [ -z "$(git config user.email || true)" ]; then
		export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-Hornet project}
		export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-hornet@localhost}
		export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
		export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}
	fi
}
