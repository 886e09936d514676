/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HORNET_FUZZ_LINUX_BUILD_BUG_H
#define HORNET_FUZZ_LINUX_BUILD_BUG_H

/* The kernel's static_assert() takes an optional message. */
#undef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#endif
