#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The libFuzzer targets of tests/fuzz (Hornet's parsers in hornet_parse.c,
# sign-ebpf's trailer, table and DER parsing), briefly: lab/fuzz.sh --short
# runs each for 10^5 executions (FUZZ_SHORT_RUNS) from the seeds, the
# corpus of earlier "make fuzz" runs and the regression inputs of
# tests/fuzz/regress.  One result per target with its execution count; not
# ok on a crash, a leak, a sanitizer report, a broken invariant, a timeout
# or a build failure.  "make fuzz" runs the same targets long.

. "$(dirname "$0")/tap.sh"
ROOT=$(cd "$HERE/../.." && pwd)
TARGETS="hornet_sig hornet_insns hornet_payload sign_sig sign_der"

printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' > "$T/probe.c"
if ! command -v clang > /dev/null ||
   ! clang -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" > /dev/null 2>&1; then
	skip "fuzz: clang with libFuzzer not installed (apt-get install clang libclang-rt-14-dev)"
	done_testing; exit
fi

rc=0
"$ROOT/lab/fuzz.sh" --short > "$T/fuzz.out" 2>&1 || rc=$?
for t in $TARGETS; do
	line=$(grep -E "^fuzz: $t: (ok|FAIL): " "$T/fuzz.out" | tail -n 1)
	case $line in
	"fuzz: $t: ok: "*)
		ok "$t: ${line#fuzz: "$t": ok: }" ;;
	"fuzz: $t: FAIL: "*)
		not_ok "$t: ${line#fuzz: "$t": FAIL: }"
		sed -n "/^fuzz: $t: FAIL: /,/^[^ ]/p" "$T/fuzz.out" | sed -n '2,$p' | grep '^ ' | diag ;;
	*)
		not_ok "$t: no result from lab/fuzz.sh (exit $rc)"
		tail -n 20 "$T/fuzz.out" | diag ;;
	esac
done
if [ "$rc" -ne 0 ] && ! grep -q ': FAIL: ' "$T/fuzz.out"; then
	not_ok "lab/fuzz.sh --short exit $rc"
	tail -n 20 "$T/fuzz.out" | diag
fi
done_testing
