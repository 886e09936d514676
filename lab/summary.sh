#!/usr/bin/env bash
# Count TAP results: summary.sh <file.tap>... Prints per-suite counts, then one
# line "N passed, M failed" (", K skipped" appended when K > 0; a skip is never a
# pass). Results missing from the plan (the sum of the plans, where a suite
# runs several programs) or "Bail out!" count as failures, so does a missing
# or empty suite file. Exit 1 if M > 0 or N == 0.
# A suite that the kselftest runner ran (run_kselftest.sh: "# selftests:
# DIR: PROG" before each program, whose own TAP follows with a "# " prefix,
# then one "ok"/"not ok" line for the program) counts the programs' own
# results against their own plans, and a program's "not ok" (timeout, exit
# status) as one more failure when none of its results failed; programs
# missing from the runner's plan count as failures.
# A suite also fails when it has no plan at all, when a program's "TAP
# version" is not followed by a plan (it died first), when its plans add
# up to 0 (it ran nothing; "1..0 # SKIP" is one skip), and, under the
# runner, when a program reports "ok" without a result of its own.
set -euo pipefail
. "$(dirname "$0")/common.sh"

P=0 F=0 S=0
for tap in "$@"; do
	suite=$(basename "$tap" .tap)
	if [ ! -s "$tap" ]; then
		say "summary: $suite: $tap missing or empty (counted as 1 failed)"
		F=$((F + 1))
		continue
	fi
	read -r p f s < <(tr -d '\r' < "$tap" | awk '
		# One result line, without the "# " prefix of the runner: only an
		# "ok" line carries a SKIP directive; "not ok" always fails.
		function skip(line) { return tolower(line) ~ /#[ \t]*skip/ }
		function result(line, inner) {
			if (line !~ /^ok/) { f++; if (inner) curf++ }
			else if (skip(line)) s++
			else p++
		}
		!runner && n == 0 && /^# selftests: [^ ]+: / { runner = 1 }
		runner && /^# (not )?ok([ \t]|$)/ { result(substr($0, 3), 1); curn++; next }
		runner && /^# 1\.\.[0-9]+/ { curplan += substr($2, 4) + 0; next }
		runner && /^(not )?ok([ \t]|$)/ { top++
			if (curn < curplan) { f += curplan - curn; curf++ }
			if (/^not ok/) { if (curf == 0) f++ }
			else if (curn == 0) {
				# A program with no result of its own: skipped
				# as a whole, or it ran nothing.
				if (skip($0)) s++; else f++
			}
			curn = curplan = curf = 0; next }
		/^(not )?ok([ \t]|$)/ { n++; result($0, 0) }
		/^TAP version/ { versions++ }
		/^1\.\.[0-9]+/ { plans++; plan += substr($1, 4) + 0
			if (skip($0)) planskip = 1 }
		/^Bail out!/ { bail = 1 }
		END { if (runner) { if (curn < curplan) f += curplan - curn
				    n = top }
		      if (!plans) f++
		      else if (n < plan) f += plan - n
		      # A program that started its TAP but never printed a plan.
		      if (versions > plans) f += versions - plans
		      # A plan of 0: the suite ran nothing.
		      if (plans && plan == 0 && n == 0) { if (planskip) s++; else f++ }
		      if (bail && f == 0) f = 1
		      print p + 0, f + 0, s + 0 }')
	say "summary: $suite: $p passed, $f failed, $s skipped ($tap)"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
done
line="$P passed, $F failed"
[ "$S" -eq 0 ] || line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ] && [ "$P" -gt 0 ]
