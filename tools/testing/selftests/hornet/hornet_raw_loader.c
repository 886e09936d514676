// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest raw loader: hand-built instruction arrays that reference
 * maps in every BPF_LD_IMM64 form, plus the malformed references Hornet must
 * refuse (unfrozen maps, references that name no map, and the errno table
 * of Hornet.rst).
 *
 * Usage:
 *   hornet_raw_loader payload CASE FILE   write the payload Hornet will
 *                                         compute for CASE (build time)
 *   hornet_raw_loader CASE [LOOPS [SECS]]  set up the maps of CASE and run
 *                                         BPF_PROG_LOAD LOOPS times (1), or
 *                                         until SECS seconds have passed
 *   hornet_raw_loader CASE -a ATTR        load once with one load attribute
 *                                         that the signature does not cover
 *                                         changed (see apply_tweak())
 *   hornet_raw_loader CASE -p PIN         load CASE as an fmod_ret program
 *                                         on security_bpf, attach it and pin
 *                                         the link at PIN
 *   hornet_raw_loader CASE -f load|run    fault loop (hornet_fault.h): fail
 *                                         the N-th fault site of the load or
 *                                         of the run, N = 1, 2, ... until one
 *                                         passes without a fault
 *   hornet_raw_loader CASE -s N           stress: N iterations of load, then
 *                                         run twice, close at once, run in a
 *                                         child while closing, or load with a
 *                                         changed flag (see run_stress())
 *   hornet_raw_loader CASE -x r|n TARGET  make TARGET this process's
 *                                         executable (PR_SET_MM_EXE_FILE),
 *                                         opened for reading (r) or with
 *                                         neither read nor write access (n),
 *                                         then load CASE once (no maps)
 *   hornet_raw_loader CASE -X DIR N OUT   the same (r) for DIR/00000 to
 *                                         DIR/N-1 in turn; one verdict
 *                                         byte (the errno) per file to OUT
 *   hornet_raw_loader diffgen DIR N DIGEST SEED...
 *                                         write the differential corpus
 *                                         (see diff_gen())
 *   hornet_raw_loader list                print the case names
 *
 * A signed copy of this program exists per case, each signed over the
 * payload of its case. Every map sits on a fixed descriptor (dup2), so the
 * instructions the build signs are the ones the run loads. Programs are
 * BPF_PROG_TYPE_SYSCALL (sleepable), the only type a signed light-skeleton
 * loader needs, and run with BPF_PROG_RUN without data or context.
 *
 * Exit status: 0 if every load succeeded and the program returned the sum
 * it was built to return; otherwise the errno of the failing step (all
 * loads must fail the same way), or EXIT_MISMATCH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifdef HORNET_PAYLOAD_TOOL
#include "hornet_payload.h"
#endif
#include "hornet_fault.h"

#define EXIT_MISMATCH	250
#define MAX_MAPS	4
#define MAX_REFS	70
#define MAX_INSNS	(MAX_REFS * 8 + 8)
#define FD_BASE		100	/* first fixed descriptor for maps */
#define FD_PIPE		120
#define FD_CLOSED	150
#define KEY_ZERO_OFF	-8
#define PAYLOAD_MAX	(16 << 20)

/* What the program computes (see build_prog()). */
enum raw_body {
	BODY_SUM,	/* the sum of the first word of every reference */
	BODY_RET0,	/* r0 = 0; exit */
	BODY_RET1,	/* r0 = 1; exit */
	BODY_RET_BLACKLISTED,	/* r0 = 0x4242; exit, see lab/keys.sh */
};

/* The value BODY_RET_BLACKLISTED returns. */
#define RET_BLACKLISTED	0x4242

/* How a case tries to share its signed map with something else. */
enum raw_share {
	SHARE_NONE,
	SHARE_RELOAD,		/* load the same program on the same maps again */
	SHARE_OUTER_AFTER,	/* put the map in an outer map after the load */
	SHARE_OUTER_BEFORE,	/* put the map in an outer map, then load */
};

/* A first BPF_PROG_RUN that fails on its own, before the real one. */
enum raw_bad_run {
	BAD_RUN_NONE,
	BAD_RUN_CTX_FAULT,	/* ctx_in unmapped: EFAULT */
	BAD_RUN_REPEAT,		/* repeat != 0, not for syscall programs: EINVAL */
};

/* Reference kinds of a case; the src_reg comes from the form. */
enum ref_target {
	REF_MAP,	/* imm = fixed fd (FD forms) or fd_array index */
	REF_RAW,	/* imm = raw value */
	REF_PIPE,	/* imm = a pipe descriptor (not a map) */
};

struct raw_map {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	int fd;			/* fixed descriptor; 0 means stdin's slot */
	int unfrozen;
	int spin_lock;		/* value is a struct bpf_spin_lock (BTF) */
	__u32 flags;		/* map_flags */
};

struct raw_ref {
	__u8 src;		/* BPF_PSEUDO_* */
	enum ref_target target;
	int map;		/* index into maps (FD forms) */
	__s32 imm;		/* fd_array index (IDX forms) or raw value */
};

struct raw_case {
	const char *name;
	struct raw_map maps[MAX_MAPS];
	int nr_maps;
	struct raw_ref refs[MAX_REFS];
	int nr_refs;
	int fd_array[MAX_REFS];	/* map indexes */
	int nr_fd_array;
	int no_fd_array;	/* IDX references but attr.fd_array == 0 */
	int bad_fd_array;	/* attr.fd_array points to unmapped memory */
	int truncate;		/* drop the program's last instruction */
	int change_elem1;	/* element 1 differs from what was signed */
	int idx_repeat;		/* refs: IDX 0..idx_repeat-1, all map 0 */
	int race;		/* a thread swaps fd_array[0] with map 1 */
	int writes;		/* the program increments what it reads */
	int runs;		/* BPF_PROG_TEST_RUN calls per load (1) */
	enum raw_body body;
	enum raw_bad_run bad_run;
	enum raw_share share;
	/*
	 * max_entries of each map at run time when it differs from the
	 * signed geometry (0: as signed). The run-time maps hold the signed
	 * maps' bytes, concatenated in payload order and cut anew; all maps
	 * of such a case have the same value_size and are listed in payload
	 * order.
	 */
	__u32 recut[MAX_MAPS];
};

#define ARRAY(n)	{ BPF_MAP_TYPE_ARRAY, 4, 8, (n), 0, 0 }
#define ARRAY1_AT(f)	{ BPF_MAP_TYPE_ARRAY, 4, 8, 1, (f), 0 }

static const struct raw_case cases[] = {
	{ .name = "no_maps" },
	{ .name = "map_fd",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "map_value",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "map_idx",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 } }, .nr_refs = 1 },
	{ .name = "map_idx_value",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX_VALUE, REF_MAP, 0, 0 } },
	  .nr_refs = 1 },
	/* FD and IDX forms mixed; IDX references come first. */
	{ .name = "mixed_fd_idx",
	  .maps = { ARRAY1_AT(FD_BASE), ARRAY1_AT(FD_BASE + 1) },
	  .nr_maps = 2, .fd_array = { 1 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 },
		    { BPF_PSEUDO_MAP_IDX, REF_MAP, 1, 0 } }, .nr_refs = 2 },
	/* One index three times: its contents are signed once. */
	{ .name = "same_idx_thrice",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_IDX_VALUE, REF_MAP, 0, 0 } },
	  .nr_refs = 3 },
	/* One map through an index and through its fd: refused. */
	{ .name = "same_map_idx_and_fd",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 2 },
	/* Map on fd 0; fd_array[0] names another map than fd 0. */
	{ .name = "idx0_is_not_fd0",
	  .maps = { ARRAY1_AT(0), ARRAY1_AT(FD_BASE) },
	  .nr_maps = 2, .fd_array = { 1 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 1, 0 },
		    { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 2 },
	{ .name = "map_on_fd0",
	  .maps = { ARRAY1_AT(0) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* All of a map is signed, not just element 0. */
	{ .name = "two_elements",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 2, FD_BASE, 0 } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "two_elements_changed", .change_elem1 = 1,
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 2, FD_BASE, 0 } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* 64 indexes naming one map: one map behind two references. */
	{ .name = "idx64_one_map", .idx_repeat = 64,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1 },
	{ .name = "too_many_maps_65", .idx_repeat = 65,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1 },
	{ .name = "idx_0x80000001",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_RAW, 0, (__s32)0x80000001 } },
	  .nr_refs = 1 },
	{ .name = "idx_65536",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_RAW, 0, 65536 } }, .nr_refs = 1 },
	{ .name = "payload_over_16m",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 4096, 4097, FD_BASE, 0 } },
	  .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* Maps whose contents are not a plain byte sequence. */
	{ .name = "hash_map",
	  .maps = { { BPF_MAP_TYPE_HASH, 4, 8, 1, FD_BASE, 0 } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "percpu_array",
	  .maps = { { BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, FD_BASE, 0 } },
	  .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "ringbuf",
	  .maps = { { BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, FD_BASE, 0 } },
	  .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "prog_array",
	  .maps = { { BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1, FD_BASE, 0 } },
	  .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/*
	 * Frozen stops syscall writes only. A program that writes its
	 * own signed map runs once; the next run sees changed contents.
	 */
	{ .name = "map_written_by_program", .writes = 1, .runs = 2,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	/*
	 * Review point 7 (TOCTOU): fd_array[0] flips between the signed map
	 * and another one while BPF_PROG_LOAD runs. Each load must either
	 * bind the signed map or fail with EKEYREJECTED.
	 */
	{ .name = "fd_array_race", .race = 1,
	  .maps = { ARRAY1_AT(FD_BASE), ARRAY1_AT(FD_BASE + 1) }, .nr_maps = 2,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 } }, .nr_refs = 1 },
	/* An array whose value holds a BTF special field (a spin lock). */
	{ .name = "array_with_spin_lock",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 4, 1, FD_BASE, 0, 1 } },
	  .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/*
	 * Pages of a BPF_F_MMAPABLE array pinned before the freeze can still
	 * be written afterwards: not a plain array for Hornet.
	 */
	{ .name = "mmapable_array",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 1, FD_BASE, 0, 0,
		      BPF_F_MMAPABLE } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* A program with signed maps runs once from userspace. */
	/*
	 * A verified map belongs to its program for life: no second load on
	 * it (two loaders on one blob), no outer map before or after.
	 */
	{ .name = "claimed_map_reloaded", .share = SHARE_RELOAD,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "claimed_map_into_outer", .share = SHARE_OUTER_AFTER,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "map_in_outer_before_load", .share = SHARE_OUTER_BEFORE,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "run_twice", .runs = 2,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	/* A signed map that userspace could still rewrite. */
	{ .name = "unfrozen_array",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 1, FD_BASE, 1 } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* References that name no map. */
	{ .name = "closed_fd",
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_RAW, 0, FD_CLOSED } },
	  .nr_refs = 1 },
	{ .name = "pipe_fd",
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_PIPE, 0, FD_PIPE } },
	  .nr_refs = 1 },
	{ .name = "idx_without_fd_array", .no_fd_array = 1,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 } }, .nr_refs = 1 },
	{ .name = "fd_array_unreadable", .bad_fd_array = 1,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 } }, .nr_refs = 1 },
	/* Instruction streams the scan must refuse, not skip. */
	{ .name = "truncated_ld_imm64", .truncate = 1,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "unknown_src_reg",
	  .refs = { { 7, REF_RAW, 0, 0 } }, .nr_refs = 1 },
	/*
	 * "r0 = 0; exit", loaded with one load attribute the signature does
	 * not cover at a time (-a ATTR): the attribute, not the signed
	 * bytes, would decide what the program does.
	 */
	{ .name = "attr_base", .body = BODY_RET0 },
	/*
	 * Its payload's SHA-256 is on the kernel's blacklist ("bin:" entry of
	 * CONFIG_SYSTEM_BLACKLIST_HASH_LIST, lab/keys.sh): refused although
	 * validly signed.
	 */
	{ .name = "blacklisted_payload", .body = BODY_RET_BLACKLISTED },
	/*
	 * "r0 = 1; exit": harmless as a syscall program; as fmod_ret on
	 * security_bpf it makes every bpf() skip the LSMs' bpf hook.
	 */
	{ .name = "fmod_ret", .body = BODY_RET1 },
	/*
	 * Signed over A (2 elements) and B (1 element); loaded with A' (1)
	 * and B' (2) holding the same 24 bytes: the payload has no lengths.
	 */
	{ .name = "recut_geometry",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 2, FD_BASE, 0 },
		    { BPF_MAP_TYPE_ARRAY, 4, 8, 1, FD_BASE + 1, 0 } },
	  .nr_maps = 2, .recut = { 1, 2 },
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 },
		    { BPF_PSEUDO_MAP_FD, REF_MAP, 1 } }, .nr_refs = 2 },
	/*
	 * A first run that BPF_PROG_RUN itself refuses must not use up the
	 * one run a program with signed maps has.
	 */
	{ .name = "brick_bad_ctx", .bad_run = BAD_RUN_CTX_FAULT,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	{ .name = "brick_bad_repeat", .bad_run = BAD_RUN_REPEAT,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_CASES	ARRAY_SIZE(cases)

static struct bpf_insn insns[MAX_INSNS];
static int nr_insns;

static void emit(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	struct bpf_insn *insn = &insns[nr_insns++];

	insn->code = code;
	insn->dst_reg = dst;
	insn->src_reg = src;
	insn->off = off;
	insn->imm = imm;
}

static int ref_is_value(__u8 src)
{
	return src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE;
}

static int ref_is_idx(__u8 src)
{
	return src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE;
}

static __s32 ref_imm(const struct raw_case *c, const struct raw_ref *r)
{
	if (r->target == REF_RAW || r->target == REF_PIPE || ref_is_idx(r->src))
		return r->imm;
	return c->maps[r->map].fd;
}

static __u32 expected_retval(const struct raw_case *c, struct raw_ref *refs,
			     int nr, const int *fd_array_maps);

/*
 * BODY_SUM: r7 = 0; for each reference: r1 = ref; r7 += 32-bit word at
 * element 0 (through bpf_map_lookup_elem for map forms, directly for value
 * forms); r0 = r7; exit. BODY_RET0/BODY_RET1: r0 = 0 (1); exit.
 */
static void build_prog(const struct raw_case *c, struct raw_ref *refs,
		       int nr_refs)
{
	int i;

	nr_insns = 0;
	if (c->body != BODY_SUM) {
		emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
		     expected_retval(c, NULL, 0, NULL));
		emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return;
	}
	emit(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_7, 0, 0, 0);
	emit(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, KEY_ZERO_OFF, 0);
	for (i = 0; i < nr_refs; i++) {
		const struct raw_ref *r = &refs[i];

		emit(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, r->src, 0,
		     ref_imm(c, r));
		emit(0, 0, 0, 0, 0);
		if (ref_is_value(r->src) && c->writes) {
			emit(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1,
			     0, 0);
			emit(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, 0, 1);
			emit(BPF_STX | BPF_MEM | BPF_W, BPF_REG_1, BPF_REG_0,
			     0, 0);
			emit(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, 0, -1);
		} else if (ref_is_value(r->src)) {
			emit(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_1,
			     0, 0);
		} else {
			emit(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2,
			     BPF_REG_10, 0, 0);
			emit(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0,
			     KEY_ZERO_OFF);
			emit(BPF_JMP | BPF_CALL, 0, 0, 0,
			     BPF_FUNC_map_lookup_elem);
			emit(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 1, 0);
			emit(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_0, BPF_REG_0,
			     0, 0);
		}
		emit(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_7, BPF_REG_0, 0, 0);
	}
	emit(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_7, 0, 0);
	emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (c->truncate) {
		/* End the program in the first half of an ld_imm64. */
		nr_insns -= 2;
		emit(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_FD,
		     0, c->maps[0].fd);
	}
}

/* The references of @c, with idx_repeat expanded. */
static int case_refs(const struct raw_case *c, struct raw_ref *refs,
		     int *fd_array_maps)
{
	int i, n = c->nr_refs;

	memcpy(refs, c->refs, sizeof(c->refs));
	memcpy(fd_array_maps, c->fd_array, sizeof(c->fd_array));
	if (c->idx_repeat) {
		for (i = 0; i < c->idx_repeat; i++) {
			refs[i].src = BPF_PSEUDO_MAP_IDX;
			refs[i].target = REF_MAP;
			refs[i].map = 0;
			refs[i].imm = i;
			fd_array_maps[i] = 0;
		}
		n = c->idx_repeat;
	}
	return n;
}

static int case_fd_array_len(const struct raw_case *c)
{
	return c->idx_repeat ? c->idx_repeat : c->nr_fd_array;
}

/* Value of element @i of map @m (8-byte values; larger ones repeat it). */
static __u64 elem_value(int m, __u32 i, int changed)
{
	__u64 v = 0x1000 + 0x100 * m + i;

	if (changed && i == 1)
		v ^= 0xff;
	return v;
}

/* Entries of map @m at run time. */
static __u32 run_entries(const struct raw_case *c, int m)
{
	return c->recut[m] ? c->recut[m] : c->maps[m].max_entries;
}

/*
 * The signed map and element whose bytes element @e of run-time map @m
 * holds: (@m, @e) itself unless the case re-cuts its maps, in which case
 * the run-time elements take the signed ones in order, across maps.
 */
static void signed_elem(const struct raw_case *c, int m, __u32 e, int *sm,
			__u32 *se)
{
	__u64 idx = e;
	int k;

	*sm = m;
	*se = e;
	if (!c->recut[m])
		return;
	for (k = 0; k < m; k++)
		idx += run_entries(c, k);
	for (k = 0; k < c->nr_maps - 1 && idx >= c->maps[k].max_entries; k++)
		idx -= c->maps[k].max_entries;
	*sm = k;
	*se = idx;
}

static void fill_value(char *buf, __u32 size, int m, __u32 i, int changed)
{
	__u64 v = elem_value(m, i, changed);
	__u32 off;

	memset(buf, 0, size);
	for (off = 0; off + sizeof(v) <= size; off += sizeof(v))
		memcpy(buf + off, &v, sizeof(v));
}

#ifdef HORNET_PAYLOAD_TOOL
static int ref_before(const struct raw_case *c, const struct raw_ref *a,
		      const struct raw_ref *b)
{
	if (ref_is_idx(a->src) != ref_is_idx(b->src))
		return ref_is_idx(a->src);
	return ref_imm(c, a) < ref_imm(c, b);
}

/*
 * Write the payload Hornet builds for a load of @c to @path (the build
 * host's twin of this program does this, see the Makefile): the load
 * attributes init_load_attr() uses, one record per distinct map reference
 * (IDX by ascending index, then FD by ascending fd) with the signed
 * geometry and contents, then the instructions.
 */
static int write_payload(const struct raw_case *c, const char *path)
{
	static struct raw_ref refs[MAX_REFS], sorted[MAX_REFS];
	static int fd_array_maps[MAX_REFS];
	static struct hp_map maps[MAX_REFS];
	int nr, nr_sorted = 0, nr_maps = 0, i, j, fd, err, m;
	__u32 e;

	nr = case_refs(c, refs, fd_array_maps);
	build_prog(c, refs, nr);
	for (i = 0; i < nr; i++) {
		for (j = 0; j < nr_sorted; j++)
			if (ref_is_idx(sorted[j].src) == ref_is_idx(refs[i].src) &&
			    ref_imm(c, &sorted[j]) == ref_imm(c, &refs[i]))
				break;
		if (j < nr_sorted)
			continue;
		for (j = nr_sorted; j > 0 && ref_before(c, &refs[i], &sorted[j - 1]); j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = refs[i];
		nr_sorted++;
	}

	/* References that name no map never reach the payload. */
	for (i = 0; i < nr_sorted; i++) {
		const struct raw_map *map;
		char *contents;

		if (sorted[i].target != REF_MAP)
			continue;
		m = ref_is_idx(sorted[i].src) ?
			fd_array_maps[sorted[i].imm] : sorted[i].map;
		map = &c->maps[m];
		contents = calloc(1, (size_t)map->value_size * map->max_entries + 1);
		if (!contents) {
			perror("hornet_raw_loader: map contents");
			return 1;
		}
		for (e = 0; map->type == BPF_MAP_TYPE_ARRAY && e < map->max_entries; e++)
			fill_value(contents + (size_t)e * map->value_size,
				   map->value_size, m, e, 0);
		maps[nr_maps++] = (struct hp_map) {
			.type = map->type, .key_size = map->key_size,
			.value_size = map->value_size,
			.max_entries = map->max_entries,
			.flags = map->flags & ~(BPF_F_RDONLY | BPF_F_WRONLY),
			.ref_kind = ref_is_idx(sorted[i].src) ? HP_REF_IDX : HP_REF_FD,
			.ref = ref_imm(c, &sorted[i]),
			.contents = contents,
		};
	}

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	err = hp_write_payload(fd, BPF_PROG_TYPE_SYSCALL, 0, BPF_F_SLEEPABLE,
			       insns, nr_insns, maps, nr_maps);
	if (close(fd) && !err)
		err = -errno;
	for (i = 0; i < nr_maps; i++)
		free((void *)maps[i].contents);
	return -err;
}
#endif /* HORNET_PAYLOAD_TOOL */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int ret = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return ret < 0 ? -errno : ret;
}

static int report(const char *step, int err)
{
	if (err < 0)
		err = -err;
	printf("hornet_raw_loader: %s: errno %d\n", step, err);
	return err;
}

/*
 * BTF for "struct val { struct bpf_spin_lock lock; }": type 1 int, type 2
 * struct bpf_spin_lock { int val; }, type 3 struct val.
 */
static int load_spin_lock_btf(void)
{
	static const char strs[] = "\0int\0bpf_spin_lock\0val\0lock";
	static struct {
		struct btf_header hdr;
		__u32 types[3 + 1 + 3 + 3 + 3 + 3];
		char strs[sizeof(strs)];
	} btf = {
		.hdr = {
			.magic = BTF_MAGIC, .version = BTF_VERSION,
			.hdr_len = sizeof(struct btf_header),
			.type_off = 0, .type_len = sizeof(btf.types),
			.str_off = sizeof(btf.types), .str_len = sizeof(strs),
		},
		.types = {
			/* [1] int: signed, 32 bits */
			1, BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32,
			/* [2] struct bpf_spin_lock { int val; } */
			5, (BTF_KIND_STRUCT << 24) | 1, 4, 19, 1, 0,
			/* [3] struct val { struct bpf_spin_lock lock; } */
			19, (BTF_KIND_STRUCT << 24) | 1, 4, 23, 2, 0,
		},
	};
	union bpf_attr attr;

	memcpy(btf.strs, strs, sizeof(strs));
	memset(&attr, 0, sizeof(attr));
	attr.btf = (unsigned long)&btf;
	attr.btf_size = sizeof(btf);
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

/* Create, fill and (unless told otherwise) freeze the maps of @c. */
static int setup_maps(const struct raw_case *c)
{
	static char value[4096];
	union bpf_attr attr;
	int i, fd, err, sm;
	__u32 e, se;

	for (i = 0; i < c->nr_maps; i++) {
		const struct raw_map *map = &c->maps[i];

		if (map->fd == 0)
			close(0);
		memset(&attr, 0, sizeof(attr));
		attr.map_type = map->type;
		attr.key_size = map->key_size;
		attr.value_size = map->value_size;
		attr.max_entries = run_entries(c, i);
		attr.map_flags = map->flags;
		if (map->spin_lock) {
			attr.btf_fd = load_spin_lock_btf();
			if ((int)attr.btf_fd < 0)
				return report("load BTF", (int)attr.btf_fd);
			attr.btf_key_type_id = 1;
			attr.btf_value_type_id = 3;
		}
		fd = sys_bpf(BPF_MAP_CREATE, &attr);
		if (fd < 0)
			return report("create map", fd);
		if (fd != map->fd) {
			if (dup2(fd, map->fd) < 0)
				return report("dup2 map", -errno);
			close(fd);
		}
		if (map->type == BPF_MAP_TYPE_ARRAY) {
			for (e = 0; e < run_entries(c, i); e++) {
				signed_elem(c, i, e, &sm, &se);
				fill_value(value, map->value_size, sm, se,
					   c->change_elem1);
				memset(&attr, 0, sizeof(attr));
				attr.map_fd = map->fd;
				attr.key = (unsigned long)&e;
				attr.value = (unsigned long)value;
				err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
				if (err)
					return report("update map", err);
			}
		}
		if (map->unfrozen)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = map->fd;
		err = sys_bpf(BPF_MAP_FREEZE, &attr);
		/* Freezing is not supported for every type: go on. */
		if (err)
			report("freeze map (continuing)", err);
	}
	return 0;
}

/* What the program returns: the sum of the first words it reads. */
static __u32 expected_retval(const struct raw_case *c, struct raw_ref *refs,
			     int nr, const int *fd_array_maps)
{
	__u32 sum = 0, se;
	int i, m, sm;

	if (c->body == BODY_RET_BLACKLISTED)
		return RET_BLACKLISTED;
	if (c->body != BODY_SUM)
		return c->body == BODY_RET1;
	for (i = 0; i < nr; i++) {
		if (refs[i].target != REF_MAP)
			continue;
		m = ref_is_idx(refs[i].src) ? fd_array_maps[refs[i].imm] :
					      refs[i].map;
		signed_elem(c, m, 0, &sm, &se);
		if (c->maps[m].type == BPF_MAP_TYPE_ARRAY)
			sum += (__u32)elem_value(sm, se, 0);
	}
	return sum;
}

/*
 * BPF_PROG_RUN of @prog_fd: a syscall program takes no data and, here, no
 * context; a socket filter (one of the attribute variants) needs a packet.
 * @bad makes the run fail in BPF_PROG_RUN's own checks.
 */
static int test_run(int prog_fd, __u32 prog_type, enum raw_bad_run bad,
		    __u32 *retval)
{
	static char data[64];
	union bpf_attr attr;
	void *page;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = prog_fd;
	if (prog_type == BPF_PROG_TYPE_SOCKET_FILTER) {
		attr.test.data_in = (unsigned long)data;
		attr.test.data_size_in = sizeof(data);
	}
	if (bad == BAD_RUN_CTX_FAULT) {
		/* An address that was mapped a moment ago and is not now. */
		page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (page == MAP_FAILED)
			return -errno;
		munmap(page, 4096);
		attr.test.ctx_in = (unsigned long)page;
		attr.test.ctx_size_in = 8;
	} else if (bad == BAD_RUN_REPEAT) {
		attr.test.repeat = 2;
	}
	err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (!err)
		*retval = attr.test.retval;
	return err;
}

/* The attributes a light-skeleton loader uses: syscall, sleepable. */
static void init_load_attr(union bpf_attr *attr, const struct raw_case *c,
			   int *fd_array)
{
	memset(attr, 0, sizeof(*attr));
	attr->prog_type = BPF_PROG_TYPE_SYSCALL;
	attr->prog_flags = BPF_F_SLEEPABLE;
	attr->insns = (unsigned long)insns;
	attr->insn_cnt = nr_insns;
	attr->license = (unsigned long)"GPL";
	if (c->bad_fd_array)
		attr->fd_array = 8;
	else if (!c->no_fd_array && case_fd_array_len(c))
		attr->fd_array = (unsigned long)fd_array;
}

/*
 * Run a loaded program of @c: first the failing run of the case, if any,
 * then c->runs (1) real runs, each of which must return @want.
 */
static int run_loaded(const struct raw_case *c, int prog_fd, __u32 want)
{
	int run, err, bad_want;
	char step[80];
	__u32 retval;

	if (c->bad_run) {
		bad_want = c->bad_run == BAD_RUN_CTX_FAULT ? EFAULT : EINVAL;
		err = test_run(prog_fd, BPF_PROG_TYPE_SYSCALL, c->bad_run,
			       &retval);
		if (err != -bad_want) {
			printf("hornet_raw_loader: failing run: errno %d, want %d\n",
			       -err, bad_want);
			return EXIT_MISMATCH;
		}
		printf("hornet_raw_loader: failing run: errno %d, from BPF_PROG_RUN's own checks\n",
		       bad_want);
	}
	for (run = 0; run < (c->runs ? c->runs : 1); run++) {
		err = test_run(prog_fd, BPF_PROG_TYPE_SYSCALL, BAD_RUN_NONE,
			       &retval);
		if (err) {
			snprintf(step, sizeof(step), "run %d of the program%s",
				 run + 1,
				 c->bad_run ? " after the failing run" : "");
			return report(step, err);
		}
		/* A writing program sees its own earlier writes. */
		if (retval != want && !(c->writes && run)) {
			printf("hornet_raw_loader: program returned %u, want %u\n",
			       retval, want);
			return EXIT_MISMATCH;
		}
	}
	return 0;
}

static int race_stop;
static int race_fds[2];

/* Swap fd_array[0] between two map descriptors until told to stop. */
static void *race_thread(void *arg)
{
	int *slot = arg;
	unsigned int i = 0;

	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED))
		__atomic_store_n(slot, race_fds[++i & 1], __ATOMIC_RELAXED);
	return NULL;
}

/*
 * fd_array_race: load @loops times while fd_array[0] flips. A load that
 * succeeds must run the signed map's program; a refused one must say
 * EKEYREJECTED.
 */
/* The id of the map, or of the one map a program is bound to; 0 on error. */
static __u32 obj_map_id(int fd, int is_prog)
{
	struct bpf_prog_info pinfo;
	struct bpf_map_info minfo;
	union bpf_attr attr;
	__u32 ids[2] = {};

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	if (is_prog) {
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.nr_map_ids = 2;
		pinfo.map_ids = (unsigned long)ids;
		attr.info.info = (unsigned long)&pinfo;
		attr.info.info_len = sizeof(pinfo);
	} else {
		memset(&minfo, 0, sizeof(minfo));
		attr.info.info = (unsigned long)&minfo;
		attr.info.info_len = sizeof(minfo);
	}
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return 0;
	if (!is_prog)
		return minfo.id;
	return pinfo.nr_map_ids == 1 ? ids[0] : 0;
}

/*
 * fd_array_race: load @loops times while fd_array[0] flips. A load that
 * succeeds must be bound to the signed map (checked by map id: the program
 * cannot run here, a thread shares the descriptor table); a refused one
 * must say EKEYREJECTED.
 */
static int run_race(const struct raw_case *c, int *fd_array, int loops)
{
	int i, prog_fd, err = 0, ok = 0, refused = 0;
	__u32 signed_id, bound;
	union bpf_attr attr;
	pthread_t thread;

	signed_id = obj_map_id(c->maps[0].fd, 0);
	if (!signed_id)
		return report("map id of the signed map", EIO);
	race_fds[0] = c->maps[0].fd;
	race_fds[1] = c->maps[1].fd;
	if (pthread_create(&thread, NULL, race_thread, fd_array))
		return report("pthread_create", EAGAIN);
	for (i = 0; i < loops && !err; i++) {
		/* New maps each time: a verified map serves one program. */
		if (i) {
			err = setup_maps(c);
			if (err)
				break;
			signed_id = obj_map_id(c->maps[0].fd, 0);
		}
		init_load_attr(&attr, c, fd_array);
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (prog_fd == -EKEYREJECTED) {
			refused++;
			continue;
		}
		if (prog_fd < 0) {
			err = report("racing load", prog_fd);
			break;
		}
		bound = obj_map_id(prog_fd, 1);
		close(prog_fd);
		if (bound != signed_id) {
			printf("hornet_raw_loader: load %d: bound map id %u, signed map id %u\n",
			       i, bound, signed_id);
			err = EXIT_MISMATCH;
		} else {
			ok++;
		}
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	printf("hornet_raw_loader: %s: %d loads, %d signed map, %d EKEYREJECTED\n",
	       c->name, i, ok, refused);
	return err;
}

/* Stop looping after this many seconds (0: never), see main(). */
static double time_budget;

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An ARRAY_OF_MAPS whose element 0 is the map on descriptor @fd. */
static int put_in_outer_map(int fd)
{
	union bpf_attr attr;
	int outer, err;
	__u32 key = 0;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY_OF_MAPS;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	attr.inner_map_fd = fd;
	outer = sys_bpf(BPF_MAP_CREATE, &attr);
	if (outer < 0)
		return report("create the outer map", outer);
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = outer;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)&fd;
	err = sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
	if (err)
		return report("put the signed map in the outer map", err);
	printf("hornet_raw_loader: signed map is element 0 of outer map %d\n",
	       outer);
	return 0;
}

/*
 * SHARE_RELOAD and SHARE_OUTER_AFTER, after the first load: the signed map
 * must not serve anything else, now or once the program is gone.
 */
static int share_claimed(const struct raw_case *c, int prog_fd)
{
	union bpf_attr attr;
	int fd, err;

	if (c->share == SHARE_OUTER_AFTER) {
		close(prog_fd);
		return put_in_outer_map(c->maps[0].fd);
	}
	init_load_attr(&attr, c, NULL);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0) {
		printf("hornet_raw_loader: second load on the same map: loaded\n");
		return EXIT_MISMATCH;
	}
	printf("hornet_raw_loader: second load on the same map: errno %d\n",
	       -fd);
	close(prog_fd);
	/* The first program's last reference is gone: still not reusable. */
	err = sys_bpf(BPF_PROG_LOAD, &attr);
	if (err != fd) {
		printf("hornet_raw_loader: third load after close: %d, want %d\n",
		       err, fd);
		if (err >= 0)
			close(err);
		return EXIT_MISMATCH;
	}
	return report("load again on the claimed map", fd);
}

static int run_case(const struct raw_case *c, int loops)
{
	static struct raw_ref refs[MAX_REFS];
	static int fd_array_maps[MAX_REFS], fd_array[MAX_REFS];
	int nr, i, err, prog_fd, first = 0, pipefd[2];
	char log_step[64];
	union bpf_attr attr;
	double start;
	__u32 want;

	err = setup_maps(c);
	if (err)
		return err;
	nr = case_refs(c, refs, fd_array_maps);
	for (i = 0; i < case_fd_array_len(c); i++)
		fd_array[i] = c->maps[fd_array_maps[i]].fd;
	for (i = 0; i < nr; i++) {
		if (refs[i].target != REF_PIPE)
			continue;
		if (pipe(pipefd) || dup2(pipefd[0], FD_PIPE) < 0)
			return report("pipe", -errno);
	}
	build_prog(c, refs, nr);
	want = expected_retval(c, refs, nr, fd_array_maps);
	if (c->race)
		return run_race(c, fd_array, loops);

	if (c->share == SHARE_OUTER_BEFORE) {
		err = put_in_outer_map(c->maps[0].fd);
		if (err)
			return err;
	}

	start = now_secs();
	for (i = 0; i < loops; i++) {
		if (time_budget && i && now_secs() - start > time_budget)
			break;
		/*
		 * A verified map belongs to its program for life: every load
		 * gets new maps, as a light skeleton's loader map is new.
		 */
		if (i) {
			err = setup_maps(c);
			if (err)
				return err;
		}
		init_load_attr(&attr, c, fd_array);
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
		err = prog_fd < 0 ? -prog_fd : 0;
		if (i == 0)
			first = err;
		if (err != first) {
			printf("hornet_raw_loader: load %d: errno %d, first load: errno %d\n",
			       i, err, first);
			return EXIT_MISMATCH;
		}
		if (err)
			continue;
		err = run_loaded(c, prog_fd, want);
		if (!err && c->share)
			return share_claimed(c, prog_fd);
		close(prog_fd);
		if (err)
			return err;
	}
	if (first) {
		printf("hornet_raw_loader: %s: %d load(s) refused alike\n",
		       c->name, i);
		snprintf(log_step, sizeof(log_step), "load %s", c->name);
		return report(log_step, first);
	}
	printf("hornet_raw_loader: %s: ok: %d load(s), program returned %u\n",
	       c->name, i, want);
	return 0;
}

/*
 * Hand-made program BTF for the attributes that need one: [1] int,
 * [2] FUNC_PROTO int (void), [3] FUNC hornet_prog; the other strings name
 * a source line for line_info and the CO-RE access string "0".
 */
#define PROG_BTF_INT	1
#define PROG_BTF_FUNC	3

/* The last string is "0" (\x30): "\00" would be one octal escape. */
static const char prog_btf_strs[] =
	"\0int\0hornet_prog\0hornet_raw_loader.c\0r0 = 0\0\x30";

/* Offset of @s in prog_btf_strs. */
static __u32 prog_btf_str(const char *s)
{
	__u32 off = 1;

	while (off < sizeof(prog_btf_strs) && strcmp(prog_btf_strs + off, s))
		off += strlen(prog_btf_strs + off) + 1;
	return off;
}

static int load_prog_btf(void)
{
	static struct {
		struct btf_header hdr;
		__u32 types[4 + 3 + 3];
		char strs[sizeof(prog_btf_strs)];
	} btf = {
		.hdr = {
			.magic = BTF_MAGIC, .version = BTF_VERSION,
			.hdr_len = sizeof(struct btf_header),
			.type_off = 0, .type_len = sizeof(btf.types),
			.str_off = sizeof(btf.types),
			.str_len = sizeof(prog_btf_strs),
		},
	};
	__u32 *t = btf.types;
	union bpf_attr attr;

	/* [1] int: signed, 32 bits */
	t[0] = prog_btf_str("int");
	t[1] = BTF_KIND_INT << 24;
	t[2] = 4;
	t[3] = (BTF_INT_SIGNED << 24) | 32;
	/* [2] int (void) */
	t[4] = 0;
	t[5] = BTF_KIND_FUNC_PROTO << 24;
	t[6] = PROG_BTF_INT;
	/* [3] global function hornet_prog of type [2] */
	t[7] = prog_btf_str("hornet_prog");
	t[8] = (BTF_KIND_FUNC << 24) | BTF_FUNC_GLOBAL;
	t[9] = 2;
	memcpy(btf.strs, prog_btf_strs, sizeof(prog_btf_strs));

	memset(&attr, 0, sizeof(attr));
	attr.btf = (unsigned long)&btf;
	/* Without the struct's tail padding: sections must end the blob. */
	attr.btf_size = offsetof(typeof(btf), strs) + sizeof(btf.strs);
	return sys_bpf(BPF_BTF_LOAD, &attr);
}

/* Bytes that follow struct btf_type for @kind with @vlen; -1: unknown. */
static long btf_type_extra(__u32 kind, __u32 vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (long)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (long)vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return (long)vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return (long)vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return (long)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static int read_whole(const char *path, char **bufp, size_t *lenp)
{
	size_t len = 0, size = 1 << 20;
	char *buf = malloc(size), *bigger;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		return fd < 0 ? -errno : -ENOMEM;
	}
	while ((n = read(fd, buf + len, size - len)) > 0) {
		len += n;
		if (len < size)
			continue;
		bigger = realloc(buf, size * 2);
		if (!bigger) {
			n = -1;
			errno = ENOMEM;
			break;
		}
		buf = bigger;
		size *= 2;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return -errno;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* The type id of the BTF_KIND_FUNC called @name in the BTF file @path. */
static int btf_find_func(const char *path, const char *name, __u32 *idp)
{
	const struct btf_header *hdr;
	const struct btf_type *t;
	const char *types, *strs;
	size_t len = 0, off;
	char *buf = NULL;
	long extra;
	__u32 id;
	int err;

	err = read_whole(path, &buf, &len);
	if (err)
		return err;
	err = -EINVAL;
	hdr = (const void *)buf;
	if (len < sizeof(*hdr) || hdr->magic != BTF_MAGIC ||
	    hdr->hdr_len < sizeof(*hdr) || hdr->hdr_len > len ||
	    hdr->type_off + (__u64)hdr->type_len > len - hdr->hdr_len ||
	    hdr->str_off + (__u64)hdr->str_len > len - hdr->hdr_len ||
	    !hdr->str_len || buf[hdr->hdr_len + hdr->str_off + hdr->str_len - 1])
		goto out;
	types = buf + hdr->hdr_len + hdr->type_off;
	strs = buf + hdr->hdr_len + hdr->str_off;
	err = -ENOENT;
	for (off = 0, id = 1; off + sizeof(*t) <= hdr->type_len; id++) {
		t = (const void *)(types + off);
		extra = btf_type_extra(BTF_INFO_KIND(t->info),
				       BTF_INFO_VLEN(t->info));
		if (extra < 0) {
			err = -EINVAL;
			break;
		}
		if (BTF_INFO_KIND(t->info) == BTF_KIND_FUNC &&
		    t->name_off < hdr->str_len &&
		    !strcmp(strs + t->name_off, name)) {
			*idp = id;
			err = 0;
			break;
		}
		off += sizeof(*t) + extra;
	}
out:
	free(buf);
	return err;
}

#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"

/*
 * Change one load attribute of @attr (a signed syscall program) that the
 * signature does not cover. "sleepable" changes nothing: it is what a
 * light-skeleton loader passes. Returns 0, a negative errno, or -ENOENT
 * for an unknown name.
 */
static int apply_tweak(const struct raw_case *c, const char *name,
		       union bpf_attr *attr)
{
	static struct bpf_func_info func = { .insn_off = 0,
					     .type_id = PROG_BTF_FUNC };
	static struct bpf_line_info line;
	static struct bpf_core_relo relo;
	union bpf_attr plain;
	int fd, need_btf = 0;
	__u32 id;

	if (!strcmp(name, "sleepable")) {
		return 0;
	} else if (!strcmp(name, "flags_0")) {
		attr->prog_flags = 0;
	} else if (!strcmp(name, "socket_filter")) {
		/* A socket filter cannot be sleepable. */
		attr->prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr->prog_flags = 0;
	} else if (!strcmp(name, "tracing")) {
		attr->prog_type = BPF_PROG_TYPE_TRACING;
		attr->prog_flags = 0;
	} else if (!strcmp(name, "expected_attach_type")) {
		attr->expected_attach_type = BPF_CGROUP_INET_EGRESS;
	} else if (!strcmp(name, "attach_btf_id")) {
		/* A real target if the kernel has BTF, else any id. */
		if (btf_find_func(VMLINUX_BTF, "security_bpf", &id))
			id = 1;
		attr->attach_btf_id = id;
	} else if (!strcmp(name, "attach_prog_fd")) {
		/* The same signed program, loaded plainly first. */
		init_load_attr(&plain, c, NULL);
		fd = sys_bpf(BPF_PROG_LOAD, &plain);
		if (fd < 0) {
			report("plain load for attach_prog_fd", fd);
			return fd;
		}
		attr->attach_prog_fd = fd;
	} else if (!strcmp(name, "prog_btf_fd")) {
		need_btf = 1;
	} else if (!strcmp(name, "func_info") || !strcmp(name, "core_relo")) {
		need_btf = 1;
		attr->func_info = (unsigned long)&func;
		attr->func_info_rec_size = sizeof(func);
		attr->func_info_cnt = 1;
		if (!strcmp(name, "core_relo")) {
			/* Patch the immediate of "r0 = 0" with a type id. */
			relo.insn_off = 0;
			relo.type_id = PROG_BTF_INT;
			relo.access_str_off = prog_btf_str("0");
			relo.kind = BPF_CORE_TYPE_ID_LOCAL;
			attr->core_relos = (unsigned long)&relo;
			attr->core_relo_rec_size = sizeof(relo);
			attr->core_relo_cnt = 1;
		}
	} else if (!strcmp(name, "line_info")) {
		need_btf = 1;
		line.insn_off = 0;
		line.file_name_off = prog_btf_str("hornet_raw_loader.c");
		line.line_off = prog_btf_str("r0 = 0");
		line.line_col = (1 << 10) | 1;
		attr->line_info = (unsigned long)&line;
		attr->line_info_rec_size = sizeof(line);
		attr->line_info_cnt = 1;
	} else if (!strcmp(name, "rnd_hi32")) {
		attr->prog_flags |= BPF_F_TEST_RND_HI32;
	} else if (!strcmp(name, "any_alignment")) {
		attr->prog_flags |= BPF_F_ANY_ALIGNMENT;
	} else if (!strcmp(name, "token_fd")) {
		/*
		 * A token cannot be created in the initial user namespace;
		 * the flag with a descriptor that is not a token is enough
		 * to see who refuses it first.
		 */
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			return -errno;
		attr->prog_flags |= BPF_F_TOKEN_FD;
		attr->prog_token_fd = fd;
	} else if (!strcmp(name, "ifindex")) {
		attr->prog_ifindex = 1;	/* lo */
	} else if (!strcmp(name, "kern_version")) {
		attr->kern_version = (6 << 16) | (12 << 8);
	} else {
		return -ENOENT;
	}
	if (need_btf) {
		fd = load_prog_btf();
		if (fd < 0) {
			report("load program BTF", fd);
			return fd;
		}
		attr->prog_btf_fd = fd;
	}
	return 0;
}

/*
 * Load @c once with the attribute @tweak changed; run it if its type can
 * run without a target. Exit status as for run_case().
 */
static int run_attr(const struct raw_case *c, const char *tweak)
{
	union bpf_attr attr;
	char step[96];
	__u32 type, retval, want;
	int prog_fd, err;

	build_prog(c, NULL, 0);
	want = expected_retval(c, NULL, 0, NULL);
	init_load_attr(&attr, c, NULL);
	err = apply_tweak(c, tweak, &attr);
	if (err == -ENOENT)
		return report("unknown attribute", err);
	if (err)
		return -err;
	type = attr.prog_type;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	snprintf(step, sizeof(step), "load %s with %s", c->name, tweak);
	if (prog_fd < 0)
		return report(step, prog_fd);
	printf("hornet_raw_loader: %s: loaded (prog type %u)\n", step, type);
	if (type != BPF_PROG_TYPE_SYSCALL && type != BPF_PROG_TYPE_SOCKET_FILTER)
		return 0;
	err = test_run(prog_fd, type, BAD_RUN_NONE, &retval);
	if (err)
		return report("run", err);
	if (retval != want) {
		printf("hornet_raw_loader: program returned %u, want %u (signed: r0 = %u)\n",
		       retval, want, want);
		return EXIT_MISMATCH;
	}
	printf("hornet_raw_loader: %s: ran, returned %u\n", step, retval);
	return 0;
}

/*
 * -x: load from a process whose executable was replaced with
 * PR_SET_MM_EXE_FILE, which accepts a descriptor opened without read
 * access. The kernel refuses the replacement while the old executable is
 * still mapped, and in this static program every byte of code belongs to
 * it, so the last steps (unmap, replace, load, exit) run from a copy of
 * xswap_stub() in anonymous memory, with nothing but system calls and the
 * context built for it beforehand.
 *
 * -X: the same for each file of a directory in turn (the differential
 * corpus, see diff_gen()): once the first replacement is made nothing of
 * the old executable is mapped, so every further file takes one prctl().
 * One verdict byte per file is written to a file: the load's errno, 0 when
 * it was accepted.
 */
#define XSWAP_MAX_RANGES	32
#define EXIT_XSWAP_UNMAP	248
#define EXIT_XSWAP_PRCTL	249
#define VERDICT_OPEN		255	/* the file could not be opened */
#define VERDICT_PRCTL		254	/* PR_SET_MM_EXE_FILE refused it */

struct xswap_ctx {
	unsigned long start[XSWAP_MAX_RANGES];
	unsigned long len[XSWAP_MAX_RANGES];
	long nr_ranges;
	long open_flags;
	long nr_targets;
	long out_fd;		/* -X: where the verdicts go; -x: -1 */
	char **names;		/* into the same anonymous mapping */
	unsigned char *verdicts;
	union bpf_attr attr;
	struct bpf_insn insns[MAX_INSNS];
	char license[4];
	char msg_unmap[64], msg_prctl[64], msg_load[96];
	long len_unmap, len_prctl, len_load;
};

#ifdef __x86_64__
static __always_inline long
xsys(long nr, long a, long b, long c, long d)
{
	register long r10 asm("r10") = d;
	register long r8 asm("r8") = 0;	/* prctl() wants its arg5 zero */
	long ret;

	asm volatile("syscall" : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
		     : "rcx", "r11", "memory");
	return ret;
}

static __attribute__((section("hornet_xswap"), used, noinline, noreturn,
		      no_stack_protector,
		      optimize("no-reorder-blocks-and-partition")))
void xswap_stub(struct xswap_ctx *x)
{
	long i, k, fd, ret;

	for (i = 0; i < x->nr_ranges; i++) {
		if (xsys(__NR_munmap, x->start[i], x->len[i], 0, 0)) {
			xsys(__NR_write, 1, (long)x->msg_unmap, x->len_unmap, 0);
			xsys(__NR_exit_group, EXIT_XSWAP_UNMAP, 0, 0, 0);
		}
	}
	for (i = 0; i < x->nr_targets; i++) {
		fd = xsys(__NR_openat, AT_FDCWD, (long)x->names[i],
			  x->open_flags | O_CLOEXEC, 0);
		if (fd < 0) {
			x->verdicts[i] = VERDICT_OPEN;
			continue;
		}
		ret = xsys(__NR_prctl, PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0);
		xsys(__NR_close, fd, 0, 0, 0);
		if (ret && x->out_fd < 0) {
			/* "...: errno " then up to three digits, a newline. */
			for (k = 100, ret = -ret; k; k /= 10)
				if (ret >= k || k == 1)
					x->msg_prctl[x->len_prctl++] =
						'0' + ret / k % 10;
			x->msg_prctl[x->len_prctl++] = '\n';
			xsys(__NR_write, 1, (long)x->msg_prctl, x->len_prctl, 0);
			xsys(__NR_exit_group, EXIT_XSWAP_PRCTL, 0, 0, 0);
		}
		if (ret) {
			x->verdicts[i] = VERDICT_PRCTL;
			continue;
		}
		ret = xsys(__NR_bpf, BPF_PROG_LOAD, (long)&x->attr,
			   sizeof(x->attr), 0);
		if (ret >= 0)
			xsys(__NR_close, ret, 0, 0, 0);
		x->verdicts[i] = ret < 0 ? -ret : 0;
	}
	xsys(__NR_write, 1, (long)x->msg_load, x->len_load, 0);
	if (x->out_fd < 0)
		xsys(__NR_exit_group, x->verdicts[0], 0, 0, 0);
	ret = xsys(__NR_write, x->out_fd, (long)x->verdicts, x->nr_targets, 0);
	xsys(__NR_exit_group, ret == x->nr_targets ? 0 : EIO, 0, 0, 0);
	for (;;)
		;
}

extern const char __start_hornet_xswap[], __stop_hornet_xswap[];

/* The ranges of /proc/self/maps that map this program's executable. */
static int exe_ranges(struct xswap_ctx *x)
{
	char exe[PATH_MAX], line[PATH_MAX + 128], *path;
	unsigned long start, end;
	ssize_t n;
	FILE *f;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		path = strchr(line, '/');
		if (!path || strcmp(path, exe) ||
		    sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (x->nr_ranges == XSWAP_MAX_RANGES) {
			fclose(f);
			return -E2BIG;
		}
		x->start[x->nr_ranges] = start;
		x->len[x->nr_ranges++] = end - start;
	}
	fclose(f);
	return x->nr_ranges ? 0 : -ENOENT;
}

/*
 * Load @c (no maps) with each of the @nr files in @names as the executable
 * in turn, opened with @open_flags; the verdicts go to @out_fd (-X), or
 * the one verdict is the exit status (-x, @out_fd < 0). Does not return.
 */
static int run_xswap(const struct raw_case *c, const char *mode,
		     long open_flags, const char *const *names, long nr,
		     int out_fd)
{
	size_t stub_len = __stop_hornet_xswap - __start_hornet_xswap;
	size_t size = sizeof(struct xswap_ctx) + nr * (sizeof(char *) + 1);
	void (*stub)(struct xswap_ctx *x);
	struct xswap_ctx *x;
	char *pool;
	void *code;
	long i;
	int err;

	for (i = 0; i < nr; i++)
		size += strlen(names[i]) + 1;

	if (c->nr_maps || c->nr_refs)
		return report("-x and -X take a case without maps", EINVAL);
	x = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	code = mmap(NULL, stub_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x == MAP_FAILED || code == MAP_FAILED)
		return report("mmap", -errno);
	err = exe_ranges(x);
	if (err)
		return report("find the executable's mappings", err);
	x->open_flags = open_flags;
	x->nr_targets = nr;
	x->out_fd = out_fd;
	x->names = (char **)(x + 1);
	x->verdicts = (unsigned char *)(x->names + nr);
	pool = (char *)(x->verdicts + nr);
	for (i = 0; i < nr; i++) {
		size_t n = strlen(names[i]) + 1;

		x->names[i] = memcpy(pool, names[i], n);
		pool += n;
	}
	build_prog(c, NULL, 0);
	init_load_attr(&x->attr, c, NULL);
	memcpy(x->insns, insns, nr_insns * sizeof(insns[0]));
	memcpy(x->license, "GPL", 4);
	x->attr.insns = (unsigned long)x->insns;
	x->attr.license = (unsigned long)x->license;
	x->len_unmap = snprintf(x->msg_unmap, sizeof(x->msg_unmap),
				"hornet_raw_loader: munmap failed\n");
	x->len_prctl = snprintf(x->msg_prctl, sizeof(x->msg_prctl),
				"hornet_raw_loader: PR_SET_MM_EXE_FILE: errno ");
	x->len_load = snprintf(x->msg_load, sizeof(x->msg_load),
			       "hornet_raw_loader: load %s with the executable replaced (%s)\n",
			       c->name, mode);
	memcpy(code, __start_hornet_xswap, stub_len);
	if (mprotect(code, stub_len, PROT_READ | PROT_EXEC))
		return report("mprotect", -errno);
	printf("hornet_raw_loader: %lu mapping(s) of the executable, stub %zu bytes, %ld file(s)\n",
	       (unsigned long)x->nr_ranges, stub_len, nr);
	fflush(stdout);
	stub = (void *)((char *)code + ((char *)xswap_stub - __start_hornet_xswap));
	stub(x);
	return EXIT_MISMATCH;	/* not reached */
}
#else
static int run_xswap(const struct raw_case *c, const char *mode,
		     long open_flags, const char *const *names, long nr,
		     int out_fd)
{
	return report("-x and -X are implemented for x86_64 only", EOPNOTSUPP);
}
#endif

static int run_exe_swap(const struct raw_case *c, const char *mode,
			const char *target)
{
	const char *names[1] = { target };
	long flags;
	int fd;

	if (!strcmp(mode, "r"))
		flags = O_RDONLY;
	else if (!strcmp(mode, "n"))
		flags = O_ACCMODE;	/* neither FMODE_READ nor FMODE_WRITE */
	else
		return report("-x mode is r or n", EINVAL);
	/* Opened here once for a clear message; the stub opens it again. */
	fd = open(target, flags | O_CLOEXEC);
	if (fd < 0)
		return report("open the new executable", -errno);
	close(fd);
	return run_xswap(c, mode, flags, names, 1, -1);
}

/* -X DIR N OUT: DIR/00000 ... DIR/N-1, verdicts to OUT. */
static int run_exe_swap_dir(const struct raw_case *c, const char *dir,
			    const char *count, const char *out)
{
	long i, nr = atol(count);
	const char **names;
	int fd;

	if (nr < 1 || nr > 100000)
		return report("-X count out of range", EINVAL);
	if (chdir(dir))
		return report("chdir to the corpus", -errno);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return report("create the verdict file", -errno);
	names = calloc(nr, sizeof(*names));
	if (!names)
		return report("calloc", ENOMEM);
	for (i = 0; i < nr; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%05ld", i);
		names[i] = strdup(name);
		if (!names[i])
			return report("strdup", ENOMEM);
	}
	return run_xswap(c, "corpus", O_RDONLY, names, nr, fd);
}

/*
 * Load @c ("r0 = 1; exit", signed) as BPF_MODIFY_RETURN on security_bpf,
 * attach it and pin the link at @pin, so that it outlives this process:
 * from then on security_bpf() returns 1 without calling the LSMs.
 */
static int run_fmod_ret(const struct raw_case *c, const char *pin)
{
	int prog_fd, link_fd, err;
	union bpf_attr attr;
	__u32 id;

	err = btf_find_func(VMLINUX_BTF, "security_bpf", &id);
	if (err)
		return report("find security_bpf in " VMLINUX_BTF, err);
	build_prog(c, NULL, 0);
	init_load_attr(&attr, c, NULL);
	attr.prog_type = BPF_PROG_TYPE_TRACING;
	attr.prog_flags = 0;
	attr.expected_attach_type = BPF_MODIFY_RETURN;
	attr.attach_btf_id = id;
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (prog_fd < 0)
		return report("load as fmod_ret on security_bpf", prog_fd);
	printf("hornet_raw_loader: fmod_ret: loaded on security_bpf (BTF id %u)\n",
	       id);

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog_fd;
	attr.link_create.attach_type = BPF_MODIFY_RETURN;
	link_fd = sys_bpf(BPF_LINK_CREATE, &attr);
	if (link_fd < 0)
		return report("attach (BPF_LINK_CREATE)", link_fd);

	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)pin;
	attr.bpf_fd = link_fd;
	err = sys_bpf(BPF_OBJ_PIN, &attr);
	if (err)
		return report("pin the link", err);
	printf("hornet_raw_loader: fmod_ret: attached, link pinned at %s\n", pin);
	return 0;
}

/* Did a stress child's run succeed? If not, set *err. */
static int reaped_ok(int status, int *err)
{
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 1;
	*err = report("run in a child", WIFEXITED(status) ?
		      WEXITSTATUS(status) : EINTR);
	return 0;
}

/*
 * "CASE -s N": N iterations of one of four actions, in turn, each on a new
 * program: load, run, run again (refused: a program with signed maps runs
 * once); load and close at once; load, run in a child while the parent
 * closes its descriptor; load with prog_flags 0 instead of the signed
 * BPF_F_SLEEPABLE (refused: EKEYREJECTED). Without a signature every load
 * must be refused like the first. Prints the counts the test compares with
 * Hornet's counters.
 */
static int run_stress(const struct raw_case *c, int iterations)
{
	static struct raw_ref refs[MAX_REFS];
	static int fd_array_maps[MAX_REFS], fd_array[MAX_REFS];
	int nr, i, err = 0, prog_fd, base = 0, status, children = 0;
	unsigned int accepted = 0, refused = 0, runs = 0, run_refused = 0;
	unsigned int child_runs = 0;
	union bpf_attr attr;
	__u32 want, retval;
	pid_t pid;

	nr = case_refs(c, refs, fd_array_maps);
	for (i = 0; i < case_fd_array_len(c); i++)
		fd_array[i] = c->maps[fd_array_maps[i]].fd;
	build_prog(c, refs, nr);
	want = expected_retval(c, refs, nr, fd_array_maps);

	for (i = 0; i < iterations && !err; i++) {
		int action = i % 4;

		err = setup_maps(c);
		if (err)
			break;
		init_load_attr(&attr, c, fd_array);
		if (action == 3)
			attr.prog_flags = 0;
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (i == 0 && prog_fd < 0)
			base = prog_fd;
		if (prog_fd < 0) {
			refused++;
			if (prog_fd != (base ?: -EKEYREJECTED) ||
			    (!base && action != 3))
				err = report("stress load", prog_fd);
			continue;
		}
		accepted++;
		if (base || action == 3) {
			printf("hornet_raw_loader: stress %d: %s\n", i,
			       "accepted a load that must be refused");
			err = EXIT_MISMATCH;
		}
		if (action == 0) {
			err = test_run(prog_fd, BPF_PROG_TYPE_SYSCALL,
				       BAD_RUN_NONE, &retval);
			if (!err && retval != want)
				err = EXIT_MISMATCH;
			runs += !err;
			if (!err && test_run(prog_fd, BPF_PROG_TYPE_SYSCALL,
					     BAD_RUN_NONE, &retval) != -EKEYREJECTED) {
				printf("hornet_raw_loader: stress %d: second run not refused\n",
				       i);
				err = EXIT_MISMATCH;
			}
			run_refused += !err;
		} else if (action == 2) {
			pid = fork();
			if (pid < 0) {
				err = report("fork", -errno);
			} else if (!pid) {
				err = test_run(prog_fd, BPF_PROG_TYPE_SYSCALL,
					       BAD_RUN_NONE, &retval);
				_exit(err ? -err : retval == want ? 0 :
				      EXIT_MISMATCH);
			} else {
				children++;
			}
		}
		close(prog_fd);
		/* Reap the children that are done, then all of them. */
		while (children && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
			children--;
			child_runs += reaped_ok(status, &err);
		}
	}
	while (children && waitpid(-1, &status, 0) > 0) {
		children--;
		child_runs += reaped_ok(status, &err);
	}
	printf("hornet_raw_loader: stress %s: iterations=%d", c->name, i);
	printf(" loads_accepted=%u loads_refused=%u", accepted, refused);
	printf(" runs_accepted=%u runs_refused=%u first_errno=%d\n",
	       runs + child_runs, run_refused, -base);
	return err;
}

/*
 * The fault loop of "CASE -f load|run". A load or run that fails under a
 * fault must fail with ENOMEM or EIO, or with the errno the case gets
 * without a fault; one that succeeds must run as it does without a fault.
 * A case refused without a fault must never be accepted under one. The
 * sites move a little from one call to the next (slab refills), so the
 * loop runs twice over N = 1, 2, ... to miss fewer of them.
 */
enum fault_at { FAULT_AT_LOAD, FAULT_AT_RUN };

/*
 * @cold: the load is expected to be refused with EKEYREJECTED, and no load
 * without a fault runs first. A first load would set up what the kernel
 * creates on first use (a crypto algorithm instance), and so hide the
 * failures of that set-up from the faults.
 */
static int run_faults(const struct raw_case *c, enum fault_at at, bool cold)
{
	static const int ok[] = { ENOMEM, EIO, 0 };
	static struct raw_ref refs[MAX_REFS];
	static int fd_array_maps[MAX_REFS], fd_array[MAX_REFS];
	struct fault_counts counts = { 0 };
	int nr, i, err, prog_fd, fired, base = 0, pass = 0;
	bool replay = false;
	union bpf_attr attr;
	unsigned int n;
	__u32 want, retval;

	nr = case_refs(c, refs, fd_array_maps);
	for (i = 0; i < case_fd_array_len(c); i++)
		fd_array[i] = c->maps[fd_array_maps[i]].fd;
	build_prog(c, refs, nr);
	want = expected_retval(c, refs, nr, fd_array_maps);

	/* n == 0: the outcome without a fault (checked later when cold). */
	if (cold)
		base = -EKEYREJECTED;
	for (n = cold; pass < 2 && n <= FAULT_MAX_SITES; n++) {
		err = setup_maps(c);
		if (err)
			return err;
		init_load_attr(&attr, c, fd_array);
		fired = 0;
		err = n && at == FAULT_AT_LOAD ? fault_arm(n) : 0;
		if (err)
			return report("arm fail-nth", err);
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (n && at == FAULT_AT_LOAD)
			fired = fault_disarm();
		err = prog_fd < 0 ? prog_fd : 0;
		if (!err) {
			err = n && at == FAULT_AT_RUN ? fault_arm(n) : 0;
			if (err)
				return report("arm fail-nth", err);
			err = test_run(prog_fd, BPF_PROG_TYPE_SYSCALL,
				       BAD_RUN_NONE, &retval);
			if (n && at == FAULT_AT_RUN)
				fired = fault_disarm();
			close(prog_fd);
			if (!err && retval != want) {
				printf("hornet_raw_loader: fault %u: returned %u, want %u\n",
				       n, retval, want);
				return EXIT_MISMATCH;
			}
		}
		if (fired < 0)
			return report("read fail-nth", fired);
		if (!n) {
			base = err;
			if (at != FAULT_AT_LOAD && base)
				return report("load without a fault", base);
			continue;
		}
		if (!fired) {
			if (err != base) {
				printf("hornet_raw_loader: no fault at %u: errno %d, %s %d\n",
				       n, -err, "without faults", -base);
				return EXIT_MISMATCH;
			}
			/* The next pass starts again at N = 1. */
			pass++;
			n = 0;
			continue;
		}
		if (base && !err) {
			printf("hornet_raw_loader: fault %u: a refused case was accepted\n",
			       n);
			return EXIT_MISMATCH;
		}
		if (err == base)
			err = 0;
		fault_count(&counts, n, err, ok);
		/* Replay an unexpected outcome once, with the fault's stack. */
		if (!replay && fault_odd(err, ok)) {
			fault_verbose(true);
			replay = true;
			n--;
			continue;
		}
		if (replay)
			fault_verbose(false);
		replay = false;
	}
	printf("hornet_raw_loader: %s: without faults: errno %d\n", c->name,
	       -base);
	return fault_report("hornet_raw_loader",
			    at == FAULT_AT_LOAD ? "load" : "run", &counts);
}

/*
 * diffgen: the differential corpus. From PKCS#7 seeds (DER files over the
 * no_maps payload) write @nr small files OUTDIR/00000 ... : 16 bytes of
 * padding, one seed's DER and either a module-signing trailer or a
 * one-entry signature table (security/hornet.rst), most of them changed by one
 * random mutation of the DER, of the trailer or of the table. The build
 * host runs this and asks sign-ebpf --verify about each file; the VM runs
 * it again with the same arguments (the same bytes: its checksum is
 * compared) and asks the kernel (-X). Deterministic: one fixed PRNG seed.
 */
#define DIFF_PAD		16
#define DIFF_MAX_SEEDS		8
#define DIFF_MAX_DER		8192
#define DIFF_MAGIC		"~eBPF signature appended~\n"
#define DIFF_TABLE_MAGIC	"~eBPF signature table v1~\n"

static unsigned long long diff_state = 0x6a09e667f3bcc908ULL;

static unsigned int diff_rand(unsigned int n)
{
	/* xorshift64* */
	diff_state ^= diff_state >> 12;
	diff_state ^= diff_state << 25;
	diff_state ^= diff_state >> 27;
	return (unsigned int)((diff_state * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static void put_be32(unsigned char *p, unsigned int v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* One corpus file into @buf; returns its length. */
static size_t diff_one(unsigned char *buf, unsigned char seeds[][DIFF_MAX_DER],
		       const size_t *seed_len, int nr_seeds,
		       const unsigned char *digest)
{
	unsigned int m = diff_rand(100), i, k, at;
	int table = diff_rand(3) == 0;
	unsigned char *der = buf + DIFF_PAD;
	size_t der_len, end, tail;

	k = diff_rand(nr_seeds);
	memset(buf, 'P', DIFF_PAD);
	memcpy(der, seeds[k], seed_len[k]);
	der_len = seed_len[k];
	/* 5 in 100 unchanged; DER mutations, sig_len following the length. */
	if (m < 5) {
		/* the seed as it is */
	} else if (m < 35) {
		for (i = 1 + diff_rand(4); i; i--) {
			at = diff_rand(der_len);
			der[at] ^= 1 << diff_rand(8);
		}
	} else if (m < 45) {
		at = diff_rand(der_len);
		der[at] = diff_rand(256);
	} else if (m < 52) {
		der_len = 1 + diff_rand(der_len - 1);
	} else if (m < 57) {
		for (i = 1 + diff_rand(8); i && der_len < DIFF_MAX_DER; i--)
			der[der_len++] = diff_rand(256);
	} else if (m < 62) {
		at = diff_rand(der_len);
		k = 1 + diff_rand(der_len - at < 16 ? der_len - at : 16);
		memmove(der + at, der + at + k, der_len - at - k);
		der_len -= k;
	}
	end = DIFF_PAD + der_len;
	if (table) {
		memcpy(buf + end, digest, 32);
		put_be32(buf + end + 32, der_len);
		put_be32(buf + end + 36, 0);
		put_be32(buf + end + 40, 1);
		put_be32(buf + end + 44, 0);
		memcpy(buf + end + 48, DIFF_TABLE_MAGIC, 26);
		tail = 48 + 26;
	} else {
		memset(buf + end, 0, 8);
		buf[end + 2] = 2;	/* id_type PKEY_ID_PKCS7 */
		put_be32(buf + end + 8, der_len);
		memcpy(buf + end + 12, DIFF_MAGIC, 26);
		tail = 12 + 26;
	}
	/* Mutations of the trailer or table. */
	if (m < 62) {
		/* the DER was changed, or nothing */
	} else if (m < 72) {
		/* a header field (trailer) or an entry byte (table) */
		at = table ? diff_rand(48) : diff_rand(8);
		k = diff_rand(4);
		buf[end + at] = k ? diff_rand(256) : buf[end + at] ^ 1;
	} else if (m < 82) {
		k = diff_rand(4);
		k = k ? der_len + diff_rand(9) - 4 : diff_rand(1 << 20);
		put_be32(buf + end + (table ? 32 : 8), k);
	} else if (m < 87) {
		at = end + tail - 1 - diff_rand(26);
		buf[at] ^= 1 << diff_rand(8);
	} else {
		/* Two mutations: a DER bit and the length by one. */
		at = diff_rand(der_len);
		der[at] ^= 1 << diff_rand(8);
		k = diff_rand(2);
		put_be32(buf + end + (table ? 32 : 8), k ? der_len + 1 : der_len - 1);
	}
	return end + tail;
}

static int diff_gen(const char *dir, long nr, const char *digest_path,
		    char **seed_paths, int nr_seeds)
{
	static unsigned char seeds[DIFF_MAX_SEEDS][DIFF_MAX_DER];
	static unsigned char buf[DIFF_PAD + 2 * DIFF_MAX_DER];
	unsigned long long fnv = 0xcbf29ce484222325ULL;
	size_t seed_len[DIFF_MAX_SEEDS], len, j;
	unsigned char digest[32];
	char path[PATH_MAX];
	long i;
	int fd, k;

	if (nr < 1 || nr > 100000 || nr_seeds < 1 || nr_seeds > DIFF_MAX_SEEDS)
		return report("diffgen: count or seeds out of range", EINVAL);
	fd = open(digest_path, O_RDONLY);
	if (fd < 0 || read(fd, digest, 32) != 32)
		return report("diffgen: read the payload digest", EIO);
	close(fd);
	for (k = 0; k < nr_seeds; k++) {
		fd = open(seed_paths[k], O_RDONLY);
		if (fd < 0)
			return report("diffgen: open a seed", -errno);
		len = read(fd, seeds[k], DIFF_MAX_DER);
		close(fd);
		if (len < 2 || len >= DIFF_MAX_DER / 2)
			return report("diffgen: seed size", EINVAL);
		seed_len[k] = len;
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return report("diffgen: mkdir", -errno);
	for (i = 0; i < nr; i++) {
		len = diff_one(buf, seeds, seed_len, nr_seeds, digest);
		for (j = 0; j < len; j++)
			fnv = (fnv ^ buf[j]) * 0x100000001b3ULL;
		snprintf(path, sizeof(path), "%s/%05ld", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
			return report("diffgen: write a file", EIO);
		close(fd);
	}
	printf("diffgen: %ld files, fnv64 %016llx\n", nr, fnv);
	return 0;
}

static const struct raw_case *find_case(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_CASES; i++)
		if (!strcmp(cases[i].name, name))
			return &cases[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct raw_case *c;
	unsigned int i;
	int loops = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (i = 0; i < NR_CASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
#ifdef HORNET_PAYLOAD_TOOL
	if (argc == 4 && !strcmp(argv[1], "payload")) {
		c = find_case(argv[2]);
		if (!c)
			return report("unknown case", EINVAL);
		return write_payload(c, argv[3]);
	}
#endif
	if (argc >= 6 && !strcmp(argv[1], "diffgen"))
		return diff_gen(argv[2], atol(argv[3]), argv[4], argv + 5,
				argc - 5);
	c = argc >= 2 && argc <= 6 ? find_case(argv[1]) : NULL;
	if (c && argc == 4 && !strcmp(argv[2], "-a"))
		return run_attr(c, argv[3]);
	if (c && argc == 4 && !strcmp(argv[2], "-p"))
		return run_fmod_ret(c, argv[3]);
	if (c && argc == 4 && !strcmp(argv[2], "-f")) {
		if (!strcmp(argv[3], "load"))
			return run_faults(c, FAULT_AT_LOAD, false);
		if (!strcmp(argv[3], "cold"))
			return run_faults(c, FAULT_AT_LOAD, true);
		if (!strcmp(argv[3], "run"))
			return run_faults(c, FAULT_AT_RUN, false);
	}
	if (c && argc == 5 && !strcmp(argv[2], "-x"))
		return run_exe_swap(c, argv[3], argv[4]);
	if (c && argc == 6 && !strcmp(argv[2], "-X"))
		return run_exe_swap_dir(c, argv[3], argv[4], argv[5]);
	if (c && argc == 4 && !strcmp(argv[2], "-s") && atoi(argv[3]) > 0)
		return run_stress(c, atoi(argv[3]));
	if (argc >= 3)
		loops = atoi(argv[2]);
	if (argc == 4)
		time_budget = atoi(argv[3]);
	if (!c || loops < 1) {
		fprintf(stderr, "Usage: %s list | payload CASE FILE | CASE [LOOPS [SECONDS]] |\n"
			"       CASE -a ATTRIBUTE | CASE -p PIN | CASE -f load|cold|run |\n"
			"       CASE -s ITERATIONS | CASE -x r|n TARGET\n", argv[0]);
		return report("usage", EINVAL);
	}
	return run_case(c, loops);
}
