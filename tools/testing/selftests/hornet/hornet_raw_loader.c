// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest raw loader: hand-built instruction arrays that reference
 * maps in every BPF_LD_IMM64 form, plus the malformed references Hornet must
 * refuse (hostile inputs H05-H08, H10 and the errno table of Hornet.rst).
 *
 * Usage:
 *   hornet_raw_loader payload CASE FILE   write the payload Hornet will
 *                                         compute for CASE (build time)
 *   hornet_raw_loader CASE [LOOPS [SECS]]  set up the maps of CASE and run
 *                                         BPF_PROG_LOAD LOOPS times (1), or
 *                                         until SECS seconds have passed
 *   hornet_raw_loader list                print the case names
 *
 * A signed copy of this program exists per case, each signed over the
 * payload of its case. Every map sits on a fixed descriptor (dup2), so the
 * instructions the build signs are the ones the run loads.
 *
 * Exit status: 0 if every load succeeded and the program returned the sum
 * it was built to return; otherwise the errno of the failing step (all
 * loads must fail the same way), or EXIT_MISMATCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/unistd.h>

#define EXIT_MISMATCH	250
#define MAX_MAPS	4
#define MAX_REFS	70
#define MAX_INSNS	(MAX_REFS * 8 + 8)
#define FD_BASE		100	/* first fixed descriptor for maps */
#define FD_PIPE		120
#define FD_CLOSED	150
#define KEY_ZERO_OFF	-8
#define PAYLOAD_MAX	(16 << 20)

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
	/* H06: FD and IDX forms mixed; IDX references come first. */
	{ .name = "mixed_fd_idx",
	  .maps = { ARRAY1_AT(FD_BASE), ARRAY1_AT(FD_BASE + 1) },
	  .nr_maps = 2, .fd_array = { 1 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 },
		    { BPF_PSEUDO_MAP_IDX, REF_MAP, 1, 0 } }, .nr_refs = 2 },
	/* H07: one index three times: its contents are signed once. */
	{ .name = "same_idx_thrice",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_IDX_VALUE, REF_MAP, 0, 0 } },
	  .nr_refs = 3 },
	/* H07: one map through an index and through its fd: refused. */
	{ .name = "same_map_idx_and_fd",
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .fd_array = { 0 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 0, 0 },
		    { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 2 },
	/* H07: map on fd 0; fd_array[0] names another map than fd 0. */
	{ .name = "idx0_is_not_fd0",
	  .maps = { ARRAY1_AT(0), ARRAY1_AT(FD_BASE) },
	  .nr_maps = 2, .fd_array = { 1 }, .nr_fd_array = 1,
	  .refs = { { BPF_PSEUDO_MAP_IDX, REF_MAP, 1, 0 },
		    { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 2 },
	{ .name = "map_on_fd0",
	  .maps = { ARRAY1_AT(0) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* H08: all of a map is signed, not just element 0. */
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
	/* H08: maps whose contents are not a plain byte sequence. */
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
	 * H11: frozen stops syscall writes only. A program that writes its
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
	{ .name = "run_twice", .runs = 2,
	  .maps = { ARRAY1_AT(FD_BASE) }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_VALUE, REF_MAP, 0 } }, .nr_refs = 1 },
	/* H10: a signed map that userspace could still rewrite. */
	{ .name = "unfrozen_array",
	  .maps = { { BPF_MAP_TYPE_ARRAY, 4, 8, 1, FD_BASE, 1 } }, .nr_maps = 1,
	  .refs = { { BPF_PSEUDO_MAP_FD, REF_MAP, 0 } }, .nr_refs = 1 },
	/* H05: references that name no map. */
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

/*
 * r7 = 0; for each reference: r1 = ref; r7 += 32-bit word at element 0
 * (through bpf_map_lookup_elem for map forms, directly for value forms);
 * r0 = r7; exit.
 */
static void build_prog(const struct raw_case *c, struct raw_ref *refs,
		       int nr_refs)
{
	int i;

	nr_insns = 0;
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

static void fill_value(char *buf, __u32 size, int m, __u32 i, int changed)
{
	__u64 v = elem_value(m, i, changed);
	__u32 off;

	memset(buf, 0, size);
	for (off = 0; off + sizeof(v) <= size; off += sizeof(v))
		memcpy(buf + off, &v, sizeof(v));
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

static int ref_before(const struct raw_case *c, const struct raw_ref *a,
		      const struct raw_ref *b)
{
	if (ref_is_idx(a->src) != ref_is_idx(b->src))
		return ref_is_idx(a->src);
	return ref_imm(c, a) < ref_imm(c, b);
}

/*
 * Write the payload of @c to @path: the instructions, then the contents of
 * each distinct reference (IDX by ascending index, then FD by ascending fd).
 */
static int write_payload(const struct raw_case *c, const char *path)
{
	static struct raw_ref refs[MAX_REFS], sorted[MAX_REFS];
	static int fd_array_maps[MAX_REFS];
	static char value[4096];
	int nr, nr_sorted = 0, i, j, fd, err, m;
	__u64 total;
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

	/*
	 * Hornet refuses payloads over 16 MiB before it verifies anything,
	 * and sign-ebpf will not sign them: sign the instructions alone.
	 */
	total = nr_insns * sizeof(insns[0]);
	for (i = 0; i < nr_sorted; i++)
		if (sorted[i].target == REF_MAP && !ref_is_idx(sorted[i].src))
			total += (__u64)c->maps[sorted[i].map].value_size *
				 c->maps[sorted[i].map].max_entries;
	if (total > PAYLOAD_MAX)
		nr_sorted = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	err = write_all(fd, insns, nr_insns * sizeof(insns[0]));
	for (i = 0; !err && i < nr_sorted; i++) {
		const struct raw_map *map;

		if (sorted[i].target != REF_MAP)
			continue;
		m = ref_is_idx(sorted[i].src) ?
			fd_array_maps[sorted[i].imm] : sorted[i].map;
		map = &c->maps[m];
		if (map->type != BPF_MAP_TYPE_ARRAY)
			continue;
		for (e = 0; !err && e < map->max_entries; e++) {
			fill_value(value, map->value_size, m, e, 0);
			err = write_all(fd, value, map->value_size);
		}
	}
	if (close(fd) && !err)
		err = -errno;
	return -err;
}

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
	int i, fd, err;
	__u32 e;

	for (i = 0; i < c->nr_maps; i++) {
		const struct raw_map *map = &c->maps[i];

		if (map->fd == 0)
			close(0);
		memset(&attr, 0, sizeof(attr));
		attr.map_type = map->type;
		attr.key_size = map->key_size;
		attr.value_size = map->value_size;
		attr.max_entries = map->max_entries;
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
			for (e = 0; e < map->max_entries; e++) {
				fill_value(value, map->value_size, i, e,
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
	__u32 sum = 0;
	int i, m;

	for (i = 0; i < nr; i++) {
		if (refs[i].target != REF_MAP)
			continue;
		m = ref_is_idx(refs[i].src) ? fd_array_maps[refs[i].imm] :
					      refs[i].map;
		if (c->maps[m].type == BPF_MAP_TYPE_ARRAY)
			sum += (__u32)elem_value(m, 0, 0);
	}
	return sum;
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
static int run_race(const struct raw_case *c, int *fd_array, int loops,
		    __u32 want)
{
	int i, prog_fd, err = 0, ok = 0, refused = 0;
	union bpf_attr attr;
	char data[64];
	pthread_t thread;

	race_fds[0] = c->maps[0].fd;
	race_fds[1] = c->maps[1].fd;
	if (pthread_create(&thread, NULL, race_thread, fd_array))
		return report("pthread_create", EAGAIN);
	for (i = 0; i < loops && !err; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr.insns = (unsigned long)insns;
		attr.insn_cnt = nr_insns;
		attr.license = (unsigned long)"GPL";
		attr.fd_array = (unsigned long)fd_array;
		prog_fd = sys_bpf(BPF_PROG_LOAD, &attr);
		if (prog_fd == -EKEYREJECTED) {
			refused++;
			continue;
		}
		if (prog_fd < 0) {
			err = report("racing load", prog_fd);
			break;
		}
		memset(data, 0, sizeof(data));
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = prog_fd;
		attr.test.data_in = (unsigned long)data;
		attr.test.data_size_in = sizeof(data);
		err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
		close(prog_fd);
		if (err) {
			err = report("racing run", err);
		} else if (attr.test.retval != want) {
			printf("hornet_raw_loader: load %d: unsigned map bound (%u, want %u)\n",
			       i, attr.test.retval, want);
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

static int run_case(const struct raw_case *c, int loops)
{
	static struct raw_ref refs[MAX_REFS];
	static int fd_array_maps[MAX_REFS], fd_array[MAX_REFS];
	char data[64], log_step[64];
	int nr, i, err, prog_fd, first = 0, pipefd[2], run;
	double start;
	union bpf_attr attr;
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
		return run_race(c, fd_array, loops, want);

	start = now_secs();
	for (i = 0; i < loops; i++) {
		if (time_budget && i && now_secs() - start > time_budget)
			break;
		memset(&attr, 0, sizeof(attr));
		attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
		attr.insns = (unsigned long)insns;
		attr.insn_cnt = nr_insns;
		attr.license = (unsigned long)"GPL";
		if (c->bad_fd_array)
			attr.fd_array = 8;
		else if (!c->no_fd_array && case_fd_array_len(c))
			attr.fd_array = (unsigned long)fd_array;
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

		for (run = 0; run < (c->runs ? c->runs : 1); run++) {
			memset(data, 0, sizeof(data));
			memset(&attr, 0, sizeof(attr));
			attr.test.prog_fd = prog_fd;
			attr.test.data_in = (unsigned long)data;
			attr.test.data_size_in = sizeof(data);
			err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
			if (err) {
				close(prog_fd);
				snprintf(log_step, sizeof(log_step),
					 "run %d of the program", run + 1);
				return report(log_step, err);
			}
			/* A writing program sees its own earlier writes. */
			if (attr.test.retval != want && !(c->writes && run)) {
				close(prog_fd);
				printf("hornet_raw_loader: program returned %u, want %u\n",
				       attr.test.retval, want);
				return EXIT_MISMATCH;
			}
		}
		close(prog_fd);
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

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (i = 0; i < NR_CASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "payload")) {
		c = find_case(argv[2]);
		if (!c)
			return report("unknown case", EINVAL);
		return write_payload(c, argv[3]);
	}
	c = argc >= 2 && argc <= 4 ? find_case(argv[1]) : NULL;
	if (argc >= 3)
		loops = atoi(argv[2]);
	if (argc == 4)
		time_budget = atoi(argv[3]);
	if (!c || loops < 1) {
		fprintf(stderr, "Usage: %s list | payload CASE FILE | CASE [LOOPS [SECONDS]]\n",
			argv[0]);
		return report("usage", EINVAL);
	}
	return run_case(c, loops);
}
