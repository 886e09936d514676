#!/usr/bin/env bash
# Boot the test kernel + initramfs in QEMU: qemu.sh demo|check.
#
# demo: one boot running demo.sh; non-zero on timeout or if it failed.
# check: three boots, each with the parameters its suites need (lab/init):
#   check     hornet.enforce=0: rollout tests, then the main kselftests
#   lockdown  lockdown=integrity hornet.enforce=0
#   boot      no hornet.enforce= (the Kconfig default), audit=0
# Each suite's TAP goes to $HORNET_CACHE/build/tap/vm-<suite>.tap (the main
# suite to vm.tap); the serial log of each boot is kept. Non-zero on a
# timeout, missing markers, any "not ok", or a kernel warning or checker
# report in any boot (also recorded as vm-kernel.tap).
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

mkdir -p "$TAP_DIR"
logs=()

# boot NAME EXTRA-PARAMETERS: one VM run with hornet.mode=NAME.
boot() {
	local name=$1 params=$2 log=$BUILD/vm-$1$suffix.log rc=0 start qpid
	: > "$log"
	logs+=("$log")
	say "qemu: $name boot (accel ${HORNET_ACCEL:-tcg}, timeout $TIMEOUT s, $params), serial log $log"
	start=$(date +%s)
	# Two sockets: without ACPI, SeaBIOS describes one CPU per socket.
	timeout "$TIMEOUT" qemu-system-x86_64 -accel "${HORNET_ACCEL:-tcg}" \
		-m 2048 -smp 2,sockets=2,cores=1,threads=1 -no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "$base hornet.mode=$name $params ${HORNET_APPEND:-}" \
		-serial file:"$log" -monitor none -display none -vga none </dev/null &
	qpid=$!
	tail -n +1 -f --pid=$qpid "$log" || true
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

boot check "hornet.enforce=0"
extract "${logs[0]}" rollout "$TAP_DIR/vm-rollout.tap"
extract "${logs[0]}" vm "$TAP_DIR/vm.tap"
boot lockdown "lockdown=integrity hornet.enforce=0"
extract "${logs[1]}" lockdown "$TAP_DIR/vm-lockdown.tap"
boot boot "audit=0"
extract "${logs[2]}" boot "$TAP_DIR/vm-boot.tap"

failed=0
for t in vm-rollout vm vm-lockdown vm-boot; do
	if grep -q '^[[:space:]#]*not ok' "$TAP_DIR/$t.tap"; then
		say "qemu: $t: tests failed (not ok in $TAP_DIR/$t.tap)"
		failed=1
	fi
done
# Kernel reports fail the run even when every test passed: one more TAP
# result, in vm-kernel.tap, for make check's summary.
bad=$(grep -hE '(WARNING|BUG):|UBSAN:|KASAN:|possible circular locking|sleeping function called|hornet-init: kmemleak: [1-9]' "${logs[@]}" || true)
if [ -z "$bad" ]; then
	printf 'ok 1 - no kernel warning, checker or kmemleak report\n1..1\n' > "$TAP_DIR/vm-kernel.tap"
	say "qemu: no kernel warning, checker or kmemleak report"
else
	{ echo "not ok 1 - kernel warning, checker or kmemleak report"
	  echo "$bad" | sed 's/^/# /'; echo "1..1"; } > "$TAP_DIR/vm-kernel.tap"
	say "qemu: kernel warning, checker or kmemleak report in ${logs[*]}"
	failed=1
fi
[ $failed -eq 0 ] || die "qemu: VM tests failed"
