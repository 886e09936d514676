/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sign-ebpf - declarations shared by the objects of the signer
 *
 *	sign-ebpf.c	main(): the command line and its modes
 *	util.c		messages, reading files, SHA-256
 *	keys.c		the certificate and the private key (file, PKCS#11
 *			provider or engine, KBUILD_SIGN_PIN)
 *	output.c	temporary files, the atomic replace, the sparse copy
 *	trailer.c	the single-signature trailer and the signature table
 *	cms.c		the CMS signature: making it, and the kernel's checks
 *
 * The formats are described at the top of sign-ebpf.c and in
 * Documentation/admin-guide/LSM/Hornet.rst.
 */
#ifndef SIGN_EBPF_H
#define SIGN_EBPF_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define PROG "sign-ebpf"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __noreturn		__attribute__((noreturn))

#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)	/* 26 bytes */
#define HORNET_PKEY_ID_PKCS7	2
/* The kernel's cap (hornet.h): the most lib/asn1_decoder.c accepts. */
#define HORNET_MAX_SIG_LEN	65535U
#define HORNET_MAX_PAYLOAD	(16U * 1024 * 1024)		/* kernel cap, E2BIG */
#define MAX_SMALL_FILE		(1024U * 1024)		/* certificates, keys */
#define COPY_BUF_SIZE		(64U * 1024)

/**
 * struct hornet_siginfo - the 12 byte record that precedes the magic
 * @algo: unused, must be 0
 * @hash: unused, must be 0
 * @id_type: HORNET_PKEY_ID_PKCS7 (2)
 * @signer_len: unused, must be 0
 * @key_id_len: unused, must be 0
 * @pad: must be 0
 * @sig_len: length in bytes of the DER blob, big endian
 *
 * Same layout as the kernel's struct module_signature.  All members are
 * bytes, so the structure has no padding and no alignment requirement.
 */
struct hornet_siginfo {
	__u8 algo;
	__u8 hash;
	__u8 id_type;
	__u8 signer_len;
	__u8 key_id_len;
	__u8 pad[3];
	__u8 sig_len[4];
};

static_assert(sizeof(struct hornet_siginfo) == 12, "module_signature is 12 bytes");

#define HORNET_TRAILER_LEN	(sizeof(struct hornet_siginfo) + HORNET_MAGIC_LEN)

#define HORNET_TABLE_MAGIC	"~eBPF signature table v1~\n"
#define HORNET_TABLE_MAGIC_LEN	(sizeof(HORNET_TABLE_MAGIC) - 1)	/* 26 bytes */
#define HORNET_MAX_SIGS		16U			/* kernel cap */
#define SHA256_LEN		32U

static_assert(HORNET_TABLE_MAGIC_LEN == HORNET_MAGIC_LEN,
	      "one read of the last 26 bytes tells the formats apart");

/**
 * struct hornet_sig_entry - one 40 byte entry of a signature table
 * @digest: SHA-256 of the payload the signature is for
 * @sig_len: length in bytes of the signature's DER blob, big endian,
 *	     1 to HORNET_MAX_SIG_LEN
 * @reserved: must be 0
 *
 * Bytes only, so no padding and no alignment requirement.
 */
struct hornet_sig_entry {
	__u8 digest[SHA256_LEN];
	__u8 sig_len[4];
	__u8 reserved[4];
};

static_assert(sizeof(struct hornet_sig_entry) == 40, "table entry is 40 bytes");

/**
 * struct hornet_sig_footer - the 8 bytes between the entries and the magic
 * @nr_entries: number of entries, big endian, 1 to HORNET_MAX_SIGS
 * @reserved: must be 0
 */
struct hornet_sig_footer {
	__u8 nr_entries[4];
	__u8 reserved[4];
};

static_assert(sizeof(struct hornet_sig_footer) == 8, "table footer is 8 bytes");

#define HORNET_TABLE_END_LEN	(sizeof(struct hornet_sig_footer) + HORNET_TABLE_MAGIC_LEN)

/* Exit codes. */
#define EXIT_REJECT	1	/* signing failed, or --verify rejected */
#define EXIT_USAGE	2	/* bad command line */

/**
 * struct outfile - an output file being written through a temporary file
 * @final: path the file gets when committed
 * @tmp: path of the temporary file in the same directory, NULL once
 *	 committed (or when there is none to remove)
 * @fd: descriptor of the temporary file, or -1
 */
struct outfile {
	char *final;
	char *tmp;
	int fd;
};

/**
 * enum trailer_state - result of parse_trailer()
 * @TRAILER_NONE: the file does not end with the magic string (ENODATA)
 * @TRAILER_OK: a well-formed trailer
 * @TRAILER_BAD: magic present but the trailer is malformed (EBADMSG)
 * @TRAILER_IOERR: the file could not be read
 */
enum trailer_state {
	TRAILER_NONE,
	TRAILER_OK,
	TRAILER_BAD,
	TRAILER_IOERR,
};

/**
 * enum sig_format - how a loader carries its signatures
 * @FMT_UNSIGNED: no signature: the file ends in neither magic string
 * @FMT_SINGLE: one signature, in the single-signature trailer
 * @FMT_TABLE: 1 to HORNET_MAX_SIGS signatures, in a signature table
 */
enum sig_format {
	FMT_UNSIGNED,
	FMT_SINGLE,
	FMT_TABLE,
};

/**
 * struct sig_slot - one signature of a loader, in memory
 * @digest: SHA-256 of the payload the signature is for (only when
 *	    @has_digest is set: the single-signature trailer does not record it)
 * @has_digest: @digest is known
 * @off: file offset in bytes of the DER blob in the loader, -1 for a new
 *	 signature
 * @len: length of the DER blob in bytes, 1 to HORNET_MAX_SIG_LEN
 * @der: the DER blob (malloc()ed), or NULL until load_sigs() read it
 */
struct sig_slot {
	__u8 digest[SHA256_LEN];
	bool has_digest;
	off_t off;
	__u32 len;
	__u8 *der;
};

/**
 * struct loader_sigs - the signatures at the end of a loader
 * @format: format found in the file
 * @keep: length in bytes of the unsigned loader, the bytes before the first
 *	  DER blob
 * @n: number of signatures, 0 to HORNET_MAX_SIGS
 * @sig: the signatures, in file (entry) order
 */
struct loader_sigs {
	enum sig_format format;
	off_t keep;
	unsigned int n;
	struct sig_slot sig[HORNET_MAX_SIGS];
};

/*
 * util.c.  die() and die_ossl() print their message and exit with
 * EXIT_REJECT; the functions that "die" on an error call them.
 */
void __printf(1, 2) error(const char *fmt, ...);
void __printf(1, 2) __noreturn die(const char *fmt, ...);
void __printf(1, 2) __noreturn die_ossl(const char *fmt, ...);
void __printf(3, 4) reject(const char *loader, const char *err, const char *fmt, ...);
int read_full(int fd, void *buf, size_t len, off_t off);
__u8 *read_file(const char *path, const char *what, size_t cap, size_t *lenp);
void sha256_of(const __u8 *buf, size_t len, __u8 *digest);
void to_hex(const __u8 *digest, char *hex);

/* keys.c */
X509 *load_cert(const char *path);
EVP_PKEY *load_key(const char *spec);

/* output.c */
void out_init(void);
struct outfile *out_open(const char *final, mode_t mode);
void out_write(struct outfile *o, const void *buf, size_t len);
void out_commit(struct outfile *o);
void copy_prefix(int fd, const char *path, off_t len, struct outfile *o);

/* trailer.c */
enum trailer_state parse_loader(int fd, off_t size, struct loader_sigs *ls,
				const char **why);
void load_sigs(int fd, const char *path, struct loader_sigs *ls);
void free_sigs(struct loader_sigs *ls);
int find_sig(const struct loader_sigs *ls, const __u8 *digest);
void write_sigs(struct outfile *o, const struct loader_sigs *ls);
int open_loader(const char *path, struct stat *st, struct loader_sigs *ls);

/* cms.c; der_next() and der_versions() for tests/fuzz/fuzz_sign_der.c */
EVP_MD *get_digest(const char *name);
__u8 *sign_payload(EVP_PKEY *pkey, X509 *cert, const EVP_MD *md,
		   const __u8 *payload, size_t len, bool use_keyid,
		   size_t *der_len);
bool check_cms(const char *loader, const __u8 *der, size_t der_len,
	       X509 *cert, const __u8 *payload, size_t payload_len);
int recover_digest(const __u8 *der, size_t der_len, X509 *cert,
		   __u8 *digest, const char **why);
int der_next(const __u8 **p, const __u8 *end, __u8 *tag,
	     const __u8 **val, size_t *vlen);
int der_versions(const __u8 *der, size_t len, int *sd_ver, int *si_ver);

#endif /* SIGN_EBPF_H */
