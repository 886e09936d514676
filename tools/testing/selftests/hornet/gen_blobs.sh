#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gen_blobs.sh <out-dir> <work-dir> <payload> <trusted-key> <trusted-cert>
#	[<keys-dir>]
#
# Build-time helper of the Hornet selftests: write PKCS#7 (CMS) blobs over
# <payload> that sign-ebpf would never produce, one DER file per case, into
# <out-dir>. trailer_test appends each to a copy of the loader and checks
# the kernel's answer. Needs openssl; keys for the untrusted cases are made
# in <work-dir>. With <keys-dir> (the lab's keys, HORNET_KEYS_DIR), also
# blobs signed by its blacklisted_key.pem, whose certificate chains to the
# trusted key and is revoked by the kernel's "tbs:" blacklist.

set -eu

[ $# -eq 5 ] || [ $# -eq 6 ] || {
	echo "usage: $0 <out-dir> <work-dir> <payload> <key> <cert> [<keys-dir>]" >&2
	exit 2
}
out=$1 work=$2 payload=$3 key=$4 cert=$5 keys=${6:-}
openssl=${OPENSSL:-openssl}

mkdir -p "$out" "$work"

# cms_sign <output> <options...>: detached, binary, DER over the payload.
cms_sign() {
	o=$1
	shift
	"$openssl" cms -sign -binary -outform DER -in "$payload" -out "$o" "$@"
}

# cms_trusted <output> <options...>: cms_sign with the trusted key.
cms_trusted() {
	o=$1
	shift
	cms_sign "$o" "$@" -signer "$cert" -inkey "$key"
}

# Signed attributes present (openssl's default), no certificates.
cms_trusted "$out/signed_attrs.der" -md sha256 -nocerts
# Content type other than data.
cms_trusted "$out/content_type_not_data.der" -md sha256 -noattr -nocerts \
	-econtent_type 1.2.840.113549.1.7.5
# The payload embedded in the message instead of a detached signature.
cms_trusted "$out/embedded_content.der" -md sha256 -noattr -nocerts -nodetach
# Digests the kernel has (SHA-512) and has not (SHA3-256).
cms_trusted "$out/sha512.der" -md sha512 -noattr -nocerts
cms_trusted "$out/sha3_256.der" -md sha3-256 -noattr -nocerts

# An untrusted CA and a bogus intermediate, embedded with the leaf.
cd "$work"
"$openssl" req -new -x509 -newkey rsa:2048 -nodes -days 36500 \
	-subj "/CN=Hornet selftest untrusted CA/" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-keyout ca.key -out ca.pem 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n' > ca.ext
"$openssl" req -new -newkey rsa:2048 -nodes \
	-subj "/CN=Hornet selftest bogus intermediate/" \
	-keyout int.key -out int.csr 2>/dev/null
"$openssl" x509 -req -in int.csr -CA ca.pem -CAkey ca.key -set_serial 2 \
	-days 36500 -extfile ca.ext -out int.pem 2>/dev/null
"$openssl" req -new -newkey rsa:2048 -nodes -subj "/CN=Hornet selftest leaf/" \
	-keyout leaf.key -out leaf.csr 2>/dev/null
"$openssl" x509 -req -in leaf.csr -CA int.pem -CAkey int.key -set_serial 3 \
	-days 36500 -out leaf.pem 2>/dev/null
cat int.pem ca.pem > chain.pem
cd - >/dev/null
cms_sign "$out/untrusted_chain.der" -md sha256 -noattr \
	-signer "$work/leaf.pem" -inkey "$work/leaf.key" \
	-certfile "$work/chain.pem"

# A self-signed impostor with the trusted certificate's subject,
# issuer and serial number, but another key.
"$openssl" req -new -newkey rsa:2048 -nodes -subj "/CN=impostor/" \
	-keyout "$work/impostor.key" -out /dev/null 2>/dev/null
"$openssl" x509 -x509toreq -in "$cert" -signkey "$work/impostor.key" \
	-out "$work/impostor.csr" 2>/dev/null
serial=$("$openssl" x509 -in "$cert" -noout -serial | cut -d= -f2)
"$openssl" x509 -req -in "$work/impostor.csr" -signkey "$work/impostor.key" \
	-set_serial "0x$serial" -days 36500 -out "$work/impostor.pem" 2>/dev/null
cms_sign "$out/impostor.der" -md sha256 -noattr -nocerts \
	-signer "$work/impostor.pem" -inkey "$work/impostor.key"

# Valid signatures of exactly 65535, 65536 (the cap) and 65537 bytes,
# padded with an embedded certificate whose comment extension has the right
# size.
"$openssl" genrsa -out "$work/pad.key" 2048 2>/dev/null
padded() {
	# padded <comment-length> <output>
	"$openssl" req -new -x509 -key "$work/pad.key" -set_serial 1 \
		-days 36500 -subj "/CN=Hornet selftest padding/" \
		-addext "nsComment=$(head -c "$1" /dev/zero | tr '\0' A)" \
		-out "$work/pad.pem" 2>/dev/null
	cms_trusted "$2" -md sha256 -noattr -nocerts \
		-certfile "$work/pad.pem"
	wc -c < "$2"
}
base=$(($(padded 1000 "$work/probe.der") - 1000))
for want in 65535 65536 65537; do
	len=$((want - base))
	got=$(padded "$len" "$out/valid_$want.der")
	# DER length fields may shift the size by a byte or two: walk to it.
	tries=0
	while [ "$got" -ne "$want" ] && [ $tries -lt 8 ]; do
		len=$((len + want - got))
		got=$(padded "$len" "$out/valid_$want.der")
		tries=$((tries + 1))
	done
	[ "$got" -eq "$want" ] || {
		echo "$0: cannot make a $want-byte signature (got $got)" >&2
		exit 1
	}
done

# Two SignerInfos: the kernel's pkcs7_verify() accepts a message when any
# one verifies, so Hornet requires exactly one. An untrusted signer first,
# then the trusted one (the record would name the untrusted key).
cms_sign "$out/two_signers.der" -md sha256 -noattr -nocerts \
	-signer "$work/leaf.pem" -inkey "$work/leaf.key" \
	-signer "$cert" -inkey "$key"

if [ -n "$keys" ]; then
	bl_cert=$keys/blacklisted_cert.pem bl_key=$keys/blacklisted_key.pem
	# The revoked signer alone, its certificate embedded.
	cms_sign "$out/blacklisted_embedded.der" -md sha256 -noattr \
		-signer "$bl_cert" -inkey "$bl_key"
	# The revoked signer plus a second SignerInfo that cannot verify: the
	# kernel skips the blacklisted one and ignores the other.
	cms_sign "$out/blacklisted_plus_untrusted.der" -md sha256 -noattr \
		-signer "$bl_cert" -inkey "$bl_key" \
		-signer "$work/leaf.pem" -inkey "$work/leaf.key"
fi
