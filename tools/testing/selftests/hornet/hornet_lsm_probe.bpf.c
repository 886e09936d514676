// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftest BPF program: a BPF LSM program on the bpf_prog_load hook
 * that records, for each load made by one process, whether the kernel made
 * it: the "kernel" argument the series gives the hook, as Linux 6.15 does.
 * Loaded from inside the kernel by its signed light-skeleton loader.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct bpf_prog;
struct bpf_token;

#define HORNET_PROBE_SLOTS	16

/* Slot i: the i-th load's program type, plus 1000 if the kernel made it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HORNET_PROBE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} loads SEC(".maps");

__u32 monitored_tgid;
__u32 nr_loads;

SEC("lsm/bpf_prog_load")
int BPF_PROG(hornet_probe, struct bpf_prog *prog, union bpf_attr *attr,
	     struct bpf_token *token, bool kernel)
{
	__u32 slot;
	__u64 *val;

	if (!monitored_tgid || bpf_get_current_pid_tgid() >> 32 != monitored_tgid)
		return 0;
	/* One process, loading one program at a time: no atomics needed. */
	slot = nr_loads++;
	if (slot >= HORNET_PROBE_SLOTS)
		return 0;
	val = bpf_map_lookup_elem(&loads, &slot);
	if (val)
		*val = attr->prog_type + (kernel ? 1000 : 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
