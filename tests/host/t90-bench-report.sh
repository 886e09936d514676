#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lab/bench-report.py (make bench) on made-up logs: medians, ratios and
# goals in the table, every number in the CSV, a baseline that is not one
# flagged, plots written when gnuplot is there.

. "$(dirname "$0")/tap.sh"

REPORT=$HERE/../../lab/bench-report.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# payload NAME MAP_BYTES: a payload file with one map record (or none).
payload() {
	"$PY" - "$T/pl/$1.payload" "$2" <<'PYEOF'
import sys
path, nbytes = sys.argv[1], int(sys.argv[2])
n = 1 if nbytes else 0
hdr = b'HORNETPL' + (1).to_bytes(4, 'little') + (31).to_bytes(4, 'little') + \
    bytes(8) + (2).to_bytes(4, 'little') + n.to_bytes(4, 'little')
rec = (2).to_bytes(4, 'little') + (4).to_bytes(4, 'little') + \
    nbytes.to_bytes(4, 'little') + (1).to_bytes(4, 'little') + bytes(48)
open(path, 'wb').write(hdr + (rec if n else b'') + bytes(16))
PYEOF
}
mkdir -p "$T/pl"
payload raw-nomap 0
payload raw-map-64 64
payload lskel-counter 4096

# vmlog FILE HORNET LSM UNSIGNED LSKEL_NS MAP64_NS
vmlog() {
	{
		echo "[    1.0] hornet-bench: begin lsm=$3 hornet=$2 cpus=0-1 batches=3 loadavg=0.1/0.2/0.3"
		echo "hornet-bench: unsigned load: $4"
		for b in 0 1 2; do
			echo "hornet-bench: load case=lskel-counter bytes=0 exe=900000 tag=- batch=$b n=10 ns=$(($5 + (b - 1) * 100000))"
			echo "hornet-bench: load case=raw-map-64 bytes=64 exe=900000 tag=- batch=$b n=40 ns=$6"
			echo "hornet-bench: load case=raw-nomap bytes=0 exe=900000 tag=- batch=$b n=40 ns=$6"
			echo "hornet-bench: load case=raw-nomap bytes=0 exe=1048576 tag=- batch=$b n=40 ns=$6"
			echo "hornet-bench: load case=raw-nomap bytes=0 exe=1073741824 tag=- batch=$b n=40 ns=$6"
			echo "hornet-bench: sha256 case=sha256 bytes=1048576 batch=$b n=3 ns=20000000"
			echo "hornet-bench: pkcs7_test case=raw-map-64 bytes=128 batch=$b n=20 ns=900000"
			echo "hornet-bench: user case=raw-map-64 bytes=128 batch=$b n=20 ns=100000"
		done
		echo "hornet-bench: mem case=raw-map-64 bytes=64 k=64 slab_kb=1000,1064 sunreclaim_kb=1,2 vmalloc_kb=10,10"
		echo "hornet-bench: peak case=raw-map-64 bytes=64 rep=0 events=40 peak_bytes=50000 end_bytes=1000"
		echo "hornet-bench: end failed=0 loadavg=0.1/0.2/0.3"
	} | sed 's/$/\r/' > "$1"
}
vmlog "$T/base.log" 0 capability,bpf "accepted (0)" 10000000 100000
vmlog "$T/hornet.log" 1 capability,bpf,hornet "ENODATA (61)" 10300000 1100000
{
	echo "hornet-bench: hostload when=start nproc=2 loadavg=1/1/1"
	for r in 0 1 2; do
		echo "hornet-bench: host case=sign-ebpf file=payload run=$r ns=5000000"
		echo "hornet-bench: host case=sign-file file=payload run=$r ns=4500000"
	done
} > "$T/host.log"

run() {
	"$PY" "$REPORT" --base "$1" --hornet "$T/hornet.log" --host "$T/host.log" \
		--payloads "$T/pl" --out "$T/out"
}
check "report on a complete run" run "$T/base.log"
cp "$T/.out" "$T/table"
row() { grep -F "| $1 " "$T/table"; }
check "light skeleton: 10.0 -> 10.3 ms, 1.03x, goal met" \
	grep -Eq '^\| lskel-counter open\+load\+destroy \| 10\.000 \| 10\.300 \| 1\.03x \|.*\| met \| 2% / 2% \|$' "$T/table"
# (1.1 - 0.1) / (0.9 - 0.1 + 20 ms * (128 + 64) / 1 MiB) = 1.24
check "raw-map-64: extra/ref 1.24x, goal missed" \
	sh -c "grep -F '| raw-map-64 (map 64 B) load |' '$T/table' | grep -q '| 1.24x | extra <= 1.2x ref | MISSED |'"
check "1 GiB executable against 1 MiB: 1.00x" \
	sh -c "grep -F '| raw-nomap, 1 GiB exe vs 1 MiB exe |' '$T/table' | grep -q '| 1.00x |'"
check "signing: 5.0 against 4.5 ms, 1.11x" \
	sh -c "grep -F '| host: sign-ebpf vs sign-file (payload) |' '$T/table' | grep -q '| 1.11x | - | ratio <= 1.2x | met |'"
check "memory: 1 KiB kept per load, peak counted" \
	sh -c "grep -F '| raw-map-64 | 1024 | 1024 | 0 | 50000 | 50000 | 0 | - |' '$T/table'"
# Header + 3 batches x 8 lines x 2 boots + 2 mem + 2 peak + 6 host.
check "CSV: every number" test "$(wc -l < "$T/out/bench.csv")" -eq 59
check "bench.md is the table" cmp -s "$T/table" "$T/out/bench.md"
if command -v gnuplot > /dev/null; then
	check "plots written" test -s "$T/out/load-vs-map.png" -a -s "$T/out/load-vs-exe.png"
else
	skip "plots: gnuplot not installed (apt-get install gnuplot-nox)"
fi
sed 's/hornet=0/hornet=1/; s/lsm=capability,bpf /lsm=capability,bpf,hornet /' \
	"$T/base.log" > "$T/bad-base.log"
check_fail "a baseline with Hornet active is flagged" 'PROBLEM: base boot: hornet active' \
	run "$T/bad-base.log"
sed 's/unsigned load: accepted (0)/unsigned load: ENODATA (61)/' "$T/base.log" > "$T/bad-base.log"
check_fail "a baseline that refuses unsigned loads is flagged" \
	'PROBLEM: base boot: unsigned load not accepted' run "$T/bad-base.log"

done_testing
