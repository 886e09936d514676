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
 *   shared-blob           load the loader twice on one loader map
 *   dump-payload FILE     write the payload that would be signed (header,
 *                         loader map record, instructions) and exit
 *
 * Attacks on the loader's run (each prints what happened, with counts):
 *   race-dup2 N [SECS]    N loads while a second thread dup2()s a foreign
 *                         map onto the map descriptors the loader creates
 *   race-dup2-files N [SECS]  the same from a second process that shares
 *                         only the descriptor table (clone CLONE_FILES)
 *   race-run-swap N [SECS]  after the one allowed run, N BPF_PROG_RUNs of a
 *                         descriptor that a thread flips between the loader
 *                         and the socket filter it loaded
 *   skel-kernel           load with BPF_SKEL_KERNEL set in the context and
 *                         the .bss initial value pointing into the kernel
 *   io-uring              as run, with an io_uring worker blocked in a read
 *   mt-run                load, then BPF_PROG_RUN the socket filter from a
 *                         process that has a second thread (allowed)
 *
 * Exit status: 0 on success, otherwise the errno of the failing step, which
 * is also printed as "hornet_counter_loader: <step>: <name> (<errno>)", or
 * one of the EXIT_* values below.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/*
 * The tools/include copy of io_uring.h expects the full uapi headers: give
 * it the kernel's posix types and the flexible-array helper.
 */
#include <asm/posix_types.h>
#ifndef __DECLARE_FLEX_ARRAY
#define __DECLARE_FLEX_ARRAY(TYPE, NAME)	\
	struct { struct { } __empty_ ## NAME; TYPE NAME[]; }
#endif
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

/*
 * Include the stock helpers first, then route the skeleton's call of
 * bpf_load_and_run() through tamper_load_and_run(), which may change the
 * loader before handing it to the real bpf_load_and_run().
 */
#include <bpf/skel_internal.h>
#define HORNET_LOADER_NAME "hornet_counter_loader"
#include "hornet_loader.h"

#include "hornet_payload.h"
#include "hornet_fault.h"

static int tamper_load_and_run(struct bpf_load_and_run_opts *opts);
#define bpf_load_and_run tamper_load_and_run
#include "hornet_counter.lskel.h"
#undef bpf_load_and_run

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#define ETH_HLEN 14

#define DEFAULT_PACKETS 16
/* Exit status when every step worked but the program did not count right. */
#define EXIT_MISCOUNT	250
/* skel-kernel: the loader copied kernel memory into .bss. */
#define EXIT_LEAKED	251
/* race-dup2: a load bound the foreign map. */
#define EXIT_FOREIGN	252
/* race-run-swap: the loader ran a second time. */
#define EXIT_RERUN	253
/* A race attempt failed with an errno the fixed kernel does not give. */
#define EXIT_UNEXPECTED	254

enum loader_mode {
	MODE_RUN,
	MODE_FLIP_INSN,
	MODE_FLIP_DATA,
	MODE_UNFROZEN,
	MODE_UPDATE_AFTER_LOAD,
	MODE_SHARED_BLOB,
	MODE_DUMP,
	MODE_RACE_DUP2,
	MODE_RACE_RUN_SWAP,
	MODE_SKEL_KERNEL,
	MODE_IO_URING,
	MODE_MT_RUN,
	MODE_FAULTS,
};

static enum loader_mode mode = MODE_RUN;
static long flip_off;
static const char *dump_path;
static const char *fail_step = "load";
static char verifier_log[1 << 16];
/* Race modes: attempts, and a time budget in seconds (0: none). */
static int race_tries;
static double race_secs;
/* What a race or leak mode found, returned by main() after the load. */
static int attack_status;
/* faults: the site to fail (0: none), in the load or in the run. */
static unsigned int fault_n;
static bool fault_at_run;
static int fault_fired;

/*
 * The payload of the loader bpf_load_and_run() loads: a syscall program
 * with BPF_F_SLEEPABLE whose one map, fd_array index 0, is a one-element
 * array holding the data (skel_internal.h). The digest is zero unless this
 * is the build host's twin of the loader (HORNET_PAYLOAD_TOOL).
 */
static int dump_payload(const struct bpf_load_and_run_opts *opts)
{
	struct hp_map map = {
		.type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		.value_size = opts->data_sz, .max_entries = 1,
		.ref_kind = HP_REF_IDX, .ref = 0, .contents = opts->data,
	};
	int fd, err;

	fd = open(dump_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("dump-payload open", errno);
	err = hp_write_payload(fd, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE,
			       opts->insns, opts->insns_sz / sizeof(struct bpf_insn),
			       &map, 1);
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

/*
 * The three steps of a light-skeleton load, written out here so that the
 * freeze can be left out (unfrozen), followed by a write to the frozen map
 * (update-after-load), or the loader kept after its run (race-run-swap).
 * The instructions and data are the skeleton's own, so a signed copy of
 * this loader signs them too. Each step returns a descriptor or 0, or a
 * negative errno with fail_step set.
 */
static int loader_map_create(const struct bpf_load_and_run_opts *opts,
			     bool freeze)
{
	union bpf_attr attr;
	int map_fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = opts->data_sz;
	attr.max_entries = 1;
	memcpy(attr.map_name, "__loader.map", sizeof("__loader.map"));
	map_fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (map_fd < 0) {
		fail_step = "create loader map";
		return map_fd;
	}
	err = map_update(map_fd, 0, opts->data);
	if (err) {
		fail_step = "update loader map";
		goto fail;
	}
	if (freeze) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map_fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr, sizeof(attr));
		if (err) {
			fail_step = "freeze loader map";
			goto fail;
		}
	}
	return map_fd;
fail:
	close(map_fd);
	return err;
}

static int loader_prog_load(const struct bpf_load_and_run_opts *opts,
			    int map_fd)
{
	union bpf_attr attr;
	int prog_fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (long)opts->insns;
	attr.insn_cnt = opts->insns_sz / sizeof(struct bpf_insn);
	attr.license = (long)"Dual BSD/GPL";
	memcpy(attr.prog_name, "__loader.prog", sizeof("__loader.prog"));
	attr.fd_array = (long)&map_fd;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0)
		fail_step = "load loader prog";
	return prog_fd;
}

/* BPF_PROG_RUN of a loader with @ctx; the loader's own errors count too. */
static int loader_run(int prog_fd, struct bpf_loader_ctx *ctx)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	attr.test.ctx_in = (long)ctx;
	attr.test.ctx_size_in = ctx->sz;
	err = sys_bpf(BPF_PROG_RUN, &attr, sizeof(attr));
	if (!err && (int)attr.test.retval < 0)
		err = (int)attr.test.retval;
	if (err)
		fail_step = "run loader prog";
	return err;
}

static int own_load_and_run(struct bpf_load_and_run_opts *opts, bool freeze,
			    bool update_after_load)
{
	int map_fd, prog_fd, err;

	map_fd = loader_map_create(opts, freeze);
	if (map_fd < 0)
		return map_fd;
	prog_fd = loader_prog_load(opts, map_fd);
	if (prog_fd < 0) {
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
	} else {
		err = loader_run(prog_fd, opts->ctx);
	}
	close(prog_fd);
out:
	close(map_fd);
	return err;
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Has the race used up its tries or its time budget? */
static bool race_over(int i, double start)
{
	return i >= race_tries ||
	       (race_secs && i && now_secs() - start > race_secs);
}

/* Failures of race attempts, by errno. */
struct errno_counts {
	int n[4096];
};

static void count_errno(struct errno_counts *c, int err)
{
	if (err < 0)
		err = -err;
	c->n[err > 0 && err < 4096 ? err : 0]++;
}

/* "EBUSY=3 EINVAL=2", or "none". */
static const char *errno_summary(const struct errno_counts *c)
{
	static char buf[512];
	size_t len = 0;
	int e;

	buf[0] = '\0';
	for (e = 0; e < 4096 && len < sizeof(buf) - 32; e++)
		if (c->n[e])
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s=%d",
					len ? " " : "",
					e ? strerrorname_np(e) ?: "?" : "other",
					c->n[e]);
	return len ? buf : "none";
}

/* Is every counted failure one of the errnos in @ok (0-terminated)? */
static bool only_errnos(const struct errno_counts *c, const int *ok)
{
	int e, k;

	for (e = 0; e < 4096; e++) {
		if (!c->n[e])
			continue;
		for (k = 0; ok[k] && ok[k] != e; k++)
			;
		if (!ok[k])
			return false;
	}
	return true;
}

static int obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = (long)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
}

/*
 * race-dup2. The loader creates the skeleton's maps as descriptors of this
 * process and then names them, by number, in the real program's
 * kernel-origin BPF_PROG_LOAD. A second thread (race-dup2-files: a second
 * process that shares only the descriptor table) replaces each new map
 * descriptor with a foreign ARRAY map of pkt_count's geometry as soon as it
 * appears. The thread only touches descriptors that hold a bpf map and
 * carry FD_CLOEXEC: every descriptor the kernel creates for a bpf object
 * does, its own replacements (dup2) do not, so each map is replaced once.
 * It looks at a small range of numbers, predicted from the lowest free
 * descriptor before the load: the loader map and the loader program take
 * the first two, the objects the loader creates come after.
 */
#define FOREIGN_FD	900
#define DUP2_SKIP	2
#define DUP2_RANGE	6

/* Shared with the racer, which may be another process (race-dup2-files). */
static struct dup2_race_state {
	int lo;			/* first descriptor to watch, -1: none */
	int stop;
	unsigned long sweeps;	/* completed passes over the range */
	unsigned long replaced;
} *dup2_race;

static struct {
	int tries, loaded, foreign;
	__u32 foreign_id;
	struct errno_counts refused;
} dup2_stats;

static bool is_fresh_bpf_map(int fd)
{
	char path[32], link[64];
	int flags = fcntl(fd, F_GETFD);
	ssize_t n;

	if (flags < 0 || !(flags & FD_CLOEXEC))
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:bpf-map");
}

static void *dup2_thread(void *arg)
{
	int lo, fd;

	(void)arg;
	while (!__atomic_load_n(&dup2_race->stop, __ATOMIC_ACQUIRE)) {
		lo = __atomic_load_n(&dup2_race->lo, __ATOMIC_ACQUIRE);
		for (fd = lo; lo >= 0 && fd < lo + DUP2_RANGE; fd++) {
			if (!is_fresh_bpf_map(fd))
				continue;
			if (dup2(FOREIGN_FD, fd) == fd)
				__atomic_add_fetch(&dup2_race->replaced, 1,
						   __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&dup2_race->sweeps, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Stop the thread watching descriptors; wait until its pass is over. */
static void dup2_race_pause(void)
{
	unsigned long seen;

	__atomic_store_n(&dup2_race->lo, -1, __ATOMIC_RELEASE);
	seen = __atomic_load_n(&dup2_race->sweeps, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&dup2_race->sweeps, __ATOMIC_ACQUIRE) < seen + 2)
		;
}

/* Does the program behind @prog_fd use the map with id @map_id? */
static bool prog_uses_map(int prog_fd, __u32 map_id)
{
	struct bpf_prog_info info;
	__u32 ids[8], i;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 8;
	info.map_ids = (long)ids;
	if (obj_info(prog_fd, &info, sizeof(info)))
		return false;
	for (i = 0; i < info.nr_map_ids && i < 8; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}

/* The wrapper's part of one race-dup2 try: load, then look at the maps. */
static int dup2_race_load(struct bpf_load_and_run_opts *opts)
{
	struct hornet_counter *skel = (void *)opts->ctx;
	int err;

	err = bpf_load_and_run(opts);
	if (err) {
		count_errno(&dup2_stats.refused, err);
		return err;
	}
	dup2_stats.loaded++;
	if (prog_uses_map(skel->progs.hornet_count.prog_fd,
			  dup2_stats.foreign_id))
		dup2_stats.foreign++;
	return 0;
}

static int create_foreign_map(__u32 *id)
{
	struct bpf_map_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = sizeof(__u64);	/* pkt_count's geometry */
	attr.max_entries = 1;
	memcpy(attr.map_name, "foreign", sizeof("foreign"));
	fd = sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return fd;
	/* dup2() clears FD_CLOEXEC: the thread never replaces this one. */
	if (dup2(fd, FOREIGN_FD) != FOREIGN_FD) {
		close(fd);
		return -errno;
	}
	close(fd);
	memset(&info, 0, sizeof(info));
	if (obj_info(FOREIGN_FD, &info, sizeof(info)))
		return -errno;
	*id = info.id;
	return FOREIGN_FD;
}

/*
 * pthread_join() returns when the thread has released its memory map, a
 * little before it lets go of the descriptor table. The thread's entry in
 * /proc/self/task goes away after both.
 */
static int count_threads(const char *prefix);

static void wait_single_threaded(void)
{
	int i;

	for (i = 0; i < 1000 && count_threads("") > 1; i++)
		usleep(1000);
}

static int lowest_free_fd(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int count_packets(struct hornet_counter *skel, int packets);

/* A normal load and count, as "run" does. */
static int load_and_count(int packets)
{
	struct hornet_counter *skel;
	int err;

	skel = hornet_counter__open();
	if (!skel)
		return fail("open", errno);
	err = hornet_counter__load(skel);
	if (err)
		err = fail(fail_step, err);
	else
		err = count_packets(skel, packets);
	hornet_counter__destroy(skel);
	return err;
}

/* Start the racer: a thread, or a process sharing only the descriptors. */
static int dup2_racer_start(bool process, pthread_t *thread, pid_t *pid)
{
	if (!process)
		return pthread_create(thread, NULL, dup2_thread, NULL) ? -EAGAIN : 0;
	/* fork() plus CLONE_FILES: own memory, the same descriptor table. */
	*pid = syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, NULL);
	if (*pid < 0)
		return -errno;
	if (!*pid) {
		dup2_thread(NULL);
		_exit(0);
	}
	return 0;
}

static void dup2_racer_stop(bool process, pthread_t thread, pid_t pid)
{
	__atomic_store_n(&dup2_race->stop, 1, __ATOMIC_RELEASE);
	if (process) {
		/* Reaped, it has let go of the descriptor table. */
		waitpid(pid, NULL, 0);
	} else {
		pthread_join(thread, NULL);
		wait_single_threaded();
	}
}

static int race_dup2(bool process)
{
	const char *name = process ? "race-dup2-files" : "race-dup2";
	static const int ok[] = { EBUSY, 0 };
	struct hornet_counter *skel;
	pthread_t thread = 0;
	pid_t pid = -1;
	double start;
	int err, lo;

	dup2_race = mmap(NULL, sizeof(*dup2_race), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (dup2_race == MAP_FAILED)
		return fail("mmap", errno);
	dup2_race->lo = -1;
	err = create_foreign_map(&dup2_stats.foreign_id);
	if (err < 0)
		return fail("create foreign map", err);
	err = dup2_racer_start(process, &thread, &pid);
	if (err)
		return fail("start the racer", err);
	start = now_secs();
	for (dup2_stats.tries = 0; !race_over(dup2_stats.tries, start);
	     dup2_stats.tries++) {
		/* Replacements that landed after a close: drop them. */
		close_range(STDERR_FILENO + 1, FOREIGN_FD - 1, 0);
		lo = lowest_free_fd();
		skel = hornet_counter__open();
		if (!skel) {
			err = fail("open", errno);
			break;
		}
		__atomic_store_n(&dup2_race->lo, lo + DUP2_SKIP,
				 __ATOMIC_RELEASE);
		hornet_counter__load(skel);
		dup2_race_pause();
		/*
		 * When mapping .bss fails (its descriptor was replaced),
		 * destroy() cannot find the page the skeleton prepared.
		 */
		if (!skel->bss)
			munmap((void *)(long)skel->maps.bss.initial_value,
			       4096);
		hornet_counter__destroy(skel);
	}
	dup2_racer_stop(process, thread, pid);
	close_range(STDERR_FILENO + 1, ~0U, 0);

	printf("hornet_counter_loader: %s: %d tries in %.1f s: %d loaded, ",
	       name, dup2_stats.tries, now_secs() - start, dup2_stats.loaded);
	printf("%d bound the foreign map (id %u), %lu descriptors replaced; ",
	       dup2_stats.foreign, dup2_stats.foreign_id, dup2_race->replaced);
	printf("refused: %s\n", errno_summary(&dup2_stats.refused));
	if (err)
		return err;
	/* The racer is gone: the same loader loads again. */
	mode = MODE_RUN;
	err = load_and_count(DEFAULT_PACKETS);
	if (err)
		return err;
	printf("hornet_counter_loader: %s: load without the racer afterwards: ok\n",
	       name);
	if (dup2_stats.foreign)
		return EXIT_FOREIGN;
	if (!only_errnos(&dup2_stats.refused, ok))
		return EXIT_UNEXPECTED;
	return 0;
}

/*
 * race-run-swap. Hornet looks the program up by descriptor before
 * BPF_PROG_RUN does it again. After the loader L's one allowed run, a
 * thread flips descriptor X from the socket filter P it loaded to L while
 * this thread calls BPF_PROG_RUN(X) with what a syscall program needs (a
 * copy of the skeleton context, no data). P's run fails with EINVAL (a
 * socket filter needs data), so a run that succeeds ran L again.
 *
 * Each run starts with X = P; the flipping thread is told when, and flips
 * after a delay that follows the outcomes: EKEYREJECTED means the flip came
 * before Hornet's lookup (wait longer), EINVAL that it came after the
 * run's own lookup (wait less). The delay settles where the window between
 * the two lookups is, instead of hitting it by chance.
 */
static struct {
	int x, p, l;
	int go, done, stop;
	unsigned long delay;	/* spin iterations before the flip */
} swap;

static void *swap_thread(void *arg)
{
	unsigned long spin;
	int seen = 0, go;

	(void)arg;
	while (!__atomic_load_n(&swap.stop, __ATOMIC_ACQUIRE)) {
		go = __atomic_load_n(&swap.go, __ATOMIC_ACQUIRE);
		if (go == seen)
			continue;
		seen = go;
		/* The empty asm keeps the compiler from dropping the loop. */
		for (spin = swap.delay; spin; spin--)
			__asm__ __volatile__("" ::: "memory");
		dup2(swap.l, swap.x);
		__atomic_store_n(&swap.done, go, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Move the flip towards the window between the two lookups. */
static void swap_adapt(int err, unsigned int i)
{
	unsigned long step = swap.delay / 8 + 1 + (i * 2654435761u) % 4;

	if (err == -EKEYREJECTED)
		swap.delay += step;
	else if (err == -EINVAL)
		swap.delay = swap.delay > step ? swap.delay - step : 0;
}

#define SWAP_FD_SCAN	64

/* Close what a second run of the loader created (not in @was_open). */
static void close_new_fds(const bool *was_open, int limit)
{
	int fd;

	for (fd = 0; fd < limit; fd++)
		if (!was_open[fd] && fd != swap.x && fcntl(fd, F_GETFD) >= 0)
			close(fd);
}

static int swap_race(int l, int p, const void *pristine, __u32 sz)
{
	static const int ok[] = { EINVAL, EBUSY, EKEYREJECTED, 0 };
	static struct errno_counts failed;
	bool was_open[1024] = { false };
	int i, err, reruns = 0, limit;
	union bpf_attr attr;
	pthread_t thread;
	double start;
	void *ctx;

	ctx = malloc(sz);
	if (!ctx)
		return fail("malloc", ENOMEM);
	swap.l = l;
	swap.p = p;
	swap.x = fcntl(p, F_DUPFD, (l > p ? l : p) + 1);
	if (swap.x < 0)
		return fail("dup", errno);
	limit = swap.x + SWAP_FD_SCAN;
	if (limit > 1024)
		return fail("descriptor numbers", EMFILE);
	for (i = 0; i < limit; i++)
		was_open[i] = fcntl(i, F_GETFD) >= 0;
	if (pthread_create(&thread, NULL, swap_thread, NULL))
		return fail("pthread_create", EAGAIN);
	start = now_secs();
	for (i = 0; !race_over(i, start); i++) {
		memcpy(ctx, pristine, sz);
		dup2(swap.p, swap.x);
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = swap.x;
		attr.test.ctx_in = (long)ctx;
		attr.test.ctx_size_in = sz;
		__atomic_store_n(&swap.go, i + 1, __ATOMIC_RELEASE);
		err = sys_bpf(BPF_PROG_RUN, &attr, sizeof(attr));
		while (__atomic_load_n(&swap.done, __ATOMIC_ACQUIRE) != i + 1)
			;
		if (!err) {
			reruns++;
			close_new_fds(was_open, limit);
			continue;
		}
		count_errno(&failed, err);
		swap_adapt(err, i);
	}
	__atomic_store_n(&swap.stop, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	close(swap.x);
	free(ctx);

	printf("hornet_counter_loader: race-run-swap: %d runs in %.1f s: ",
	       i, now_secs() - start);
	printf("%d re-ran the loader; failed: %s (flip delay %lu)\n", reruns,
	       errno_summary(&failed), swap.delay);
	if (reruns)
		return EXIT_RERUN;
	if (!only_errnos(&failed, ok))
		return EXIT_UNEXPECTED;
	return 0;
}

static int race_run_swap(struct bpf_load_and_run_opts *opts)
{
	struct hornet_counter *skel = (void *)opts->ctx;
	int map_fd, prog_fd, err;
	void *pristine;

	pristine = malloc(opts->ctx->sz);
	if (!pristine)
		return -ENOMEM;
	memcpy(pristine, opts->ctx, opts->ctx->sz);
	map_fd = loader_map_create(opts, true);
	if (map_fd < 0) {
		free(pristine);
		return map_fd;
	}
	prog_fd = loader_prog_load(opts, map_fd);
	if (prog_fd < 0) {
		err = prog_fd;
		goto out;
	}
	/* The one allowed run: it loads P. */
	err = loader_run(prog_fd, opts->ctx);
	if (!err)
		attack_status = swap_race(prog_fd, skel->progs.hornet_count.prog_fd,
					  pristine, opts->ctx->sz);
	close(prog_fd);
out:
	close(map_fd);
	free(pristine);
	return err;
}

/*
 * skel-kernel. BPF_SKEL_KERNEL tells the loader that initial values are
 * kernel addresses (bpf_probe_read_kernel instead of bpf_copy_from_user).
 * The flag and the addresses come from the caller's memory.
 */
static unsigned long kallsyms_addr(const char *name)
{
	char line[256], sym[128], type;
	unsigned long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name))
			found = addr;
	fclose(f);
	return found;
}

static __u64 skel_kernel_saved;

/* Point .bss's initial value at a kernel symbol; 0 or a negative errno. */
static int skel_kernel_prepare(struct hornet_counter *skel)
{
	/* linux_banner needs CONFIG_KALLSYMS_ALL; _text is always there. */
	static const char *const syms[] = { "linux_banner", "_text" };
	unsigned long addr = 0;
	unsigned int i;

	for (i = 0; !addr && i < 2; i++)
		addr = kallsyms_addr(syms[i]);
	if (!addr)
		return -ENOENT;
	printf("hornet_counter_loader: skel-kernel: .bss initial value = %s (0x%lx)\n",
	       syms[i - 1], addr);
	skel->ctx.flags |= BPF_SKEL_KERNEL;
	skel_kernel_saved = skel->maps.bss.initial_value;
	skel->maps.bss.initial_value = addr;
	return 0;
}

static int skel_kernel_load(struct bpf_load_and_run_opts *opts)
{
	struct hornet_counter *skel = (void *)opts->ctx;
	unsigned char bss[sizeof(*skel->bss)];
	unsigned int i;
	int err;

	err = bpf_load_and_run(opts);
	skel->ctx.flags &= ~BPF_SKEL_KERNEL;
	skel->maps.bss.initial_value = skel_kernel_saved;
	if (err)
		return err;
	err = map_lookup(skel->maps.bss.map_fd, 0, bss);
	if (err) {
		fail_step = "read .bss";
		return err;
	}
	printf("hornet_counter_loader: skel-kernel: .bss now holds:");
	for (i = 0; i < sizeof(bss); i++)
		printf(" %02x", bss[i]);
	printf(" \"");
	for (i = 0; i < sizeof(bss); i++)
		putchar(bss[i] >= 0x20 && bss[i] < 0x7f ? bss[i] : '.');
	printf("\"\n");
	for (i = 0; i < sizeof(bss) && !bss[i]; i++)
		;
	/* The skeleton's own initial .bss is all zero. */
	if (i < sizeof(bss)) {
		printf("hornet_counter_loader: skel-kernel: kernel memory copied into .bss\n");
		attack_status = EXIT_LEAKED;
	}
	return 0;
}

/*
 * shared-blob: two loads of the signed loader on one frozen loader map.
 * Both would pass the signature; run from two processes at once, each
 * would read the other's descriptors out of the shared data. The second
 * load must be refused, and still be after the first program is gone.
 */
static int shared_blob_load(struct bpf_load_and_run_opts *opts)
{
	int map_fd, first, second, err;

	map_fd = loader_map_create(opts, true);
	if (map_fd < 0)
		return map_fd;
	first = loader_prog_load(opts, map_fd);
	if (first < 0) {
		close(map_fd);
		return first;
	}
	second = loader_prog_load(opts, map_fd);
	if (second >= 0) {
		printf("hornet_counter_loader: shared-blob: %s\n",
		       "a second loader loaded on the same data");
		close(second);
		close(first);
		close(map_fd);
		return -EEXIST;
	}
	close(first);
	err = loader_prog_load(opts, map_fd);
	if (err >= 0) {
		printf("hornet_counter_loader: shared-blob: %s\n",
		       "a loader loaded on the data of a closed one");
		close(err);
		err = -EEXIST;
	} else if (err == second) {
		fail_step = "load a second loader on the same data";
	}
	close(map_fd);
	return err;
}

/*
 * faults: load and run the loader as bpf_load_and_run() does, with the
 * fault_n-th fault site of its BPF_PROG_LOAD or of its BPF_PROG_RUN armed.
 */
static int fault_load_and_run(struct bpf_load_and_run_opts *opts)
{
	int map_fd, prog_fd, err;

	fault_fired = 0;
	map_fd = loader_map_create(opts, true);
	if (map_fd < 0)
		return map_fd;
	err = fault_n && !fault_at_run ? fault_arm(fault_n) : 0;
	if (err)
		goto out;
	prog_fd = loader_prog_load(opts, map_fd);
	if (fault_n && !fault_at_run)
		fault_fired = fault_disarm();
	if (prog_fd < 0) {
		err = prog_fd;
		goto out;
	}
	err = fault_n && fault_at_run ? fault_arm(fault_n) : 0;
	if (!err) {
		err = loader_run(prog_fd, opts->ctx);
		if (fault_n && fault_at_run)
			fault_fired = fault_disarm();
	}
	close(prog_fd);
out:
	close(map_fd);
	if (fault_fired < 0) {
		fail_step = "read fail-nth";
		return fault_fired;
	}
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
	case MODE_SHARED_BLOB:
		return shared_blob_load(opts);
	case MODE_RACE_RUN_SWAP:
		return race_run_swap(opts);
	case MODE_FAULTS:
		return fault_load_and_run(opts);
	case MODE_RACE_DUP2:
		return dup2_race_load(opts);
	case MODE_SKEL_KERNEL:
		err = skel_kernel_load(opts);
		if (err < 0 && opts->errstr)
			fail_step = opts->errstr;
		return err;
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
	case MODE_IO_URING:
	case MODE_MT_RUN:
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
	if (mode != MODE_FAULTS)
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

/*
 * io-uring. An io_uring request with IOSQE_ASYNC is handed to an io-wq
 * worker, a kernel thread that shares this process's descriptor table. A
 * read of an empty pipe keeps the worker (and the table's second user)
 * alive while the skeleton loads. Raw system calls, no liburing.
 */
static struct {
	int ring_fd;
	int pipe[2];
	char buf[1];
} iou = { .ring_fd = -1, .pipe = { -1, -1 } };

/* Number of threads of this process whose name starts with @prefix. */
static int count_threads(const char *prefix)
{
	char path[300], comm[64];
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (len <= 0)
			continue;
		comm[len] = '\0';
		if (!strncmp(comm, prefix, strlen(prefix)))
			n++;
	}
	closedir(d);
	return n;
}

static int io_uring_start_worker(void)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	__u32 *tail, *mask, *array;
	size_t sq_len;
	char *sq;
	int i, n;

	memset(&p, 0, sizeof(p));
	iou.ring_fd = syscall(__NR_io_uring_setup, 4, &p);
	if (iou.ring_fd < 0)
		return fail("io_uring_setup", errno);
	sq_len = p.sq_off.array + p.sq_entries * sizeof(__u32);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		  iou.ring_fd, IORING_OFF_SQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, iou.ring_fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || sqes == MAP_FAILED)
		return fail("mmap io_uring", errno);
	if (pipe(iou.pipe))
		return fail("pipe", errno);

	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_READ;
	sqes[0].flags = IOSQE_ASYNC;	/* straight to an io-wq worker */
	sqes[0].fd = iou.pipe[0];
	sqes[0].addr = (long)iou.buf;
	sqes[0].len = sizeof(iou.buf);
	sqes[0].user_data = 1;
	tail = (void *)(sq + p.sq_off.tail);
	mask = (void *)(sq + p.sq_off.ring_mask);
	array = (void *)(sq + p.sq_off.array);
	array[*tail & *mask] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, iou.ring_fd, 1, 0, 0, NULL, 0) != 1)
		return fail("io_uring_enter", errno);

	/* The worker shows up as a thread "iou-wrk-<pid>". */
	for (i = 0; i < 200; i++) {
		n = count_threads("iou-wrk-");
		if (n > 0) {
			printf("hornet_counter_loader: io-uring: %d io-wq worker(s) blocked\n",
			       n);
			return 0;
		}
		usleep(10000);
	}
	return fail("io-uring: no io-wq worker appeared", ESRCH);
}

static void io_uring_stop_worker(void)
{
	/* Complete the read, then tear the ring down. */
	if (iou.pipe[1] >= 0 && write(iou.pipe[1], "x", 1) != 1)
		perror("hornet_counter_loader: write pipe");
	if (iou.ring_fd >= 0)
		close(iou.ring_fd);
}

/*
 * mt-run (allowed). Only the loader's run is sensitive to other users of
 * the descriptor table: a program the skeleton loaded may still be run by
 * a multi-threaded process. The second thread just waits.
 */
static int mt_pipe[2] = { -1, -1 };

static void *waiting_thread(void *arg)
{
	char c;

	(void)arg;
	return read(mt_pipe[0], &c, 1) == 1 ? NULL : (void *)1;
}

static int mt_run(struct hornet_counter *skel)
{
	static char packet[64];
	union bpf_attr attr;
	pthread_t thread;
	int err;

	if (pipe(mt_pipe))
		return fail("pipe", errno);
	if (pthread_create(&thread, NULL, waiting_thread, NULL))
		return fail("pthread_create", EAGAIN);
	printf("hornet_counter_loader: mt-run: %d threads\n",
	       count_threads(""));
	memset(packet, 'h', sizeof(packet));
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = skel->progs.hornet_count.prog_fd;
	attr.test.data_in = (long)packet;
	attr.test.data_size_in = sizeof(packet);
	err = sys_bpf(BPF_PROG_RUN, &attr, sizeof(attr));
	if (write(mt_pipe[1], "x", 1) != 1)
		perror("hornet_counter_loader: write pipe");
	pthread_join(thread, NULL);
	if (err)
		return fail("BPF_PROG_RUN of the socket filter", err);
	printf("hornet_counter_loader: mt-run: ok: retval=%u packets=%llu bytes=%llu\n",
	       attr.test.retval, (unsigned long long)skel->bss->seen_packets,
	       (unsigned long long)skel->bss->seen_bytes);
	/* The test run strips the Ethernet header: skb->len is what is left. */
	if (attr.test.retval != sizeof(packet) - ETH_HLEN ||
	    skel->bss->seen_packets != 1 ||
	    skel->bss->seen_bytes != sizeof(packet) - ETH_HLEN)
		return EXIT_MISCOUNT;
	return 0;
}

static void print_help(const char *prog)
{
	fprintf(stderr,
		"Usage: %s [run [N] | flip-insn OFF | flip-data OFF | unfrozen |\n"
		"          update-after-load | dump-payload FILE |\n"
		"          race-dup2[-files] N [SECS] | race-run-swap N [SECS] |\n"
		"          skel-kernel | io-uring | mt-run | faults load|run]\n", prog);
	exit(EINVAL);
}

static void parse_race_args(int argc, char **argv)
{
	if (argc < 3 || argc > 4)
		print_help(argv[0]);
	race_tries = atoi(argv[2]);
	if (argc == 4)
		race_secs = atof(argv[3]);
	if (race_tries <= 0 || race_secs < 0)
		print_help(argv[0]);
}

/*
 * faults load|run: open, load, use and destroy the light skeleton with the
 * N-th fault site of the loader's BPF_PROG_LOAD (or BPF_PROG_RUN) failing,
 * N = 1, 2, ... until one passes without a fault (hornet_fault.h). Each
 * must fail with ENOMEM or EIO, or succeed and count packets.
 */
static int run_faults(void)
{
	static const int ok[] = { ENOMEM, EIO, 0 };
	struct fault_counts counts = { 0 };
	struct hornet_counter *skel;
	bool replay = false;
	int err;

	for (fault_n = 0; fault_n <= FAULT_MAX_SITES; fault_n++) {
		skel = hornet_counter__open();
		if (!skel)
			return fail("open", errno);
		fail_step = "load";
		err = hornet_counter__load(skel);
		/* A load that succeeds under a fault must work. */
		if (!err)
			err = count_packets(skel, DEFAULT_PACKETS);
		hornet_counter__destroy(skel);
		if (err > 0)
			return err;
		if (fault_fired < 0)
			return fail("read fail-nth", fault_fired);
		if (!fault_n || !fault_fired) {
			if (err)
				return fail(fault_n ? "load without a fault" :
					    fail_step, err);
			if (fault_n)
				break;
			continue;
		}
		fault_count(&counts, fault_n, err, ok);
		/* Replay an unexpected outcome once, with the fault's stack. */
		if (!replay && fault_odd(err, ok)) {
			fault_verbose(true);
			replay = true;
			fault_n--;
			continue;
		}
		if (replay)
			fault_verbose(false);
		replay = false;
	}
	return fault_report(HORNET_LOADER_NAME, fault_at_run ? "run" : "load",
			    &counts);
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
	} else if (!strcmp(m, "shared-blob") && argc == 2) {
		mode = MODE_SHARED_BLOB;
	} else if (!strcmp(m, "dump-payload") && argc == 3) {
		mode = MODE_DUMP;
		dump_path = argv[2];
	} else if (!strcmp(m, "race-dup2") || !strcmp(m, "race-dup2-files")) {
		mode = MODE_RACE_DUP2;
		parse_race_args(argc, argv);
		return race_dup2(!strcmp(m, "race-dup2-files"));
	} else if (!strcmp(m, "race-run-swap")) {
		mode = MODE_RACE_RUN_SWAP;
		parse_race_args(argc, argv);
	} else if (!strcmp(m, "skel-kernel") && argc == 2) {
		mode = MODE_SKEL_KERNEL;
	} else if (!strcmp(m, "io-uring") && argc == 2) {
		mode = MODE_IO_URING;
	} else if (!strcmp(m, "mt-run") && argc == 2) {
		mode = MODE_MT_RUN;
	} else if (!strcmp(m, "faults") && argc == 3 &&
		   (!strcmp(argv[2], "load") || !strcmp(argv[2], "run"))) {
		mode = MODE_FAULTS;
		fault_at_run = !strcmp(argv[2], "run");
	} else {
		print_help(argv[0]);
	}

	if (mode == MODE_FAULTS)
		return run_faults();
	if (mode == MODE_IO_URING) {
		err = io_uring_start_worker();
		if (err)
			return err;
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
	if (mode == MODE_SKEL_KERNEL) {
		err = skel_kernel_prepare(skel);
		if (err) {
			err = fail("find a kernel symbol in /proc/kallsyms", err);
			goto out;
		}
	}
	err = hornet_counter__load(skel);
	if (err) {
		if (verifier_log[0])
			printf("%s\n", verifier_log);
		err = fail(fail_step, err);
		goto out;
	}
	switch (mode) {
	case MODE_UPDATE_AFTER_LOAD:
		break;
	case MODE_RACE_RUN_SWAP:
	case MODE_SKEL_KERNEL:
		err = attack_status;
		break;
	case MODE_MT_RUN:
		err = mt_run(skel);
		break;
	default:
		err = count_packets(skel, packets);
	}
out:
	hornet_counter__destroy(skel);
	if (mode == MODE_IO_URING)
		io_uring_stop_worker();
	return err;
}
