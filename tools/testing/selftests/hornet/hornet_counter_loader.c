// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader for the hornet_counter light skeleton.
 *
 * The loader is built once and exists in several copies (unsigned, signed
 * with the trusted test key, signed with an untrusted key, crafted trailers):
 * Hornet checks the signature appended to the executable that calls
 * BPF_PROG_LOAD, so the same code gives a different verdict in each copy.
 *
 * Usage: hornet_counter_loader [MODE] [ARGS]
 *   run [N]               load, attach to a socketpair, send N datagrams and
 *                         check that the program counted exactly N of them
 *   flip-insn OFF         as run, but flip one byte of the loader
 *                         instructions first (OFF < 0 counts from the end)
 *   flip-data OFF         as run, but flip one byte of the loader map data
 *   unfrozen              load without freezing the loader map
 *   update-after-load     load with a frozen map, then try to rewrite it
 *   dump-payload FILE     write the bytes that would be signed (instructions
 *                         followed by the loader map data) and exit
 *
 * Exit status: 0 on success, otherwise the errno of the failing step, which
 * is also printed as "hornet_counter_loader: <step>: <name> (<errno>)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * Include the stock helpers first, then route the skeleton's call of
 * bpf_load_and_run() through tamper_load_and_run(), which may change the
 * loader before handing it to the real bpf_load_and_run().
 */
#include <bpf/skel_internal.h>

static int tamper_load_and_run(struct bpf_load_and_run_opts *opts);
#define bpf_load_and_run tamper_load_and_run
#include "hornet_counter.lskel.h"
#undef bpf_load_and_run

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif

#define DEFAULT_PACKETS 16
/* Exit status when every step worked but the program did not count right. */
#define EXIT_MISCOUNT 250

enum loader_mode {
	MODE_RUN,
	MODE_FLIP_INSN,
	MODE_FLIP_DATA,
	MODE_UNFROZEN,
	MODE_UPDATE_AFTER_LOAD,
	MODE_DUMP,
};

static enum loader_mode mode = MODE_RUN;
static long flip_off;
static const char *dump_path;
static const char *fail_step = "load";
static char verifier_log[1 << 16];

static int fail(const char *step, int err)
{
	if (err < 0)
		err = -err;
	if (!err)
		err = EIO;
	printf("hornet_counter_loader: %s: %s (%d)\n", step,
	       strerrorname_np(err) ?: "?", err);
	fflush(stdout);
	return err;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int dump_payload(const struct bpf_load_and_run_opts *opts)
{
	int fd, err;

	fd = open(dump_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("dump-payload open", errno);
	err = write_all(fd, opts->insns, opts->insns_sz);
	if (!err)
		err = write_all(fd, opts->data, opts->data_sz);
	if (close(fd) && !err)
		err = -errno;
	if (err)
		return fail("dump-payload write", err);
	return 0;
}

/* Copy @len bytes of @src and flip every bit of the byte at @off. */
static void *flip_copy(const void *src, __u32 len, long off)
{
	unsigned char *buf;

	if (off < 0)
		off += len;
	if (off < 0 || off >= (long)len) {
		errno = ERANGE;
		return NULL;
	}
	buf = malloc(len);
	if (!buf)
		return NULL;
	memcpy(buf, src, len);
	buf[off] ^= 0xff;
	return buf;
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	int ret = syscall(__NR_bpf, cmd, attr, size);

	return ret < 0 ? -errno : ret;
}

static int map_update(int map_fd, __u32 key, const void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (long)&key;
	attr.value = (long)value;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

static int map_lookup(int map_fd, __u32 key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (long)&key;
	attr.value = (long)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

/*
 * The three steps of a light-skeleton load, written out here so that the
 * freeze can be left out (unfrozen) or followed by a write to the frozen map
 * (update-after-load). The instructions and data are the skeleton's own, so
 * a signed copy of this loader signs them too.
 */
static int own_load_and_run(struct bpf_load_and_run_opts *opts, bool freeze,
			    bool update_after_load)
{
	int map_fd = -1, prog_fd = -1, err;
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = opts->data_sz;
	attr.max_entries = 1;
	memcpy(attr.map_name, "__loader.map", sizeof("__loader.map"));
	map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (map_fd < 0) {
		fail_step = "create loader map";
		err = map_fd;
		goto out;
	}
	err = map_update(map_fd, 0, opts->data);
	if (err) {
		fail_step = "update loader map";
		goto out;
	}
	if (freeze) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map_fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
		if (err) {
			fail_step = "freeze loader map";
			goto out;
		}
	}

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (long)opts->insns;
	attr.insn_cnt = opts->insns_sz / sizeof(struct bpf_insn);
	attr.license = (long)"Dual BSD/GPL";
	memcpy(attr.prog_name, "__loader.prog", sizeof("__loader.prog"));
	attr.fd_array = (long)&map_fd;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0) {
		fail_step = "load loader prog";
		err = prog_fd;
		goto out;
	}

	if (update_after_load) {
		err = map_update(map_fd, 0, opts->data);
		fail_step = "update loader map after load";
		if (!err) {
			printf("hornet_counter_loader: %s: succeeded\n",
			       fail_step);
			err = -EEXIST;
		}
		goto out;
	}

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.ctx_in = (long)opts->ctx;
	attr.test.ctx_size_in = opts->ctx->sz;
	err = sys_bpf(BPF_PROG_RUN, &attr, sizeof(attr));
	if (!err && (int)attr.test.retval < 0)
		err = (int)attr.test.retval;
	if (err)
		fail_step = "run loader prog";
out:
	if (prog_fd >= 0)
		close(prog_fd);
	if (map_fd >= 0)
		close(map_fd);
	return err;
}

static int tamper_load_and_run(struct bpf_load_and_run_opts *opts)
{
	void *copy = NULL;
	int err;

	switch (mode) {
	case MODE_DUMP:
		exit(dump_payload(opts));
	case MODE_UNFROZEN:
		return own_load_and_run(opts, false, false);
	case MODE_UPDATE_AFTER_LOAD:
		return own_load_and_run(opts, true, true);
	case MODE_FLIP_INSN:
		copy = flip_copy(opts->insns, opts->insns_sz, flip_off);
		if (!copy) {
			fail_step = "flip-insn offset";
			return -errno;
		}
		opts->insns = copy;
		break;
	case MODE_FLIP_DATA:
		copy = flip_copy(opts->data, opts->data_sz, flip_off);
		if (!copy) {
			fail_step = "flip-data offset";
			return -errno;
		}
		opts->data = copy;
		break;
	case MODE_RUN:
		break;
	}

	err = bpf_load_and_run(opts);
	if (err < 0 && opts->errstr)
		fail_step = opts->errstr;
	free(copy);
	return err;
}

static int count_packets(struct hornet_counter *skel, int packets)
{
	int prog_fd = skel->progs.hornet_count.prog_fd;
	char buf[64];
	__u64 in_map = 0;
	int sv[2], i, err;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return fail("socketpair", errno);
	if (setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_BPF, &prog_fd,
		       sizeof(prog_fd))) {
		err = fail("attach (SO_ATTACH_BPF)", errno);
		goto out;
	}
	memset(buf, 'h', sizeof(buf));
	for (i = 0; i < packets; i++) {
		if (send(sv[0], buf, sizeof(buf), 0) != sizeof(buf)) {
			err = fail("send", errno);
			goto out;
		}
		if (recv(sv[1], buf, sizeof(buf), 0) != sizeof(buf)) {
			err = fail("recv", errno);
			goto out;
		}
	}
	err = map_lookup(skel->maps.pkt_count.map_fd, 0, &in_map);
	if (err) {
		err = fail("map lookup", err);
		goto out;
	}
	printf("hornet_counter_loader: ok: sent=%d packets=%llu map=%llu bytes=%llu\n",
	       packets, (unsigned long long)skel->bss->seen_packets,
	       (unsigned long long)in_map,
	       (unsigned long long)skel->bss->seen_bytes);
	if (skel->bss->seen_packets != (__u64)packets ||
	    in_map != (__u64)packets ||
	    skel->bss->seen_bytes != (__u64)packets * sizeof(buf)) {
		printf("hornet_counter_loader: counters do not match %d packets\n",
		       packets);
		err = EXIT_MISCOUNT;
	}
out:
	close(sv[0]);
	close(sv[1]);
	return err;
}

static void print_help(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [run [N] | flip-insn OFF | flip-data OFF | unfrozen |\n"
		"          update-after-load | dump-payload FILE]\n", prog);
	exit(EINVAL);
}

int main(int argc, char **argv)
{
	struct hornet_counter *skel;
	int packets = DEFAULT_PACKETS;
	const char *m = argc > 1 ? argv[1] : "run";
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "run")) {
		if (argc > 2)
			packets = atoi(argv[2]);
		if (packets <= 0)
			print_help(argv[0]);
	} else if (!strcmp(m, "flip-insn") && argc == 3) {
		mode = MODE_FLIP_INSN;
		flip_off = strtol(argv[2], NULL, 0);
	} else if (!strcmp(m, "flip-data") && argc == 3) {
		mode = MODE_FLIP_DATA;
		flip_off = strtol(argv[2], NULL, 0);
	} else if (!strcmp(m, "unfrozen") && argc == 2) {
		mode = MODE_UNFROZEN;
	} else if (!strcmp(m, "update-after-load") && argc == 2) {
		mode = MODE_UPDATE_AFTER_LOAD;
	} else if (!strcmp(m, "dump-payload") && argc == 3) {
		mode = MODE_DUMP;
		dump_path = argv[2];
	} else {
		print_help(argv[0]);
	}

	skel = hornet_counter__open();
	if (!skel)
		return fail("open", errno);
	/* HORNET_LOADER_LOG=1: print the verifier log of a failed load. */
	if (getenv("HORNET_LOADER_LOG")) {
		skel->ctx.log_level = 1;
		skel->ctx.log_size = sizeof(verifier_log);
		skel->ctx.log_buf = (long)verifier_log;
	}
	err = hornet_counter__load(skel);
	if (err) {
		if (verifier_log[0])
			printf("%s\n", verifier_log);
		err = fail(fail_step, err);
		goto out;
	}
	if (mode == MODE_UPDATE_AFTER_LOAD)
		goto out;
	err = count_packets(skel, packets);
out:
	hornet_counter__destroy(skel);
	return err;
}
