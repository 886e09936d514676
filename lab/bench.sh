#!/usr/bin/env bash
# make bench: what Hornet costs. On the host, sign-ebpf against the tree's
# scripts/sign-file on the same payload and key; then two boots of the same
# test kernel and initramfs (lab/qemu.sh bench), without and with hornet in
# lsm=, each running tools/testing/selftests/hornet/hornet_bench.sh; then
# lab/bench-report.py prints the table with the ratios, the goals and the
# noise, and writes the raw numbers (CSV), the table (Markdown) and two
# plots (PNG, gnuplot) into $HORNET_CACHE/bench/.
#
# HORNET_BENCH_BATCHES: batches per case in the VM (default 9);
# HORNET_BENCH_HOST_RUNS: runs of each signer on the host (default 21).
set -euo pipefail
. "$(dirname "$0")/common.sh"

OUT=$HORNET_CACHE/bench
RUNS=${HORNET_BENCH_HOST_RUNS:-21}
start=$(date +%s)
mkdir -p "$OUT"
rm -f "$OUT"/*.csv "$OUT"/*.png "$OUT"/*.dat "$OUT"/*.log "$OUT"/*.md
host_load() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' /; }
echo "hornet-bench: hostload when=start nproc=$(nproc) loadavg=$(host_load)" > "$OUT/host.log"

# ---- host: sign-ebpf against sign-file -------------------------------
payload=$SELFTESTS_OUT/hornet_counter.payload
sign_ebpf=$SELFTESTS_OUT/tools/sign-ebpf
[ -s "$payload" ] && [ -x "$sign_ebpf" ] || die "bench: $payload or $sign_ebpf missing (make selftests)"
work=$BUILD/bench
rm -rf "$work"
mkdir -p "$work"
say "bench: host: building the tree's scripts/sign-file"
# The way Kbuild builds both host programs: -O2 and libcrypto.
cc -O2 -w -I"$LINUX/scripts" -o "$work/sign-file" "$LINUX/scripts/sign-file.c" \
	$(pkg-config --cflags --libs libcrypto)
key=$KEYS/signing_key.pem cert=$KEYS/signing_cert.pem

# time_ns CMD...: run CMD quietly, print how long it took in nanoseconds.
time_ns() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $((t1 - t0))
}

# Each run signs a fresh copy of the same file: the payload itself (what
# sign-file signs is the whole file; sign-ebpf signs the payload and
# appends to the file), and the real loader. Interleaved, so that a change
# of host load hits both.
say "bench: host: sign-ebpf and sign-file, $RUNS runs each (payload $(stat -c %s "$payload") bytes)"
loader=$SELFTESTS_OUT/hornet_counter_loader
for i in $(seq 0 $((RUNS - 1))); do
	for what in payload loader; do
		src=$payload
		[ $what = payload ] || src=$loader
		cp "$src" "$work/in"
		rm -f "$work/out.se" "$work/out.sf"
		t=$(time_ns "$sign_ebpf" sha256 "$key" "$cert" "$payload" "$work/in" "$work/out.se")
		echo "hornet-bench: host case=sign-ebpf file=$what run=$i ns=$t" >> "$OUT/host.log"
		t=$(time_ns "$work/sign-file" sha256 "$key" "$cert" "$work/in" "$work/out.sf")
		echo "hornet-bench: host case=sign-file file=$what run=$i ns=$t" >> "$OUT/host.log"
	done
done
# The two outputs carry the same RSA signature value (no signed attributes).
[ -s "$work/out.se" ] && [ -s "$work/out.sf" ] || die "bench: a signer wrote nothing"

# ---- VM: two boots -----------------------------------------------------
say "bench: two boots of $KBUILD/arch/x86/boot/bzImage (without, then with hornet in lsm=)"
echo "hornet-bench: hostload when=vm-start loadavg=$(host_load)" >> "$OUT/host.log"
"$REPO/lab/qemu.sh" bench
echo "hornet-bench: hostload when=vm-end loadavg=$(host_load)" >> "$OUT/host.log"

# ---- report -----------------------------------------------------------
cp "$BUILD/vm-bench-base.log" "$BUILD/vm-bench-hornet.log" "$OUT/"
/usr/bin/python3 "$REPO/lab/bench-report.py" --out "$OUT" \
	--base "$OUT/vm-bench-base.log" --hornet "$OUT/vm-bench-hornet.log" \
	--host "$OUT/host.log" --payloads "$SELFTESTS_OUT/bench" \
	--elapsed $(( $(date +%s) - start ))
say "bench: $OUT/bench.md, bench.csv, load-vs-map.png, load-vs-exe.png ($(( $(date +%s) - start )) s)"
