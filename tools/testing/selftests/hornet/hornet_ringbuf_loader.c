// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader for a second program of the kernel tree:
 * tools/testing/selftests/bpf/progs/test_ringbuf.c, a light skeleton
 * upstream too. Its fentry program (needs kernel BTF) writes one ring
 * buffer sample per getpgid() of our pid, submitting even and discarding
 * odd ones; this loader calls getpgid() a few times and checks the
 * program's counters.
 *
 * Usage: hornet_ringbuf_loader [run | flip-insn OFF | flip-data OFF]
 * Exit status: 0 on success, else the errno of the failing step.
 */
#define _GNU_SOURCE
#include <unistd.h>

#define HORNET_LOADER_NAME "hornet_ringbuf_loader"
#include "hornet_tamper.h"

#define bpf_load_and_run tamper_load_and_run
#include "test_ringbuf.lskel.h"
#undef bpf_load_and_run

#define EXIT_MISCOUNT	250
#define CALLS		3
#define RING_SIZE	4096

int main(int argc, char **argv)
{
	struct test_ringbuf_lskel *skel;
	int err, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = tamper_parse_args(argc, argv);
	if (err)
		return err;

	skel = test_ringbuf_lskel__open();
	if (!skel)
		return fail("open", errno);
	skel->maps.ringbuf.max_entries = RING_SIZE;
	err = test_ringbuf_lskel__load(skel);
	if (err) {
		err = fail(fail_step, err);
		goto out;
	}
	skel->bss->pid = getpid();
	err = test_ringbuf_lskel__attach(skel);
	if (err) {
		err = fail("attach", err);
		goto out;
	}
	for (i = 0; i < CALLS; i++)
		getpgid(0);
	test_ringbuf_lskel__detach(skel);

	printf("hornet_ringbuf_loader: ok: total %ld discarded %ld dropped %ld ring_size %ld\n",
	       skel->bss->total, skel->bss->discarded, skel->bss->dropped,
	       skel->bss->ring_size);
	if (skel->bss->total != CALLS || skel->bss->discarded != CALLS / 2 ||
	    skel->bss->dropped || skel->bss->ring_size != RING_SIZE) {
		printf("hornet_ringbuf_loader: unexpected counters\n");
		err = EXIT_MISCOUNT;
	}
out:
	test_ringbuf_lskel__destroy(skel);
	return err;
}
