/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Build the payload Hornet verifies (Documentation/security/hornet.rst,
 * "What is signed") on the build host, so that the selftests can sign the
 * programs they load: a 32-byte header, one 64-byte record per referenced
 * map with the SHA-256 of its contents (OpenSSL's libcrypto), then the
 * instructions. Integers are little-endian.
 *
 * This is a second implementation of the format, independent of the
 * kernel's and of scripts/hornet/extract-skel.sh: a signed load in the VM
 * succeeds only if all of them agree. Built without HORNET_PAYLOAD_TOOL
 * (the static programs that run in the VM have no libcrypto), it leaves
 * the digests zero, for comparisons that skip them.
 */
#ifndef HORNET_PAYLOAD_H
#define HORNET_PAYLOAD_H

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#ifdef HORNET_PAYLOAD_TOOL
#include <openssl/evp.h>
#endif

#include "hornet_util.h"

#define HP_MAGIC	"HORNETPL"
#define HP_VERSION	1
#define HP_REF_IDX	0
#define HP_REF_FD	1

/* One referenced map, in payload order. */
struct hp_map {
	__u32 type, key_size, value_size, max_entries, flags;
	__u32 ref_kind, ref;
	const void *contents;	/* value_size * max_entries bytes */
};

static void hp_le32(unsigned char *p, __u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* SHA-256 of @len bytes at @buf into @out; zero without libcrypto. */
static int hp_sha256(const void *buf, size_t len, unsigned char *out)
{
#ifdef HORNET_PAYLOAD_TOOL
	unsigned int dlen;

	if (!EVP_Digest(buf, len, out, &dlen, EVP_sha256(), NULL) || dlen != 32)
		return -EIO;
#else
	(void)buf;
	(void)len;
	memset(out, 0, 32);
#endif
	return 0;
}

/*
 * Write the payload of a load of @insn_cnt instructions @insns with
 * program type @prog_type, @attach_type and @prog_flags, referencing the
 * @nr maps @maps, to @fd. Returns 0 or a negative errno.
 */
static int hp_write_payload(int fd, __u32 prog_type, __u32 attach_type,
			    __u32 prog_flags, const struct bpf_insn *insns,
			    __u32 insn_cnt, const struct hp_map *maps, int nr)
{
	unsigned char hdr[32], rec[64];
	int i, err;

	memcpy(hdr, HP_MAGIC, 8);
	hp_le32(hdr + 8, HP_VERSION);
	hp_le32(hdr + 12, prog_type);
	hp_le32(hdr + 16, attach_type);
	hp_le32(hdr + 20, prog_flags);
	hp_le32(hdr + 24, insn_cnt);
	hp_le32(hdr + 28, nr);
	err = write_all(fd, hdr, sizeof(hdr));
	for (i = 0; !err && i < nr; i++) {
		const struct hp_map *m = &maps[i];

		memset(rec, 0, sizeof(rec));
		hp_le32(rec, m->type);
		hp_le32(rec + 4, m->key_size);
		hp_le32(rec + 8, m->value_size);
		hp_le32(rec + 12, m->max_entries);
		hp_le32(rec + 16, m->flags);
		hp_le32(rec + 20, m->ref_kind);
		hp_le32(rec + 24, m->ref);
		err = hp_sha256(m->contents,
				(size_t)m->value_size * m->max_entries, rec + 32);
		if (!err)
			err = write_all(fd, rec, sizeof(rec));
	}
	if (!err)
		err = write_all(fd, insns, (size_t)insn_cnt * sizeof(*insns));
	return err;
}

#endif /* HORNET_PAYLOAD_H */
