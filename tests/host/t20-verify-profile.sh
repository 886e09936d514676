#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sign-ebpf --verify applies the kernel's checks: H14 (openssl cms -sign
# defaults: signed attributes + certificates), other profile violations,
# trailer bounds (H01/H03/H04 shapes) and garbage PKCS#7 (H12 shapes).
# Each case asserts the errno the kernel would return.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
make_key "$T/other"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 777 /dev/urandom > "$T/payload"
head -c 5000 /dev/urandom > "$T/loader"

# siginfo ALGO HASH ID SIGNER KEYID PAD0 PAD1 PAD2 SIGLEN: 12 bytes + magic
siginfo() {
	local l=$9
	printf "$(printf '\\x%02x' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
		$(((l >> 24) & 255)) $(((l >> 16) & 255)) $(((l >> 8) & 255)) $((l & 255)))"
	printf '~eBPF signature appended~\n'
}
# attach BLOB OUT [LOADER]: OUT = LOADER || BLOB || good trailer for BLOB
attach() {
	{ cat "${3:-$T/loader}" "$1"; siginfo 0 0 2 0 0 0 0 0 "$(stat -c %s "$1")"; } > "$2"
}
verify() { "$SIGN_EBPF" --verify "$C" "$T/payload" "$1"; }

# Reference: our own signature, attached by hand, is accepted.
"$SIGN_EBPF" -d sha256 "$K" "$C" "$T/payload" "$T/good" > /dev/null
attach "$T/good.p7s" "$T/good-signed"
check "reference: hand-attached sign-ebpf signature accepted" verify "$T/good-signed"
: > "$T/empty"
attach "$T/good.p7s" "$T/only-sig" "$T/empty"
check "sig_len equal to all bytes before the trailer accepted" verify "$T/only-sig"

# H14: openssl cms -sign defaults (signed attributes, embedded certificate).
openssl cms -sign -binary -in "$T/payload" -signer "$C" -inkey "$K" -outform DER -out "$T/def.der"
check "H14: openssl defaults verify with stock openssl" openssl cms -verify -binary -inform DER \
	-in "$T/def.der" -content "$T/payload" -certfile "$C" -noverify -out /dev/null
attach "$T/def.der" "$T/h14"
check_fail "H14: openssl cms -sign defaults rejected (EBADMSG, signed attributes)" \
	'EBADMSG.*signed attributes' verify "$T/h14"

openssl cms -sign -binary -noattr -in "$T/payload" -signer "$C" -inkey "$K" -outform DER \
	-out "$T/certs.der"
attach "$T/certs.der" "$T/certs"
check "embedded signer certificate without attributes accepted (kernel ignores it)" verify "$T/certs"

openssl cms -sign -binary -noattr -nodetach -in "$T/payload" -signer "$C" -inkey "$K" \
	-outform DER -out "$T/opaque.der"
attach "$T/opaque.der" "$T/opaque"
check_fail "embedded content (not detached) rejected" 'not detached' verify "$T/opaque"

openssl cms -sign -binary -noattr -nocerts -econtent_type 1.2.3.4 -in "$T/payload" \
	-signer "$C" -inkey "$K" -outform DER -out "$T/ect.der"
attach "$T/ect.der" "$T/ect"
# openssl makes this SignedData version 3 with a version 1 SignerInfo: the
# kernel's parser refuses the version pair before it looks at the type.
check_fail "content type other than data rejected (EBADMSG)" 'EBADMSG' verify "$T/ect"

openssl cms -sign -binary -noattr -nocerts -md sha1 -in "$T/payload" -signer "$C" -inkey "$K" \
	-outform DER -out "$T/sha1.der"
attach "$T/sha1.der" "$T/sha1"
check_fail "SHA-1 digest rejected (ENOPKG)" 'ENOPKG' verify "$T/sha1"

"$SIGN_EBPF" -d sha256 "$T/other/key.pem" "$T/other/cert.pem" "$T/payload" "$T/oth" > /dev/null
attach "$T/oth.p7s" "$T/other-signed"
check_fail "signature by another key rejected (ENOKEY)" 'ENOKEY' verify "$T/other-signed"

# A certificate with the signer's issuer and serial but another key, embedded.
openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=twin" -set_serial 42 \
	-keyout "$T/t1.key" -out "$T/t1.crt" > /dev/null 2>&1
openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=twin" -set_serial 42 \
	-keyout "$T/t2.key" -out "$T/t2.crt" > /dev/null 2>&1
openssl cms -sign -binary -noattr -nocerts -certfile "$T/t2.crt" -in "$T/payload" \
	-signer "$T/t1.crt" -inkey "$T/t1.key" -outform DER -out "$T/twin.der"
attach "$T/twin.der" "$T/twin"
check_fail "embedded certificate with the signer's id but another key rejected (EKEYREJECTED)" \
	'EKEYREJECTED' "$SIGN_EBPF" --verify "$T/t1.crt" "$T/payload" "$T/twin"

# An embedded certificate other than the given one, here a self-signed
# one whose signature no longer verifies (a byte of its public key
# changed): the kernel's X.509 parser checks it and refuses the whole
# message (seen by the differential check); --verify refuses every
# certificate other than the given one.
openssl x509 -in "$T/other/cert.pem" -outform DER -out "$T/bad.der"
b=$(od -An -tu1 -j300 -N1 "$T/bad.der")
printf "\\x$(printf %02x $((b ^ 1)))" | dd of="$T/bad.der" bs=1 seek=300 conv=notrunc status=none
openssl x509 -inform DER -in "$T/bad.der" -out "$T/bad.pem"
openssl cms -sign -binary -noattr -nocerts -certfile "$T/bad.pem" -in "$T/payload" \
	-signer "$C" -inkey "$K" -outform DER -out "$T/badcert.der"
attach "$T/badcert.der" "$T/badcert"
check_fail "embedded certificate other than the given one rejected (EBADMSG)" \
	'EBADMSG.*not the given certificate' verify "$T/badcert"

# Trailer bounds.
sz=$(stat -c %s "$T/good.p7s")
bad_trailer() { # DESC ERRNO siginfo-args...
	local desc=$1 err=$2; shift 2
	{ cat "$T/loader" "$T/good.p7s"; siginfo "$@"; } > "$T/bt"
	check_fail "trailer: $desc rejected ($err)" "$err" verify "$T/bt"
}
bad_trailer "id_type 1" EBADMSG 0 0 1 0 0 0 0 0 "$sz"
bad_trailer "id_type 0" EBADMSG 0 0 0 0 0 0 0 0 "$sz"
bad_trailer "algo 1" EBADMSG 1 0 2 0 0 0 0 0 "$sz"
bad_trailer "hash 1" EBADMSG 0 1 2 0 0 0 0 0 "$sz"
bad_trailer "signer_len 4" EBADMSG 0 0 2 4 0 0 0 0 "$sz"
bad_trailer "key_id_len 4" EBADMSG 0 0 2 0 4 0 0 0 "$sz"
bad_trailer "pad[2] 1" EBADMSG 0 0 2 0 0 0 0 1 "$sz"
bad_trailer "sig_len 0" EBADMSG 0 0 2 0 0 0 0 0 0
bad_trailer "sig_len 65537" EBADMSG 0 0 2 0 0 0 0 0 65537
bad_trailer "sig_len 0xffffff00 with signer_len" EBADMSG 0 0 2 9 9 0 0 0 $((0xffffff00))
bad_trailer "sig_len 0xffffffff" EBADMSG 0 0 2 0 0 0 0 0 $((0xffffffff))
bad_trailer "sig_len one less than the blob" EBADMSG 0 0 2 0 0 0 0 0 $((sz - 1))
bad_trailer "sig_len one more than the blob (DER parsed from the loader)" EBADMSG \
	0 0 2 0 0 0 0 0 $((sz + 1))
{ cat "$T/good.p7s"; siginfo 0 0 2 0 0 0 0 0 $((sz + 1)); } > "$T/bt"
check_fail "trailer: sig_len one more than the bytes before the trailer (EBADMSG)" EBADMSG \
	verify "$T/bt"
check_fail "unsigned loader rejected (ENODATA)" ENODATA verify "$T/loader"
printf '~eBPF signature appended~\n' > "$T/magic-only"
check_fail "file that is only the magic rejected (EBADMSG)" EBADMSG verify "$T/magic-only"
{ head -c 5 /dev/zero; printf '~eBPF signature appended~\n'; } > "$T/short"
check_fail "magic with no room for module_signature rejected (EBADMSG)" EBADMSG verify "$T/short"

# Garbage PKCS#7 blobs.
garbage() { # DESC FILE
	attach "$2" "$T/gb"
	check_fail "pkcs7: $1 rejected (EBADMSG)" EBADMSG verify "$T/gb"
}
printf '\x30' > "$T/g1"; garbage "0x30" "$T/g1"
printf '\x30\x80' > "$T/g2"; garbage "0x30 0x80" "$T/g2"
head -c $((sz / 2)) "$T/good.p7s" > "$T/g3"; garbage "first half of a valid blob" "$T/g3"
head -c $((sz - 1)) "$T/good.p7s" > "$T/g4"; garbage "valid blob minus its last byte" "$T/g4"
{ cat "$T/good.p7s"; printf '\0\0\0\0'; } > "$T/g5"
# The kernel's BER decoder ignores what follows the object (seen by the
# differential check, trailer_test's diff_verdicts): accepted, with a warning.
attach "$T/g5" "$T/gb"
check "pkcs7: valid blob plus 4 trailing bytes accepted, as by the kernel" verify "$T/gb"
check "pkcs7: ... with a warning naming the 4 bytes" \
	sh -c "'$SIGN_EBPF' --verify '$C' '$T/payload' '$T/gb' 2>&1 | grep -q 'warning: 4 bytes after the PKCS#7 object'"

# Every truncation of the blob: never accepted, never a crash.
crash=0 accepted=0
for ((i = 1; i < sz; i++)); do
	head -c "$i" "$T/good.p7s" > "$T/tr"
	attach "$T/tr" "$T/trs"
	rc=0; verify "$T/trs" > /dev/null 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && accepted=$((accepted + 1))
	[ "$rc" -gt 1 ] && crash=$((crash + 1))
done
check "every truncation (1..$((sz - 1)) bytes) rejected with exit 1 (accepted $accepted, other $crash)" \
	test "$accepted$crash" = 00

# Random single-bit flips in the blob: never accepted.  The one byte left
# out is the tag of signatureAlgorithm's parameters (NULL): it is not
# signed and the kernel's grammar takes ANY there, so both accept a flip.
nulloff=$(openssl asn1parse -inform DER -in "$T/good.p7s" | awk -F: '/prim: NULL/ { o = $1 + 0 } END { print o }')
accepted=0 crash=0
RANDOM=4242
for ((i = 0; i < 200; i++)); do
	cp "$T/good.p7s" "$T/fl"
	off=$((RANDOM % sz)); bit=$((1 << (RANDOM % 8)))
	[ "$off" -eq "$nulloff" ] && off=$((off + 1))
	byte=$(od -An -tu1 -j "$off" -N1 "$T/fl" | tr -d ' ')
	printf "$(printf '\\x%02x' $((byte ^ bit)))" |
		dd of="$T/fl" bs=1 seek="$off" conv=notrunc status=none
	attach "$T/fl" "$T/fls"
	rc=0; verify "$T/fls" > /dev/null 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && accepted=$((accepted + 1))
	[ "$rc" -gt 1 ] && crash=$((crash + 1))
done
check "200 random bit flips (seed 4242, NULL tag at $nulloff skipped) rejected with exit 1 (accepted $accepted, other $crash)" \
	test "$accepted$crash" = 00

done_testing
