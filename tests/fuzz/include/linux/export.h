/* SPDX-License-Identifier: GPL-2.0-only */
/* Nothing is exported from a userspace build. */
