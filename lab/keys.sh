#!/usr/bin/env bash
# Generate the test keys in $HORNET_CACHE/keys if absent:
#   signing      trusted: a CA certificate compiled into the test kernel
#   untrusted    never trusted
#   secondary    signed by the signing CA: may join .secondary_trusted_keys
#                at run time
#   blacklisted  signed by the signing CA, but its certificate is on the
#                kernel's blacklist, so it cannot join any keyring
#   revoked      signed by the signing CA, and its certificate is on the
#                kernel's revocation list (CONFIG_SYSTEM_REVOCATION_KEYS): it
#                may join .secondary_trusted_keys, but what it signs is refused
# and blacklist.hashes, the CONFIG_SYSTEM_BLACKLIST_HASH_LIST file: the
# blacklisted certificate ("tbs:") and the payload of the selftests' raw
# case blacklisted_payload ("bin:").
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$KEYS"
exists() { [ -s "$KEYS/$1_key.pem" ] && [ -s "$KEYS/$1_cert.pem" ]; }

gen() { # <name> <CN>: a self-signed CA certificate
	if exists "$1"; then
		say "keys: reusing $KEYS/$1_{key,cert}.pem"
		return
	fi
	say "keys: generating $1 key ($2)"
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 -subj "/CN=$2" \
		-keyout "$KEYS/$1_key.pem" -out "$KEYS/$1_cert.pem" 2>/dev/null
	chmod 600 "$KEYS/$1_key.pem"
}

issue() { # <name> <CN> <serial>: a code-signing certificate the signing CA signs
	if exists "$1"; then
		say "keys: reusing $KEYS/$1_{key,cert}.pem"
		return
	fi
	say "keys: generating $1 key ($2), signed by the signing key"
	openssl req -new -newkey rsa:2048 -nodes -subj "/CN=$2" \
		-keyout "$KEYS/$1_key.pem" -out "$KEYS/$1.csr" 2>/dev/null
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=digitalSignature' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$KEYS/$1.ext"
	openssl x509 -req -in "$KEYS/$1.csr" -CA "$KEYS/signing_cert.pem" \
		-CAkey "$KEYS/signing_key.pem" -set_serial "$3" -days 36500 -sha256 \
		-extfile "$KEYS/$1.ext" -out "$KEYS/$1_cert.pem" 2>/dev/null
	openssl x509 -in "$KEYS/$1_cert.pem" -outform DER -out "$KEYS/$1_cert.der"
	rm -f "$KEYS/$1.csr" "$KEYS/$1.ext"
	chmod 600 "$KEYS/$1_key.pem"
}

gen signing "Hornet test signing key"
gen untrusted "Hornet untrusted key"
issue secondary "Hornet test secondary key" 0x5ec0
issue blacklisted "Hornet test blacklisted key" 0xb1ac
issue revoked "Hornet test revoked key" 0x4e0c
openssl x509 -in "$KEYS/untrusted_cert.pem" -outform DER -out "$KEYS/untrusted_cert.der"

# le32 N...: each N as 4 little-endian bytes.
le32() {
	local v
	for v in "$@"; do
		# shellcheck disable=SC2059 # the format is built from octal escapes
		printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) \
			$((v >> 16 & 255)) $((v >> 24 & 255)))"
	done
}

# The payload of "r0 = 0x4242; exit" as a sleepable syscall program without
# maps (Documentation/security/hornet.rst, "What is signed"), the raw case blacklisted_payload.
blacklisted_payload() {
	printf HORNETPL
	le32 1 31 0 16 2 0
	le32 $((0xb7)) $((0x4242)) $((0x95)) 0
}

tbs=$(openssl x509 -in "$KEYS/blacklisted_cert.pem" -outform DER |
	openssl asn1parse -inform DER -strparse 4 -noout -out /dev/stdout | sha256sum | cut -d' ' -f1)
bin=$(blacklisted_payload | sha256sum | cut -d' ' -f1)
printf '"tbs:%s", "bin:%s"\n' "$tbs" "$bin" > "$KEYS/blacklist.hashes.new"
if cmp -s "$KEYS/blacklist.hashes.new" "$KEYS/blacklist.hashes"; then
	rm -f "$KEYS/blacklist.hashes.new"
else
	mv "$KEYS/blacklist.hashes.new" "$KEYS/blacklist.hashes"
fi
say "keys: blacklist $KEYS/blacklist.hashes: $(cat "$KEYS/blacklist.hashes")"
