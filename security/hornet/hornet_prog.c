// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: what happens to a verified program after its load.
 *
 * The verifier resolves fd_array and map descriptors a second time, after
 * hornet_bpf_prog_load(), so Hornet remembers the maps it checked and
 * compares them with the ones the verifier bound when the program gets
 * its first file descriptor. A light-skeleton loader then decides, when it
 * runs, what the kernel loads on its behalf, so each run is checked too:
 * only with a descriptor table no other task can change, once while its
 * maps still hold what was signed, and without asking it to read kernel
 * memory.
 */

#define pr_fmt(fmt) "hornet: " fmt

#include <linux/bpf.h>
#include <linux/fdtable.h>
#include <linux/hashtable.h>
#include <linux/lsm_hooks.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "hornet.h"
#include "hornet_lsm.h"

/*
 * The light-skeleton loader's context starts with struct bpf_loader_ctx
 * (tools/lib/bpf/skel_internal.h): u32 sz, then u32 flags, in which
 * BPF_SKEL_KERNEL tells the loader to read its initial values with
 * bpf_probe_read_kernel() instead of bpf_copy_from_user().
 */
#define HORNET_LOADER_FLAGS_OFF	4
#define HORNET_SKEL_KERNEL	BIT(0)

/*
 * Why a table and not a security blob: in Linux 6.12, struct lsm_blob_sizes
 * has no entry for BPF programs, and prog->aux->security is a plain
 * pointer that SELinux allocates and owns, not a blob that LSMs share.
 * So Hornet keeps its per-program state here, keyed by the program's aux,
 * from bpf_prog_load until bpf_prog_free. On a kernel whose LSM framework
 * manages a BPF program blob, this table would become that blob.
 */
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

/*
 * The program is going away, or the verifier bound other maps than those
 * signed: its signed maps stay claimed and become usable by no program
 * (bpf_map_frozen_release()). Any context.
 */
static void hornet_release_maps(struct hornet_prog *hp)
{
	u32 i;

	for (i = 0; i < hp->nr_maps; i++)
		bpf_map_frozen_release(hp->maps[i].map, hp->aux);
}

/* End the claims and drop the references held while the program is pending. */
static void hornet_put_maps(struct hornet_prog *hp)
{
	u32 i;

	hornet_release_maps(hp);
	for (i = 0; i < hp->nr_maps; i++)
		bpf_map_put(hp->maps[i].map);
}

/**
 * hornet_track() - remember a program until it is freed
 * @hp: what Hornet keeps of it, from hornet_bpf_prog_load(); from now on
 *	owned by the table and freed by hornet_bpf_prog_free()
 *
 * Context: Any context but hard interrupt; takes a spinlock.
 */
void hornet_track(struct hornet_prog *hp)
{
	spin_lock_bh(&hornet_progs_lock);
	hash_add(hornet_progs, &hp->node, (unsigned long)hp->aux);
	spin_unlock_bh(&hornet_progs_lock);
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
	struct hornet_decision d = { .op = HORNET_OP_BIND, .prog = prog };
	bool first = false;

	if (!hp || hp->state == HORNET_UNVERIFIED)
		return 0;
	d.insn_cnt = hp->insn_cnt;

	mutex_lock(&hp->lock);
	if (hp->state == HORNET_PENDING) {
		first = true;
		hp->state = hornet_maps_bound(hp, prog->aux) ? HORNET_BOUND :
							      HORNET_REFUSED;
		hornet_put_maps(hp);
	}
	if (hp->state == HORNET_REFUSED) {
		d.err = -EKEYREJECTED;
		d.why = "verifier bound unsigned maps";
	}
	mutex_unlock(&hp->lock);

	/* Each later descriptor of a refused program is a decision too. */
	if (!first && !d.err)
		return 0;
	d.digest = hp->has_digest ? hp->digest : NULL;
	return hornet_decide(&d);
}

/* Do the contents of the signed maps still hash to what was signed? */
static int hornet_maps_unchanged(const struct hornet_prog *hp, u8 *chunk)
{
	u8 digest[SHA256_DIGEST_SIZE];
	u64 size;
	int err;
	u32 i;

	for (i = 0; i < hp->nr_maps; i++) {
		err = bpf_map_frozen_size(hp->maps[i].map, &size);
		if (!err)
			err = hornet_map_digest(hp->maps[i].map, size, chunk,
						digest);
		if (err)
			return err;
		if (memcmp(digest, hp->maps[i].digest, sizeof(digest)))
			return -EKEYREJECTED;
	}
	return 0;
}

/*
 * Is the calling task's descriptor table shared with another task (a
 * thread, an io_uring worker)? A syscall program creates and uses
 * descriptors in that table; while no other task holds it, no one else can
 * swap an object in behind a number the program is about to use, and only
 * this task, busy running the program, could start sharing it. fdget()
 * relies on the same property for its lockless lookups. Kernel threads
 * share their table only with other kernel threads.
 */
static bool hornet_files_shared(void)
{
	struct files_struct *files = current->files;

	if (current->flags & PF_KTHREAD)
		return false;
	return files && atomic_read(&files->count) > 1;
}

/* Does a userspace run ask the loader to read kernel memory? */
static bool hornet_skel_kernel(const void *ctx, u32 ctx_size)
{
	u32 flags;

	if (ctx_size < HORNET_LOADER_FLAGS_OFF + sizeof(flags))
		return false;
	memcpy(&flags, ctx + HORNET_LOADER_FLAGS_OFF, sizeof(flags));
	return flags & HORNET_SKEL_KERNEL;
}

/*
 * May @hp run now? Sets @d's errno and reason when it may not; @d is the
 * run's context and record.
 */
static void hornet_check_run(struct hornet_prog *hp, const void *ctx,
			     u32 ctx_size, bool kernel,
			     struct hornet_decision *d)
{
	u8 *chunk;
	int err;

	if (hornet_files_shared()) {
		d->why = "descriptor table shared with another task";
		d->err = -EBUSY;
		return;
	}

	if (!hp)
		return;	/* loaded by the kernel */

	if (hp->state == HORNET_UNVERIFIED) {
		d->why = "loaded in permissive mode without passing the checks";
		d->err = hp->load_err;
		return;
	}

	if (!kernel && hornet_skel_kernel(ctx, ctx_size)) {
		d->why = "loader asked to read kernel memory (BPF_SKEL_KERNEL)";
		d->err = -EPERM;
		return;
	}

	chunk = kmalloc(HORNET_CHUNK, GFP_KERNEL_ACCOUNT);
	if (!chunk) {
		d->why = "out of memory";
		d->err = -ENOMEM;
		return;
	}
	mutex_lock(&hp->lock);
	if (hp->state != HORNET_BOUND) {
		d->why = hp->state == HORNET_RAN ? "program already ran" :
						   "signed maps not bound";
		err = -EKEYREJECTED;
	} else {
		err = hornet_maps_unchanged(hp, chunk);
		if (err)
			d->why = err == -EKEYREJECTED ?
				 "signed map changed since load" :
				 "signed map not readable";
	}
	/* A loader writes its own maps while it runs: it runs once. */
	if (!err && hp->nr_maps)
		hp->state = HORNET_RAN;
	mutex_unlock(&hp->lock);
	kfree(chunk);
	d->err = err;
}

/*
 * Called right before a BPF_PROG_TYPE_SYSCALL program runs, from
 * BPF_PROG_RUN once its arguments are checked and @ctx is copied in, or
 * from kern_sys_bpf(): the program here is the one that runs.
 */
static int hornet_bpf_syscall_prog_run(struct bpf_prog *prog, const void *ctx,
				       u32 ctx_size, bool kernel)
{
	struct hornet_prog *hp = hornet_prog_find(prog->aux);
	struct hornet_decision d = { .op = HORNET_OP_RUN, .prog = prog };

	d.insn_cnt = hp ? hp->insn_cnt : prog->len;
	hornet_check_run(hp, ctx, ctx_size, kernel, &d);
	/* Runs of kernel-loaded programs that pass are only counted. */
	d.quiet = !hp;
	d.digest = hp && hp->has_digest ? hp->digest : NULL;
	return hornet_decide(&d);
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
	/*
	 * No other hook can run for a program that is being freed. Its maps
	 * are still alive: pending ones by Hornet's references, bound ones
	 * through used_maps, which are dropped after this hook.
	 */
	if (hp->state == HORNET_PENDING)
		hornet_put_maps(hp);
	else if (hp->state == HORNET_BOUND || hp->state == HORNET_RAN)
		hornet_release_maps(hp);
	kfree(hp);
}

static struct security_hook_list hornet_prog_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(bpf_prog, hornet_bpf_prog),
	LSM_HOOK_INIT(bpf_syscall_prog_run, hornet_bpf_syscall_prog_run),
	LSM_HOOK_INIT(bpf_prog_free, hornet_bpf_prog_free),
};

/**
 * hornet_add_prog_hooks() - install the hooks that follow a program
 *
 * Context: Boot, from hornet_init() only.
 */
void __init hornet_add_prog_hooks(void)
{
	security_add_hooks(hornet_prog_hooks, ARRAY_SIZE(hornet_prog_hooks),
			   &hornet_lsmid);
}
