#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# H09 generator drift: a real BPF program turned into a light skeleton by
# the 6.12 tree's bpftool (opts_data[]/opts_insn[] arrays) and by Debian's
# bpftool 7.1 (opts.data = (void *)"..." literals).  extract-skel.sh must
# write, byte for byte, the Hornet payload of what the compiled loader
# passes to bpf(): captured by an LD_PRELOAD shim for syscall() (an
# independent method: it sees the real calls, not the opts structure) and
# assembled here in shell from the format in security/hornet.rst (header,
# one map record with the SHA-256 of the loader map's data, instructions).
# Unknown formats fail non-zero and create no output.

. "$(dirname "$0")/tap.sh"

TREE=${HORNET_TREE:-$HORNET_CACHE/linux}
BPFTOOL_OUT=$HORNET_CACHE/build/host/bpftool
DEB_BPFTOOL=/usr/sbin/bpftool

if ! command -v clang > /dev/null; then
	skip "extract-skel: clang not installed (apt-get install clang)"
	done_testing; exit
fi
check "BPF program compiles (clang -target bpf)" \
	clang -g -O2 -target bpf -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/hornet_skel.bpf.c" \
	-o "$T/hornet_skel.bpf.o"
check "capture shim builds" cc -O2 -Wall -shared -fPIC -o "$T/shim.so" "$HERE/bpf_capture_shim.c" -ldl

# Generators: name, bpftool binary, include flags for the loader build.
gens=()
if [ -f "$TREE/tools/bpf/bpftool/Makefile" ]; then
	if [ ! -x "$BPFTOOL_OUT/bpftool" ]; then
		# Built aside and renamed into place, so that an interrupted or
		# concurrent build never leaves a half-built bpftool there.
		mkdir -p "$T/bpftool"
		if make -s -C "$TREE/tools/bpf/bpftool" OUTPUT="$T/bpftool/" -j2 > "$T/bpftool.log" 2>&1; then
			mkdir -p "$(dirname "$BPFTOOL_OUT")"
			rm -rf "$BPFTOOL_OUT"
			mv -T "$T/bpftool" "$BPFTOOL_OUT" 2>/dev/null || true
		else
			diag "$T/bpftool.log"
		fi
	fi
	if [ -x "$BPFTOOL_OUT/bpftool" ]; then
		ok "6.12 tree bpftool built ($("$BPFTOOL_OUT/bpftool" version | head -n 1))"
		gens+=(tree)
	else
		not_ok "6.12 tree bpftool built"
	fi
else
	skip "6.12 tree bpftool: no kernel tree at $TREE"
fi
if [ -x "$DEB_BPFTOOL" ] && "$DEB_BPFTOOL" version > /dev/null 2>&1; then
	ok "Debian bpftool present ($("$DEB_BPFTOOL" version | head -n 1))"
	gens+=(debian)
else
	skip "Debian bpftool: $DEB_BPFTOOL not installed (apt-get install bpftool)"
fi

# le32 N...: each N as 4 little-endian bytes.
le32() {
	local v
	for v in "$@"; do
		printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) \
			$((v >> 16 & 255)) $((v >> 24 & 255)))"
	done
}

# expect_payload DIR: the payload Hornet builds for the loader the shim saw
# in DIR (one loader map, named by fd_array index 0).
expect_payload() {
	local d=$1 p m
	read -r _ _ ptype _ cnt _ attach _ pflags < <(grep '^prog_load' "$d/log")
	read -r _ _ mtype _ key _ value _ max _ mflags < <(grep '^map_create' "$d/log")
	printf HORNETPL
	le32 1 "$ptype" "$attach" "$pflags" "$cnt" 1
	# BPF_F_RDONLY (8) and BPF_F_WRONLY (16) belong to the descriptor.
	le32 "$mtype" "$key" "$value" "$max" $((mflags & ~24)) 0 0 0
	openssl dgst -sha256 -binary "$d/data"
	cat "$d/insns"
}

bpftool_of() { if [ "$1" = tree ]; then echo "$BPFTOOL_OUT/bpftool"; else echo "$DEB_BPFTOOL"; fi; }
incs_of() { if [ "$1" = tree ]; then echo "-I$TREE/tools/lib -I$TREE/tools/include/uapi"; fi; }

for g in "${gens[@]}"; do
	h=$T/$g.lskel.h
	"$(bpftool_of "$g")" gen skeleton -L "$T/hornet_skel.bpf.o" name hornet_skel > "$h"
	case $g in
	tree) fmt='static const char opts_insn\[\]' ;;
	debian) fmt='opts\.insns = \(void \*\)"' ;;
	esac
	check "$g: light skeleton generated in the expected format (/$fmt/)" grep -Eq "$fmt" "$h"

	# shellcheck disable=SC2046 # include flags
	check "$g: loader compiles against its own skel_internal.h" \
		cc -O2 -Wall $(incs_of "$g") -include errno.h -include "$h" -o "$T/$g.loader" \
		"$HERE/skel_loader.c"
	mkdir "$T/cap-$g"
	check "$g: loader runs under the shim (all bpf() calls answered by the shim)" \
		env HORNET_CAPTURE_DIR="$T/cap-$g" LD_PRELOAD="$T/shim.so" "$T/$g.loader"
	diag "$T/cap-$g/log" 2> /dev/null
	expect_payload "$T/cap-$g" > "$T/cap-$g/payload" 2> /dev/null
	check "$g: shim saw one loader map of data_sz bytes and one BPF_PROG_LOAD" \
		bash -c "[ \$(grep -c '^map_create type 2 key 4 value' '$T/cap-$g/log') -eq 1 ] &&
			 [ \$(grep -c '^prog_load' '$T/cap-$g/log') -eq 1 ] &&
			 [ \$(stat -c %s '$T/cap-$g/data') -eq \$(sed -n 's/^map_create.* value \\([0-9]*\\) .*/\\1/p' '$T/cap-$g/log') ] &&
			 [ -s '$T/cap-$g/insns' ]"

	# extract-skel.sh with the tree's headers (SRCTREE) and with the system's.
	for hdrs in tree system; do
		[ "$hdrs" = tree ] && [ ! -f "$TREE/tools/lib/bpf/skel_internal.h" ] && continue
		out=$T/$g-$hdrs.payload
		if [ "$hdrs" = tree ]; then
			check "$g: extract-skel.sh with the tree's headers" \
				env SRCTREE="$TREE" "$EXTRACT_SKEL" "$h" "$out"
		else
			check "$g: extract-skel.sh with the system's headers" \
				env SRCTREE=/nonexistent "$EXTRACT_SKEL" "$h" "$out"
		fi
		check "$g/$hdrs: payload equals what the loader passed to bpf() ($(stat -c %s "$out" 2> /dev/null) bytes)" \
			cmp "$out" "$T/cap-$g/payload"
	done
done

# Unknown formats and broken headers: non-zero, message, no output file.
no_output() { # DESC REGEX HEADER
	local out=$T/none.payload
	rm -f "$out"
	check_fail "$1: fails with a message" "$2" "$EXTRACT_SKEL" "$3" "$out"
	check "$1: no output file created, no temporary left" \
		bash -c "[ ! -e '$out' ] && ! ls -A '$T' | grep -q '^\\.extract-skel'"
}
printf 'this is not a header\n\0\1\2\3' > "$T/garbage.h"
no_output "garbage file" 'not a light skeleton' "$T/garbage.h"
no_output "missing file" 'cannot read' "$T/missing.h"
if [ ${#gens[@]} -gt 0 ]; then
	g=${gens[-1]}
	"$(bpftool_of "$g")" gen skeleton "$T/hornet_skel.bpf.o" name hornet_skel > "$T/normal.skel.h"
	no_output "regular (non-light) skeleton" 'not a light skeleton' "$T/normal.skel.h"
	for g in "${gens[@]}"; do
		h=$T/$g.lskel.h
		head -n 120 "$h" > "$T/$g-trunc.h"
		grep -q 'bpf_load_and_run(&opts)' "$T/$g-trunc.h" || echo 'bpf_load_and_run(&opts);' >> "$T/$g-trunc.h"
		no_output "$g: truncated header" 'cannot compile' "$T/$g-trunc.h"
		sed 's/hornet_skel__open(void)/hornet_skel__opened(void)/' "$h" > "$T/$g-noopen.h"
		no_output "$g: no <name>__open()" 'no <name>__open' "$T/$g-noopen.h"
		sed -E 's/opts\.insns_sz = [^;]*;/opts.insns_sz = 0;/' "$h" > "$T/$g-noinsns.h"
		no_output "$g: zero-length instructions" 'no loader instructions' "$T/$g-noinsns.h"
		sed -E 's/opts\.insns_sz = [^;]*;/opts.insns_sz = 12;/' "$h" > "$T/$g-odd.h"
		no_output "$g: insns_sz not a multiple of 8" 'multiple of 8' "$T/$g-odd.h"
	done
	echo keep > "$T/keep.payload"
	check "a failing run leaves an existing output as it was" \
		bash -c "! '$EXTRACT_SKEL' '$T/garbage.h' '$T/keep.payload' 2>/dev/null &&
			 [ \"\$(cat '$T/keep.payload')\" = keep ]"
	if ! command -v strace > /dev/null; then
		skip "extract-skel makes no bpf() call: strace not installed"
	else
	check "extract-skel makes no bpf() call (seccomp in the capture program)" \
		bash -c "strace -f -e trace=bpf -o '$T/strace.log' '$EXTRACT_SKEL' '$T/${gens[0]}.lskel.h' '$T/s.payload' &&
			 ! grep -q 'bpf(BPF_[A-Z_]*,.*= [0-9]' '$T/strace.log'"
	fi
fi

# The payload signs and verifies end to end.
if [ ${#gens[@]} -gt 0 ]; then
	make_key "$T/k"
	g=${gens[0]}
	cp "$T/$g.loader" "$T/signed-loader"
	check "$g: sign the compiled loader with the extracted payload, --verify accepts" \
		bash -c "'$EXTRACT_SKEL' '$T/$g.lskel.h' '$T/p' &&
			 '$SIGN_EBPF' sha256 '$T/k/key.pem' '$T/k/cert.pem' '$T/p' '$T/signed-loader' &&
			 '$SIGN_EBPF' --verify '$T/k/cert.pem' '$T/cap-$g/payload' '$T/signed-loader'"
	check "$g: --verify straight from the .lskel.h (extract-skel.sh to /dev/stdout)" \
		bash -c "'$SIGN_EBPF' --verify '$T/k/cert.pem' \
			<('$EXTRACT_SKEL' '$T/$g.lskel.h' /dev/stdout) '$T/signed-loader'"
	echo old > "$T/target"
	ln -s target "$T/link"
	check "$g: a symbolic link as output is written through, not replaced" \
		bash -c "'$EXTRACT_SKEL' '$T/$g.lskel.h' '$T/link' && [ -L '$T/link' ] &&
			 cmp '$T/target' '$T/cap-$g/payload'"
fi

done_testing
