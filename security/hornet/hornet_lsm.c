// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: refuse BPF_PROG_LOAD from userspace unless a trusted key signed
 * the program's instructions and the contents of the maps it references.
 *
 * The signature travels at the end of the calling task's executable (see
 * hornet_parse.c for the trailer). A light-skeleton loader is the intended
 * signed program: its instructions and its frozen data blob are the same
 * on every machine, and the programs it loads are loaded by the kernel,
 * which Hornet trusts.
 *
 * A verified program whose instructions reference maps is remembered until
 * it is freed, so that Hornet can check that the verifier bound exactly the
 * maps that were signed (the verifier resolves fd_array and descriptors a
 * second time), and that their contents still match the signature each
 * time userspace runs the program with BPF_PROG_RUN.
 */

#define pr_fmt(fmt) "hornet: " fmt

#include <crypto/pkcs7.h>
#include <crypto/sha2.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/lsm_hooks.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/verification.h>
#include <uapi/linux/lsm.h>

#include "hornet.h"

enum hornet_state {
	HORNET_PENDING,		/* verified, maps not yet compared */
	HORNET_BOUND,		/* the verifier bound exactly the signed maps */
	HORNET_REFUSED,		/* the verifier bound something else */
	HORNET_RAN,		/* userspace ran it once with BPF_PROG_RUN */
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
 * struct hornet_prog - what Hornet remembers of a verified program
 * @node: link in hornet_progs, keyed by @aux
 * @aux: the program's bpf_prog_aux, stable across bpf_prog_realloc()
 * @lock: serialises @state transitions and reference drops
 * @state: see enum hornet_state
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
	u32 nr_maps;
	struct hornet_map_state maps[] __counted_by(nr_maps);
};

/* Per-load scratch space, kept off the stack. */
struct hornet_check {
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	struct bpf_map *maps[HORNET_MAX_MAPS];
	u64 sizes[HORNET_MAX_MAPS];
	u64 offsets[HORNET_MAX_MAPS];
	u32 nr_refs;
	u32 nr_maps;		/* references resolved so far */
};

static DEFINE_HASHTABLE(hornet_progs, 7);
/* Taken with bottom halves off: programs may be freed from RCU callbacks. */
static DEFINE_SPINLOCK(hornet_progs_lock);

static struct hornet_prog *__hornet_prog_find(const struct bpf_prog_aux *aux)
{
	struct hornet_prog *hp;

	lockdep_assert_held(&hornet_progs_lock);
	hash_for_each_possible(hornet_progs, hp, node, (unsigned long)aux)
		if (hp->aux == aux)
			return hp;
	return NULL;
}

static struct hornet_prog *hornet_prog_find(const struct bpf_prog_aux *aux)
{
	struct hornet_prog *hp;

	spin_lock_bh(&hornet_progs_lock);
	hp = __hornet_prog_find(aux);
	spin_unlock_bh(&hornet_progs_lock);
	return hp;
}

static void hornet_put_maps(struct hornet_prog *hp)
{
	u32 i;

	for (i = 0; i < hp->nr_maps; i++)
		bpf_map_put(hp->maps[i].map);
}

static void hornet_deny(const char *op, const char *why, int err)
{
	pr_warn_ratelimited("%s[%d]: %s denied: %s (%d)\n", current->comm,
			    task_pid_nr(current), op, why, err);
}

/* Read the PKCS#7 blob from the trailer of the current task's executable. */
static int hornet_read_signature(u8 **sig, u32 *sig_len, const char **why)
{
	u8 tail[HORNET_TRAILER_LEN];
	struct file *exe;
	size_t tail_len;
	loff_t size, pos;
	ssize_t n;
	u8 *buf;
	u32 len;
	int err;

	exe = get_task_exe_file(current);
	if (!exe) {
		*why = "task has no executable";
		return -ENODATA;
	}
	/* PR_SET_MM_EXE_FILE accepts a file opened without read access. */
	if (!(exe->f_mode & FMODE_READ) || !(exe->f_mode & FMODE_CAN_READ)) {
		*why = "executable not readable";
		err = -ENODATA;
		goto out;
	}

	size = i_size_read(file_inode(exe));
	tail_len = min_t(loff_t, size, HORNET_TRAILER_LEN);
	pos = size - tail_len;
	n = kernel_read(exe, tail, tail_len, &pos);
	if (n != tail_len) {
		*why = "cannot read the executable";
		err = -EIO;
		goto out;
	}

	err = hornet_parse_trailer(tail, tail_len, size, &len, why);
	if (err)
		goto out;

	buf = kmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		*why = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	pos = size - HORNET_TRAILER_LEN - len;
	n = kernel_read(exe, buf, len, &pos);
	if (n != len) {
		kfree(buf);
		*why = "cannot read the executable";
		err = -EIO;
		goto out;
	}
	*sig = buf;
	*sig_len = len;
out:
	fput(exe);
	return err;
}

/* Resolve one map reference the way the verifier will, and size it. */
static int hornet_get_map(const union bpf_attr *attr,
			  const struct hornet_map_ref *ref,
			  struct bpf_map **mapp, u64 *size, const char **why)
{
	struct bpf_map *map;
	u32 fd = ref->val;
	int err;

	if (ref->kind == HORNET_REF_IDX) {
		u32 __user *fd_array = u64_to_user_ptr(attr->fd_array);

		if (!fd_array) {
			*why = "map index without fd_array";
			return -EINVAL;
		}
		if (get_user(fd, fd_array + ref->val)) {
			*why = "fd_array not readable";
			return -EFAULT;
		}
	}

	map = bpf_map_get(fd);
	if (IS_ERR(map)) {
		*why = "map reference does not name a map";
		return PTR_ERR(map);
	}

	err = bpf_map_frozen_size(map, size);
	if (err) {
		*why = err == -EPERM ? "map not frozen" :
				       "map is not a plain array";
		bpf_map_put(map);
		return err;
	}
	*mapp = map;
	return 0;
}

/*
 * Check @sig over @payload and fold the errors into Hornet's errno table.
 * The PKCS#7 parser also enforces parts of the profile (it refuses, for
 * instance, S/MIME capabilities outside Authenticode), so every parser
 * refusal is a malformed message.
 */
static int hornet_verify_payload(const void *payload, u64 len, const u8 *sig,
				 u32 sig_len, const char **why)
{
	struct pkcs7_message *pkcs7;
	int err;

	pkcs7 = pkcs7_parse_message(sig, sig_len);
	if (IS_ERR(pkcs7)) {
		err = PTR_ERR(pkcs7);
		if (err == -ENOMEM) {
			*why = "out of memory";
			return err;
		}
		if (err == -ENOPKG) {
			*why = "signature algorithm not supported";
			return err;
		}
		*why = "malformed PKCS#7 signature";
		return -EBADMSG;
	}
	err = verify_pkcs7_message_sig(payload, len, pkcs7,
				       VERIFY_USE_SECONDARY_KEYRING,
				       VERIFYING_EBPF_SIGNATURE, NULL, NULL);
	pkcs7_free_message(pkcs7);

	switch (err) {
	case 0:
		return 0;
	case -ENOKEY:
		*why = "signing key is not trusted";
		return err;
	case -EKEYREJECTED:
		*why = "signature does not match the program";
		return err;
	case -ENOPKG:
		*why = "signature algorithm not supported";
		return err;
	case -ENOMEM:
		*why = "out of memory";
		return err;
	default:
		*why = "malformed PKCS#7 signature";
		return -EBADMSG;
	}
}

/*
 * Remember the verified maps of @prog, taking over the references, in the
 * order in which the instructions first reference them: the verifier adds
 * maps to used_maps in that order. References resolve to distinct maps.
 */
static int hornet_remember(struct bpf_prog *prog, struct hornet_check *hc,
			   const u8 *payload)
{
	struct hornet_prog *hp;
	u32 i, k, best;

	hp = kzalloc(struct_size(hp, maps, hc->nr_maps), GFP_KERNEL_ACCOUNT);
	if (!hp)
		return -ENOMEM;
	hp->aux = prog->aux;
	mutex_init(&hp->lock);
	hp->state = HORNET_PENDING;
	hp->nr_maps = hc->nr_maps;

	for (i = 0; i < hc->nr_maps; i++) {
		/* The remaining reference made first; at most 64 of them. */
		best = hc->nr_maps;
		for (k = 0; k < hc->nr_maps; k++)
			if (hc->maps[k] && (best == hc->nr_maps ||
					    hc->refs[k].first < hc->refs[best].first))
				best = k;
		hp->maps[i].map = hc->maps[best];
		sha256(payload + hc->offsets[best], hc->sizes[best],
		       hp->maps[i].digest);
		hc->maps[best] = NULL;
	}

	spin_lock_bh(&hornet_progs_lock);
	hash_add(hornet_progs, &hp->node, (unsigned long)hp->aux);
	spin_unlock_bh(&hornet_progs_lock);
	return 0;
}

static int hornet_check_load(struct bpf_prog *prog, const union bpf_attr *attr,
			     const char **why)
{
	u64 insn_len = (u64)prog->len * sizeof(struct bpf_insn);
	struct hornet_check *hc;
	u8 *sig = NULL, *payload = NULL;
	u32 sig_len, i, j;
	u64 total;
	int err;

	err = hornet_read_signature(&sig, &sig_len, why);
	if (err)
		return err;

	hc = kzalloc(sizeof(*hc), GFP_KERNEL_ACCOUNT);
	if (!hc) {
		*why = "out of memory";
		err = -ENOMEM;
		goto out;
	}

	err = hornet_scan_insns(prog->insnsi, prog->len, hc->refs,
				&hc->nr_refs, why);
	if (err)
		goto out;

	for (i = 0; i < hc->nr_refs; i++) {
		err = hornet_get_map(attr, &hc->refs[i], &hc->maps[i],
				     &hc->sizes[i], why);
		if (err)
			goto out;
		hc->nr_maps++;
		/*
		 * One map behind two references would let the verifier, which
		 * resolves every reference again, swap them unnoticed.
		 */
		for (j = 0; j < i; j++) {
			if (hc->maps[j] == hc->maps[i]) {
				*why = "one map named by two references";
				err = -EINVAL;
				goto out;
			}
		}
	}

	err = hornet_payload_layout(prog->len, hc->sizes, hc->nr_maps,
				    hc->offsets, &total, why);
	if (err)
		goto out;

	payload = kvmalloc(total, GFP_KERNEL_ACCOUNT);
	if (!payload) {
		*why = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	/* The instructions already copied in, never a second user read. */
	memcpy(payload, prog->insnsi, insn_len);
	for (i = 0; i < hc->nr_maps; i++) {
		err = bpf_map_frozen_read(hc->maps[i], 0,
					  payload + hc->offsets[i],
					  hc->sizes[i]);
		if (err) {
			*why = "map contents not readable";
			goto out;
		}
	}

	err = hornet_verify_payload(payload, total, sig, sig_len, why);
	if (err)
		goto out;

	if (hc->nr_maps) {
		err = hornet_remember(prog, hc, payload);
		if (err)
			*why = "out of memory";
	}
out:
	if (hc) {
		for (i = 0; i < hc->nr_maps; i++)
			if (hc->maps[i])
				bpf_map_put(hc->maps[i]);
	}
	kvfree(payload);
	kfree(hc);
	kfree(sig);
	return err;
}

static int hornet_bpf_prog_load(struct bpf_prog *prog, union bpf_attr *attr,
				struct bpf_token *token, bool kernel)
{
	const char *why = "unknown";
	int err;

	if (kernel)
		return 0;

	err = hornet_check_load(prog, attr, &why);
	if (err)
		hornet_deny("BPF_PROG_LOAD", why, err);
	return err;
}

/* Did the verifier bind exactly the maps that were signed, in order? */
static bool hornet_maps_bound(const struct hornet_prog *hp,
			      struct bpf_prog_aux *aux)
{
	bool ok;
	u32 i;

	mutex_lock(&aux->used_maps_mutex);
	ok = aux->used_map_cnt == hp->nr_maps;
	for (i = 0; ok && i < hp->nr_maps; i++)
		ok = aux->used_maps[i] == hp->maps[i].map;
	mutex_unlock(&aux->used_maps_mutex);
	return ok;
}

/*
 * Called for every new file descriptor of a program. The first call for a
 * program Hornet verified comes after the verifier, when used_maps is final:
 * that is where the signed maps are compared with the bound ones.
 */
static int hornet_bpf_prog(struct bpf_prog *prog)
{
	struct hornet_prog *hp = hornet_prog_find(prog->aux);
	bool first = false;
	int err;

	if (!hp)
		return 0;

	mutex_lock(&hp->lock);
	if (hp->state == HORNET_PENDING) {
		first = true;
		hp->state = hornet_maps_bound(hp, prog->aux) ? HORNET_BOUND :
							      HORNET_REFUSED;
		hornet_put_maps(hp);
	}
	err = hp->state == HORNET_REFUSED ? -EKEYREJECTED : 0;
	mutex_unlock(&hp->lock);

	if (err && first)
		hornet_deny("BPF_PROG_LOAD", "verifier bound unsigned maps", err);
	return err;
}

/* Do the contents of the signed maps still hash to what was signed? */
static int hornet_maps_unchanged(const struct hornet_map_state *ms)
{
	u8 digest[SHA256_DIGEST_SIZE];
	struct sha256_state sctx;
	u8 chunk[256];
	u64 size, off;
	int err;

	err = bpf_map_frozen_size(ms->map, &size);
	if (err)
		return err;
	sha256_init(&sctx);
	for (off = 0; off < size; off += sizeof(chunk)) {
		u32 len = min_t(u64, sizeof(chunk), size - off);

		err = bpf_map_frozen_read(ms->map, off, chunk, len);
		if (err)
			return err;
		sha256_update(&sctx, chunk, len);
	}
	sha256_final(&sctx, digest);
	return memcmp(digest, ms->digest, sizeof(digest)) ? -EKEYREJECTED : 0;
}

/*
 * A program with signed maps may be run by userspace once, and only while
 * its maps still hold what was signed: a light-skeleton loader writes its
 * own map when it runs.
 */
static int hornet_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	const char *why = "signed map changed since load";
	struct hornet_prog *hp;
	struct bpf_prog *prog;
	int err = 0;
	u32 i;

	if (cmd != BPF_PROG_TEST_RUN)
		return 0;

	prog = bpf_prog_get(attr->test.prog_fd);
	if (IS_ERR(prog))
		return 0;	/* BPF_PROG_RUN reports the bad descriptor */

	hp = hornet_prog_find(prog->aux);
	if (hp) {
		mutex_lock(&hp->lock);
		if (hp->state != HORNET_BOUND) {
			why = "program already ran";
			err = -EKEYREJECTED;
		}
		for (i = 0; !err && i < hp->nr_maps; i++)
			err = hornet_maps_unchanged(&hp->maps[i]);
		if (!err)
			hp->state = HORNET_RAN;
		mutex_unlock(&hp->lock);
	}
	bpf_prog_put(prog);

	if (err)
		hornet_deny("BPF_PROG_RUN", why, err);
	return err;
}

static void hornet_bpf_prog_free(struct bpf_prog *prog)
{
	struct hornet_prog *hp;

	spin_lock_bh(&hornet_progs_lock);
	hp = __hornet_prog_find(prog->aux);
	if (hp)
		hash_del(&hp->node);
	spin_unlock_bh(&hornet_progs_lock);

	if (!hp)
		return;
	/* No other hook can run for a program that is being freed. */
	if (hp->state == HORNET_PENDING)
		hornet_put_maps(hp);
	kfree(hp);
}

static struct security_hook_list hornet_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(bpf, hornet_bpf),
	LSM_HOOK_INIT(bpf_prog, hornet_bpf_prog),
	LSM_HOOK_INIT(bpf_prog_load, hornet_bpf_prog_load),
	LSM_HOOK_INIT(bpf_prog_free, hornet_bpf_prog_free),
};

static const struct lsm_id hornet_lsmid = {
	.name = "hornet",
	.id = LSM_ID_HORNET,
};

static int __init hornet_init(void)
{
	pr_info("eBPF signature verification enabled\n");
	security_add_hooks(hornet_hooks, ARRAY_SIZE(hornet_hooks),
			   &hornet_lsmid);
	return 0;
}

DEFINE_LSM(hornet) = {
	.name = "hornet",
	.init = hornet_init,
};
