#!/usr/bin/env bash
# Build the VM's initramfs: static busybox with applet links, lab/init as /init,
# and every file of $HORNET_CACHE/build/selftests under /hornet (except its
# tools/ folder: build-only files such as bpftool).
set -euo pipefail
. "$(dirname "$0")/common.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
OUT=$BUILD/initramfs.cpio.gz
root=$BUILD/initramfs
[ -x "$BUSYBOX" ] || die "initramfs: $BUSYBOX missing (make deps)"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,hornet}
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 755 "$REPO/lab/init" "$root/init"
if [ -d "$SELFTESTS_OUT" ] && [ -n "$(ls -A "$SELFTESTS_OUT")" ]; then
	rsync -a --exclude=/tools/ "$SELFTESTS_OUT/" "$root/hornet/"
	say "initramfs: $(find "$root/hornet" -type f | wc -l) selftest files"
else
	say "initramfs: WARNING: $SELFTESTS_OUT is empty, no selftests in the VM"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "initramfs: $OUT ($(du -h "$OUT" | cut -f1))"
