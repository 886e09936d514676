/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hornet: what the load check, the program state, the decision records
 * and the securityfs files share.
 */
#ifndef _SECURITY_HORNET_HORNET_LSM_H
#define _SECURITY_HORNET_HORNET_LSM_H

#include <crypto/sha2.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct bpf_map;
struct bpf_prog;
struct bpf_prog_aux;
struct file;
struct lsm_id;
struct seq_file;

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

/* Bytes of map contents hashed per call of the map accessor. */
#define HORNET_CHUNK		SZ_4K

enum hornet_state {
	HORNET_PENDING,		/* verified, maps not yet compared */
	HORNET_BOUND,		/* the verifier bound exactly the signed maps */
	HORNET_REFUSED,		/* the verifier bound something else */
	HORNET_RAN,		/* userspace ran it once with BPF_PROG_RUN */
	HORNET_UNVERIFIED,	/* its load failed a check; permissive mode */
};

/**
 * struct hornet_map_state - a signed map of a verified program
 * @map: the map; a reference is held while the program is pending; once
 *	bound, the program's used_maps keep it alive; once refused, it is
 *	never dereferenced again
 * @digest: SHA-256 of the map's contents when the signature was checked
 */
struct hornet_map_state {
	struct bpf_map *map;
	u8 digest[SHA256_DIGEST_SIZE];
};

/**
 * struct hornet_prog - what Hornet remembers of a program loaded from
 *	userspace
 * @node: link in hornet_progs, keyed by @aux
 * @aux: the program's bpf_prog_aux, stable across bpf_prog_realloc()
 * @lock: serialises @state transitions and reference drops
 * @state: see enum hornet_state
 * @load_err: for an unverified program, the errno its load would have got
 * @insn_cnt: the instruction count it was loaded with
 * @digest: SHA-256 of its signed payload, if one was built
 * @has_digest: @digest is set
 * @nr_maps: number of entries in @maps
 * @maps: the distinct maps the signature covers, in the order in which the
 *	instructions first reference them, which is the order in which the
 *	verifier fills used_maps
 */
struct hornet_prog {
	struct hlist_node node;
	const struct bpf_prog_aux *aux;
	struct mutex lock; /* protects state and the map references */
	enum hornet_state state;
	int load_err;
	u32 insn_cnt;
	u8 digest[SHA256_DIGEST_SIZE];
	bool has_digest;
	u32 nr_maps;
	struct hornet_map_state maps[] __counted_by(nr_maps);
};

extern bool hornet_enabled;
extern const struct lsm_id hornet_lsmid;

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
int hornet_decide(struct hornet_decision *d);
int hornet_map_digest(struct bpf_map *map, u64 size, u8 *chunk,
		      u8 digest[SHA256_DIGEST_SIZE]);

void hornet_track(struct hornet_prog *hp);
void __init hornet_add_prog_hooks(void);

#endif /* _SECURITY_HORNET_HORNET_LSM_H */
