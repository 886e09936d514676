#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every Hornet benchmark case once, in the VM (lab/init runs it with
# hornet.mode=bench; lab/bench.sh boots twice, with and without hornet in
# lsm=, and compares). Prints "hornet-bench: progress ..." before each step
# and hornet_bench's measurement lines. HORNET_BENCH_BATCHES batches per
# case (default 9).
cd "$(dirname "$0")" || exit 1
B=${HORNET_BENCH_BATCHES:-9}
lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
hornet=0
case ",$lsm," in *,hornet,*) hornet=1 ;; esac
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
cpus=$(cat /sys/devices/system/cpu/online)
lavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' /; }
echo "hornet-bench: begin lsm=$lsm hornet=$hornet cpus=$cpus clock=$clock batches=$B" \
	"loadavg=$(lavg)"
failed=0

# step NAME COMMAND...: one benchmark step, announced first.
step() {
	name=$1
	shift
	echo "hornet-bench: progress $name"
	"$@" || { echo "hornet-bench: error: $name: exit $?"; failed=1; }
}

# Is the baseline a baseline? An unsigned load must pass without Hornet
# and be refused with it.
./hornet_bench unsigned

# Light skeletons: open + load + destroy, N per batch.
step "lskel-counter" ./bench/lskel-counter.signed load lskel-counter "$B" 10
step "lskel-atomics" ./bench/lskel-atomics.signed load lskel-atomics "$B" 10

# Raw signed programs: BPF_PROG_LOAD alone, maps of growing size.
step "raw-nomap" ./bench/raw-nomap.signed load raw-nomap "$B" 40
for c in 64:40 4096:40 65536:20 1048576:5 4194304:3 15728640:2; do
	step "raw-map-${c%:*}" ./bench/raw-map-${c%:*}.signed load raw-map-${c%:*} "$B" "${c#*:}"
done

# The same raw program from executables of 1 MiB to 1 GiB (sparse, on
# tmpfs), signed by raw-nomap's trailer at their end; one batch of each
# size in turn, so that a slow phase of the host hits every size alike.
# exe_batches TAG: the B rounds.
exe_sizes="1048576 8388608 67108864 536870912 1073741824"
for s in $exe_sizes; do
	./hornet_bench mkexe ./hornet_bench ./bench/raw-nomap.trailer "$s" /tmp/hornet_bench.$s
done
exe_batches() {
	echo "hornet-bench: progress executables of 1 MiB to 1 GiB $1"
	i=0
	while [ $i -lt "$B" ]; do
		for s in $exe_sizes; do
			/tmp/hornet_bench.$s load raw-nomap 1 40 | sed "s/ batch=0 / batch=$i /" ||
				echo "hornet-bench: error: exe-$s: exit $?"
		done
		i=$((i + 1))
	done
}
exe_batches ""

# The unavoidable work, in the same VM: SHA-256 of 1 MiB in the kernel,
# and one PKCS#7 verification of each case's signature (minus adding a
# plain key of the same payload).
step "sha256" ./hornet_bench sha256 1048576 "$B" 3
for c in raw-nomap raw-map-64 lskel-counter lskel-atomics; do
	step "pkcs7-$c" ./hornet_bench pkcs7 "$c" "bench/$c.p7m" "bench/$c.payload" "$B" 20
done

# Kernel memory: slab and vmalloc before and after K loads kept loaded,
# and the peak of what one load allocates (trace events).
# (The 1 MiB maps last: their frees run late and would land in the next
# case's window.)
for c in raw-nomap:64 raw-map-64:64 lskel-counter:16 raw-map-1048576:16; do
	step "mem-${c%:*}" ./bench/${c%:*}.signed mem "${c%:*}" "${c#*:}"
done
for c in raw-nomap raw-map-64 raw-map-1048576 lskel-counter; do
	step "peak-$c" ./bench/$c.signed peak "$c" 5
done

# With Hornet: where the time of its hooks goes (function_graph tracer),
# and the loads again without an audit record for each accepted check.
if [ $hornet = 1 ]; then
	for c in raw-map-64:20 raw-map-1048576:3 lskel-counter:5; do
		step "profile-${c%:*}" ./bench/${c%:*}.signed profile "${c%:*}" "${c#*:}"
	done
fi
if [ $hornet = 1 ] && [ -w /sys/kernel/security/hornet/success_audit ]; then
	echo 0 > /sys/kernel/security/hornet/success_audit
	export HORNET_BENCH_TAG=noaudit
	step "lskel-counter noaudit" ./bench/lskel-counter.signed load lskel-counter "$B" 10
	step "lskel-atomics noaudit" ./bench/lskel-atomics.signed load lskel-atomics "$B" 10
	step "raw-nomap noaudit" ./bench/raw-nomap.signed load raw-nomap "$B" 40
	for c in 64:40 4096:40 65536:20 1048576:5; do
		m=raw-map-${c%:*}
		step "$m noaudit" ./bench/$m.signed load $m "$B" "${c#*:}"
	done
	exe_sizes="1048576 1073741824"
	exe_batches noaudit
	step "profile-raw-map-64 noaudit" ./bench/raw-map-64.signed profile raw-map-64 20
	unset HORNET_BENCH_TAG
	echo 1 > /sys/kernel/security/hornet/success_audit
fi
rm -f /tmp/hornet_bench.*
echo "hornet-bench: end failed=$failed loadavg=$(lavg)"
