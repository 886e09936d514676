// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the trailer and signature table parser of
 * scripts/hornet/trailer.c (parse_loader(), load_sigs(), write_sigs()),
 * against the kernel's hornet_find_signature() from hornet_parse.c.
 *
 * Linked with the signer's trailer.c, output.c and util.c, unchanged.
 *
 * Input: the file model of fuzz.h: a little-endian u64 whose low 34 bits
 * are a number of zero bytes, then the last bytes E of the loader.  The
 * file is written to a memfd (the zeros as a hole) that sign-ebpf reads
 * with pread(), as it reads a loader.
 *
 * Checked: sign-ebpf says "unsigned", "malformed" or "signed" exactly when
 * the kernel says -ENODATA, -EBADMSG or selects a signature, for every
 * digest the table lists and one it does not; every signature sign-ebpf
 * finds is the one the kernel selects for its digest (same offset and
 * length), and they lie back to back from the end of the unsigned loader
 * to the trailer or table; load_sigs() reads those bytes; write_sigs()
 * writes back the same trailer or table byte for byte (a one-entry table
 * comes back as the single-signature trailer, which parses to the same
 * signature).  Both die on a read or write error, which libFuzzer
 * reports as the target exiting.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../scripts/hornet/sign-ebpf.h"

int hornet_find_signature(const __u8 *tail, size_t tail_len, __u64 file_size,
			  const __u8 digest[SHA256_LEN], __u64 *sig_off,
			  __u32 *sig_len, const char **why);

#define KERNEL_TAIL_LEN (HORNET_TABLE_END_LEN + \
			 HORNET_MAX_SIGS * sizeof(struct hornet_sig_entry))

static int memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	return fd;
}

/* Write the file model to @fd: a hole, then E. */
static void put_file(int fd, const struct fuzz_file *f)
{
	CHECK(!ftruncate(fd, 0) && !ftruncate(fd, f->size), "ftruncate: %s",
	      strerror(errno));
	CHECK(pwrite(fd, f->e, f->e_len, f->hole) == (ssize_t)f->e_len,
	      "pwrite: %s", strerror(errno));
}

struct kres {
	int err;
	__u64 off;
	__u32 len;
};

static struct kres kernel(const __u8 *tail, size_t tail_len, __u64 size,
			  const __u8 *digest)
{
	struct kres r = { 0, ~0ULL, ~0U };
	const char *why;

	r.err = hornet_find_signature(tail, tail_len, size, digest, &r.off,
				      &r.len, &why);
	return r;
}

/* The bytes write_sigs() produces for @ls, read back from a memfd. */
static __u8 *rewrite(const struct loader_sigs *ls, size_t *len)
{
	static int out_fd = -1;
	struct outfile o = { .final = "fuzz output", .tmp = NULL };
	off_t end;
	__u8 *buf;

	if (out_fd < 0)
		out_fd = memfd("sign-ebpf output");
	CHECK(!ftruncate(out_fd, 0) && lseek(out_fd, 0, SEEK_SET) == 0,
	      "reset output");
	o.fd = out_fd;
	write_sigs(&o, ls);
	end = lseek(out_fd, 0, SEEK_CUR);
	buf = malloc(end ? end : 1);
	CHECK(buf && !read_full(out_fd, buf, end, 0), "read back");
	*len = end;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	__u8 absent[SHA256_LEN] = {}, *tail, *out;
	const __u8 *digests[HORNET_MAX_SIGS + 1];
	struct loader_sigs ls, again;
	const char *why = NULL;
	enum trailer_state ts;
	unsigned int nd = 0, i, j;
	size_t tail_len, out_len;
	struct fuzz_file f;
	off_t end_len, pos;
	struct kres k;

	if (fd < 0)
		fd = memfd("loader");
	fuzz_file_init(&f, data, size, 34);
	put_file(fd, &f);
	tail_len = f.size < KERNEL_TAIL_LEN ? f.size : KERNEL_TAIL_LEN;
	tail = fuzz_file_tail(&f, tail_len);

	ts = parse_loader(fd, f.size, &ls, &why);
	CHECK(ts == TRAILER_NONE || ts == TRAILER_OK || ts == TRAILER_BAD,
	      "parse_loader: state %d (%s)", ts, why);

	/* Digests to ask the kernel for: every slot's, and one of none. */
	if (ts == TRAILER_OK && ls.format == FMT_TABLE)
		for (i = 0; i < ls.n; i++)
			digests[nd++] = ls.sig[i].digest;
	for (i = 0; i < nd; i++) {
		if (!memcmp(digests[i], absent, SHA256_LEN)) {
			absent[0]++;
			i = -1;
		}
	}
	digests[nd] = absent;

	if (ts == TRAILER_NONE) {
		CHECK(ls.format == FMT_UNSIGNED && ls.n == 0 && ls.keep == (off_t)f.size,
		      "unsigned: format %d, %u slots", ls.format, ls.n);
		k = kernel(tail, tail_len, f.size, absent);
		CHECK(k.err == -ENODATA, "sign-ebpf: unsigned, kernel %d", k.err);
		goto out;
	}
	if (ts == TRAILER_BAD) {
		k = kernel(tail, tail_len, f.size, absent);
		CHECK(k.err == -EBADMSG, "sign-ebpf: malformed (%s), kernel %d",
		      why, k.err);
		goto out;
	}

	CHECK(ls.n >= 1 && ls.n <= HORNET_MAX_SIGS, "%u signatures", ls.n);
	CHECK(ls.format == FMT_SINGLE ? ls.n == 1 : ls.format == FMT_TABLE,
	      "format %d with %u signatures", ls.format, ls.n);
	end_len = ls.format == FMT_SINGLE ? (off_t)HORNET_TRAILER_LEN :
		  (off_t)(HORNET_TABLE_END_LEN + ls.n * sizeof(struct hornet_sig_entry));
	pos = ls.keep;
	CHECK(pos >= 0, "keep %lld", (long long)pos);
	for (i = 0; i < ls.n; i++) {
		const struct sig_slot *s = &ls.sig[i];

		CHECK(s->off == pos, "slot %u at %lld, expected %lld", i,
		      (long long)s->off, (long long)pos);
		CHECK(s->len >= 1 && s->len <= HORNET_MAX_SIG_LEN, "slot %u: %u bytes",
		      i, s->len);
		CHECK(s->has_digest == (ls.format == FMT_TABLE), "slot %u digest", i);
		pos += s->len;
		k = kernel(tail, tail_len, f.size,
			   ls.format == FMT_TABLE ? s->digest : absent);
		CHECK(k.err == 0 && k.off == (__u64)s->off && k.len == s->len,
		      "slot %u: %lld+%u, kernel %d %llu+%u", i, (long long)s->off,
		      s->len, k.err, (unsigned long long)k.off, k.len);
	}
	CHECK(pos + end_len == (off_t)f.size, "signatures end at %lld of %llu",
	      (long long)pos, (unsigned long long)f.size);
	if (ls.format == FMT_TABLE) {
		k = kernel(tail, tail_len, f.size, absent);
		CHECK(k.err == -ENODATA, "digest in no entry: kernel %d", k.err);
	}

	/* The blobs are the file's bytes there. */
	load_sigs(fd, "fuzz input", &ls);
	for (i = 0; i < ls.n; i++)
		for (j = 0; j < ls.sig[i].len; j++)
			CHECK(ls.sig[i].der[j] == fuzz_file_byte(&f, ls.sig[i].off + j),
			      "slot %u byte %u", i, j);

	/* Written back, they give the same end of file. */
	out = rewrite(&ls, &out_len);
	if (ls.format == FMT_TABLE && ls.n == 1) {
		struct fuzz_file g = { .e = out, .e_len = out_len, .size = out_len };
		int gfd = memfd("rewritten");

		CHECK(out_len == ls.sig[0].len + HORNET_TRAILER_LEN,
		      "one-entry table rewritten as %zu bytes", out_len);
		put_file(gfd, &g);
		CHECK(parse_loader(gfd, out_len, &again, &why) == TRAILER_OK &&
		      again.format == FMT_SINGLE && again.n == 1 &&
		      again.sig[0].off == 0 && again.sig[0].len == ls.sig[0].len,
		      "rewritten one-entry table does not parse back");
		close(gfd);
	} else {
		CHECK(out_len == f.size - (__u64)ls.keep, "rewritten as %zu bytes, was %llu",
		      out_len, (unsigned long long)(f.size - ls.keep));
		for (j = 0; j < out_len; j++)
			CHECK(out[j] == fuzz_file_byte(&f, ls.keep + j),
			      "rewritten byte %u differs", j);
	}
	free(out);
out:
	free_sigs(&ls);
	free(tail);
	return 0;
}
