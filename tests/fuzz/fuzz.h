/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the libFuzzer targets in tests/fuzz: an input reader
 * that yields zeros once the input is used up, and CHECK(), which reports
 * a broken invariant and aborts so that libFuzzer saves the input.
 */
#ifndef HORNET_FUZZ_H
#define HORNET_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s: ",\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

/* Copy @n bytes of input to @dst, zero-filling what the input lacks. */
static inline void fuzz_take(struct fuzz_in *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static inline uint32_t fuzz_le32(struct fuzz_in *in)
{
	uint8_t b[4];

	fuzz_take(in, b, sizeof(b));
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t fuzz_le64(struct fuzz_in *in)
{
	uint64_t lo = fuzz_le32(in);

	return lo | (uint64_t)fuzz_le32(in) << 32;
}

static inline uint32_t get_be32p(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static inline uint32_t get_le32p(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The file model of the signature targets.  An input is a little-endian
 * u64 and then bytes E; the file is that many zero bytes (never stored)
 * followed by E.  Bits above @hole_bits of the u64 are left to the target.
 */
struct fuzz_file {
	uint64_t hole;		/* zero bytes before E */
	const uint8_t *e;	/* the last bytes of the file */
	size_t e_len;
	uint64_t size;		/* hole + e_len */
	uint64_t top;		/* the u64's bits above @hole_bits */
};

static inline void fuzz_file_init(struct fuzz_file *f, const uint8_t *data,
				  size_t size, unsigned int hole_bits)
{
	struct fuzz_in in = { data, size };
	uint64_t v = fuzz_le64(&in);

	f->hole = v & ((1ULL << hole_bits) - 1);
	f->top = v >> hole_bits;
	f->e = in.p;
	f->e_len = in.left;
	f->size = f->hole + f->e_len;
}

/* Byte @off of the file (below f->size). */
static inline uint8_t fuzz_file_byte(const struct fuzz_file *f, uint64_t off)
{
	return off < f->hole ? 0 : f->e[off - f->hole];
}

/* A malloc()ed copy of the last @len bytes of the file, exactly @len long. */
static inline uint8_t *fuzz_file_tail(const struct fuzz_file *f, size_t len)
{
	uint8_t *t = malloc(len ? len : 1);
	size_t i;

	if (!t)
		abort();
	for (i = 0; i < len; i++)
		t[i] = fuzz_file_byte(f, f->size - len + i);
	return t;
}

#endif
