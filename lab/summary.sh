#!/usr/bin/env bash
# Count TAP results: summary.sh <file.tap>... Prints per-suite counts, then one
# line "N passed, M failed" (", K skipped" appended when K > 0; a skip is never a
# pass). Top-level results only; results missing from the plan (the sum of
# the plans, where a suite runs several programs) or "Bail out!" count as
# failures, so does a missing or empty suite file. Exit 1 if M > 0 or N == 0.
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
	read -r p f s < <(awk '
		/^(not )?ok([ \t]|$)/ { n++
			if (tolower($0) ~ /#[ \t]*skip/) s++; else if (/^ok/) p++; else f++ }
		/^1\.\.[0-9]+/ { plan += substr($1, 4) + 0; hasplan = 1 }
		/^Bail out!/ { bail = 1 }
		END { if (hasplan && n < plan) f += plan - n
		      if (bail && f == 0) f = 1
		      print p + 0, f + 0, s + 0 }' "$tap")
	say "summary: $suite: $p passed, $f failed, $s skipped ($tap)"
	P=$((P + p)) F=$((F + f)) S=$((S + s))
done
line="$P passed, $F failed"
[ "$S" -eq 0 ] || line+=", $S skipped"
echo "$line"
[ "$F" -eq 0 ] && [ "$P" -gt 0 ]
