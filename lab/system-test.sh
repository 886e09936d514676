#!/usr/bin/env bash
# make system-test: boot a real Debian 12 (systemd) on a Hornet kernel.
#
#   1. packages: debootstrap, e2fsprogs, QEMU, clang (apt-get, if missing)
#   2. the assembled tree and keys: reused if present, else made
#      (base-tree.sh, assemble.sh, keys.sh)
#   3. kernel: lab/kernel.config + the selftests' config + lab/system.config,
#      built by config.sh/build-kernel.sh in $HORNET_CACHE/build/kernel-system
#   4. root filesystem: debootstrap bookworm (minbase + systemd + bpftool +
#      auditd) into $HORNET_CACHE/system/rootfs, once (stamp)
#   5. our files in it (lab/system-init as hornet-system-test.service, an
#      unsigned BPF object), then an ext4 image made with mke2fs -d
#   6. four QEMU boots (TCG, -smp 2, disk snapshot=on so each starts from
#      the same image): permissive (hornet.enforce=0), enforcing
#      (hornet.enforce=1), enforcing with the systemd drop-in that avoids
#      unsigned BPF (hornet.remedy=1), and enforcing with systemd on cgroup
#      v1 (systemd.unified_cgroup_hierarchy=0); each powers itself off
#   7. per boot, the collector's report in $HORNET_CACHE/system/results/,
#      a summary, and checks (exit status non-zero if one fails)
set -euo pipefail
. "$(dirname "$0")/common.sh"

SYS=$HORNET_CACHE/system
KSYS=$BUILD/kernel-system
ROOTFS=$SYS/rootfs
IMAGE=$SYS/rootfs.ext4
RESULTS=$SYS/results
SUITE=bookworm
PACKAGES=systemd-sysv,udev,dbus,bpftool,auditd
TIMEOUT=${HORNET_SYSTEM_TIMEOUT:-900}
BOOTS=${HORNET_SYSTEM_BOOTS:-"permissive enforcing remedy legacy"}
start_all=$(date +%s)
mkdir -p "$SYS" "$RESULTS"

# --- 1. packages --------------------------------------------------------------
missing=()
for p in debootstrap e2fsprogs qemu-system-x86 clang libbpf-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "system: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
# The Debian mirror apt uses here (deb822 or one-line sources).
MIRROR=${HORNET_MIRROR:-$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
	grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } |
	grep -E '/debian/?$' | head -n 1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# --- 2. tree and keys (someone else's build may be using them: never redo) -------
git -C "$LINUX" rev-parse -q --verify refs/heads/hornet >/dev/null 2>&1 ||
	{ "$REPO/lab/base-tree.sh" && "$REPO/lab/assemble.sh"; }
[ -s "$KEYS/signing_cert.pem" ] && [ -s "$KEYS/blacklist.hashes" ] || "$REPO/lab/keys.sh"

# --- 3. kernel ----------------------------------------------------------------
HORNET_KBUILD=$KSYS HORNET_DEBUG=0 EXTRA_FRAGMENTS="$REPO/lab/system.config" "$REPO/lab/config.sh"
say "system: kernel in $KSYS (log: $SYS/kernel-build.log)"
HORNET_KBUILD=$KSYS HORNET_DEBUG=0 nice -n 10 "$REPO/lab/build-kernel.sh" > "$SYS/kernel-build.log" 2>&1 ||
	{ tail -n 30 "$SYS/kernel-build.log" >&2; die "system: kernel build failed (see $SYS/kernel-build.log)"; }
KERNEL=$KSYS/arch/x86/boot/bzImage
[ -f "$KERNEL" ] || die "system: $KERNEL missing (kernel build failed?)"

# --- 4. root filesystem ----------------------------------------------------------
stamp="$SUITE $PACKAGES $MIRROR minbase"
if [ "$(cat "$SYS/rootfs.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "system: debootstrap $SUITE ($PACKAGES) from $MIRROR"
	t=$(date +%s)
	rm -rf "$ROOTFS" "$ROOTFS.tmp" "$SYS/rootfs.stamp"
	nice -n 10 debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS.tmp" "$MIRROR" \
		> "$SYS/debootstrap.log" 2>&1 || { tail -n 20 "$SYS/debootstrap.log"; die "system: debootstrap failed ($SYS/debootstrap.log)"; }
	rm -rf "$ROOTFS.tmp/var/cache/apt/archives/"*.deb
	mv "$ROOTFS.tmp" "$ROOTFS"
	echo "$stamp" > "$SYS/rootfs.stamp"
	say "system: root filesystem in $ROOTFS ($(( $(date +%s) - t )) s, $(du -sh "$ROOTFS" | cut -f1))"
else
	say "system: reusing $ROOTFS ($(cat "$SYS/rootfs.stamp"))"
fi

# --- 5. our files, the image -----------------------------------------------------
# An unsigned BPF object of an ordinary type (socket filter) for bpftool prog load.
cat > "$SYS/unsigned.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int hornet_unsigned(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
EOF
clang -g -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$SYS/unsigned.bpf.c" -o "$SYS/unsigned.bpf.o"

# Everything we add to the Debian tree, staged in $SYS/overlay; the image is
# rebuilt only when the tree or the overlay changed.
O=$SYS/overlay
rm -rf "$O"
mkdir -p "$O/usr/local/share/hornet" "$O/usr/local/sbin" "$O/etc/systemd/system/multi-user.target.wants" \
	"$O/etc/systemd/system-generators"
install -m 644 "$SYS/unsigned.bpf.o" "$O/usr/local/share/hornet/unsigned.bpf.o"
install -m 755 "$REPO/lab/system-init" "$O/usr/local/sbin/hornet-system-test"
cat > "$O/etc/systemd/system/hornet-system-test.service" <<'UNIT'
[Unit]
Description=Hornet system test: report, then power off
[Service]
Type=simple
ExecStart=/usr/local/sbin/hornet-system-test
[Install]
WantedBy=multi-user.target
UNIT
ln -s ../hornet-system-test.service "$O/etc/systemd/system/multi-user.target.wants/hornet-system-test.service"
# The remedy, on the command line's request (hornet.remedy=1): a drop-in for
# every service that removes the settings systemd 252 implements with
# unsigned BPF programs (IP firewall and accounting: cgroup_skb; device
# policy: cgroup_device, which PrivateDevices= and ProtectClock= imply).
cat > "$O/etc/systemd/system-generators/hornet-remedy" <<'GENERATOR'
#!/bin/sh
grep -qw hornet.remedy=1 /proc/cmdline || exit 0
mkdir -p "$1/service.d"
cat > "$1/service.d/50-hornet-no-unsigned-bpf.conf" <<'DROPIN'
[Service]
IPAddressDeny=
IPAddressAllow=
IPAccounting=no
DeviceAllow=
DevicePolicy=auto
PrivateDevices=no
ProtectClock=no
DROPIN
GENERATOR
chmod 755 "$O/etc/systemd/system-generators/hornet-remedy"
echo hornet-system > "$O/etc/hostname"
printf '/dev/vda / ext4 rw 0 0\n' > "$O/etc/fstab"
ln -s /lib/systemd/system/multi-user.target "$O/etc/systemd/system/default.target"

img_stamp="$(cat "$SYS/rootfs.stamp") $( (cd "$O" && find . \( -type f -o -type l \) -printf '%p %l %m\n' |
	LC_ALL=C sort && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1)"
if [ ! -f "$IMAGE" ] || [ "$(cat "$IMAGE.stamp" 2>/dev/null)" != "$img_stamp" ]; then
	t=$(date +%s)
	rm -f "$IMAGE" "$IMAGE.stamp"
	cp -a --remove-destination "$O/." "$ROOTFS/"
	[ -s "$ROOTFS/etc/machine-id" ] || chroot "$ROOTFS" systemd-machine-id-setup >/dev/null
	mke2fs -q -t ext4 -L hornet-root -d "$ROOTFS" "$IMAGE.tmp" 2G
	mv "$IMAGE.tmp" "$IMAGE"
	echo "$img_stamp" > "$IMAGE.stamp"
	say "system: image $IMAGE ($(( $(date +%s) - t )) s, $(du -h "$IMAGE" | cut -f1) used)"
else
	say "system: reusing $IMAGE"
fi

# --- 6. boots -----------------------------------------------------------------
lsms=capability
grep -qx CONFIG_SECURITY_LOCKDOWN_LSM=y "$KSYS/.config" && lsms+=,lockdown
grep -qx CONFIG_BPF_LSM=y "$KSYS/.config" && lsms+=,bpf
lsms+=,hornet
declare -A boot_secs boot_rc
boot() { # boot NAME PARAMETERS
	local name=$1 params=$2 log=$RESULTS/$1.console report=$RESULTS/$1.report rc=0 t
	rm -f "$log" "$report"
	say "system: $name boot ($params), console $log, report $report, timeout $TIMEOUT s"
	t=$(date +%s)
	timeout "$TIMEOUT" qemu-system-x86_64 -accel "${HORNET_ACCEL:-tcg}" -m 2048 -smp 2 -no-reboot \
		-kernel "$KERNEL" -drive file="$IMAGE",format=raw,if=virtio,snapshot=on \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 tsc=reliable lsm=$lsms audit=1 audit_backlog_limit=8192 hornet.systest=$name $params" \
		-serial file:"$log" -serial file:"$report.raw" -monitor none -display none -vga none \
		-nic none </dev/null || rc=$?
	boot_secs[$name]=$(( $(date +%s) - t ))
	boot_rc[$name]=$rc
	tr -d '\r' < "$report.raw" > "$report" && rm -f "$report.raw"
	say "system: $name boot: QEMU exit $rc after ${boot_secs[$name]} s"
	[ $rc -ne 124 ] || say "system: $name boot TIMED OUT after $TIMEOUT s"
	return 0
}
for b in $BOOTS; do
	case $b in
	permissive) boot permissive "hornet.enforce=0" ;;
	enforcing)  boot enforcing "hornet.enforce=1" ;;
	remedy)     boot remedy "hornet.enforce=1 hornet.remedy=1" ;;
	legacy)     boot legacy "hornet.enforce=1 systemd.unified_cgroup_hierarchy=0" ;;
	*) die "system: unknown boot $b" ;;
	esac
done

# --- 7. summary and checks --------------------------------------------------------
# sect REPORT TITLE: the output of one section of a report.
sect() { awk -v t="==== $2" '$0 == t {p=1; next} /^==== / {p=0} p' "$1"; }
fails=0
check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then say "system: ok - $1"; else say "system: FAILED - $1"; fails=$((fails + 1)); fi
}
for b in $BOOTS; do
	r=$RESULTS/$b.report
	echo "---- $b: $(sect "$r" 'is-system-running' | tail -n1), $(sect "$r" 'systemd-analyze time' | head -n1)"
	echo "failed units: $(sect "$r" 'systemctl --failed' | awk '{print $1}' | xargs)"
	echo "hornet records: $(sect "$r" 'audit 1423 after boot' | grep -c . || true)," \
		"by exe/prog_type/verdict:"
	sect "$r" 'audit 1423 after boot' | grep -o 'op=[a-z]* verdict=[a-z]*\|exe="[^"]*"\|prog_type=[0-9]*' |
		paste - - - | sort | uniq -c | sed 's/^/    /'
	echo "counters: $(sect "$r" 'counters after boot' | xargs)"
	echo "IPAddressDeny=any, UDP to lo: $(sect "$r" 'feature IPAddressDeny=any' | paste -s -d' ')"
	echo "DevicePolicy=closed, read 512 bytes of /dev/vda: $(sect "$r" 'feature DevicePolicy=closed' | paste -s -d' ')"
	check "$b: the VM powered itself off (QEMU exit 0, no timeout)" test "${boot_rc[$b]}" = 0
	check "$b: report complete" grep -q "^==== HORNET SYSTEM TEST END $b" "$r"
	check "$b: multi-user.target active" test "$(sect "$r" multi-user.target | head -n1)" = active
done
for b in $BOOTS; do
	r=$RESULTS/$b.report
	want=1; [ "$b" = permissive ] && want=0
	check "$b: hornet.enforce is $want" test "$(sect "$r" enforce | head -n1)" = $want
	if [ $want = 1 ]; then
		check "$b: bpftool prog load of an unsigned object fails with EPERM" \
			grep -q 'Operation not permitted' <(sect "$r" 'bpftool prog load (unsigned)')
		check "$b: bpftool prog load exit status non-zero" \
			test "$(sect "$r" 'bpftool prog load (unsigned)' | tail -n1)" != "==== exit 0"
	fi
	check "$b: bpftool prog show works" grep -qx '==== exit 0' <(sect "$r" 'bpftool prog show'; awk '/^==== bpftool prog show$/{getline; while ($0 !~ /^==== exit/) getline; print; exit}' "$r")
done
say "system: boots: $(for b in $BOOTS; do printf '%s %s s, ' "$b" "${boot_secs[$b]}"; done)total $(( $(date +%s) - start_all )) s; reports in $RESULTS"
[ $fails -eq 0 ] || die "system: $fails check(s) failed"
say "system: all checks passed"
