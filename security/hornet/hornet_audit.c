// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: the mode switch, and the records of every decision: counters,
 * audit records and the kernel log.
 */

#define pr_fmt(fmt) "hornet: " fmt

#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hex.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <uapi/linux/audit.h>

#include "hornet_lsm.h"

/* Documented in Documentation/admin-guide/LSM/Hornet.rst, "Parameters". */
static bool hornet_enforce = IS_ENABLED(CONFIG_SECURITY_HORNET_ENFORCE);
module_param_named(enforce, hornet_enforce, bool, 0);
MODULE_PARM_DESC(enforce, "Refuse what fails a check (1) or only record it (0)");

static bool hornet_audit_success = true;
module_param_named(success_audit, hornet_audit_success, bool, 0);
MODULE_PARM_DESC(success_audit, "Audit checks that pass (1) or only failures (0)");

/* Hornet is in the lsm= list and its hooks are in place (hornet_init()). */
bool hornet_enabled __ro_after_init;

/* Serialises mode changes, so that each is recorded once. */
static DEFINE_MUTEX(hornet_mode_lock);

/**
 * hornet_enforcing() - is Hornet in enforcing mode?
 *
 * Context: Any context.
 * Return: true if failed checks are refused, false in permissive mode.
 */
bool hornet_enforcing(void)
{
	return READ_ONCE(hornet_enforce);
}

/**
 * hornet_set_enforcing() - switch from permissive to enforcing mode
 *
 * The switch only goes one way: there is no function to leave enforcing
 * mode. A change is audited.
 *
 * Context: Process context; takes a mutex.
 * Return: 0 (also when already enforcing).
 */
int hornet_set_enforcing(void)
{
	mutex_lock(&hornet_mode_lock);
	if (!hornet_enforce) {
		WRITE_ONCE(hornet_enforce, true);
		hornet_audit_mode_change("enforcing", false, true);
		pr_notice("enforcing mode switched on by pid %d\n",
			  task_tgid_nr(current));
	}
	mutex_unlock(&hornet_mode_lock);
	return 0;
}

/**
 * hornet_success_audit() - are passed checks audited?
 *
 * Context: Any context.
 * Return: true if every decision is audited, false if only failed ones.
 */
bool hornet_success_audit(void)
{
	return READ_ONCE(hornet_audit_success);
}

/**
 * hornet_set_success_audit() - audit passed checks, or stop doing so
 * @on: the new setting
 *
 * A change is audited.
 *
 * Context: Process context; takes a mutex.
 */
void hornet_set_success_audit(bool on)
{
	mutex_lock(&hornet_mode_lock);
	if (hornet_audit_success != on) {
		hornet_audit_mode_change("success_audit", hornet_audit_success,
					 on);
		WRITE_ONCE(hornet_audit_success, on);
	}
	mutex_unlock(&hornet_mode_lock);
}

/* ---- counters ---------------------------------------------------------- */

/* The errnos Hornet.rst documents, each with its own counter. */
static const struct {
	int err;
	const char *name;
} hornet_errnos[] = {
	{ ENODATA, "ENODATA" }, { EBADMSG, "EBADMSG" }, { ENOKEY, "ENOKEY" },
	{ EKEYREJECTED, "EKEYREJECTED" }, { ENOPKG, "ENOPKG" },
	{ EPERM, "EPERM" }, { EBUSY, "EBUSY" }, { EINVAL, "EINVAL" },
	{ E2BIG, "E2BIG" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EBADF, "EBADF" },
	{ EFAULT, "EFAULT" }, { EIO, "EIO" }, { ENOMEM, "ENOMEM" },
};

#define HORNET_NR_ERRNOS	(ARRAY_SIZE(hornet_errnos) + 1)	/* + other */

/*
 * Incremented with this_cpu_inc() on the hot paths, summed when read:
 * no lock, no shared cache line between CPUs.
 */
struct hornet_counters {
	u64 verdicts[HORNET_OP_NR][3];
	u64 denied[HORNET_NR_ERRNOS];
	u64 permitted[HORNET_NR_ERRNOS];
	u64 kernel_loads;
};

static DEFINE_PER_CPU(struct hornet_counters, hornet_counters);

static unsigned int hornet_errno_slot(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hornet_errnos); i++)
		if (hornet_errnos[i].err == -err)
			break;
	return i;
}

/**
 * hornet_count_kernel_load() - count a BPF_PROG_LOAD made by the kernel
 *
 * Context: Any context.
 */
void hornet_count_kernel_load(void)
{
	this_cpu_inc(hornet_counters.kernel_loads);
}

static const char *const hornet_op_names[HORNET_OP_NR] = {
	[HORNET_OP_LOAD] = "load",
	[HORNET_OP_BIND] = "bind",
	[HORNET_OP_RUN] = "run",
};

static const char *const hornet_verdict_names[] = {
	[HORNET_ACCEPTED] = "accepted",
	[HORNET_DENIED] = "denied",
	[HORNET_PERMITTED] = "permitted",
};

/**
 * hornet_counters_show() - print the counters, one "name value" per line
 * @m: the securityfs file being read
 * @v: unused
 *
 * Context: Process context.
 * Return: 0.
 */
int hornet_counters_show(struct seq_file *m, void *v)
{
	struct hornet_counters sum = {};
	unsigned int op, i;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct hornet_counters *c = per_cpu_ptr(&hornet_counters, cpu);

		for (op = 0; op < HORNET_OP_NR; op++)
			for (i = 0; i < ARRAY_SIZE(hornet_verdict_names); i++)
				sum.verdicts[op][i] += READ_ONCE(c->verdicts[op][i]);
		for (i = 0; i < HORNET_NR_ERRNOS; i++) {
			sum.denied[i] += READ_ONCE(c->denied[i]);
			sum.permitted[i] += READ_ONCE(c->permitted[i]);
		}
		sum.kernel_loads += READ_ONCE(c->kernel_loads);
	}

	for (op = 0; op < HORNET_OP_NR; op++)
		for (i = 0; i < ARRAY_SIZE(hornet_verdict_names); i++)
			seq_printf(m, "%s_%s %llu\n", hornet_op_names[op],
				   hornet_verdict_names[i], sum.verdicts[op][i]);
	seq_printf(m, "kernel_loads %llu\n", sum.kernel_loads);
	for (i = 0; i < HORNET_NR_ERRNOS; i++)
		seq_printf(m, "denied_%s %llu\n",
			   i < ARRAY_SIZE(hornet_errnos) ?
			   hornet_errnos[i].name : "other", sum.denied[i]);
	for (i = 0; i < HORNET_NR_ERRNOS; i++)
		seq_printf(m, "permitted_%s %llu\n",
			   i < ARRAY_SIZE(hornet_errnos) ?
			   hornet_errnos[i].name : "other", sum.permitted[i]);
	return 0;
}

/* ---- kernel log and audit ---------------------------------------------- */

static const char *const hornet_op_cmds[HORNET_OP_NR] = {
	[HORNET_OP_LOAD] = "BPF_PROG_LOAD",
	[HORNET_OP_BIND] = "BPF_PROG_LOAD",
	[HORNET_OP_RUN] = "BPF_PROG_RUN",
};

static void hornet_log(const struct hornet_decision *d,
		       enum hornet_verdict verdict)
{
	char comm[TASK_COMM_LEN];
	char *quoted;

	get_task_comm(comm, current);
	quoted = kstrdup_quotable(comm, GFP_KERNEL);
	if (verdict == HORNET_DENIED)
		pr_warn_ratelimited("%s denied: %s (%d) pid=%d comm=\"%s\"\n",
				    hornet_op_cmds[d->op], d->why, d->err,
				    task_tgid_nr(current), quoted ?: "?");
	else
		pr_warn_ratelimited("%s permitted (permissive mode): %s (%d) pid=%d comm=\"%s\"\n",
				    hornet_op_cmds[d->op], d->why, d->err,
				    task_tgid_nr(current), quoted ?: "?");
	kfree(quoted);
}

static void hornet_audit_hex(struct audit_buffer *ab, const char *key,
			     const u8 *buf, u32 len)
{
	char hex[2 * HORNET_MAX_SIGNER_ID + 1];

	if (!buf) {
		audit_log_format(ab, " %s=?", key);
		return;
	}
	len = min_t(u32, len, HORNET_MAX_SIGNER_ID);
	bin2hex(hex, buf, len);
	hex[2 * len] = '\0';
	audit_log_format(ab, " %s=%s", key, hex);
}

static void hornet_audit_task(struct audit_buffer *ab)
{
	char comm[TASK_COMM_LEN];
	struct file *exe;

	audit_log_format(ab, " pid=%d comm=", task_tgid_nr(current));
	audit_log_untrustedstring(ab, get_task_comm(comm, current));
	exe = get_task_exe_file(current);
	if (exe) {
		audit_log_d_path(ab, " exe=", &exe->f_path);
		fput(exe);
	} else {
		audit_log_format(ab, " exe=?");
	}
}

static void hornet_audit(const struct hornet_decision *d,
			 enum hornet_verdict verdict, bool lockdown)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_HORNET_VERDICT);
	if (!ab)
		return;
	audit_log_format(ab, "op=%s verdict=%s enforcing=%d errno=%d",
			 hornet_op_names[d->op], hornet_verdict_names[verdict],
			 d->enforcing, -d->err);
	if (d->err)
		audit_log_format(ab, " reason=\"%s\"", d->why);
	if (lockdown)
		audit_log_format(ab, " lockdown=1");
	hornet_audit_task(ab);
	audit_log_format(ab, " prog_type=%u insn_cnt=%u", d->prog->type,
			 d->insn_cnt);
	hornet_audit_hex(ab, "payload_sha256", d->digest, SHA256_DIGEST_SIZE);
	if (d->op == HORNET_OP_LOAD && !d->err)
		hornet_audit_hex(ab, "signer", d->signer, d->signer_len);
	audit_log_end(ab);
}

/**
 * hornet_record() - count, log and audit one decision
 * @d: the check and its outcome
 * @verdict: what became of it
 * @lockdown: permissive mode would have let it through, but the kernel
 *	is locked down
 *
 * Every decision is counted. A check that failed goes to the kernel log
 * (rate-limited) and to the audit log; one that passed goes to the audit
 * log unless success auditing is off or the decision is quiet.
 *
 * Context: Process context; may sleep.
 */
void hornet_record(const struct hornet_decision *d,
		   enum hornet_verdict verdict, bool lockdown)
{
	unsigned int slot = hornet_errno_slot(d->err);

	this_cpu_inc(hornet_counters.verdicts[d->op][verdict]);
	if (verdict == HORNET_DENIED)
		this_cpu_inc(hornet_counters.denied[slot]);
	else if (verdict == HORNET_PERMITTED)
		this_cpu_inc(hornet_counters.permitted[slot]);

	if (verdict != HORNET_ACCEPTED)
		hornet_log(d, verdict);
	else if (d->quiet || !hornet_success_audit())
		return;
	hornet_audit(d, verdict, lockdown);
}

/**
 * hornet_decide() - record a check and decide what it means
 * @d: the check and its outcome; @d->enforcing is set here
 *
 * A failed check is refused in enforcing mode, and also in permissive
 * mode when the kernel is locked down for integrity (permissive mode must
 * not let unsigned code into a kernel that promises integrity).
 *
 * Context: Process context; may sleep.
 * Return: 0 when the check passed or permissive mode lets it through,
 * else @d->err.
 */
int hornet_decide(struct hornet_decision *d)
{
	bool lockdown = false;

	/* One read: the record states the mode the verdict was made in. */
	d->enforcing = hornet_enforcing();
	if (!d->err) {
		hornet_record(d, HORNET_ACCEPTED, false);
		return 0;
	}
	if (!d->enforcing) {
		lockdown = security_locked_down(LOCKDOWN_BPF_SIGNATURE) < 0;
		if (!lockdown) {
			hornet_record(d, HORNET_PERMITTED, false);
			return 0;
		}
	}
	hornet_record(d, HORNET_DENIED, lockdown);
	return d->err;
}

/**
 * hornet_audit_mode_change() - audit a change of a Hornet setting
 * @what: the setting: "enforcing" or "success_audit"
 * @old: its value before
 * @new: its value after
 *
 * Context: Process context; may sleep.
 */
void hornet_audit_mode_change(const char *what, bool old, bool new)
{
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL,
			     AUDIT_HORNET_CONFIG_CHANGE);
	if (!ab)
		return;
	audit_log_format(ab, "%s=%d old_%s=%d auid=%u ses=%u", what, new, what,
			 old, from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current));
	hornet_audit_task(ab);
	audit_log_format(ab, " res=1");
	audit_log_end(ab);
}
