#!/usr/bin/env bash
# Unpack Debian's linux-source-6.12 tarball into $HORNET_CACHE/linux as a git
# repository: branch `base`, tag `hornet-base`. Reused if the tag exists.
set -euo pipefail
. "$(dirname "$0")/common.sh"

TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}

if git -C "$LINUX" rev-parse -q --verify refs/tags/hornet-base >/dev/null 2>&1; then
	say "base: reusing $LINUX (tag hornet-base)"
	exit 0
fi
[ -f "$TARBALL" ] || die "base: $TARBALL not found (make deps)"
rm -rf "$LINUX"
mkdir -p "$LINUX"
say "base: extracting $TARBALL"
tar -xf "$TARBALL" -C "$LINUX" --strip-components=1
cd "$LINUX"
version=$(make -s kernelversion)
say "base: committing Linux $version"
git init -q -b base
git config gc.auto 0
use_git_identity
git add -A -f           # Debian's .gitignore ignores the top level
git commit -q -m "Linux $version (Debian linux-source-6.12)"
git tag hornet-base
say "base: done, $(git rev-parse --short HEAD)"
