/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HORNET_FUZZ_LINUX_SIZES_H
#define HORNET_FUZZ_LINUX_SIZES_H

#define SZ_64K	0x00010000
#define SZ_1M	0x00100000
#define SZ_16M	0x01000000

#endif
