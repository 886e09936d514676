// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: the signature trailer at the end of the executable.
 *
 * Copies of the signed loader, crafted at run time, with bytes after the
 * trailer, broken lengths and fields, garbage, truncated and flipped PKCS#7
 * blobs, PKCS#7 messages that sign-ebpf would not write, and huge sparse
 * files; the executable replaced with PR_SET_MM_EXE_FILE; and the kernel's
 * verdict on a corpus of mutated trailers compared with sign-ebpf --verify's.
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * A trailer appended after the magic (file modified after signing)
 * means the file no longer ends in a trailer: treated as unsigned.
 */
TEST_F(hornet, bytes_after_trailer_unsigned)
{
	char path[PATH_MAX], signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	ASSERT_EQ(0, write_crafted(path, img.buf, img.len, 0, "\n", 1,
				   NULL, false));
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENODATA, &res);
	free(img.buf);
}

/*
 * Crafted trailers on copies of the signed loader: wrapping lengths, short
 * and huge files, the size cap, garbage PKCS#7. Each copy is
 * [ELF][hole][blob][struct module_signature][magic].
 */
enum blob_kind {
	BLOB_VALID,		/* the real PKCS#7 blob */
	BLOB_NONE,		/* no bytes at all */
	BLOB_BYTES,		/* variant->bytes */
	BLOB_GARBAGE,		/* blob_len bytes of non-DER garbage */
	BLOB_TRUNCATED,		/* the real blob, cut to blob_len bytes */
	BLOB_FLIPPED,		/* the real blob, byte flip_off inverted */
	BLOB_FILE,		/* blobs/<file>, made with openssl at build time */
};

enum sig_len_kind {
	SIG_LEN_BLOB,		/* exactly the bytes written as blob */
	SIG_LEN_FIXED,		/* variant->sig_len */
	SIG_LEN_BEFORE,		/* bytes before the trailer + sig_len */
};

FIXTURE(trailer) {
	char dir[1024];
	char tmp[1024];
	struct loader_image img;
};

FIXTURE_VARIANT(trailer) {
	enum blob_kind blob;
	const char *bytes;
	const char *file;
	__u32 blob_len;
	long flip_off;		/* < 0 counts from the end of the blob */
	enum sig_len_kind len_kind;
	long long sig_len;
	/* Total file size to reach with a hole before the blob (0: none). */
	unsigned long long file_size;
	struct hornet_sig sig;	/* template; id_type 0 means PKCS#7 */
	bool bad_id_type;	/* keep sig.id_type even when 0 */
	bool magic_only;	/* no struct module_signature, only magic */
	bool check_mem;
	int expect;
};

FIXTURE_SETUP(trailer)
{
	char path[PATH_MAX];

	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, make_tmpdir(self->tmp, sizeof(self->tmp)));
	companion(path, sizeof(path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(path, &self->img));
}

FIXTURE_TEARDOWN(trailer)
{
	remove_tmpdir(self->tmp);
	free(self->img.buf);
}

#define SIG(...) { .id_type = PKEY_ID_PKCS7, __VA_ARGS__ }

/* Control: the crafting code reproduces a loadable copy. */
FIXTURE_VARIANT_ADD(trailer, valid_copy) {
	.blob = BLOB_VALID, .expect = 0, .check_mem = true,
};

/* Lengths that wrap when added or subtracted. */
FIXTURE_VARIANT_ADD(trailer, sig_len_ffffff00_with_ids) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffff00,
	.sig = SIG(.signer_len = 0x80, .key_id_len = 0x80),
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_ffffff00) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffff00,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_ffffffff) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_FIXED, .sig_len = 0xffffffff,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_all_before_trailer) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_BEFORE, .sig_len = 0,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_past_start_of_file) {
	.blob = BLOB_VALID, .len_kind = SIG_LEN_BEFORE, .sig_len = 1,
	.expect = EBADMSG,
};

/* Magic without a struct module_signature in front of it. */
FIXTURE_VARIANT_ADD(trailer, magic_only) {
	.blob = BLOB_NONE, .magic_only = true, .expect = EBADMSG,
};

/* Every field but id_type and sig_len must be zero. */
FIXTURE_VARIANT_ADD(trailer, id_type_0) {
	.blob = BLOB_VALID, .sig = { .id_type = 0 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, id_type_1) {
	.blob = BLOB_VALID, .sig = { .id_type = 1 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, id_type_3) {
	.blob = BLOB_VALID, .sig = { .id_type = 3 }, .bad_id_type = true,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, algo_set) {
	.blob = BLOB_VALID, .sig = SIG(.algo = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, hash_set) {
	.blob = BLOB_VALID, .sig = SIG(.hash = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, signer_len_set) {
	.blob = BLOB_VALID, .sig = SIG(.signer_len = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, key_id_len_set) {
	.blob = BLOB_VALID, .sig = SIG(.key_id_len = 1), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad0_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 1, 0, 0 }), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad1_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 0, 1, 0 }), .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, pad2_set) {
	.blob = BLOB_VALID, .sig = SIG(.pad = { 0, 0, 0x80 }), .expect = EBADMSG,
};

/* The signature size cap, and garbage PKCS#7. */
FIXTURE_VARIANT_ADD(trailer, sig_len_0) {
	.blob = BLOB_NONE, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_1_seq_tag) {
	.blob = BLOB_BYTES, .bytes = "\x30", .blob_len = 1, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_2_indefinite_seq) {
	.blob = BLOB_BYTES, .bytes = "\x30\x80", .blob_len = 2,
	.expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_4627) {
	.blob = BLOB_GARBAGE, .blob_len = 4627, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_65536) {
	.blob = BLOB_GARBAGE, .blob_len = 65536, .expect = EBADMSG,
};

/*
 * Valid signatures, padded by an embedded certificate, around the cap. The
 * kernel's ASN.1 decoder takes at most 65535 bytes (asn1_ber_decoder()
 * returns -EMSGSIZE above), so a 65536-byte blob passes the trailer check
 * but cannot be parsed: malformed.
 */
FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65535) {
	.blob = BLOB_FILE, .file = "valid_65535.der", .expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65536) {
	.blob = BLOB_FILE, .file = "valid_65536.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, valid_sig_len_65537) {
	.blob = BLOB_FILE, .file = "valid_65537.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, garbage_65537) {
	.blob = BLOB_GARBAGE, .blob_len = 65537, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sig_len_16m) {
	.blob = BLOB_NONE, .len_kind = SIG_LEN_FIXED, .sig_len = 16 * MIB,
	.file_size = 20 * MIB, .check_mem = true, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_by_1) {
	.blob = BLOB_TRUNCATED, .blob_len = (__u32)-1, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_to_half) {
	.blob = BLOB_TRUNCATED, .blob_len = (__u32)-2, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, truncated_to_10) {
	.blob = BLOB_TRUNCATED, .blob_len = 10, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, flipped_outer_tag) {
	.blob = BLOB_FLIPPED, .flip_off = 0, .expect = EBADMSG,
};

/* The last bytes of the blob are the RSA signature value. */
FIXTURE_VARIANT_ADD(trailer, flipped_signature_value) {
	.blob = BLOB_FLIPPED, .flip_off = -1, .expect = EKEYREJECTED,
};

/* PKCS#7 that sign-ebpf would not write, made by openssl. */
FIXTURE_VARIANT_ADD(trailer, cms_signed_attributes) {
	.blob = BLOB_FILE, .file = "signed_attrs.der", .expect = EBADMSG,
};

/* eContentType digestData instead of data, trusted key, right payload. */
FIXTURE_VARIANT_ADD(trailer, cms_content_type_not_data) {
	.blob = BLOB_FILE, .file = "content_type_not_data.der",
	.expect = EBADMSG,
};

/* Not detached: the payload travels inside the message. */
FIXTURE_VARIANT_ADD(trailer, cms_embedded_content) {
	.blob = BLOB_FILE, .file = "embedded_content.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, cms_untrusted_ca_chain_embedded) {
	.blob = BLOB_FILE, .file = "untrusted_chain.der", .expect = ENOKEY,
};

/* Same issuer and serial as the trusted certificate, different key. */
FIXTURE_VARIANT_ADD(trailer, cms_impostor_issuer_serial) {
	.blob = BLOB_FILE, .file = "impostor.der", .expect = EKEYREJECTED,
};

/*
 * Exactly one SignerInfo. pkcs7_verify() accepts a message when any of its
 * SignerInfos verifies and skips those whose certificate is blacklisted:
 * a revoked signer plus a second SignerInfo that cannot verify used to
 * load, and an untrusted signer before the trusted one was named as the
 * signer in the audit record.
 */
FIXTURE_VARIANT_ADD(trailer, cms_two_signers) {
	.blob = BLOB_FILE, .file = "two_signers.der", .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, cms_blacklisted_plus_untrusted) {
	.blob = BLOB_FILE, .file = "blacklisted_plus_untrusted.der",
	.expect = EBADMSG,
};

/* The revoked signer alone with its certificate embedded. */
FIXTURE_VARIANT_ADD(trailer, cms_blacklisted_embedded) {
	.blob = BLOB_FILE, .file = "blacklisted_embedded.der",
	.expect = EKEYREJECTED,
};

FIXTURE_VARIANT_ADD(trailer, cms_sha512_digest) {
	.blob = BLOB_FILE, .file = "sha512.der", .expect = 0,
};

/* A digest the test kernel does not build (no CONFIG_CRYPTO_SHA3). */
FIXTURE_VARIANT_ADD(trailer, cms_sha3_256_digest) {
	.blob = BLOB_FILE, .file = "sha3_256.der", .expect = ENOPKG,
};

/* Huge sparse loaders: size must not matter. */
FIXTURE_VARIANT_ADD(trailer, sparse_1_9g_sig_len_700m) {
	.blob = BLOB_NONE, .len_kind = SIG_LEN_FIXED, .sig_len = 700000000,
	.file_size = 1900000000ULL, .check_mem = true, .expect = EBADMSG,
};

FIXTURE_VARIANT_ADD(trailer, sparse_1_9g_valid) {
	.blob = BLOB_VALID, .file_size = 1900000000ULL, .check_mem = true,
	.expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, sparse_over_int_max_valid) {
	.blob = BLOB_VALID, .file_size = 2 * GIB + 64 * KIB,
	.check_mem = true, .expect = 0,
};

FIXTURE_VARIANT_ADD(trailer, sparse_over_4g_valid) {
	.blob = BLOB_VALID, .file_size = 4 * GIB + 4096 + 1,
	.check_mem = true, .expect = 0,
};

static char *make_blob(const FIXTURE_VARIANT(trailer) * v,
		       const struct loader_image *img, const char *dir,
		       size_t *len)
{
	char path[PATH_MAX];
	size_t n = 0, i;
	char *blob;
	long off;

	if (v->blob == BLOB_FILE) {
		snprintf(path, sizeof(path), "%s/blobs/%s", dir, v->file);
		return read_file(path, &blob, len) ? NULL : blob;
	}

	switch (v->blob) {
	case BLOB_NONE:
		n = 0;
		break;
	case BLOB_VALID:
	case BLOB_FLIPPED:
		n = img->blob_len;
		break;
	case BLOB_TRUNCATED:
		if (v->blob_len == (__u32)-1)
			n = img->blob_len - 1;
		else if (v->blob_len == (__u32)-2)
			n = img->blob_len / 2;
		else
			n = v->blob_len;
		break;
	case BLOB_BYTES:
	case BLOB_GARBAGE:
		n = v->blob_len;
		break;
	case BLOB_FILE:
		break;
	}
	blob = malloc(n ? n : 1);
	if (!blob)
		return NULL;
	switch (v->blob) {
	case BLOB_BYTES:
		memcpy(blob, v->bytes, n);
		break;
	case BLOB_GARBAGE:
		/* Deterministic, and never a valid DER tag up front. */
		for (i = 0; i < n; i++)
			blob[i] = (char)(0xa5 ^ (i * 131));
		blob[0] = (char)0xff;
		break;
	case BLOB_FLIPPED:
		memcpy(blob, img->blob, n);
		off = v->flip_off < 0 ? (long)n + v->flip_off : v->flip_off;
		blob[off] ^= 0xff;
		break;
	default:
		memcpy(blob, img->blob, n);
		break;
	}
	*len = n;
	return blob;
}

TEST_F_TIMEOUT(trailer, load, 180)
{
	struct meminfo before, after;
	unsigned long long before_trailer;
	struct hornet_sig sig = variant->sig;
	char path[PATH_MAX];
	struct run_result res;
	size_t blob_len = 0;
	off_t hole = 0;
	char *blob;

	blob = make_blob(variant, &self->img, self->dir, &blob_len);
	ASSERT_NE(NULL, blob);
	if (!variant->bad_id_type && !sig.id_type)
		sig.id_type = PKEY_ID_PKCS7;
	if (variant->file_size)
		hole = variant->file_size - self->img.elf_len - blob_len -
		       TRAILER_FIXED;
	before_trailer = self->img.elf_len + hole + blob_len;
	switch (variant->len_kind) {
	case SIG_LEN_BLOB:
		sig.sig_len = htonl(blob_len);
		break;
	case SIG_LEN_FIXED:
		sig.sig_len = htonl((__u32)variant->sig_len);
		break;
	case SIG_LEN_BEFORE:
		sig.sig_len = htonl((__u32)(before_trailer + variant->sig_len));
		break;
	}

	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	ASSERT_EQ(0, write_crafted(path, self->img.buf, self->img.elf_len, hole,
				   blob, blob_len,
				   variant->magic_only ? NULL : &sig, true));
	free(blob);
	TH_LOG("crafted: %llu bytes before trailer (hole %lld), blob %zu, sig_len %u, id_type %u",
	       before_trailer, (long long)hole, blob_len, ntohl(sig.sig_len),
	       sig.id_type);

	run_logged(_metadata, &res, &before, &after, path, "run", NULL);
	log_mem(_metadata, "crafted loader", &before, &after);
	expect_errno(_metadata, variant->expect, &res);
	if (variant->check_mem) {
		assert_mem_flat(_metadata, &before, &after);
		ASSERT_LT(res.secs, HUGE_LOAD_MAX_SECS);
	}
}

/* Write the signed loader's ELF with @blob as its signature; run it. */
static int run_with_blob(struct __test_metadata *_metadata,
			 FIXTURE_DATA(hornet) * self,
			 const struct loader_image *img, const char *blob,
			 __u32 len, struct run_result *res)
{
	struct hornet_sig sig = { .id_type = PKEY_ID_PKCS7 };
	char path[PATH_MAX], run[] = "run";
	char *argv[3] = { path, run, NULL };

	sig.sig_len = htonl(len);
	snprintf(path, sizeof(path), "%s/loader", self->tmp);
	if (write_crafted(path, img->buf, img->elf_len, 0, blob, len, &sig,
			  true))
		return -1;
	if (run_loader(path, argv, res))
		return -1;
	return res->status;
}

/* Every truncation of the valid PKCS#7 blob is malformed. */
TEST_F_TIMEOUT(hornet, every_truncation_malformed, 600)
{
	char signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;
	__u32 n, bad = 0;
	int status;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	for (n = 0; n < img.blob_len; n++) {
		status = run_with_blob(_metadata, self, &img, img.blob, n, &res);
		if (status != EBADMSG) {
			TH_LOG("blob cut to %u of %u bytes: exit %d (%s): %s",
			       n, img.blob_len, status, errname(status),
			       res.out);
			bad++;
		}
	}
	TH_LOG("%u truncations tried, %u not EBADMSG", img.blob_len, bad);
	free(img.buf);
	ASSERT_EQ(0, bad);
}

/*
 * Every byte of the valid blob inverted in turn. The answer must be
 * one of the documented refusals; a change that leaves the signature valid
 * (a byte the kernel does not use) may load, and is logged.
 */
TEST_F_TIMEOUT(hornet, every_byte_flip_refused_or_harmless, 600)
{
	__u32 n, counts[5] = { 0 }, other = 0;
	char signed_path[PATH_MAX];
	struct loader_image img;
	struct run_result res;
	char *blob;
	int status;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	blob = malloc(img.blob_len);
	ASSERT_NE(NULL, blob);
	for (n = 0; n < img.blob_len; n++) {
		memcpy(blob, img.blob, img.blob_len);
		blob[n] ^= 0xff;
		status = run_with_blob(_metadata, self, &img, blob,
				       img.blob_len, &res);
		switch (status) {
		case 0:
			TH_LOG("byte %u inverted: still loads", n);
			counts[0]++;
			break;
		case EBADMSG:
			counts[1]++;
			break;
		case EKEYREJECTED:
			counts[2]++;
			break;
		case ENOKEY:
			counts[3]++;
			break;
		case ENOPKG:
			counts[4]++;
			break;
		default:
			TH_LOG("byte %u inverted: exit %d (%s): %s", n, status,
			       errname(status), res.out);
			other++;
		}
	}
	TH_LOG("%u flips: %u load, %u EBADMSG, %u EKEYREJECTED, %u ENOKEY, %u ENOPKG, %u other",
	       img.blob_len, counts[0], counts[1], counts[2], counts[3],
	       counts[4], other);
	free(blob);
	free(img.buf);
	ASSERT_EQ(0, other);
}

/*
 * Issue-2 acceptance: the signed loader padded to 1 GiB with a hole, its
 * trailer moved to the new end, still loads, and kernel memory stays flat.
 */
TEST_F_TIMEOUT(hornet, padded_1g_accepted, 120)
{
	char signed_path[PATH_MAX], path[PATH_MAX], want[64];
	struct loader_image img;
	struct run_result res;
	size_t trailer_len;

	companion(signed_path, sizeof(signed_path), self->dir, LOADER_SIGNED);
	ASSERT_EQ(0, load_signed_image(signed_path, &img));
	trailer_len = img.len - img.elf_len;
	snprintf(path, sizeof(path), "%s/loader.1g", self->tmp);
	ASSERT_EQ(0, write_crafted(path, img.buf, img.elf_len, GIB,
				   img.blob, trailer_len, NULL, false));
	run_logged(_metadata, &res, &self->before, &self->after, path, "run",
		   "16", NULL);
	log_mem(_metadata, "1 GiB loader", &self->before, &self->after);
	expect_errno(_metadata, 0, &res);
	snprintf(want, sizeof(want), "packets=%d map=%d ", PACKETS, PACKETS);
	ASSERT_NE(NULL, strstr(res.out, want));
	assert_mem_flat(_metadata, &self->before, &self->after);
	ASSERT_LT(res.secs, HUGE_LOAD_MAX_SECS);
	free(img.buf);
}

/*
 * PR_SET_MM_EXE_FILE makes a signed file the executable of a process that
 * did not run it. Opened for reading, its signature is the one checked:
 * the load is accepted (this proves the swap works). Opened with neither
 * read nor write access (O_ACCMODE), Hornet cannot read it and refuses
 * with ENODATA, before any read of the file.
 */
TEST_F(hornet, exe_swap_readable_accepted)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_raw_loader");
	companion(target, sizeof(target), self->dir, "raw/no_maps.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "no_maps", "-x", "r",
		   target, NULL);
	expect_errno(_metadata, 0, &res);
	ASSERT_NE(NULL, strstr(res.out, "with the executable replaced (r)"));
}

TEST_F(hornet, exe_swap_unreadable_refused)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct run_result res;

	companion(path, sizeof(path), self->dir, "hornet_raw_loader");
	companion(target, sizeof(target), self->dir, "raw/no_maps.signed");
	run_logged(_metadata, &res, NULL, NULL, path, "no_maps", "-x", "n",
		   target, NULL);
	expect_errno(_metadata, ENODATA, &res);
	ASSERT_NE(NULL, strstr(res.out, "with the executable replaced (n)"));
}

/*
 * The differential check of the kernel's parser and verifier against
 * sign-ebpf --verify. At build time "hornet_raw_loader diffgen" wrote a
 * corpus of mutated trailers, tables and PKCS#7 messages over the no_maps
 * payload and sign-ebpf judged each file (diff/expected: the generator's
 * line, then one '1' or '0' per file). Here the same generator writes the
 * same files (its checksum line must match) and the kernel judges each:
 * hornet_raw_loader makes the file its executable and loads no_maps.
 * Every file sign-ebpf accepts must load: its "OK" is a promise. Files the
 * kernel accepts and sign-ebpf refuses are where --verify is stricter than
 * the kernel (README.md, "Checking a signature"); they are counted and the
 * first ones logged. HORNET_DIFF_FILES loads only the first files of the
 * corpus (lab/init: a tenth on the debug kernel, where a load costs ~10x).
 */
TEST_F_TIMEOUT(hornet, diff_verdicts, 900)
{
	char path[PATH_MAX], expected[PATH_MAX], digest[PATH_MAX], out[PATH_MAX];
	char seed[3][PATH_MAX], count[24], loads[24], *exp = NULL, *verdicts = NULL;
	char *line2;
	long i, nr, nr_loads, accepted = 0, refused = 0, mismatches = 0, stricter = 0;
	size_t exp_len = 0, v_len = 0, line1_len;
	unsigned int by_errno[256] = { 0 };
	struct run_result res;
	int fields;

	companion(path, sizeof(path), self->dir, "hornet_raw_loader");
	companion(expected, sizeof(expected), self->dir, "diff/expected");
	companion(digest, sizeof(digest), self->dir, "diff/digest");
	for (i = 0; i < 3; i++)
		snprintf(seed[i], sizeof(seed[i]), "%s/diff/seed%ld.der",
			 self->dir, i);
	ASSERT_EQ(0, read_file(expected, &exp, &exp_len));
	line2 = memchr(exp, '\n', exp_len);
	ASSERT_NE(NULL, line2);
	line1_len = line2 - exp;
	line2++;
	fields = sscanf(exp, "diffgen: %ld files", &nr);
	ASSERT_EQ(1, fields);
	ASSERT_LE(10000, nr);
	ASSERT_LE(exp_len, line1_len + 1 + nr + 1);
	ASSERT_GE(exp_len, line1_len + 1 + nr);
	snprintf(count, sizeof(count), "%ld", nr);
	nr_loads = atol(hornet_count("HORNET_DIFF_FILES", count));
	ASSERT_LE(1000, nr_loads);
	if (nr_loads > nr)
		nr_loads = nr;
	snprintf(loads, sizeof(loads), "%ld", nr_loads);

	run_logged(_metadata, &res, NULL, NULL, path, "diffgen", self->tmp,
		   count, digest, seed[0], seed[1], seed[2], NULL);
	ASSERT_EQ(0, res.status);
	/* The VM wrote the very bytes the build host judged. */
	ASSERT_EQ(0, strncmp(res.out, exp, line1_len));

	snprintf(out, sizeof(out), "%s/verdicts", self->tmp);
	run_logged(_metadata, &res, NULL, NULL, path, "no_maps", "-X",
		   self->tmp, loads, out, NULL);
	ASSERT_EQ(0, res.status);
	ASSERT_EQ(0, read_file(out, &verdicts, &v_len));
	ASSERT_EQ(nr_loads, v_len);
	for (i = 0; i < nr_loads; i++) {
		unsigned char v = verdicts[i];
		bool kernel_ok = v == 0, tool_ok = line2[i] == '1';

		by_errno[v]++;
		ASSERT_NE(255, v);	/* the file could not be opened */
		ASSERT_NE(254, v);	/* PR_SET_MM_EXE_FILE refused it */
		if (kernel_ok)
			accepted++;
		else
			refused++;
		if (tool_ok && !kernel_ok && mismatches++ < 20)
			TH_LOG("file %05ld: sign-ebpf --verify accepts, the kernel refuses (%s)",
			       i, errname(v));
		if (kernel_ok && !tool_ok && stricter++ < 20)
			TH_LOG("file %05ld: the kernel accepts, sign-ebpf --verify refuses",
			       i);
	}
	for (i = 0; i < 256; i++)
		if (by_errno[i])
			TH_LOG("kernel verdict %s: %u file(s)", errname(i),
			       by_errno[i]);
	TH_LOG("%ld files: kernel accepts %ld, refuses %ld; --verify stricter %ld, laxer %ld",
	       nr_loads, accepted, refused, stricter, mismatches);
	/* On a disagreement, the kernel's verdicts for a look on the host. */
	for (i = 0; (mismatches || stricter) && i < nr_loads; i += 2000) {
		char chunk[2001];
		long j;

		for (j = 0; j < 2000 && i + j < nr_loads; j++)
			chunk[j] = verdicts[i + j] ? '0' : '1';
		chunk[j] = '\0';
		TH_LOG("kernel verdicts %05ld: %s", i, chunk);
	}
	free(exp);
	free(verdicts);
	/* A corpus that one side accepts or refuses whole tests nothing. */
	ASSERT_LT(0, accepted);
	ASSERT_LT(0, refused);
	ASSERT_EQ(0, mismatches);
}

TEST_HARNESS_MAIN
