// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for Hornet's parsers and builders: the signature trailer,
 * the load attributes, the map references of a program and the bytes of
 * the signed payload.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/module.h>

#include "hornet.h"

/* ---- trailer ---------------------------------------------------------- */

struct trailer_case {
	const char *desc;
	u64 file_size;
	struct module_signature ms;
	bool no_magic;		/* last byte of the magic changed */
	int tail_adjust;	/* added to the tail length passed in */
	int err;
	u32 sig_len;
};

#define PKCS7 PKEY_ID_PKCS7
#define BIG (1024 * 1024)

static const struct trailer_case trailer_cases[] = {
	{ .desc = "empty file", .file_size = 0, .err = -ENODATA },
	{ .desc = "file shorter than the magic", .file_size = 10,
	  .err = -ENODATA },
	{ .desc = "magic alone", .file_size = HORNET_MAGIC_LEN,
	  .err = -EBADMSG },
	{ .desc = "magic and a short trailer",
	  .file_size = HORNET_TRAILER_LEN - 1, .err = -EBADMSG },
	{ .desc = "no magic", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(8) },
	  .no_magic = true, .err = -ENODATA },
	{ .desc = "valid, sig_len 1", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(1) }, .sig_len = 1 },
	{ .desc = "sig_len 0", .file_size = BIG, .ms = { .id_type = PKCS7 },
	  .err = -EBADMSG },
	{ .desc = "sig_len at the cap", .file_size = BIG,
	  .ms = { .id_type = PKCS7,
		  .sig_len = cpu_to_be32(HORNET_MAX_SIG_LEN) },
	  .sig_len = HORNET_MAX_SIG_LEN },
	{ .desc = "sig_len one over the cap", .file_size = BIG,
	  .ms = { .id_type = PKCS7,
		  .sig_len = cpu_to_be32(HORNET_MAX_SIG_LEN + 1) },
	  .err = -EBADMSG },
	{ .desc = "sig_len 16 MiB", .file_size = 4ULL * SZ_1G,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(SZ_16M) },
	  .err = -EBADMSG },
	{ .desc = "sig_len equal to the bytes before the trailer",
	  .file_size = HORNET_TRAILER_LEN + 100,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(100) },
	  .sig_len = 100 },
	{ .desc = "sig_len one more than the bytes before the trailer",
	  .file_size = HORNET_TRAILER_LEN + 100,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(101) },
	  .err = -EBADMSG },
	{ .desc = "sig_len with nothing before the trailer",
	  .file_size = HORNET_TRAILER_LEN,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(1) },
	  .err = -EBADMSG },
	{ .desc = "sig_len 0xFFFFFF00 with signer and key id lengths",
	  .file_size = BIG,
	  .ms = { .id_type = PKCS7, .signer_len = 0x80, .key_id_len = 0x80,
	    .sig_len = cpu_to_be32(0xFFFFFF00) },
	  .err = -EBADMSG },
	{ .desc = "sig_len 0xFFFFFFFF", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(0xFFFFFFFF) },
	  .err = -EBADMSG },
	{ .desc = "sig_len 0xFFFFFFFF on a 5 GiB file",
	  .file_size = 5ULL * SZ_1G,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(0xFFFFFFFF) },
	  .err = -EBADMSG },
	{ .desc = "valid trailer on a file larger than 4 GiB",
	  .file_size = 5ULL * SZ_1G,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(4627) },
	  .sig_len = 4627 },
	{ .desc = "id_type 0 (PGP)", .file_size = BIG,
	  .ms = { .sig_len = cpu_to_be32(8) }, .err = -EBADMSG },
	{ .desc = "id_type 1 (X.509)", .file_size = BIG,
	  .ms = { .id_type = 1, .sig_len = cpu_to_be32(8) }, .err = -EBADMSG },
	{ .desc = "id_type 3", .file_size = BIG,
	  .ms = { .id_type = 3, .sig_len = cpu_to_be32(8) }, .err = -EBADMSG },
	{ .desc = "algo not zero", .file_size = BIG,
	  .ms = { .algo = 1, .id_type = PKCS7, .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "hash not zero", .file_size = BIG,
	  .ms = { .hash = 1, .id_type = PKCS7, .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "signer_len not zero", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .signer_len = 1,
	    .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "key_id_len not zero", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .key_id_len = 1,
	    .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "pad[0] not zero", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .__pad = { 1, 0, 0 },
	    .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "pad[1] not zero", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .__pad = { 0, 1, 0 },
	    .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "pad[2] not zero", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .__pad = { 0, 0, 1 },
	    .sig_len = cpu_to_be32(8) },
	  .err = -EBADMSG },
	{ .desc = "tail shorter than min(file, trailer)", .file_size = BIG,
	  .ms = { .id_type = PKCS7, .sig_len = cpu_to_be32(8) },
	  .tail_adjust = -1, .err = -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(trailer, trailer_cases, desc);

static void hornet_trailer_test(struct kunit *test)
{
	const struct trailer_case *c = test->param_value;
	size_t tail_len = min_t(u64, c->file_size, HORNET_TRAILER_LEN);
	u8 tail[HORNET_TRAILER_LEN] = {};
	const char *why = NULL;
	u32 sig_len = 0xdeadbeef;
	int err;

	/* The tail of the file: as much of the trailer as fits, magic last. */
	if (tail_len == HORNET_TRAILER_LEN)
		memcpy(tail, &c->ms, sizeof(c->ms));
	if (tail_len >= HORNET_MAGIC_LEN)
		memcpy(tail + tail_len - HORNET_MAGIC_LEN, HORNET_MAGIC,
		       HORNET_MAGIC_LEN);
	if (c->no_magic)
		tail[tail_len - 1] ^= 0xff;

	err = hornet_parse_trailer(tail, tail_len + c->tail_adjust,
				   c->file_size, &sig_len, &why);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->err) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		KUNIT_EXPECT_EQ(test, sig_len, 0xdeadbeef);
	} else {
		KUNIT_EXPECT_EQ(test, sig_len, c->sig_len);
	}
}

/* ---- signature table --------------------------------------------------- */

/*
 * The tail is laid out from the end: magic, footer, then entries 0 to
 * @nr - 1 before it (as many as fit in the tail). The digest of entry i is
 * 32 bytes of @ids[i], or of i + 1 when @ids[i] is 0; @want names the
 * digest looked for the same way. @old_sig_len instead ends the file in a
 * single-signature trailer of that length; @no_magic in neither magic.
 */
struct table_case {
	const char *desc;
	u64 file_size;
	u32 nr;
	u32 footer_reserved;
	u32 reserved_at;	/* entry index + 1 with a non-zero reserved */
	u32 lens[HORNET_MAX_SIGS];
	u8 ids[HORNET_MAX_SIGS];
	u8 want;
	u32 old_sig_len;
	bool no_magic;
	int tail_adjust;
	int err;
	u64 off;
	u32 len;
};

#define END HORNET_TABLE_END_LEN
#define ENT sizeof(struct hornet_sig_entry)
#define MAX_SIG HORNET_MAX_SIG_LEN

static const struct table_case table_cases[] = {
	{ .desc = "one entry", .file_size = BIG, .nr = 1, .lens = { 100 },
	  .want = 1, .off = BIG - END - ENT - 100, .len = 100 },
	{ .desc = "first of three", .file_size = BIG, .nr = 3,
	  .lens = { 100, 200, 300 }, .want = 1,
	  .off = BIG - END - 3 * ENT - 600, .len = 100 },
	{ .desc = "middle of three", .file_size = BIG, .nr = 3,
	  .lens = { 100, 200, 300 }, .want = 2,
	  .off = BIG - END - 3 * ENT - 600 + 100, .len = 200 },
	{ .desc = "last of three", .file_size = BIG, .nr = 3,
	  .lens = { 100, 200, 300 }, .want = 3,
	  .off = BIG - END - 3 * ENT - 300, .len = 300 },
	{ .desc = "no entry for the payload", .file_size = BIG, .nr = 3,
	  .lens = { 100, 200, 300 }, .want = 9, .err = -ENODATA },
	{ .desc = "entry count 0", .file_size = BIG, .nr = 0, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "entry count one over the maximum", .file_size = BIG,
	  .nr = HORNET_MAX_SIGS + 1, .lens = { [0 ... 15] = 10 }, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "entry count 0x80000000 (40 * n wraps 32 bits)",
	  .file_size = BIG, .nr = 0x80000000, .want = 1, .err = -EBADMSG },
	{ .desc = "entry count 0xFFFFFFFF", .file_size = BIG,
	  .nr = 0xFFFFFFFF, .want = 1, .err = -EBADMSG },
	{ .desc = "footer reserved not zero", .file_size = BIG, .nr = 1,
	  .footer_reserved = 1, .lens = { 100 }, .want = 1, .err = -EBADMSG },
	{ .desc = "reserved not zero in an entry not wanted", .file_size = BIG,
	  .nr = 2, .reserved_at = 2, .lens = { 100, 100 }, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "entry length 0", .file_size = BIG, .nr = 2,
	  .lens = { 100, 0 }, .want = 1, .err = -EBADMSG },
	{ .desc = "entry length at the cap", .file_size = BIG, .nr = 1,
	  .lens = { MAX_SIG }, .want = 1, .off = BIG - END - ENT - MAX_SIG,
	  .len = MAX_SIG },
	{ .desc = "entry length one over the cap", .file_size = BIG, .nr = 1,
	  .lens = { MAX_SIG + 1 }, .want = 1, .err = -EBADMSG },
	{ .desc = "entry length 0xFFFFFFFF", .file_size = 8ULL * SZ_1G,
	  .nr = 1, .lens = { 0xFFFFFFFF }, .want = 1, .err = -EBADMSG },
	{ .desc = "signatures exactly fill the bytes before the table",
	  .file_size = END + 2 * ENT + 300, .nr = 2, .lens = { 100, 200 },
	  .want = 1, .off = 0, .len = 100 },
	{ .desc = "an entry reaching past the start of the file",
	  .file_size = END + 2 * ENT + 299, .nr = 2, .lens = { 100, 200 },
	  .want = 2, .err = -EBADMSG },
	/* The tail is the whole file: its entries start at byte 301. */
	{ .desc = "entries at an odd offset of the tail",
	  .file_size = END + 2 * ENT + 301, .nr = 2, .lens = { 100, 201 },
	  .want = 2, .off = 100, .len = 201 },
	{ .desc = "duplicate digests at an odd offset of the tail",
	  .file_size = END + 2 * ENT + 301, .nr = 2, .lens = { 100, 201 },
	  .ids = { 5, 5 }, .want = 5, .err = -EBADMSG },
	{ .desc = "nothing before the table", .file_size = END + ENT,
	  .nr = 1, .lens = { 1 }, .want = 1, .err = -EBADMSG },
	{ .desc = "file shorter than its entries", .file_size = END + ENT,
	  .nr = 2, .lens = { 1, 1 }, .want = 1, .err = -EBADMSG },
	{ .desc = "table magic alone", .file_size = HORNET_TABLE_MAGIC_LEN,
	  .nr = 1, .want = 1, .err = -EBADMSG },
	{ .desc = "duplicate digests", .file_size = BIG, .nr = 2,
	  .lens = { 100, 100 }, .ids = { 5, 5 }, .want = 5, .err = -EBADMSG },
	{ .desc = "duplicate digests, another entry wanted", .file_size = BIG,
	  .nr = 3, .lens = { 100, 100, 100 }, .ids = { 1, 5, 5 }, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "maximal table, last entry", .file_size = 2 * BIG,
	  .nr = HORNET_MAX_SIGS, .lens = { [0 ... 15] = MAX_SIG },
	  .want = HORNET_MAX_SIGS, .off = 2 * BIG - HORNET_TAIL_LEN - MAX_SIG,
	  .len = MAX_SIG },
	{ .desc = "maximal table filling the file",
	  .file_size = HORNET_TAIL_LEN + HORNET_MAX_SIGS * MAX_SIG,
	  .nr = HORNET_MAX_SIGS, .lens = { [0 ... 15] = MAX_SIG }, .want = 1,
	  .off = 0, .len = MAX_SIG },
	{ .desc = "maximal table one byte larger than the file",
	  .file_size = HORNET_TAIL_LEN + HORNET_MAX_SIGS * MAX_SIG - 1,
	  .nr = HORNET_MAX_SIGS, .lens = { [0 ... 15] = MAX_SIG }, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "table on a file larger than 4 GiB",
	  .file_size = 5ULL * SZ_1G, .nr = 2, .lens = { 4627, 5000 },
	  .want = 2, .off = 5ULL * SZ_1G - END - 2 * ENT - 5000,
	  .len = 5000 },
	{ .desc = "single-signature trailer, any digest", .file_size = BIG,
	  .old_sig_len = 100, .want = 7,
	  .off = BIG - HORNET_TRAILER_LEN - 100, .len = 100 },
	{ .desc = "single-signature trailer on a file shorter than the tail",
	  .file_size = HORNET_TRAILER_LEN + 10, .old_sig_len = 10, .want = 1,
	  .off = 0, .len = 10 },
	{ .desc = "single-signature trailer, sig_len over the cap",
	  .file_size = BIG, .old_sig_len = MAX_SIG + 1, .want = 1,
	  .err = -EBADMSG },
	{ .desc = "neither magic", .file_size = BIG, .no_magic = true,
	  .want = 1, .err = -ENODATA },
	{ .desc = "file shorter than a magic", .file_size = 10, .nr = 1,
	  .want = 1, .err = -ENODATA },
	{ .desc = "tail shorter than min(file, HORNET_TAIL_LEN)",
	  .file_size = BIG, .nr = 1, .lens = { 100 }, .want = 1,
	  .tail_adjust = -1, .err = -EINVAL },
};

KUNIT_ARRAY_PARAM_DESC(table, table_cases, desc);

static void table_fill(const struct table_case *c, u8 *tail, size_t tail_len)
{
	struct hornet_sig_footer footer = {
		.nr_entries = cpu_to_be32(c->nr),
		.reserved = cpu_to_be32(c->footer_reserved),
	};
	struct module_signature ms = {
		.id_type = PKEY_ID_PKCS7,
		.sig_len = cpu_to_be32(c->old_sig_len),
	};
	struct hornet_sig_entry e;
	size_t pos;
	u32 i;

	if (c->no_magic)
		return;
	if (c->old_sig_len) {
		memcpy(tail + tail_len - HORNET_TRAILER_LEN, &ms, sizeof(ms));
		memcpy(tail + tail_len - HORNET_MAGIC_LEN, HORNET_MAGIC,
		       HORNET_MAGIC_LEN);
		return;
	}
	if (tail_len < HORNET_TABLE_MAGIC_LEN)
		return;
	memcpy(tail + tail_len - HORNET_TABLE_MAGIC_LEN, HORNET_TABLE_MAGIC,
	       HORNET_TABLE_MAGIC_LEN);
	if (tail_len < END)
		return;
	memcpy(tail + tail_len - END, &footer, sizeof(footer));
	for (i = 0; i < min_t(u32, c->nr, HORNET_MAX_SIGS); i++) {
		/* Entry i starts (nr - i) entries before the footer. */
		if ((u64)(c->nr - i) * ENT > tail_len - END)
			continue;
		pos = tail_len - END - (c->nr - i) * ENT;
		memset(&e, 0, sizeof(e));
		memset(e.digest, c->ids[i] ?: i + 1, sizeof(e.digest));
		e.sig_len = cpu_to_be32(c->lens[i]);
		if (c->reserved_at == i + 1)
			e.reserved = cpu_to_be32(1);
		memcpy(tail + pos, &e, sizeof(e));
	}
}

static void hornet_table_test(struct kunit *test)
{
	const struct table_case *c = test->param_value;
	size_t tail_len = min_t(u64, c->file_size, HORNET_TAIL_LEN);
	u8 digest[SHA256_DIGEST_SIZE];
	const char *why = NULL;
	u32 sig_len = 0xdeadbeef;
	u64 off = 0xdeadbeef;
	u8 *tail;
	int err;

	tail = kunit_kzalloc(test, HORNET_TAIL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tail);
	table_fill(c, tail, tail_len);
	memset(digest, c->want, sizeof(digest));

	err = hornet_find_signature(tail, tail_len + c->tail_adjust,
				    c->file_size, digest, &off, &sig_len,
				    &why);
	KUNIT_EXPECT_EQ(test, err, c->err);
	if (c->err) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		KUNIT_EXPECT_EQ(test, sig_len, 0xdeadbeef);
		KUNIT_EXPECT_EQ(test, off, 0xdeadbeef);
	} else {
		KUNIT_EXPECT_EQ(test, off, c->off);
		KUNIT_EXPECT_EQ(test, sig_len, c->len);
	}
}

#undef END
#undef ENT
#undef MAX_SIG

/* ---- instruction scan -------------------------------------------------- */

#define MAX_CASE_INSNS 12

struct scan_case {
	const char *desc;
	struct bpf_insn insns[MAX_CASE_INSNS];
	u32 cnt;
	int err;
	u32 nr;
	struct hornet_map_ref want[4];
};

#define LD64(src, imm) BPF_LD_IMM64_RAW(BPF_REG_1, src, imm)
#define IDX(v) { HORNET_REF_IDX, v }
#define FD(v) { HORNET_REF_FD, v }
#define EXIT BPF_EXIT_INSN()
/* A call of kfunc BTF id 7; @off names the BTF: 0 is vmlinux. */
#define KFUNC(off) BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, \
				off, 7)

static const struct scan_case scan_cases[] = {
	{ .desc = "empty program", .cnt = 0 },
	{ .desc = "no BPF_LD_IMM64",
	  .insns = { BPF_MOV64_IMM(BPF_REG_0, 0), EXIT }, .cnt = 2 },
	{ .desc = "plain 64-bit constant", .insns = { LD64(0, 7), EXIT },
	  .cnt = 3 },
	{ .desc = "BPF_PSEUDO_BTF_ID names no map",
	  .insns = { LD64(BPF_PSEUDO_BTF_ID, 5), EXIT }, .cnt = 3 },
	{ .desc = "BPF_PSEUDO_FUNC names no map",
	  .insns = { LD64(BPF_PSEUDO_FUNC, 2), EXIT }, .cnt = 3 },
	{ .desc = "BPF_PSEUDO_MAP_FD",
	  .insns = { LD64(BPF_PSEUDO_MAP_FD, 3), EXIT }, .cnt = 3, .nr = 1,
	  .want = { FD(3) } },
	{ .desc = "BPF_PSEUDO_MAP_VALUE",
	  .insns = { LD64(BPF_PSEUDO_MAP_VALUE, 4), EXIT }, .cnt = 3, .nr = 1,
	  .want = { FD(4) } },
	{ .desc = "BPF_PSEUDO_MAP_IDX",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX, 0), EXIT }, .cnt = 3, .nr = 1,
	  .want = { IDX(0) } },
	{ .desc = "BPF_PSEUDO_MAP_IDX_VALUE",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX_VALUE, 2), EXIT }, .cnt = 3,
	  .nr = 1, .want = { IDX(2) } },
	{ .desc = "mixed forms sort indexes first, then descriptors",
	  .insns = { LD64(BPF_PSEUDO_MAP_FD, 5), LD64(BPF_PSEUDO_MAP_IDX, 1),
	    LD64(BPF_PSEUDO_MAP_IDX_VALUE, 0), LD64(BPF_PSEUDO_MAP_VALUE, 3),
	    EXIT },
	  .cnt = 9, .nr = 4, .want = { IDX(0), IDX(1), FD(3), FD(5) } },
	{ .desc = "same index twice counts once",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX, 0),
	    LD64(BPF_PSEUDO_MAP_IDX_VALUE, 0), EXIT },
	  .cnt = 5, .nr = 1, .want = { IDX(0) } },
	{ .desc = "index and descriptor with equal values are distinct",
	  .insns = { LD64(BPF_PSEUDO_MAP_FD, 0), LD64(BPF_PSEUDO_MAP_IDX, 0),
	    EXIT },
	  .cnt = 5, .nr = 2, .want = { IDX(0), FD(0) } },
	{ .desc = "truncated BPF_LD_IMM64 at the end",
	  .insns = { BPF_MOV64_IMM(BPF_REG_0, 0),
		     { .code = BPF_LD | BPF_IMM | BPF_DW,
		       .src_reg = BPF_PSEUDO_MAP_FD, .imm = 3 } },
	  .cnt = 2, .err = -EINVAL },
	{ .desc = "unknown src_reg 7", .insns = { LD64(7, 0), EXIT }, .cnt = 3,
	  .err = -EINVAL },
	{ .desc = "unknown src_reg 15", .insns = { LD64(15, 0), EXIT },
	  .cnt = 3, .err = -EINVAL },
	{ .desc = "largest index",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX, HORNET_MAX_FD_INDEX - 1), EXIT },
	  .cnt = 3, .nr = 1, .want = { IDX(HORNET_MAX_FD_INDEX - 1) } },
	{ .desc = "index past the maximum",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX, HORNET_MAX_FD_INDEX), EXIT },
	  .cnt = 3, .err = -E2BIG },
	{ .desc = "index 0x80000001",
	  .insns = { LD64(BPF_PSEUDO_MAP_IDX_VALUE, 0x80000001), EXIT },
	  .cnt = 3, .err = -EINVAL },
	{ .desc = "negative descriptor",
	  .insns = { LD64(BPF_PSEUDO_MAP_FD, -1), EXIT }, .cnt = 3,
	  .err = -EINVAL },
	{ .desc = "kfunc call from vmlinux BTF",
	  .insns = { KFUNC(0), EXIT }, .cnt = 2 },
	{ .desc = "kfunc call through a module BTF in fd_array",
	  .insns = { KFUNC(1), EXIT }, .cnt = 2, .err = -EINVAL },
	{ .desc = "ksym through a module BTF descriptor",
	  .insns = { LD64(BPF_PSEUDO_BTF_ID, (3ULL << 32) | 5), EXIT },
	  .cnt = 3, .err = -EINVAL },
	{ .desc = "second half of BPF_LD_IMM64 is not an instruction",
	  .insns = { { .code = BPF_LD | BPF_IMM | BPF_DW, .imm = 1 },
		     { .code = BPF_LD | BPF_IMM | BPF_DW,
		       .src_reg = BPF_PSEUDO_MAP_FD, .imm = 9 }, EXIT },
	  .cnt = 3 },
};

KUNIT_ARRAY_PARAM_DESC(scan, scan_cases, desc);

static void hornet_scan_test(struct kunit *test)
{
	const struct scan_case *c = test->param_value;
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	const char *why = NULL;
	u32 i, nr = 0xdeadbeef;
	int err;

	err = hornet_scan_insns(c->insns, c->cnt, refs, &nr, &why);
	KUNIT_ASSERT_EQ(test, err, c->err);
	if (c->err) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	KUNIT_ASSERT_EQ(test, nr, c->nr);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ(test, refs[i].kind, c->want[i].kind);
		KUNIT_EXPECT_EQ(test, refs[i].val, c->want[i].val);
	}
}

static void hornet_scan_first_test(struct kunit *test)
{
	static const struct bpf_insn insns[] = {
		LD64(BPF_PSEUDO_MAP_FD, 5),		/* 0 */
		LD64(BPF_PSEUDO_MAP_IDX, 1),		/* 2 */
		LD64(BPF_PSEUDO_MAP_IDX_VALUE, 0),	/* 4 */
		LD64(BPF_PSEUDO_MAP_IDX, 1),		/* 6 */
		LD64(BPF_PSEUDO_MAP_VALUE, 3),		/* 8 */
		EXIT,
	};
	static const u32 first[] = { 4, 2, 8, 0 };	/* IDX 0, 1, FD 3, 5 */
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	const char *why = NULL;
	u32 i, nr = 0;

	KUNIT_ASSERT_EQ(test, hornet_scan_insns(insns, ARRAY_SIZE(insns), refs,
						&nr, &why), 0);
	KUNIT_ASSERT_EQ(test, nr, ARRAY_SIZE(first));
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, refs[i].first, first[i]);
}

/* @n distinct fd_array references, in descending order. */
static struct bpf_insn *make_refs(struct kunit *test, u32 n)
{
	struct bpf_insn *insns;
	u32 i;

	insns = kunit_kcalloc(test, 2 * n + 1, sizeof(*insns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, insns);
	for (i = 0; i < n; i++) {
		insns[2 * i].code = BPF_LD | BPF_IMM | BPF_DW;
		insns[2 * i].src_reg = BPF_PSEUDO_MAP_IDX;
		insns[2 * i].imm = n - 1 - i;
	}
	insns[2 * n] = (struct bpf_insn)EXIT;
	return insns;
}

static void hornet_scan_max_maps_test(struct kunit *test)
{
	struct bpf_insn *insns = make_refs(test, HORNET_MAX_MAPS);
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	const char *why = NULL;
	u32 i, nr = 0;

	KUNIT_ASSERT_EQ(test, hornet_scan_insns(insns, 2 * HORNET_MAX_MAPS + 1,
						refs, &nr, &why), 0);
	KUNIT_ASSERT_EQ(test, nr, HORNET_MAX_MAPS);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, refs[i].val, i);
}

static void hornet_scan_too_many_maps_test(struct kunit *test)
{
	struct bpf_insn *insns = make_refs(test, HORNET_MAX_MAPS + 1);
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	const char *why = NULL;
	u32 nr = 0;

	KUNIT_EXPECT_EQ(test, hornet_scan_insns(insns,
						2 * HORNET_MAX_MAPS + 3,
						refs, &nr, &why), -E2BIG);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

/* ---- load attributes -------------------------------------------------- */

struct attr_case {
	const char *desc;
	union bpf_attr attr;
	int err;
};

#define SYSCALL_PROG .prog_type = BPF_PROG_TYPE_SYSCALL, .insn_cnt = 2

static const struct attr_case attr_cases[] = {
	{ .desc = "light-skeleton loader",
	  .attr = { SYSCALL_PROG, .prog_flags = BPF_F_SLEEPABLE } },
	{ .desc = "syscall program without flags", .attr = { SYSCALL_PROG } },
	{ .desc = "license, name, log and fd_array are not refused",
	  .attr = { SYSCALL_PROG, .license = 1, .prog_name = "x",
		    .log_level = 1, .log_size = 64, .log_buf = 1,
		    .fd_array = 1 } },
	{ .desc = "socket filter", .err = -EPERM,
	  .attr = { .prog_type = BPF_PROG_TYPE_SOCKET_FILTER } },
	{ .desc = "tracing", .err = -EPERM,
	  .attr = { .prog_type = BPF_PROG_TYPE_TRACING,
		    .expected_attach_type = BPF_MODIFY_RETURN } },
	{ .desc = "BPF LSM", .err = -EPERM,
	  .attr = { .prog_type = BPF_PROG_TYPE_LSM } },
	{ .desc = "BPF_F_TEST_RND_HI32", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .prog_flags = BPF_F_TEST_RND_HI32 } },
	{ .desc = "BPF_F_ANY_ALIGNMENT", .err = -EPERM,
	  .attr = { SYSCALL_PROG,
		    .prog_flags = BPF_F_SLEEPABLE | BPF_F_ANY_ALIGNMENT } },
	{ .desc = "BPF_F_TOKEN_FD", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .prog_flags = BPF_F_TOKEN_FD } },
	{ .desc = "expected_attach_type", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .expected_attach_type = 1 } },
	{ .desc = "attach_btf_id", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .attach_btf_id = 5 } },
	{ .desc = "attach_prog_fd", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .attach_prog_fd = 3 } },
	{ .desc = "prog_btf_fd alone", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .prog_btf_fd = 3 } },
	{ .desc = "func_info_rec_size alone", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .func_info_rec_size = 8 } },
	{ .desc = "func_info", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .func_info = 1, .func_info_cnt = 1 } },
	{ .desc = "line_info", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .line_info = 1, .line_info_cnt = 1 } },
	{ .desc = "line_info_rec_size alone", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .line_info_rec_size = 16 } },
	{ .desc = "CO-RE relocations", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .core_relos = 1, .core_relo_cnt = 1,
		    .core_relo_rec_size = 16 } },
	{ .desc = "core_relo_rec_size alone", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .core_relo_rec_size = 16 } },
	{ .desc = "prog_ifindex", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .prog_ifindex = 1 } },
	{ .desc = "kern_version", .err = -EPERM,
	  .attr = { SYSCALL_PROG, .kern_version = 0x60c00 } },
};

KUNIT_ARRAY_PARAM_DESC(attr, attr_cases, desc);

static void hornet_attr_test(struct kunit *test)
{
	const struct attr_case *c = test->param_value;
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, hornet_check_attr(&c->attr, &why), c->err);
	if (c->err)
		KUNIT_EXPECT_NOT_NULL(test, why);
	else
		KUNIT_EXPECT_NULL(test, why);
}

/* ---- payload size ------------------------------------------------------ */

#define HDR sizeof(struct hornet_payload_hdr)
#define REC sizeof(struct hornet_payload_map)

struct size_case {
	const char *desc;
	u32 insn_cnt;
	u64 sizes[4];
	u32 nr;
	int err;
	u64 len;
};

static const struct size_case size_cases[] = {
	{ .desc = "no maps", .insn_cnt = 10, .len = HDR + 80 },
	{ .desc = "one map", .insn_cnt = 10, .sizes = { 100 }, .nr = 1,
	  .len = HDR + REC + 80 },
	{ .desc = "map contents do not add to the payload", .insn_cnt = 2,
	  .sizes = { 4, 0, SZ_1M }, .nr = 3, .len = HDR + 3 * REC + 16 },
	{ .desc = "signed data exactly at the cap", .insn_cnt = 1,
	  .sizes = { HORNET_MAX_SIGNED - 8 }, .nr = 1,
	  .len = HDR + REC + 8 },
	{ .desc = "one byte over the cap", .insn_cnt = 1,
	  .sizes = { HORNET_MAX_SIGNED - 7 }, .nr = 1, .err = -E2BIG },
	{ .desc = "instructions alone over the cap",
	  .insn_cnt = HORNET_MAX_SIGNED / 8 + 1, .err = -E2BIG },
	{ .desc = "sizes that would wrap a u64", .insn_cnt = 1,
	  .sizes = { 8, U64_MAX - 4 }, .nr = 2, .err = -E2BIG },
	{ .desc = "more maps than the verifier binds", .insn_cnt = 1,
	  .nr = HORNET_MAX_MAPS + 1, .err = -E2BIG },
};

KUNIT_ARRAY_PARAM_DESC(size, size_cases, desc);

static void hornet_size_test(struct kunit *test)
{
	const struct size_case *c = test->param_value;
	u64 sizes[HORNET_MAX_MAPS + 1] = {}, len = 0xdeadbeef;
	const char *why = NULL;
	int err;

	memcpy(sizes, c->sizes, sizeof(c->sizes));
	err = hornet_payload_size(c->insn_cnt, sizes, c->nr, &len, &why);
	KUNIT_ASSERT_EQ(test, err, c->err);
	if (c->err) {
		KUNIT_EXPECT_NOT_NULL(test, why);
		KUNIT_EXPECT_EQ(test, len, 0xdeadbeef);
		return;
	}
	KUNIT_EXPECT_EQ(test, len, c->len);
}

/* ---- payload bytes ----------------------------------------------------- */

/* The exact bytes of a header, as security/hornet.rst documents them. */
static void hornet_payload_hdr_test(struct kunit *test)
{
	static const u8 want[HDR] = {
		'H', 'O', 'R', 'N', 'E', 'T', 'P', 'L',
		0x01, 0, 0, 0,		/* version */
		0x1f, 0, 0, 0,		/* BPF_PROG_TYPE_SYSCALL */
		0x00, 0, 0, 0,		/* expected_attach_type */
		0x10, 0, 0, 0,		/* BPF_F_SLEEPABLE */
		0x34, 0x12, 0, 0,	/* insn_cnt 0x1234 */
		0x02, 0, 0, 0,		/* nr_maps */
	};
	union bpf_attr attr = {
		.prog_type = BPF_PROG_TYPE_SYSCALL,
		.prog_flags = BPF_F_SLEEPABLE,
		.insn_cnt = 0x1234,
	};
	struct hornet_payload_hdr hdr;

	memset(&hdr, 0xa5, sizeof(hdr));
	hornet_payload_hdr(&hdr, &attr, 2);
	KUNIT_EXPECT_MEMEQ(test, &hdr, want, sizeof(want));
}

static void hornet_payload_map_test(struct kunit *test)
{
	static const struct hornet_map_geometry geo = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4,
		.value_size = 0x1820, .max_entries = 1,
		.map_flags = BPF_F_RDONLY_PROG,
	};
	static const struct hornet_map_ref ref = {
		.kind = HORNET_REF_FD, .val = 0x65, .first = 9,
	};
	u8 digest[SHA256_DIGEST_SIZE], want[REC] = {
		0x02, 0, 0, 0,		/* BPF_MAP_TYPE_ARRAY */
		0x04, 0, 0, 0,		/* key_size */
		0x20, 0x18, 0, 0,	/* value_size */
		0x01, 0, 0, 0,		/* max_entries */
		0x80, 0, 0, 0,		/* BPF_F_RDONLY_PROG */
		0x01, 0, 0, 0,		/* HORNET_REF_FD */
		0x65, 0, 0, 0,		/* descriptor */
		0, 0, 0, 0,		/* reserved */
	};
	struct hornet_payload_map rec;
	u32 i;

	for (i = 0; i < sizeof(digest); i++) {
		digest[i] = i;
		want[32 + i] = i;
	}
	memset(&rec, 0xa5, sizeof(rec));
	hornet_payload_map(&rec, &geo, &ref, digest);
	KUNIT_EXPECT_MEMEQ(test, &rec, want, sizeof(want));
}

static struct kunit_case hornet_test_cases[] = {
	KUNIT_CASE_PARAM(hornet_trailer_test, trailer_gen_params),
	KUNIT_CASE_PARAM(hornet_table_test, table_gen_params),
	KUNIT_CASE_PARAM(hornet_scan_test, scan_gen_params),
	KUNIT_CASE(hornet_scan_first_test),
	KUNIT_CASE(hornet_scan_max_maps_test),
	KUNIT_CASE(hornet_scan_too_many_maps_test),
	KUNIT_CASE_PARAM(hornet_attr_test, attr_gen_params),
	KUNIT_CASE_PARAM(hornet_size_test, size_gen_params),
	KUNIT_CASE(hornet_payload_hdr_test),
	KUNIT_CASE(hornet_payload_map_test),
	{}
};

static struct kunit_suite hornet_test_suite = {
	.name = "hornet",
	.test_cases = hornet_test_cases,
};

kunit_test_suite(hornet_test_suite);

MODULE_DESCRIPTION("KUnit tests for the Hornet LSM's parsers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
