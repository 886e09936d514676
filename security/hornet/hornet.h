/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hornet: the formats Hornet parses, kept free of LSM dependencies so that
 * KUnit can exercise them directly.
 */
#ifndef _SECURITY_HORNET_HORNET_H
#define _SECURITY_HORNET_HORNET_H

#include <linux/module_signature.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct bpf_insn;

/* Last bytes of a signed loader executable; no terminating NUL. */
#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)
/* struct module_signature followed by the magic string. */
#define HORNET_TRAILER_LEN	(sizeof(struct module_signature) + HORNET_MAGIC_LEN)

/* Largest PKCS#7 blob accepted, in bytes. */
#define HORNET_MAX_SIG_LEN	SZ_64K
/* Most distinct map references in one program (the verifier's own limit). */
#define HORNET_MAX_MAPS		64
/* fd_array indexes must be below this. */
#define HORNET_MAX_FD_INDEX	65536
/* Largest payload (instructions plus map contents), in bytes. */
#define HORNET_MAX_PAYLOAD	SZ_16M

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

int hornet_parse_trailer(const u8 *tail, size_t tail_len, u64 file_size,
			 u32 *sig_len, const char **why);
int hornet_scan_insns(const struct bpf_insn *insns, u32 insn_cnt,
		      struct hornet_map_ref *refs, u32 *nr_refs,
		      const char **why);
int hornet_payload_layout(u32 insn_cnt, const u64 *map_sizes, u32 nr_maps,
			  u64 *offsets, u64 *total, const char **why);

#endif /* _SECURITY_HORNET_HORNET_H */
