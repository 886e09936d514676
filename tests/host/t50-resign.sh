#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Double signing is refused; -r replaces the signature and never stacks a
# second trailer; a malformed trailer is never "replaced" by guesswork.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
make_key "$T/k2"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 1500 /dev/urandom > "$T/payload"
head -c 30000 /dev/urandom > "$T/orig"
cp "$T/orig" "$T/loader"
MAGIC='~eBPF signature appended~'
nmagic() { grep -o -a -F "$MAGIC" "$1" | wc -l; }
# one_trailer FILE DER: FILE is exactly orig || DER || 12 bytes || magic
one_trailer() {
	local osz dsz
	osz=$(stat -c %s "$T/orig"); dsz=$(stat -c %s "$2")
	[ "$(stat -c %s "$1")" -eq $((osz + dsz + 38)) ] &&
		cmp -n "$osz" "$T/orig" "$1" &&
		tail -c +$((osz + 1)) "$1" | head -c "$dsz" | cmp - "$2" &&
		[ "$(nmagic "$1")" -eq 1 ]
}

check "first signature" "$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/loader"
sum=$(sha256sum < "$T/loader")
check_fail "second signature without -r refused" 'already signed' \
	"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/loader"
check "refused double signing left the loader byte-identical" \
	test "$sum" = "$(sha256sum < "$T/loader")"
check_fail "signing a signed loader into <dest> refused too" 'already signed' \
	"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/loader" "$T/dest"
check "no <dest> created" test ! -e "$T/dest"

check "-r with sha512 replaces the signature" \
	"$SIGN_EBPF" -r -p sha512 "$K" "$C" "$T/payload" "$T/loader"
check "-r: original || one trailer, exactly one magic" one_trailer "$T/loader" "$T/loader.p7s"
check "-r: --verify accepts" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/loader"
for i in 1 2 3; do
	"$SIGN_EBPF" -r -p sha384 "$T/k2/key.pem" "$T/k2/cert.pem" "$T/payload" "$T/loader" ||
		echo "# re-sign $i failed"
done
check "-r three more times with another key: still one trailer" \
	one_trailer "$T/loader" "$T/loader.p7s"
check "-r: new signer accepted, old one refused" \
	bash -c "'$SIGN_EBPF' --verify '$T/k2/cert.pem' '$T/payload' '$T/loader' &&
		 ! '$SIGN_EBPF' --verify '$C' '$T/payload' '$T/loader'"
cp "$T/orig" "$T/unsigned"
check "-r on an unsigned loader just signs it" \
	bash -c "'$SIGN_EBPF' -r sha256 '$K' '$C' '$T/payload' '$T/unsigned' &&
		 '$SIGN_EBPF' --verify '$C' '$T/payload' '$T/unsigned'"

# A file that ends in the magic with a broken trailer: refused with and without -r.
{ cat "$T/orig"; printf '\0\0\2\0\0\0\0\0\xff\xff\xff\xff'; printf '%s\n' "$MAGIC"; } > "$T/broken"
sum=$(sha256sum < "$T/broken")
check_fail "malformed trailer: signing refused" 'malformed' \
	"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/broken"
check_fail "malformed trailer: -r refused" 'malformed' \
	"$SIGN_EBPF" -r sha256 "$K" "$C" "$T/payload" "$T/broken"
check "malformed trailer: file unchanged" test "$sum" = "$(sha256sum < "$T/broken")"
check "no temporary files left" bash -c "! ls -A '$T' | grep -q '^\\.sign-ebpf'"

done_testing
