/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the Hornet selftest loaders of the kernel tree's light
 * skeletons: command line "run | flip-insn OFF | flip-data OFF", and a
 * bpf_load_and_run() wrapper that flips one byte of the loader's
 * instructions or data before loading them (OFF < 0 counts from the end).
 *
 * Define HORNET_LOADER_NAME, include this header, then
 *	#define bpf_load_and_run tamper_load_and_run
 *	#include "<name>.lskel.h"
 *	#undef bpf_load_and_run
 */
#ifndef HORNET_TAMPER_H
#define HORNET_TAMPER_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/skel_internal.h>
#include "hornet_loader.h"

static int flip_insn = -1;	/* 1: instructions, 0: data, -1: no flip */
static long flip_off;
static const char *fail_step = "load";

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

/* Parse the command line; returns 0, or the errno of a usage error. */
static inline int tamper_parse_args(int argc, char **argv)
{
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
	return 0;
}

#endif /* HORNET_TAMPER_H */
