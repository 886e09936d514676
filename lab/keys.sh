#!/usr/bin/env bash
# Generate the test keys in $HORNET_CACHE/keys if absent: a trusted signing key
# (compiled into the test kernel) and an untrusted one (never trusted).
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$KEYS"
gen() { # <name> <CN>
	if [ -s "$KEYS/$1_key.pem" ] && [ -s "$KEYS/$1_cert.pem" ]; then
		say "keys: reusing $KEYS/$1_{key,cert}.pem"
		return
	fi
	say "keys: generating $1 key ($2)"
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 -subj "/CN=$2" \
		-keyout "$KEYS/$1_key.pem" -out "$KEYS/$1_cert.pem" 2>/dev/null
	chmod 600 "$KEYS/$1_key.pem"
}
gen signing "Hornet test signing key"
gen untrusted "Hornet untrusted key"
