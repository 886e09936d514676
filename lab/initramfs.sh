#!/usr/bin/env bash
# Build the VM's initramfs: static busybox with applet links, lab/init as
# /init, the installed kselftests ($KSFT_INSTALL: run_kselftest.sh, its
# kselftest/ helpers, kselftest-list.txt and hornet/) under /kselftest, with
# /hornet a link to /kselftest/hornet, and coreutils' timeout as
# /usr/bin/timeout (with the libraries it links), the one the kselftest
# runner looks for to apply the settings file's timeout.
set -euo pipefail
. "$(dirname "$0")/common.sh"

BUSYBOX=${BUSYBOX:-/bin/busybox}
OUT=$BUILD/initramfs.cpio.gz
root=$BUILD/initramfs
[ -x "$BUSYBOX" ] || die "initramfs: $BUSYBOX missing (make deps)"
[ -x /usr/bin/timeout ] || die "initramfs: /usr/bin/timeout missing (coreutils)"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,root,usr/bin}
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 755 "$REPO/lab/init" "$root/init"
# A dynamic executable with the libraries ldd names, at the same paths.
cp /usr/bin/timeout "$root/usr/bin/timeout"
for lib in $(ldd /usr/bin/timeout | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
if [ -x "$KSFT_INSTALL/run_kselftest.sh" ] && [ -d "$KSFT_INSTALL/hornet" ]; then
	rsync -a "$KSFT_INSTALL/" "$root/kselftest/"
	ln -s kselftest/hornet "$root/hornet"
	say "initramfs: $(find "$root/kselftest" -type f | wc -l) kselftest files"
else
	mkdir -p "$root/hornet"
	say "initramfs: WARNING: $KSFT_INSTALL has no run_kselftest.sh and hornet/, no selftests in the VM"
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "initramfs: $OUT ($(du -h "$OUT" | cut -f1))"
