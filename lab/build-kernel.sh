#!/usr/bin/env bash
# Build the test kernel (bzImage) out of tree in $KBUILD, incrementally.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ -f "$KBUILD/.config" ] || die "kernel: $KBUILD/.config missing (make config)"
say "kernel: building bzImage in $KBUILD with -j$(nproc)"
start=$(date +%s)
make -C "$LINUX" O="$KBUILD" -j"$(nproc)" bzImage 2>&1 |
	sed -u -E '/^make(\[[0-9]+\])?: (Entering|Leaving) directory/d'
say "kernel: $KBUILD/arch/x86/boot/bzImage ($(( $(date +%s) - start )) s)"
