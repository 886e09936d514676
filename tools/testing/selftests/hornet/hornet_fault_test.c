// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet fault-injection selftests, for a kernel with CONFIG_FAULT_INJECTION,
 * FAILSLAB, FAIL_PAGE_ALLOC and FAIL_FUNCTION (lab/debug.config): Hornet's
 * own failures, taken on purpose.
 *
 * Each variant makes a signed (or unsigned) loader fail the N-th fault site
 * of one of its system calls, for N = 1, 2, ... until the call passes
 * without a fault (hornet_fault.h, /proc/thread-self/fail-nth), and expects
 * every call to succeed and work, or to fail with ENOMEM or EIO; a load
 * refused without a fault must never be accepted under one. The sites are
 * slab and page allocations (including GFP_KERNEL ones, which fault
 * injection skips by default) or the reads of the executable in
 * hornet_read_exe() (EIO, ENOMEM, or a read that comes up short). Only the
 * loader's own thread is affected: fail-nth is per thread, and every
 * injection's probability stays 0. Afterwards no map or program is left.
 *
 * On a kernel without fault injection every test fails: they cannot pass
 * by not running.
 */
#include "common.h"

#include <sys/mount.h>

#define DEBUGFS		"/sys/kernel/debug"
#define FAILSLAB	DEBUGFS "/failslab/"
#define FAIL_PAGE	DEBUGFS "/fail_page_alloc/"
#define FAIL_FUNC	DEBUGFS "/fail_function/"
#define READ_FN		"hornet_read_exe"

enum fault_sites {
	SITES_ALLOC,		/* slab and page allocations */
	SITES_READ_EIO,		/* hornet_read_exe() returns -EIO */
	SITES_READ_ENOMEM,	/* hornet_read_exe() returns -ENOMEM */
	SITES_READ_SHORT,	/* hornet_read_exe() reads 0 bytes */
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = -errno;
	close(fd);
	return err;
}

/* Which sites count for fail-nth; 0 or a negative errno. */
static int set_sites(enum fault_sites sites)
{
	const char *wait = sites == SITES_ALLOC ? "N" : "Y";
	char retval[32];
	int err = 0;

	/* Probability 0: nothing fails except through fail-nth. */
	err = err ?: write_str(FAILSLAB "probability", "0");
	err = err ?: write_str(FAILSLAB "task-filter", "Y");
	err = err ?: write_str(FAILSLAB "verbose", "0");
	err = err ?: write_str(FAILSLAB "ignore-gfp-wait", wait);
	err = err ?: write_str(FAIL_PAGE "probability", "0");
	err = err ?: write_str(FAIL_PAGE "task-filter", "Y");
	err = err ?: write_str(FAIL_PAGE "verbose", "0");
	err = err ?: write_str(FAIL_PAGE "ignore-gfp-wait", wait);
	err = err ?: write_str(FAIL_PAGE "ignore-gfp-highmem", "N");
	err = err ?: write_str(FAIL_PAGE "min-order", "0");
	err = err ?: write_str(FAIL_FUNC "probability", "0");
	err = err ?: write_str(FAIL_FUNC "task-filter", "Y");
	err = err ?: write_str(FAIL_FUNC "verbose", "0");
	/* An empty line clears the list of injected functions. */
	err = err ?: write_str(FAIL_FUNC "inject", "\n");
	if (err || sites == SITES_ALLOC)
		return err;
	/* A handful of sites: the console names each (verbose 2, stack). */
	err = err ?: write_str(FAILSLAB "verbose", "2");
	err = err ?: write_str(FAIL_PAGE "verbose", "2");
	err = err ?: write_str(FAIL_FUNC "verbose", "2");
	err = write_str(FAIL_FUNC "inject", READ_FN);
	snprintf(retval, sizeof(retval), "%llu",
		 sites == SITES_READ_EIO ? (unsigned long long)-EIO :
		 sites == SITES_READ_ENOMEM ? (unsigned long long)-ENOMEM : 0ULL);
	return err ?: write_str(FAIL_FUNC READ_FN "/retval", retval);
}

/* The count after "NAME=" in the loader's fault report, or 0. */
static unsigned int outcome(const char *out, const char *name)
{
	char key[32];
	const char *p;

	p = strstr(out, " sites: ");
	if (!p)
		return 0;
	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(p, key);
	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

FIXTURE(fault) {
	char dir[1024];
	int maps, progs;
};

FIXTURE_VARIANT(fault) {
	const char *loader;	/* companion in the test's directory */
	const char *args[3];
	/* A certificate (keys/) that joins .secondary_trusted_keys first. */
	const char *cert;
	/*
	 * The RSA signature instance (/proc/crypto) that the kernel must not
	 * have set up yet in this boot, e.g. "(rsa,sha384)"; see
	 * revoked_cold_load_allocs.
	 */
	const char *cold;
	enum fault_sites sites;
	/*
	 * ENOMEM refusals expected: exactly (>= 0), at least one (-1), any
	 * (-2); EIO: at least this many (one per read of the executable:
	 * the order of the sites varies with slab refills, so a read can be
	 * the N-th site for two values of N).
	 */
	int enomem, eio;
};

/* Does /proc/crypto list an algorithm whose name contains @what? */
static bool crypto_has(const char *what)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return true;	/* cannot tell: treat as set up */
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "name", 4) && strstr(line, what);
	fclose(f);
	return found;
}

FIXTURE_SETUP(fault)
{
	/* Run on purpose, on the debug kernel: fail, do not skip. */
	ASSERT_TRUE(hornet_active());
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
		TH_LOG("mount debugfs: %s", strerror(errno));
	if (access("/proc/thread-self/fail-nth", W_OK) ||
	    access(FAILSLAB "ignore-gfp-wait", W_OK) ||
	    access(FAIL_PAGE "ignore-gfp-wait", W_OK) ||
	    access(FAIL_FUNC "inject", W_OK))
		TH_LOG("no fail-nth, failslab, fail_page_alloc or %s",
		       "fail_function in this kernel (lab/debug.config)");
	ASSERT_EQ(0, access("/proc/thread-self/fail-nth", W_OK));
	if (variant->cold) {
		bool set_up = crypto_has(variant->cold);

		if (set_up)
			TH_LOG("%s is set up already: run this test first in its boot",
			       variant->cold);
		ASSERT_FALSE(set_up);
	}
	if (variant->cert)
		ASSERT_EQ(0, add_cert(self->dir, variant->cert,
				      secondary_keyring()));
	ASSERT_EQ(0, set_sites(variant->sites));
	self->maps = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
	self->progs = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
}

FIXTURE_TEARDOWN(fault)
{
	set_sites(SITES_ALLOC);
	write_str(FAILSLAB "ignore-gfp-wait", "Y");
	write_str(FAIL_PAGE "ignore-gfp-wait", "Y");
}

/* Signed raw program with one frozen map: every allocation of its load. */
FIXTURE_VARIANT_ADD(fault, raw_load_allocs) {
	.loader = "raw/map_fd.signed", .args = { "map_fd", "-f", "load" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/* ... and of its first run, which re-hashes the map (Hornet's run check). */
FIXTURE_VARIANT_ADD(fault, raw_run_allocs) {
	.loader = "raw/map_fd.signed", .args = { "map_fd", "-f", "run" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/* Both reads of the executable (trailer, then blob) fail: EIO. */
FIXTURE_VARIANT_ADD(fault, raw_load_read_error) {
	.loader = "raw/map_fd.signed", .args = { "map_fd", "-f", "load" },
	.sites = SITES_READ_EIO, .enomem = -2, .eio = 2,
};

/* Both reads come up short (0 bytes): EIO, nothing accepted. */
FIXTURE_VARIANT_ADD(fault, raw_load_read_short) {
	.loader = "raw/map_fd.signed", .args = { "map_fd", "-f", "load" },
	.sites = SITES_READ_SHORT, .enomem = -2, .eio = 2,
};

/*
 * A read of the executable that fails for want of memory is ENOMEM, as
 * the errno table says, not EIO: no EIO at all.
 */
FIXTURE_VARIANT_ADD(fault, raw_load_read_enomem) {
	.loader = "raw/map_fd.signed", .args = { "map_fd", "-f", "load" },
	.sites = SITES_READ_ENOMEM, .enomem = -1, .eio = 0,
};

/*
 * Validly signed, but its payload's SHA-256 is blacklisted ("bin:"): refused
 * (EKEYREJECTED) under every allocation fault, never loaded. The lookup's
 * own allocation must refuse too, not read as "not blacklisted".
 */
FIXTURE_VARIANT_ADD(fault, blacklisted_load_allocs) {
	.loader = "raw/blacklisted_payload.signed",
	.args = { "blacklisted_payload", "-f", "load" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/*
 * Signed by a trusted key whose certificate is on the revocation list:
 * refused (EKEYREJECTED) under every allocation fault, never loaded. A
 * revocation lookup that fails must refuse, not read as "not revoked" and
 * go on to find the key trusted.
 */
FIXTURE_VARIANT_ADD(fault, revoked_load_allocs) {
	.loader = "raw/map_fd.revoked", .args = { "map_fd", "-f", "load" },
	.cert = "revoked_cert.der", .sites = SITES_ALLOC, .enomem = -1,
	.eio = 0,
};

/*
 * The same, signed with SHA-384, which nothing before it in this boot uses,
 * and without a first load free of faults: a fault can then hit the set-up
 * of the crypto instance for the revocation lookup's signature check,
 * which must refuse too, not read as "not revoked" while the trust check
 * that follows sets the instance up and finds the key trusted.
 */
FIXTURE_VARIANT_ADD(fault, revoked_cold_load_allocs) {
	.loader = "raw/map_fd.revoked384", .args = { "map_fd", "-f", "cold" },
	.cert = "revoked_cert.der", .cold = "(rsa,sha384)",
	.sites = SITES_ALLOC, .enomem = -1,
	.eio = 0,
};

/* Unsigned: refused (ENODATA) under every allocation fault, never loaded. */
FIXTURE_VARIANT_ADD(fault, unsigned_load_allocs) {
	.loader = "hornet_raw_loader", .args = { "map_fd", "-f", "load" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/* Unsigned: one read (the end of the file), which fails: EIO. */
FIXTURE_VARIANT_ADD(fault, unsigned_load_read_error) {
	.loader = "hornet_raw_loader", .args = { "map_fd", "-f", "load" },
	.sites = SITES_READ_EIO, .enomem = -2, .eio = 1,
};

FIXTURE_VARIANT_ADD(fault, unsigned_load_read_enomem) {
	.loader = "hornet_raw_loader", .args = { "map_fd", "-f", "load" },
	.sites = SITES_READ_ENOMEM, .enomem = -1, .eio = 0,
};

/* Signed light skeleton: every allocation of the loader's load... */
FIXTURE_VARIANT_ADD(fault, skel_load_allocs) {
	.loader = LOADER_SIGNED, .args = { "faults", "load" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/* ... of its run (Hornet's run check, then all the loader does)... */
FIXTURE_VARIANT_ADD(fault, skel_run_allocs) {
	.loader = LOADER_SIGNED, .args = { "faults", "run" },
	.sites = SITES_ALLOC, .enomem = -1, .eio = 0,
};

/* ... and both reads of its executable. */
FIXTURE_VARIANT_ADD(fault, skel_load_read_error) {
	.loader = LOADER_SIGNED, .args = { "faults", "load" },
	.sites = SITES_READ_EIO, .enomem = -2, .eio = 2,
};

FIXTURE_VARIANT_ADD(fault, skel_load_read_short) {
	.loader = LOADER_SIGNED, .args = { "faults", "load" },
	.sites = SITES_READ_SHORT, .enomem = -2, .eio = 2,
};

FIXTURE_VARIANT_ADD(fault, skel_load_read_enomem) {
	.loader = LOADER_SIGNED, .args = { "faults", "load" },
	.sites = SITES_READ_ENOMEM, .enomem = -1, .eio = 0,
};

TEST_F_TIMEOUT(fault, loop, 1800)
{
	int maps_after, progs_after;
	unsigned int enomem, eio, want;
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, variant->loader);
	run_logged(_metadata, &res, NULL, NULL, path, variant->args[0],
		   variant->args[1], variant->args[2], NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, " sites: "));
	enomem = outcome(res.out, "ENOMEM");
	eio = outcome(res.out, "EIO");
	want = variant->enomem >= 0 ? variant->enomem :
	       variant->enomem == -1 ? enomem ?: 1 : enomem;
	ASSERT_EQ(want, enomem);
	ASSERT_LE(variant->eio, eio);
	/* No reads faulted: no EIO. */
	ASSERT_EQ(0, variant->eio ? 0 : eio);

	/* Nothing the loops created is left (frees may be deferred). */
	wait_bpf_ids(self->maps, self->progs, &maps_after, &progs_after);
	TH_LOG("maps %d -> %d, programs %d -> %d", self->maps, maps_after,
	       self->progs, progs_after);
	ASSERT_LE(maps_after, self->maps);
	ASSERT_LE(progs_after, self->progs);
}

TEST_HARNESS_MAIN
