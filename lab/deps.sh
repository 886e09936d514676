#!/usr/bin/env bash
# Install the Debian packages the lab needs; only what is missing (idempotent).
set -euo pipefail
. "$(dirname "$0")/common.sh"

PKGS="linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev dwarves cpio
qemu-system-x86 clang llvm lld libbpf-dev busybox-static openssl keyutils pkg-config rsync
python3 softhsm2 libengine-pkcs11-openssl opensc gnutls-bin python3-docutils libcap-dev
zlib1g-dev git xz-utils bpftool time strace python3-ply python3-git sparse gawk
libclang-rt-14-dev llvm-14 gnuplot-nox python3-sphinx"

missing=()
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	say "deps: all packages present"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "deps: missing ${missing[*]}; run as root"
say "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
say "deps: done"
