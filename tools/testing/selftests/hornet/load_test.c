// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: loads of signed and unsigned light skeletons.
 *
 * The signed counter loader loads and counts, the unsigned one is refused,
 * and a table of loaders run with arguments, each judged by its exit status
 * and output: other digests, an untrusted key, flipped instructions and
 * data, the loader map's freeze, the kernel tree's light skeletons, a map
 * element iterator. The payload the loader passes to bpf() is the one
 * signed at build time; the BPF LSM, stacked, sees which loads the kernel
 * makes on a loader's behalf.
 */
#include "common.h"
#include "hornet_fixture.h"

/* The signed loader loads, attaches and counts exactly PACKETS datagrams. */
TEST_F(hornet, signed_loads_and_runs)
{
	char path[PATH_MAX], want[64];
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, &self->before, &self->after, path, "run",
		   "16", NULL);
	log_mem(_metadata, "signed loader", &self->before, &self->after);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "packets=%d map=%d ", PACKETS, PACKETS);
	ASSERT_NE(NULL, strstr(res.out, want));
}

/*
 * The unsigned light-skeleton loader is refused before it can load
 * anything: afterwards no map or program of it is left.
 */
TEST_F(hornet, unsigned_refused)
{
	int maps, progs, maps_after, progs_after;
	char path[PATH_MAX];
	struct run_result res;

	maps = count_bpf_ids(BPF_MAP_GET_NEXT_ID);
	progs = count_bpf_ids(BPF_PROG_GET_NEXT_ID);
	companion(path, sizeof(path), self->dir, LOADER);
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	ASSERT_NE(NULL, strstr(res.out, "load"));
	wait_bpf_ids(maps, progs, &maps_after, &progs_after);
	/* Earlier tests' objects may still be on their way out: <=. */
	ASSERT_LE(maps_after, maps);
	ASSERT_LE(progs_after, progs);
}

/*
 * Loaders run with arguments, each case judged by the loader's exit status
 * (0 or the errno of the step that failed) and, where set, a piece of its
 * output. @file is found next to this test; @args end at the first NULL.
 */
FIXTURE(loader) {
	char dir[1024];
};

FIXTURE_VARIANT(loader) {
	const char *file;
	const char *args[4];
	int expect;
	const char *out;
	bool needs_btf;
};

FIXTURE_SETUP(loader)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(loader)
{
}

/* Every digest sign-ebpf offers verifies in the kernel. */
FIXTURE_VARIANT_ADD(loader, signed_sha384_loads_and_runs) {
	.file = "hornet_counter_loader.sha384",
	.args = { "run", "16" },
	.expect = 0,
	.out = "packets=16 map=16 ",
};

FIXTURE_VARIANT_ADD(loader, signed_sha512_loads_and_runs) {
	.file = "hornet_counter_loader.sha512",
	.args = { "run", "16" },
	.expect = 0,
	.out = "packets=16 map=16 ",
};

FIXTURE_VARIANT_ADD(loader, untrusted_key_refused) {
	.file = LOADER_UNTRUSTED,
	.args = { "run" },
	.expect = ENOKEY,
};

/* The immediate of the first instruction (not an ld_imm64). */
FIXTURE_VARIANT_ADD(loader, flip_insn_first_refused) {
	.file = LOADER_SIGNED,
	.args = { "flip-insn", "4" },
	.expect = EKEYREJECTED,
};

/* The immediate of the final exit instruction. */
FIXTURE_VARIANT_ADD(loader, flip_insn_last_refused) {
	.file = LOADER_SIGNED,
	.args = { "flip-insn", "-4" },
	.expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(loader, flip_data_first_refused) {
	.file = LOADER_SIGNED,
	.args = { "flip-data", "0" },
	.expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(loader, flip_data_last_refused) {
	.file = LOADER_SIGNED,
	.args = { "flip-data", "-1" },
	.expect = EKEYREJECTED,
};

/* The loader map must be frozen before BPF_PROG_LOAD. */
FIXTURE_VARIANT_ADD(loader, unfrozen_loader_map_refused) {
	.file = LOADER_SIGNED,
	.args = { "unfrozen" },
	.expect = EPERM,
	.out = "load loader prog",
};

/* Once loaded, the signed map cannot be rewritten from userspace. */
FIXTURE_VARIANT_ADD(loader, frozen_loader_map_stays_frozen) {
	.file = LOADER_SIGNED,
	.args = { "update-after-load" },
	.expect = EPERM,
	.out = "update loader map after load",
};

/*
 * Two loads of the signed loader on one frozen loader map: the second is
 * refused (EBUSY), also once the first program is closed. Otherwise two
 * processes could run both at once on shared data, each binding the
 * other's descriptors (found by an outside review).
 */
FIXTURE_VARIANT_ADD(loader, shared_blob_refused) {
	.file = LOADER_SIGNED,
	.args = { "shared-blob" },
	.expect = EBUSY,
	.out = "load a second loader on the same data",
};

/*
 * BPF_SKEL_KERNEL in the context makes the loader read initial values
 * with bpf_probe_read_kernel(): with .bss's initial value pointing at a
 * kernel symbol, the loader would copy kernel memory into a map that
 * userspace reads. The loader's run is refused.
 */
FIXTURE_VARIANT_ADD(loader, skel_kernel_refused) {
	.file = LOADER_SIGNED,
	.args = { "skel-kernel" },
	.expect = EPERM,
	.out = "failed to execute loader prog",
};

/*
 * Control: the real programs of a signed light skeleton (here its socket
 * filter) may be run with BPF_PROG_RUN by a multi-threaded process.
 */
FIXTURE_VARIANT_ADD(loader, mt_run_socket_filter_allowed) {
	.file = LOADER_SIGNED,
	.args = { "mt-run" },
	.expect = 0,
	.out = "mt-run: ok: retval=50 packets=1 bytes=50",
};

/*
 * A program from the kernel tree (selftests/bpf/progs/atomics.c, a light
 * skeleton upstream too): signed it loads and runs, tampered it does not.
 */
FIXTURE_VARIANT_ADD(loader, tree_atomics_signed_runs) {
	.file = "hornet_atomics_loader.signed",
	.args = { "run" },
	.expect = 0,
	.out = ": ok: ",
};

FIXTURE_VARIANT_ADD(loader, tree_atomics_unsigned_refused) {
	.file = "hornet_atomics_loader",
	.args = { "run" },
	.expect = ENODATA,
};

FIXTURE_VARIANT_ADD(loader, tree_atomics_flip_insn_refused) {
	.file = "hornet_atomics_loader.signed",
	.args = { "flip-insn", "-4" },
	.expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(loader, tree_atomics_flip_data_refused) {
	.file = "hornet_atomics_loader.signed",
	.args = { "flip-data", "0" },
	.expect = EKEYREJECTED,
};

/*
 * A second program from the kernel tree (selftests/bpf/progs/test_ringbuf.c,
 * a light skeleton upstream too): fentry plus a ring buffer. Attaching
 * fentry needs kernel BTF; the refusals happen before that.
 */
FIXTURE_VARIANT_ADD(loader, tree_ringbuf_signed_runs) {
	.file = "hornet_ringbuf_loader.signed",
	.args = { "run" },
	.expect = 0,
	.out = ": ok: ",
	.needs_btf = true,
};

FIXTURE_VARIANT_ADD(loader, tree_ringbuf_unsigned_refused) {
	.file = "hornet_ringbuf_loader",
	.args = { "run" },
	.expect = ENODATA,
};

FIXTURE_VARIANT_ADD(loader, tree_ringbuf_flip_insn_refused) {
	.file = "hornet_ringbuf_loader.signed",
	.args = { "flip-insn", "4" },
	.expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(loader, tree_ringbuf_flip_data_refused) {
	.file = "hornet_ringbuf_loader.signed",
	.args = { "flip-data", "-1" },
	.expect = EKEYREJECTED,
};

/*
 * A signed map element iterator that writes the values it visits
 * (hornet_iter_loader): it must not reach a frozen array, the home of a
 * light-skeleton loader's data. It cannot be attached to one, and an array
 * cannot be frozen while it is attached. The control shows the iterator
 * attaches to and writes an array that is not frozen.
 */
FIXTURE_VARIANT_ADD(loader, iter_writer_frozen_refused) {
	.file = "hornet_iter_loader.signed",
	.args = { "attach-frozen" },
	.expect = EPERM,
	.out = "attach the iterator to a frozen array",
};

FIXTURE_VARIANT_ADD(loader, iter_writer_blocks_freeze) {
	.file = "hornet_iter_loader.signed",
	.args = { "freeze-attached" },
	.expect = EBUSY,
	.out = "freeze the array while the iterator",
};

FIXTURE_VARIANT_ADD(loader, iter_writer_open_array_control) {
	.file = "hornet_iter_loader.signed",
	.args = { "attach-open" },
	.expect = 0,
	.out = "(rewritten)",
};

/* An unsigned program that references nothing is still refused. */
FIXTURE_VARIANT_ADD(loader, raw_unsigned_refused) {
	.file = "hornet_raw_loader",
	.args = { "no_maps" },
	.expect = ENODATA,
};

TEST_F(loader, run)
{
	const char *const *a = variant->args;
	char path[PATH_MAX];
	struct run_result res;

	if (variant->needs_btf && access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP(return, "kernel without BTF (CONFIG_DEBUG_INFO_BTF)");
	companion(path, sizeof(path), self->dir, variant->file);
	run_logged(_metadata, &res, NULL, NULL, path, a[0], a[1], a[2], NULL);
	expect_errno(_metadata, variant->expect, &res);
	if (variant->out)
		ASSERT_NE(NULL, strstr(res.out, variant->out));
}

/*
 * No generator drift: the payload signed at build time is the payload of
 * what the loader passes to bpf(). The loader here has no SHA-256 and
 * writes the map record's digest as zeros; the signed loads check the
 * digest itself.
 */
#define PAYLOAD_DIGEST_OFF	(32 + 32)	/* header, then the record's fields */
#define PAYLOAD_DIGEST_LEN	32

TEST_F(hornet, payload_matches_loader)
{
	char path[PATH_MAX], dump[PATH_MAX], shipped[PATH_MAX];
	char zero[PAYLOAD_DIGEST_LEN] = {};
	size_t dump_len = 0, shipped_len = 0;
	char *dump_buf = NULL, *shipped_buf = NULL;
	size_t tail = PAYLOAD_DIGEST_OFF + PAYLOAD_DIGEST_LEN;
	struct run_result res;

	companion(path, sizeof(path), self->dir, LOADER);
	companion(shipped, sizeof(shipped), self->dir, PAYLOAD);
	snprintf(dump, sizeof(dump), "%s/payload", self->tmp);
	run_logged(_metadata, &res, NULL, NULL, path, "dump-payload", dump, NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_EQ(0, read_file(dump, &dump_buf, &dump_len));
	ASSERT_EQ(0, read_file(shipped, &shipped_buf, &shipped_len));
	ASSERT_EQ(shipped_len, dump_len);
	ASSERT_LT(tail, dump_len);
	ASSERT_EQ(0, memcmp(shipped_buf, "HORNETPL", 8));
	ASSERT_EQ(0, memcmp(shipped_buf, dump_buf, PAYLOAD_DIGEST_OFF));
	ASSERT_EQ(0, memcmp(dump_buf + PAYLOAD_DIGEST_OFF, zero, sizeof(zero)));
	ASSERT_NE(0, memcmp(shipped_buf + PAYLOAD_DIGEST_OFF, zero, sizeof(zero)));
	ASSERT_EQ(0, memcmp(shipped_buf + tail, dump_buf + tail, dump_len - tail));
	free(dump_buf);
	free(shipped_buf);
}

/*
 * Stacked with the BPF LSM: a BPF LSM program on bpf_prog_load, loaded by
 * its signed light skeleton, watches the signed counter loader. The hook's
 * "kernel" argument (patch 1, as Linux 6.15 has it) is false for the
 * loader's own load (a syscall program) and true for the socket filter
 * the loader loads from inside the kernel.
 */
static bool lsm_listed(const char *name)
{
	char buf[512] = {}, *tok, *save;
	int fd = open("/sys/kernel/security/lsm", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	for (tok = strtok_r(buf, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

TEST_F(hornet, bpf_lsm_sees_kernel_flag)
{
	char path[PATH_MAX], loader[PATH_MAX];
	struct run_result res;

	if (!lsm_listed("bpf"))
		SKIP(return, "the BPF LSM is not active (lsm=...,bpf)");
	companion(path, sizeof(path), self->dir, "hornet_lsm_probe_loader.signed");
	companion(loader, sizeof(loader), self->dir, LOADER_SIGNED);
	run_logged(_metadata, &res, NULL, NULL, path, loader, "run", NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, " 2 load(s) by "));
	ASSERT_NE(NULL, strstr(res.out, "load 0: prog_type 31 kernel=0"));
	ASSERT_NE(NULL, strstr(res.out, "load 1: prog_type 1 kernel=1"));
}

TEST_HARNESS_MAIN
