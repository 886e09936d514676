// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet benchmark (not a test): times loads with CLOCK_MONOTONIC and
 * prints one machine-readable line per batch, for lab/bench.sh, which
 * boots the same kernel with and without Hornet and compares the two.
 *
 * Usage:
 *   hornet_bench load CASE BATCHES N   BATCHES batches of N loads of CASE
 *   hornet_bench mem CASE K            slab and vmalloc use before and
 *                                      after K loads of CASE kept loaded
 *   hornet_bench peak CASE REPS        the kernel memory one load of CASE
 *                                      allocates at its peak (kmem and
 *                                      vmalloc trace events of this task)
 *   hornet_bench profile CASE REPS     where the time of Hornet's hooks
 *                                      goes over REPS loads of CASE
 *                                      (function_graph tracer)
 *   hornet_bench sha256 BYTES BATCHES N   SHA-256 of BYTES bytes in the
 *                                      kernel (AF_ALG), N per batch
 *   hornet_bench pkcs7 NAME P7M PAYLOAD BATCHES N
 *                                      one in-kernel PKCS#7 verification
 *                                      per op: add_key("pkcs7_test") of
 *                                      the message P7M (PAYLOAD embedded),
 *                                      and add_key("user") of PAYLOAD alone
 *                                      for the cost of adding a key
 *   hornet_bench unsigned              one load of raw-nomap; prints
 *                                      whether it was refused
 *   hornet_bench mkexe SRC TRAILER SIZE DST
 *                                      DST: SRC, extended with a hole to
 *                                      SIZE bytes minus TRAILER's length,
 *                                      then TRAILER (a signature trailer)
 *   hornet_bench payload CASE FILE     (build host) write CASE's payload
 *   hornet_bench list                  print the raw cases
 *
 * CASE is lskel-counter or lskel-atomics (a light skeleton: open, load
 * and destroy), raw-nomap (a two-instruction program without maps) or
 * raw-map-BYTES (a program that references a frozen array of BYTES bytes).
 * Each load runs in an executable signed over that case's payload.
 *
 * Output lines start with "hornet-bench: " followed by the kind of
 * measurement and key=value fields; ns is nanoseconds per operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_alg.h>
#include <linux/keyctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifdef HORNET_PAYLOAD_TOOL
#include "hornet_payload.h"
#else
#define HORNET_LOADER_NAME "hornet_bench"
#include "hornet_counter.lskel.h"
#include "atomics.lskel.h"
#endif

#define MIB		(1024 * 1024)
#define MAX_VALUE	MIB		/* value_size of the big maps */
#define MAX_KEEP	256		/* programs kept loaded by "mem" */
#define TRACEFS		"/sys/kernel/tracing"
#define MEMINFO		"/proc/meminfo"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct bench_case {
	const char *name;
	int lskel;		/* 1: counter, 2: atomics, 0: raw */
	unsigned long long bytes;	/* raw-map-BYTES: map contents */
	__u32 value_size, max_entries;
};

static int parse_case(const char *name, struct bench_case *c)
{
	char *end;

	memset(c, 0, sizeof(*c));
	c->name = name;
	if (!strcmp(name, "lskel-counter")) {
		c->lskel = 1;
		return 0;
	}
	if (!strcmp(name, "lskel-atomics")) {
		c->lskel = 2;
		return 0;
	}
	if (!strcmp(name, "raw-nomap"))
		return 0;
	if (strncmp(name, "raw-map-", 8))
		return -EINVAL;
	c->bytes = strtoull(name + 8, &end, 10);
	if (*end || !c->bytes)
		return -EINVAL;
	c->value_size = c->bytes < MAX_VALUE ? c->bytes : MAX_VALUE;
	if (c->bytes % c->value_size)
		return -EINVAL;
	c->max_entries = c->bytes / c->value_size;
	return 0;
}

/* The map contents: a fixed pattern both the build host and the VM make. */
static void fill_pattern(unsigned char *buf, unsigned long long off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned long long o = off + i;

		buf[i] = (unsigned char)((o ^ (o >> 8) ^ (o >> 16)) * 0x9d + 7);
	}
}

static struct bpf_insn insns[8];
static int nr_insns;

static void emit(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	insns[nr_insns++] = (struct bpf_insn) {
		.code = code, .dst_reg = dst, .src_reg = src,
		.off = off, .imm = imm,
	};
}

/*
 * raw-nomap: r0 = 0; exit. raw-map-*: first r1 = the map of fd_array[0]
 * (a map reference, as a light skeleton's loader has; direct value
 * access would need a one-element map).
 */
static void build_prog(const struct bench_case *c)
{
	nr_insns = 0;
	if (c->bytes) {
		emit(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_IDX,
		     0, 0);
		emit(0, 0, 0, 0, 0);
	}
	emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

#ifdef HORNET_PAYLOAD_TOOL
/* The raw cases the build signs a copy of this program for. */
static const char *const raw_cases[] = {
	"raw-nomap", "raw-map-64", "raw-map-4096", "raw-map-65536",
	"raw-map-1048576", "raw-map-4194304", "raw-map-15728640",
};

/* The payload Hornet builds for a load of @c (see init_load_attr()). */
static int write_payload(const struct bench_case *c, const char *path)
{
	struct hp_map map = {
		.type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		.value_size = c->value_size, .max_entries = c->max_entries,
		.ref_kind = HP_REF_IDX, .ref = 0,
	};
	unsigned char *contents = NULL;
	int fd, err;

	build_prog(c);
	if (c->bytes) {
		contents = malloc(c->bytes);
		if (!contents)
			return -ENOMEM;
		fill_pattern(contents, 0, c->bytes);
		map.contents = contents;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(contents);
		return -errno;
	}
	err = hp_write_payload(fd, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE,
			       insns, nr_insns, &map, c->bytes ? 1 : 0);
	if (close(fd) && !err)
		err = -errno;
	free(contents);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_case c;
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (i = 0; i < ARRAY_SIZE(raw_cases); i++)
			printf("%s\n", raw_cases[i]);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "payload") || parse_case(argv[2], &c) ||
	    c.lskel) {
		fprintf(stderr, "usage: %s list | payload RAW-CASE FILE\n", argv[0]);
		return 2;
	}
	return -write_payload(&c, argv[3]);
}

#else /* the VM's static program */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The times of one batch's operations: the batch prints their mean (ns),
 * median (med) and minimum (min). A median shrugs off the few operations
 * that a busy host stalls.
 */
#define MAX_OPS		1024

struct batch {
	long long ns[MAX_OPS];
	int n;
};

static void batch_add(struct batch *bt, long long ns)
{
	if (bt->n < MAX_OPS)
		bt->ns[bt->n++] = ns;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* " n=N ns=MEAN med=MEDIAN min=MIN\n"; empties the batch. */
static void batch_print(struct batch *bt)
{
	long long sum = 0, med;
	int i;

	if (!bt->n)
		return;
	for (i = 0; i < bt->n; i++)
		sum += bt->ns[i];
	qsort(bt->ns, bt->n, sizeof(bt->ns[0]), cmp_ll);
	med = bt->n % 2 ? bt->ns[bt->n / 2] :
			  (bt->ns[bt->n / 2 - 1] + bt->ns[bt->n / 2]) / 2;
	printf(" n=%d ns=%lld med=%lld min=%lld\n", bt->n, sum / bt->n, med,
	       bt->ns[0]);
	fflush(stdout);
	bt->n = 0;
}

static int die(const char *what, int err)
{
	if (err < 0)
		err = -err;
	printf("hornet-bench: error: %s: %s (%d)\n", what,
	       strerrorname_np(err) ?: "?", err);
	fflush(stdout);
	return err ? err : 1;
}

/* Create, fill and freeze the map of a raw-map case: its descriptor. */
static int setup_map(const struct bench_case *c)
{
	/* The contents, made once: the pattern costs more than the copy. */
	static unsigned char *contents;
	union bpf_attr attr;
	int fd, err;
	__u32 e;

	if (!contents) {
		contents = malloc(c->bytes);
		if (!contents)
			return -ENOMEM;
		fill_pattern(contents, 0, c->bytes);
	}

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = c->value_size;
	attr.max_entries = c->max_entries;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return fd;
	for (e = 0; e < c->max_entries; e++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (unsigned long)&e;
		attr.value = (unsigned long)(contents +
					     (size_t)e * c->value_size);
		err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
		if (err)
			goto fail;
	}
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	err = sys_bpf(BPF_MAP_FREEZE, &attr);
	if (!err)
		return fd;
fail:
	close(fd);
	return err;
}

/* A light-skeleton loader's BPF_PROG_LOAD attributes for the raw program. */
static void raw_load_attr(union bpf_attr *attr, const struct bench_case *c,
			  const int *map_fd)
{
	memset(attr, 0, sizeof(*attr));
	attr->prog_type = BPF_PROG_TYPE_SYSCALL;
	attr->prog_flags = BPF_F_SLEEPABLE;
	attr->insns = (unsigned long)insns;
	attr->insn_cnt = nr_insns;
	attr->license = (unsigned long)"GPL";
	if (c->bytes)
		attr->fd_array = (unsigned long)map_fd;
}

/*
 * One raw load: the map is set up first (not part of the load), then
 * BPF_PROG_LOAD, whose time is added to @ns. The program (and map)
 * descriptors are returned in @fds, or closed if @fds is NULL.
 */
static int raw_load(const struct bench_case *c, long long *ns, int *fds)
{
	union bpf_attr attr;
	int map_fd = -1, prog_fd;
	long long t0;

	if (c->bytes) {
		map_fd = setup_map(c);
		if (map_fd < 0)
			return map_fd;
	}
	raw_load_attr(&attr, c, &map_fd);
	t0 = now_ns();
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (ns)
		*ns += now_ns() - t0;
	if (prog_fd < 0) {
		if (map_fd >= 0)
			close(map_fd);
		return prog_fd;
	}
	if (fds) {
		fds[0] = prog_fd;
		fds[1] = map_fd;
	} else {
		close(prog_fd);
		if (map_fd >= 0)
			close(map_fd);
	}
	return 0;
}

/*
 * One light-skeleton open, load and destroy, all timed; with @keep the
 * skeleton stays loaded and is returned there instead.
 */
static int lskel_load(const struct bench_case *c, long long *ns, void **keep)
{
	long long t0 = now_ns();
	int err;

	if (c->lskel == 1) {
		struct hornet_counter *s = hornet_counter__open();

		if (!s)
			return -errno ?: -ENOMEM;
		err = hornet_counter__load(s);
		if (err || !keep)
			hornet_counter__destroy(s);
		else
			*keep = s;
	} else {
		struct atomics_lskel *s = atomics_lskel__open();

		if (!s)
			return -errno ?: -ENOMEM;
		err = atomics_lskel__load(s);
		if (err || !keep)
			atomics_lskel__destroy(s);
		else
			*keep = s;
	}
	if (ns)
		*ns += now_ns() - t0;
	return err ? (err < 0 ? err : -err) : 0;
}

static void lskel_destroy(const struct bench_case *c, void *s)
{
	if (c->lskel == 1)
		hornet_counter__destroy(s);
	else
		atomics_lskel__destroy(s);
}

static int one_load(const struct bench_case *c, long long *ns)
{
	return c->lskel ? lskel_load(c, ns, NULL) : raw_load(c, ns, NULL);
}

static unsigned long long case_bytes(const struct bench_case *c)
{
	return c->bytes;
}

/* The size of this executable, and the tag the driver gave the run. */
static long long exe_size(void)
{
	struct stat st;

	return stat("/proc/self/exe", &st) ? -1 : st.st_size;
}

static const char *run_tag(void)
{
	const char *tag = getenv("HORNET_BENCH_TAG");

	return tag && *tag ? tag : "-";
}

static struct batch bt;

static int cmd_load(const struct bench_case *c, int batches, int n)
{
	long long ns;
	int b, i, err;

	build_prog(c);
	/* One untimed load first: page cache, slab caches, JIT pack. */
	err = one_load(c, NULL);
	if (err)
		return die(c->name, err);
	for (b = 0; b < batches; b++) {
		for (i = 0; i < n; i++) {
			ns = 0;
			err = one_load(c, &ns);
			if (err)
				return die(c->name, err);
			batch_add(&bt, ns);
		}
		printf("hornet-bench: load case=%s bytes=%llu exe=%lld tag=%s batch=%d",
		       c->name, case_bytes(c), exe_size(), run_tag(), b);
		batch_print(&bt);
	}
	return 0;
}

/* Fold the per-CPU counters into the global ones, then read meminfo. */
static int meminfo(long long *slab, long long *sunreclaim, long long *vmalloc)
{
	char line[256];
	FILE *f;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("stat_refresh");
		close(fd);
	}
	f = fopen(MEMINFO, "r");
	if (!f)
		return -errno;
	*slab = *sunreclaim = *vmalloc = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld", slab) == 1 ||
		    sscanf(line, "SUnreclaim: %lld", sunreclaim) == 1)
			continue;
		if (sscanf(line, "VmallocUsed: %lld", vmalloc) == 1)
			continue;
	}
	fclose(f);
	return 0;
}

/* Slab and vmalloc in use before and after @k loads kept loaded. */
static int cmd_mem(const struct bench_case *c, int k)
{
	static int fds[MAX_KEEP][2];
	static void *skels[MAX_KEEP];
	long long s0, u0, v0, s1, u1, v1;
	int i, err = 0;

	if (k < 1 || k > MAX_KEEP)
		return die("mem: K out of range", EINVAL);
	build_prog(c);
	err = one_load(c, NULL);
	if (err)
		return die(c->name, err);
	sleep(2);	/* let RCU free the warm-up program */
	meminfo(&s0, &u0, &v0);
	for (i = 0; i < k && !err; i++)
		err = c->lskel ? lskel_load(c, NULL, &skels[i]) :
				 raw_load(c, NULL, fds[i]);
	if (err)
		return die(c->name, err);
	meminfo(&s1, &u1, &v1);
	printf("hornet-bench: mem case=%s bytes=%llu k=%d", c->name,
	       case_bytes(c), k);
	printf(" slab_kb=%lld,%lld sunreclaim_kb=%lld,%lld vmalloc_kb=%lld,%lld\n",
	       s0, s1, u0, u1, v0, v1);
	fflush(stdout);
	for (i = 0; i < k; i++) {
		if (c->lskel) {
			lskel_destroy(c, skels[i]);
			continue;
		}
		close(fds[i][0]);
		if (fds[i][1] >= 0)
			close(fds[i][1]);
	}
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* The allocation events counted; frees are matched by address. */
static const char *const alloc_events[] = {
	"kmem/kmalloc", "kmem/kmem_cache_alloc", "vmalloc/alloc_vmap_area",
};

static const char *const free_events[] = {
	"kmem/kfree", "kmem/kmem_cache_free", "vmalloc/free_vmap_area_noflush",
};

static int trace_setup(int on)
{
	char path[128], filter[64];
	size_t i;
	int err = 0;

	snprintf(filter, sizeof(filter), "common_pid == %d", getpid());
	for (i = 0; i < 3 && !err; i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s/filter",
			 alloc_events[i]);
		err = write_str(path, on ? filter : "0");
		snprintf(path, sizeof(path), TRACEFS "/events/%s/enable",
			 alloc_events[i]);
		if (!err)
			err = write_str(path, on ? "1" : "0");
		snprintf(path, sizeof(path), TRACEFS "/events/%s/enable",
			 free_events[i]);
		if (!err)
			err = write_str(path, on ? "1" : "0");
	}
	return err;
}

/*
 * Live allocations by address: open addressing; a slot, once used, keeps
 * its address, so that an address always finds the same slot.
 */
#define LIVE_SLOTS	65536
static struct {
	unsigned long long addr;
	long long bytes;
	int used;
	int check;	/* allocated by the check (see check_sites) */
} live[LIVE_SLOTS];

/*
 * The callers whose allocations are the signature check's own: Hornet,
 * the PKCS#7 and X.509 parsers, the public-key and crypto code, audit.
 */
static const char *const check_sites[] = {
	"hornet_", "pkcs7_", "verify_pkcs7", "x509_", "public_key", "asymmetric_",
	"software_key", "rsa", "pkcs1", "mpi", "asn1_", "crypto_", "audit_",
	"kstrdup_quotable", "find_asymmetric_key", "is_hash_blacklisted",
};

static int check_site(const char *p)
{
	const char *site = strstr(p, "call_site=");
	size_t i;

	if (!site)
		return 0;
	site += 10;
	for (i = 0; i < ARRAY_SIZE(check_sites); i++)
		if (!strncmp(site, check_sites[i], strlen(check_sites[i])))
			return 1;
	return 0;
}

/* The slot whose bytes field @slot is. */
#define live_of(slot) \
	(&live[((char *)(slot) - (char *)&live[0].bytes) / sizeof(live[0])])

static long long *live_slot(unsigned long long addr, int add)
{
	unsigned int h = (unsigned int)((addr * 0x9e3779b97f4a7c15ULL) >> 48);
	unsigned int i;

	for (i = 0; i < LIVE_SLOTS; i++, h = (h + 1) % LIVE_SLOTS) {
		if (live[h].used && live[h].addr == addr)
			return &live[h].bytes;
		if (!live[h].used) {
			if (!add)
				return NULL;
			live[h].used = 1;
			live[h].addr = addr;
			return &live[h].bytes;
		}
	}
	return NULL;
}

/* The event names as the trace file prints them. */
static const char *const alloc_names[] = {
	": kmalloc: ", ": kmem_cache_alloc: ", ": alloc_vmap_area: ",
};

static const char *const free_names[] = {
	": kfree: ", ": kmem_cache_free: ", ": free_vmap_area_noflush: ",
};

/* Which of the three events @names is @line, or NULL. */
static char *trace_event(char *line, const char *const *names, int *kind)
{
	char *p;

	for (*kind = 0; *kind < 3; (*kind)++) {
		p = strstr(line, names[*kind]);
		if (p)
			return p;
	}
	return NULL;
}

/*
 * Walk the trace between this task's START and END markers: the peak of
 * the bytes the task allocated and had not freed yet, and what was still
 * allocated at the end.
 */
static int trace_peak(long long *peak, long long *end, long long *check_peak,
		      int *events)
{
	char line[1024], *p, *a, *b;
	int kind, check = 0;
	long long cur = 0, check_cur = 0, *slot;
	unsigned long long addr, size;
	int in = 0;
	FILE *f;

	memset(live, 0, sizeof(live));
	*peak = *end = *check_peak = 0;
	*events = 0;
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "tracing_mark_write: HB-START")) {
			in = 1;
			continue;
		}
		if (strstr(line, "tracing_mark_write: HB-END"))
			break;
		if (!in)
			continue;
		/* Addresses not printed yet (RNG not seeded): nothing to match. */
		if (strstr(line, "(____ptrval____)")) {
			fclose(f);
			return -EADDRNOTAVAIL;
		}
		p = trace_event(line, alloc_names, &kind);
		if (p && kind < 2) {		/* kmalloc, kmem_cache_alloc */
			a = strstr(p, " ptr=");
			b = strstr(p, "bytes_alloc=");
			if (!a || !b)
				continue;
			addr = strtoull(a + 5, NULL, 16);
			size = strtoull(b + 12, NULL, 10);
			check = check_site(p);
		} else if (p) {			/* alloc_vmap_area */
			a = strstr(p, "va_start: ");
			b = strstr(p, "size=");
			if (!a || !b || strstr(p, "failed=1"))
				continue;
			addr = strtoull(a + 10, NULL, 10);
			/* The area includes a guard page. */
			size = strtoull(b + 5, NULL, 10);
			size = size > 4096 ? size - 4096 : size;
			check = 0;
		} else {
			p = trace_event(line, free_names, &kind);
			if (!p)
				continue;
			a = strstr(p, kind < 2 ? " ptr=" : "va_start=");
			if (!a)
				continue;
			addr = strtoull(a + (kind < 2 ? 5 : 9), NULL, 16);
			slot = live_slot(addr, 0);
			if (slot) {
				cur -= *slot;
				if (live_of(slot)->check)
					check_cur -= *slot;
				*slot = 0;
			}
			continue;
		}
		(*events)++;
		slot = live_slot(addr, 1);
		if (!slot)
			continue;
		/* An address allocated again without a free we saw. */
		cur += size - *slot;
		if (live_of(slot)->check)
			check_cur -= *slot;
		live_of(slot)->check = check;
		if (check)
			check_cur += size;
		*slot = size;
		if (cur > *peak)
			*peak = cur;
		if (check_cur > *check_peak)
			*check_peak = check_cur;
	}
	fclose(f);
	*end = cur;
	return 0;
}

static int cmd_peak(const struct bench_case *c, int reps)
{
	long long peak, end, check_peak;
	int r, err, events;

	build_prog(c);
	err = one_load(c, NULL);
	if (err)
		return die(c->name, err);
	if (access(TRACEFS "/trace", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	err = trace_setup(1);
	if (err)
		return die("trace events", err);
	for (r = 0; r < reps; r++) {
		int fds[2] = { -1, -1 };
		void *skel = NULL;
		int map_fd = -1;

		write_str(TRACEFS "/tracing_on", "0");
		write_str(TRACEFS "/trace", "");
		/* A raw case's map is made before the marker. */
		if (c->bytes) {
			map_fd = setup_map(c);
			if (map_fd < 0)
				return die("map", map_fd);
		}
		write_str(TRACEFS "/tracing_on", "1");
		write_str(TRACEFS "/trace_marker", "HB-START");
		if (c->lskel) {
			err = lskel_load(c, NULL, &skel);
		} else {
			union bpf_attr attr;

			raw_load_attr(&attr, c, &map_fd);
			fds[0] = sys_bpf(BPF_PROG_LOAD, &attr);
			err = fds[0] < 0 ? fds[0] : 0;
		}
		write_str(TRACEFS "/trace_marker", "HB-END");
		write_str(TRACEFS "/tracing_on", "0");
		if (err)
			return die(c->name, err);
		err = trace_peak(&peak, &end, &check_peak, &events);
		if (err)
			return die(err == -EADDRNOTAVAIL ?
				   "trace: hashed pointers (boot with no_hash_pointers)" :
				   "trace", err);
		printf("hornet-bench: peak case=%s bytes=%llu rep=%d", c->name,
		       case_bytes(c), r);
		printf(" events=%d peak_bytes=%lld end_bytes=%lld check_peak_bytes=%lld\n",
		       events, peak, end, check_peak);
		fflush(stdout);
		if (skel)
			lskel_destroy(c, skel);
		if (fds[0] >= 0)
			close(fds[0]);
		if (map_fd >= 0)
			close(map_fd);
	}
	trace_setup(0);
	write_str(TRACEFS "/trace", "");
	return 0;
}

/*
 * Where the time of Hornet's hooks goes: the function_graph tracer on
 * Hornet's hooks for this task, instrumenting only the functions matched
 * by prof_filter (so that the tracer's own cost stays small), with each
 * closing line naming its function (funcgraph-tail).
 */
static const char *const prof_filter[] = {
	"hornet_*", "pkcs7_*", "verify_pkcs7_message_sig",
	"public_key_verify_signature", "crypto_alloc_*", "mpi_powm",
	"sha256", "sha256_update", "sha256_final", "kernel_read",
	"get_task_exe_file", "audit_log_start", "audit_log_end",
	"audit_log_d_path", "bpf_map_frozen_*", "bpf_map_get",
	"is_hash_blacklisted", "is_key_on_revocation_list",
	"find_asymmetric_key", "kstrdup_quotable", "bpf_map_put",
	"audit_log_format", "schedule_timeout",
};

static const char *const prof_hooks[] = {
	"hornet_bpf_prog_load", "hornet_bpf_prog", "hornet_bpf_syscall_prog_run",
};

#define PROF_FNS	64

static struct {
	char name[64];
	int depth;
	int calls;
	double us;
} prof[PROF_FNS];

static void prof_add(const char *name, int depth, double us)
{
	int i;

	for (i = 0; i < PROF_FNS && prof[i].name[0]; i++)
		if (prof[i].depth == depth && !strcmp(prof[i].name, name))
			break;
	if (i == PROF_FNS)
		return;
	if (!prof[i].name[0]) {
		snprintf(prof[i].name, sizeof(prof[i].name), "%s", name);
		prof[i].depth = depth;
	}
	prof[i].calls++;
	prof[i].us += us;
}

/*
 * One line of function_graph output with a duration: " 1) + 12.3 us |
 * <indent>name();" or " 1) ! 150.0 us | <indent>} /" "* name *" "/".
 */
static void prof_line(const char *line)
{
	const char *bar = strchr(line, '|'), *p, *q;
	char name[64], *end;
	double us;
	int depth;

	/* After the CPU column "N)": overhead marks, then the duration. */
	p = strchr(line, ')');
	if (!bar || !p || p > bar || !strstr(line, " us "))
		return;
	for (p++; p < bar && (*p == ' ' || strchr("+!#*@$", *p)); p++)
		;
	us = strtod(p, &end);
	if (end == p)
		return;
	for (p = bar + 1, depth = 0; *p == ' '; p++)
		depth++;
	depth /= 2;
	if (*p == '}') {
		p = strstr(p, "/* ");
		if (!p)
			return;
		p += 3;
		q = strstr(p, " */");
	} else {
		q = strstr(p, "();");
	}
	if (!q || q - p >= (long)sizeof(name))
		return;
	memcpy(name, p, q - p);
	name[q - p] = '\0';
	prof_add(name, depth, us);
}

static int cmd_profile(const struct bench_case *c, int reps)
{
	char line[1024];
	int r, err, fd;
	size_t i;
	FILE *f;

	build_prog(c);
	err = one_load(c, NULL);
	if (err)
		return die(c->name, err);
	if (access(TRACEFS "/trace", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	write_str(TRACEFS "/tracing_on", "0");
	/* One write per pattern: one that matches nothing fails alone. */
	fd = open(TRACEFS "/set_ftrace_filter", O_WRONLY | O_TRUNC);
	if (fd < 0)
		return die("set_ftrace_filter", errno);
	for (i = 0; i < ARRAY_SIZE(prof_filter); i++) {
		/* A token ends at white space, else the next write goes on. */
		snprintf(line, sizeof(line), "%s\n", prof_filter[i]);
		if (write(fd, line, strlen(line)) < 0)
			printf("hornet-bench: profile: no function %s\n",
			       prof_filter[i]);
	}
	close(fd);
	fd = open(TRACEFS "/set_graph_function", O_WRONLY | O_TRUNC);
	if (fd < 0)
		return die("set_graph_function", errno);
	for (i = 0; i < ARRAY_SIZE(prof_hooks); i++) {
		snprintf(line, sizeof(line), "%s\n", prof_hooks[i]);
		if (write(fd, line, strlen(line)) < 0)
			return die(prof_hooks[i], errno);
	}
	close(fd);
	snprintf(line, sizeof(line), "%d", getpid());
	err = write_str(TRACEFS "/set_ftrace_pid", line);
	if (!err)
		err = write_str(TRACEFS "/max_graph_depth", "4");
	if (!err)
		err = write_str(TRACEFS "/options/funcgraph-tail", "1");
	if (!err)
		err = write_str(TRACEFS "/current_tracer", "function_graph");
	if (err)
		return die("function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER)", err);
	write_str(TRACEFS "/trace", "");
	write_str(TRACEFS "/tracing_on", "1");
	for (r = 0; r < reps && !err; r++)
		err = one_load(c, NULL);
	write_str(TRACEFS "/tracing_on", "0");
	if (err)
		return die(c->name, err);
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return die("trace", errno);
	while (fgets(line, sizeof(line), f))
		prof_line(line);
	fclose(f);
	write_str(TRACEFS "/current_tracer", "nop");
	write_str(TRACEFS "/set_ftrace_filter", "");
	write_str(TRACEFS "/set_graph_function", "");
	write_str(TRACEFS "/set_ftrace_pid", "");
	write_str(TRACEFS "/trace", "");
	for (i = 0; i < PROF_FNS && prof[i].name[0]; i++) {
		printf("hornet-bench: profile case=%s tag=%s fn=%s depth=%d",
		       c->name, run_tag(), prof[i].name, prof[i].depth);
		printf(" calls=%.2f ns=%.0f\n", (double)prof[i].calls / reps,
		       prof[i].us * 1000 / reps);
	}
	return 0;
}

/* In-kernel SHA-256 (the crypto API's sha256, which uses lib/crypto). */
static int cmd_sha256(unsigned long long bytes, int batches, int n)
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG, .salg_type = "hash", .salg_name = "sha256",
	};
	unsigned char digest[32], *buf;
	int s, op, b, i;
	long long t0;

	buf = malloc(bytes);
	if (!buf)
		return die("sha256: buffer", ENOMEM);
	fill_pattern(buf, 0, bytes);
	s = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (s < 0)
		return die("AF_ALG socket (CONFIG_CRYPTO_USER_API_HASH)", errno);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return die("AF_ALG bind sha256", errno);
	op = accept(s, NULL, 0);
	if (op < 0)
		return die("AF_ALG accept", errno);
	for (b = -1; b < batches; b++) {
		for (i = 0; i < n; i++) {
			unsigned long long off = 0;

			t0 = now_ns();
			while (off < bytes) {
				ssize_t k = send(op, buf + off, bytes - off,
						 MSG_MORE);

				if (k <= 0)
					return die("AF_ALG send", errno);
				off += k;
			}
			if (send(op, NULL, 0, 0) < 0 ||
			    read(op, digest, sizeof(digest)) != sizeof(digest))
				return die("AF_ALG digest", errno);
			batch_add(&bt, now_ns() - t0);
		}
		if (b < 0) {
			bt.n = 0;	/* warm-up */
			continue;
		}
		printf("hornet-bench: sha256 case=sha256 bytes=%llu batch=%d",
		       bytes, b);
		batch_print(&bt);
	}
	close(op);
	close(s);
	free(buf);
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return -errno;
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	*len = read(fd, *buf, st.st_size);
	close(fd);
	return *len == (size_t)st.st_size ? 0 : -EIO;
}

/*
 * add_key() of @type with @data, N per batch, into a keyring of this
 * process that is cleared after each batch (not timed).
 */
static int time_add_key(const char *name, const char *type, const char *data,
			size_t len, unsigned long long bytes, int batches, int n)
{
	char desc[32];
	long long t0;
	long ring, key;
	int b, i;

	ring = syscall(__NR_add_key, "keyring", "hornet-bench", NULL, 0,
		       KEY_SPEC_PROCESS_KEYRING);
	if (ring < 0)
		return die("keyring", errno);
	for (b = -1; b < batches; b++) {
		for (i = 0; i < n; i++) {
			snprintf(desc, sizeof(desc), "k%d.%d", b, i);
			t0 = now_ns();
			key = syscall(__NR_add_key, type, desc, data, len, ring);
			batch_add(&bt, now_ns() - t0);
			if (key < 0)
				return die(type, errno);
		}
		syscall(__NR_keyctl, KEYCTL_CLEAR, ring);
		if (b < 0) {
			bt.n = 0;
			continue;
		}
		printf("hornet-bench: %s case=%s bytes=%llu batch=%d", type, name,
		       bytes, b);
		batch_print(&bt);
	}
	return 0;
}

static int cmd_pkcs7(const char *name, const char *p7m, const char *payload,
		     int batches, int n)
{
	char *msg, *data;
	size_t msg_len, data_len;
	int err;

	err = read_file(p7m, &msg, &msg_len);
	if (!err)
		err = read_file(payload, &data, &data_len);
	if (err)
		return die("pkcs7: read", err);
	err = time_add_key(name, "pkcs7_test", msg, msg_len, data_len, batches, n);
	if (!err)
		err = time_add_key(name, "user", data, data_len, data_len,
				   batches, n);
	return err;
}

static int cmd_mkexe(const char *src, const char *trailer, long long size,
		     const char *dst)
{
	char *s, *t;
	size_t slen, tlen;
	int fd, err;

	err = read_file(src, &s, &slen);
	if (!err)
		err = read_file(trailer, &t, &tlen);
	if (err)
		return die("mkexe: read", err);
	if ((long long)(slen + tlen) > size)
		return die("mkexe: size smaller than the program", EINVAL);
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return die(dst, errno);
	if (write(fd, s, slen) != (ssize_t)slen ||
	    pwrite(fd, t, tlen, size - tlen) != (ssize_t)tlen || close(fd))
		return die(dst, errno ?: EIO);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_case c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "mkexe"))
		return cmd_mkexe(argv[2], argv[3], atoll(argv[4]), argv[5]);
	if (argc == 5 && !strcmp(argv[1], "sha256"))
		return cmd_sha256(strtoull(argv[2], NULL, 0), atoi(argv[3]),
				  atoi(argv[4]));
	if (argc == 7 && !strcmp(argv[1], "pkcs7"))
		return cmd_pkcs7(argv[2], argv[3], argv[4], atoi(argv[5]),
				 atoi(argv[6]));
	if (argc == 2 && !strcmp(argv[1], "unsigned")) {
		int err;

		parse_case("raw-nomap", &c);
		build_prog(&c);
		err = raw_load(&c, NULL, NULL);
		printf("hornet-bench: unsigned load: %s (%d)\n",
		       err ? strerrorname_np(-err) ?: "?" : "accepted", -err);
		return 0;
	}
	if (argc >= 4 && parse_case(argv[2], &c) == 0) {
		if (argc == 5 && !strcmp(argv[1], "load"))
			return cmd_load(&c, atoi(argv[3]), atoi(argv[4]));
		if (argc == 4 && !strcmp(argv[1], "mem"))
			return cmd_mem(&c, atoi(argv[3]));
		if (argc == 4 && !strcmp(argv[1], "peak"))
			return cmd_peak(&c, atoi(argv[3]));
		if (argc == 4 && !strcmp(argv[1], "profile"))
			return cmd_profile(&c, atoi(argv[3]));
	}
	fprintf(stderr, "usage: see the comment at the top of hornet_bench.c\n");
	return 2;
}
#endif /* HORNET_PAYLOAD_TOOL */
