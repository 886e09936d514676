// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet LSM selftests.
 *
 * Hornet checks a PKCS#7 signature appended to the executable of the task
 * that calls BPF_PROG_LOAD. Every test here therefore runs a *copy* of a
 * loader program (built and signed at build time, or crafted from the signed
 * copy at run time) and reads the verdict from the loader's exit status,
 * which is the errno of the step that failed.
 *
 * The companions (hornet_counter_loader*, hornet_counter.payload) are found
 * next to this executable; crafted copies go to a fresh directory under
 * $HORNET_TMPDIR (default /tmp). Sparse holes keep the huge copies cheap.
 */
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
#include <linux/types.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"

#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)
#define PKEY_ID_PKCS7		2
#define HORNET_SIG_MAX		65536
#define KIB			1024ULL
#define MIB			(1024 * KIB)
#define GIB			(1024 * MIB)

/* Loader exit status when it loaded and ran but counted wrongly. */
#define EXIT_MISCOUNT		250
#define PACKETS			16
/* Kernel memory a single load may leave behind (deferred frees, noise). */
#define MEM_SLACK_KB		4096
/* Time budget of each 10^4-load loop (stops early on slow kernels). */
#define LOOP_SECS		"180"
/* A huge sparse loader must not take much longer than a small one. */
#define HUGE_LOAD_MAX_SECS	10.0

#define LOADER			"hornet_counter_loader"
#define LOADER_SIGNED		LOADER ".signed"
#define LOADER_UNTRUSTED	LOADER ".untrusted"
#define PAYLOAD			"hornet_counter.payload"

#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules	461
#endif
#define LSM_ID_HORNET		114

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
	long long avail_kb;
	long long slab_kb;
	long long vmalloc_kb;
};

static bool lsm_file_lists_hornet(void)
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
static bool hornet_active(void)
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

static int exe_dir(char *dir, size_t size)
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

static int read_file(const char *path, char **bufp, size_t *lenp)
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
static int load_signed_image(const char *path, struct loader_image *img)
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

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
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

/*
 * Write an executable: @elf_len bytes of @elf, a sparse hole of @hole bytes,
 * @blob_len bytes of @blob, then @sig (if not NULL) and the magic (if
 * @magic). Returns 0 or a negative errno.
 */
static int write_crafted(const char *path, const char *elf, size_t elf_len,
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

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run @path with @argv, collecting stdout and stderr into @res->out. */
static int run_loader(const char *path, char *const argv[],
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

static int read_meminfo(struct meminfo *mi)
{
	char line[256];
	FILE *f;

	memset(mi, 0, sizeof(*mi));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "MemAvailable:", 13))
			mi->avail_kb = strtoll(line + 13, NULL, 10);
		else if (!strncmp(line, "Slab:", 5))
			mi->slab_kb = strtoll(line + 5, NULL, 10);
		else if (!strncmp(line, "VmallocUsed:", 12))
			mi->vmalloc_kb = strtoll(line + 12, NULL, 10);
	}
	fclose(f);
	return 0;
}

static void sample_meminfo(struct meminfo *mi)
{
	if (mi)
		read_meminfo(mi);
}

static const char *errname(int err)
{
	const char *name;

	if (!err)
		return "success";
	if (err == EXIT_MISCOUNT)
		return "miscount";
	name = strerrorname_np(err);
	return name ? name : "?";
}

FIXTURE(hornet) {
	char dir[1024];
	char tmp[1024];
	struct meminfo before, after;
};

static int make_tmpdir(char *tmp, size_t size)
{
	const char *base = getenv("HORNET_TMPDIR");

	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 01777);
	snprintf(tmp, size, "%s/hornet_test.XXXXXX", base);
	return mkdtemp(tmp) ? 0 : -errno;
}

static void remove_tmpdir(const char *tmp)
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
			snprintf(path, sizeof(path), "%s/%s", tmp, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmp);
}

FIXTURE_SETUP(hornet)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, make_tmpdir(self->tmp, sizeof(self->tmp)));
}

FIXTURE_TEARDOWN(hornet)
{
	remove_tmpdir(self->tmp);
}

static void companion(char *path, size_t size, const char *dir,
		      const char *name)
{
	snprintf(path, size, "%s/%s", dir, name);
}

/*
 * Run a loader with the NULL-terminated argument list that follows @path,
 * log its output, and return its exit status. Kernel memory is sampled
 * before and after into @before/@after when they are non-NULL.
 */
static int run_logged(struct __test_metadata *_metadata,
		      struct run_result *res, struct meminfo *before,
		      struct meminfo *after, const char *path, ...)
{
	char *argv[8] = { (char *)path };
	va_list ap;
	int i = 1;

	va_start(ap, path);
	while (i < 7 && (argv[i] = va_arg(ap, char *)))
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

static void expect_errno(struct __test_metadata *_metadata, int want,
			 const struct run_result *res)
{
	if (res->status != want)
		TH_LOG("expected %s (%d), got %s (%d)", errname(want), want,
		       errname(res->status), res->status);
	ASSERT_EQ(want, res->status);
}

static void log_mem(struct __test_metadata *_metadata, const char *what,
		    const struct meminfo *b, const struct meminfo *a)
{
	TH_LOG("%s: MemAvailable %lld -> %lld kB (%+lld)", what,
	       b->avail_kb, a->avail_kb, a->avail_kb - b->avail_kb);
	TH_LOG("%s: Slab %lld -> %lld kB (%+lld), VmallocUsed %lld -> %lld kB (%+lld)",
	       what, b->slab_kb, a->slab_kb, a->slab_kb - b->slab_kb,
	       b->vmalloc_kb, a->vmalloc_kb, a->vmalloc_kb - b->vmalloc_kb);
}

/* Kernel memory did not grow by more than MEM_SLACK_KB across one load. */
static void assert_mem_flat(struct __test_metadata *_metadata,
			    const struct meminfo *b, const struct meminfo *a)
{
	ASSERT_LT(b->avail_kb - a->avail_kb, MEM_SLACK_KB);
	ASSERT_LT(a->slab_kb - b->slab_kb, MEM_SLACK_KB);
	ASSERT_LT(a->vmalloc_kb - b->vmalloc_kb, MEM_SLACK_KB);
}

/* Number of BPF objects the kernel knows, walked with a GET_NEXT_ID. */
static int count_bpf_ids(int cmd)
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
static void wait_bpf_ids(int maps, int progs, int *maps_now, int *progs_now)
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

/* The signed loader loads, attaches and counts exactly PACKETS datagrams. */
TEST_F(hornet, signed_loads_and_runs)
{
	char path[PATH_MAX], want[64];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, &self->before, &self->after, path, "run",
		   "16", NULL);
	log_mem(_metadata, "signed loader", &self->before, &self->after);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "packets=%d map=%d ", PACKETS, PACKETS);
	ASSERT_NE(NULL, strstr(res.out, want));
}

/*
 * The unsigned light-skeleton loader is refused before it can load
 * anything: afterwards no map or program of it is left.
 */
TEST_F(hornet, unsigned_refused)
{
	int maps, progs, maps_after, progs_after;
	char path[PATH_MAX];
	struct run_result res;

	maps = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
	progs = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
	companion(path, sizeof(path), self->dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	ASSERT_NE(NULL, strstr(res.out, "load"));
	wait_bpf_ids(maps, progs, &maps_after, &progs_after);
	/* Earlier tests' objects may still be on their way out: <=. */
	ASSERT_LE(maps_after, maps);
	ASSERT_LE(progs_after, progs);
}

/* Every digest sign-ebpf offers verifies in the kernel. */
TEST_F(hornet, signed_sha384_loads_and_runs)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_counter_loader.sha384");
	run_logged(_metadata, &res, NULL, NULL, path, "run", "16", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, "packets=16 map=16 "));
}

TEST_F(hornet, signed_sha512_loads_and_runs)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_counter_loader.sha512");
	run_logged(_metadata, &res, NULL, NULL, path, "run", "16", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, "packets=16 map=16 "));
}

TEST_F(hornet, untrusted_key_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_UNTRUSTED);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENOKEY, &res);
}

TEST_F(hornet, flip_insn_first_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	/* The immediate of the first instruction (not an ld_imm64). */
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "flip-insn", "4", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_F(hornet, flip_insn_last_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	/* The immediate of the final exit instruction. */
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "flip-insn", "-4", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_F(hornet, flip_data_first_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "flip-data", "0", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_F(hornet, flip_data_last_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "flip-data", "-1", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

/* H10: the loader map must be frozen before BPF_PROG_LOAD. */
TEST_F(hornet, unfrozen_loader_map_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "unfrozen", NULL);
	expect_errno(_metadata, EPERM, &res);
	ASSERT_NE(NULL, strstr(res.out, "load loader prog"));
}

/* H10: once loaded, the signed map cannot be rewritten from userspace. */
TEST_F(hornet, frozen_loader_map_stays_frozen)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "update-after-load", NULL);
	expect_errno(_metadata, EPERM, &res);
	ASSERT_NE(NULL, strstr(res.out, "update loader map after load"));
}

/* H09: the payload signed at build time is what the loader passes to bpf(). */
TEST_F(hornet, payload_matches_loader)
{
	char path[PATH_MAX], dump[PATH_MAX], shipped[PATH_MAX];
	size_t dump_len, shipped_len;
	char *dump_buf, *shipped_buf;
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER);
	companion(shipped, sizeof(shipped), self->dir, PAYLOAD);
	snprintf(dump, sizeof(dump), "%s/payload", self->tmp);
	run_logged(_metadata, &res, NULL, NULL, path, "dump-payload", dump, NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_EQ(0, read_file(dump, &dump_buf, &dump_len));
	ASSERT_EQ(0, read_file(shipped, &shipped_buf, &shipped_len));
	ASSERT_EQ(shipped_len, dump_len);
	ASSERT_EQ(0, memcmp(shipped_buf, dump_buf, dump_len));
	free(dump_buf);
	free(shipped_buf);
}

/*
 * H02/H03: a trailer appended after the magic (file modified after signing)
 * means the file no longer ends in a trailer: treated as unsigned.
 */
TEST_F(hornet, bytes_after_trailer_unsigned)
{
	char path[PATH_MAX], signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	ASSERT_EQ(0, write_crafted(path, img.buf, img.len, 0, "\n", 1,
				   NULL, false));
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	free(img.buf);
}

/*
 * Crafted trailers on copies of the signed loader (hostile inputs H01-H04,
 * H12). Each copy is [ELF][hole][blob][struct module_signature][magic].
 */
enum blob_kind {
	BLOB_VALID,		/* the real PKCS#7 blob */
	BLOB_NONE,		/* no bytes at all */
	BLOB_BYTES,		/* variant->bytes */
	BLOB_GARBAGE,		/* blob_len bytes of non-DER garbage */
	BLOB_TRUNCATED,		/* the real blob, cut to blob_len bytes */
	BLOB_FLIPPED,		/* the real blob, byte flip_off inverted */
	BLOB_FILE,		/* blobs/<file>, made with openssl at build time */
};

enum sig_len_kind {
	SIG_LEN_BLOB,		/* exactly the bytes written as blob */
	SIG_LEN_FIXED,		/* variant->sig_len */
	SIG_LEN_BEFORE,		/* bytes before the trailer + sig_len */
};

FIXTURE(trailer) {
	char dir[1024];
	char tmp[1024];
	struct loader_image img;
};

FIXTURE_VARIANT(trailer) {
	enum blob_kind blob;
	const char *bytes;
	const char *file;
	__u32 blob_len;
	long flip_off;		/* < 0 counts from the end of the blob */
	enum sig_len_kind len_kind;
	long long sig_len;
	/* Total file size to reach with a hole before the blob (0: none). */
	unsigned long long file_size;
	struct hornet_sig sig;	/* template; id_type 0 means PKCS#7 */
	bool bad_id_type;	/* keep sig.id_type even when 0 */
	bool magic_only;	/* no struct module_signature, only magic */
	bool check_mem;
	int expect;
};

FIXTURE_SETUP(trailer)
{
	char path[PATH_MAX];

	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, make_tmpdir(self->tmp, sizeof(self->tmp)));
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(path, &self->img));
}

FIXTURE_TEARDOWN(trailer)
{
	remove_tmpdir(self->tmp);
	free(self->img.buf);
}

#define SIG(...) { .id_type = PKEY_ID_PKCS7, __VA_ARGS__ }

/* Control: the crafting code reproduces a loadable copy. */
FIXTURE_VARIANT_ADD(trailer, valid_copy) {
	.blob = BLOB_VALID, .expect = 0, .check_mem = true,
};

/* H01: lengths that wrap when added or subtracted. */
FIXTURE_VARIANT_ADD(trailer, sig_len_ffffff00_with_ids) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffff00,
	.sig = SIG(.signer_len = 0x80, .key_id_len = 0x80),
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_ffffff00) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffff00,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_ffffffff) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffffff,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_all_before_trailer) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_BEFORE, .sig_len = 0,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_past_start_of_file) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_BEFORE, .sig_len = 1,
	.expect = EBADMSG,
};

/* H03: magic without a struct module_signature in front of it. */
FIXTURE_VARIANT_ADD(trailer, magic_only) {
	.blob = BLOB_NONE, .magic_only = true, .expect = EBADMSG,
};

/* Every field but id_type and sig_len must be zero. */
FIXTURE_VARIANT_ADD(trailer, id_type_0) {
	.blob = BLOB_VALID, .sig = { .id_type = 0 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, id_type_1) {
	.blob = BLOB_VALID, .sig = { .id_type = 1 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, id_type_3) {
	.blob = BLOB_VALID, .sig = { .id_type = 3 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, algo_set) {
	.blob = BLOB_VALID, .sig = SIG(.algo = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, hash_set) {
	.blob = BLOB_VALID, .sig = SIG(.hash = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, signer_len_set) {
	.blob = BLOB_VALID, .sig = SIG(.signer_len = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, key_id_len_set) {
	.blob = BLOB_VALID, .sig = SIG(.key_id_len = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad0_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 1, 0, 0 }), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad1_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 0, 1, 0 }), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad2_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 0, 0, 0x80 }), .expect = EBADMSG,
};

/* H04: signature size cap, and H12: garbage PKCS#7. */
FIXTURE_VARIANT_ADD(trailer, sig_len_0) {
	.blob = BLOB_NONE, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_1_seq_tag) {
	.blob = BLOB_BYTES, .bytes = "\x30", .blob_len = 1, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_2_indefinite_seq) {
	.blob = BLOB_BYTES, .bytes = "\x30\x80", .blob_len = 2,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_4627) {
	.blob = BLOB_GARBAGE, .blob_len = 4627, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_65536) {
	.blob = BLOB_GARBAGE, .blob_len = 65536, .expect = EBADMSG,
};

/*
 * Valid signatures, padded by an embedded certificate, around the cap. The
 * kernel's ASN.1 decoder takes at most 65535 bytes (asn1_ber_decoder()
 * returns -EMSGSIZE above), so a 65536-byte blob passes the trailer check
 * but cannot be parsed: malformed.
 */
FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65535) {
	.blob = BLOB_FILE, .file = "valid_65535.der", .expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65536) {
	.blob = BLOB_FILE, .file = "valid_65536.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65537) {
	.blob = BLOB_FILE, .file = "valid_65537.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_65537) {
	.blob = BLOB_GARBAGE, .blob_len = 65537, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_16m) {
	.blob = BLOB_NONE, .len_kind = SIG_LEN_FIXED, .sig_len = 16 * MIB,
	.file_size = 20 * MIB, .check_mem = true, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_by_1) {
	.blob = BLOB_TRUNCATED, .blob_len = (__u32)-1, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_to_half) {
	.blob = BLOB_TRUNCATED, .blob_len = (__u32)-2, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_to_10) {
	.blob = BLOB_TRUNCATED, .blob_len = 10, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, flipped_outer_tag) {
	.blob = BLOB_FLIPPED, .flip_off = 0, .expect = EBADMSG,
};

/* The last bytes of the blob are the RSA signature value. */
FIXTURE_VARIANT_ADD(trailer, flipped_signature_value) {
	.blob = BLOB_FLIPPED, .flip_off = -1, .expect = EKEYREJECTED,
};

/* H12-H14: PKCS#7 that sign-ebpf would not write, made by openssl. */
FIXTURE_VARIANT_ADD(trailer, cms_signed_attributes) {
	.blob = BLOB_FILE, .file = "signed_attrs.der", .expect = EBADMSG,
};

/* eContentType digestData instead of data, trusted key, right payload. */
FIXTURE_VARIANT_ADD(trailer, cms_content_type_not_data) {
	.blob = BLOB_FILE, .file = "content_type_not_data.der",
	.expect = EBADMSG,
};

/* Not detached: the payload travels inside the message. */
FIXTURE_VARIANT_ADD(trailer, cms_embedded_content) {
	.blob = BLOB_FILE, .file = "embedded_content.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, cms_untrusted_ca_chain_embedded) {
	.blob = BLOB_FILE, .file = "untrusted_chain.der", .expect = ENOKEY,
};

/* Same issuer and serial as the trusted certificate, different key. */
FIXTURE_VARIANT_ADD(trailer, cms_impostor_issuer_serial) {
	.blob = BLOB_FILE, .file = "impostor.der", .expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(trailer, cms_sha512_digest) {
	.blob = BLOB_FILE, .file = "sha512.der", .expect = 0,
};

/* A digest the test kernel does not build (no CONFIG_CRYPTO_SHA3). */
FIXTURE_VARIANT_ADD(trailer, cms_sha3_256_digest) {
	.blob = BLOB_FILE, .file = "sha3_256.der", .expect = ENOPKG,
};

/* H02: huge sparse loaders: size must not matter. */
FIXTURE_VARIANT_ADD(trailer, sparse_1_9g_sig_len_700m) {
	.blob = BLOB_NONE, .len_kind = SIG_LEN_FIXED, .sig_len = 700000000,
	.file_size = 1900000000ULL, .check_mem = true, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sparse_1_9g_valid) {
	.blob = BLOB_VALID, .file_size = 1900000000ULL, .check_mem = true,
	.expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, sparse_over_int_max_valid) {
	.blob = BLOB_VALID, .file_size = 2 * GIB + 64 * KIB,
	.check_mem = true, .expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, sparse_over_4g_valid) {
	.blob = BLOB_VALID, .file_size = 4 * GIB + 4096 + 1,
	.check_mem = true, .expect = 0,
};

static char *make_blob(const FIXTURE_VARIANT(trailer) * v,
		       const struct loader_image *img, const char *dir,
		       size_t *len)
{
	char path[PATH_MAX];
	size_t n = 0, i;
	char *blob;
	long off;

	if (v->blob == BLOB_FILE) {
		snprintf(path, sizeof(path), "%s/blobs/%s", dir, v->file);
		return read_file(path, &blob, len) ? NULL : blob;
	}

	switch (v->blob) {
	case BLOB_NONE:
		n = 0;
		break;
	case BLOB_VALID:
	case BLOB_FLIPPED:
		n = img->blob_len;
		break;
	case BLOB_TRUNCATED:
		if (v->blob_len == (__u32)-1)
			n = img->blob_len - 1;
		else if (v->blob_len == (__u32)-2)
			n = img->blob_len / 2;
		else
			n = v->blob_len;
		break;
	case BLOB_BYTES:
	case BLOB_GARBAGE:
		n = v->blob_len;
		break;
	case BLOB_FILE:
		break;
	}
	blob = malloc(n ? n : 1);
	if (!blob)
		return NULL;
	switch (v->blob) {
	case BLOB_BYTES:
		memcpy(blob, v->bytes, n);
		break;
	case BLOB_GARBAGE:
		/* Deterministic, and never a valid DER tag up front. */
		for (i = 0; i < n; i++)
			blob[i] = (char)(0xa5 ^ (i * 131));
		blob[0] = (char)0xff;
		break;
	case BLOB_FLIPPED:
		memcpy(blob, img->blob, n);
		off = v->flip_off < 0 ? (long)n + v->flip_off : v->flip_off;
		blob[off] ^= 0xff;
		break;
	default:
		memcpy(blob, img->blob, n);
		break;
	}
	*len = n;
	return blob;
}

TEST_F_TIMEOUT(trailer, load, 180)
{
	struct meminfo before, after;
	unsigned long long before_trailer;
	struct hornet_sig sig = variant->sig;
	char path[PATH_MAX];
	struct run_result res;
	size_t blob_len = 0;
	off_t hole = 0;
	char *blob;

	blob = make_blob(variant, &self->img, self->dir, &blob_len);
	ASSERT_NE(NULL, blob);
	if (!variant->bad_id_type && !sig.id_type)
		sig.id_type = PKEY_ID_PKCS7;
	if (variant->file_size)
		hole = variant->file_size - self->img.elf_len - blob_len -
		       TRAILER_FIXED;
	before_trailer = self->img.elf_len + hole + blob_len;
	switch (variant->len_kind) {
	case SIG_LEN_BLOB:
		sig.sig_len = htonl(blob_len);
		break;
	case SIG_LEN_FIXED:
		sig.sig_len = htonl((__u32)variant->sig_len);
		break;
	case SIG_LEN_BEFORE:
		sig.sig_len = htonl((__u32)(before_trailer + variant->sig_len));
		break;
	}

	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	ASSERT_EQ(0, write_crafted(path, self->img.buf, self->img.elf_len, hole,
				   blob, blob_len,
				   variant->magic_only ? NULL : &sig, true));
	free(blob);
	TH_LOG("crafted: %llu bytes before trailer (hole %lld), blob %zu, sig_len %u, id_type %u",
	       before_trailer, (long long)hole, blob_len, ntohl(sig.sig_len),
	       sig.id_type);

	run_logged(_metadata, &res, &before, &after, path, "run", NULL);
	log_mem(_metadata, "crafted loader", &before, &after);
	expect_errno(_metadata, variant->expect, &res);
	if (variant->check_mem) {
		assert_mem_flat(_metadata, &before, &after);
		ASSERT_LT(res.secs, HUGE_LOAD_MAX_SECS);
	}
}

/* Write the signed loader's ELF with @blob as its signature; run it. */
static int run_with_blob(struct __test_metadata *_metadata,
			 FIXTURE_DATA(hornet) * self,
			 const struct loader_image *img, const char *blob,
			 __u32 len, struct run_result *res)
{
	struct hornet_sig sig = { .id_type = PKEY_ID_PKCS7 };
	char path[PATH_MAX], run[] = "run";
	char *argv[3] = { path, run, NULL };

	sig.sig_len = htonl(len);
	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	if (write_crafted(path, img->buf, img->elf_len, 0, blob, len, &sig,
			  true))
		return -1;
	if (run_loader(path, argv, res))
		return -1;
	return res->status;
}

/* H12: every truncation of the valid PKCS#7 blob is malformed. */
TEST_F_TIMEOUT(hornet, every_truncation_malformed, 600)
{
	char signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;
	__u32 n, bad = 0;
	int status;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	for (n = 0; n < img.blob_len; n++) {
		status = run_with_blob(_metadata, self, &img, img.blob, n, &res);
		if (status != EBADMSG) {
			TH_LOG("blob cut to %u of %u bytes: exit %d (%s): %s",
			       n, img.blob_len, status, errname(status),
			       res.out);
			bad++;
		}
	}
	TH_LOG("%u truncations tried, %u not EBADMSG", img.blob_len, bad);
	free(img.buf);
	ASSERT_EQ(0, bad);
}

/*
 * H12: every byte of the valid blob inverted in turn. The answer must be
 * one of the documented refusals; a change that leaves the signature valid
 * (a byte the kernel does not use) may load, and is logged.
 */
TEST_F_TIMEOUT(hornet, every_byte_flip_refused_or_harmless, 600)
{
	__u32 n, counts[5] = { 0 }, other = 0;
	char signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;
	char *blob;
	int status;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	blob = malloc(img.blob_len);
	ASSERT_NE(NULL, blob);
	for (n = 0; n < img.blob_len; n++) {
		memcpy(blob, img.blob, img.blob_len);
		blob[n] ^= 0xff;
		status = run_with_blob(_metadata, self, &img, blob,
				       img.blob_len, &res);
		switch (status) {
		case 0:
			TH_LOG("byte %u inverted: still loads", n);
			counts[0]++;
			break;
		case EBADMSG:
			counts[1]++;
			break;
		case EKEYREJECTED:
			counts[2]++;
			break;
		case ENOKEY:
			counts[3]++;
			break;
		case ENOPKG:
			counts[4]++;
			break;
		default:
			TH_LOG("byte %u inverted: exit %d (%s): %s", n, status,
			       errname(status), res.out);
			other++;
		}
	}
	TH_LOG("%u flips: %u load, %u EBADMSG, %u EKEYREJECTED, %u ENOKEY, %u ENOPKG, %u other",
	       img.blob_len, counts[0], counts[1], counts[2], counts[3],
	       counts[4], other);
	free(blob);
	free(img.buf);
	ASSERT_EQ(0, other);
}

/*
 * Issue-2 acceptance: the signed loader padded to 1 GiB with a hole, its
 * trailer moved to the new end, still loads, and kernel memory stays flat.
 */
TEST_F_TIMEOUT(hornet, padded_1g_accepted, 120)
{
	char signed_path[PATH_MAX], path[PATH_MAX], want[64];
	struct loader_image img;
	struct run_result res;
	size_t trailer_len;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	trailer_len = img.len - img.elf_len;
	snprintf(path, sizeof(path), "%s/loader.1g", self->tmp);
	ASSERT_EQ(0, write_crafted(path, img.buf, img.elf_len, GIB,
				   img.blob, trailer_len, NULL, false));
	run_logged(_metadata, &res, &self->before, &self->after, path, "run",
		   "16", NULL);
	log_mem(_metadata, "1 GiB loader", &self->before, &self->after);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "packets=%d map=%d ", PACKETS, PACKETS);
	ASSERT_NE(NULL, strstr(res.out, want));
	assert_mem_flat(_metadata, &self->before, &self->after);
	ASSERT_LT(res.secs, HUGE_LOAD_MAX_SECS);
	free(img.buf);
}

/*
 * A program from the kernel tree (selftests/bpf/progs/atomics.c, a light
 * skeleton upstream too): signed it loads and runs, tampered it does not.
 */
TEST_F(hornet, tree_atomics_signed_runs)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_atomics_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, ": ok: "));
}

TEST_F(hornet, tree_atomics_unsigned_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_atomics_loader");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
}

TEST_F(hornet, tree_atomics_flip_insn_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_atomics_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "flip-insn", "-4", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_F(hornet, tree_atomics_flip_data_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_atomics_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "flip-data", "0", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

/*
 * A second program from the kernel tree (selftests/bpf/progs/test_ringbuf.c,
 * a light skeleton upstream too): fentry plus a ring buffer. Attaching
 * fentry needs kernel BTF; the refusals happen before that.
 */
TEST_F(hornet, tree_ringbuf_signed_runs)
{
	char path[PATH_MAX];
	struct run_result res;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP(return, "kernel without BTF (CONFIG_DEBUG_INFO_BTF)");
	companion(path, sizeof(path), self->dir, "hornet_ringbuf_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, ": ok: "));
}

TEST_F(hornet, tree_ringbuf_unsigned_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_ringbuf_loader");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
}

TEST_F(hornet, tree_ringbuf_flip_insn_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_ringbuf_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "flip-insn", "4", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_F(hornet, tree_ringbuf_flip_data_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_ringbuf_loader.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "flip-data", "-1", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

/*
 * Hand-built programs (hornet_raw_loader): every map-reference form, index
 * edge cases, map types and malformed references (H05-H08, H10). Each case
 * runs from raw/<case>.signed, signed at build time over that case's payload.
 */
FIXTURE(raw) {
	char dir[1024];
};

FIXTURE_VARIANT(raw) {
	const char *name;
	int expect;
	const char *step;	/* if set, the step that must have failed */
};

FIXTURE_SETUP(raw)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(raw)
{
}

/* H06: each BPF_LD_IMM64 form, alone and mixed. */
FIXTURE_VARIANT_ADD(raw, no_maps) {
	.name = "no_maps", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, map_fd) {
	.name = "map_fd", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, map_value) {
	.name = "map_value", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, map_idx) {
	.name = "map_idx", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, map_idx_value) {
	.name = "map_idx_value", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, mixed_fd_idx) {
	.name = "mixed_fd_idx", .expect = 0,
};

/* H07: index edge cases. */
FIXTURE_VARIANT_ADD(raw, same_idx_thrice) {
	.name = "same_idx_thrice", .expect = 0,
};

/*
 * One map behind two references: refused, as the verifier resolves every
 * reference again and could swap them.
 */
FIXTURE_VARIANT_ADD(raw, same_map_idx_and_fd) {
	.name = "same_map_idx_and_fd", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, idx0_is_not_fd0) {
	.name = "idx0_is_not_fd0", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, map_on_fd0) {
	.name = "map_on_fd0", .expect = 0,
};

/*
 * 64 fd_array indexes that all name one map: refused as two references to
 * one map (the 64-distinct-map limit itself is a KUnit case).
 */
FIXTURE_VARIANT_ADD(raw, idx64_one_map) {
	.name = "idx64_one_map", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, too_many_maps_65) {
	.name = "too_many_maps_65", .expect = E2BIG,
};

FIXTURE_VARIANT_ADD(raw, idx_0x80000001) {
	.name = "idx_0x80000001", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, idx_65536) {
	.name = "idx_65536", .expect = E2BIG,
};

FIXTURE_VARIANT_ADD(raw, payload_over_16m) {
	.name = "payload_over_16m", .expect = E2BIG,
};

/* H08: all of a map, and only plain arrays. */
FIXTURE_VARIANT_ADD(raw, two_elements) {
	.name = "two_elements", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, two_elements_changed) {
	.name = "two_elements_changed", .expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(raw, hash_map) {
	.name = "hash_map", .expect = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(raw, percpu_array) {
	.name = "percpu_array", .expect = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(raw, ringbuf) {
	.name = "ringbuf", .expect = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(raw, prog_array) {
	.name = "prog_array", .expect = EOPNOTSUPP,
};

/* Review point 7: a racing fd_array never binds an unsigned map. */
TEST_F_TIMEOUT(hornet, fd_array_race, 300)
{
	char path[PATH_MAX];
	struct run_result res;

	snprintf(path, sizeof(path), "%s/raw/fd_array_race.signed", self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "fd_array_race", "2000",
		   NULL);
	expect_errno(_metadata, 0, &res);
}

FIXTURE_VARIANT_ADD(raw, array_with_spin_lock) {
	.name = "array_with_spin_lock", .expect = EOPNOTSUPP,
};

/* H11: frozen map written by the signed program itself, then run again. */
FIXTURE_VARIANT_ADD(raw, map_written_by_program) {
	.name = "map_written_by_program", .expect = EKEYREJECTED,
	.step = "run 2 of the program",
};

/* Writable pages of a mmapable array survive the freeze. */
FIXTURE_VARIANT_ADD(raw, mmapable_array) {
	.name = "mmapable_array", .expect = EOPNOTSUPP,
};

/* The second BPF_PROG_RUN of a program with signed maps is refused. */
FIXTURE_VARIANT_ADD(raw, run_twice) {
	.name = "run_twice", .expect = EKEYREJECTED,
};

/* H10: unfrozen map. */
FIXTURE_VARIANT_ADD(raw, unfrozen_array) {
	.name = "unfrozen_array", .expect = EPERM,
};

/* H05 and the errno table: references that name no map, bad streams. */
FIXTURE_VARIANT_ADD(raw, closed_fd) {
	.name = "closed_fd", .expect = EBADF,
};

FIXTURE_VARIANT_ADD(raw, pipe_fd) {
	.name = "pipe_fd", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, idx_without_fd_array) {
	.name = "idx_without_fd_array", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, fd_array_unreadable) {
	.name = "fd_array_unreadable", .expect = EFAULT,
};

FIXTURE_VARIANT_ADD(raw, truncated_ld_imm64) {
	.name = "truncated_ld_imm64", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(raw, unknown_src_reg) {
	.name = "unknown_src_reg", .expect = EINVAL,
};

TEST_F(raw, load)
{
	char path[PATH_MAX];
	struct run_result res;

	snprintf(path, sizeof(path), "%s/raw/%s.signed", self->dir,
		 variant->name);
	run_logged(_metadata, &res, NULL, NULL, path, variant->name, NULL);
	expect_errno(_metadata, variant->expect, &res);
	if (variant->step)
		ASSERT_NE(NULL, strstr(res.out, variant->step));
}

/* An unsigned program that references nothing is still refused. */
TEST_F(hornet, raw_unsigned_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_raw_loader");
	run_logged(_metadata, &res, NULL, NULL, path, "no_maps", NULL);
	expect_errno(_metadata, ENODATA, &res);
}

/*
 * H05: many accepted and refused checks leave kernel memory flat, and
 * every map and program is gone once the loader has exited.
 */
static void loop_loads(struct __test_metadata *_metadata,
		       FIXTURE_DATA(hornet) * self, const char *name,
		       int expect)
{
	char path[PATH_MAX], loops[16];
	const char *env = getenv("HORNET_LOOPS");
	int maps, progs, maps_after, progs_after;
	struct run_result res;

	snprintf(loops, sizeof(loops), "%s", env && *env ? env : "10000");
	maps = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
	progs = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
	snprintf(path, sizeof(path), "%s/raw/%s.signed", self->dir, name);
	/* Warm up caches so that the measured run starts from steady state. */
	run_logged(_metadata, &res, NULL, NULL, path, name, "10", NULL);
	expect_errno(_metadata, expect, &res);
	/* A debug (KASAN) kernel is much slower: stop after LOOP_SECS. */
	run_logged(_metadata, &res, &self->before, &self->after, path, name,
		   loops, LOOP_SECS, NULL);
	log_mem(_metadata, name, &self->before, &self->after);
	expect_errno(_metadata, expect, &res);
	assert_mem_flat(_metadata, &self->before, &self->after);
	wait_bpf_ids(maps, progs, &maps_after, &progs_after);
	TH_LOG("%s: BPF maps %d -> %d, programs %d -> %d", name, maps,
	       maps_after, progs, progs_after);
	/* Earlier tests' objects may still be on their way out: <=. */
	ASSERT_LE(maps_after, maps);
	ASSERT_LE(progs_after, progs);
}

TEST_F_TIMEOUT(hornet, loop_accepted_loads, 600)
{
	loop_loads(_metadata, self, "map_fd", 0);
}

TEST_F_TIMEOUT(hornet, loop_refused_loads, 600)
{
	loop_loads(_metadata, self, "two_elements_changed", EKEYREJECTED);
}

TEST_HARNESS_MAIN
