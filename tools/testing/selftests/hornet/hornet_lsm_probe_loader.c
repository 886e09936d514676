// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader for the hornet_lsm_probe light skeleton: a BPF
 * LSM program on bpf_prog_load that records, for one process, each load's
 * program type and the hook's "kernel" argument.
 *
 * Usage: hornet_lsm_probe_loader PROGRAM [ARGS...]
 *   Loads and attaches the probe, then runs PROGRAM with ARGS in a child
 *   that the probe watches, and prints one line per load the child made:
 *   "hornet_lsm_probe_loader: load N: prog_type T kernel=K".
 *
 * Exit status: the child's exit status, or the errno of the failing step,
 * printed as "hornet_lsm_probe_loader: <step>: <name> (<errno>)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define HORNET_LOADER_NAME "hornet_lsm_probe_loader"
#include "hornet_loader.h"
#include "hornet_lsm_probe.lskel.h"

#define HORNET_PROBE_SLOTS	16

int main(int argc, char **argv)
{
	struct hornet_lsm_probe *skel;
	int go[2], status, err, i;
	__u32 nr;
	__u64 v;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "Usage: %s PROGRAM [ARGS...]\n", argv[0]);
		return fail("arguments", EINVAL);
	}
	skel = hornet_lsm_probe__open_and_load();
	if (!skel)
		return fail("load the probe's light skeleton", errno);
	err = hornet_lsm_probe__attach(skel);
	if (err) {
		err = fail("attach the probe to bpf_prog_load", err);
		goto out;
	}
	if (pipe(go)) {
		err = fail("pipe", errno);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = fail("fork", errno);
		goto out;
	}
	if (!pid) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(go[0]);
	/* Watch the child before it loads anything. */
	skel->bss->monitored_tgid = pid;
	if (write(go[1], "g", 1) != 1) {
		err = fail("start the child", errno);
		goto out;
	}
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid) {
		err = fail("wait for the child", errno);
		goto out;
	}
	nr = skel->bss->nr_loads;
	printf("hornet_lsm_probe_loader: %u load(s) by %s\n", nr, argv[1]);
	for (i = 0; i < (int)nr && i < HORNET_PROBE_SLOTS; i++) {
		err = map_lookup(skel->maps.loads.map_fd, i, &v);
		if (err) {
			err = fail("read the probe's records", err);
			goto out;
		}
		printf("hornet_lsm_probe_loader: load %d: prog_type %llu kernel=%d\n",
		       i, (unsigned long long)(v % 1000), v >= 1000);
	}
	err = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	hornet_lsm_probe__destroy(skel);
	return err;
}
