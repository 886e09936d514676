// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest BPF program: a socket filter that counts the packets it
 * sees, once in an ARRAY map and once in a global variable, so that the
 * loader can prove the program really ran.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

__u64 seen_packets;
__u64 seen_bytes;

SEC("socket")
int hornet_count(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *val;

	val = bpf_map_lookup_elem(&pkt_count, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	__sync_fetch_and_add(&seen_packets, 1);
	__sync_fetch_and_add(&seen_bytes, skb->len);
	/* Keep the whole datagram. */
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
