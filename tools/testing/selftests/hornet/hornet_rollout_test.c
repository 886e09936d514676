// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet rollout selftests: permissive mode, the one-way switch, audit
 * records, counters and lockdown. This program registers itself as the
 * audit daemon (as auditd does) and reads Hornet's records back over the
 * audit netlink socket.
 *
 * The fixtures need different boots; lab/init runs each in its own:
 *   permissive  booted with hornet.enforce=0: every check runs and is
 *               recorded, nothing is refused; ends by switching to
 *               enforcing mode, one way
 *   enforcing   after the switch: the records of refusals, a burst of
 *               10^4 refused loads, the counters
 *   lockdown    booted with lockdown=integrity hornet.enforce=0: lockdown
 *               overrules permissive mode
 *   boot        booted without hornet.enforce, with audit=0: the Kconfig
 *               default (CONFIG_SECURITY_HORNET_ENFORCE=y) is enforcing
 */
#include "common.h"

#include <poll.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#ifndef AUDIT_HORNET_VERDICT
#define AUDIT_HORNET_VERDICT		1423
#define AUDIT_HORNET_CONFIG_CHANGE	1424
#endif

#define HORNET_FS		"/sys/kernel/security/hornet/"
#define BURST			10000
/* How long to wait for a record kauditd has not delivered yet. */
#define RECORD_WAIT_MS		5000

/* ---- the audit daemon's end ------------------------------------------- */

struct audit_reader {
	int fd;
	char buf[65536];
};

static int audit_request(int fd, int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr nlh;
		char data[sizeof(struct audit_status)];
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	memcpy(req.data, data, len);
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* Become the audit daemon: records go to this socket, not the console. */
static int audit_open(struct audit_reader *r)
{
	/*
	 * Only the daemon's pid: Hornet's records do not need syscall
	 * auditing (audit_enabled), which would add records of its own to
	 * every later test of this boot.
	 */
	struct audit_status st = {
		.mask = AUDIT_STATUS_PID | AUDIT_STATUS_BACKLOG_LIMIT,
		.pid = getpid(),
		.backlog_limit = 8192,
	};
	int rcvbuf = 8 << 20;

	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (r->fd < 0)
		return -errno;
	setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	return audit_request(r->fd, AUDIT_SET, &st, sizeof(st));
}

static void audit_close(struct audit_reader *r)
{
	struct audit_status st = { .mask = AUDIT_STATUS_PID, .pid = 0 };

	if (r->fd < 0)
		return;
	audit_request(r->fd, AUDIT_SET, &st, sizeof(st));
	close(r->fd);
	r->fd = -1;
}

/*
 * The next Hornet record, as text, within @ms milliseconds; its type in
 * *@type. Returns the record or NULL on timeout.
 */
static const char *audit_next(struct audit_reader *r, int ms, int *type)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, ms) <= 0)
			return NULL;
		n = recv(r->fd, r->buf, sizeof(r->buf) - 1, 0);
		if (n <= 0)
			return NULL;
		nlh = (struct nlmsghdr *)r->buf;
		if (n < NLMSG_HDRLEN)
			continue;
		if (nlh->nlmsg_type != AUDIT_HORNET_VERDICT &&
		    nlh->nlmsg_type != AUDIT_HORNET_CONFIG_CHANGE)
			continue;
		/*
		 * Audit records set nlmsg_len to the length of the text alone
		 * (kernel/audit.c, audit_log_end()): one record per datagram,
		 * so the datagram's length is what counts.
		 */
		r->buf[n] = '\0';
		*type = nlh->nlmsg_type;
		return NLMSG_DATA(nlh);
	}
}

/* Drop what is queued, so that a test sees only its own records. */
static void audit_drain(struct audit_reader *r)
{
	int type;

	while (audit_next(r, 200, &type))
		;
}

/*
 * Wait for a record of @type that contains every string of the
 * NULL-terminated list; copy it into @rec. Returns 0, or -ETIMEDOUT with
 * the last record of @type seen (or "") in @rec.
 */
static int audit_expect(struct audit_reader *r, int type, char *rec,
			size_t size, ...)
{
	const char *text, *want;
	bool match;
	va_list ap;
	int t;

	snprintf(rec, size, "(none)");
	while ((text = audit_next(r, RECORD_WAIT_MS, &t))) {
		if (t != type)
			continue;
		snprintf(rec, size, "%s", text);
		match = true;
		va_start(ap, size);
		while ((want = va_arg(ap, const char *)))
			if (!strstr(text, want))
				match = false;
		va_end(ap);
		if (match)
			return 0;
	}
	return -ETIMEDOUT;
}

/* ---- securityfs -------------------------------------------------------- */

static int read_setting(const char *name)
{
	char path[PATH_MAX], buf[8] = {};
	int fd;

	snprintf(path, sizeof(path), HORNET_FS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (read(fd, buf, sizeof(buf) - 1) < 1) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -EINVAL;
}

/* Write @val to a setting; returns 0 or the write's negative errno. */
static int write_setting(const char *name, const char *val)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), HORNET_FS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* The counter @name from /sys/kernel/security/hornet/counters, or -1. */
static long long counter(const char *name)
{
	char line[128], key[96];
	long long v, found = -1;
	FILE *f;

	f = fopen(HORNET_FS "counters", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%95s %lld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/* ---- programs ---------------------------------------------------------- */

/* "r0 = 0; exit" as a sleepable syscall program; this test is unsigned. */
static int load_unsigned(void)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SYSCALL;
	attr.prog_flags = BPF_F_SLEEPABLE;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static int run_prog(int fd)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = fd;
	return syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)) ?
	       -errno : 0;
}

/* A copy of the signed counter loader whose trailer id_type is 1. */
static int craft_bad_trailer(const char *dir, const char *tmp, char *path,
			     size_t size)
{
	char src[PATH_MAX];
	struct loader_image img;
	int err;

	snprintf(src, sizeof(src), "%s/%s", dir, LOADER_SIGNED);
	err = load_signed_image(src, &img);
	if (err)
		return err;
	img.buf[img.len - TRAILER_FIXED + 2] = 1;
	snprintf(path, size, "%s/bad-trailer", tmp);
	err = write_crafted(path, img.buf, img.len, 0, NULL, 0, NULL, false);
	free(img.buf);
	return err;
}

/* A copy of the signed counter loader carrying blobs/@blob as signature. */
static int craft_with_blob(const char *dir, const char *tmp, const char *blob,
			   char *path, size_t size)
{
	char src[PATH_MAX], blob_path[PATH_MAX];
	struct loader_image img;
	struct hornet_sig sig = { .id_type = PKEY_ID_PKCS7 };
	size_t blob_len;
	char *blob_buf;
	int err;

	snprintf(src, sizeof(src), "%s/%s", dir, LOADER_SIGNED);
	snprintf(blob_path, sizeof(blob_path), "%s/blobs/%s", dir, blob);
	err = load_signed_image(src, &img);
	if (err)
		return err;
	err = read_file(blob_path, &blob_buf, &blob_len);
	if (err) {
		free(img.buf);
		return err;
	}
	sig.sig_len = htonl(blob_len);
	snprintf(path, size, "%s/%s", tmp, blob);
	err = write_crafted(path, img.buf, img.elf_len, 0, blob_buf, blob_len,
			    &sig, true);
	free(blob_buf);
	free(img.buf);
	return err;
}

/* ---- permissive mode --------------------------------------------------- */

/*
 * Fixtures run in the order they are defined: permissive_row, then
 * permissive, whose last test switches to enforcing mode, then enforcing.
 */
struct permissive_data {
	char dir[1024];
	char tmp[1024];
	struct audit_reader audit;
};

static void rollout_setup(struct __test_metadata *_metadata,
			  struct permissive_data *self)
{
	self->audit.fd = -1;
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, make_tmpdir(self->tmp, sizeof(self->tmp)));
	ASSERT_EQ(0, read_setting("enforce")) {
		TH_LOG("the permissive fixture needs a boot with hornet.enforce=0");
	}
	ASSERT_EQ(0, audit_open(&self->audit));
	audit_drain(&self->audit);
}

static void rollout_teardown(struct permissive_data *self)
{
	audit_close(&self->audit);
	remove_tmpdir(self->tmp);
}

FIXTURE(permissive_row) {
	struct permissive_data d;
};

FIXTURE_SETUP(permissive_row)
{
	rollout_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(permissive_row)
{
	rollout_teardown(&self->d);
}

/*
 * One row of Hornet.rst's errno table in permissive mode: a loader whose
 * load, bind or run enforcing mode refuses with @err goes ahead, with the
 * exit status @status (0 when the program ran; the verifier's own errno
 * when it refuses what Hornet let through), and the record says
 * verdict=permitted with that errno.
 */
FIXTURE_VARIANT(permissive_row) {
	const char *file;	/* loader next to the test, or a crafted copy */
	const char *arg1, *arg2, *arg3;
	int craft;		/* 1: bad trailer; 2: blobs/@blob */
	const char *blob;
	const char *op;		/* the decision that fails */
	int err;		/* what enforcing mode returns */
	int status;		/* the loader's exit status in permissive mode */
};

FIXTURE_VARIANT_ADD(permissive_row, enodata_unsigned) {
	.file = LOADER, .arg1 = "run", .op = "load", .err = ENODATA,
};

FIXTURE_VARIANT_ADD(permissive_row, enodata_unsigned_run) {
	.file = LOADER, .arg1 = "run", .op = "run", .err = ENODATA,
};

FIXTURE_VARIANT_ADD(permissive_row, ebadmsg_trailer) {
	.craft = 1, .arg1 = "run", .op = "load", .err = EBADMSG,
};

FIXTURE_VARIANT_ADD(permissive_row, enokey_untrusted) {
	.file = LOADER_UNTRUSTED, .arg1 = "run", .op = "load", .err = ENOKEY,
};

FIXTURE_VARIANT_ADD(permissive_row, ekeyrejected_changed_map) {
	.file = "raw/two_elements_changed.signed",
	.arg1 = "two_elements_changed", .op = "load", .err = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(permissive_row, enopkg_sha3) {
	.craft = 2, .blob = "sha3_256.der", .arg1 = "run", .op = "load",
	.err = ENOPKG,
};

FIXTURE_VARIANT_ADD(permissive_row, eperm_unfrozen) {
	.file = "raw/unfrozen_array.signed", .arg1 = "unfrozen_array",
	.op = "load", .err = EPERM,
};

FIXTURE_VARIANT_ADD(permissive_row, eperm_socket_filter) {
	.file = "raw/attr_base.signed", .arg1 = "attr_base", .arg2 = "-a",
	.arg3 = "socket_filter", .op = "load", .err = EPERM,
};

FIXTURE_VARIANT_ADD(permissive_row, eperm_skel_kernel) {
	.file = LOADER_SIGNED, .arg1 = "skel-kernel", .op = "run",
	.err = EPERM, .status = EXIT_LEAKED,
};

FIXTURE_VARIANT_ADD(permissive_row, ebusy_io_uring) {
	.file = LOADER_SIGNED, .arg1 = "io-uring", .op = "run", .err = EBUSY,
};

FIXTURE_VARIANT_ADD(permissive_row, einval_src_reg) {
	.file = "raw/unknown_src_reg.signed", .arg1 = "unknown_src_reg",
	.op = "load", .err = EINVAL, .status = EINVAL,
};

FIXTURE_VARIANT_ADD(permissive_row, e2big_65_maps) {
	.file = "raw/too_many_maps_65.signed", .arg1 = "too_many_maps_65",
	.op = "load", .err = E2BIG,
};

FIXTURE_VARIANT_ADD(permissive_row, eopnotsupp_hash) {
	.file = "raw/hash_map.signed", .arg1 = "hash_map", .op = "load",
	.err = EOPNOTSUPP,
};

FIXTURE_VARIANT_ADD(permissive_row, ebadf_closed_fd) {
	.file = "raw/closed_fd.signed", .arg1 = "closed_fd", .op = "load",
	.err = EBADF, .status = EBADF,
};

FIXTURE_VARIANT_ADD(permissive_row, efault_fd_array) {
	.file = "raw/fd_array_unreadable.signed", .arg1 = "fd_array_unreadable",
	.op = "load", .err = EFAULT, .status = EFAULT,
};

TEST_F(permissive_row, row)
{
	char path[PATH_MAX], rec[4096], op[32], err[32];
	struct permissive_data *d = &self->d;
	struct run_result res;

	if (variant->craft == 1) {
		ASSERT_EQ(0, craft_bad_trailer(d->dir, d->tmp, path,
					       sizeof(path)));
	} else if (variant->craft == 2) {
		ASSERT_EQ(0, craft_with_blob(d->dir, d->tmp, variant->blob,
					     path, sizeof(path)));
	} else {
		companion(path, sizeof(path), d->dir, variant->file);
	}
	run_logged(_metadata, &res, NULL, NULL, path, variant->arg1,
		   variant->arg2, variant->arg3, NULL);
	expect_errno(_metadata, variant->status, &res);

	snprintf(op, sizeof(op), "op=%s ", variant->op);
	snprintf(err, sizeof(err), " errno=%d ", variant->err);
	ASSERT_EQ(0, audit_expect(&d->audit, AUDIT_HORNET_VERDICT, rec,
				  sizeof(rec), op, "verdict=permitted enforcing=0",
				  err, " reason=\"", NULL)) {
		TH_LOG("no record with %s verdict=permitted%s; last: %s", op,
		       err, rec);
	}
	TH_LOG("record: %s", rec);
}

FIXTURE(permissive) {
	struct permissive_data d;
};

FIXTURE_SETUP(permissive)
{
	rollout_setup(_metadata, &self->d);
}

FIXTURE_TEARDOWN(permissive)
{
	rollout_teardown(&self->d);
}

/* The counters move with the decisions, one per check. */
TEST_F(permissive, counters_match_decisions)
{
	long long load_acc, bind_acc, run_acc, kernel, perm_nodata;
	char path[PATH_MAX];
	struct run_result res;

	load_acc = counter("load_accepted");
	bind_acc = counter("bind_accepted");
	run_acc = counter("run_accepted");
	kernel = counter("kernel_loads");
	perm_nodata = counter("permitted_ENODATA");
	ASSERT_LE(0, load_acc);

	/* Signed: load, bind, run accepted; one kernel-origin load. */
	companion(path, sizeof(path), self->d.dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
	/* Unsigned: load and run permitted with ENODATA; one kernel load. */
	companion(path, sizeof(path), self->d.dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);

	EXPECT_EQ(load_acc + 1, counter("load_accepted"));
	EXPECT_EQ(bind_acc + 1, counter("bind_accepted"));
	/* The two socket filter runs are not syscall programs: not counted. */
	EXPECT_EQ(run_acc + 1, counter("run_accepted"));
	EXPECT_EQ(kernel + 2, counter("kernel_loads"));
	EXPECT_EQ(perm_nodata + 2, counter("permitted_ENODATA"));
	EXPECT_EQ(0, counter("load_denied"));
}

/* An accepted load names its payload and its signer; both are audited. */
TEST_F(permissive, accepted_load_record)
{
	char path[PATH_MAX], rec[4096], want[128], digest[80] = {};
	struct run_result res;
	FILE *f;

	companion(path, sizeof(path), self->d.dir, PAYLOAD ".sha256");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%64s", digest));
	fclose(f);
	ASSERT_EQ(1, read_setting("success_audit"));

	companion(path, sizeof(path), self->d.dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), " payload_sha256=%s", digest);
	ASSERT_EQ(0, audit_expect(&self->d.audit, AUDIT_HORNET_VERDICT, rec,
				  sizeof(rec), "op=load verdict=accepted",
				  " errno=0 ", want, " signer=", " exe=\"", NULL));
	TH_LOG("record: %s", rec);
	ASSERT_EQ(NULL, strstr(rec, "reason="));
}

/* success_audit=0: accepted checks are counted but not audited. */
TEST_F(permissive, success_audit_off)
{
	char path[PATH_MAX], rec[4096];
	struct run_result res;
	int type;

	ASSERT_EQ(0, write_setting("success_audit", "0"));
	ASSERT_EQ(0, audit_expect(&self->d.audit, AUDIT_HORNET_CONFIG_CHANGE,
				  rec, sizeof(rec), "success_audit=0",
				  "old_success_audit=1", " res=1", NULL)) {
		TH_LOG("last record of the type: %s", rec);
	}
	companion(path, sizeof(path), self->d.dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_EQ(NULL, audit_next(&self->d.audit, 1000, &type)) {
		TH_LOG("an accepted check was audited with success_audit=0");
	}
	ASSERT_EQ(0, write_setting("success_audit", "1"));
	ASSERT_EQ(1, read_setting("success_audit"));
	EXPECT_EQ(-EINVAL, write_setting("success_audit", "maybe"));
}

/*
 * The switch: writing 0 while permissive changes nothing; 1 turns
 * enforcing mode on, audited; 0 is then refused (EPERM) and changes
 * nothing; anything else is EINVAL. A program permissive mode let in
 * without a signature cannot run once Hornet enforces. Runs last: from
 * here on the boot enforces.
 */
TEST_F(permissive, zz_switch_to_enforcing)
{
	char rec[4096];
	int fd;

	fd = load_unsigned();
	ASSERT_LE(0, fd) {
		TH_LOG("permissive mode refused an unsigned load: %d", fd);
	}
	ASSERT_EQ(0, run_prog(fd));

	ASSERT_EQ(0, write_setting("enforce", "0"));
	ASSERT_EQ(0, read_setting("enforce"));
	ASSERT_EQ(-EINVAL, write_setting("enforce", "maybe"));
	ASSERT_EQ(0, write_setting("enforce", "1"));
	ASSERT_EQ(1, read_setting("enforce"));
	ASSERT_EQ(0, audit_expect(&self->d.audit, AUDIT_HORNET_CONFIG_CHANGE,
				  rec, sizeof(rec), "enforcing=1",
				  "old_enforcing=0", " auid=", " res=1", NULL));
	TH_LOG("record: %s", rec);
	ASSERT_EQ(-EPERM, write_setting("enforce", "0"));
	ASSERT_EQ(1, read_setting("enforce"));
	ASSERT_EQ(0, write_setting("enforce", "1"));

	ASSERT_EQ(-ENODATA, run_prog(fd));
	ASSERT_EQ(0, audit_expect(&self->d.audit, AUDIT_HORNET_VERDICT, rec,
				  sizeof(rec), "op=run verdict=denied enforcing=1",
				  " errno=61 ", NULL));
	close(fd);
}

/* ---- after the switch ---------------------------------------------------- */

FIXTURE(enforcing) {
	char dir[1024];
	struct audit_reader audit;
};

FIXTURE_SETUP(enforcing)
{
	self->audit.fd = -1;
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(1, read_setting("enforce"));
	ASSERT_EQ(0, audit_open(&self->audit));
	audit_drain(&self->audit);
}

FIXTURE_TEARDOWN(enforcing)
{
	audit_close(&self->audit);
}

static long long audit_lost(int fd)
{
	struct audit_status st;
	char buf[4096];
	struct nlmsghdr *nlh;
	ssize_t n;
	int i;

	if (audit_request(fd, AUDIT_GET, NULL, 0))
		return -1;
	for (i = 0; i < 100; i++) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		nlh = (struct nlmsghdr *)buf;
		if (nlh->nlmsg_type != AUDIT_GET)
			continue;
		memcpy(&st, NLMSG_DATA(nlh), sizeof(st));
		return st.lost;
	}
	return -1;
}

/*
 * 10^4 refused loads in a row, from a child (the audit daemon itself is
 * not throttled by the backlog, so its own records could be dropped): one
 * record each, none lost, and the kernel's lost counter does not move.
 */
TEST_F_TIMEOUT(enforcing, burst_of_refusals, 300)
{
	long long lost_before, lost_after, denied_before;
	int type, records = 0, status, i, timing[2];
	char self_pid[32];
	double secs;
	const char *rec;
	pid_t child;

	lost_before = audit_lost(self->audit.fd);
	audit_drain(&self->audit);
	denied_before = counter("denied_ENODATA");
	ASSERT_EQ(0, pipe(timing));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		double start = now_secs();

		for (i = 0; i < BURST; i++)
			if (load_unsigned() != -ENODATA)
				_exit(1);
		secs = now_secs() - start;
		_exit(write(timing[1], &secs, sizeof(secs)) != sizeof(secs));
	}
	close(timing[1]);
	snprintf(self_pid, sizeof(self_pid), " pid=%d ", child);
	while ((rec = audit_next(&self->audit, RECORD_WAIT_MS, &type)))
		if (type == AUDIT_HORNET_VERDICT && strstr(rec, self_pid) &&
		    strstr(rec, "op=load verdict=denied enforcing=1 errno=61 "))
			records++;
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(sizeof(secs), read(timing[0], &secs, sizeof(secs)));
	close(timing[0]);
	TH_LOG("refused load with an audit record delivered to auditd: %.1f us each",
	       secs * 1e6 / BURST);
	lost_after = audit_lost(self->audit.fd);
	TH_LOG("%d records of %d refused loads; kernel lost counter %lld -> %lld",
	       records, BURST, lost_before, lost_after);
	ASSERT_EQ(BURST, records);
	ASSERT_EQ(lost_before, lost_after);
	ASSERT_EQ(denied_before + BURST, counter("denied_ENODATA"));
}

/* Every refusal of the errno table, now enforced, is a denied record. */
TEST_F(enforcing, denied_record_fields)
{
	char path[PATH_MAX], rec[4096];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	ASSERT_EQ(0, audit_expect(&self->audit, AUDIT_HORNET_VERDICT, rec,
				  sizeof(rec), "op=load verdict=denied enforcing=1",
				  " errno=61 ", " reason=\"executable is not signed\"",
				  " comm=\"hornet_counter_\"", " exe=\"", " prog_type=31 ",
				  " payload_sha256=", NULL)) {
		TH_LOG("last record of the type: %s", rec);
	}
	TH_LOG("record: %s", rec);
}

/* ---- lockdown ------------------------------------------------------------ */

FIXTURE(lockdown) {
	char dir[1024];
	struct audit_reader audit;
};

FIXTURE_SETUP(lockdown)
{
	char buf[256] = {};
	int fd;

	self->audit.fd = -1;
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	fd = open("/sys/kernel/security/lockdown", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	ASSERT_NE(NULL, strstr(buf, "[integrity]")) {
		TH_LOG("the lockdown fixture needs lockdown=integrity: %s", buf);
	}
	ASSERT_EQ(0, read_setting("enforce"));
	ASSERT_EQ(0, audit_open(&self->audit));
	audit_drain(&self->audit);
}

FIXTURE_TEARDOWN(lockdown)
{
	audit_close(&self->audit);
}

/*
 * Locked down for integrity, permissive mode still refuses: the unsigned
 * loader gets ENODATA, the record says enforcing=0 lockdown=1, and the
 * signed loader still works.
 */
TEST_F(lockdown, overrules_permissive)
{
	char path[PATH_MAX], rec[4096];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	ASSERT_EQ(0, audit_expect(&self->audit, AUDIT_HORNET_VERDICT, rec,
				  sizeof(rec), "op=load verdict=denied enforcing=0",
				  " errno=61 ", " lockdown=1", NULL));
	TH_LOG("record: %s", rec);
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
}

/* ---- boot defaults ------------------------------------------------------- */

FIXTURE(boot) {
	char dir[1024];
};

FIXTURE_SETUP(boot)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(boot)
{
}

/*
 * The same 10^4 refused loads as enforcing.burst_of_refusals, on a boot
 * with audit=0 (no record is built): next to the burst's figure, the cost
 * of auditing a refused load.
 */
TEST_F_TIMEOUT(boot, refused_load_cost, 300)
{
	double start, secs;
	int i;

	start = now_secs();
	for (i = 0; i < BURST; i++)
		ASSERT_EQ(-ENODATA, load_unsigned());
	secs = now_secs() - start;
	TH_LOG("refused load without audit (audit=0): %.1f us each",
	       secs * 1e6 / BURST);
}

/*
 * In-kernel light skeletons: CONFIG_BPF_PRELOAD loads the kernel's
 * iterators skeleton (kernel/bpf/preload/iterators) from inside the kernel
 * at boot, through the same skel_internal.h, freeze included. With Hornet
 * enforcing from boot, a bpffs mount shows maps.debug and progs.debug, and
 * reading them runs the preloaded iterators; Hornet counted the loads as
 * the kernel's own.
 */
TEST_F(boot, preload_iterators_work)
{
	static const char *const files[] = { "maps.debug", "progs.debug" };
	char mnt[64], path[PATH_MAX], *buf;
	unsigned int i;
	size_t len;
	int fd;
	ssize_t n;

	ASSERT_LE(3, counter("kernel_loads")) {
		TH_LOG("the preloaded loader and its two iterators are kernel loads");
	}
	snprintf(mnt, sizeof(mnt), "/tmp/hornet-bpffs.%d", getpid());
	ASSERT_EQ(0, mkdir(mnt, 0700));
	ASSERT_EQ(0, mount("bpf", mnt, "bpf", 0, NULL));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", mnt, files[i]);
		fd = open(path, O_RDONLY);
		EXPECT_LE(0, fd) {
			TH_LOG("%s: %s (no CONFIG_BPF_PRELOAD, or its loaders failed)",
			       path, strerror(errno));
		}
		if (fd < 0)
			continue;
		buf = calloc(1, 65536);
		ASSERT_NE(NULL, buf);
		len = 0;
		while ((n = read(fd, buf + len, 65535 - len)) > 0)
			len += n;
		close(fd);
		EXPECT_LT(0, len);
		TH_LOG("%s: %zu bytes, starting: %.80s", files[i], len, buf);
		if (i == 1)
			EXPECT_NE(NULL, strstr(buf, "dump_bpf_prog"));
		free(buf);
	}
	umount(mnt);
	rmdir(mnt);
}

/* CONFIG_SECURITY_HORNET_ENFORCE=y and no hornet.enforce=: enforcing. */
TEST_F(boot, kconfig_default_enforcing)
{
	char path[PATH_MAX];
	struct run_result res;

	ASSERT_EQ(1, read_setting("enforce"));
	ASSERT_EQ(1, read_setting("success_audit"));
	companion(path, sizeof(path), self->dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
}

TEST_HARNESS_MAIN
