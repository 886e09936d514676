// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: refuse BPF_PROG_LOAD from userspace unless a trusted key signed
 * the program's load attributes, instructions and the geometry and
 * contents of the maps it references.
 *
 * The signature travels at the end of the calling task's executable (see
 * hornet_parse.c for the trailer and the payload). A light-skeleton
 * loader is the only program userspace may load: its instructions and its
 * frozen data blob are the same on every machine, and the programs it
 * loads are loaded by the kernel, which Hornet trusts as long as the
 * loader's run cannot be steered from outside.
 *
 * This file checks the load. A program that passes is remembered until it
 * is freed (hornet_prog.c), which binds the signature to the maps the
 * verifier binds and to the program's runs. Every check ends in
 * hornet_decide() (hornet_audit.c); a load that permissive mode lets
 * through although it failed is remembered as unverified, so that it
 * cannot run once enforcing mode is switched on.
 */

#define pr_fmt(fmt) "hornet: " fmt

#include <crypto/pkcs7.h>
#include <keys/asymmetric-type.h>
#include <keys/system_keyring.h>
#include <crypto/sha2.h>
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/error-injection.h>
#include <linux/security.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/lsm_hooks.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/verification.h>
#include <uapi/linux/lsm.h>

#include "hornet.h"
#include "hornet_lsm.h"

/* Hornet signs every map the verifier can bind to one program. */
static_assert(HORNET_MAX_MAPS == MAX_USED_MAPS);

/**
 * struct hornet_load - the checks of one BPF_PROG_LOAD, kept off the stack
 * @why: why the load is refused, for the log
 * @digest: SHA-256 of the payload, once it is built
 * @has_digest: @digest is set
 * @signer: identifier of the key that signed the payload, once verified
 * @signer_len: length of @signer in bytes
 * @hp: what is remembered of the program, once it passed every check
 * @refs: the distinct map references, in payload order
 * @maps: the map behind each reference, a reference held
 * @claimed: the load claimed the map (bpf_map_frozen_claim())
 * @sizes: the size in bytes of each map's contents
 * @digests: SHA-256 of each map's contents
 * @nr_refs: number of entries in @refs
 * @nr_maps: number of references resolved so far
 * @chunk: bounce buffer for hashing map contents
 */
struct hornet_load {
	const char *why;
	u8 digest[SHA256_DIGEST_SIZE];
	bool has_digest;
	u8 signer[HORNET_MAX_SIGNER_ID];
	u32 signer_len;
	struct hornet_prog *hp;
	struct hornet_map_ref refs[HORNET_MAX_MAPS];
	struct bpf_map *maps[HORNET_MAX_MAPS];
	bool claimed[HORNET_MAX_MAPS];
	u64 sizes[HORNET_MAX_MAPS];
	u8 digests[HORNET_MAX_MAPS][SHA256_DIGEST_SIZE];
	u32 nr_refs;
	u32 nr_maps;
	u8 chunk[HORNET_CHUNK];
};

/**
 * hornet_read_exe() - read part of the calling task's executable
 * @exe: the executable, opened for reading
 * @buf: where to put the bytes
 * @len: how many bytes to read
 * @pos: from which offset of @exe, in bytes
 *
 * Every read Hornet makes of an executable goes through here, so that the
 * fault-injection tests (``fail_function``) can make it fail or come up
 * short; an injected result can only refuse a load, never accept one.
 *
 * Context: Process context; may sleep.
 * Return: the number of bytes read, which is less than @len at the end of
 * the file, or the negative errno of kernel_read().
 */
noinline ssize_t hornet_read_exe(struct file *exe, void *buf, size_t len,
				 loff_t pos)
{
	return kernel_read(exe, buf, len, &pos);
}
ALLOW_ERROR_INJECTION(hornet_read_exe, ERRNO_NULL);

/* A read of the executable that failed (@n < 0) or came up short. */
static int hornet_read_error(struct hornet_load *hl, ssize_t n)
{
	if (n == -ENOMEM) {
		hl->why = "out of memory";
		return -ENOMEM;
	}
	hl->why = "cannot read the executable";
	return -EIO;
}

/*
 * Read the PKCS#7 blob for the payload hl->digest from the end of the
 * current task's executable: at most HORNET_TAIL_LEN bytes of trailer or
 * table, then one blob of at most HORNET_MAX_SIG_LEN bytes.
 */
static int hornet_read_signature(struct hornet_load *hl, u8 **sig,
				 u32 *sig_len)
{
	struct file *exe;
	size_t tail_len;
	loff_t size;
	u64 off;
	ssize_t n;
	u8 *tail, *buf;
	u32 len;
	int err;

	exe = get_task_exe_file(current);
	if (!exe) {
		hl->why = "task has no executable";
		return -ENODATA;
	}
	/* PR_SET_MM_EXE_FILE accepts a file opened without read access. */
	if (!(exe->f_mode & FMODE_READ) || !(exe->f_mode & FMODE_CAN_READ)) {
		hl->why = "executable not readable";
		err = -ENODATA;
		goto out;
	}

	size = i_size_read(file_inode(exe));
	tail_len = min_t(loff_t, size, HORNET_TAIL_LEN);
	tail = kzalloc(HORNET_TAIL_LEN, GFP_KERNEL_ACCOUNT);
	if (!tail) {
		hl->why = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	n = hornet_read_exe(exe, tail, tail_len, size - tail_len);
	if (n != tail_len) {
		kfree(tail);
		err = hornet_read_error(hl, n);
		goto out;
	}
	err = hornet_find_signature(tail, tail_len, size, hl->digest, &off,
				    &len, &hl->why);
	kfree(tail);
	if (err)
		goto out;

	buf = kzalloc(len, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		hl->why = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	n = hornet_read_exe(exe, buf, len, off);
	if (n != len) {
		kfree(buf);
		err = hornet_read_error(hl, n);
		goto out;
	}
	*sig = buf;
	*sig_len = len;
out:
	fput(exe);
	return err;
}

/* Resolve one map reference the way the verifier will, and size it. */
static int hornet_get_map(struct hornet_load *hl, const union bpf_attr *attr,
			  u32 i)
{
	const struct hornet_map_ref *ref = &hl->refs[i];
	struct bpf_map *map;
	u32 fd = ref->val;
	int err;

	if (ref->kind == HORNET_REF_IDX) {
		u32 __user *fd_array = u64_to_user_ptr(attr->fd_array);

		if (!fd_array) {
			hl->why = "map index without fd_array";
			return -EINVAL;
		}
		if (get_user(fd, fd_array + ref->val)) {
			hl->why = "fd_array not readable";
			return -EFAULT;
		}
	}

	map = bpf_map_get(fd);
	if (IS_ERR(map)) {
		hl->why = "map reference does not name a map";
		return PTR_ERR(map);
	}

	err = bpf_map_frozen_size(map, &hl->sizes[i]);
	if (err) {
		hl->why = err == -EPERM ? "map not frozen" :
					  "map is not a plain array";
		bpf_map_put(map);
		return err;
	}
	hl->maps[i] = map;
	return 0;
}

/**
 * hornet_map_digest() - hash the contents of a frozen plain array
 * @map: the map, frozen, a reference held (bpf_map_frozen_size() accepted it)
 * @size: the size of its contents in bytes, from bpf_map_frozen_size()
 * @chunk: a bounce buffer of HORNET_CHUNK bytes
 * @digest: where the SHA-256 of the @size bytes goes
 *
 * Reads the contents in HORNET_CHUNK pieces through bpf_map_frozen_read().
 *
 * Context: Process context; may sleep (between chunks).
 * Return: 0, or the errno of bpf_map_frozen_read(): -EOPNOTSUPP (not a
 * plain array), -EPERM (not frozen) or -EINVAL (@size does not fit the
 * map); @digest is then undefined.
 */
int hornet_map_digest(struct bpf_map *map, u64 size, u8 *chunk,
		      u8 digest[SHA256_DIGEST_SIZE])
{
	struct sha256_state sctx;
	u64 off;
	int err;

	sha256_init(&sctx);
	for (off = 0; off < size; off += HORNET_CHUNK) {
		u32 len = min_t(u64, HORNET_CHUNK, size - off);

		err = bpf_map_frozen_read(map, off, chunk, len);
		if (err)
			return err;
		sha256_update(&sctx, chunk, len);
		cond_resched();
	}
	sha256_final(&sctx, digest);
	return 0;
}

/* The keys Hornet trusts (Kconfig: SECURITY_HORNET_TRUST_*). */
#ifdef CONFIG_SECURITY_HORNET_TRUST_BUILTIN
#define HORNET_KEYRING	NULL	/* the builtin trusted keys */
#else
#define HORNET_KEYRING	VERIFY_USE_SECONDARY_KEYRING
#endif

/* Keep the signer's identifier of a verified message for the audit log. */
static void hornet_copy_signer(struct hornet_load *hl,
			       const struct asymmetric_key_id *id)
{
	hl->signer_len = min_t(u32, id->len, sizeof(hl->signer));
	memcpy(hl->signer, id->data, hl->signer_len);
}

/*
 * Check @sig over @payload and fold the errors into Hornet's errno table.
 * The PKCS#7 parser also enforces parts of the profile (it refuses, for
 * instance, S/MIME capabilities outside Authenticode), so every parser
 * refusal is a malformed message.
 */
static int hornet_verify_payload(struct hornet_load *hl, const void *payload,
				 u64 len, const u8 *sig, u32 sig_len)
{
	const struct asymmetric_key_id *id;
	struct pkcs7_message *pkcs7;
	int err;

	pkcs7 = pkcs7_parse_message(sig, sig_len);
	if (IS_ERR(pkcs7)) {
		err = PTR_ERR(pkcs7);
		if (err == -ENOMEM) {
			hl->why = "out of memory";
			return err;
		}
		if (err == -ENOPKG) {
			hl->why = "signature algorithm not supported";
			return err;
		}
		hl->why = "malformed PKCS#7 signature";
		return -EBADMSG;
	}
	/*
	 * Exactly one SignerInfo. pkcs7_verify() accepts a message when any
	 * of its SignerInfos verifies and skips blacklisted ones, so a
	 * revoked signer plus a junk second SignerInfo would pass, and the
	 * record would name a signer that did not sign.
	 */
	err = pkcs7_get_signer_id(pkcs7, &id);
	if (err) {
		pkcs7_free_message(pkcs7);
		hl->why = "PKCS#7 message must have exactly one signer";
		return -EBADMSG;
	}
	err = verify_pkcs7_message_sig(payload, len, pkcs7, HORNET_KEYRING,
				       VERIFYING_EBPF_SIGNATURE, NULL, NULL);
	if (!err)
		hornet_copy_signer(hl, id);
	pkcs7_free_message(pkcs7);

	switch (err) {
	case 0:
		return 0;
	case -ENOKEY:
		hl->why = "signing key is not trusted";
		return err;
	case -EKEYREJECTED:
		hl->why = "signature does not match the program, or its signer is blacklisted";
		return err;
	case -ENOPKG:
		hl->why = "signature algorithm not supported";
		return err;
	case -ENOMEM:
		hl->why = "out of memory";
		return err;
	default:
		hl->why = "malformed PKCS#7 signature";
		return -EBADMSG;
	}
}

/*
 * Remember @prog and its verified maps, taking over the references, in the
 * order in which the instructions first reference them: the verifier adds
 * maps to used_maps in that order. References resolve to distinct maps.
 */
static int hornet_remember(struct bpf_prog *prog, struct hornet_load *hl)
{
	struct hornet_prog *hp;
	u32 i, k, best;

	hp = kzalloc(struct_size(hp, maps, hl->nr_maps), GFP_KERNEL_ACCOUNT);
	if (!hp)
		return -ENOMEM;
	hp->aux = prog->aux;
	mutex_init(&hp->lock);
	hp->state = HORNET_PENDING;
	hp->insn_cnt = prog->len;
	memcpy(hp->digest, hl->digest, sizeof(hp->digest));
	hp->has_digest = hl->has_digest;
	hp->nr_maps = hl->nr_maps;

	for (i = 0; i < hl->nr_maps; i++) {
		/* The remaining reference made first; at most 64 of them. */
		best = hl->nr_maps;
		for (k = 0; k < hl->nr_maps; k++)
			if (hl->maps[k] && (best == hl->nr_maps ||
					    hl->refs[k].first < hl->refs[best].first))
				best = k;
		hp->maps[i].map = hl->maps[best];
		memcpy(hp->maps[i].digest, hl->digests[best], SHA256_DIGEST_SIZE);
		hl->maps[best] = NULL;
	}
	hl->hp = hp;
	return 0;
}

/*
 * A program permissive mode let through although its load failed a check:
 * remembered, so that it does not pass for a kernel-loaded one, and with
 * the errno its load would have got, so that it cannot run once Hornet
 * enforces.
 */
static struct hornet_prog *hornet_unverified(struct bpf_prog *prog,
					     struct hornet_load *hl, int err)
{
	struct hornet_prog *hp;

	hp = kzalloc(sizeof(*hp), GFP_KERNEL_ACCOUNT);
	if (!hp)
		return NULL;
	hp->aux = prog->aux;
	mutex_init(&hp->lock);
	hp->state = HORNET_UNVERIFIED;
	hp->load_err = err;
	hp->insn_cnt = prog->len;
	memcpy(hp->digest, hl->digest, sizeof(hp->digest));
	hp->has_digest = hl->has_digest;
	return hp;
}

/* Resolve, size, claim and hash every map the instructions reference. */
static int hornet_get_maps(struct hornet_load *hl, const struct bpf_prog *prog,
			   const union bpf_attr *attr)
{
	u32 i, j;
	int err;

	for (i = 0; i < hl->nr_refs; i++) {
		err = hornet_get_map(hl, attr, i);
		if (err)
			return err;
		hl->nr_maps++;
		/*
		 * One map behind two references would let the verifier, which
		 * resolves every reference again, swap them unnoticed.
		 */
		for (j = 0; j < i; j++) {
			if (hl->maps[j] == hl->maps[i]) {
				hl->why = "one map named by two references";
				return -EINVAL;
			}
		}
		/*
		 * The contents are hashed, and later run, only while this
		 * program alone can reach the map: no other program, outer
		 * map or writing iterator may hold it.
		 */
		err = bpf_map_frozen_claim(hl->maps[i], prog->aux, 1);
		if (err) {
			hl->why = "map in use by another program";
			return err;
		}
		hl->claimed[i] = true;
		err = hornet_map_digest(hl->maps[i], hl->sizes[i], hl->chunk,
					hl->digests[i]);
		if (err) {
			hl->why = "map contents not readable";
			return err;
		}
	}
	return 0;
}

/* Build the payload of a load: header, map records, instructions. */
static void *hornet_build_payload(struct hornet_load *hl,
				  const struct bpf_prog *prog,
				  const union bpf_attr *attr, u64 len)
{
	struct hornet_payload_map *rec;
	struct hornet_map_geometry geo;
	void *payload;
	u32 i;

	payload = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!payload) {
		hl->why = "out of memory";
		return NULL;
	}
	hornet_payload_hdr(payload, attr, hl->nr_maps);
	rec = payload + sizeof(struct hornet_payload_hdr);
	for (i = 0; i < hl->nr_maps; i++) {
		const struct bpf_map *map = hl->maps[i];

		geo.map_type = map->map_type;
		geo.key_size = map->key_size;
		geo.value_size = map->value_size;
		geo.max_entries = map->max_entries;
		geo.map_flags = map->map_flags;
		hornet_payload_map(&rec[i], &geo, &hl->refs[i], hl->digests[i]);
	}
	/* The instructions already copied in, never a second user read. */
	memcpy(&rec[hl->nr_maps], prog->insnsi, bpf_prog_insn_size(prog));
	return payload;
}

static int hornet_check_load(struct bpf_prog *prog, const union bpf_attr *attr,
			     struct hornet_load *hl)
{
	u8 *sig = NULL, *payload = NULL;
	u32 sig_len, i;
	u64 len;
	int err;

	err = hornet_check_attr(attr, &hl->why);
	if (err)
		return err;

	err = hornet_scan_insns(prog->insnsi, prog->len, hl->refs,
				&hl->nr_refs, &hl->why);
	if (err)
		return err;

	err = hornet_get_maps(hl, prog, attr);
	if (err)
		goto out;

	err = hornet_payload_size(prog->len, hl->sizes, hl->nr_maps, &len,
				  &hl->why);
	if (err)
		goto out;

	payload = hornet_build_payload(hl, prog, attr, len);
	if (!payload) {
		err = -ENOMEM;
		goto out;
	}
	/*
	 * Which payload the signature must cover: it picks the entry of a
	 * signature table and names the payload in the records.
	 */
	sha256(payload, len, hl->digest);
	hl->has_digest = true;

	err = hornet_read_signature(hl, &sig, &sig_len);
	if (err)
		goto out;

	err = hornet_verify_payload(hl, payload, len, sig, sig_len);
	if (err)
		goto out;

	/*
	 * A payload whose SHA-256 the kernel's blacklist names ("bin:",
	 * CONFIG_SYSTEM_BLACKLIST_HASH_LIST or the .blacklist keyring) is
	 * revoked even though a trusted key signed it.
	 */
	err = is_hash_blacklisted(hl->digest, SHA256_DIGEST_SIZE,
				  BLACKLIST_HASH_BINARY);
	if (err) {
		/*
		 * Not is_binary_blacklisted(): it reads an allocation failure
		 * of the lookup as "not blacklisted". Every error refuses; a
		 * keyring search an LSM denies still reads as not listed.
		 */
		if (err == -ENOMEM) {
			hl->why = "out of memory";
		} else {
			hl->why = err == -EKEYREJECTED ? "payload is blacklisted" :
							 "blacklist lookup failed";
			err = -EKEYREJECTED;
		}
		goto out;
	}

	err = hornet_remember(prog, hl);
	if (err)
		hl->why = "out of memory";
out:
	for (i = 0; i < hl->nr_maps; i++) {
		if (!hl->maps[i])
			continue;
		/* Not verified: as if never claimed, for permissive mode. */
		if (hl->claimed[i])
			bpf_map_frozen_unclaim(hl->maps[i], prog->aux);
		bpf_map_put(hl->maps[i]);
	}
	kvfree(payload);
	kfree(sig);
	return err;
}

/* Record and return the refusal of a load that Hornet had no memory for. */
static int hornet_load_nomem(struct hornet_decision *d)
{
	d->err = -ENOMEM;
	d->why = "out of memory";
	d->enforcing = hornet_enforcing();
	hornet_record(d, HORNET_DENIED, false);
	return -ENOMEM;
}

static int hornet_bpf_prog_load(struct bpf_prog *prog, union bpf_attr *attr,
				struct bpf_token *token, bool kernel)
{
	struct hornet_decision d = {
		.op = HORNET_OP_LOAD, .prog = prog, .insn_cnt = prog->len,
	};
	struct hornet_load *hl;
	int err;

	if (kernel) {
		hornet_count_kernel_load();
		return 0;
	}

	hl = kzalloc(sizeof(*hl), GFP_KERNEL_ACCOUNT);
	if (!hl)
		return hornet_load_nomem(&d);
	d.err = hornet_check_load(prog, attr, hl);
	d.why = hl->why;
	d.digest = hl->has_digest ? hl->digest : NULL;
	d.signer = hl->signer_len ? hl->signer : NULL;
	d.signer_len = hl->signer_len;
	if (d.err && !hornet_enforcing()) {
		/*
		 * Permissive mode may let it through, remembered as
		 * unverified; allocated before the decision, so that the
		 * record says what happened when it cannot be.
		 */
		hl->hp = hornet_unverified(prog, hl, d.err);
		if (!hl->hp) {
			kfree(hl);
			return hornet_load_nomem(&d);
		}
	}
	err = hornet_decide(&d);
	if (!err)
		hornet_track(hl->hp);
	else
		kfree(hl->hp);
	kfree(hl);
	return err;
}

static struct security_hook_list hornet_load_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(bpf_prog_load, hornet_bpf_prog_load),
};

const struct lsm_id hornet_lsmid = {
	.name = "hornet",
	.id = LSM_ID_HORNET,
};

static int __init hornet_init(void)
{
	hornet_enabled = true;
	pr_info("eBPF signature verification enabled, %s mode\n",
		hornet_enforcing() ? "enforcing" : "permissive");
	security_add_hooks(hornet_load_hooks, ARRAY_SIZE(hornet_load_hooks),
			   &hornet_lsmid);
	hornet_add_prog_hooks();
	return 0;
}

DEFINE_LSM(hornet) = {
	.name = "hornet",
	.init = hornet_init,
};
