#!/usr/bin/env bash
# Bisectability (slow; not part of make check): build bzImage (which also builds
# scripts/ host programs such as sign-ebpf) at every commit of hornet-base..hornet
# with Hornet enabled (from the commit that adds it on), then the whole series
# with Hornet disabled. Uses its own worktree and build dirs so the test kernel
# stays incremental. TAP in $HORNET_CACHE/build/tap/bisect.tap.
set -euo pipefail
. "$(dirname "$0")/common.sh"

WT=$HORNET_CACHE/bisect-tree
ON=$BUILD/bisect-on
OFF=$BUILD/bisect-off
tap=$TAP_DIR/bisect.tap
mkdir -p "$TAP_DIR" "$ON" "$OFF"
git -C "$LINUX" rev-parse -q --verify refs/heads/hornet >/dev/null || die "bisect: no branch hornet (make assemble)"
[ -d "$WT" ] || git -C "$LINUX" worktree add -q --detach "$WT" hornet-base

frag=$BUILD/bisect.config
key_fragment "$REPO/lab/kernel.config" > "$frag"

# build <dir> <fragment> <log>: configure from scratch, build incrementally.
build() {
	make -s -C "$WT" O="$1" KCONFIG_ALLCONFIG="$2" allnoconfig &&
	make -s -C "$WT" O="$1" olddefconfig &&
	make -C "$WT" O="$1" -j"$(nproc)" bzImage
}

n=0 failed=0
: > "$tap"
for c in $(git -C "$LINUX" rev-list --reverse hornet-base..hornet) off; do
	n=$((n + 1))
	if [ "$c" = off ]; then
		dir=$OFF want="# CONFIG_SECURITY_HORNET is not set"
		grep -v '^CONFIG_SECURITY_HORNET=' "$frag" > "$frag.off"
		echo "# CONFIG_SECURITY_HORNET is not set" >> "$frag.off"
		git -C "$WT" checkout -q --detach hornet
		f=$frag.off desc="whole series, Hornet disabled"
	else
		dir=$ON want=""
		git -C "$WT" checkout -q --detach "$c"
		[ -f "$WT/security/hornet/Kconfig" ] && want="CONFIG_SECURITY_HORNET=y"
		f=$frag desc="$(git -C "$LINUX" log -1 --format='%h %s' "$c")"
	fi
	say "bisect: [$n] $desc"
	log=$BUILD/bisect-$n.log
	start=$(date +%s)
	ok=0
	build "$dir" "$f" > "$log" 2>&1 || ok=1
	if [ $ok = 0 ] && [ -n "$want" ] && ! grep -qxF "$want" "$dir/.config"; then
		echo "config lost: $want" >> "$log"
		ok=1
	fi
	secs=$(( $(date +%s) - start ))
	if [ $ok = 0 ]; then
		echo "ok $n - $desc (${secs} s)" >> "$tap"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc (${secs} s, log $log)" >> "$tap"
		tail -20 "$log" | sed 's/^/# /' >> "$tap"
	fi
	tail -1 "$tap"
done
echo "1..$n" >> "$tap"
say "bisect: $((n - failed))/$n built ($tap)"
[ "$failed" -eq 0 ]
