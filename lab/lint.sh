#!/usr/bin/env bash
# The cheap lint of the series, as TAP in $HORNET_CACHE/build/tap/lint.tap:
# scripts/checkpatch.pl --strict on every patch of the generated series (no
# error, warning or check allowed but the justified exceptions listed in
# patches/checkpatch-exceptions), and scripts/kernel-doc -Wall -none on
# Hornet's kernel sources and the signer (no warning allowed), docutils and
# Sphinx (make htmldocs) on the admin guide Hornet.rst and the design document
# Documentation/security/hornet.rst, and sparse on Hornet's sources (no
# warning allowed).
set -euo pipefail
. "$(dirname "$0")/common.sh"

out=$BUILD/lint
tap=$TAP_DIR/lint.tap
mkdir -p "$TAP_DIR" "$out"
SERIES_DIR=$out/series "$REPO/lab/series.sh" >/dev/null

n=0 failed=0
result() {	# result <ok?> <description> <log file>
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		sed 's/^/# /' "$3"
	fi
}

{
	for p in "$out"/series/*.patch; do
		case $p in *cover-letter*) continue ;; esac
		log=$out/$(basename "$p" .patch).checkpatch
		ignore=()
		while read -r glob type _; do
			case $glob in ''|'#'*) continue ;; esac
			# shellcheck disable=SC2254
			case $(basename "$p") in $glob) ignore+=(--ignore "$type") ;; esac
		done < "$REPO/patches/checkpatch-exceptions"
		# Debian's python3 (with python3-ply) for the SPDX check, not a pyenv one.
		(cd "$LINUX" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --color=never -q "${ignore[@]}" "$p") \
			> "$log" 2>&1 || true
		bad=0
		grep -qE '^(ERROR|WARNING|CHECK):' "$log" && bad=1
		result $bad "checkpatch --strict $(basename "$p")" "$log"
	done

	# The accessor is ours; the rest of arraymap.c is not.
	docs=(security/hornet/hornet.h security/hornet/hornet_parse.c
	      security/hornet/hornet_lsm.c security/hornet/hornet_kunit.c
	      scripts/hornet/sign-ebpf.c scripts/hornet/util.c scripts/hornet/keys.c
	      scripts/hornet/output.c scripts/hornet/trailer.c scripts/hornet/cms.c
	      scripts/hornet/sign-ebpf.h)
	for f in "${docs[@]}"; do
		log=$out/$(basename "$f").kernel-doc
		(cd "$LINUX" && scripts/kernel-doc -Wall -none "$f") > "$log" 2>&1 || true
		bad=0
		[ ! -s "$log" ] || bad=1
		result $bad "kernel-doc -Wall $f" "$log"
	done
	log=$out/arraymap.kernel-doc
	(cd "$LINUX" && scripts/kernel-doc -Wall -none -function bpf_map_frozen_size \
		-function bpf_map_frozen_read kernel/bpf/arraymap.c) > "$log" 2>&1 || true
	bad=0
	[ ! -s "$log" ] || bad=1
	result $bad "kernel-doc -Wall bpf_map_frozen_size/read" "$log"
	# sparse on Hornet and the accessor, in the test kernel's build directory.
	log=$out/sparse.log
	[ -f "$KBUILD/.config" ] || "$REPO/lab/config.sh" > /dev/null
	make -C "$LINUX" O="$KBUILD" C=2 security/hornet/ kernel/bpf/arraymap.o > "$log.all" 2>&1 &&
		bad=0 || bad=1
	grep -E 'warning:|error:' "$log.all" > "$log" && bad=1
	[ $bad = 0 ] || cat "$log.all" > "$log"
	result $bad "sparse (C=2) on security/hornet and kernel/bpf/arraymap.c" "$log"

	# Both documents render with docutils without a warning. docutils does
	# not know Sphinx's kernel-doc directive: it is left out of the design
	# document here, and the Sphinx check below renders it.
	for f in Documentation/admin-guide/LSM/Hornet.rst Documentation/security/hornet.rst; do
		log=$out/$(basename "$(dirname "$f")")-$(basename "$f").log
		awk '/^\.\. kernel-doc::/ { skip = 1; next }
		     skip && /^[ \t]/ { next }
		     { skip = 0; print }' "$LINUX/$f" |
			rst2html --halt=warning --report=warning - > /dev/null 2> "$log" && bad=0 || bad=1
		result $bad "docutils renders $f" "$log"
	done

	# Both documents, and the kernel-doc of hornet_parse.c, build with the
	# kernel's own Sphinx setup (make htmldocs) without a warning. Other
	# documents of these directories may warn (links to directories not
	# built); only warnings about Hornet's files count. A fresh output
	# directory each time: Sphinx does not repeat the warnings of documents
	# it has cached. Debian's python3 (with Sphinx), not a pyenv one.
	log=$out/sphinx.log
	rm -rf "$out/htmldocs"
	(cd "$LINUX" && PATH=/usr/bin:$PATH make O="$out/htmldocs" \
		SPHINXDIRS="security admin-guide/LSM" htmldocs) > "$log.all" 2>&1 && bad=0 || bad=1
	grep -iE 'warning|error' "$log.all" |
		grep -E 'Documentation/security/hornet|Documentation/admin-guide/LSM/Hornet|security/hornet/' \
		> "$log" && bad=1
	[ $bad = 0 ] || [ -s "$log" ] || cat "$log.all" > "$log"
	result $bad "Sphinx (make htmldocs) builds Hornet.rst and security/hornet.rst" "$log"
	echo "1..$n"
} > "$tap"
cat "$tap"
say "lint: $((n - failed))/$n clean ($tap)"
[ "$failed" -eq 0 ]
