// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: parsing of the signature trailer, the load attributes and map
 * references of a program, and the building of the signed payload.
 * Nothing here touches a file, a map or a task, so every function is a
 * pure function of its arguments.
 */

#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/filter.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "hornet.h"

/**
 * hornet_parse_trailer() - validate the signature trailer of an executable
 * @tail: the last @tail_len bytes of the executable
 * @tail_len: min(@file_size, HORNET_TRAILER_LEN), in bytes
 * @file_size: size of the executable in bytes
 * @sig_len: on success, the length in bytes of the PKCS#7 blob that ends
 *	HORNET_TRAILER_LEN bytes before the end of the file
 * @why: on failure, a short description for the log
 *
 * The format is the module-signing one (struct module_signature from
 * include/linux/module_signature.h followed by a magic string) with the
 * magic HORNET_MAGIC. Only PKEY_ID_PKCS7 is accepted and every other field
 * of struct module_signature must be zero. Every length is compared before
 * it is subtracted.
 *
 * Context: Any context.
 * Return: 0 on success; -ENODATA if the file does not end in HORNET_MAGIC
 * (unsigned); -EBADMSG if it does but the trailer is malformed, including a
 * zero @sig_len, one above HORNET_MAX_SIG_LEN or one larger than the bytes
 * before the trailer; -EINVAL if @tail_len is inconsistent with @file_size.
 */
int hornet_parse_trailer(const u8 *tail, size_t tail_len, u64 file_size,
			 u32 *sig_len, const char **why)
{
	struct module_signature ms;
	u32 len;

	if (tail_len != min_t(u64, file_size, HORNET_TRAILER_LEN)) {
		*why = "inconsistent trailer read";
		return -EINVAL;
	}
	if (tail_len < HORNET_MAGIC_LEN ||
	    memcmp(tail + tail_len - HORNET_MAGIC_LEN, HORNET_MAGIC,
		   HORNET_MAGIC_LEN)) {
		*why = "executable is not signed";
		return -ENODATA;
	}
	if (tail_len < HORNET_TRAILER_LEN) {
		*why = "trailer truncated";
		return -EBADMSG;
	}

	memcpy(&ms, tail, sizeof(ms));
	if (ms.id_type != PKEY_ID_PKCS7) {
		*why = "trailer id_type is not PKCS#7";
		return -EBADMSG;
	}
	if (ms.algo || ms.hash || ms.signer_len || ms.key_id_len ||
	    ms.__pad[0] || ms.__pad[1] || ms.__pad[2]) {
		*why = "trailer reserved field not zero";
		return -EBADMSG;
	}

	len = be32_to_cpu(ms.sig_len);
	if (!len) {
		*why = "empty signature";
		return -EBADMSG;
	}
	if (len > HORNET_MAX_SIG_LEN) {
		*why = "signature larger than 65535 bytes";
		return -EBADMSG;
	}
	if (len > file_size - HORNET_TRAILER_LEN) {
		*why = "signature longer than the file";
		return -EBADMSG;
	}

	*sig_len = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hornet_parse_trailer);

/* Check a signature table and pick the entry for @digest. */
static int hornet_parse_table(const u8 *tail, size_t tail_len, u64 file_size,
			      const u8 digest[SHA256_DIGEST_SIZE],
			      u64 *sig_off, u32 *sig_len, const char **why)
{
	struct hornet_sig_footer footer;
	const u8 *ents, *earlier;
	u64 total = 0, before = 0, table_len;
	u32 n, i, j, len, found_len = 0;
	int found = -1;

	if (tail_len < HORNET_TABLE_END_LEN) {
		*why = "signature table truncated";
		return -EBADMSG;
	}
	memcpy(&footer, tail + tail_len - HORNET_TABLE_END_LEN, sizeof(footer));
	n = be32_to_cpu(footer.nr_entries);
	if (footer.reserved) {
		*why = "signature table reserved field not zero";
		return -EBADMSG;
	}
	if (!n || n > HORNET_MAX_SIGS) {
		*why = "signature table entry count out of range";
		return -EBADMSG;
	}
	table_len = HORNET_TABLE_END_LEN +
		    (u64)n * sizeof(struct hornet_sig_entry);
	if (table_len > tail_len) {
		*why = "signature table longer than the file";
		return -EBADMSG;
	}
	/*
	 * @tail has no alignment, and the entries start at any offset in it:
	 * they are copied out or compared as bytes, never dereferenced.
	 */
	ents = tail + tail_len - table_len;
	for (i = 0; i < n; i++) {
		struct hornet_sig_entry e;

		memcpy(&e, ents + i * sizeof(e), sizeof(e));
		len = be32_to_cpu(e.sig_len);
		if (e.reserved) {
			*why = "signature table entry reserved field not zero";
			return -EBADMSG;
		}
		if (!len || len > HORNET_MAX_SIG_LEN) {
			*why = "signature table entry length out of range";
			return -EBADMSG;
		}
		for (j = 0; j < i; j++) {
			earlier = ents + j * sizeof(e) +
				  offsetof(struct hornet_sig_entry, digest);
			if (!memcmp(earlier, e.digest, sizeof(e.digest))) {
				*why = "signature table lists a payload twice";
				return -EBADMSG;
			}
		}
		if (found < 0 && !memcmp(e.digest, digest, sizeof(e.digest))) {
			found = i;
			before = total;
			found_len = len;
		}
		/* At most HORNET_MAX_SIGS * HORNET_MAX_SIG_LEN: no overflow. */
		total += len;
	}
	if (total > file_size - table_len) {
		*why = "signatures longer than the file";
		return -EBADMSG;
	}
	if (found < 0) {
		*why = "no signature for this payload";
		return -ENODATA;
	}
	*sig_off = file_size - table_len - total + before;
	*sig_len = found_len;
	return 0;
}

/**
 * hornet_find_signature() - locate the signature of a payload in an executable
 * @tail: the last @tail_len bytes of the executable
 * @tail_len: min(@file_size, HORNET_TAIL_LEN), in bytes
 * @file_size: size of the executable in bytes
 * @digest: SHA-256 of the payload being loaded
 * @sig_off: on success, file offset in bytes of the PKCS#7 blob to verify
 * @sig_len: on success, its length in bytes (1 to HORNET_MAX_SIG_LEN)
 * @why: on failure, a short description for the log
 *
 * Two formats end an executable, told apart by their last
 * HORNET_MAGIC_LEN bytes: the single-signature trailer (see
 * hornet_parse_trailer(); its one signature is returned whatever @digest
 * is, and verification decides) and the signature table of hornet.h,
 * whose entry for @digest is returned. A table is rejected as a whole if
 * any part of it is malformed, whichever entry is wanted, so a file means
 * the same thing to every payload. At most one signature is selected: no
 * trial verification.
 *
 * Context: Any context.
 * Return: 0 on success; -ENODATA if the file ends in neither magic
 * (unsigned) or its table has no entry for @digest; -EBADMSG if a trailer
 * or table is malformed: a reserved field not zero, an entry count of 0 or
 * above HORNET_MAX_SIGS, a signature length of 0 or above
 * HORNET_MAX_SIG_LEN, signatures longer than the bytes before the table,
 * a payload listed twice, or a file too short for its table; -EINVAL if
 * @tail_len is inconsistent with @file_size.
 */
int hornet_find_signature(const u8 *tail, size_t tail_len, u64 file_size,
			  const u8 digest[SHA256_DIGEST_SIZE], u64 *sig_off,
			  u32 *sig_len, const char **why)
{
	size_t trailer_len;
	u32 len;
	int err;

	if (tail_len != min_t(u64, file_size, HORNET_TAIL_LEN)) {
		*why = "inconsistent trailer read";
		return -EINVAL;
	}
	if (tail_len >= HORNET_TABLE_MAGIC_LEN &&
	    !memcmp(tail + tail_len - HORNET_TABLE_MAGIC_LEN,
		    HORNET_TABLE_MAGIC, HORNET_TABLE_MAGIC_LEN))
		return hornet_parse_table(tail, tail_len, file_size, digest,
					  sig_off, sig_len, why);

	trailer_len = min_t(size_t, tail_len, HORNET_TRAILER_LEN);
	err = hornet_parse_trailer(tail + tail_len - trailer_len, trailer_len,
				   file_size, &len, why);
	if (err)
		return err;
	*sig_off = file_size - HORNET_TRAILER_LEN - len;
	*sig_len = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hornet_find_signature);

static bool hornet_ref_before(const struct hornet_map_ref *a,
			      const struct hornet_map_ref *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->val < b->val;
}

/* Insert @ref into the sorted set @refs[0..*nr); duplicates are dropped. */
static int hornet_add_ref(struct hornet_map_ref *refs, u32 *nr,
			  const struct hornet_map_ref *ref)
{
	u32 i = 0;

	while (i < *nr && hornet_ref_before(&refs[i], ref))
		i++;
	if (i < *nr && refs[i].kind == ref->kind && refs[i].val == ref->val)
		return 0;
	if (*nr == HORNET_MAX_MAPS)
		return -E2BIG;
	memmove(&refs[i + 1], &refs[i], (*nr - i) * sizeof(*refs));
	refs[i] = *ref;
	(*nr)++;
	return 0;
}

/**
 * hornet_scan_insns() - collect the map references of a program
 * @insns: the program, as copied into the kernel (struct bpf_insn)
 * @insn_cnt: number of 8-byte instructions in @insns
 * @refs: array of HORNET_MAX_MAPS entries; on success the distinct
 *	references, fd_array indexes in ascending order first, then file
 *	descriptors in ascending order, each with the index of the first
 *	instruction that makes it
 * @nr_refs: on success, the number of entries filled in @refs
 * @why: on failure, a short description for the log
 *
 * Only BPF_LD | BPF_IMM | BPF_DW (a two-instruction BPF_LD_IMM64) can name a
 * map, through its src_reg as defined in include/uapi/linux/bpf.h. A plain
 * 64-bit constant, BPF_PSEUDO_BTF_ID and BPF_PSEUDO_FUNC name no map; any
 * other src_reg is refused rather than skipped. Instructions that take a
 * BTF object from a descriptor (a kfunc call with a non-zero off, a
 * BPF_PSEUDO_BTF_ID with a non-zero second immediate) are refused too: the
 * object that gives them their meaning would not be signed.
 *
 * Context: Any context.
 * Return: 0 on success; -EINVAL for a BPF_LD_IMM64 cut off by the end of
 * the program, an unknown src_reg, a negative index or descriptor, or an
 * instruction that takes a BTF object from a descriptor;
 * -E2BIG for an index of HORNET_MAX_FD_INDEX or more, or more than
 * HORNET_MAX_MAPS distinct references.
 */
int hornet_scan_insns(const struct bpf_insn *insns, u32 insn_cnt,
		      struct hornet_map_ref *refs, u32 *nr_refs,
		      const char **why)
{
	u32 i, nr = 0;

	for (i = 0; i < insn_cnt; i++) {
		const struct bpf_insn *insn = &insns[i];
		struct hornet_map_ref ref;

		/*
		 * A kfunc call with a non-zero off takes the BTF that gives its
		 * id a meaning from fd_array, which the signature does not cover.
		 */
		if (insn->code == (BPF_JMP | BPF_CALL) &&
		    insn->src_reg == BPF_PSEUDO_KFUNC_CALL && insn->off) {
			*why = "kfunc call through a module BTF descriptor";
			return -EINVAL;
		}
		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (i + 1 >= insn_cnt) {
			*why = "truncated BPF_LD_IMM64";
			return -EINVAL;
		}

		switch (insn->src_reg) {
		case BPF_PSEUDO_BTF_ID:
			/* Same for a ksym whose BTF comes from a descriptor. */
			if (insn[1].imm) {
				*why = "ksym through a module BTF descriptor";
				return -EINVAL;
			}
			fallthrough;
		case 0:
		case BPF_PSEUDO_FUNC:
			i++;
			continue;
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			ref.kind = HORNET_REF_IDX;
			break;
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_VALUE:
			ref.kind = HORNET_REF_FD;
			break;
		default:
			*why = "unknown BPF_LD_IMM64 source";
			return -EINVAL;
		}

		if (insn->imm < 0) {
			*why = "negative map index or descriptor";
			return -EINVAL;
		}
		ref.val = insn->imm;
		ref.first = i;
		if (ref.kind == HORNET_REF_IDX && ref.val >= HORNET_MAX_FD_INDEX) {
			*why = "fd_array index too large";
			return -E2BIG;
		}
		if (hornet_add_ref(refs, &nr, &ref)) {
			*why = "too many maps";
			return -E2BIG;
		}
		i++;
	}

	*nr_refs = nr;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hornet_scan_insns);

/**
 * hornet_check_attr() - refuse the load attributes the signature cannot cover
 * @attr: the attributes of a BPF_PROG_LOAD from userspace, as copied into
 *	the kernel (include/uapi/linux/bpf.h)
 * @why: on failure, a short description for the log
 *
 * A userspace load must be a light-skeleton loader: a
 * BPF_PROG_TYPE_SYSCALL program with no expected attach type, no attach
 * target, no BTF and no BTF-driven rewriting (func_info, line_info,
 * in-kernel CO-RE relocations), not offloaded to a device, without a
 * token, whose only flag is BPF_F_SLEEPABLE. Each of these would change
 * what the signed instructions do, or which objects they reach, after the
 * signature was checked. Everything else a light skeleton needs is loaded
 * by its loader from inside the kernel. License, program name, the
 * verifier log and fd_array are not refused here: the first three do not
 * change what runs, and the maps fd_array names are checked on their own.
 *
 * Context: Any context.
 * Return: 0 if @attr may be signed; -EPERM otherwise.
 */
int hornet_check_attr(const union bpf_attr *attr, const char **why)
{
	if (attr->prog_type != BPF_PROG_TYPE_SYSCALL) {
		*why = "program type is not BPF_PROG_TYPE_SYSCALL";
		return -EPERM;
	}
	if (attr->prog_flags & ~BPF_F_SLEEPABLE) {
		*why = "prog_flags other than BPF_F_SLEEPABLE";
		return -EPERM;
	}
	if (attr->expected_attach_type || attr->attach_btf_id ||
	    attr->attach_prog_fd) {
		*why = "attach type or attach target";
		return -EPERM;
	}
	if (attr->prog_btf_fd || attr->func_info_rec_size || attr->func_info ||
	    attr->func_info_cnt || attr->line_info_rec_size ||
	    attr->line_info || attr->line_info_cnt) {
		*why = "program BTF, func_info or line_info";
		return -EPERM;
	}
	if (attr->core_relo_cnt || attr->core_relos ||
	    attr->core_relo_rec_size) {
		*why = "CO-RE relocations";
		return -EPERM;
	}
	if (attr->prog_ifindex) {
		*why = "device offload (prog_ifindex)";
		return -EPERM;
	}
	if (attr->kern_version) {
		*why = "kern_version";
		return -EPERM;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hornet_check_attr);

/**
 * hornet_payload_size() - size the signed payload and bound the signed data
 * @insn_cnt: number of 8-byte instructions
 * @map_sizes: size in bytes of the contents of each map, in payload order
 * @nr_maps: number of entries in @map_sizes
 * @len: on success, the payload size in bytes: the header, one record per
 *	map and the instructions
 * @why: on failure, a short description for the log
 *
 * The instructions and the map contents together, the data the signature
 * vouches for, may not exceed HORNET_MAX_SIGNED bytes; that bounds the
 * hashing each check does. The contents themselves are not part of the
 * payload, only their digests.
 *
 * Context: Any context.
 * Return: 0 on success; -E2BIG if the signed data would exceed
 * HORNET_MAX_SIGNED bytes or @nr_maps exceeds HORNET_MAX_MAPS.
 */
int hornet_payload_size(u32 insn_cnt, const u64 *map_sizes, u32 nr_maps,
			u64 *len, const char **why)
{
	u64 signed_len = (u64)insn_cnt * sizeof(struct bpf_insn);
	u32 i;

	if (nr_maps > HORNET_MAX_MAPS) {
		*why = "too many maps";
		return -E2BIG;
	}
	if (signed_len > HORNET_MAX_SIGNED)
		goto too_big;
	for (i = 0; i < nr_maps; i++) {
		if (map_sizes[i] > HORNET_MAX_SIGNED - signed_len)
			goto too_big;
		signed_len += map_sizes[i];
	}
	*len = sizeof(struct hornet_payload_hdr) +
	       (u64)nr_maps * sizeof(struct hornet_payload_map) +
	       (u64)insn_cnt * sizeof(struct bpf_insn);
	return 0;

too_big:
	*why = "instructions and map contents larger than 16 MiB";
	return -E2BIG;
}
EXPORT_SYMBOL_IF_KUNIT(hornet_payload_size);

/**
 * hornet_payload_hdr() - fill in the header of the signed payload
 * @hdr: the header to fill in, the first 32 bytes of the payload
 * @attr: the attributes of the BPF_PROG_LOAD being checked
 * @nr_maps: number of map records that follow the header
 *
 * The header binds the program type, expected attach type, flags and
 * instruction count of the load, so that the same bytes cannot be loaded
 * as something else or cut into instructions and maps another way.
 *
 * Context: Any context.
 */
void hornet_payload_hdr(struct hornet_payload_hdr *hdr,
			const union bpf_attr *attr, u32 nr_maps)
{
	memcpy(hdr->magic, HORNET_PAYLOAD_MAGIC, sizeof(hdr->magic));
	hdr->version = cpu_to_le32(HORNET_PAYLOAD_VERSION);
	hdr->prog_type = cpu_to_le32(attr->prog_type);
	hdr->expected_attach_type = cpu_to_le32(attr->expected_attach_type);
	hdr->prog_flags = cpu_to_le32(attr->prog_flags);
	hdr->insn_cnt = cpu_to_le32(attr->insn_cnt);
	hdr->nr_maps = cpu_to_le32(nr_maps);
}
EXPORT_SYMBOL_IF_KUNIT(hornet_payload_hdr);

/**
 * hornet_payload_map() - fill in the record of one map of the payload
 * @rec: the record to fill in, 64 bytes
 * @geo: the map's geometry
 * @ref: how the program names the map
 * @digest: SHA-256 of the map's contents
 *
 * The record binds the geometry that gives the contents their meaning,
 * so that bytes signed as one layout of maps cannot be loaded as another.
 *
 * Context: Any context.
 */
void hornet_payload_map(struct hornet_payload_map *rec,
			const struct hornet_map_geometry *geo,
			const struct hornet_map_ref *ref,
			const u8 digest[SHA256_DIGEST_SIZE])
{
	rec->map_type = cpu_to_le32(geo->map_type);
	rec->key_size = cpu_to_le32(geo->key_size);
	rec->value_size = cpu_to_le32(geo->value_size);
	rec->max_entries = cpu_to_le32(geo->max_entries);
	rec->map_flags = cpu_to_le32(geo->map_flags);
	rec->ref_kind = cpu_to_le32(ref->kind);
	rec->ref = cpu_to_le32(ref->val);
	rec->reserved = 0;
	memcpy(rec->digest, digest, SHA256_DIGEST_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(hornet_payload_map);
