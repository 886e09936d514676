// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: hornet_find_signature() and hornet_parse_trailer() of
 * security/hornet/hornet_parse.c, built for userspace.
 *
 * Input: a little-endian u64 and then the last bytes E of an executable.
 * Its low 48 bits are a number of zero bytes before E, so small inputs
 * stand for files of any size. When bit 63 is set, bits 48 to 55 (a
 * signed byte, 0 counting as 1) are added to the tail length passed in,
 * which must then be refused as inconsistent, without a read.
 *
 * Each call is checked against a model of the two formats written from
 * Documentation/security/hornet.rst, for every digest the table
 * lists and one it does not: the result, the offset and length of the
 * selected signature, and that a failure leaves both outputs alone.
 */
#include <errno.h>

#include "fuzz.h"
#include "hornet.h"

#define SENTINEL_OFF 0x5a5a5a5a5a5a5a5aULL
#define SENTINEL_LEN 0xa5a5a5a5U

struct model {
	int err;		/* result for a listed digest */
	u64 off[HORNET_MAX_SIGS];
	u32 len[HORNET_MAX_SIGS];
	u32 n;			/* entries the digests below were read from */
	const u8 *digest[HORNET_MAX_SIGS];
	bool table;
};

static bool ends_with(const u8 *t, size_t len, const char *magic, size_t mlen)
{
	return len >= mlen && !memcmp(t + len - mlen, magic, mlen);
}

/* The single-signature trailer ending @t (the last @len bytes of the file). */
static int model_trailer(const u8 *t, size_t len, u64 fsize, u32 *sig_len)
{
	const u8 *ms;
	u32 l;
	int i;

	if (!ends_with(t, len, HORNET_MAGIC, HORNET_MAGIC_LEN))
		return -ENODATA;
	if (len < HORNET_TRAILER_LEN)
		return -EBADMSG;
	ms = t + len - HORNET_TRAILER_LEN;
	/* algo, hash, id_type, signer_len, key_id_len, pad[3], sig_len */
	if (ms[2] != PKEY_ID_PKCS7)
		return -EBADMSG;
	for (i = 0; i < 8; i++)
		if (i != 2 && ms[i])
			return -EBADMSG;
	l = get_be32p(ms + 8);
	if (!l || l > HORNET_MAX_SIG_LEN || l > fsize - HORNET_TRAILER_LEN)
		return -EBADMSG;
	*sig_len = l;
	return 0;
}

/* Fill @m for a tail ending in the table magic. */
static void model_table(const u8 *t, size_t len, u64 fsize, struct model *m)
{
	const u8 *foot = t + len - HORNET_TABLE_END_LEN, *e;
	u64 table_len, sum = 0, pos;
	u32 n, i, j, avail;

	m->table = true;
	m->err = -EBADMSG;
	if (len < HORNET_TABLE_END_LEN)
		return;
	n = get_be32p(foot);
	/*
	 * Digests to look up: the entries, or for a count the tail cannot
	 * hold the last (at most 16) 40-byte slots before the footer.
	 */
	avail = (len - HORNET_TABLE_END_LEN) / 40;
	m->n = n < avail ? n : avail;
	if (m->n > HORNET_MAX_SIGS)
		m->n = HORNET_MAX_SIGS;
	for (i = 0; i < m->n; i++)
		m->digest[i] = foot - (u64)(m->n - i) * 40;
	if (get_be32p(foot + 4) || !n || n > HORNET_MAX_SIGS)
		return;
	table_len = HORNET_TABLE_END_LEN + 40ULL * n;
	if (table_len > len)
		return;
	for (i = 0; i < n; i++) {
		e = foot - (u64)(n - i) * 40;
		m->len[i] = get_be32p(e + 32);
		if (get_be32p(e + 36) || !m->len[i] || m->len[i] > HORNET_MAX_SIG_LEN)
			return;
		for (j = 0; j < i; j++)
			if (!memcmp(m->digest[j], e, 32))
				return;
		sum += m->len[i];
	}
	if (sum > fsize - table_len)
		return;
	pos = fsize - table_len - sum;
	for (i = 0; i < n; i++) {
		m->off[i] = pos;
		pos += m->len[i];
	}
	m->err = 0;
}

static void check_call(const u8 *tail, size_t tail_len, u64 fsize,
		       const u8 *digest, int want, u64 want_off, u32 want_len)
{
	u64 off = SENTINEL_OFF;
	u32 len = SENTINEL_LEN;
	const char *why = NULL;
	int err;

	err = hornet_find_signature(tail, tail_len, fsize, digest, &off, &len,
				    &why);
	CHECK(err == want, "got %d, model %d (file %llu bytes)", err, want,
	      (unsigned long long)fsize);
	if (err) {
		CHECK(why, "error %d without a reason", err);
		CHECK(off == SENTINEL_OFF && len == SENTINEL_LEN,
		      "outputs written on error %d", err);
		return;
	}
	CHECK(len >= 1 && len <= HORNET_MAX_SIG_LEN, "sig_len %u", len);
	CHECK(off <= fsize && len <= fsize - off, "signature past the file");
	CHECK(off == want_off && len == want_len,
	      "selected %llu+%u, model %llu+%u", (unsigned long long)off, len,
	      (unsigned long long)want_off, want_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 absent[SHA256_DIGEST_SIZE] = {};
	struct fuzz_file f;
	struct model m = {};
	size_t tail_len, tlen;
	u32 i, sig_len = 0;
	u8 *tail;

	fuzz_file_init(&f, data, size, 48);
	tail_len = min_t(u64, f.size, HORNET_TAIL_LEN);

	if (f.top & 0x8000) {
		/* An inconsistent tail length is refused before any read. */
		int delta = (int8_t)(f.top & 0xff) ?: 1;
		size_t bad = (ssize_t)tail_len + delta < 0 ? 0 : tail_len + delta;
		u64 off = SENTINEL_OFF;
		u32 len = SENTINEL_LEN;
		const char *why = NULL;

		if (bad == tail_len)
			bad++;
		tail = malloc(bad ? bad : 1);
		CHECK(tail, "out of memory");
		memset(tail, 0, bad);
		CHECK(hornet_find_signature(tail, bad, f.size, absent, &off,
					    &len, &why) == -EINVAL,
		      "tail length %zu accepted for a %llu byte file", bad,
		      (unsigned long long)f.size);
		CHECK(why && off == SENTINEL_OFF && len == SENTINEL_LEN,
		      "-EINVAL without a reason or with outputs");
		free(tail);
		return 0;
	}

	tail = fuzz_file_tail(&f, tail_len);

	/* hornet_parse_trailer() alone, on the last HORNET_TRAILER_LEN bytes. */
	tlen = min_t(u64, f.size, HORNET_TRAILER_LEN);
	{
		u8 *tt = fuzz_file_tail(&f, tlen);
		const char *why = NULL;
		u32 len = SENTINEL_LEN;
		int want = model_trailer(tt, tlen, f.size, &sig_len);
		int err = hornet_parse_trailer(tt, tlen, f.size, &len, &why);

		CHECK(err == want, "trailer: got %d, model %d", err, want);
		CHECK(err ? why && len == SENTINEL_LEN : len == sig_len,
		      "trailer: sig_len %u, model %u", len, sig_len);
		free(tt);
	}

	if (ends_with(tail, tail_len, HORNET_TABLE_MAGIC,
		      HORNET_TABLE_MAGIC_LEN)) {
		model_table(tail, tail_len, f.size, &m);
	} else {
		m.err = model_trailer(tail, tail_len, f.size, &sig_len);
		if (!m.err) {
			m.off[0] = f.size - HORNET_TRAILER_LEN - sig_len;
			m.len[0] = sig_len;
		}
	}

	/* A digest no entry lists. */
	for (i = 0; i < m.n; i++) {
		if (!memcmp(m.digest[i], absent, sizeof(absent))) {
			absent[0]++;
			i = -1;
		}
	}
	if (m.table) {
		for (i = 0; i < m.n; i++)
			check_call(tail, tail_len, f.size, m.digest[i], m.err,
				   m.off[i], m.len[i]);
		check_call(tail, tail_len, f.size, absent,
			   m.err ?: -ENODATA, 0, 0);
	} else {
		/* The one signature is returned whatever the digest. */
		check_call(tail, tail_len, f.size, absent, m.err, m.off[0],
			   m.len[0]);
	}
	free(tail);
	return 0;
}
