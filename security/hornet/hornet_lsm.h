/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hornet: what the hooks, the decision records and the securityfs files
 * share.
 */
#ifndef _SECURITY_HORNET_HORNET_LSM_H
#define _SECURITY_HORNET_HORNET_LSM_H

#include <crypto/sha2.h>
#include <linux/types.h>

struct bpf_prog;
struct file;

/* The checks Hornet makes, in the order a light skeleton meets them. */
enum hornet_op {
	HORNET_OP_LOAD,		/* BPF_PROG_LOAD from userspace */
	HORNET_OP_BIND,		/* the first descriptor of a checked program */
	HORNET_OP_RUN,		/* a syscall program about to run */
	HORNET_OP_NR,
};

/* What became of a check. */
enum hornet_verdict {
	HORNET_ACCEPTED,	/* the check passed */
	HORNET_DENIED,		/* it failed and the request was refused */
	HORNET_PERMITTED,	/* it failed, permissive mode let it through */
};

/* Longest signer identifier recorded, in bytes (issuer and serial). */
#define HORNET_MAX_SIGNER_ID	256

/**
 * struct hornet_decision - one check and its outcome, for the records
 * @op: which check
 * @err: 0, or the errno enforcing mode returns
 * @why: for a failed check, a short reason
 * @prog: the program
 * @insn_cnt: its instruction count as loaded (the verifier may change it)
 * @digest: SHA-256 of the signed payload, when it was built, else NULL
 * @signer: identifier of the signing key (issuer and serial number, or
 *	subject key identifier), for an accepted load, else NULL
 * @signer_len: length of @signer in bytes
 * @quiet: a passed check that is counted but never audited
 * @enforcing: the mode the outcome was decided in, read once
 */
struct hornet_decision {
	enum hornet_op op;
	int err;
	const char *why;
	const struct bpf_prog *prog;
	u32 insn_cnt;
	const u8 *digest;
	const u8 *signer;
	u32 signer_len;
	bool quiet;
	bool enforcing;
};

extern bool hornet_enabled;

bool hornet_enforcing(void);
int hornet_set_enforcing(void);
bool hornet_success_audit(void);
void hornet_set_success_audit(bool on);

void hornet_record(const struct hornet_decision *d,
		   enum hornet_verdict verdict, bool lockdown);
void hornet_count_kernel_load(void);
void hornet_audit_mode_change(const char *what, bool old, bool new);
int hornet_counters_show(struct seq_file *m, void *v);
ssize_t hornet_read_exe(struct file *exe, void *buf, size_t len, loff_t pos);

#endif /* _SECURITY_HORNET_HORNET_LSM_H */
