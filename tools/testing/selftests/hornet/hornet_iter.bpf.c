// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest BPF program: a map element iterator that writes the
 * values it visits. Signed and loaded through its light skeleton, it is
 * the kind of program that could rewrite a frozen map (a light-skeleton
 * loader's data) if it could be attached to one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_map;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
} __attribute__((preserve_access_index));

/* What the iterator writes over the first 8 bytes of every value. */
#define HORNET_ITER_MARK	0x48524e54574f4e45ULL

SEC("iter/bpf_map_elem")
int hornet_overwrite(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key;
	__u64 *val = ctx->value;

	if (!key || !val)
		return 0;
	*val = HORNET_ITER_MARK;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
