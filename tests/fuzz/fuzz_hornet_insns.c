// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: hornet_scan_insns() and hornet_payload_map() of
 * security/hornet/hornet_parse.c, built for userspace.
 *
 * Input: instructions, 8 bytes each (a trailing partial one is dropped).
 *
 * Checked: the result is 0, -EINVAL or -E2BIG with a reason; on success
 * the references are sorted (fd_array indexes first, then descriptors,
 * each ascending), unique, at most HORNET_MAX_MAPS, within the documented
 * bounds, and each names the BPF_LD_IMM64 that first makes it; they are
 * exactly the references a straightforward walk of the program finds, and
 * the walk fails where the scan fails. The array of HORNET_MAX_MAPS
 * entries is its own allocation, so a write past it is an ASan report.
 */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>

#include "fuzz.h"
#include "hornet.h"

#define LD_IMM64 (BPF_LD | BPF_IMM | BPF_DW)

/* A reference as the model records it. */
struct mref {
	u32 kind, val, first;
};

/*
 * The model: walk the program once, instruction by instruction, as the
 * kernel-doc of hornet_scan_insns() describes it; remember each distinct
 * reference in an unsorted list; stop at the first refusal.
 */
static int model_scan(const struct bpf_insn *in, u32 cnt, struct mref *out,
		      u32 *nr)
{
	u32 i, k, n = 0, kind;

	for (i = 0; i < cnt; i++) {
		if (in[i].code == (BPF_JMP | BPF_CALL) &&
		    in[i].src_reg == BPF_PSEUDO_KFUNC_CALL && in[i].off)
			return -EINVAL;
		if (in[i].code != LD_IMM64)
			continue;
		if (i == cnt - 1)
			return -EINVAL;
		switch (in[i].src_reg) {
		case 0:
		case BPF_PSEUDO_FUNC:
			i++;
			continue;
		case BPF_PSEUDO_BTF_ID:
			if (in[i + 1].imm)
				return -EINVAL;
			i++;
			continue;
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			kind = HORNET_REF_IDX;
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_VALUE:
			kind = HORNET_REF_FD;
			break;
		default:
			return -EINVAL;
		}
		if (in[i].imm < 0)
			return -EINVAL;
		if (kind == HORNET_REF_IDX && in[i].imm >= HORNET_MAX_FD_INDEX)
			return -E2BIG;
		for (k = 0; k < n; k++)
			if (out[k].kind == kind && out[k].val == (u32)in[i].imm)
				break;
		if (k == n) {
			if (n == HORNET_MAX_MAPS)
				return -E2BIG;
			out[n].kind = kind;
			out[n].val = in[i].imm;
			out[n].first = i;
			n++;
		}
		i++;
	}
	*nr = n;
	return 0;
}

static int mref_cmp(const void *a, const void *b)
{
	const struct mref *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->val < y->val ? -1 : x->val > y->val;
}

static void check_record(const struct hornet_map_ref *ref,
			 const struct bpf_insn *insn)
{
	struct hornet_map_geometry geo;
	struct hornet_payload_map *rec;
	u8 digest[SHA256_DIGEST_SIZE];
	const u8 *p;
	u32 i;

	/* Geometry and digest made up from the instruction's bytes. */
	memcpy(&geo, insn, sizeof(*insn));
	geo.value_size = ~geo.map_type;
	geo.max_entries = geo.key_size * 3;
	geo.map_flags = ref->first;
	for (i = 0; i < sizeof(digest); i++)
		digest[i] = i ^ ref->val;

	rec = malloc(sizeof(*rec));
	CHECK(rec, "out of memory");
	memset(rec, 0xa5, sizeof(*rec));
	hornet_payload_map(rec, &geo, ref, digest);
	p = (const u8 *)rec;
	CHECK(get_le32p(p) == geo.map_type &&
	      get_le32p(p + 4) == geo.key_size &&
	      get_le32p(p + 8) == geo.value_size &&
	      get_le32p(p + 12) == geo.max_entries &&
	      get_le32p(p + 16) == geo.map_flags &&
	      get_le32p(p + 20) == ref->kind &&
	      get_le32p(p + 24) == ref->val && get_le32p(p + 28) == 0 &&
	      !memcmp(p + 32, digest, sizeof(digest)),
	      "map record bytes");
	free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 cnt = size / sizeof(struct bpf_insn), nr = 0xdeadbeef, mnr = 0, i;
	struct mref *model = NULL;
	struct hornet_map_ref *refs;
	struct bpf_insn *insns;
	const char *why = NULL;
	int err, want;

	insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	refs = malloc(HORNET_MAX_MAPS * sizeof(*refs));
	model = malloc((HORNET_MAX_MAPS + 1) * sizeof(*model));
	CHECK(insns && refs && model, "out of memory");
	memcpy(insns, data, cnt * sizeof(*insns));
	memset(refs, 0x5a, HORNET_MAX_MAPS * sizeof(*refs));

	err = hornet_scan_insns(insns, cnt, refs, &nr, &why);
	want = model_scan(insns, cnt, model, &mnr);
	CHECK(!memcmp(insns, data, cnt * sizeof(*insns)), "program modified");
	CHECK(err == want, "got %d, model %d (%u instructions)", err, want,
	      cnt);
	if (err) {
		CHECK(why, "error %d without a reason", err);
		CHECK(nr == 0xdeadbeef, "nr_refs written on error");
		goto out;
	}

	CHECK(nr <= HORNET_MAX_MAPS, "%u references", nr);
	CHECK(nr == mnr, "%u references, model %u", nr, mnr);
	qsort(model, mnr, sizeof(*model), mref_cmp);
	for (i = 0; i < nr; i++) {
		const struct hornet_map_ref *r = &refs[i];
		const struct bpf_insn *at;

		CHECK(r->kind == HORNET_REF_IDX || r->kind == HORNET_REF_FD,
		      "kind %d", r->kind);
		CHECK(r->val <= INT_MAX, "value %u", r->val);
		CHECK(r->kind != HORNET_REF_IDX || r->val < HORNET_MAX_FD_INDEX,
		      "index %u", r->val);
		if (i)
			CHECK(refs[i - 1].kind < r->kind ||
			      (refs[i - 1].kind == r->kind &&
			       refs[i - 1].val < r->val),
			      "references %u and %u out of order", i - 1, i);
		CHECK(r->first + 1 < cnt, "first %u of %u", r->first, cnt);
		at = &insns[r->first];
		CHECK(at->code == LD_IMM64 && (u32)at->imm == r->val,
		      "reference %u does not name instruction %u", i, r->first);
		CHECK(r->kind == model[i].kind && r->val == model[i].val &&
		      r->first == model[i].first,
		      "reference %u: (%d, %u, first %u), model (%u, %u, first %u)",
		      i, r->kind, r->val, r->first, model[i].kind,
		      model[i].val, model[i].first);
		check_record(r, at);
	}
out:
	free(model);
	free(refs);
	free(insns);
	return 0;
}
