/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the Hornet selftests: finding the loaders next to the test,
 * running them and reading their verdict, crafting copies of signed
 * loaders, and sampling kernel memory and BPF object counts.
 */
#ifndef HORNET_SELFTEST_COMMON_H
#define HORNET_SELFTEST_COMMON_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/lsm.h>
#include <linux/types.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "hornet_util.h"

#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)
#define PKEY_ID_PKCS7		2
#define HORNET_SIG_MAX		65536
#define KIB			1024ULL
#define MIB			(1024 * KIB)
#define GIB			(1024 * MIB)

/* Loader exit status when it loaded and ran but counted wrongly. */
#define EXIT_MISCOUNT		250
/* hornet_counter_loader's attack modes (see there). */
#define EXIT_LEAKED		251
#define EXIT_FOREIGN		252
#define EXIT_RERUN		253
#define EXIT_UNEXPECTED		254
/* A frozen array was rewritten through a map element iterator. */
#define EXIT_WROTE		249
#define PACKETS			16
/*
 * RACE_TRIES, RACE_FILES_TRIES and the loops' count can be lowered from the
 * environment (HORNET_RACE_TRIES, HORNET_RACE_FILES_TRIES, HORNET_LOOPS):
 * lab/init does on the debug kernel, where each iteration costs ~10x.
 */
static inline const char *hornet_count(const char *env, const char *dflt)
{
	const char *v = getenv(env);

	return v && *v ? v : dflt;
}

/* Kernel memory a single load may leave behind (deferred frees, noise). */
#define MEM_SLACK_KB		4096
/* Time budget of each 10^4-load loop (stops early on slow kernels). */
#define LOOP_SECS		"180"
/* Tries of each race, and a budget that only a hung kernel reaches. */
#define RACE_TRIES		"10000"
/* The same race from a process sharing the descriptor table. */
#define RACE_FILES_TRIES	"2000"
#define RACE_SECS		"480"
/* A huge sparse loader must not take much longer than a small one. */
#define HUGE_LOAD_MAX_SECS	10.0

#define LOADER			"hornet_counter_loader"
#define LOADER_SIGNED		LOADER ".signed"
#define LOADER_UNTRUSTED	LOADER ".untrusted"
#define PAYLOAD			"hornet_counter.payload"

#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules	461
#endif

/* struct module_signature, as appended by sign-ebpf. */
struct hornet_sig {
	__u8 algo;
	__u8 hash;
	__u8 id_type;
	__u8 signer_len;
	__u8 key_id_len;
	__u8 pad[3];
	__be32 sig_len;
};

#define TRAILER_FIXED	(sizeof(struct hornet_sig) + HORNET_MAGIC_LEN)

struct loader_image {
	char *buf;		/* whole signed loader */
	size_t len;
	size_t elf_len;		/* bytes before the PKCS#7 blob */
	const char *blob;	/* PKCS#7 DER inside buf */
	__u32 blob_len;
};

struct run_result {
	int status;		/* exit status, or 128 + signal */
	char out[4096];
	double secs;
};

struct meminfo {
	long long total_kb;
	long long avail_kb;
	long long slab_kb;
	long long vmalloc_kb;
};

static inline bool lsm_file_lists_hornet(void)
{
	char buf[4096], *tok, *save;
	ssize_t n;
	int fd;

	fd = open("/sys/kernel/security/lsm", O_RDONLY);
	if (fd < 0 && errno == ENOENT &&
	    !mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL))
		fd = open("/sys/kernel/security/lsm", O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, "hornet"))
			return true;
	return false;
}

/* Is Hornet active? The securityfs list first, lsm_list_modules() second. */
static inline bool hornet_active(void)
{
	__u64 ids[64];
	__u32 size = sizeof(ids);
	long i, n;

	if (lsm_file_lists_hornet())
		return true;
	n = syscall(__NR_lsm_list_modules, ids, &size, 0);
	for (i = 0; i < n; i++)
		if (ids[i] == LSM_ID_HORNET)
			return true;
	return false;
}

static inline int exe_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 1);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

static inline int read_file(const char *path, char **bufp, size_t *lenp)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return -EIO;
	}
	*bufp = buf;
	*lenp = got;
	return 0;
}

/* Split a signed loader into ELF, PKCS#7 blob and fixed trailer. */
static inline int load_signed_image(const char *path, struct loader_image *img)
{
	struct hornet_sig sig;
	size_t tail;
	int err;

	memset(img, 0, sizeof(*img));
	err = read_file(path, &img->buf, &img->len);
	if (err)
		return err;
	if (img->len < TRAILER_FIXED ||
	    memcmp(img->buf + img->len - HORNET_MAGIC_LEN, HORNET_MAGIC,
		   HORNET_MAGIC_LEN))
		return -ENODATA;
	tail = img->len - TRAILER_FIXED;
	memcpy(&sig, img->buf + tail, sizeof(sig));
	img->blob_len = ntohl(sig.sig_len);
	if (sig.id_type != PKEY_ID_PKCS7 || img->blob_len > tail)
		return -EBADMSG;
	img->elf_len = tail - img->blob_len;
	img->blob = img->buf + img->elf_len;
	return 0;
}

/*
 * Write an executable: @elf_len bytes of @elf, a sparse hole of @hole bytes,
 * @blob_len bytes of @blob, then @sig (if not NULL) and the magic (if
 * @magic). Returns 0 or a negative errno.
 */
static inline int write_crafted(const char *path, const char *elf, size_t elf_len,
				off_t hole, const void *blob, size_t blob_len,
				const struct hornet_sig *sig, bool magic)
{
	int fd, err;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (fd < 0)
		return -errno;
	err = write_all(fd, elf, elf_len);
	if (!err && hole) {
		if (ftruncate(fd, elf_len + hole) ||
		    lseek(fd, 0, SEEK_END) < 0)
			err = -errno;
	}
	if (!err && blob_len)
		err = write_all(fd, blob, blob_len);
	if (!err && sig)
		err = write_all(fd, sig, sizeof(*sig));
	if (!err && magic)
		err = write_all(fd, HORNET_MAGIC, HORNET_MAGIC_LEN);
	/* Executing a file that is still open for writing fails (ETXTBSY). */
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static inline double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run @path with @argv, collecting stdout and stderr into @res->out. */
static inline int run_loader(const char *path, char *const argv[],
			     struct run_result *res)
{
	size_t got = 0;
	int pipefd[2], status;
	double start;
	ssize_t n;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe(pipefd))
		return -errno;
	start = now_secs();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(path, argv);
		printf("exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		n = read(pipefd[0], res->out + got, sizeof(res->out) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (got == sizeof(res->out) - 1)
			break;
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	res->secs = now_secs() - start;
	res->out[got] = '\0';
	if (got && res->out[got - 1] == '\n')
		res->out[got - 1] = '\0';
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else
		res->status = 128 + WTERMSIG(status);
	return 0;
}

static inline int read_meminfo(struct meminfo *mi)
{
	char line[256];
	FILE *f;

	memset(mi, 0, sizeof(*mi));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "MemTotal:", 9))
			mi->total_kb = strtoll(line + 9, NULL, 10);
		else if (!strncmp(line, "MemAvailable:", 13))
			mi->avail_kb = strtoll(line + 13, NULL, 10);
		else if (!strncmp(line, "Slab:", 5))
			mi->slab_kb = strtoll(line + 5, NULL, 10);
		else if (!strncmp(line, "VmallocUsed:", 12))
			mi->vmalloc_kb = strtoll(line + 12, NULL, 10);
	}
	fclose(f);
	return 0;
}

static inline void sample_meminfo(struct meminfo *mi)
{
	if (mi)
		read_meminfo(mi);
}

static inline const char *errname(int err)
{
	const char *name;

	if (!err)
		return "success";
	switch (err) {
	case EXIT_MISCOUNT:
		return "miscount";
	case EXIT_LEAKED:
		return "kernel memory leaked";
	case EXIT_FOREIGN:
		return "foreign map bound";
	case EXIT_RERUN:
		return "loader ran again";
	case EXIT_UNEXPECTED:
		return "unexpected errno";
	case EXIT_WROTE:
		return "frozen map written";
	}
	name = strerrorname_np(err);
	return name ? name : "?";
}

static inline int make_tmpdir(char *tmp, size_t size)
{
	const char *base = getenv("HORNET_TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 01777);
	snprintf(tmp, size, "%s/hornet_selftest.XXXXXX", base);
	return mkdtemp(tmp) ? 0 : -errno;
}

static inline void remove_tmpdir(const char *tmp)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!tmp[0])
		return;
	d = opendir(tmp);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", tmp,
				     de->d_name) < (int)sizeof(path))
				unlink(path);
		}
		closedir(d);
	}
	rmdir(tmp);
}

static inline void companion(char *path, size_t size, const char *dir,
			     const char *name)
{
	snprintf(path, size, "%s/%s", dir, name);
}

/*
 * Run a loader with the NULL-terminated argument list that follows @path,
 * log its output, and return its exit status. Kernel memory is sampled
 * before and after into @before/@after when they are non-NULL.
 */
static inline int run_logged(struct __test_metadata *_metadata,
			     struct run_result *res, struct meminfo *before,
			     struct meminfo *after, const char *path, ...)
{
	char *argv[10] = { (char *)path };
	va_list ap;
	int i = 1;

	va_start(ap, path);
	while (i < 9 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;

	sample_meminfo(before);
	ASSERT_EQ(0, run_loader(path, argv, res));
	sample_meminfo(after);
	TH_LOG("%s: exit %d (%s) in %.3fs: %s", path, res->status,
	       errname(res->status), res->secs, res->out);
	return res->status;
}

static inline void expect_errno(struct __test_metadata *_metadata, int want,
				const struct run_result *res)
{
	if (res->status != want)
		TH_LOG("expected %s (%d), got %s (%d)", errname(want), want,
		       errname(res->status), res->status);
	ASSERT_EQ(want, res->status);
}

/*
 * A race needs two CPUs: with one (and PREEMPT_NONE) nothing interleaves
 * in the kernel, and a race that cannot happen would pass. Fail, not skip.
 */
static inline void require_two_cpus(struct __test_metadata *_metadata)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 2)
		TH_LOG("%ld online CPU(s): a race test needs 2 (QEMU: -smp 2,sockets=2)",
		       cpus);
	ASSERT_LE(2, cpus);
}

static inline void log_mem(struct __test_metadata *_metadata, const char *what,
			   const struct meminfo *b, const struct meminfo *a)
{
	TH_LOG("%s: MemAvailable %lld -> %lld kB (%+lld)", what,
	       b->avail_kb, a->avail_kb, a->avail_kb - b->avail_kb);
	TH_LOG("%s: Slab %lld -> %lld kB (%+lld), VmallocUsed %lld -> %lld kB (%+lld)",
	       what, b->slab_kb, a->slab_kb, a->slab_kb - b->slab_kb,
	       b->vmalloc_kb, a->vmalloc_kb, a->vmalloc_kb - b->vmalloc_kb);
}

/*
 * The slack for assert_mem_flat(): MEM_SLACK_KB, or on a KASAN kernel
 * (lab/qemu.sh passes kasan.fault=panic) its quarantine's share of memory,
 * 1/32 of it: freed objects wait there, so MemAvailable and Slab drift
 * down and up without a leak. kmemleak finds leaks on that kernel.
 */
static inline long long mem_slack_kb(void)
{
	char cmdline[4096] = "";
	struct meminfo mi;
	FILE *f;

	f = fopen("/proc/cmdline", "re");
	if (!f)
		return MEM_SLACK_KB;
	if (!fgets(cmdline, sizeof(cmdline), f))
		cmdline[0] = '\0';
	fclose(f);
	if (!strstr(cmdline, "kasan.") || read_meminfo(&mi))
		return MEM_SLACK_KB;
	return MEM_SLACK_KB + mi.total_kb / 32;
}

static inline bool mem_grew(const struct meminfo *b, const struct meminfo *a,
			    long long slack)
{
	return b->avail_kb - a->avail_kb >= slack ||
	       a->slab_kb - b->slab_kb >= slack ||
	       a->vmalloc_kb - b->vmalloc_kb >= slack;
}

/*
 * Kernel memory did not grow by more than mem_slack_kb() across one load.
 * A freed program or map returns to the allocator only after an RCU grace
 * period and a work item, so growth beyond the slack is read again for up
 * to 2 s before it counts: a leak stays, a deferred free does not.
 */
static inline void assert_mem_flat(struct __test_metadata *_metadata,
				   const struct meminfo *b, const struct meminfo *a)
{
	long long slack = mem_slack_kb();
	struct meminfo now = *a;
	int tries;

	for (tries = 0; tries < 20 && mem_grew(b, &now, slack); tries++) {
		usleep(100 * 1000);
		if (read_meminfo(&now))
			break;
	}
	if (tries)
		log_mem(_metadata, "read again after settling", b, &now);
	ASSERT_LT(b->avail_kb - now.avail_kb, slack);
	ASSERT_LT(now.slab_kb - b->slab_kb, slack);
	ASSERT_LT(now.vmalloc_kb - b->vmalloc_kb, slack);
}

/* Number of BPF objects the kernel knows, walked with a GET_NEXT_ID. */
static inline int count_bpf_ids(int cmd)
{
	union bpf_attr attr;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (syscall(__NR_bpf, cmd, &attr, sizeof(attr)))
			return n;
		id = attr.next_id;
		n++;
	}
}

/* Wait (up to 5 s) for deferred frees to bring the counts back to @maps/@progs. */
static inline void wait_bpf_ids(int maps, int progs, int *maps_now, int *progs_now)
{
	int i;

	for (i = 0; i < 50; i++) {
		*maps_now = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
		*progs_now = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
		if (*maps_now <= maps && *progs_now <= progs)
			return;
		usleep(100000);
	}
}

/* The serial of .secondary_trusted_keys, or -1 or a negative errno. */
static inline long secondary_keyring(void)
{
	char line[256];
	long serial = -1;
	FILE *f;

	f = fopen("/proc/keys", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " .secondary_trusted_keys:"))
			serial = strtol(line, NULL, 16);
	fclose(f);
	return serial;
}

/* Add the DER certificate keys/@name to @keyring; 0 or a negative errno. */
static inline long add_cert(const char *dir, const char *name, long keyring)
{
	char path[PATH_MAX], *der = NULL;
	size_t len = 0;
	long key;
	int err;

	snprintf(path, sizeof(path), "%s/keys/%s", dir, name);
	err = read_file(path, &der, &len);
	if (err)
		return err;
	key = syscall(__NR_add_key, "asymmetric", "", der, len, keyring);
	free(der);
	return key < 0 ? -errno : 0;
}

#endif /* HORNET_SELFTEST_COMMON_H */
