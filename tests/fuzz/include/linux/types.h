/* SPDX-License-Identifier: GPL-2.0-only */
/* The uapi types (__u32, __be32, ...) plus the kernel's short names. */
#ifndef HORNET_FUZZ_LINUX_TYPES_H
#define HORNET_FUZZ_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#endif
