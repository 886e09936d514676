#!/usr/bin/env bash
# Configure the test kernel in $KBUILD with the tree's merge_config.sh -n
# (allnoconfig): lab/kernel.config (+ lab/debug.config if HORNET_DEBUG=1) + the
# selftests' config fragment + $EXTRA_FRAGMENTS, then olddefconfig. Fails on
# merge_config's "not in final .config" warnings and names every fragment line
# that did not survive. Skipped when the inputs are unchanged (hash stamp).
set -euo pipefail
. "$(dirname "$0")/common.sh"

frags=("$REPO/lab/kernel.config")
[ "${HORNET_DEBUG:-0}" = 1 ] && frags+=("$REPO/lab/debug.config")
frags+=("$LINUX/tools/testing/selftests/hornet/config")
for f in ${EXTRA_FRAGMENTS:-}; do frags+=("$f"); done

# Each fragment with its key placeholders filled in and only its CONFIG_
# lines, as $KBUILD/hornet-fragments/N-name.
BLACKLIST=$KEYS/blacklist.hashes
fdir=$KBUILD/hornet-fragments
rm -rf "$fdir"
mkdir -p "$fdir"
inputs=()
for f in "${frags[@]}"; do
	[ -f "$f" ] || die "config: fragment $f not found"
	out=$fdir/${#inputs[@]}-${f##*/}
	key_fragment "$f" > "$out.raw" || exit 1
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$out.raw" > "$out" || true
	rm "$out.raw"
	inputs+=("$out")
done

# Inputs: the fragments and every Kconfig file of the tree (by blob id).
stamp=$({ cat "${inputs[@]}" "$BLACKLIST"; git -C "$LINUX" ls-files -s -- '*Kconfig*'; } | sha256sum | cut -d' ' -f1)
if [ -f "$KBUILD/.config" ] && [ "$(cat "$KBUILD/.hornet-config-stamp" 2>/dev/null)" = "$stamp" ]; then
	say "config: $KBUILD/.config up to date"
	exit 0
fi
rm -f "$KBUILD/.hornet-config-stamp"
say "config: merge_config.sh -n ${frags[*]##*/} -> $KBUILD/.config"
log=$KBUILD/merge_config.log
(cd "$LINUX" && scripts/kconfig/merge_config.sh -n -O "$KBUILD" "${inputs[@]}") > "$log" 2>&1 ||
	{ cat "$log" >&2; die "config: merge_config.sh failed (log $log)"; }
if grep -q '^Value requested for ' "$log"; then
	grep -A3 '^Value requested for ' "$log" >&2
	die "config: merge_config.sh: fragment values not in .config (missing dependency?), log $log"
fi
make -s -C "$LINUX" O="$KBUILD" olddefconfig

lost=()
while IFS= read -r line; do
	grep -qxF -- "$line" "$KBUILD/.config" || lost+=("$line")
done < <(cat "${inputs[@]}")
if [ ${#lost[@]} -gt 0 ]; then
	printf '[hornet] config: lost after olddefconfig: %s\n' "${lost[@]}" >&2
	die "config: ${#lost[@]} fragment line(s) did not survive (missing dependency?)"
fi
echo "$stamp" > "$KBUILD/.hornet-config-stamp"
say "config: ok ($(cat "${inputs[@]}" | wc -l) fragment lines verified)"
