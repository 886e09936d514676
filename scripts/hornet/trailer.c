// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf: the signatures at the end of a loader, in the
 * single-signature trailer or in a signature table, parsed with the
 * kernel's rules (security/hornet/hornet_parse.c) and written back
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign-ebpf.h"

/**
 * put_be32() - store a 32 bit value big endian
 * @p: 4 byte destination
 * @v: value
 */
static void put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/**
 * get_be32() - load a big endian 32 bit value
 * @p: 4 byte source
 *
 * Return: the value.
 */
static __u32 get_be32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 |
	       (__u32)p[2] << 8 | p[3];
}

/**
 * parse_trailer() - find and bounds-check the Hornet trailer of a file
 * @fd: open file
 * @size: file size in bytes
 * @sig_off: out: offset of the DER blob (TRAILER_OK only)
 * @sig_len: out: length of the DER blob in bytes (TRAILER_OK only)
 * @why: out: reason for TRAILER_BAD / TRAILER_IOERR
 *
 * Applies the kernel's rules in the kernel's order: magic, id_type == 2,
 * every other field zero, 0 < sig_len <= 65535, sig_len <= bytes before the
 * trailer.  Lengths are compared before anything is subtracted.  Reads only
 * the last HORNET_TRAILER_LEN bytes.
 *
 * Return: an enum trailer_state.
 */
static enum trailer_state parse_trailer(int fd, off_t size, off_t *sig_off,
					__u32 *sig_len, const char **why)
{
	__u8 tail[HORNET_TRAILER_LEN];
	struct hornet_siginfo si;
	off_t before;
	__u32 len;

	if (size < (off_t)HORNET_MAGIC_LEN)
		return TRAILER_NONE;
	if (read_full(fd, tail + sizeof(si), HORNET_MAGIC_LEN,
		      size - HORNET_MAGIC_LEN) < 0) {
		*why = strerror(errno);
		return TRAILER_IOERR;
	}
	if (memcmp(tail + sizeof(si), HORNET_MAGIC, HORNET_MAGIC_LEN))
		return TRAILER_NONE;
	if (size < (off_t)HORNET_TRAILER_LEN) {
		*why = "file too short for struct module_signature";
		return TRAILER_BAD;
	}
	if (read_full(fd, &si, sizeof(si), size - HORNET_TRAILER_LEN) < 0) {
		*why = strerror(errno);
		return TRAILER_IOERR;
	}
	if (si.id_type != HORNET_PKEY_ID_PKCS7) {
		*why = "id_type is not PKEY_ID_PKCS7 (2)";
		return TRAILER_BAD;
	}
	if (si.algo || si.hash || si.signer_len || si.key_id_len ||
	    si.pad[0] || si.pad[1] || si.pad[2]) {
		*why = "reserved fields of struct module_signature are not zero";
		return TRAILER_BAD;
	}
	len = get_be32(si.sig_len);
	before = size - HORNET_TRAILER_LEN;
	if (len == 0) {
		*why = "sig_len is 0";
		return TRAILER_BAD;
	}
	if (len > HORNET_MAX_SIG_LEN) {
		*why = "sig_len is larger than 65535";
		return TRAILER_BAD;
	}
	if ((off_t)len > before) {
		*why = "sig_len is larger than the file before the trailer";
		return TRAILER_BAD;
	}
	*sig_off = before - len;
	*sig_len = len;
	return TRAILER_OK;
}

/**
 * build_siginfo() - fill the struct module_signature for a DER blob
 * @si: record to fill
 * @der_len: DER length in bytes (at most HORNET_MAX_SIG_LEN)
 */
static void build_siginfo(struct hornet_siginfo *si, size_t der_len)
{
	memset(si, 0, sizeof(*si));
	si->id_type = HORNET_PKEY_ID_PKCS7;
	put_be32(si->sig_len, (__u32)der_len);
}

/**
 * parse_table() - read and check the signature table at the end of a file
 * @fd: open file whose last HORNET_TABLE_MAGIC_LEN bytes are the table magic
 * @size: file size in bytes
 * @ls: out: FMT_TABLE, and on TRAILER_OK the unsigned length and one slot
 *	per entry (digest, offset and length of its DER blob; the blobs are
 *	not read)
 * @why: out: reason for TRAILER_BAD / TRAILER_IOERR; it may point to a
 *	 static buffer that the next call overwrites
 *
 * Applies the kernel's rules in the kernel's order: the file holds the
 * 8 byte footer; its reserved field is 0; 1 <= nr_entries <= 16; the file
 * holds the entries; then for each entry in turn its reserved field is 0,
 * 1 <= sig_len <= 65535 and its digest differs from every earlier entry's;
 * last, the sum of all sig_len (below 2^21, so it cannot overflow) is at
 * most the number of bytes before the table.  Reads at most the last
 * HORNET_TABLE_END_LEN + HORNET_MAX_SIGS * 40 = 674 bytes of the file.
 *
 * Return: TRAILER_OK; TRAILER_BAD for a malformed table (the kernel's
 * EBADMSG); TRAILER_IOERR when the file cannot be read.
 */
static enum trailer_state parse_table(int fd, off_t size, struct loader_sigs *ls,
				      const char **why)
{
	static char msg[128];
	struct hornet_sig_entry ents[HORNET_MAX_SIGS];
	struct hornet_sig_footer ft;
	off_t table_len, before, off;
	__u32 n, i, j, len;
	__u64 total = 0;

	ls->format = FMT_TABLE;
	*why = msg;
	if (size < (off_t)HORNET_TABLE_END_LEN) {
		*why = "file too short for the signature table footer";
		return TRAILER_BAD;
	}
	if (read_full(fd, &ft, sizeof(ft), size - HORNET_TABLE_END_LEN) < 0) {
		*why = strerror(errno);
		return TRAILER_IOERR;
	}
	if (get_be32(ft.reserved)) {
		*why = "reserved field of the table footer is not zero";
		return TRAILER_BAD;
	}
	n = get_be32(ft.nr_entries);
	if (n == 0 || n > HORNET_MAX_SIGS) {
		snprintf(msg, sizeof(msg), "nr_entries is %u (must be 1 to %u)",
			 n, HORNET_MAX_SIGS);
		return TRAILER_BAD;
	}
	table_len = HORNET_TABLE_END_LEN + n * sizeof(ents[0]);
	if (table_len > size) {
		snprintf(msg, sizeof(msg), "file too short for a table of %u entries", n);
		return TRAILER_BAD;
	}
	if (read_full(fd, ents, n * sizeof(ents[0]), size - table_len) < 0) {
		*why = strerror(errno);
		return TRAILER_IOERR;
	}
	for (i = 0; i < n; i++) {
		len = get_be32(ents[i].sig_len);
		if (get_be32(ents[i].reserved)) {
			snprintf(msg, sizeof(msg), "reserved field of entry %u is not zero", i);
			return TRAILER_BAD;
		}
		if (len == 0 || len > HORNET_MAX_SIG_LEN) {
			snprintf(msg, sizeof(msg), "sig_len of entry %u is %u (must be 1 to %u)",
				 i, len, HORNET_MAX_SIG_LEN);
			return TRAILER_BAD;
		}
		for (j = 0; j < i; j++) {
			if (!memcmp(ents[j].digest, ents[i].digest, SHA256_LEN)) {
				snprintf(msg, sizeof(msg),
					 "entries %u and %u are for the same payload (duplicate SHA-256)",
					 j, i);
				return TRAILER_BAD;
			}
		}
		total += len;
	}
	before = size - table_len;
	if (total > (__u64)before) {
		snprintf(msg, sizeof(msg),
			 "signatures (%llu bytes) are longer than the %lld bytes before the table",
			 (unsigned long long)total, (long long)before);
		return TRAILER_BAD;
	}
	ls->n = n;
	ls->keep = before - (off_t)total;
	off = ls->keep;
	for (i = 0; i < n; i++) {
		struct sig_slot *s = &ls->sig[i];

		memcpy(s->digest, ents[i].digest, SHA256_LEN);
		s->has_digest = true;
		s->off = off;
		s->len = get_be32(ents[i].sig_len);
		s->der = NULL;
		off += s->len;
	}
	return TRAILER_OK;
}

/**
 * parse_loader() - find and check the signatures at the end of a file
 * @fd: open file
 * @size: file size in bytes
 * @ls: out: format, unsigned length and slots (DER blobs not read); on
 *	TRAILER_BAD only @ls->format is meaningful (which format is malformed)
 * @why: out: reason for TRAILER_BAD / TRAILER_IOERR
 *
 * One read of the last 26 bytes tells the formats apart, as in the kernel:
 * the table magic means parse_table(), anything else parse_trailer().  A
 * file ending in neither magic is unsigned: TRAILER_NONE with FMT_UNSIGNED,
 * no slots and the whole file as the unsigned loader.
 *
 * Return: an enum trailer_state.
 */
enum trailer_state parse_loader(int fd, off_t size, struct loader_sigs *ls,
				const char **why)
{
	__u8 magic[HORNET_TABLE_MAGIC_LEN];
	enum trailer_state ts;
	off_t sig_off;
	__u32 sig_len;

	memset(ls, 0, sizeof(*ls));
	ls->format = FMT_UNSIGNED;
	ls->keep = size;
	if (size >= (off_t)sizeof(magic)) {
		if (read_full(fd, magic, sizeof(magic), size - sizeof(magic)) < 0) {
			*why = strerror(errno);
			return TRAILER_IOERR;
		}
		if (!memcmp(magic, HORNET_TABLE_MAGIC, HORNET_TABLE_MAGIC_LEN))
			return parse_table(fd, size, ls, why);
	}
	ts = parse_trailer(fd, size, &sig_off, &sig_len, why);
	if (ts == TRAILER_BAD)
		ls->format = FMT_SINGLE;
	if (ts != TRAILER_OK)
		return ts;
	ls->format = FMT_SINGLE;
	ls->keep = sig_off;
	ls->n = 1;
	ls->sig[0].off = sig_off;
	ls->sig[0].len = sig_len;
	return TRAILER_OK;
}

/**
 * load_sigs() - read the DER blobs of every slot that has none in memory
 * @fd: the loader parse_loader() read @ls from
 * @path: loader path, for messages
 * @ls: signatures; at most HORNET_MAX_SIGS * HORNET_MAX_SIG_LEN = 1 MiB
 *	is read
 *
 * Dies when memory runs out or the file cannot be read.
 */
void load_sigs(int fd, const char *path, struct loader_sigs *ls)
{
	unsigned int i;

	for (i = 0; i < ls->n; i++) {
		struct sig_slot *s = &ls->sig[i];

		if (s->der)
			continue;
		s->der = malloc(s->len);
		if (!s->der)
			die("out of memory reading loader %s", path);
		if (read_full(fd, s->der, s->len, s->off) < 0)
			die("cannot read loader %s: %s", path, strerror(errno));
	}
}

/**
 * free_sigs() - release the DER blobs held by @ls
 * @ls: signatures; left with no slot
 */
void free_sigs(struct loader_sigs *ls)
{
	unsigned int i;

	for (i = 0; i < ls->n; i++) {
		free(ls->sig[i].der);
		ls->sig[i].der = NULL;
	}
	ls->n = 0;
}

/**
 * find_sig() - the slot that holds the signature for a payload digest
 * @ls: signatures
 * @digest: SHA-256 of the payload, SHA256_LEN bytes
 *
 * Slots whose digest is unknown (a single-signature trailer) never match.
 *
 * Return: the slot index, or -1 when no slot is for @digest.
 */
int find_sig(const struct loader_sigs *ls, const __u8 *digest)
{
	unsigned int i;

	for (i = 0; i < ls->n; i++)
		if (ls->sig[i].has_digest &&
		    !memcmp(ls->sig[i].digest, digest, SHA256_LEN))
			return (int)i;
	return -1;
}

/**
 * write_sigs() - append the signatures of @ls to an output, in the format
 *	their number calls for
 * @o: output file, positioned after the unsigned loader
 * @ls: signatures, DER blobs in memory
 *
 * No signature: nothing is written, so the output is the unsigned loader.
 * One: the single-signature trailer, whatever format the input had.  Two
 * to HORNET_MAX_SIGS: the DER blobs in slot order, one entry per slot,
 * the footer and the table magic.  Dies when a write fails, or for more
 * than HORNET_MAX_SIGS signatures or a table entry whose payload is unknown
 * (both internal errors).
 */
void write_sigs(struct outfile *o, const struct loader_sigs *ls)
{
	struct hornet_sig_entry ent;
	struct hornet_sig_footer ft;
	struct hornet_siginfo si;
	unsigned int i;

	if (ls->n == 0)
		return;
	if (ls->n == 1) {
		build_siginfo(&si, ls->sig[0].len);
		out_write(o, ls->sig[0].der, ls->sig[0].len);
		out_write(o, &si, sizeof(si));
		out_write(o, HORNET_MAGIC, HORNET_MAGIC_LEN);
		return;
	}
	if (ls->n > HORNET_MAX_SIGS)
		die("internal error: %u signatures", ls->n);
	for (i = 0; i < ls->n; i++) {
		if (!ls->sig[i].has_digest)
			die("internal error: payload of signature %u unknown", i);
		out_write(o, ls->sig[i].der, ls->sig[i].len);
	}
	for (i = 0; i < ls->n; i++) {
		memset(&ent, 0, sizeof(ent));
		memcpy(ent.digest, ls->sig[i].digest, SHA256_LEN);
		put_be32(ent.sig_len, ls->sig[i].len);
		out_write(o, &ent, sizeof(ent));
	}
	memset(&ft, 0, sizeof(ft));
	put_be32(ft.nr_entries, ls->n);
	out_write(o, &ft, sizeof(ft));
	out_write(o, HORNET_TABLE_MAGIC, HORNET_TABLE_MAGIC_LEN);
}

/**
 * open_loader() - open a loader to edit and read all its signatures
 * @path: loader
 * @st: out: its status (mode, owner, size)
 * @ls: out: its signatures, DER blobs in memory (at most 1 MiB)
 *
 * Dies when the loader cannot be opened or read, is not a regular file, or
 * ends in a malformed trailer or table: editing that would mean guessing
 * where the executable ends.
 *
 * Return: the open file descriptor.
 */
int open_loader(const char *path, struct stat *st, struct loader_sigs *ls)
{
	const char *why = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) < 0)
		die("cannot open loader %s: %s", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		die("loader %s is not a regular file", path);
	switch (parse_loader(fd, st->st_size, ls, &why)) {
	case TRAILER_NONE:
	case TRAILER_OK:
		break;
	case TRAILER_IOERR:
		die("cannot read loader %s: %s", path, why);
	case TRAILER_BAD:
		error("loader %s ends with a malformed Hornet signature%s (%s)", path,
		      ls->format == FMT_TABLE ? " table" : "", why);
		die("refusing to touch it");
	}
	load_sigs(fd, path, ls);
	return fd;
}
