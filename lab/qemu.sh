#!/usr/bin/env bash
# Boot the test kernel + initramfs in QEMU: qemu.sh demo|check. The serial log is
# kept; in check mode the TAP between the markers goes to $HORNET_CACHE/build/tap/vm.tap
# and the exit code is non-zero on timeout, missing markers or any "not ok";
# in demo mode it is non-zero on timeout or if demo.sh failed.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MODE=${1:-check}
KERNEL=$KBUILD/arch/x86/boot/bzImage
INITRD=$BUILD/initramfs.cpio.gz
LOG=$BUILD/vm-$MODE.log
TIMEOUT=${HORNET_VM_TIMEOUT:-600}
if [ "${HORNET_DEBUG:-0}" = 1 ]; then   # KASAN/lockdep under TCG: ~10x slower
	LOG=$BUILD/vm-$MODE-debug.log
	TIMEOUT=${HORNET_VM_TIMEOUT:-1800}
fi
[ -f "$KERNEL" ] || die "qemu: $KERNEL missing (make kernel)"
[ -f "$INITRD" ] || die "qemu: $INITRD missing (make initramfs)"

# Only name LSMs that this kernel has.
lsms=capability
grep -qx CONFIG_SECURITY_LOCKDOWN_LSM=y "$KBUILD/.config" && lsms+=,lockdown
grep -qx CONFIG_SECURITY_HORNET=y "$KBUILD/.config" && lsms+=,hornet
append="console=ttyS0 panic=-1 lsm=$lsms hornet.mode=$MODE"
# A KASAN report must not pass silently: panic, so the TAP end marker is missing.
grep -qx CONFIG_KASAN=y "$KBUILD/.config" && append+=" kasan.fault=panic"
append+=" ${HORNET_APPEND:-}"

mkdir -p "$TAP_DIR"
: > "$LOG"
say "qemu: $MODE run (accel ${HORNET_ACCEL:-tcg}, timeout $TIMEOUT s), serial log $LOG"
start=$(date +%s)
rc=0
timeout "$TIMEOUT" qemu-system-x86_64 -accel "${HORNET_ACCEL:-tcg}" \
	-m 2048 -smp 2 -no-reboot -kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
	-serial file:"$LOG" -monitor none -display none -vga none </dev/null &
qpid=$!
tail -n +1 -f --pid=$qpid "$LOG" || true
wait $qpid || rc=$?
say "qemu: exited with $rc after $(( $(date +%s) - start )) s, serial log $LOG"
[ $rc -ne 124 ] || die "qemu: VM timed out after $TIMEOUT s"
[ $rc -eq 0 ] || die "qemu: exit code $rc"
if [ "$MODE" = demo ]; then
	grep -q 'hornet-init: demo exit 0' "$LOG" || die "qemu: the demo did not succeed (see $LOG)"
	exit 0
fi

grep -q '^==== HORNET TAP END ====' "$LOG" || die "qemu: TAP markers missing in $LOG"
tr -d '\r' < "$LOG" | sed -n '/^==== HORNET TAP BEGIN ====$/,/^==== HORNET TAP END ====$/p' |
	sed '1d;$d' > "$TAP_DIR/vm.tap"
say "qemu: TAP in $TAP_DIR/vm.tap"
! grep -q '^[[:space:]#]*not ok' "$TAP_DIR/vm.tap" || die "qemu: VM tests failed (not ok in $TAP_DIR/vm.tap)"
# Kernel reports fail the run even when every test passed: one more TAP
# result, in vm-kernel.tap, for make check's summary.
bad=$(grep -E '(WARNING|BUG):|UBSAN:|KASAN:|possible circular locking|sleeping function called|hornet-init: kmemleak: [1-9]' "$LOG" || true)
if [ -z "$bad" ]; then
	printf 'ok 1 - no kernel warning, checker or kmemleak report\n1..1\n' > "$TAP_DIR/vm-kernel.tap"
	say "qemu: no kernel warning, checker or kmemleak report"
else
	{ echo "not ok 1 - kernel warning, checker or kmemleak report"
	  echo "$bad" | sed 's/^/# /'; echo "1..1"; } > "$TAP_DIR/vm-kernel.tap"
	die "qemu: kernel warning, checker or kmemleak report in $LOG"
fi

