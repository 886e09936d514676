// SPDX-License-Identifier: GPL-2.0-only
/*
 * A light-skeleton loader as a user would write it, for the extract-skel
 * test.  Built with -include <the .lskel.h>; runs only under
 * bpf_capture_shim.so (LD_PRELOAD), which answers every bpf() call.
 */
#include <stdio.h>

extern int hornet_shim_active __attribute__((weak));

int main(void)
{
	struct hornet_skel *skel;

	if (!&hornet_shim_active) {
		fprintf(stderr, "bpf_capture_shim.so not preloaded: refusing to call bpf()\n");
		return 2;
	}
	skel = hornet_skel__open_and_load();
	if (skel) {
		fprintf(stderr, "load unexpectedly succeeded\n");
		return 3;
	}
	return 0;
}
