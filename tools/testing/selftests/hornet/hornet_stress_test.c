// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet stress selftest: several processes at once, on two or more CPUs,
 * load signed and unsigned programs, run them, close their descriptors
 * early, and run programs in children while the parent frees them
 * (hornet_raw_loader -s); another loads the signed and the unsigned light
 * skeleton again and again; another reads Hornet's counters all along.
 * Every accepted load must come from a signed loader, every refusal must
 * have its documented errno, the counters must grow by exactly what the
 * workers saw and never go down, and no map or program may be left.
 *
 * HORNET_STRESS_ITER (default 400) is the number of iterations of each raw
 * worker; the light-skeleton worker does a tenth of that. Hornet must be
 * enforcing.
 */
#include "common.h"

#include <sys/mman.h>

#define COUNTERS	"/sys/kernel/security/hornet/counters"
#define ENFORCE		"/sys/kernel/security/hornet/enforce"
#define NR_SIGNED	2	/* raw workers with a signed executable */
#define NR_UNSIGNED	1
#define NR_RAW		(NR_SIGNED + NR_UNSIGNED)
#define MAX_COUNTERS	64

struct counters {
	int n;
	char name[MAX_COUNTERS][32];
	unsigned long long value[MAX_COUNTERS];
};

static int read_counters(struct counters *c)
{
	char line[96];
	FILE *f;

	c->n = 0;
	f = fopen(COUNTERS, "re");
	if (!f)
		return -errno;
	while (c->n < MAX_COUNTERS && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %llu", c->name[c->n], &c->value[c->n]) == 2)
			c->n++;
	fclose(f);
	return c->n ? 0 : -ENODATA;
}

static unsigned long long counter(const struct counters *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->value[i];
	return ~0ULL;
}

/* What the workers report, in memory shared with the test. */
struct stress_shared {
	struct run_result raw[NR_RAW];
	unsigned int skel_ok, skel_refused, skel_bad;
	unsigned int reads, went_down;
	int stop;
};

/* The count after "NAME=" in a raw worker's summary, or ~0U. */
static unsigned int field(const char *out, const char *name)
{
	char key[40];
	const char *p;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(out, " stress ");
	p = p ? strstr(p, key) : NULL;
	return p ? strtoul(p + strlen(key), NULL, 10) : ~0U;
}

static int stress_iterations(void)
{
	const char *s = getenv("HORNET_STRESS_ITER");

	return s && atoi(s) > 0 ? atoi(s) : 400;
}

/* The counter reader: every counter only ever grows. */
static void read_until_stopped(struct stress_shared *sh)
{
	struct counters prev, now;
	int i;

	if (read_counters(&prev))
		_exit(1);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		if (read_counters(&now))
			_exit(1);
		for (i = 0; i < now.n && i < prev.n; i++)
			if (now.value[i] < prev.value[i])
				sh->went_down++;
		prev = now;
		sh->reads++;
	}
	_exit(0);
}

/* The light-skeleton worker: signed and unsigned loaders, alternately. */
static void skel_until_done(struct stress_shared *sh, const char *dir,
			    int iterations)
{
	char signed_path[PATH_MAX], unsigned_path[PATH_MAX];
	struct run_result res;
	int i;

	companion(signed_path, sizeof(signed_path), dir, LOADER_SIGNED);
	companion(unsigned_path, sizeof(unsigned_path), dir, LOADER);
	for (i = 0; i < iterations; i++) {
		char *const argv[] = { i & 1 ? unsigned_path : signed_path,
				       "run", NULL };

		if (run_loader(argv[0], argv, &res))
			_exit(1);
		if (i & 1 && res.status == ENODATA)
			sh->skel_refused++;
		else if (!(i & 1) && res.status == 0)
			sh->skel_ok++;
		else
			sh->skel_bad++;
	}
	_exit(0);
}

FIXTURE(stress) {
	char dir[1024];
};

FIXTURE_SETUP(stress)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, workers, 3600)
{
	const char *dir = self->dir;
	char raw_signed[PATH_MAX], raw_unsigned[PATH_MAX], iter[16];
	int maps, progs, maps_after, progs_after, i, status, iterations;
	unsigned long long accepted = 0, refused = 0, runs = 0, run_refused = 0;
	struct counters before, after;
	struct stress_shared *sh;
	pid_t raw[NR_RAW], skel, reader;
	struct meminfo mb, ma;
	double start, secs;
	char buf[8] = "";
	int fd;

	require_two_cpus(_metadata);
	fd = open(ENFORCE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	ASSERT_EQ('1', buf[0]);
	companion(raw_signed, sizeof(raw_signed), dir, "raw/map_fd.signed");
	companion(raw_unsigned, sizeof(raw_unsigned), dir, "hornet_raw_loader");
	iterations = stress_iterations();
	snprintf(iter, sizeof(iter), "%d", iterations);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	maps = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
	progs = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
	sample_meminfo(&mb);
	ASSERT_EQ(0, read_counters(&before));
	start = now_secs();

	reader = fork();
	ASSERT_LE(0, reader);
	if (!reader)
		read_until_stopped(sh);
	skel = fork();
	ASSERT_LE(0, skel);
	if (!skel)
		skel_until_done(sh, dir, iterations / 10);
	for (i = 0; i < NR_RAW; i++) {
		char *path = i < NR_SIGNED ? raw_signed : raw_unsigned;
		char *const argv[] = { path, "map_fd", "-s", iter, NULL };

		raw[i] = fork();
		ASSERT_LE(0, raw[i]);
		if (!raw[i])
			_exit(run_loader(path, argv, &sh->raw[i]) ? 1 : 0);
	}
	for (i = 0; i < NR_RAW; i++) {
		ASSERT_EQ(raw[i], waitpid(raw[i], &status, 0));
		ASSERT_EQ(0, status);
	}
	ASSERT_EQ(skel, waitpid(skel, &status, 0));
	ASSERT_EQ(0, status);
	secs = now_secs() - start;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, read_counters(&after));

	for (i = 0; i < NR_RAW; i++) {
		const char *out = sh->raw[i].out;

		TH_LOG("worker %d (%s): exit %d: %s", i,
		       i < NR_SIGNED ? "signed" : "unsigned", sh->raw[i].status,
		       out);
		ASSERT_EQ(0, sh->raw[i].status);
		ASSERT_EQ(iterations, (int)field(out, "iterations"));
		if (i < NR_SIGNED) {
			/* Actions 0-2 load, 3 is refused; 0 and 2 run once. */
			ASSERT_EQ(iterations - iterations / 4,
				  (int)field(out, "loads_accepted"));
			ASSERT_EQ(0, (int)field(out, "first_errno"));
		} else {
			ASSERT_EQ(0, (int)field(out, "loads_accepted"));
			ASSERT_EQ(ENODATA, (int)field(out, "first_errno"));
		}
		accepted += field(out, "loads_accepted");
		refused += field(out, "loads_refused");
		runs += field(out, "runs_accepted");
		run_refused += field(out, "runs_refused");
	}
	TH_LOG("light skeletons: %u loaded and counted, %u refused (ENODATA), %u other",
	       sh->skel_ok, sh->skel_refused, sh->skel_bad);
	ASSERT_EQ(0, sh->skel_bad);
	ASSERT_EQ(iterations / 10, (int)(sh->skel_ok + sh->skel_refused));
	TH_LOG("counters read %u times while the workers ran, %u decreases",
	       sh->reads, sh->went_down);
	ASSERT_LT(0, sh->reads);
	ASSERT_EQ(0, sh->went_down);

	/* Each signed light skeleton is one accepted load and run. */
	accepted += sh->skel_ok;
	refused += sh->skel_refused;
	runs += sh->skel_ok;
	TH_LOG("%.1f s: %llu loads (%.0f/s), %llu accepted, %llu refused",
	       secs, accepted + refused, (accepted + refused) / secs, accepted,
	       refused);
	TH_LOG("runs: %llu accepted, %llu refused", runs, run_refused);
	ASSERT_EQ(accepted, counter(&after, "load_accepted") -
			    counter(&before, "load_accepted"));
	ASSERT_EQ(refused, counter(&after, "load_denied") -
			   counter(&before, "load_denied"));
	ASSERT_EQ(runs, counter(&after, "run_accepted") -
			counter(&before, "run_accepted"));
	ASSERT_EQ(run_refused, counter(&after, "run_denied") -
			       counter(&before, "run_denied"));
	/* The refusals: flags changed, second runs (EKEYREJECTED), unsigned. */
	ASSERT_EQ(refused + run_refused,
		  counter(&after, "denied_EKEYREJECTED") -
		  counter(&before, "denied_EKEYREJECTED") +
		  counter(&after, "denied_ENODATA") -
		  counter(&before, "denied_ENODATA"));
	ASSERT_EQ(0, counter(&after, "load_permitted") -
		     counter(&before, "load_permitted"));

	wait_bpf_ids(maps, progs, &maps_after, &progs_after);
	sample_meminfo(&ma);
	log_mem(_metadata, "stress", &mb, &ma);
	TH_LOG("maps %d -> %d, programs %d -> %d", maps, maps_after, progs,
	       progs_after);
	ASSERT_LE(maps_after, maps);
	ASSERT_LE(progs_after, progs);
	munmap(sh, sizeof(*sh));
}

TEST_HARNESS_MAIN
