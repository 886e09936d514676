// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: the loader's one run. Races that swap the loader's
 * map descriptors or the program being run, and an io_uring worker sharing
 * the descriptor table.
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * race-dup2: while the signed light skeleton loads 10^4 times, a second
 * thread replaces the map descriptors the loader creates with a foreign
 * map. No load may bind it; the loader's run is refused while the
 * descriptor table has another user (EBUSY, and nothing else), and a
 * single-threaded load afterwards works.
 */
TEST_F_TIMEOUT(hornet, race_dup2_loader_fds, 600)
{
	const char *tries = hornet_count("HORNET_RACE_TRIES", RACE_TRIES);
	char path[PATH_MAX], want[64];
	struct run_result res;

	require_two_cpus(_metadata);
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "race-dup2", tries,
		   RACE_SECS, NULL);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "race-dup2: %s tries", tries);
	ASSERT_NE(NULL, strstr(res.out, want));
	ASSERT_NE(NULL, strstr(res.out, " 0 bound the foreign map"));
}

/*
 * The same race from another process that shares only the descriptor table
 * (clone with CLONE_FILES, not a thread): the table, not the thread group,
 * is what the loader's run depends on.
 */
TEST_F_TIMEOUT(hornet, race_dup2_files_process, 600)
{
	const char *tries = hornet_count("HORNET_RACE_FILES_TRIES",
					 RACE_FILES_TRIES);
	char path[PATH_MAX], want[64];
	struct run_result res;

	require_two_cpus(_metadata);
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "race-dup2-files",
		   tries, RACE_SECS, NULL);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "race-dup2-files: %s tries", tries);
	ASSERT_NE(NULL, strstr(res.out, want));
	ASSERT_NE(NULL, strstr(res.out, " 0 bound the foreign map"));
}

/*
 * race-run-swap: after the loader's one run, 10^4 BPF_PROG_RUNs of a
 * descriptor flipping between the loader and the socket filter it loaded.
 * The loader must never run again; failures are EINVAL (the socket filter
 * ran without data), EBUSY or EKEYREJECTED.
 */
TEST_F_TIMEOUT(hornet, race_run_swap, 600)
{
	const char *tries = hornet_count("HORNET_RACE_TRIES", RACE_TRIES);
	char path[PATH_MAX], want[64];
	struct run_result res;

	require_two_cpus(_metadata);
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "race-run-swap",
		   tries, RACE_SECS, NULL);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "race-run-swap: %s runs", tries);
	ASSERT_NE(NULL, strstr(res.out, want));
	ASSERT_NE(NULL, strstr(res.out, ": 0 re-ran the loader"));
}

/*
 * An io-wq worker shares the descriptor table: the loader's run is refused
 * while one exists (EBUSY).
 */
TEST_F(hornet, io_uring_worker_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "io-uring", NULL);
	/* The attack was set up: a worker existed during the load. */
	ASSERT_NE(NULL, strstr(res.out, "io-wq worker(s) blocked"));
	expect_errno(_metadata, EBUSY, &res);
	ASSERT_NE(NULL, strstr(res.out, "failed to execute loader prog"));
}

TEST_HARNESS_MAIN
