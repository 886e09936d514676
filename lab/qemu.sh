#!/usr/bin/env bash
# Boot the test kernel + initramfs in QEMU: qemu.sh demo|check|stress|faults|bench.
#
# demo: one boot running demo.sh; non-zero on timeout or if it failed.
# check: three boots, each with the parameters its suites need (lab/init):
#   check     hornet.enforce=0: rollout tests, (kernels with fault
#             injection) the fault tests, then run_kselftest.sh -c hornet:
#             the main kselftests and the stress test
#   lockdown  lockdown=integrity hornet.enforce=0
#   boot      no hornet.enforce= (the Kconfig default), audit=0
# Each suite's TAP goes to $HORNET_CACHE/build/tap/vm-<suite>.tap (the main
# suite to vm.tap; with HORNET_DEBUG=1 vm-<suite>-debug.tap, vm-debug.tap);
# the serial log of each boot is kept. Non-zero on a timeout, missing
# markers, any "not ok", or a kernel warning or checker report in any boot
# (also recorded as vm-kernel.tap, vm-kernel-debug.tap).
# stress: one enforcing boot running only the stress test, with
#   HORNET_STRESS_ITER (default 5000) iterations per worker.
# faults: one enforcing boot running only the fault-injection tests (a
#   kernel with fault injection: HORNET_DEBUG=1).
# bench: two boots of the same kernel and initramfs running only the
#   benchmark (lab/bench.sh reads their logs): bench-base with hornet left
#   out of lsm=, then bench-hornet with it; both quiet, the console showing
#   only the benchmark's progress lines. HORNET_BENCH_BATCHES: batches per
#   case (default 9).
# HORNET_STRESS_ITER: iterations per stress worker (check: 400, on the
# debug kernel 100).
set -euo pipefail
. "$(dirname "$0")/common.sh"

MODE=${1:-check}
KERNEL=$KBUILD/arch/x86/boot/bzImage
INITRD=$BUILD/initramfs.cpio.gz
TIMEOUT=${HORNET_VM_TIMEOUT:-1200}
suffix=
if [ "${HORNET_DEBUG:-0}" = 1 ]; then   # KASAN/lockdep under TCG: ~10x slower
	suffix=-debug
	TIMEOUT=${HORNET_VM_TIMEOUT:-3600}
fi
[ -f "$KERNEL" ] || die "qemu: $KERNEL missing (make kernel)"
[ -f "$INITRD" ] || die "qemu: $INITRD missing (make initramfs)"

# Only name LSMs that this kernel has.
lsms=capability
grep -qx CONFIG_SECURITY_LOCKDOWN_LSM=y "$KBUILD/.config" && lsms+=,lockdown
grep -qx CONFIG_SECURITY_SELINUX=y "$KBUILD/.config" && lsms+=,selinux
grep -qx CONFIG_BPF_LSM=y "$KBUILD/.config" && lsms+=,bpf
grep -qx CONFIG_SECURITY_HORNET=y "$KBUILD/.config" && lsms+=,hornet
base="console=ttyS0 panic=-1 tsc=reliable lsm=$lsms"
# A KASAN report must not pass silently: panic, so the TAP end marker is missing.
grep -qx CONFIG_KASAN=y "$KBUILD/.config" && base+=" kasan.fault=panic"
[ -z "$suffix" ] || base+=" hornet.debug_kernel=1"
grep -qx CONFIG_FAULT_INJECTION=y "$KBUILD/.config" && base+=" hornet.faults=1"
stress=${HORNET_STRESS_ITER:-400}
[ -z "$suffix" ] || stress=${HORNET_STRESS_ITER:-100}
[ "$MODE" != stress ] || stress=${HORNET_STRESS_ITER:-5000}
base+=" hornet.stress_iter=$stress"

mkdir -p "$TAP_DIR"
logs=()

# boot NAME EXTRA-PARAMETERS [MODE]: one VM run with hornet.mode=MODE
# (default NAME). With BOOT_FILTER set, only the serial lines it matches
# (grep -E) are shown while the VM runs; the log keeps all of them.
boot() {
	local name=$1 params=$2 mode=${3:-$1} log=$BUILD/vm-$1$suffix.log rc=0 start qpid
	: > "$log"
	logs+=("$log")
	say "qemu: $name boot (accel ${HORNET_ACCEL:-tcg}, timeout $TIMEOUT s, $params), serial log $log"
	start=$(date +%s)
	# Two sockets: without ACPI, SeaBIOS describes one CPU per socket.
	timeout "$TIMEOUT" ${QEMU_NICE:+nice -n "$QEMU_NICE"} qemu-system-x86_64 -accel "${HORNET_ACCEL:-tcg}" \
		-m 2048 -smp 2,sockets=2,cores=1,threads=1 -no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "$base hornet.mode=$mode $params ${HORNET_APPEND:-}" \
		-serial file:"$log" -monitor none -display none -vga none </dev/null &
	qpid=$!
	if [ -n "${BOOT_FILTER:-}" ]; then
		tail -n +1 -f --pid=$qpid "$log" | grep --line-buffered -E "$BOOT_FILTER" || true
	else
		tail -n +1 -f --pid=$qpid "$log" || true
	fi
	wait $qpid || rc=$?
	say "qemu: $name boot exited with $rc after $(( $(date +%s) - start )) s"
	[ $rc -ne 124 ] || die "qemu: VM timed out after $TIMEOUT s ($log)"
	[ $rc -eq 0 ] || die "qemu: exit code $rc ($log)"
}

# extract LOG SUITE FILE: the TAP between the suite's markers.
extract() {
	grep -q "^==== HORNET TAP END $2 ====" "$1" || die "qemu: TAP markers of $2 missing in $1"
	tr -d '\r' < "$1" | sed -n "/^==== HORNET TAP BEGIN $2 ====\$/,/^==== HORNET TAP END $2 ====\$/p" |
		sed '1d;$d' > "$3"
	say "qemu: $2: TAP in $3"
}

if [ "$MODE" = demo ]; then
	boot demo ""
	grep -q 'hornet-init: demo exit 0' "${logs[0]}" || die "qemu: the demo did not succeed (see ${logs[0]})"
	exit 0
fi

if [ "$MODE" = bench ]; then
	[[ ,$lsms, == *,hornet,* ]] || die "qemu: bench: this kernel has no Hornet"
	full=$base
	# Without ACPI the guest finds no HPET or PM timer to calibrate the TSC
	# against, marks it unstable and keeps time in 4 ms jiffies. Under TCG
	# the guest's TSC is the host's: give the guest its rate.
	khz=${HORNET_TSC_KHZ:-}
	if [ -z "$khz" ]; then
		cc -O2 -o "$BUILD/tsc-khz" -x c - <<'EOF'
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>
int main(void)
{
	struct timespec a, b;
	unsigned long long t0, t1;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	} while (ns < 3e8);
	t1 = __rdtsc();
	printf("%.0f\n", (t1 - t0) / ns * 1e6);
	return 0;
}
EOF
		khz=$("$BUILD/tsc-khz")
	fi
	say "qemu: bench: guest TSC at $khz kHz (the host's)"
	# no_hash_pointers: the trace events' addresses, which hornet_bench peak
	# matches allocations and frees by, print as "(____ptrval____)" until
	# the guest's RNG is seeded, which under TCG can take minutes.
	params="quiet tsc_early_khz=$khz clocksource=tsc no_hash_pointers${HORNET_BENCH_BATCHES:+ hornet.bench_batches=$HORNET_BENCH_BATCHES}"
	BOOT_FILTER='hornet-bench: (progress|begin|end|error|unsigned)|hornet-init: (mode|done)'
	# The same command line but for lsm=: hornet is not initialised at all.
	base=${full/lsm=$lsms/lsm=${lsms/,hornet/}}
	# HORNET_BENCH_NICE (e.g. -5): QEMU's priority, on a host shared with
	# builds; both boots alike.
	QEMU_NICE=${HORNET_BENCH_NICE:-}
	boot bench-base "$params" bench
	base=$full
	boot bench-hornet "$params" bench
	for log in "${logs[@]}"; do
		grep -q '^==== HORNET BENCH END ====' "$log" ||
			die "qemu: bench: end marker missing in $log"
	done
	exit 0
fi

tap() { echo "$TAP_DIR/$1$suffix.tap"; }
if [ "$MODE" = stress ] || [ "$MODE" = faults ]; then
	boot "$MODE" ""
	extract "${logs[0]}" "$MODE" "$(tap "$MODE")"
	! grep -q '^[[:space:]#]*not ok' "$(tap "$MODE")" || die "qemu: $MODE tests failed ($(tap "$MODE"))"
	bad=$(grep -hE '(WARNING|BUG):|UBSAN:|KASAN:|possible circular locking|sleeping function called|hornet-init: kmemleak: [1-9]' "${logs[@]}" || true)
	[ -z "$bad" ] || die "qemu: kernel report during the $MODE tests: $bad"
	grep -h 'loads (\| sites: ' "$(tap "$MODE")" || true
	exit 0
fi
boot check "hornet.enforce=0"
extract "${logs[0]}" rollout "$(tap vm-rollout)"
extract "${logs[0]}" vm "$(tap vm)"
suites="vm-rollout vm"
if [[ $base == *hornet.faults=1* ]]; then
	extract "${logs[0]}" faults "$(tap vm-faults)"
	suites+=" vm-faults"
fi
boot lockdown "lockdown=integrity hornet.enforce=0"
extract "${logs[1]}" lockdown "$(tap vm-lockdown)"
boot boot "audit=0"
extract "${logs[2]}" boot "$(tap vm-boot)"
suites+=" vm-lockdown vm-boot"

failed=0
for t in $suites; do
	if grep -q '^[[:space:]#]*not ok' "$(tap "$t")"; then
		say "qemu: $t$suffix: tests failed (not ok in $(tap "$t"))"
		failed=1
	fi
done
# Kernel reports fail the run even when every test passed: one more TAP
# result, in vm-kernel.tap, for make check's summary.
bad=$(grep -hE '(WARNING|BUG):|UBSAN:|KASAN:|possible circular locking|sleeping function called|hornet-init: kmemleak: [1-9]' "${logs[@]}" || true)
if [ -z "$bad" ]; then
	printf 'ok 1 - no kernel warning, checker or kmemleak report\n1..1\n' > "$(tap vm-kernel)"
	say "qemu: no kernel warning, checker or kmemleak report"
else
	{ echo "not ok 1 - kernel warning, checker or kmemleak report"
	  echo "$bad" | sed 's/^/# /'; echo "1..1"; } > "$(tap vm-kernel)"
	say "qemu: kernel warning, checker or kmemleak report in ${logs[*]}"
	failed=1
fi
[ $failed -eq 0 ] || die "qemu: VM tests failed"
