#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lab/summary.sh (make check's last line) on made-up TAP: the kselftest
# runner's nested output (run_kselftest.sh) counted by the programs' own
# results, with a timeout, a bad exit status, a program that never ran,
# one that ran nothing and a skipped one; programs that follow each other
# with their own plans; a missing suite file, one without a plan, one
# whose plan is 1..0, a program that died before its plan, and a not ok
# whose reason says skip.

. "$(dirname "$0")/tap.sh"

SUMMARY=$HERE/../../lab/summary.sh

# expect DESC LINE RC FILE...: summary.sh's last line is LINE and it exits RC.
expect() {
	local desc=$1 want=$2 wantrc=$3 rc=0 got; shift 3
	"$SUMMARY" "$@" > "$T/.sum" 2>&1 || rc=$?
	got=$(tail -n 1 "$T/.sum")
	if [ "$got" = "$want" ] && [ "$rc" -eq "$wantrc" ]; then
		ok "$desc"
	else
		not_ok "$desc"; echo "# got '$got' (exit $rc), wanted '$want' (exit $wantrc)"
		diag "$T/.sum"
	fi
}

# prog N NAME PLAN RESULT...: one program as run_kselftest.sh prints it:
# its own plan (none if -) and results, then the runner's line for it
# (ok, timeout, exit, skip) unless the output stops inside the program.
prog() {
	local n=$1 name=$2 plan=$3 i=0 r; shift 3
	echo "# timeout set to 900"
	echo "# selftests: hornet: $name"
	echo "# TAP version 13"
	[ "$plan" = - ] || echo "# 1..$plan"
	for r in "$@"; do
		case $r in
		pass) i=$((i + 1)); echo "# ok $i $name.t$i" ;;
		fail) i=$((i + 1)); echo "# not ok $i $name.t$i" ;;
		xskip) i=$((i + 1)); echo "# ok $i $name.t$i # SKIP not here" ;;
		ok) echo "ok $n selftests: hornet: $name" ;;
		timeout) echo "#"; echo "not ok $n selftests: hornet: $name # TIMEOUT 900 seconds" ;;
		exit) echo "not ok $n selftests: hornet: $name # exit=1" ;;
		skip) echo "ok $n selftests: hornet: $name # SKIP" ;;
		esac
	done
}

# runner PLAN: the runner's header.
runner() { echo "TAP version 13"; echo "1..$1"; }

{ runner 2; prog 1 load_test 2 pass pass ok; prog 2 run_test 1 pass ok; } > "$T/pass.tap"
expect "runner: the programs' results" "3 passed, 0 failed" 0 "$T/pass.tap"

{ runner 2; prog 1 load_test 4 pass pass pass timeout; prog 2 run_test 1 pass ok; } > "$T/timeout.tap"
expect "runner: a timeout cuts a program short" "4 passed, 1 failed" 1 "$T/timeout.tap"

{ runner 1; prog 1 load_test 2 pass pass exit; } > "$T/exit.tap"
expect "runner: non-zero exit after passing results" "2 passed, 1 failed" 1 "$T/exit.tap"

{ runner 1; prog 1 load_test 2 pass fail exit; } > "$T/fail.tap"
expect "runner: a failed result, not counted twice" "1 passed, 1 failed" 1 "$T/fail.tap"

{ runner 3; prog 1 load_test 1 pass ok; prog 2 run_test 1 pass ok; } > "$T/short.tap"
expect "runner: a program missing from its plan" "2 passed, 1 failed" 1 "$T/short.tap"

{ runner 2; prog 1 load_test - skip; prog 2 run_test 2 pass xskip ok; } > "$T/skip.tap"
expect "runner: skipped programs and results are skips" "1 passed, 0 failed, 2 skipped" 0 "$T/skip.tap"

{ runner 1; prog 1 load_test 3 pass; } > "$T/crash.tap"
expect "runner: output ends inside a program" "1 passed, 3 failed" 1 "$T/crash.tap"

printf 'TAP version 13\n1..2\nok 1 a\nok 2 b\nTAP version 13\n1..1\nnot ok 1 c\n' > "$T/plain.tap"
expect "plain TAP: programs one after another" "2 passed, 1 failed" 1 "$T/plain.tap"

printf '1..2\nok 1 a\n' > "$T/plainshort.tap"
expect "plain TAP: a result missing from the plan" "1 passed, 1 failed" 1 "$T/plainshort.tap"

expect "a missing suite file is a failure" "3 passed, 1 failed" 1 "$T/pass.tap" "$T/none.tap"

printf 'TAP version 13\n1..1\nok 1 host\n' > "$T/good.tap"
echo "No such collection 'hornet'" > "$T/noplan.tap"
expect "a suite without a plan (the runner stopped first)" "1 passed, 1 failed" 1 \
	"$T/good.tap" "$T/noplan.tap"

printf 'TAP version 13\n1..2\nok 1 a\nok 2 b\nTAP version 13\n' > "$T/died.tap"
expect "plain TAP: a program that died before its plan" "2 passed, 1 failed" 1 "$T/died.tap"

printf 'TAP version 13\n1..0\n# PASSED: 0 / 0 tests passed.\n' > "$T/nothing.tap"
expect "a suite that ran nothing (plan 1..0)" "1 passed, 1 failed" 1 "$T/good.tap" "$T/nothing.tap"

printf 'TAP version 13\n1..0 # SKIP no Hornet here\n' > "$T/allskip.tap"
expect "a plan of 1..0 with a SKIP directive is one skip" "1 passed, 0 failed, 1 skipped" 0 "$T/good.tap" "$T/allskip.tap"

printf 'TAP version 13\n1..2\nok 1 a\nnot ok 2 f.b #  skipped: no key in this boot\n' > "$T/notokskip.tap"
expect "a not ok whose reason says skip is a failure" "1 passed, 1 failed" 1 "$T/notokskip.tap"

{ runner 2; prog 1 load_test 0 ok; prog 2 run_test 1 pass ok; } > "$T/empty.tap"
expect "runner: a program that ran nothing" "1 passed, 1 failed" 1 "$T/empty.tap"

printf '1..2\nok 1 a\n# selftests: not: a-runner\nok 2 b\n' > "$T/notrunner.tap"
expect "a plain file that quotes a runner header after a result" "2 passed, 0 failed" 0 "$T/notrunner.tap"

done_testing
