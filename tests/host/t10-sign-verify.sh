#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sign-ebpf for each hash: stock OpenSSL and --verify accept the signature,
# a flipped payload byte is refused by both, the trailer is byte-exact and
# the PKCS#7 has the kernel's profile.  Also -p, -d, -k and <dest>.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 3000 /dev/urandom > "$T/payload"
head -c 20000 /dev/urandom > "$T/loader.orig"
chmod 0751 "$T/loader.orig"
MAGIC='~eBPF signature appended~'

# trailer_ok SIGNED ORIG DER: SIGNED == ORIG || DER || siginfo || magic
trailer_ok() {
	local signed=$1 orig=$2 der=$3 osz ssz dsz fields
	osz=$(stat -c %s "$orig"); ssz=$(stat -c %s "$signed"); dsz=$(stat -c %s "$der")
	[ "$ssz" -eq $((osz + dsz + 12 + 26)) ] || { echo "size $ssz != $osz+$dsz+38"; return 1; }
	cmp -n "$osz" "$orig" "$signed" || return 1
	tail -c +$((osz + 1)) "$signed" | head -c "$dsz" | cmp - "$der" || return 1
	[ "$(tail -c 26 "$signed")" = "$MAGIC" ] || { echo "bad magic"; return 1; }
	[ "$(tail -c 1 "$signed" | od -An -tx1 | tr -d ' ')" = 0a ] || { echo "no newline"; return 1; }
	fields=$(tail -c 38 "$signed" | head -c 12 | od -An -tu1 | xargs)
	set -- $fields
	[ "$#" -eq 12 ] || return 1
	echo "module_signature: $fields"
	[ "$1 $2 $3 $4 $5 $6 $7 $8" = "0 0 2 0 0 0 0 0" ] || { echo "fields not 0 0 2 0..."; return 1; }
	[ $(( ($9 << 24) | (${10} << 16) | (${11} << 8) | ${12} )) -eq "$dsz" ] ||
		{ echo "sig_len != $dsz"; return 1; }
}

ossl_verify() { # P7S PAYLOAD
	openssl cms -verify -binary -inform DER -in "$1" -content "$2" \
		-certfile "$C" -noverify -out /dev/null
}
ossl_verify_ca() {
	openssl cms -verify -binary -inform DER -in "$1" -content "$2" \
		-certfile "$C" -CAfile "$C" -purpose any -out /dev/null
}
profile_ok() { # P7S HASH
	openssl cms -cmsout -print -inform DER -in "$1" > "$T/print" || return 1
	grep -A1 'signedAttrs:' "$T/print" | grep -q '<ABSENT>' || { echo "signedAttrs present"; return 1; }
	grep -A1 'certificates:' "$T/print" | grep -q '<ABSENT>' || { echo "certificates present"; return 1; }
	grep -A1 'eContentType:' "$T/print" | grep -q 'pkcs7-data' || { echo "not data"; return 1; }
	grep -A1 'encapContentInfo:' "$T/print" > /dev/null || return 1
	grep -q 'eContent: <ABSENT>' "$T/print" || { echo "not detached"; return 1; }
	grep -A1 'digestAlgorithm:' "$T/print" | grep -q "algorithm: $2 " || { echo "digest not $2"; return 1; }
}

for h in sha256 sha384 sha512; do
	cp -p "$T/loader.orig" "$T/loader"
	check "$h: sign in place with -p" "$SIGN_EBPF" -p "$h" "$K" "$C" "$T/payload" "$T/loader"
	check "$h: trailer is loader || DER || module_signature(id_type 2, sig_len) || magic" \
		trailer_ok "$T/loader" "$T/loader.orig" "$T/loader.p7s"
	check "$h: mode of the loader kept (0751)" test "$(stat -c %a "$T/loader")" = 751
	check "$h: stock openssl cms -verify -noverify accepts" ossl_verify "$T/loader.p7s" "$T/payload"
	check "$h: stock openssl cms -verify -CAfile accepts" ossl_verify_ca "$T/loader.p7s" "$T/payload"
	check "$h: sign-ebpf --verify accepts" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/loader"
	check "$h: no signed attributes, no certificates, data, detached, $h" \
		profile_ok "$T/loader.p7s" "$h"
	cp "$T/payload" "$T/bad"
	printf '\xff' | dd of="$T/bad" bs=1 seek=1234 conv=notrunc status=none
	cmp -s "$T/payload" "$T/bad" || true
	check_fail "$h: openssl refuses a flipped payload byte" 'fail' \
		ossl_verify "$T/loader.p7s" "$T/bad"
	check_fail "$h: --verify refuses a flipped payload byte (EKEYREJECTED)" 'EKEYREJECTED' \
		"$SIGN_EBPF" --verify "$C" "$T/bad" "$T/loader"
done

# In place as root: owner, group and set-user-ID bit survive.
cp "$T/loader.orig" "$T/suid"
chown 1234:5678 "$T/suid" && chmod 4755 "$T/suid"
check "in place: owner 1234:5678 and mode 4755 kept" \
	bash -c "'$SIGN_EBPF' sha256 '$K' '$C' '$T/payload' '$T/suid' &&
		 [ \"\$(stat -c '%u:%g %a' '$T/suid')\" = '1234:5678 4755' ]"

# <dest>: the loader stays untouched.
cp -p "$T/loader.orig" "$T/loader"
check "dest: sign into <dest>" "$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/loader" "$T/out"
check "dest: loader unchanged" cmp "$T/loader" "$T/loader.orig"
check "dest: --verify accepts <dest>" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/out"
check "dest: no .p7s without -p" test ! -e "$T/out.p7s"

# -d: only <loader>.p7s, no trailer.
rm -f "$T/loader.p7s"
check "-d: write only the detached signature" "$SIGN_EBPF" -d sha384 "$K" "$C" "$T/payload" "$T/loader"
check "-d: loader unchanged" cmp "$T/loader" "$T/loader.orig"
check "-d: openssl accepts loader.p7s" ossl_verify "$T/loader.p7s" "$T/payload"

# -k: signer identified by subject key identifier.
check "-k: sign with subjectKeyIdentifier" "$SIGN_EBPF" -k -p sha256 "$K" "$C" "$T/payload" "$T/loader" "$T/k-out"
check "-k: SignerInfo uses subjectKeyIdentifier" \
	bash -c "openssl cms -cmsout -print -inform DER -in '$T/k-out.p7s' | grep -q 'd.subjectKeyIdentifier'"
check "-k: openssl accepts" ossl_verify "$T/k-out.p7s" "$T/payload"
check "-k: --verify accepts" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/k-out"

# DER certificate, and the signature is deterministic for RSA PKCS#1 v1.5.
openssl x509 -in "$C" -outform DER -out "$T/cert.der"
check "DER certificate accepted" "$SIGN_EBPF" -d sha256 "$K" "$T/cert.der" "$T/payload" "$T/der"
check "PEM and DER certificate give the same signature" \
	bash -c "'$SIGN_EBPF' -d sha256 '$K' '$C' '$T/payload' '$T/pem' && cmp '$T/pem.p7s' '$T/der.p7s'"

# ECDSA keys work (the kernel needs CONFIG_CRYPTO_ECDSA); Ed25519 cannot
# sign without signed attributes and is refused with nothing written.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.key" 2> /dev/null
openssl req -new -x509 -key "$T/ec.key" -subj /CN=ec -out "$T/ec.crt"
cp -p "$T/loader.orig" "$T/ecl"
check "ECDSA P-256: sign, ecdsa-with-SHA384, openssl and --verify accept" \
	bash -c "'$SIGN_EBPF' -p sha384 '$T/ec.key' '$T/ec.crt' '$T/payload' '$T/ecl' &&
		 openssl cms -cmsout -print -inform DER -in '$T/ecl.p7s' | grep -q 'ecdsa-with-SHA384' &&
		 openssl cms -verify -binary -inform DER -in '$T/ecl.p7s' -content '$T/payload' \
			-certfile '$T/ec.crt' -noverify -out /dev/null &&
		 '$SIGN_EBPF' --verify '$T/ec.crt' '$T/payload' '$T/ecl'"
openssl genpkey -algorithm ed25519 -out "$T/ed.key"
openssl req -new -x509 -key "$T/ed.key" -subj /CN=ed -out "$T/ed.crt"
cp -p "$T/loader.orig" "$T/edl"
check_fail "Ed25519 key refused" 'signing failed' \
	"$SIGN_EBPF" -p sha256 "$T/ed.key" "$T/ed.crt" "$T/payload" "$T/edl"
check "Ed25519: loader unchanged, no .p7s" \
	bash -c "cmp '$T/edl' '$T/loader.orig' && [ ! -e '$T/edl.p7s' ]"

# Unsupported hashes fail before anything is written.
for h in sha1 md5 sha224 sha3-256 SHA256 bogus; do
	check_fail "hash $h refused with a message, nothing written" 'unsupported hash' \
		bash -c "'$SIGN_EBPF' -p $h '$K' '$C' '$T/payload' '$T/loader' '$T/h-$h'; rc=\$?
			 if cmp '$T/loader' '$T/loader.orig' && [ ! -e '$T/h-$h' ] &&
			    [ ! -e '$T/h-$h.p7s' ] && ! ls -A '$T' | grep -q '^\\.sign-ebpf'; then
				exit \$rc
			 fi
			 echo 'output written'; exit 0"
done

check_fail "wrong argument count is a usage error" 'usage' "$SIGN_EBPF" sha256 "$K" "$C"
check_fail "--verify with signing options is a usage error" 'usage' \
	"$SIGN_EBPF" --verify -r "$C" "$T/payload" "$T/out"

done_testing
