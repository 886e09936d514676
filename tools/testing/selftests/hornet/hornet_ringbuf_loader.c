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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/skel_internal.h>

static int tamper_load_and_run(struct bpf_load_and_run_opts *opts);
#define bpf_load_and_run tamper_load_and_run
#include "test_ringbuf.lskel.h"
#undef bpf_load_and_run

#define EXIT_MISCOUNT	250
#define CALLS		3
#define RING_SIZE	4096

static int flip_insn = -1;	/* 1: instructions, 0: data, -1: no flip */
static long flip_off;
static const char *fail_step = "load";

static int fail(const char *step, int err)
{
	if (err < 0)
		err = -err;
	if (!err)
		err = EIO;
	printf("hornet_ringbuf_loader: %s: %s (%d)\n", step,
	       strerrorname_np(err) ?: "?", err);
	return err;
}

static int tamper_load_and_run(struct bpf_load_and_run_opts *opts)
{
	__u32 len = flip_insn ? opts->insns_sz : opts->data_sz;
	unsigned char *copy = NULL;
	long off = flip_off;
	int err;

	if (flip_insn >= 0) {
		if (off < 0)
			off += len;
		if (off < 0 || off >= (long)len) {
			fail_step = "flip offset";
			return -ERANGE;
		}
		copy = malloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, flip_insn ? opts->insns : opts->data, len);
		copy[off] ^= 0xff;
		if (flip_insn)
			opts->insns = (void *)copy;
		else
			opts->data = (void *)copy;
	}
	err = bpf_load_and_run(opts);
	if (err < 0 && opts->errstr)
		fail_step = opts->errstr;
	free(copy);
	return err;
}

int main(int argc, char **argv)
{
	struct test_ringbuf_lskel *skel;
	int err, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "flip-insn")) {
		flip_insn = 1;
		flip_off = strtol(argv[2], NULL, 0);
	} else if (argc == 3 && !strcmp(argv[1], "flip-data")) {
		flip_insn = 0;
		flip_off = strtol(argv[2], NULL, 0);
	} else if (argc > 2 || (argc == 2 && strcmp(argv[1], "run"))) {
		fprintf(stderr, "Usage: %s [run | flip-insn OFF | flip-data OFF]\n",
			argv[0]);
		return fail("arguments", EINVAL);
	}

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
