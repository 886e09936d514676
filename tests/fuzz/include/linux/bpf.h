/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct bpf_insn, union bpf_attr and the BPF_* constants: the uapi header
 * of the kernel tree when lab/fuzz.sh names it (HORNET_UAPI_BPF_H), else
 * the system's copy (linux-libc-dev).
 */
#ifndef HORNET_FUZZ_LINUX_BPF_H
#define HORNET_FUZZ_LINUX_BPF_H

#ifdef HORNET_UAPI_BPF_H
#include HORNET_UAPI_BPF_H
#else
#include_next <linux/bpf.h>
#endif

#endif
