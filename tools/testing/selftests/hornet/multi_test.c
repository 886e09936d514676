// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: signature tables, several light skeletons in one
 * executable, each load verified against the signature of its own payload.
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * Three light skeletons in one executable (hornet_multi_loader: Hornet's
 * counter and the tree's atomics and test_ringbuf), signed with a signature
 * table: each load picks the signature of its own payload, so removing or
 * breaking one refuses that skeleton only.
 */
#define MULTI_OK	"multi: counter: ok\nmulti: atomics: ok\nmulti: ringbuf: ok\n"
#define MULTI_REFUSED(skel, err) \
	"multi: " skel ": failed to load loader prog: " err "\n"

static void run_multi(struct __test_metadata *_metadata, const char *path,
		      const char *want, char *const args[])
{
	struct run_result res;

	run_logged(_metadata, &res, NULL, NULL, path, args[0], args[1],
		   args[2], NULL);
	expect_errno(_metadata, strcmp(want, MULTI_OK) ? 1 : 0, &res);
	/* run_loader() drops the output's final newline. */
	ASSERT_EQ(strlen(want) - 1, strlen(res.out));
	ASSERT_EQ(0, strncmp(want, res.out, strlen(res.out)));
}

TEST_F(hornet, multi_all_three_run)
{
	char path[PATH_MAX], *args[] = { "run", NULL, NULL };

	companion(path, sizeof(path), self->dir, "hornet_multi_loader.signed");
	run_multi(_metadata, path, MULTI_OK, args);
}

TEST_F(hornet, multi_unsigned_all_refused)
{
	char path[PATH_MAX], *args[] = { "run", NULL, NULL };

	companion(path, sizeof(path), self->dir, "hornet_multi_loader");
	run_multi(_metadata, path,
		  MULTI_REFUSED("counter", "ENODATA (61)")
		  MULTI_REFUSED("atomics", "ENODATA (61)")
		  MULTI_REFUSED("ringbuf", "ENODATA (61)"), args);
}

TEST_F(hornet, multi_signature_removed_refuses_that_one)
{
	char path[PATH_MAX], *args[] = { "run", NULL, NULL };

	companion(path, sizeof(path), self->dir,
		  "hornet_multi_loader.no-atomics");
	run_multi(_metadata, path,
		  "multi: counter: ok\n"
		  MULTI_REFUSED("atomics", "ENODATA (61)")
		  "multi: ringbuf: ok\n", args);
}

TEST_F(hornet, multi_flipped_insn_refuses_that_one)
{
	char path[PATH_MAX], *args[] = { "flip-insn", "ringbuf", "-4" };

	companion(path, sizeof(path), self->dir, "hornet_multi_loader.signed");
	run_multi(_metadata, path,
		  "multi: counter: ok\nmulti: atomics: ok\n"
		  MULTI_REFUSED("ringbuf", "ENODATA (61)"), args);
}

TEST_F(hornet, multi_flipped_data_refuses_that_one)
{
	char path[PATH_MAX], *args[] = { "flip-data", "counter", "0" };

	companion(path, sizeof(path), self->dir, "hornet_multi_loader.signed");
	run_multi(_metadata, path,
		  MULTI_REFUSED("counter", "ENODATA (61)")
		  "multi: atomics: ok\nmulti: ringbuf: ok\n", args);
}

/*
 * A table is judged as a whole: one non-zero reserved byte (the footer's,
 * just before the magic) refuses every skeleton with EBADMSG.
 */
TEST_F(hornet, multi_malformed_table_refuses_all)
{
	char path[PATH_MAX], *args[] = { "run", NULL, NULL };
	struct loader_image img = {};
	int err;

	companion(path, sizeof(path), self->dir, "hornet_multi_loader.signed");
	ASSERT_EQ(0, read_file(path, &img.buf, &img.len));
	ASSERT_LT(HORNET_MAGIC_LEN + 8, img.len);
	img.buf[img.len - HORNET_MAGIC_LEN - 1] ^= 1;
	snprintf(path, sizeof(path), "%s/multi.bad-footer", self->tmp);
	err = write_crafted(path, img.buf, img.len, 0, NULL, 0, NULL, false);
	free(img.buf);
	ASSERT_EQ(0, err);
	run_multi(_metadata, path,
		  MULTI_REFUSED("counter", "EBADMSG (74)")
		  MULTI_REFUSED("atomics", "EBADMSG (74)")
		  MULTI_REFUSED("ringbuf", "EBADMSG (74)"), args);
}

/*
 * An entry whose digest names the counter's payload but whose blob is the
 * atomics signature (entries 0 and 1 swap digests): the digest only
 * selects, verification still refuses.
 */
TEST_F(hornet, multi_swapped_digests_rejected)
{
	char path[PATH_MAX], *args[] = { "run", NULL, NULL };
	struct loader_image img = {};
	size_t ents;
	char d[32];
	int err;

	companion(path, sizeof(path), self->dir, "hornet_multi_loader.signed");
	ASSERT_EQ(0, read_file(path, &img.buf, &img.len));
	ASSERT_LT(HORNET_MAGIC_LEN + 8 + 3 * 40, img.len);
	ents = img.len - HORNET_MAGIC_LEN - 8 - 3 * 40;
	memcpy(d, img.buf + ents, 32);
	memcpy(img.buf + ents, img.buf + ents + 40, 32);
	memcpy(img.buf + ents + 40, d, 32);
	snprintf(path, sizeof(path), "%s/multi.swapped", self->tmp);
	err = write_crafted(path, img.buf, img.len, 0, NULL, 0, NULL, false);
	free(img.buf);
	ASSERT_EQ(0, err);
	run_multi(_metadata, path,
		  MULTI_REFUSED("counter", "EKEYREJECTED (129)")
		  MULTI_REFUSED("atomics", "EKEYREJECTED (129)")
		  "multi: ringbuf: ok\n", args);
}

TEST_HARNESS_MAIN
