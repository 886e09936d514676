/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hornet: the formats Hornet parses and builds, kept free of LSM
 * dependencies so that KUnit can exercise them directly.
 */
#ifndef _SECURITY_HORNET_HORNET_H
#define _SECURITY_HORNET_HORNET_H

#include <crypto/sha2.h>
#include <linux/build_bug.h>
#include <linux/module_signature.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct bpf_insn;
union bpf_attr;

/* Last bytes of a signed loader executable; no terminating NUL. */
#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)
/* struct module_signature followed by the magic string. */
#define HORNET_TRAILER_LEN	(sizeof(struct module_signature) + HORNET_MAGIC_LEN)

/*
 * An executable with signatures for several payloads ends in a signature
 * table instead (Documentation/security/hornet.rst, "Several light
 * skeletons in one executable"):
 *
 *	[ DER 0 ] ... [ DER n-1 ][ entry 0 ] ... [ entry n-1 ][ footer ][ magic ]
 *
 * The DER blobs are back to back, in entry order, and end where entry 0
 * begins. Integers are big-endian, as in struct module_signature.
 */
#define HORNET_TABLE_MAGIC	"~eBPF signature table v1~\n"
#define HORNET_TABLE_MAGIC_LEN	(sizeof(HORNET_TABLE_MAGIC) - 1)
/* One read of the last HORNET_MAGIC_LEN bytes tells the two formats apart. */
static_assert(HORNET_TABLE_MAGIC_LEN == HORNET_MAGIC_LEN);
/* Most entries in a signature table. */
#define HORNET_MAX_SIGS		16

/**
 * struct hornet_sig_entry - one signature of a signature table
 * @digest: SHA-256 of the payload the signature is for
 * @sig_len: length in bytes of its PKCS#7 blob, 1 to HORNET_MAX_SIG_LEN
 * @reserved: zero
 */
struct hornet_sig_entry {
	u8 digest[SHA256_DIGEST_SIZE];
	__be32 sig_len;
	__be32 reserved;
};

static_assert(sizeof(struct hornet_sig_entry) == 40);

/**
 * struct hornet_sig_footer - end of a signature table, before the magic
 * @nr_entries: number of struct hornet_sig_entry, 1 to HORNET_MAX_SIGS
 * @reserved: zero
 */
struct hornet_sig_footer {
	__be32 nr_entries;
	__be32 reserved;
};

static_assert(sizeof(struct hornet_sig_footer) == 8);

/* Footer and magic of a signature table. */
#define HORNET_TABLE_END_LEN	(sizeof(struct hornet_sig_footer) + \
				 HORNET_TABLE_MAGIC_LEN)
/* Bytes read from the end of an executable to find its signature. */
#define HORNET_TAIL_LEN		(HORNET_TABLE_END_LEN + HORNET_MAX_SIGS * \
				 sizeof(struct hornet_sig_entry))
static_assert(HORNET_TAIL_LEN >= HORNET_TRAILER_LEN);

/*
 * Largest PKCS#7 blob accepted, in bytes: the most the kernel's ASN.1
 * decoder takes (lib/asn1_decoder.c); a longer blob could never verify.
 */
#define HORNET_MAX_SIG_LEN	(SZ_64K - 1)
/* Most distinct map references in one program (the verifier's own limit). */
#define HORNET_MAX_MAPS		64
/* fd_array indexes must be below this. */
#define HORNET_MAX_FD_INDEX	65536
/* Most signed data (instructions plus map contents), in bytes. */
#define HORNET_MAX_SIGNED	SZ_16M

/*
 * The signed payload (Documentation/security/hornet.rst, "What is
 * signed"): a header, one record per referenced map in payload order,
 * then the instructions. Integers are little-endian.
 */
#define HORNET_PAYLOAD_MAGIC	"HORNETPL"
#define HORNET_PAYLOAD_VERSION	1

/**
 * struct hornet_payload_hdr - start of the signed payload
 * @magic: HORNET_PAYLOAD_MAGIC, without a NUL
 * @version: HORNET_PAYLOAD_VERSION
 * @prog_type: the program type of BPF_PROG_LOAD
 * @expected_attach_type: its expected_attach_type
 * @prog_flags: its prog_flags
 * @insn_cnt: number of 8-byte instructions that end the payload
 * @nr_maps: number of struct hornet_payload_map records that follow
 */
struct hornet_payload_hdr {
	u8 magic[8];
	__le32 version;
	__le32 prog_type;
	__le32 expected_attach_type;
	__le32 prog_flags;
	__le32 insn_cnt;
	__le32 nr_maps;
};

static_assert(sizeof(struct hornet_payload_hdr) == 32);

/**
 * struct hornet_payload_map - one referenced map in the signed payload
 * @map_type: the map's type
 * @key_size: its key size in bytes
 * @value_size: its value size in bytes
 * @max_entries: its number of elements
 * @map_flags: its flags, as the kernel keeps them
 * @ref_kind: enum hornet_ref_kind of the reference
 * @ref: the fd_array index or the file descriptor
 * @reserved: zero
 * @digest: SHA-256 of the contents, @value_size * @max_entries bytes
 *	(the element values back to back, in index order)
 */
struct hornet_payload_map {
	__le32 map_type;
	__le32 key_size;
	__le32 value_size;
	__le32 max_entries;
	__le32 map_flags;
	__le32 ref_kind;
	__le32 ref;
	__le32 reserved;
	u8 digest[SHA256_DIGEST_SIZE];
};

static_assert(sizeof(struct hornet_payload_map) == 64);

/**
 * enum hornet_ref_kind - how an instruction names a map
 * @HORNET_REF_IDX: BPF_PSEUDO_MAP_IDX or BPF_PSEUDO_MAP_IDX_VALUE, the
 *	immediate is an index into the fd_array of BPF_PROG_LOAD
 * @HORNET_REF_FD: BPF_PSEUDO_MAP_FD or BPF_PSEUDO_MAP_VALUE, the immediate
 *	is a file descriptor of the loading task
 *
 * The order of the values is the order of the maps in the payload.
 */
enum hornet_ref_kind {
	HORNET_REF_IDX,
	HORNET_REF_FD,
};

/**
 * struct hornet_map_ref - one distinct map reference found in a program
 * @kind: how the map is named
 * @val: fd_array index or file descriptor
 * @first: index of the first instruction that makes this reference
 */
struct hornet_map_ref {
	enum hornet_ref_kind kind;
	u32 val;
	u32 first;
};

/**
 * struct hornet_map_geometry - what gives a map's contents their meaning
 * @map_type: map type
 * @key_size: key size in bytes
 * @value_size: value size in bytes
 * @max_entries: number of elements
 * @map_flags: map flags as the kernel keeps them
 */
struct hornet_map_geometry {
	u32 map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
};

int hornet_parse_trailer(const u8 *tail, size_t tail_len, u64 file_size,
			 u32 *sig_len, const char **why);
int hornet_find_signature(const u8 *tail, size_t tail_len, u64 file_size,
			  const u8 digest[SHA256_DIGEST_SIZE], u64 *sig_off,
			  u32 *sig_len, const char **why);
int hornet_check_attr(const union bpf_attr *attr, const char **why);
int hornet_scan_insns(const struct bpf_insn *insns, u32 insn_cnt,
		      struct hornet_map_ref *refs, u32 *nr_refs,
		      const char **why);
int hornet_payload_size(u32 insn_cnt, const u64 *map_sizes, u32 nr_maps,
			u64 *len, const char **why);
void hornet_payload_hdr(struct hornet_payload_hdr *hdr,
			const union bpf_attr *attr, u32 nr_maps);
void hornet_payload_map(struct hornet_payload_map *rec,
			const struct hornet_map_geometry *geo,
			const struct hornet_map_ref *ref,
			const u8 digest[SHA256_DIGEST_SIZE]);

#endif /* _SECURITY_HORNET_HORNET_H */
