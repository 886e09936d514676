// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf: the CMS (PKCS#7) signature, made, and checked the way the
 * kernel's PKCS#7 parser and verifier will check it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sign-ebpf.h"

/**
 * get_digest() - map a hash name from the command line to a digest
 * @name: "sha256", "sha384" or "sha512"
 *
 * Only the digests the Hornet test kernel is configured to verify are
 * accepted; checking the name before fetching keeps aliases ("SHA2-256",
 * "sha3-256", ...) from slipping through.  Dies for any other name.
 *
 * Return: the fetched digest (free with EVP_MD_free()), or NULL when
 * OpenSSL cannot fetch it.
 */
EVP_MD *get_digest(const char *name)
{
	static const char * const ok[] = { "sha256", "sha384", "sha512" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(name, ok[i]))
			return EVP_MD_fetch(NULL, name, NULL);
	die("unsupported hash algorithm '%s' (use sha256, sha384 or sha512)", name);
}

/**
 * sign_payload() - make the detached CMS signature of the payload
 * @pkey: private key
 * @cert: certificate matching @pkey
 * @md: digest
 * @payload: payload bytes
 * @len: payload length in bytes
 * @use_keyid: identify the signer by subject key identifier
 * @der_len: out: length in bytes of the DER encoding
 *
 * The SignedData has content type data, no content (detached), no
 * certificates, no signed attributes and no S/MIME capabilities; the
 * payload is hashed as is (binary, no MIME canonicalisation).  Dies when
 * OpenSSL or the token fails, or the signature is longer than the 65535
 * bytes the kernel's ASN.1 decoder takes.
 *
 * Return: the malloc()ed DER encoding.
 */
__u8 *sign_payload(EVP_PKEY *pkey, X509 *cert, const EVP_MD *md,
		   const __u8 *payload, size_t len, bool use_keyid,
		   size_t *der_len)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOCERTS |
				   CMS_NOATTR | CMS_NOSMIMECAP | CMS_PARTIAL;
	unsigned char *der = NULL;
	CMS_ContentInfo *cms;
	__u8 *copy;
	BIO *in;
	int n;

	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!cms || !CMS_add1_signer(cms, cert, pkey, md,
				     flags | (use_keyid ? CMS_USE_KEYID : 0)))
		goto fail;
	in = BIO_new_mem_buf(payload, (int)len);
	if (!in || CMS_final(cms, in, NULL, flags) != 1)
		goto fail;
	n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0)
		goto fail;
	if ((size_t)n > HORNET_MAX_SIG_LEN)
		die("signature is %d bytes, the kernel accepts at most %u", n,
		    HORNET_MAX_SIG_LEN);
	copy = malloc(n);
	if (!copy)
		goto fail;
	memcpy(copy, der, n);
	*der_len = n;
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return copy;
fail:
	die_ossl("signing failed (key or token error)");
}

/**
 * sig_alg_supported() - is the SignerInfo's signature algorithm one the
 *	kernel's PKCS#7 parser knows
 * @nid: NID of signatureAlgorithm
 *
 * The kernel (crypto/asymmetric_keys/pkcs7_parser.c) takes rsaEncryption
 * for RSA PKCS#1 v1.5, not the sha*WithRSAEncryption identifiers, and the
 * ecdsa-with-* identifiers for ECDSA.
 *
 * Return: true when the kernel's parser accepts @nid.
 */
static bool sig_alg_supported(int nid)
{
	switch (nid) {
	case NID_rsaEncryption:
	case NID_ecdsa_with_SHA256:
	case NID_ecdsa_with_SHA384:
	case NID_ecdsa_with_SHA512:
		return true;
	}
	return false;
}

/**
 * der_next() - step over one DER element
 * @p: in/out: cursor, moved past the element
 * @end: end of the enclosing element
 * @tag: out: identifier octet (single-octet tags only)
 * @val: out: start of the contents
 * @vlen: out: length of the contents in bytes
 *
 * Only definite lengths of up to 4 length octets; every length is checked
 * against the bytes left before it is used.
 *
 * Return: 0, or -1 for a malformed or truncated element.
 */
int der_next(const __u8 **p, const __u8 *end, __u8 *tag,
	     const __u8 **val, size_t *vlen)
{
	const __u8 *q = *p;
	size_t len, n;

	if (end - q < 2 || (q[0] & 0x1f) == 0x1f)
		return -1;
	*tag = *q++;
	len = *q++;
	if (len & 0x80) {
		n = len & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - q) < n)
			return -1;
		for (len = 0; n; n--)
			len = len << 8 | *q++;
	}
	if (len > (size_t)(end - q))
		return -1;
	*val = q;
	*vlen = len;
	*p = q + len;
	return 0;
}

/**
 * struct der_cursor - the elements of a DER element's contents not yet read
 * @p: next element
 * @end: end of the contents
 */
struct der_cursor {
	const __u8 *p;
	const __u8 *end;
};

/**
 * der_take() - step over the next element, which must have a given tag
 * @c: cursor, moved past the element only when it has @tag
 * @tag: expected identifier octet
 * @in: out, or NULL: cursor over the element's contents; @c itself steps
 *	into the element
 *
 * Return: 0, or -1 for another tag or a malformed or truncated element
 * (see der_next()).
 */
static int der_take(struct der_cursor *c, __u8 tag, struct der_cursor *in)
{
	const __u8 *p = c->p, *val;
	size_t vlen;
	__u8 t;

	if (der_next(&p, c->end, &t, &val, &vlen) || t != tag)
		return -1;
	c->p = p;
	if (in) {
		in->p = val;
		in->end = val + vlen;
	}
	return 0;
}

/**
 * der_version() - read a version: an INTEGER of one content byte
 * @c: cursor, moved past the INTEGER
 * @ver: out: the version, 0 to 255
 *
 * Return: 0, or -1 when the next element is not such an INTEGER.
 */
static int der_version(struct der_cursor *c, int *ver)
{
	struct der_cursor v;

	if (der_take(c, 0x02, &v) || v.end - v.p != 1)
		return -1;
	*ver = v.p[0];
	return 0;
}

/**
 * der_versions() - read the SignedData and first SignerInfo versions
 * @der: ContentInfo, DER
 * @len: its length in bytes
 * @sd_ver: out: SignedData version
 * @si_ver: out: version of the first SignerInfo
 *
 * OpenSSL does not check the versions; the kernel accepts only
 * (SignedData, SignerInfo) = (1, 1) or (3, 3), each a one-byte INTEGER.
 * Layout (RFC 5652): ContentInfo { OID, [0] { SignedData { version,
 * digestAlgorithms, encapContentInfo, [0] certs?, [1] crls?,
 * signerInfos { SignerInfo { version, ... } } } } }.
 *
 * Return: 0, or -1 when the structure is not as expected.
 */
int der_versions(const __u8 *der, size_t len, int *sd_ver, int *si_ver)
{
	struct der_cursor c = { der, der + len };

	if (der_take(&c, 0x30, &c) ||		/* ContentInfo */
	    der_take(&c, 0x06, NULL) ||		/* contentType */
	    der_take(&c, 0xa0, &c) ||		/* [0] content */
	    der_take(&c, 0x30, &c) ||		/* SignedData */
	    der_version(&c, sd_ver) ||
	    der_take(&c, 0x31, NULL) ||		/* digestAlgorithms */
	    der_take(&c, 0x30, NULL))		/* encapContentInfo */
		return -1;
	/* [0] certificates and [1] crls, optional */
	while (!der_take(&c, 0xa0, NULL) || !der_take(&c, 0xa1, NULL))
		continue;
	if (der_take(&c, 0x31, &c) ||		/* signerInfos */
	    der_take(&c, 0x30, &c) ||		/* SignerInfo */
	    der_version(&c, si_ver))
		return -1;
	return 0;
}

/**
 * same_der() - compare the DER encodings of two X.509 names
 * @a: first name
 * @b: second name
 *
 * The kernel matches signer and key by the raw issuer bytes, while
 * X509_NAME_cmp() compares a case-folded canonical form; this compares the
 * bytes, as the kernel does.
 *
 * Return: true when both encode to the same bytes.
 */
static bool same_der(const X509_NAME *a, const X509_NAME *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la, lb;
	bool same;

	la = i2d_X509_NAME(a, &da);
	lb = i2d_X509_NAME(b, &db);
	same = la > 0 && la == lb && !memcmp(da, db, la);
	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

/**
 * signer_is() - does a SignerInfo's identifier name a certificate
 * @keyid: subject key identifier from the SignerInfo, or NULL
 * @issuer: issuer from the SignerInfo (when @keyid is NULL)
 * @serial: serial number from the SignerInfo (when @keyid is NULL)
 * @cert: certificate
 *
 * Byte-exact, like the kernel's asymmetric key ids.
 *
 * Return: true on a match.
 */
static bool signer_is(const ASN1_OCTET_STRING *keyid, const X509_NAME *issuer,
		      const ASN1_INTEGER *serial, X509 *cert)
{
	const ASN1_OCTET_STRING *skid;

	if (keyid) {
		skid = X509_get0_subject_key_id(cert);
		return skid && !ASN1_OCTET_STRING_cmp(keyid, skid);
	}
	return !ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert)) &&
	       same_der(issuer, X509_get_issuer_name(cert));
}

/**
 * check_cms() - apply the kernel's PKCS#7 profile and verify the signature
 * @loader: loader path, for messages
 * @der: DER blob from the trailer
 * @der_len: its length in bytes
 * @cert: the certificate the kernel would hold in its trusted keyring
 * @payload: payload bytes
 * @payload_len: payload length in bytes
 *
 * Checks, in order: the blob parses as CMS and is canonical DER (it
 * re-encodes to the same bytes; bytes after it inside sig_len are only
 * warned about, as the kernel ignores them); it is SignedData with
 * versions (1, 1) or (3, 3); content type data; detached; exactly one
 * SignerInfo; no signed attributes; digest sha256/384/512; signature
 * algorithm rsaEncryption or ecdsa-with-SHA256/384/512; the signer
 * identifier (issuer+serial for version 1, SKID for version 3) names @cert
 * byte for byte; an embedded certificate with the same identifier carries
 * the same public key (the kernel verifies with the embedded one too);
 * every embedded certificate is the given one (stricter than the kernel); and
 * the signature over @payload verifies with @cert's public key.
 *
 * Return: true when the kernel would accept the signature.
 */
bool check_cms(const char *loader, const __u8 *der, size_t der_len,
	       X509 *cert, const __u8 *payload, size_t payload_len)
{
	struct stack_st_X509 *certs = NULL, *mine = NULL;	/* STACK_OF(X509) */
	ASN1_OCTET_STRING **content, *keyid = NULL;
	const unsigned char *p = der;
	unsigned char *re = NULL;
	int i, nid, relen, sd_ver, si_ver;
	X509_ALGOR *dig, *sig;
	CMS_ContentInfo *cms;
	size_t used;
	ASN1_INTEGER *serial = NULL;
	X509_NAME *issuer = NULL;
	CMS_SignerInfo *si;
	bool ok = false;
	BIO *in = NULL;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	if (!cms) {
		reject(loader, "EBADMSG", "PKCS#7 blob does not parse");
		goto out;
	}
	/* The kernel's BER decoder ignores bytes after the object. */
	used = p - der;
	if (used != der_len)
		fprintf(stderr, PROG ": %s: warning: %zu bytes after the PKCS#7 object %s\n",
			loader, der_len - used, "inside sig_len (the kernel ignores them)");
	relen = i2d_CMS_ContentInfo(cms, &re);
	if (relen != (int)used || memcmp(re, der, used)) {
		reject(loader, "EBADMSG", "PKCS#7 blob is not canonical DER");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		reject(loader, "EBADMSG", "not a SignedData");
		goto out;
	}
	if (der_versions(der, der_len, &sd_ver, &si_ver) < 0) {
		reject(loader, "EBADMSG", "SignedData structure not understood");
		goto out;
	}
	if (!((sd_ver == 1 && si_ver == 1) || (sd_ver == 3 && si_ver == 3))) {
		reject(loader, "EBADMSG", "SignedData version %d with SignerInfo version %d",
		       sd_ver, si_ver);
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data) {
		reject(loader, "EBADMSG", "content type is not data");
		goto out;
	}
	content = CMS_get0_content(cms);
	if (content && *content) {
		reject(loader, "EBADMSG", "signature is not detached (embeds content)");
		goto out;
	}
	if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		reject(loader, "EBADMSG", "%d SignerInfos (verify mode accepts exactly one)",
		       sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)));
		goto out;
	}
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	if (CMS_signed_get_attr_count(si) > 0) {
		reject(loader, "EBADMSG", "signed attributes present");
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	nid = OBJ_obj2nid(dig->algorithm);
	if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512) {
		reject(loader, "ENOPKG", "digest %s is not sha256, sha384 or sha512",
		       OBJ_nid2sn(nid));
		goto out;
	}
	if (!sig_alg_supported(OBJ_obj2nid(sig->algorithm))) {
		reject(loader, "ENOPKG", "signature algorithm %s not supported",
		       OBJ_nid2sn(OBJ_obj2nid(sig->algorithm)));
		goto out;
	}
	/* Only the identifier's own members are written: keyid, issuer and
	 * serial start out NULL.
	 */
	if (!CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) ||
	    (si_ver == 1 && keyid) || (si_ver == 3 && !keyid) ||
	    (!keyid && (!issuer || !serial))) {
		reject(loader, "EBADMSG", "signer identifier does not match SignerInfo version %d",
		       si_ver);
		goto out;
	}
	if (!signer_is(keyid, issuer, serial, cert)) {
		reject(loader, "ENOKEY", "signer is not the given certificate");
		goto out;
	}
	certs = CMS_get1_certs(cms);
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *c = sk_X509_value(certs, i);

		if (signer_is(keyid, issuer, serial, c) &&
		    EVP_PKEY_eq(X509_get0_pubkey(c), X509_get0_pubkey(cert)) != 1) {
			reject(loader, "EKEYREJECTED",
			       "embedded certificate with the signer's id has another key");
			goto out;
		}
		/*
		 * The kernel parses every embedded certificate with its own
		 * X.509 parser and refuses the whole message when one fails
		 * its checks, which OpenSSL does not reproduce (the
		 * differential check, trailer_test's diff_verdicts, found
		 * both kinds of difference). Only the given certificate
		 * itself is known to pass them.
		 */
		if (X509_cmp(c, cert)) {
			reject(loader, "EBADMSG",
			       "embedded certificate %d is not the given certificate (stricter than the kernel)",
			       i);
			goto out;
		}
	}
	mine = sk_X509_new_null();
	in = BIO_new_mem_buf(payload, (int)payload_len);
	if (!mine || !in || !sk_X509_push(mine, cert)) {
		error("out of memory");
		goto out;
	}
	if (CMS_verify(cms, mine, NULL, in, NULL,
		       CMS_BINARY | CMS_NOVERIFY | CMS_NOINTERN) != 1) {
		reject(loader, "EKEYREJECTED", "signature does not match the payload");
		goto out;
	}
	ok = true;
out:
	ERR_clear_error();
	OPENSSL_free(re);
	BIO_free(in);
	sk_X509_free(mine);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	return ok;
}

/**
 * recover_digest() - the payload's SHA-256 from an RSA signature
 * @der: DER blob of a single-signature trailer
 * @der_len: its length in bytes
 * @cert: certificate that made the signature
 * @digest: out: SHA256_LEN bytes, SHA-256 of the payload the signature
 *	    covers
 * @why: out: why the digest cannot be recovered
 *
 * Without signed attributes, an RSA PKCS#1 v1.5 signature with digest
 * sha256 encrypts the DigestInfo of the payload's SHA-256 itself.
 * OpenSSL's EVP_PKEY_verify_recover() checks its padding and digest
 * algorithm with @cert's public key and returns that digest, so a digest
 * is only ever obtained from a valid signature by @cert.  Signatures by
 * another certificate, ECDSA signatures and sha384 or sha512 digests do
 * not give the SHA-256 of the payload.
 *
 * Return: 0, or -1 with @why set.
 */
int recover_digest(const __u8 *der, size_t der_len, X509 *cert,
		   __u8 *digest, const char **why)
{
	ASN1_OCTET_STRING *keyid = NULL, *sig;
	const unsigned char *p = der;
	ASN1_INTEGER *serial = NULL;
	X509_NAME *issuer = NULL;
	CMS_ContentInfo *cms;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	X509_ALGOR *dig, *alg;
	CMS_SignerInfo *si;
	EVP_PKEY *pub;
	size_t len = 0;
	int ret = -1;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		*why = "it is not a SignedData with one SignerInfo";
		goto out;
	}
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &alg);
	if (CMS_signed_get_attr_count(si) > 0) {
		*why = "it has signed attributes";
		goto out;
	}
	if (OBJ_obj2nid(dig->algorithm) != NID_sha256) {
		*why = "its digest is not sha256";
		goto out;
	}
	if (!CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) ||
	    (!keyid && (!issuer || !serial)) ||
	    !signer_is(keyid, issuer, serial, cert)) {
		*why = "its signer is not the given certificate";
		goto out;
	}
	pub = X509_get0_pubkey(cert);
	if (!pub || EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA) {
		*why = "it is not an RSA signature";
		goto out;
	}
	sig = CMS_SignerInfo_get0_signature(si);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
	if (!ctx || EVP_PKEY_verify_recover_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0 ||
	    EVP_PKEY_verify_recover(ctx, NULL, &len, sig->data, sig->length) <= 0) {
		*why = "OpenSSL cannot recover it";
		goto out;
	}
	buf = OPENSSL_malloc(len);
	if (!buf || EVP_PKEY_verify_recover(ctx, buf, &len, sig->data, sig->length) <= 0 ||
	    len != SHA256_LEN) {
		*why = "the signature does not verify with the given certificate";
		goto out;
	}
	memcpy(digest, buf, SHA256_LEN);
	ret = 0;
out:
	ERR_clear_error();
	OPENSSL_free(buf);
	EVP_PKEY_CTX_free(ctx);
	CMS_ContentInfo_free(cms);
	return ret;
}
