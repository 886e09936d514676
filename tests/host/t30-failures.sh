#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# H15: failure is failure.  Bad key, wrong or missing passphrase, key and
# certificate mismatch, unreadable payload, full file system, read-only
# destination, immutable loader: each exits non-zero with a message naming
# the cause, leaves the inputs byte-identical and no temporary file behind.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
make_key "$T/other"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 2048 /dev/urandom > "$T/payload"
head -c 40000 /dev/urandom > "$T/loader"

sums() { sha256sum "$@" 2> /dev/null; }
leftovers() { find "$@" -name '.sign-ebpf.*' 2> /dev/null; }

# h15 DESC REGEX DIR FILES -- CMD...: CMD fails with REGEX in its output,
# FILES keep their sha256, DIR holds no temporary file afterwards.
h15() {
	local desc=$1 re=$2 dir=$3 files=() before after rc=0 left
	shift 3
	while [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	before=$(sums "${files[@]}")
	"$@" > "$T/.out" 2>&1 || rc=$?
	after=$(sums "${files[@]}")
	left=$(leftovers "$dir")
	if [ "$rc" -ne 0 ] && grep -Eqi -- "$re" "$T/.out" && [ "$before" = "$after" ] &&
	   [ -z "$left" ]; then
		ok "$desc"
		sed -n '1s/^/# message: /p' "$T/.out"
	else
		not_ok "$desc"
		echo "# exit $rc (want non-zero), want /$re/, left: ${left:-none}"
		[ "$before" = "$after" ] || echo "# inputs changed!"
		diag "$T/.out"
	fi
}
sign() { "$SIGN_EBPF" "$@"; }
F=("$T/loader" "$T/payload" "$K" "$C")

# Keys.
head -c 1000 /dev/urandom > "$T/garbage.pem"
h15 "garbage key file" 'bad key file' "$T" "${F[@]}" -- \
	sign sha256 "$T/garbage.pem" "$C" "$T/payload" "$T/loader"
h15 "certificate given as the key" 'bad key file|not a .*private key' "$T" "${F[@]}" -- \
	sign sha256 "$C" "$C" "$T/payload" "$T/loader"
h15 "missing key file" 'cannot open private key.*No such file' "$T" "${F[@]}" -- \
	sign sha256 "$T/nokey.pem" "$C" "$T/payload" "$T/loader"

openssl pkcs8 -topk8 -in "$K" -out "$T/enc8.pem" -passout pass:right-pin -v2 aes-256-cbc
openssl rsa -in "$K" -out "$T/enct.pem" -aes256 -passout pass:right-pin -traditional 2> /dev/null
for enc in enc8 enct; do
	h15 "$enc: wrong passphrase in KBUILD_SIGN_PIN" 'wrong passphrase' "$T" "${F[@]}" -- \
		env KBUILD_SIGN_PIN=wrong-pin "$SIGN_EBPF" sha256 "$T/$enc.pem" "$C" \
		"$T/payload" "$T/loader"
	h15 "$enc: encrypted key without KBUILD_SIGN_PIN" 'KBUILD_SIGN_PIN is not set' "$T" \
		"${F[@]}" -- env -u KBUILD_SIGN_PIN "$SIGN_EBPF" sha256 "$T/$enc.pem" "$C" \
		"$T/payload" "$T/loader"
	check "$enc: right passphrase signs, same signature as the plain key" \
		bash -c "KBUILD_SIGN_PIN=right-pin '$SIGN_EBPF' -d sha256 '$T/$enc.pem' '$C' '$T/payload' '$T/$enc' &&
			 '$SIGN_EBPF' -d sha256 '$K' '$C' '$T/payload' '$T/plain' &&
			 cmp '$T/$enc.p7s' '$T/plain.p7s'"
done

h15 "key and certificate do not match" 'do not match' "$T" "${F[@]}" -- \
	sign sha256 "$T/other/key.pem" "$C" "$T/payload" "$T/loader"
head -c 500 /dev/urandom > "$T/garbage.crt"
h15 "garbage certificate" 'cannot parse certificate' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$T/garbage.crt" "$T/payload" "$T/loader"
openssl req -new -x509 -key "$K" -subj /CN=noskid -addext subjectKeyIdentifier=none \
	-out "$T/noskid.crt" 2> /dev/null
h15 "-k with a certificate lacking a subject key identifier" 'subject key identifier' "$T" \
	"${F[@]}" -- sign -k sha256 "$K" "$T/noskid.crt" "$T/payload" "$T/loader"

# Payload.
h15 "missing payload" 'cannot open payload.*No such file' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$C" "$T/nopayload" "$T/loader"
mkdir "$T/dir"
h15 "payload is a directory (unreadable)" 'cannot read payload.*directory' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$C" "$T/dir" "$T/loader"
: > "$T/empty"
h15 "empty payload" 'payload.*empty' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$C" "$T/empty" "$T/loader"
truncate -s $((16 * 1024 * 1024 + 1)) "$T/huge"
h15 "payload over the kernel's 16 MiB cap" 'payload.*larger than' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$C" "$T/huge" "$T/loader"
rm -f "$T/huge"
h15 "missing loader" 'cannot open loader' "$T" "${F[@]}" -- \
	sign sha256 "$K" "$C" "$T/payload" "$T/noloader"

# Full and read-only file systems (tmpfs; needs root).
M=$T/mnt
mkdir "$M"
if mount -t tmpfs -o size=64k,mode=0755 hornet-test "$M" 2> "$T/mount.err"; then
	tap_cleanup_hooks+=("umount '$M'")
	head -c 40000 /dev/urandom > "$M/loader"
	h15 "full file system (64 KiB tmpfs, 40 KB loader) in place" 'No space left|disk full' \
		"$M" "$M/loader" "$T/payload" -- sign sha256 "$K" "$C" "$T/payload" "$M/loader"
	h15 "full file system, -p" 'No space left|disk full' "$M" "$M/loader" -- \
		sign -p sha256 "$K" "$C" "$T/payload" "$M/loader"
	check "full file system: no .p7s left behind" test ! -e "$M/loader.p7s"
	h15 "full file system, <dest> on it" 'No space left|disk full' "$M" "$T/loader" "$M/loader" -- \
		sign sha256 "$K" "$C" "$T/payload" "$T/loader" "$M/out"
	check "full file system: no <dest> created" test ! -e "$M/out"

	rm -f "$M/loader"
	head -c 4000 /dev/urandom > "$M/loader"
	mount -o remount,ro "$M"
	h15 "read-only file system, in place" 'read-only' "$M" "$M/loader" -- \
		sign sha256 "$K" "$C" "$T/payload" "$M/loader"
	h15 "read-only file system, <dest>" 'read-only' "$M" "$T/loader" -- \
		sign sha256 "$K" "$C" "$T/payload" "$T/loader" "$M/out"
	h15 "read-only file system, -d" 'read-only' "$M" "$M/loader" -- \
		sign -d sha256 "$K" "$C" "$T/payload" "$M/loader"
	mount -o remount,rw "$M"

	if chattr +i "$M/loader" 2> /dev/null; then
		h15 "immutable loader (chattr +i)" 'cannot replace.*not permitted' "$M" "$M/loader" -- \
			sign sha256 "$K" "$C" "$T/payload" "$M/loader"
		chattr -i "$M/loader"
	else
		skip "immutable loader: chattr +i not supported here"
	fi
else
	for d in "full file system" "full file system, -p" "full file system: no .p7s" \
		 "full file system, <dest>" "full file system: no <dest>" \
		 "read-only, in place" "read-only, <dest>" "read-only, -d" "immutable loader"; do
		skip "$d: cannot mount tmpfs ($(head -n 1 "$T/mount.err"))"
	done
fi

# Nothing above touched the loader in $T.
check "no temporary files anywhere in the scratch directory" test -z "$(leftovers "$T")"

done_testing
