#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# H16: the same RSA key in a file and in a SoftHSM2 token.  RSA PKCS#1 v1.5
# is deterministic, so signing by pkcs11: URI (PIN from KBUILD_SIGN_PIN)
# and by PEM file must give byte-identical signatures.  A wrong or missing
# PIN fails cleanly, without prompting and without touching the loader.

. "$(dirname "$0")/tap.sh"

ENGINE_SO=$(openssl version -e 2> /dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"$/\1/p')/pkcs11.so
if ! command -v softhsm2-util > /dev/null; then
	skip "PKCS#11: softhsm2-util not installed (apt-get install softhsm2)"
	done_testing; exit
fi
if [ ! -e "$ENGINE_SO" ] && ! openssl list -providers -provider pkcs11 > /dev/null 2>&1; then
	skip "PKCS#11: no pkcs11 engine ($ENGINE_SO) or provider (apt-get install libengine-pkcs11-openssl)"
	done_testing; exit
fi

make_key "$T/k"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 4096 /dev/urandom > "$T/payload"
head -c 9000 /dev/urandom > "$T/loader"

mkdir "$T/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$T/tokens" > "$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
openssl pkcs8 -topk8 -nocrypt -in "$K" -out "$T/key.p8"
check "SoftHSM2 token initialised" softhsm2-util --init-token --free --label hornet \
	--pin 1234 --so-pin 5678
check "RSA key imported into the token" softhsm2-util --import "$T/key.p8" --token hornet \
	--label hornet-key --id 4242 --pin 1234

URI='pkcs11:token=hornet;object=hornet-key;type=private'
p11() { KBUILD_SIGN_PIN=1234 timeout 60 "$SIGN_EBPF" "$@" < /dev/null; }

for h in sha256 sha384 sha512; do
	check "$h: sign by pkcs11: URI" p11 -d "$h" "$URI" "$C" "$T/payload" "$T/p11-$h"
	check "$h: sign by PEM file" "$SIGN_EBPF" -d "$h" "$K" "$C" "$T/payload" "$T/pem-$h"
	check "$h: signatures byte-identical" cmp "$T/p11-$h.p7s" "$T/pem-$h.p7s"
done

cp "$T/loader" "$T/loader.orig"
check "in place by URI, then --verify accepts" \
	bash -c "KBUILD_SIGN_PIN=1234 '$SIGN_EBPF' sha256 '$URI' '$C' '$T/payload' '$T/loader' < /dev/null &&
		 '$SIGN_EBPF' --verify '$C' '$T/payload' '$T/loader'"
check "-k by URI equals -k by PEM" \
	bash -c "KBUILD_SIGN_PIN=1234 '$SIGN_EBPF' -k -d sha256 '$URI' '$C' '$T/payload' '$T/k1' < /dev/null &&
		 '$SIGN_EBPF' -k -d sha256 '$K' '$C' '$T/payload' '$T/k2' && cmp '$T/k1.p7s' '$T/k2.p7s'"
check "object selected by id (%42%42) works" \
	p11 -d sha256 'pkcs11:token=hornet;id=%42%42;type=private' "$C" "$T/payload" "$T/byid"
check "PKCS11_MODULE_PATH naming libsofthsm2.so directly works" \
	bash -c "for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
			[ -e \"\$m\" ] && break; done
		 PKCS11_MODULE_PATH=\$m KBUILD_SIGN_PIN=1234 '$SIGN_EBPF' -d sha256 '$URI' '$C' \
			'$T/payload' '$T/direct' < /dev/null && cmp '$T/direct.p7s' '$T/pem-sha256.p7s'"

cp "$T/loader.orig" "$T/loader"
sum=$(sha256sum < "$T/loader")
check_fail "wrong PIN fails with a message" 'wrong PIN' \
	env KBUILD_SIGN_PIN=0000 timeout 60 "$SIGN_EBPF" sha256 "$URI" "$C" "$T/payload" "$T/loader"
check_fail "no KBUILD_SIGN_PIN fails without prompting" 'KBUILD_SIGN_PIN is not set' \
	bash -c "unset KBUILD_SIGN_PIN; timeout 60 '$SIGN_EBPF' sha256 '$URI' '$C' '$T/payload' '$T/loader' < /dev/null"
if command -v script > /dev/null; then
	# On a terminal, typing the PIN must not help: sign-ebpf never prompts.
	check_fail "no KBUILD_SIGN_PIN on a terminal: no prompt, the typed PIN is not read" \
		'KBUILD_SIGN_PIN is not set' \
		bash -c "printf '1234\\n' | timeout 60 script -qec \"env -u KBUILD_SIGN_PIN '$SIGN_EBPF' \
			-d sha256 '$URI' '$C' '$T/payload' '$T/tty'\" /dev/null; [ ! -e '$T/tty.p7s' ] && exit 1"
else
	skip "no prompt on a terminal: script(1) not installed"
fi
check_fail "unknown object fails with a message" 'no such token or object' \
	p11 sha256 'pkcs11:token=hornet;object=nope;type=private' "$C" "$T/payload" "$T/loader"
check "loader unchanged after the failures, no temporary files" \
	bash -c "[ '$sum' = \"\$(sha256sum < '$T/loader')\" ] && ! ls -A '$T' | grep -q '^\\.sign-ebpf'"

done_testing
