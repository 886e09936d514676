#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Several light skeletons in one executable: --add, --replace, -r, --remove
# and --list on the signature table, byte-exact against tables built here
# from the format (security/hornet.rst); one signature is always the single trailer
# and none the unsigned loader; 16 at most; --verify selects by the
# payload's SHA-256.  Every refusal exits 1 and leaves the loader as it
# was; a malformed table is refused by every mode, naming the problem.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
make_key "$T/k2"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 30000 /dev/urandom > "$T/orig"
chmod 0751 "$T/orig"
for i in $(seq 0 16); do head -c $((1000 + i)) /dev/urandom > "$T/p$i"; done
TMAGIC='~eBPF signature table v1~'
SMAGIC='~eBPF signature appended~'

s() { "$SIGN_EBPF" "$@"; }
leftovers() { find "$1" -maxdepth 1 -name '.sign-ebpf.*'; }
sum() { sha256sum < "$1"; }
# The printf formats below are built from \x escapes on purpose.
# shellcheck disable=SC2059
# be32 N: N as 4 bytes, big endian
be32() {
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)))"
}
# digest FILE: the 32 bytes of SHA-256(FILE)
# shellcheck disable=SC2059
digest() { printf "$(sha256sum < "$1" | cut -c1-64 | sed 's/../\\x&/g')"; }
hex() { sha256sum < "$1" | cut -c1-64; }
size() { stat -c %s "$1"; }
# der I [HASH]: the deterministic detached signature of p<I> (RSA PKCS#1 v1.5)
der() {
	local f=$T/der.$1.${2:-sha256}
	[ -e "$f.p7s" ] || s -d "${2:-sha256}" "$K" "$C" "$T/p$1" "$f" > /dev/null
	echo "$f.p7s"
}
# table OUT I[:HASH]...: orig || DERs || entries || footer || table magic
table() {
	local out=$1 a i h; shift
	{
		cat "$T/orig"
		for a in "$@"; do i=${a%%:*}; h=${a#*:}; [ "$h" = "$a" ] && h=sha256
			cat "$(der "$i" "$h")"; done
		for a in "$@"; do i=${a%%:*}; h=${a#*:}; [ "$h" = "$a" ] && h=sha256
			digest "$T/p$i"; be32 "$(size "$(der "$i" "$h")")"; be32 0; done
		be32 $#; be32 0
		printf '%s\n' "$TMAGIC"
	} > "$out"
}
# single OUT I: orig signed for p<I> alone by the positional form
single() { cp "$T/orig" "$1"; s sha256 "$K" "$C" "$T/p$2" "$1" > /dev/null; }

# refused DESC REGEX FILE CMD...: CMD exits exactly 1, prints REGEX, FILE
# keeps its bytes and its directory holds no temporary file.
refused() {
	local desc=$1 re=$2 f=$3 before rc=0; shift 3
	before=$(sum "$f")
	"$@" > "$T/.out" 2>&1 || rc=$?
	if [ "$rc" -eq 1 ] && grep -Eqi -- "$re" "$T/.out" && [ "$before" = "$(sum "$f")" ] &&
	   [ -z "$(leftovers "$(dirname "$f")")" ]; then
		ok "$desc"
		sed -n '1s/^/# message: /p' "$T/.out"
	else
		not_ok "$desc"
		echo "# exit $rc (want 1), want /$re/"
		[ "$before" = "$(sum "$f")" ] || echo "# $f changed!"
		diag "$T/.out"
	fi
}
# usage DESC CMD...: CMD exits exactly 2
usage() {
	local desc=$1 rc=0; shift
	"$@" > "$T/.out" 2>&1 || rc=$?
	if [ "$rc" -eq 2 ] && grep -qi usage "$T/.out"; then ok "$desc"; else
		not_ok "$desc"; echo "# exit $rc, want 2"; diag "$T/.out"; fi
}
# listing FILE EXPECTED: --list FILE prints exactly EXPECTED
listing() {
	s --list "$1" > "$T/list.out" 2>&1 || { diag "$T/list.out"; return 1; }
	printf '%s\n' "$2" | diff - "$T/list.out"
}

check "the test key is RSA (PKCS#1 v1.5 signatures are deterministic)" \
	bash -c "openssl x509 -in '$C' -noout -text | grep -q rsaEncryption &&
		 cmp '$(der 0)' <('$SIGN_EBPF' -d sha256 '$K' '$C' '$T/p0' '$T/again' && cat '$T/again.p7s')"

# ---- Round trip: sign, add, add, remove, remove, remove -----------------
cp -p "$T/orig" "$T/L"
check "positional form on an unsigned loader" s sha256 "$K" "$C" "$T/p0" "$T/L"
single "$T/S0" 0
check "... writes the single trailer" \
	bash -c "cmp '$T/L' '$T/S0' && [ \"\$(tail -c 26 '$T/L')\" = '$SMAGIC' ]"
check "--list: single" listing "$T/L" "format: single, 1 signature
0 - $(size "$(der 0)")"
check "--add p1" s --add sha256 "$K" "$C" "$T/p1" "$T/L"
table "$T/T01" 0 1
check "... gives orig || DER0 || DER1 || entry0 || entry1 || footer(2) || table magic" \
	cmp "$T/L" "$T/T01"
check "... ends in the 26 byte table magic" test "$(tail -c 26 "$T/L")" = "$TMAGIC"
check "--list: table of 2, digests and lengths" listing "$T/L" "format: table v1, 2 signatures
0 $(hex "$T/p0") $(size "$(der 0)")
1 $(hex "$T/p1") $(size "$(der 1)")"
check "--verify p0 selects entry 0" \
	bash -c "'$SIGN_EBPF' --verify '$C' '$T/p0' '$T/L' | grep -q 'table entry 0 of 2'"
check "--verify p1 selects entry 1" \
	bash -c "'$SIGN_EBPF' --verify '$C' '$T/p1' '$T/L' | grep -q 'table entry 1 of 2'"
refused "--verify p2 (no entry): ENODATA" "ENODATA.*no signature for this payload.*$(hex "$T/p2")" \
	"$T/L" s --verify "$C" "$T/p2" "$T/L"
cp "$T/p1" "$T/p1bad"
printf '\xff' | dd of="$T/p1bad" bs=1 seek=10 conv=notrunc status=none
refused "--verify of a changed payload: no entry for its digest (ENODATA)" 'ENODATA' \
	"$T/L" s --verify "$C" "$T/p1bad" "$T/L"
refused "--verify p1 with another certificate: ENOKEY" 'ENOKEY' \
	"$T/L" s --verify "$T/k2/cert.pem" "$T/p1" "$T/L"
check "mode 0751 kept" test "$(stat -c %a "$T/L")" = 751
check "--add p2 with sha384" s --add sha384 "$K" "$C" "$T/p2" "$T/L"
table "$T/T012" 0 1 2:sha384
check "... appends entry 2, byte-exact" cmp "$T/L" "$T/T012"
check "--verify p2 (sha384 entry)" s --verify "$C" "$T/p2" "$T/L"
check "--remove p1 (the middle one)" s --remove "$T/p1" "$T/L"
table "$T/T02" 0 2:sha384
check "... keeps the order of the others, byte-exact" cmp "$T/L" "$T/T02"
check "--remove p0: one left" s --remove "$T/p0" "$T/L"
cp "$T/orig" "$T/S2"
s sha384 "$K" "$C" "$T/p2" "$T/S2"
check "... is the single format, byte-identical to signing p2 alone" cmp "$T/L" "$T/S2"
check "--remove p2: the last one" s --remove "$T/p2" "$T/L"
check "... gives back the unsigned loader byte for byte" cmp "$T/L" "$T/orig"
check "--list: unsigned" listing "$T/L" "format: unsigned, 0 signatures"
check "mode 0751 kept to the end" test "$(stat -c %a "$T/L")" = 751

# ---- Refusals leave the file as it was ----------------------------------
cp "$T/T01" "$T/L"
refused "--add p1 again: already has a signature" 'already has a signature' \
	"$T/L" s --add sha256 "$K" "$C" "$T/p1" "$T/L"
refused "--add p0 again (its entry came from the single trailer)" 'already has a signature' \
	"$T/L" s --add sha512 "$K" "$C" "$T/p0" "$T/L"
refused "--add p1 again into <dest>: refused, no <dest>" 'already has a signature' \
	"$T/L" s --add sha256 "$K" "$C" "$T/p1" "$T/L" "$T/nodest"
check "... no <dest> created" test ! -e "$T/nodest"
refused "positional form without -r on a table: already signed" 'already signed' \
	"$T/L" s sha256 "$K" "$C" "$T/p5" "$T/L"
refused "-r for a payload without an entry: tells to use --add" 'no signature for payload.*--add' \
	"$T/L" s -r sha256 "$K" "$C" "$T/p5" "$T/L"
refused "--replace for a payload without an entry" 'no signature for payload' \
	"$T/L" s --replace sha256 "$K" "$C" "$T/p5" "$T/L"
refused "--remove for a payload without an entry" 'no signature for payload' \
	"$T/L" s --remove "$T/p5" "$T/L"
refused "--add with a key/cert mismatch" 'do not match' \
	"$T/L" s --add sha256 "$T/k2/key.pem" "$C" "$T/p5" "$T/L"
cp "$T/orig" "$T/U"
refused "--replace on an unsigned loader" 'not signed' \
	"$T/U" s --replace sha256 "$K" "$C" "$T/p0" "$T/U"
refused "--remove on an unsigned loader" 'not signed' "$T/U" s --remove "$T/p0" "$T/U"

# ---- Replace ------------------------------------------------------------
cp "$T/T01" "$T/L"
check "-r p1 with sha512 on a table" s -r sha512 "$K" "$C" "$T/p1" "$T/L"
table "$T/T01r" 0 1:sha512
check "... replaces entry 1 in place, byte-exact" cmp "$T/L" "$T/T01r"
check "--replace p1 with sha256" s --replace sha256 "$K" "$C" "$T/p1" "$T/L"
check "... gives the original table back" cmp "$T/L" "$T/T01"
check "--replace -p p0 with sha384 writes <loader>.p7s" \
	bash -c "'$SIGN_EBPF' --replace -p sha384 '$K' '$C' '$T/p0' '$T/L' &&
		 cmp '$T/L.p7s' '$(der 0 sha384)'"
table "$T/T0r1" 0:sha384 1
check "... and replaced entry 0, byte-exact" cmp "$T/L" "$T/T0r1"
cp "$T/S0" "$T/L"
check "--replace on the single format replaces its one signature" \
	s --replace sha256 "$K" "$C" "$T/p3" "$T/L"
single "$T/S3" 3
check "... byte-identical to signing p3 alone" cmp "$T/L" "$T/S3"

# ---- <dest> ------------------------------------------------------------
cp "$T/S0" "$T/L"
check "--add into <dest>" s --add sha256 "$K" "$C" "$T/p1" "$T/L" "$T/D"
check "... <dest> is the table, the loader is untouched" \
	bash -c "cmp '$T/D' '$T/T01' && cmp '$T/L' '$T/S0'"
check "--remove into <dest>" s --remove "$T/p0" "$T/D" "$T/D1"
single "$T/S1" 1
check "... <dest> is p1's single trailer, the table is untouched" \
	bash -c "cmp '$T/D1' '$T/S1' && cmp '$T/D' '$T/T01'"
cp "$T/orig" "$T/L"
check "--add on an unsigned loader writes the single trailer" \
	bash -c "'$SIGN_EBPF' --add sha256 '$K' '$C' '$T/p0' '$T/L' && cmp '$T/L' '$T/S0'"

# ---- 16 signatures at most ----------------------------------------------
cp "$T/T01" "$T/L"
for i in $(seq 2 15); do
	s --add sha256 "$K" "$C" "$T/p$i" "$T/L" > /dev/null || echo "# --add p$i failed"
done
table "$T/T16" $(seq 0 15)
check "--add up to 16 signatures: byte-exact table" cmp "$T/L" "$T/T16"
check "--list shows 16" bash -c "'$SIGN_EBPF' --list '$T/L' | head -1 | grep -qx 'format: table v1, 16 signatures' &&
	[ \$('$SIGN_EBPF' --list '$T/L' | wc -l) -eq 17 ]"
check "--verify accepts each of the 16 payloads with its own entry" \
	bash -c "for i in \$(seq 0 15); do '$SIGN_EBPF' --verify '$C' '$T/p'\$i '$T/L' |
		 grep -q \"table entry \$i of 16\" || exit 1; done"
refused "17th --add refused" 'already carries 16 signatures' \
	"$T/L" s --add sha256 "$K" "$C" "$T/p16" "$T/L"
for i in $(seq 15 -1 2); do s --remove "$T/p$i" "$T/L" || echo "# --remove p$i failed"; done
check "removing 14 again gives the 2 entry table back" cmp "$T/L" "$T/T01"

# ---- A table of one entry: the kernel accepts it, sign-ebpf reads it ------
table "$T/T0" 0
cp "$T/T0" "$T/L"
check "table of 1: --list" listing "$T/L" "format: table v1, 1 signature
0 $(hex "$T/p0") $(size "$(der 0)")"
check "table of 1: --verify p0" s --verify "$C" "$T/p0" "$T/L"
refused "table of 1: --add p0 refused, the entry names it" 'already has a signature' \
	"$T/L" s --add sha256 "$K" "$C" "$T/p0" "$T/L"
check "table of 1: --add p1 gives the 2 entry table" \
	bash -c "'$SIGN_EBPF' --add sha256 '$K' '$C' '$T/p1' '$T/L' && cmp '$T/L' '$T/T01'"
cp "$T/T0" "$T/L"
check "table of 1: -r p0 rewrites it as the single trailer" \
	bash -c "'$SIGN_EBPF' -r sha256 '$K' '$C' '$T/p0' '$T/L' && cmp '$T/L' '$T/S0'"
cp "$T/T0" "$T/L"
check "table of 1: --remove p0 gives back the unsigned loader" \
	bash -c "'$SIGN_EBPF' --remove '$T/p0' '$T/L' && cmp '$T/L' '$T/orig'"

# ---- The single trailer does not record its payload ---------------------
cp "$T/orig" "$T/L2"
s sha256 "$T/k2/key.pem" "$T/k2/cert.pem" "$T/p0" "$T/L2"
refused "--add to a single signature by another key: needs --existing" 'existing' \
	"$T/L2" s --add sha256 "$K" "$C" "$T/p1" "$T/L2"
refused "... and --existing cannot verify it with the given certificate" 'does not verify' \
	"$T/L2" s --add --existing "$T/p0" sha256 "$K" "$C" "$T/p1" "$T/L2"
cp "$T/orig" "$T/L3"
s sha384 "$K" "$C" "$T/p0" "$T/L3"
refused "--add to a single sha384 signature: digest not recoverable, needs --existing" \
	'digest is not sha256.*--existing' "$T/L3" s --add sha256 "$K" "$C" "$T/p1" "$T/L3"
refused "... --existing naming the wrong payload refused" 'does not verify' \
	"$T/L3" s --add --existing "$T/p2" sha256 "$K" "$C" "$T/p1" "$T/L3"
refused "... --existing naming the payload being added refused" 'already has a signature' \
	"$T/L3" s --add --existing "$T/p0" sha256 "$K" "$C" "$T/p0" "$T/L3"
check "... --existing with the right payload adds" \
	s --add --existing "$T/p0" sha256 "$K" "$C" "$T/p1" "$T/L3"
table "$T/T0s1" 0:sha384 1
check "... byte-exact" cmp "$T/L3" "$T/T0s1"
cp "$T/S0" "$T/L"
check "--existing agrees with the recovered digest" \
	bash -c "'$SIGN_EBPF' --add --existing '$T/p0' sha256 '$K' '$C' '$T/p1' '$T/L' && cmp '$T/L' '$T/T01'"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.key" 2> /dev/null
openssl req -new -x509 -key "$T/ec.key" -subj /CN=ec -out "$T/ec.crt"
cp "$T/orig" "$T/E"
s sha256 "$T/ec.key" "$T/ec.crt" "$T/p0" "$T/E"
refused "ECDSA single signature: digest not recoverable, needs --existing" 'not an RSA.*--existing' \
	"$T/E" s --add sha256 "$T/ec.key" "$T/ec.crt" "$T/p1" "$T/E"
check "ECDSA: --add --existing, then --verify accepts both payloads" \
	bash -c "'$SIGN_EBPF' --add --existing '$T/p0' sha256 '$T/ec.key' '$T/ec.crt' '$T/p1' '$T/E' &&
		 '$SIGN_EBPF' --verify '$T/ec.crt' '$T/p0' '$T/E' && '$SIGN_EBPF' --verify '$T/ec.crt' '$T/p1' '$T/E' &&
		 '$SIGN_EBPF' --list '$T/E' | grep -qx 'format: table v1, 2 signatures'"
check "ECDSA: removing both gives back the unsigned loader" \
	bash -c "'$SIGN_EBPF' --remove '$T/p1' '$T/E' && '$SIGN_EBPF' --remove '$T/p0' '$T/E' && cmp '$T/E' '$T/orig'"

# ---- Hostile tables: refused by every mode, untouched -------------------
# patch FILE OFFSET-FROM-END BYTES...: overwrite bytes counted from the end
# shellcheck disable=SC2059
patch() {
	local f=$1 off=$2; shift 2
	printf "$@" | dd of="$f" bs=1 seek=$(($(size "$f") - off)) conv=notrunc status=none
}
E0=$((34 + 80)) E1=$((34 + 40))		# entry 0 and 1 of a 2 entry table
mk() { cp "$T/T01" "$T/H.$1"; }
mk foot-res;	patch "$T/H.foot-res" 30 '\0\0\0\1'
mk n0;		patch "$T/H.n0" 34 '\0\0\0\0'
mk n17;		patch "$T/H.n17" 34 '\0\0\0\21'
mk ent-res;	patch "$T/H.ent-res" $((E1 - 36)) '\0\0\1\0'
mk len0;	patch "$T/H.len0" $((E0 - 32)) '\0\0\0\0'
mk len65537;	patch "$T/H.len65537" $((E1 - 32)) '\0\1\0\1'
mk total;	patch "$T/H.total" $((E0 - 32)) '\0\0\377\377'
mk dup;		digest "$T/p0" > "$T/d0"
		dd if="$T/d0" of="$T/H.dup" bs=1 seek=$(($(size "$T/H.dup") - E1)) conv=notrunc status=none
printf '%s\n' "$TMAGIC" > "$T/H.magic-only"
{ be32 2; be32 0; printf '%s\n' "$TMAGIC"; } > "$T/H.no-entries"
tail -c $(($(size "$T/T01") - 30400)) "$T/T01" > "$T/H.front-cut"
declare -A why=(
	[foot-res]='reserved field of the table footer is not zero'
	[n0]='nr_entries is 0 \(must be 1 to 16\)'
	[n17]='nr_entries is 17 \(must be 1 to 16\)'
	[ent-res]='reserved field of entry 1 is not zero'
	[len0]='sig_len of entry 0 is 0 \(must be 1 to 65535\)'
	[len65537]='sig_len of entry 1 is 65537 \(must be 1 to 65535\)'
	[total]='signatures \([0-9]+ bytes\) are longer than the [0-9]+ bytes before the table'
	[dup]='entries 0 and 1 are for the same payload \(duplicate SHA-256\)'
	[magic-only]='file too short for the signature table footer'
	[no-entries]='file too short for a table of 2 entries'
	[front-cut]='signatures \([0-9]+ bytes\) are longer than the [0-9]+ bytes before the table'
)
for h in foot-res n0 n17 ent-res len0 len65537 total dup magic-only no-entries front-cut; do
	f=$T/H.$h re=${why[$h]}
	refused "hostile $h: --list refused" "malformed Hornet signature table \\($re\\)$" \
		"$f" s --list "$f"
	refused "hostile $h: --add refused" "malformed Hornet signature table \\($re\\)$" \
		"$f" s --add sha256 "$K" "$C" "$T/p5" "$f"
	refused "hostile $h: --verify refused (EBADMSG)" "EBADMSG.*malformed signature table: $re$" \
		"$f" s --verify "$C" "$T/p0" "$f"
	refused "hostile $h: --remove and -r refused" "malformed Hornet signature table \\($re\\)$" \
		"$f" bash -c "'$SIGN_EBPF' --remove '$T/p0' '$f' || '$SIGN_EBPF' -r sha256 '$K' '$C' '$T/p0' '$f'"
done
check "hostile: entry 1 of the dup table names p0 (the test built what it meant)" \
	bash -c "tail -c $E1 '$T/H.dup' | head -c 32 | cmp - '$T/d0'"

# ---- Command line -------------------------------------------------------
usage "--add with -d is a usage error" s --add -d sha256 "$K" "$C" "$T/p0" "$T/L"
usage "--add with -r is a usage error" s --add -r sha256 "$K" "$C" "$T/p0" "$T/L"
usage "--add and --remove together are a usage error" s --add --remove "$T/p0" "$T/L"
usage "--existing without --add is a usage error" \
	s --existing "$T/p0" sha256 "$K" "$C" "$T/p1" "$T/L"
usage "--remove with -p is a usage error" s --remove -p "$T/p0" "$T/L"
usage "--remove with one argument is a usage error" s --remove "$T/L"
usage "--list with two loaders is a usage error" s --list "$T/L" "$T/L"
usage "--list with -k is a usage error" s --list -k "$T/L"
check "no temporary files left" test -z "$(leftovers "$T")"

done_testing
