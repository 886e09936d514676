#!/usr/bin/env bash
# lab/fuzz.sh [--short] [TARGET...]: build the libFuzzer targets of
# tests/fuzz (clang, -fsanitize=fuzzer,address,undefined) and run each one.
#
#   hornet_sig      hornet_find_signature(), hornet_parse_trailer()
#   hornet_insns    hornet_scan_insns(), hornet_payload_map()
#   hornet_payload  hornet_check_attr(), hornet_payload_size(), hornet_payload_hdr()
#   sign_sig        sign-ebpf's trailer and table parser, against the kernel's
#   sign_der        sign-ebpf's DER reader, against OpenSSL's parser
#
# The long run (make fuzz) executes FUZZ_RUNS inputs per target (default
# 10^7), or runs each for FUZZ_TIME seconds, and grows the corpus in
# $HORNET_CACHE/fuzz/corpus/<target>. --short (tests/host/t90-fuzz.sh, so
# make check) executes FUZZ_SHORT_RUNS (default 10^5) with a fixed seed and
# leaves the corpus as it is. Both start from the seeds tests/fuzz/seeds.sh
# writes to $HORNET_CACHE/fuzz/seeds (regenerated when seeds.sh changes),
# the corpus, and the regression inputs tests/fuzz/regress/<target>-*.hex.
# FUZZ_NICE runs the fuzzers under nice -n FUZZ_NICE.
#
# One line per target: "fuzz: <target>: ok: N executions, ..." or
# "fuzz: <target>: FAIL: ..." with the saved input under
# $HORNET_CACHE/fuzz/crashes/<target>/ and the log in
# $HORNET_CACHE/fuzz/logs/<target>.log. Any crash, leak, sanitizer report,
# broken invariant or timeout is a failure. Exit status 1 if any target
# failed or could not be built.
set -euo pipefail
. "$(dirname "$0")/common.sh"

FUZZ=$HORNET_CACHE/fuzz
OUT=$BUILD/fuzz
SRC=$REPO/tests/fuzz
TREE=${HORNET_TREE:-$LINUX}
ALL=(hornet_sig hornet_insns hornet_payload sign_sig sign_der)
CC_FUZZ=${CC_FUZZ:-clang}

short=0
if [ "${1:-}" = --short ]; then short=1; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")
for t in "${targets[@]}"; do
	[[ " ${ALL[*]} " == *" $t "* ]] || die "fuzz: unknown target $t (${ALL[*]})"
done
command -v "$CC_FUZZ" > /dev/null || die "fuzz: $CC_FUZZ not found (apt-get install clang libclang-rt-14-dev)"
mkdir -p "$OUT" "$FUZZ"/{seeds,corpus,crashes,logs,regress}

# ---- build ---------------------------------------------------------------

# shellcheck disable=SC2054 # one option with commas, not a list
SAN=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
CFLAGS=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror "${SAN[@]}")
KFLAGS=(-I"$SRC/include" -I"$REPO/security/hornet" -include "$SRC/include/compat.h")
if [ -f "$TREE/include/uapi/linux/bpf.h" ]; then
	KFLAGS+=("-DHORNET_UAPI_BPF_H=\"$TREE/include/uapi/linux/bpf.h\"")
	uapi="$TREE/include/uapi/linux/bpf.h"
else
	uapi=/usr/include/linux/bpf.h
fi
# The signer's objects the sign_* targets link, unchanged (not sign-ebpf.c,
# whose main() libFuzzer replaces).
SIGNER=$REPO/scripts/hornet
read -r -a CRYPTO <<< "$(pkg-config --cflags --libs libcrypto)"

build() {
	say "fuzz: building the targets in $OUT (union bpf_attr from $uapi)"
	# The real hornet_parse.c, unchanged; an unsigned wrap or a conversion that
	# changes a value is a report too.
	"$CC_FUZZ" "${CFLAGS[@]}" -fsanitize=unsigned-integer-overflow,implicit-conversion "${KFLAGS[@]}" \
		-c -o "$OUT/hornet_parse.o" "$REPO/security/hornet/hornet_parse.c" || return 1
	local t
	for t in hornet_sig hornet_insns hornet_payload; do
		"$CC_FUZZ" "${CFLAGS[@]}" "${KFLAGS[@]}" -o "$OUT/fuzz_$t" "$SRC/fuzz_$t.c" \
			"$OUT/hornet_parse.o" || return 1
	done
	"$CC_FUZZ" "${CFLAGS[@]}" -o "$OUT/fuzz_sign_sig" "$SRC/fuzz_sign_sig.c" \
		"$SIGNER/trailer.c" "$SIGNER/output.c" "$SIGNER/util.c" \
		"$OUT/hornet_parse.o" "${CRYPTO[@]}" || return 1
	"$CC_FUZZ" "${CFLAGS[@]}" -o "$OUT/fuzz_sign_der" "$SRC/fuzz_sign_der.c" \
		"$SIGNER/cms.c" "$SIGNER/util.c" "${CRYPTO[@]}" || return 1
	# Plain sign-ebpf for the seeds: every .c file of scripts/hornet.
	cc -O2 -Wall -Werror -o "$OUT/sign-ebpf" "$SIGNER"/*.c "${CRYPTO[@]}"
}
if ! build > "$FUZZ/logs/build.log" 2>&1; then
	cat "$FUZZ/logs/build.log" >&2
	for t in "${targets[@]}"; do echo "fuzz: $t: FAIL: does not build (log $FUZZ/logs/build.log)"; done
	exit 1
fi

# ---- inputs ----------------------------------------------------------------

if [ ! -f "$FUZZ/seeds/.stamp" ] || [ "$SRC/seeds.sh" -nt "$FUZZ/seeds/.stamp" ]; then
	say "fuzz: writing seeds to $FUZZ/seeds"
	rm -rf "$FUZZ/seeds.new"
	if ! SIGN_EBPF=$OUT/sign-ebpf "$SRC/seeds.sh" "$FUZZ/seeds.new" > "$FUZZ/logs/seeds.log" 2>&1; then
		cat "$FUZZ/logs/seeds.log" >&2
		for t in "${targets[@]}"; do echo "fuzz: $t: FAIL: seeds.sh failed (log $FUZZ/logs/seeds.log)"; done
		exit 1
	fi
	sed 's/^/[hornet] /' "$FUZZ/logs/seeds.log"
	rm -rf "$FUZZ/seeds"
	mv "$FUZZ/seeds.new" "$FUZZ/seeds"
	touch "$FUZZ/seeds/.stamp"
fi
# Regression inputs: hex, '#' starts a comment.
rm -rf "$FUZZ/regress"
for t in "${ALL[@]}"; do mkdir -p "$FUZZ/regress/$t" "$FUZZ/corpus/$t" "$FUZZ/crashes/$t"; done
for f in "$SRC"/regress/*.hex; do
	[ -e "$f" ] || continue
	n=$(basename "$f" .hex)
	perl -ne 's/#.*//; s/\s+//g; print pack("H*", $_)' "$f" > "$FUZZ/regress/${n%%-*}/${n#*-}"
done

# ---- run ---------------------------------------------------------------------

declare -A MAXLEN=([hornet_sig]=1024 [hornet_insns]=4096 [hornet_payload]=1024
		   [sign_sig]=4096 [sign_der]=4096)
nice_cmd=()
[ -z "${FUZZ_NICE:-}" ] || nice_cmd=(nice -n "$FUZZ_NICE")
if [ $short = 1 ]; then
	limit=(-runs="${FUZZ_SHORT_RUNS:-100000}" -seed="${FUZZ_SEED:-1}")
elif [ -n "${FUZZ_TIME:-}" ]; then
	limit=(-max_total_time="$FUZZ_TIME")
else
	limit=(-runs="${FUZZ_RUNS:-10000000}")
fi

failed=0
for t in "${targets[@]}"; do
	log=$FUZZ/logs/$t.log
	# The first directory receives the new inputs: a scratch one in --short.
	if [ $short = 1 ]; then
		first=$(mktemp -d "${TMPDIR:-/tmp}/hornet-fuzz.XXXXXX")
		dirs=("$first" "$FUZZ/corpus/$t")
	else
		first=
		dirs=("$FUZZ/corpus/$t")
	fi
	dirs+=("$FUZZ/seeds/$t" "$FUZZ/regress/$t")
	say "fuzz: $t: ${limit[*]}, log $log"
	start=$(date +%s)
	rc=0
	"${nice_cmd[@]}" "$OUT/fuzz_$t" "${limit[@]}" -max_len="${MAXLEN[$t]}" -timeout=10 \
		-rss_limit_mb=2048 -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$FUZZ/crashes/$t/" \
		"${dirs[@]}" > "$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	[ -z "$first" ] || rm -rf "$first"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
	cov=$(sed -E -n 's/.* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+)\/.*/cov \1, ft \2, corpus \3/p' \
		<<< "$done_line")
	if [ "$rc" -ne 0 ] || [ -z "$execs" ] ||
	   grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken|SUMMARY: ' "$log"; then
		failed=1
		what=$(grep -E -m 1 'invariant broken|runtime error:|ERROR: |SUMMARY: ' "$log" || true)
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
		echo "fuzz: $t: FAIL: exit $rc after ${execs:-?} executions: ${what:-see the log}${art:+ (input $art)}"
		grep -E 'invariant broken|runtime error:|ERROR: |SUMMARY: |^    #[0-9] ' "$log" | head -n 20 | sed 's/^/  /'
	else
		echo "fuzz: $t: ok: $execs executions, $secs s, ${cov:-no stats}"
	fi
done
exit $failed
