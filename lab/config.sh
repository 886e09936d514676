#!/usr/bin/env bash
# Configure the test kernel in $KBUILD: allnoconfig + lab/kernel.config
# (+ lab/debug.config if HORNET_DEBUG=1) + the selftests' config fragment
# + $EXTRA_FRAGMENTS, then olddefconfig. Fails naming every fragment line that
# did not survive. Skipped when the inputs are unchanged (hash stamp).
set -euo pipefail
. "$(dirname "$0")/common.sh"

frags=("${KERNEL_FRAGMENT:-$REPO/lab/kernel.config}")
[ "${HORNET_DEBUG:-0}" = 1 ] && frags+=("$REPO/lab/debug.config")
st_config=$LINUX/tools/testing/selftests/hornet/config
[ -f "$st_config" ] && frags+=("$st_config")
for f in ${EXTRA_FRAGMENTS:-}; do frags+=("$f"); done

BLACKLIST=$KEYS/blacklist.hashes
mkdir -p "$KBUILD"
merged=$KBUILD/hornet-fragment.config
for f in "${frags[@]}"; do
	[ -f "$f" ] || die "config: fragment $f not found"
	key_fragment "$f" || exit 1
done | grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set$)' > "$merged.new"
mv "$merged.new" "$merged"

# Inputs: the merged fragment and every Kconfig file of the tree (by blob id).
stamp=$({ cat "$merged" "$BLACKLIST"; git -C "$LINUX" ls-files -s -- '*Kconfig*'; } | sha256sum | cut -d' ' -f1)
if [ -f "$KBUILD/.config" ] && [ "$(cat "$KBUILD/.hornet-config-stamp" 2>/dev/null)" = "$stamp" ]; then
	say "config: $KBUILD/.config up to date"
	exit 0
fi
rm -f "$KBUILD/.hornet-config-stamp"
say "config: allnoconfig + ${frags[*]##*/} -> $KBUILD/.config"
make -s -C "$LINUX" O="$KBUILD" KCONFIG_ALLCONFIG="$merged" allnoconfig
make -s -C "$LINUX" O="$KBUILD" olddefconfig

lost=()
while IFS= read -r line; do
	grep -qxF -- "$line" "$KBUILD/.config" || lost+=("$line")
done < "$merged"
if [ ${#lost[@]} -gt 0 ]; then
	printf '[hornet] config: lost after olddefconfig: %s\n' "${lost[@]}" >&2
	die "config: ${#lost[@]} fragment line(s) did not survive (missing dependency?)"
fi
echo "$stamp" > "$KBUILD/.hornet-config-stamp"
say "config: ok ($(wc -l < "$merged") fragment lines verified)"
