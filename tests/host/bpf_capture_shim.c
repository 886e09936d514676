// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD shim for the extract-skel test: replaces libc's syscall() so
 * a compiled light-skeleton loader can run without touching the kernel.
 * Every bpf() command is answered here and never forwarded:
 *
 *   BPF_MAP_CREATE       remember value_size, return a /dev/null fd
 *   BPF_MAP_UPDATE_ELEM  append value_size bytes of the value to $DIR/data
 *   BPF_MAP_FREEZE       succeed
 *   BPF_PROG_LOAD        append insn_cnt * 8 bytes of insns to $DIR/insns,
 *                        then fail with EPERM (so nothing runs)
 *   anything else        fail with ENOSYS
 *
 * $DIR is HORNET_CAPTURE_DIR.  $DIR/log gets one line per command.
 * The bytes are taken from what the loader really passes to bpf(), so the
 * test does not depend on how extract-skel.sh finds them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

int hornet_shim_active = 1;
static __u32 value_size;

static void append(const char *name, const void *buf, size_t len)
{
	const char *dir = getenv("HORNET_CAPTURE_DIR");
	char path[4096];
	int fd;

	if (!dir)
		abort();
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void logf_(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	append("log", line, n);
}

long syscall(long nr, ...)
{
	long (*real)(long, ...);
	union bpf_attr *attr;
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr != __NR_bpf) {
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
		return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	attr = (union bpf_attr *)a[1];
	switch ((int)a[0]) {
	case BPF_MAP_CREATE:
		value_size = attr->value_size;
		logf_("map_create type %u key %u value %u max %u flags %u\n",
		      attr->map_type, attr->key_size, attr->value_size,
		      attr->max_entries, attr->map_flags);
		return open("/dev/null", O_RDONLY);
	case BPF_MAP_UPDATE_ELEM:
		logf_("map_update_elem %u bytes\n", value_size);
		append("data", (const void *)(long)attr->value, value_size);
		return 0;
	case BPF_MAP_FREEZE:
		logf_("map_freeze\n");
		return 0;
	case BPF_PROG_LOAD:
		logf_("prog_load type %u insn_cnt %u attach %u flags %u\n",
		      attr->prog_type, attr->insn_cnt, attr->expected_attach_type,
		      attr->prog_flags);
		append("insns", (const void *)(long)attr->insns, attr->insn_cnt * 8UL);
		errno = EPERM;
		return -1;
	default:
		logf_("bpf cmd %d refused\n", (int)a[0]);
		errno = ENOSYS;
		return -1;
	}
}
