// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader for a program of the kernel tree:
 * tools/testing/selftests/bpf/progs/atomics.c, which upstream builds as a
 * light skeleton. Its raw_tp/sys_enter programs apply atomic operations to
 * global variables for one pid; this loader attaches them, makes a system
 * call and checks a few of the results.
 *
 * Usage: hornet_atomics_loader [run | flip-insn OFF | flip-data OFF]
 * Exit status: 0 on success, else the errno of the failing step.
 */
#define _GNU_SOURCE
#include <unistd.h>

#define HORNET_LOADER_NAME "hornet_atomics_loader"
#include "hornet_tamper.h"

#define bpf_load_and_run tamper_load_and_run
#include "atomics.lskel.h"
#undef bpf_load_and_run

#define EXIT_MISCOUNT 250

int main(int argc, char **argv)
{
	struct atomics_lskel *skel;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = tamper_parse_args(argc, argv);
	if (err)
		return err;

	skel = atomics_lskel__open();
	if (!skel)
		return fail("open", errno);
	err = atomics_lskel__load(skel);
	if (err) {
		err = fail(fail_step, err);
		goto out;
	}
	if (skel->data->skip_tests) {
		err = fail("built without ENABLE_ATOMICS_TESTS", ENOTSUP);
		goto out;
	}
	skel->bss->pid = getpid();
	err = atomics_lskel__attach(skel);
	if (err) {
		err = fail("attach", err);
		goto out;
	}
	/* Any system call of this process runs the programs once. */
	usleep(1);
	atomics_lskel__detach(skel);

	printf("hornet_atomics_loader: ok: add64 %llu/%llu add32 %u/%u sub64 %lld/%lld\n",
	       (unsigned long long)skel->data->add64_value,
	       (unsigned long long)skel->bss->add64_result,
	       skel->data->add32_value, skel->bss->add32_result,
	       (long long)skel->data->sub64_value,
	       (long long)skel->bss->sub64_result);
	/*
	 * Every system call between attach and detach (including the
	 * attaching of the later programs) ran the programs once: each run
	 * adds 2 and returns the old value.
	 */
	if (skel->data->add64_value < 3 || skel->data->add64_value % 2 != 1 ||
	    skel->bss->add64_result != skel->data->add64_value - 2 ||
	    skel->data->add32_value != skel->data->add64_value ||
	    skel->bss->add32_result != skel->bss->add64_result ||
	    skel->data->sub64_value > -1 ||
	    skel->bss->sub64_result != skel->data->sub64_value + 2) {
		printf("hornet_atomics_loader: unexpected results\n");
		err = EXIT_MISCOUNT;
	}
out:
	atomics_lskel__destroy(skel);
	return err;
}
