#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Streaming: signing a 1 GiB sparse loader needs far less than 1 GiB of
# memory (max RSS < 64 MB), keeps the file sparse, and an interrupted run
# (SIGTERM, SIGINT) leaves the loader untouched and no temporary file.

. "$(dirname "$0")/tap.sh"

make_key "$T/k"
K=$T/k/key.pem C=$T/k/cert.pem
head -c 2000 /dev/urandom > "$T/payload"

truncate -s 1G "$T/big"
printf 'ELF-ish header' | dd of="$T/big" conv=notrunc status=none
printf 'middle' | dd of="$T/big" bs=1 seek=$((512 * 1024 * 1024)) conv=notrunc status=none
orig_size=$(stat -c %s "$T/big")
if [ -x /usr/bin/time ]; then
	check "sign a 1 GiB sparse loader" /usr/bin/time -v -o "$T/time.log" \
		"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/big"
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.log")
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$T/time.log")
	echo "# max RSS ${rss} KB, wall ${wall}"
	check "max RSS ${rss} KB < 64 MB" test "${rss:-999999}" -lt 65536
else
	skip "1 GiB signing RSS: /usr/bin/time not installed (apt-get install time)"
	"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/big"
fi
check "1 GiB loader: --verify accepts" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/big"
check "1 GiB loader: contents kept (start and middle)" \
	bash -c "[ \"\$(head -c 14 '$T/big')\" = 'ELF-ish header' ] &&
		 [ \"\$(tail -c +$((512 * 1024 * 1024 + 1)) '$T/big' | head -c 6)\" = middle ]"
check "1 GiB loader: size grew by the trailer only" \
	test $(($(stat -c %s "$T/big") - orig_size)) -lt 4096
blocks=$(du -k "$T/big" | cut -f1)
check "1 GiB loader: still sparse (${blocks} KB on disk)" test "$blocks" -lt 10240
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v -o "$T/vtime.log" "$SIGN_EBPF" --verify "$C" "$T/payload" "$T/big" > /dev/null
	vrss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/vtime.log")
	check "--verify of the 1 GiB loader: max RSS ${vrss} KB < 64 MB" test "${vrss:-999999}" -lt 65536
fi
rm -f "$T/big"

# Interrupted while copying a 4 GiB sparse loader.
for sig in TERM INT; do
	truncate -s 4G "$T/huge"
	printf 'x' | dd of="$T/huge" conv=notrunc status=none
	"$SIGN_EBPF" sha256 "$K" "$C" "$T/payload" "$T/huge" &
	pid=$!
	for _ in $(seq 50); do
		compgen -G "$T/.sign-ebpf.*" > /dev/null && break
		sleep 0.02
	done
	had_tmp=$(compgen -G "$T/.sign-ebpf.*" | wc -l)
	sleep 0.3
	kill -"$sig" "$pid" 2> /dev/null
	rc=0; wait "$pid" || rc=$?
	check "SIG$sig while copying (temp seen: $had_tmp, exit $rc): killed, no temp file left" \
		bash -c "[ $had_tmp -eq 1 ] && [ $rc -ne 0 ] && ! ls -A '$T' | grep -q '^\\.sign-ebpf'"
	check "SIG$sig while copying: loader untouched (4 GiB, no trailer)" \
		bash -c "[ \$(stat -c %s '$T/huge') -eq $((4 << 30)) ] &&
			 ! '$SIGN_EBPF' --verify '$C' '$T/payload' '$T/huge' 2>&1 | grep -q OK"
	rm -f "$T/huge"
done

done_testing
