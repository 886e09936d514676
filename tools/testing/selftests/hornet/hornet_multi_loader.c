// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader with three light skeletons in one executable, as a
 * daemon that ships several BPF programs has: Hornet's own packet counter
 * and two programs of the kernel tree (selftests/bpf/progs/atomics.c and
 * test_ringbuf.c). Signed with one signature per payload (a signature
 * table), each skeleton's load picks its own signature.
 *
 * Usage: hornet_multi_loader [run | flip-insn SKEL OFF | flip-data SKEL OFF]
 *	SKEL is counter, atomics or ringbuf; the flip applies to that
 *	skeleton only.
 *
 * Loads, runs and destroys the three in turn and prints one line each,
 * "multi: <skel>: ok" or "multi: <skel>: <step>: <ERRNO> (<n>)".
 * Exit status: 0 when all three ran, else 1.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <unistd.h>

#define HORNET_LOADER_NAME "hornet_multi_loader"
#include "hornet_tamper.h"

enum skel_id { SKEL_COUNTER, SKEL_ATOMICS, SKEL_RINGBUF, NR_SKELS };

static const char *const skel_names[NR_SKELS] = {
	"counter", "atomics", "ringbuf",
};

static enum skel_id cur_skel;
static int flip_skel = -1;

/* The tamper wrapper for the skeleton named on the command line only. */
static int multi_load_and_run(struct bpf_load_and_run_opts *opts)
{
	int err;

	if ((int)cur_skel == flip_skel)
		return tamper_load_and_run(opts);
	err = bpf_load_and_run(opts);
	if (err < 0 && opts->errstr)
		fail_step = opts->errstr;
	return err;
}

#define bpf_load_and_run multi_load_and_run
#include "hornet_counter.lskel.h"
#include "atomics.lskel.h"
#include "test_ringbuf.lskel.h"
#undef bpf_load_and_run

#define RING_SIZE	4096

static int report(const char *step, int err)
{
	if (err < 0)
		err = -err;
	if (!err && step)
		err = EIO;
	if (!err)
		printf("multi: %s: ok\n", skel_names[cur_skel]);
	else
		printf("multi: %s: %s: %s (%d)\n", skel_names[cur_skel], step,
		       strerrorname_np(err) ?: "?", err);
	return err;
}

static int run_counter(void)
{
	struct hornet_counter *skel;
	char buf[64] = { 'h' };
	__u64 in_map = 0;
	int sv[2] = { -1, -1 }, prog_fd, err;

	skel = hornet_counter__open();
	if (!skel)
		return report("open", errno);
	err = hornet_counter__load(skel);
	if (err) {
		err = report(fail_step, err);
		goto out;
	}
	prog_fd = skel->progs.hornet_count.prog_fd;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
	    setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_BPF, &prog_fd,
		       sizeof(prog_fd)) ||
	    send(sv[0], buf, sizeof(buf), 0) != sizeof(buf) ||
	    recv(sv[1], buf, sizeof(buf), 0) != sizeof(buf)) {
		err = report("packet", errno);
		goto out;
	}
	err = map_lookup(skel->maps.pkt_count.map_fd, 0, &in_map);
	if (err) {
		err = report("map lookup", err);
		goto out;
	}
	err = report(in_map == 1 && skel->bss->seen_packets == 1 ?
		     NULL : "count", 0);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	hornet_counter__destroy(skel);
	return err;
}

static int run_atomics(void)
{
	struct atomics_lskel *skel;
	int err;

	skel = atomics_lskel__open();
	if (!skel)
		return report("open", errno);
	err = atomics_lskel__load(skel);
	if (err) {
		err = report(fail_step, err);
		goto out;
	}
	skel->bss->pid = getpid();
	err = atomics_lskel__attach(skel);
	if (err) {
		err = report("attach", err);
		goto out;
	}
	usleep(1);
	atomics_lskel__detach(skel);
	/* Each system call since attach added 2 to an initial 1. */
	err = report(skel->data->add64_value >= 3 &&
		     skel->data->add64_value % 2 == 1 ? NULL : "count", 0);
out:
	atomics_lskel__destroy(skel);
	return err;
}

static int run_ringbuf(void)
{
	struct test_ringbuf_lskel *skel;
	int err;

	skel = test_ringbuf_lskel__open();
	if (!skel)
		return report("open", errno);
	skel->maps.ringbuf.max_entries = RING_SIZE;
	err = test_ringbuf_lskel__load(skel);
	if (err) {
		err = report(fail_step, err);
		goto out;
	}
	skel->bss->pid = getpid();
	err = test_ringbuf_lskel__attach(skel);
	if (err) {
		err = report("attach", err);
		goto out;
	}
	getpgid(0);
	test_ringbuf_lskel__detach(skel);
	err = report(skel->bss->total == 1 ? NULL : "count", 0);
out:
	test_ringbuf_lskel__destroy(skel);
	return err;
}

static int (*const runs[NR_SKELS])(void) = {
	run_counter, run_atomics, run_ringbuf,
};

int main(int argc, char **argv)
{
	int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && (!strcmp(argv[1], "flip-insn") ||
			  !strcmp(argv[1], "flip-data"))) {
		for (i = 0; i < NR_SKELS; i++)
			if (!strcmp(argv[2], skel_names[i]))
				flip_skel = i;
		flip_insn = !strcmp(argv[1], "flip-insn");
		flip_off = strtol(argv[3], NULL, 0);
	}
	if (!(argc == 1 || (argc == 2 && !strcmp(argv[1], "run")) ||
	      (argc == 4 && flip_skel >= 0))) {
		fprintf(stderr,
			"Usage: %s [run | flip-insn SKEL OFF | flip-data SKEL OFF]\n",
			argv[0]);
		return 1;
	}
	for (i = 0; i < NR_SKELS; i++) {
		cur_skel = i;
		fail_step = "load";
		if (runs[i]())
			failed = 1;
	}
	return failed;
}
