// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tiny BPF program used by the host tests to produce real light skeletons:
 * a socket filter with an array map and a global variable.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

const volatile __u32 hornet_limit = 7;
__u64 hornet_seen;

SEC("socket")
int hornet_count(struct __sk_buff *skb)
{
	__u32 key = skb->len % 4;
	__u64 *val = bpf_map_lookup_elem(&counters, &key);

	if (val)
		__sync_fetch_and_add(val, 1);
	hornet_seen += hornet_limit;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
