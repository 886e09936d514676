#!/usr/bin/env bash
# Bisectability (slow; not part of make check): build bzImage (which also builds
# scripts/ host programs such as sign-ebpf) at every commit of hornet-base..hornet
# with Hornet enabled (from the commit that adds it on), then the whole series
# with Hornet disabled. `git rebase --exec` walks the commits (as fast-forwards:
# the commit ids stay) and runs "bisect.sh --commit" at each; a failed build is
# recorded, not fatal, so every commit is built. BISECT_TIP=<rev> stops the
# series at that commit (default hornet). Uses its own worktree and build dirs
# so the test kernel stays incremental. TAP in $HORNET_CACHE/build/tap/bisect.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

WT=$HORNET_CACHE/bisect-tree
ON=$BUILD/bisect-on
OFF=$BUILD/bisect-off
tap=$TAP_DIR/bisect.tap
frag=$BUILD/bisect.config

# build <dir> <fragment>: configure from scratch, build incrementally.
build() {
	make -s -C "$WT" O="$1" KCONFIG_ALLCONFIG="$2" allnoconfig &&
	make -s -C "$WT" O="$1" olddefconfig &&
	make -C "$WT" O="$1" -j"$(nproc)" bzImage
}

# result <n> <build dir> <fragment> <wanted .config line or ""> <description>:
# build the worktree's commit and append its TAP line.
result() {
	local n=$1 dir=$2 f=$3 want=$4 desc=$5 log=$BUILD/bisect-$1.log ok=0 start secs
	say "bisect: [$n] $desc"
	start=$(date +%s)
	build "$dir" "$f" > "$log" 2>&1 || ok=1
	if [ $ok = 0 ] && [ -n "$want" ] && ! grep -qxF "$want" "$dir/.config"; then
		echo "config lost: $want" >> "$log"
		ok=1
	fi
	secs=$(( $(date +%s) - start ))
	if [ $ok = 0 ]; then
		echo "ok $n - $desc (${secs} s)" >> "$tap"
	else
		echo "not ok $n - $desc (${secs} s, log $log)" >> "$tap"
		tail -20 "$log" | sed 's/^/# /' >> "$tap"
	fi
	tail -1 "$tap"
}

hornet_kconfig() { [ -f "$WT/security/hornet/Kconfig" ]; }

# One commit, run by git rebase --exec in $WT: Hornet on once it exists.
if [ "${1:-}" = --commit ]; then
	want=""
	hornet_kconfig && want="CONFIG_SECURITY_HORNET=y"
	result "$(git -C "$WT" rev-list --count hornet-base..HEAD)" "$ON" "$frag" "$want" \
		"$(git -C "$WT" log -1 --format='%h %s')"
	exit 0
fi

tip=${BISECT_TIP:-hornet}
mkdir -p "$TAP_DIR" "$ON" "$OFF"
git -C "$LINUX" rev-parse -q --verify refs/heads/hornet >/dev/null || die "bisect: no branch hornet (make assemble)"
git -C "$LINUX" merge-base --is-ancestor hornet-base "$tip" || die "bisect: $tip is not on top of hornet-base"
[ -d "$WT" ] || git -C "$LINUX" worktree add -q --detach "$WT" hornet-base
key_fragment "$REPO/lab/kernel.config" > "$frag"
grep -v '^CONFIG_SECURITY_HORNET=' "$frag" > "$frag.off"
echo "# CONFIG_SECURITY_HORNET is not set" >> "$frag.off"

use_git_identity
git -C "$WT" rebase --abort 2>/dev/null || true   # an interrupted earlier run
git -C "$WT" checkout -q --detach "$tip"
: > "$tap"
git -C "$WT" rebase -q --exec "$(printf '%q ' "$REPO/lab/bisect.sh" --commit)" hornet-base ||
	die "bisect: git rebase --exec stopped in $WT (git -C $WT rebase --abort)"

# The whole series (up to $tip) again, with Hornet disabled.
n=$(( $(git -C "$WT" rev-list --count hornet-base..HEAD) + 1 ))
want=""
hornet_kconfig && want="# CONFIG_SECURITY_HORNET is not set"
result "$n" "$OFF" "$frag.off" "$want" "whole series, Hornet disabled"
echo "1..$n" >> "$tap"
failed=$(grep -c '^not ok' "$tap" || true)
say "bisect: $((n - failed))/$n built ($tap)"
[ "$failed" -eq 0 ]
