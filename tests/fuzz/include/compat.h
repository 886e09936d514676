/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included (-include) before security/hornet/hornet_parse.c when it is
 * built for userspace by tests/fuzz: the few kernel helpers that file uses
 * without a header of its own.  Nothing else; the headers next to this one
 * stand in for the kernel headers hornet_parse.c and hornet.h include.
 */
#ifndef HORNET_FUZZ_COMPAT_H
#define HORNET_FUZZ_COMPAT_H

#include <endian.h>
#include <stdint.h>

#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define fallthrough __attribute__((__fallthrough__))

#define be32_to_cpu(x) be32toh(x)
#define cpu_to_be32(x) htobe32(x)
#define cpu_to_le32(x) htole32(x)
#define le32_to_cpu(x) le32toh(x)

#endif
