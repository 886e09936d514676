// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: the load attributes the signature does not cover,
 * in-kernel CO-RE relocations, and an fmod_ret program on security_bpf().
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * Load attributes the signature does not cover (design brief, section 6):
 * the signed syscall program "r0 = 0; exit" (raw/attr_base.signed) loaded
 * with one of them changed. Each must be refused for a userspace load
 * (EPERM). For a syscall program, 6.12 itself refuses an expected attach
 * type, an attach target, a token that is not one and an ifindex before
 * Hornet's hook runs (EINVAL); Hornet's own check of those (KUnit) is a
 * second line. Control: the attributes a light-skeleton loader uses
 * (BPF_F_SLEEPABLE) load. prog_flags is signed (the payload's header):
 * the same program signed as sleepable and loaded without the flag does
 * not match (EKEYREJECTED).
 */
FIXTURE(attr) {
	char dir[1024];
};

FIXTURE_VARIANT(attr) {
	const char *name;
	int expect;
};

FIXTURE_SETUP(attr)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(attr)
{
}

FIXTURE_VARIANT_ADD(attr, sleepable) {
	.name = "sleepable", .expect = 0,
};

FIXTURE_VARIANT_ADD(attr, flags_0) {
	.name = "flags_0", .expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(attr, socket_filter) {
	.name = "socket_filter", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, tracing) {
	.name = "tracing", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, expected_attach_type) {
	.name = "expected_attach_type", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(attr, attach_btf_id) {
	.name = "attach_btf_id", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(attr, attach_prog_fd) {
	.name = "attach_prog_fd", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(attr, prog_btf_fd) {
	.name = "prog_btf_fd", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, func_info) {
	.name = "func_info", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, line_info) {
	.name = "line_info", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, rnd_hi32) {
	.name = "rnd_hi32", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, any_alignment) {
	.name = "any_alignment", .expect = EPERM,
};

FIXTURE_VARIANT_ADD(attr, token_fd) {
	.name = "token_fd", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(attr, ifindex) {
	.name = "ifindex", .expect = EINVAL,
};

FIXTURE_VARIANT_ADD(attr, kern_version) {
	.name = "kern_version", .expect = EPERM,
};

TEST_F(attr, load)
{
	char path[PATH_MAX], want[96];
	struct run_result res;

	snprintf(path, sizeof(path), "%s/raw/attr_base.signed", self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "attr_base", "-a",
		   variant->name, NULL);
	expect_errno(_metadata, variant->expect, &res);
	/* The load itself, not a step before it, gave the answer. */
	snprintf(want, sizeof(want), "load attr_base with %s", variant->name);
	ASSERT_NE(NULL, strstr(res.out, want));
}

/*
 * In-kernel CO-RE: the signed "r0 = 0; exit" with program BTF, one
 * func_info record and a BPF_CORE_TYPE_ID_LOCAL relocation of instruction
 * 0. The verifier would rewrite the signed immediate after Hornet's check
 * (the program would return the type id): refused.
 */
TEST_F(hornet, core_relo_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	snprintf(path, sizeof(path), "%s/raw/attr_base.signed", self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "attr_base", "-a",
		   "core_relo", NULL);
	expect_errno(_metadata, EPERM, &res);
}

/*
 * fmod_ret on security_bpf: the signed "r0 = 1; exit" loaded as a tracing
 * program that replaces security_bpf()'s return value would switch off the
 * bpf hook of every LSM, Hornet's BPF_PROG_RUN check included. One process
 * loads, attaches and pins it; another then runs the run_twice case, whose
 * second BPF_PROG_RUN Hornet refuses.
 */
#define BPFFS			"/sys/fs/bpf"
#define FMOD_RET_PIN		BPFFS "/hornet_fmod_ret"
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC		0xcafe4a11
#endif

FIXTURE(fmod_ret) {
	char dir[1024];
	bool mounted;
	int links;
};

FIXTURE_SETUP(fmod_ret)
{
	struct statfs st;

	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP(return, "kernel without BTF (CONFIG_DEBUG_INFO_BTF)");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	if (statfs(BPFFS, &st) || st.f_type != BPF_FS_MAGIC) {
		ASSERT_EQ(0, mount("bpf", BPFFS, "bpf", 0, NULL));
		self->mounted = true;
	}
	unlink(FMOD_RET_PIN);
	self->links = count_bpf_ids(BPF_LINK_GET_NEXT_ID);
}

FIXTURE_TEARDOWN(fmod_ret)
{
	int i;

	unlink(FMOD_RET_PIN);
	/* The last reference to a pinned link is dropped from a work item. */
	for (i = 0; i < 50 && count_bpf_ids(BPF_LINK_GET_NEXT_ID) > self->links;
	     i++)
		usleep(100000);
	if (self->mounted)
		umount(BPFFS);
}

TEST_F(fmod_ret, security_bpf_refused)
{
	char path[PATH_MAX];
	struct run_result load, twice;

	snprintf(path, sizeof(path), "%s/raw/fmod_ret.signed", self->dir);
	run_logged(_metadata, &load, NULL, NULL, path, "fmod_ret", "-p",
		   FMOD_RET_PIN, NULL);
	snprintf(path, sizeof(path), "%s/raw/run_twice.signed", self->dir);
	run_logged(_metadata, &twice, NULL, NULL, path, "run_twice", NULL);
	unlink(FMOD_RET_PIN);

	/* Both verdicts are logged before either is asserted. */
	EXPECT_EQ(EPERM, load.status);
	EXPECT_EQ(EKEYREJECTED, twice.status);
	EXPECT_NE(NULL, strstr(twice.out, "run 2 of the program"));
}

TEST_HARNESS_MAIN
