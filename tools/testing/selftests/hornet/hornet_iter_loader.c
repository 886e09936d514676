// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest loader for the hornet_iter light skeleton: a signed map
 * element iterator that writes the values it visits. A frozen array is
 * what a light-skeleton loader's data lives in; no such iterator may reach
 * one, or it could rewrite a signed loader's data while the loader runs.
 *
 * Usage: hornet_iter_loader MODE
 *   attach-frozen    attach the iterator to a frozen array and read it
 *   freeze-attached  attach it to an array that is not frozen, then try
 *                    to freeze the array
 *   attach-open      attach it to an array that is not frozen and read it
 *                    (control: the iterator works and writes)
 *
 * Exit status: 0 when the mode's steps all succeeded (for attach-frozen
 * that is the bypass: the frozen array was rewritten, EXIT_WROTE); else the
 * errno of the failing step, printed as
 * "hornet_iter_loader: <step>: <name> (<errno>)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HORNET_LOADER_NAME "hornet_iter_loader"
#include "hornet_loader.h"
#include "hornet_iter.lskel.h"

#define HORNET_ITER_MARK	0x48524e54574f4e45ULL
/* The frozen array was rewritten through the iterator. */
#define EXIT_WROTE		249

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

/* A one-element array of 8-byte values holding @value, frozen if asked. */
static int make_array(__u64 value, int freeze)
{
	union bpf_attr attr;
	__u32 key = 0;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (long)&key;
	attr.value = (long)&value;
	err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
	if (!err && freeze) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr);
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int attach_iter(int prog_fd, int map_fd)
{
	union bpf_iter_link_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	info.map.map_fd = map_fd;
	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = BPF_TRACE_ITER;
	attr.link_create.iter_info = (long)&info;
	attr.link_create.iter_info_len = sizeof(info);
	return sys_bpf(BPF_LINK_CREATE, &attr);
}

/* Run the iterator of @link_fd to the end, then read element 0 of @map_fd. */
static int iterate(int link_fd, int map_fd, __u64 *value)
{
	union bpf_attr attr;
	__u32 key = 0;
	char buf[64];
	int iter_fd, err;
	ssize_t n;

	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = link_fd;
	iter_fd = sys_bpf(BPF_ITER_CREATE, &attr);
	if (iter_fd < 0)
		return iter_fd;
	do {
		n = read(iter_fd, buf, sizeof(buf));
	} while (n > 0);
	err = n < 0 ? -errno : 0;
	close(iter_fd);
	if (err)
		return err;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (long)&key;
	attr.value = (long)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr);
}

int main(int argc, char **argv)
{
	const char *mode = argc == 2 ? argv[1] : "";
	int frozen = !strcmp(mode, "attach-frozen");
	struct hornet_iter *skel;
	int map_fd, link_fd, err;
	union bpf_attr attr;
	__u64 value = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!frozen && strcmp(mode, "freeze-attached") &&
	    strcmp(mode, "attach-open")) {
		fprintf(stderr, "Usage: %s attach-frozen | freeze-attached | attach-open\n",
			argv[0]);
		return fail("arguments", EINVAL);
	}
	skel = hornet_iter__open_and_load();
	if (!skel)
		return fail("load the iterator's light skeleton", errno);
	map_fd = make_array(1, frozen);
	if (map_fd < 0) {
		err = fail("create the array", map_fd);
		goto out;
	}
	link_fd = attach_iter(skel->progs.hornet_overwrite.prog_fd, map_fd);
	if (link_fd < 0) {
		err = fail(frozen ? "attach the iterator to a frozen array" :
			   "attach the iterator", link_fd);
		goto out_map;
	}
	if (!strcmp(mode, "freeze-attached")) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map_fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr);
		if (err)
			err = fail("freeze the array while the iterator is attached",
				   err);
		else
			printf("hornet_iter_loader: froze the array with the iterator attached\n");
		goto out_link;
	}
	err = iterate(link_fd, map_fd, &value);
	if (err) {
		err = fail("iterate", err);
		goto out_link;
	}
	printf("hornet_iter_loader: element 0 after the iterator: %#llx%s\n",
	       (unsigned long long)value,
	       value == HORNET_ITER_MARK ? " (rewritten)" : "");
	if (value != HORNET_ITER_MARK)
		err = fail("the iterator did not write", EIO);
	else if (frozen)
		err = EXIT_WROTE;
out_link:
	close(link_fd);
out_map:
	close(map_fd);
out:
	hornet_iter__destroy(skel);
	return err;
}
