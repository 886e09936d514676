#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# seeds.sh <out-dir>: write the seed inputs of the fuzz targets, one
# directory per target, from the same kinds of files the tests use:
# loaders signed by sign-ebpf (one signature, tables of 2, 3 and 16, other
# digests and an ECDSA key), the selftests' crafted PKCS#7 blobs
# (tools/testing/selftests/hornet/gen_blobs.sh), and the payloads of real
# light skeletons (tests/host/hornet_skel.bpf.c and the selftests' BPF
# programs, through bpftool gen skeleton -L and extract-skel.sh), plus a
# few programs and sizes made here at the limits.  Environment: SIGN_EBPF
# (a sign-ebpf binary, required), BPFTOOL (default /usr/sbin/bpftool).
# Light skeletons are skipped, with a note, when clang or bpftool is
# missing.  Takes a few seconds; the output is only written to <out-dir>.

set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:?usage: seeds.sh <out-dir>}
SIGN_EBPF=${SIGN_EBPF:?SIGN_EBPF must name a sign-ebpf binary}
BPFTOOL=${BPFTOOL:-/usr/sbin/bpftool}
W=$(mktemp -d "${TMPDIR:-/tmp}/hornet-seeds.XXXXXX")
trap 'rm -rf "$W"' EXIT

TARGETS="hornet_sig hornet_insns hornet_payload sign_sig sign_der"
for t in $TARGETS; do mkdir -p "$OUT/$t"; done

le32() { perl -e 'print pack("V*", @ARGV)' "$@"; }
le64() { perl -e 'print pack("Q<*", @ARGV)' "$@"; }
size() { stat -c %s "$1"; }

# ---- signed loaders ------------------------------------------------------

openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 \
	-subj "/CN=hornet fuzz seeds" -keyout "$W/key.pem" -out "$W/cert.pem" 2> /dev/null
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-sha256 -days 36500 -subj "/CN=hornet fuzz seeds ec" \
	-keyout "$W/ec.pem" -out "$W/eccert.pem" 2> /dev/null
LOADER_LEN=3000
perl -e 'print substr("an unsigned loader\n" x 200, 0, $ARGV[0])' $LOADER_LEN > "$W/loader"
for i in $(seq 0 15); do printf 'payload %d\n' "$i" > "$W/p$i"; done

sign() { "$SIGN_EBPF" "$@" > /dev/null; }
cp "$W/loader" "$W/single"
sign sha256 "$W/key.pem" "$W/cert.pem" "$W/p0" "$W/single"
for h in sha384 sha512; do
	cp "$W/loader" "$W/single-$h"
	sign "$h" "$W/key.pem" "$W/cert.pem" "$W/p0" "$W/single-$h"
done
cp "$W/loader" "$W/single-ec"
sign sha256 "$W/ec.pem" "$W/eccert.pem" "$W/p0" "$W/single-ec"
cp "$W/single" "$W/table"
for i in $(seq 1 15); do
	sign --add sha256 "$W/key.pem" "$W/cert.pem" "$W/p$i" "$W/table"
	case $i in 1 | 2 | 15) cp "$W/table" "$W/table$((i + 1))" ;; esac
done
sign -d sha256 "$W/key.pem" "$W/cert.pem" "$W/p0" "$W/detached"

# The end of each loader: the last 674 bytes (all the kernel reads), the
# rest as a hole; and, when small, everything after the unsigned loader,
# with and without the loader before it.
for f in single single-sha384 single-sha512 single-ec table2 table3 table16; do
	n=$(size "$W/$f")
	k=$((n < 674 ? n : 674))
	{ le64 $((n - k)); tail -c "$k" "$W/$f"; } > "$OUT/hornet_sig/$f"
	cp "$OUT/hornet_sig/$f" "$OUT/sign_sig/$f"
	if [ $((n - LOADER_LEN)) -le 4096 ]; then
		{ le64 $LOADER_LEN; tail -c +$((LOADER_LEN + 1)) "$W/$f"; } > "$OUT/sign_sig/$f-whole"
		# The signatures alone: nothing before the first one.
		{ le64 0; tail -c +$((LOADER_LEN + 1)) "$W/$f"; } > "$OUT/sign_sig/$f-bare"
	fi
done
# A table whose file is shorter than the 674 bytes the kernel reads.
{ le64 0; tail -c $((674 - 2 * 40 + 3)) "$W/table3"; } > "$OUT/hornet_sig/table3-short"
le64 0 > "$OUT/hornet_sig/empty"
cp "$OUT/hornet_sig/empty" "$OUT/sign_sig/empty"

# ---- PKCS#7 blobs ------------------------------------------------------------

cp "$W/detached.p7s" "$OUT/sign_der/rsa-sha256"
sign -d sha256 "$W/ec.pem" "$W/eccert.pem" "$W/p0" "$W/detached-ec"
cp "$W/detached-ec.p7s" "$OUT/sign_der/ec-sha256"
sign -d -k sha512 "$W/key.pem" "$W/cert.pem" "$W/p0" "$W/detached-keyid"
cp "$W/detached-keyid.p7s" "$OUT/sign_der/rsa-sha512-keyid"
if sh "$ROOT/tools/testing/selftests/hornet/gen_blobs.sh" "$W/blobs" "$W/blobwork" \
	"$W/p0" "$W/key.pem" "$W/cert.pem" > "$W/blobs.log" 2>&1; then
	for b in "$W"/blobs/*.der; do
		[ "$(size "$b")" -le 8192 ] && cp "$b" "$OUT/sign_der/$(basename "$b" .der)"
	done
else
	echo "seeds: gen_blobs.sh failed, its blobs are missing:" >&2
	cat "$W/blobs.log" >&2
fi

# ---- light-skeleton payloads ----------------------------------------------------

# insn LIST: instructions, each "code src dst off imm".
insn() { perl -e 'while (@ARGV) { my ($c, $s, $d, $o, $i) = splice(@ARGV, 0, 5);
	print pack("CCs<l<", $c, ($s << 4) | $d, $o, $i) }' "$@"; }
ld64() { insn 0x18 "$1" 1 0 "$2" 0 0 0 0 "${3:-0}"; }	# src imm [imm2]
exit_insn() { insn 0x95 0 0 0 0; }

# payload_seeds NAME PAYLOAD: the instructions of a payload, and its sizes.
payload_seeds() {
	local p=$2 cnt nr vs me
	cnt=$(od -An -tu4 -j24 -N4 "$p" | tr -d ' ')
	nr=$(od -An -tu4 -j28 -N4 "$p" | tr -d ' ')
	tail -c $((cnt * 8)) "$p" > "$OUT/hornet_insns/$1"
	vs=$(od -An -tu4 -j$((32 + 8)) -N4 "$p" | tr -d ' ')
	me=$(od -An -tu4 -j$((32 + 12)) -N4 "$p" | tr -d ' ')
	# insn_cnt, nr_maps, the map's size; the loader's attributes:
	# BPF_PROG_TYPE_SYSCALL, insn_cnt, ..., prog_flags BPF_F_SLEEPABLE.
	{ le32 "$cnt" "$nr"; le64 $((vs * me)); le32 31 "$cnt"; le64 0 0;
	  le32 0 0; le64 0; le32 0 16; } > "$OUT/hornet_payload/$1"
}

skels=0
if command -v clang > /dev/null && [ -x "$BPFTOOL" ]; then
	for src in "$ROOT/tests/host/hornet_skel.bpf.c" \
		   "$ROOT"/tools/testing/selftests/hornet/hornet_*.bpf.c; do
		n=$(basename "$src" .bpf.c)
		if clang -g -O2 -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
			-c "$src" -o "$W/$n.bpf.o" 2> "$W/$n.log" &&
		   "$BPFTOOL" gen skeleton -L "$W/$n.bpf.o" name "$n" > "$W/$n.lskel.h" 2>> "$W/$n.log" &&
		   SRCTREE=/nonexistent "$ROOT/scripts/hornet/extract-skel.sh" \
			"$W/$n.lskel.h" "$W/$n.payload" 2>> "$W/$n.log"; then
			payload_seeds "$n" "$W/$n.payload"
			skels=$((skels + 1))
		fi
	done
fi
[ "$skels" -gt 0 ] || echo "seeds: no light skeleton built (clang, $BPFTOOL, libbpf-dev?)" >&2

# Programs at the limits: 64 and 65 distinct fd_array indexes (descending),
# every kind of BPF_LD_IMM64, a kfunc call, the largest index.
for n in 64 65; do
	for i in $(seq $((n - 1)) -1 0); do ld64 5 "$i"; done > "$W/refs$n"
	{ cat "$W/refs$n"; exit_insn; } > "$OUT/hornet_insns/refs$n"
done
{ ld64 1 5; ld64 5 1; ld64 6 0; ld64 2 3; ld64 4 2; ld64 3 7; ld64 0 9 9
  insn 0x85 2 0 0 7; ld64 5 65535; exit_insn; } > "$OUT/hornet_insns/kinds"
{ exit_insn; insn 0x18 1 1 0 3; } > "$OUT/hornet_insns/truncated"

# Sizes at the limits: exactly 16 MiB signed, one byte over, 64 and 65 maps.
{ le32 1 1; le64 $((16 * 1024 * 1024 - 8)); le32 31 1; } > "$OUT/hornet_payload/cap"
{ le32 1 1; le64 $((16 * 1024 * 1024 - 7)); le32 31 1; } > "$OUT/hornet_payload/over"
{ le32 2 64; for i in $(seq 64); do le64 1; done; } > "$OUT/hornet_payload/maps64"
{ le32 2 65; for i in $(seq 65); do le64 1; done; } > "$OUT/hornet_payload/maps65"

for t in $TARGETS; do
	echo "seeds: $t: $(find "$OUT/$t" -type f | wc -l) files"
done
