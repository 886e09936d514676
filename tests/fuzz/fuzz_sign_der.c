// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the DER reader of scripts/hornet/cms.c (der_next(),
 * der_versions()), linked with cms.c and util.c.
 *
 * Input: a DER blob, as found before a trailer.
 *
 * Checked: every element der_next() returns lies inside the bytes it was
 * given, after its header, and the cursor moves to its end (walked to a
 * depth of 16 through constructed elements); der_versions() reports one-
 * byte versions; and whenever OpenSSL parses the blob as a SignedData
 * ContentInfo with at least one SignerInfo that re-encodes to the same
 * bytes (the messages check_cms() goes on to examine), der_versions()
 * understands it, so check_cms() never refuses a canonical message as
 * "structure not understood".
 */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "fuzz.h"
#include "../../scripts/hornet/sign-ebpf.h"

static unsigned int walk(const __u8 *p, const __u8 *end, int depth)
{
	unsigned int n = 0;

	while (p < end) {
		const __u8 *start = p, *val;
		size_t vlen;
		__u8 tag;

		if (der_next(&p, end, &tag, &val, &vlen))
			break;
		n++;
		CHECK(tag == start[0] && (tag & 0x1f) != 0x1f, "tag %#x", tag);
		CHECK(val >= start + 2 && val <= start + 6, "header of %td bytes",
		      val - start);
		CHECK(vlen <= (size_t)(end - val) && p == val + vlen,
		      "element of %zu bytes runs to %td of %td", vlen,
		      p - start, end - start);
		if ((tag & 0x20) && depth < 16)
			n += walk(val, val + vlen, depth + 1);
	}
	return n;
}

/* Would check_cms() get past its parse and canonical-DER checks? */
static bool canonical_signed_data(const __u8 *der, size_t len)
{
	const unsigned char *p = der;
	unsigned char *re = NULL;
	CMS_ContentInfo *cms;
	bool ok = false;
	int relen;

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (!cms || p != der + len)
		goto out;
	relen = i2d_CMS_ContentInfo(cms, &re);
	ok = relen == (int)len && !memcmp(re, der, len) &&
	     OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed &&
	     sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) >= 1;
out:
	OPENSSL_free(re);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sd = -1, si = -1, r;

	walk(data, data + size, 0);
	r = der_versions(data, size, &sd, &si);
	CHECK(r == 0 || r == -1, "der_versions returned %d", r);
	if (!r)
		CHECK(sd >= 0 && sd <= 255 && si >= 0 && si <= 255,
		      "versions %d, %d", sd, si);
	if (size <= HORNET_MAX_SIG_LEN && canonical_signed_data(data, size))
		CHECK(!r, "canonical SignedData not understood by der_versions");
	return 0;
}
