// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: the maps a signed program references.
 *
 * Hand-built programs (hornet_raw_loader) reference maps in every form, with
 * index edge cases, map types the signature cannot cover, unfrozen and
 * claimed maps and malformed references; a racing fd_array; and loops of
 * accepted and refused loads that must leave kernel memory flat.
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * Hand-built programs (hornet_raw_loader): every map-reference form, index
 * edge cases, map types, unfrozen maps and malformed references. Each case
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

/* Each BPF_LD_IMM64 form, alone and mixed. */
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

/* Index edge cases. */
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

/* All of a map, and only plain arrays. */
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

FIXTURE_VARIANT_ADD(raw, array_with_spin_lock) {
	.name = "array_with_spin_lock", .expect = EOPNOTSUPP,
};

/* A frozen map written by the signed program itself, then run again. */
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

/*
 * A verified map serves its program alone, for the map's life: a second
 * load on it (two loaders sharing one blob, run from two processes), an
 * outer map holding it before or after the load, are refused.
 */
FIXTURE_VARIANT_ADD(raw, claimed_map_reloaded) {
	.name = "claimed_map_reloaded", .expect = EBUSY,
	.step = "load again on the claimed map",
};

FIXTURE_VARIANT_ADD(raw, claimed_map_into_outer) {
	.name = "claimed_map_into_outer", .expect = EBUSY,
	.step = "put the signed map in the outer map",
};

FIXTURE_VARIANT_ADD(raw, map_in_outer_before_load) {
	.name = "map_in_outer_before_load", .expect = EBUSY,
	.step = "load map_in_outer_before_load",
};

/* An unfrozen map. */
FIXTURE_VARIANT_ADD(raw, unfrozen_array) {
	.name = "unfrozen_array", .expect = EPERM,
};

/* The errno table: references that name no map, bad streams. */
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

/*
 * The payload has no lengths: maps of 2 and 1 elements, signed, loaded as
 * maps of 1 and 2 elements with the same bytes. The geometry must count.
 */
FIXTURE_VARIANT_ADD(raw, recut_geometry) {
	.name = "recut_geometry", .expect = EKEYREJECTED,
	.step = "load recut_geometry",
};

/*
 * A first BPF_PROG_RUN that BPF_PROG_RUN itself refuses (unreadable
 * context: EFAULT; repeat set for a syscall program: EINVAL) did not run
 * the program: the real run afterwards must still be allowed.
 */
FIXTURE_VARIANT_ADD(raw, brick_bad_ctx) {
	.name = "brick_bad_ctx", .expect = 0,
};

FIXTURE_VARIANT_ADD(raw, brick_bad_repeat) {
	.name = "brick_bad_repeat", .expect = 0,
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

/* Review point 7: a racing fd_array never binds an unsigned map. */
TEST_F_TIMEOUT(hornet, fd_array_race, 300)
{
	char path[PATH_MAX];
	struct run_result res;

	require_two_cpus(_metadata);
	snprintf(path, sizeof(path), "%s/raw/fd_array_race.signed", self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "fd_array_race", "2000",
		   NULL);
	expect_errno(_metadata, 0, &res);
}

/*
 * Many accepted and refused checks leave kernel memory flat, and
 * every map and program is gone once the loader has exited.
 */
static void loop_loads(struct __test_metadata *_metadata,
		       FIXTURE_DATA(hornet) * self, const char *name,
		       int expect)
{
	char path[PATH_MAX], loops[16];
	int maps, progs, maps_after, progs_after;
	struct run_result res;

	snprintf(loops, sizeof(loops), "%s", hornet_count("HORNET_LOOPS", "10000"));
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
