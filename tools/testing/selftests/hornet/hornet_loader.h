/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the Hornet selftest loaders: the failure line the tests match
 * (fail(), from hornet_util.h) and a map lookup. Define HORNET_LOADER_NAME
 * before including it; include it after <bpf/skel_internal.h> or a light
 * skeleton.
 */
#ifndef HORNET_LOADER_H
#define HORNET_LOADER_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/skel_internal.h>
#include "hornet_util.h"

/* BPF_MAP_LOOKUP_ELEM of a u32 key: 0, or a negative errno. */
static inline int map_lookup(int map_fd, __u32 key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = map_fd;
	attr.key = (long)&key;
	attr.value = (long)value;
	return skel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) ? -errno : 0;
}

#endif /* HORNET_LOADER_H */
