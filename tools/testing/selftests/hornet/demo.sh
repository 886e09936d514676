#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hornet demo (busybox sh): the signed light-skeleton loader loads and its
# socket filter counts packets; the same loader without the signature is
# refused, and Hornet says why in the kernel log.

dir=$(dirname "$(readlink -f "$0")")
ret=0

echo "hornet demo: active LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"

echo "hornet demo: running the signed loader ($dir/hornet_counter_loader.signed)"
if "$dir/hornet_counter_loader.signed" run 16; then
	echo "hornet demo: signed loader: loaded and ran (exit 0)"
else
	echo "hornet demo: signed loader FAILED (exit $?)"
	ret=1
fi

echo "hornet demo: running the same loader without a signature ($dir/hornet_counter_loader)"
"$dir/hornet_counter_loader" run 16
rc=$?
if [ "$rc" -eq 61 ]; then
	echo "hornet demo: unsigned loader: refused with ENODATA ($rc), as documented"
else
	echo "hornet demo: unsigned loader: expected ENODATA (61), got exit $rc"
	ret=1
fi

echo "hornet demo: kernel log:"
dmesg | grep 'hornet:'
exit $ret
