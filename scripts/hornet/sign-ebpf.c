// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf - sign an eBPF light-skeleton loader for the Hornet LSM
 *
 * Usage:
 *	sign-ebpf [-p] [-d] [-k] [-r] <hash-algo> <key> <x509-cert> <payload>
 *		  <loader> [<dest>]
 *	sign-ebpf --add [--existing <payload>] [-p] [-k] <hash-algo> <key>
 *		  <x509-cert> <payload> <loader> [<dest>]
 *	sign-ebpf --replace [-p] [-k] <hash-algo> <key> <x509-cert> <payload>
 *		  <loader> [<dest>]
 *	sign-ebpf --remove <payload> <loader> [<dest>]
 *	sign-ebpf --list <loader>
 *	sign-ebpf --verify <x509-cert> <payload> <signed-loader>
 *
 * The signature is a detached CMS (PKCS#7) SignedData over the payload
 * (the loader instructions followed by the loader map's data, see
 * extract-skel.sh), DER encoded, content type "data", with no embedded
 * certificates and no signed attributes.  A loader with one signature
 * carries it in the single-signature trailer: the DER blob, a 12 byte
 * struct module_signature and a 26 byte magic string:
 *
 *	[ loader ][ DER ][ module_signature ][ "~eBPF signature appended~\n" ]
 *
 * An executable with several light skeletons carries one signature per
 * payload, 2 to 16 of them, in a signature table instead: the DER blobs
 * back to back, one 40 byte entry per blob (SHA-256 of its payload, its
 * length), an 8 byte footer (number of entries) and a 26 byte magic:
 *
 *	[ loader ][ DER 0 ] ... [ DER n-1 ][ entry 0 ] ... [ entry n-1 ]
 *		[ footer ][ "~eBPF signature table v1~\n" ]
 *
 * The positional form signs an unsigned loader, or with -r replaces its
 * signature (in a table: the one for the payload's SHA-256).  --add adds a
 * signature for another payload, --replace replaces one, --remove removes
 * one, --list lists them.  Whatever the edit, a result with one signature
 * is written in the single-signature format, one with two or more as a
 * table, and removing the last signature gives back the unsigned loader
 * byte for byte.  --verify checks the signature the kernel would select
 * for a payload, in either format.
 *
 * The layout is documented in Documentation/admin-guide/LSM/Hornet.rst.
 *
 * Every output is written to a temporary file in the destination's
 * directory, flushed with fsync() and renamed over the destination, so an
 * interrupted or failed run never leaves a half-written loader behind.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/types.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/*
 * The ENGINE API is deprecated in OpenSSL 3, but Debian 12 ships PKCS#11
 * support only as an engine (libengine-pkcs11-openssl).  It is used only
 * when no provider can open a pkcs11: URI, and only where the library still
 * declares it; the deprecation warnings are silenced around those few calls
 * and nowhere else.
 */
#if !defined(OPENSSL_NO_ENGINE) && !defined(OPENSSL_NO_DEPRECATED_3_0)
#define HAVE_PKCS11_ENGINE 1
#include <openssl/engine.h>
#else
#define HAVE_PKCS11_ENGINE 0
#endif

#define PROG "sign-ebpf"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)		__attribute__((format(printf, a, b)))

#define HORNET_MAGIC		"~eBPF signature appended~\n"
#define HORNET_MAGIC_LEN	(sizeof(HORNET_MAGIC) - 1)	/* 26 bytes */
#define HORNET_PKEY_ID_PKCS7	2
#define HORNET_MAX_SIG_LEN	65536U			/* kernel cap */
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
 * @tmp: path of the temporary file in the same directory, or NULL
 * @fd: descriptor of the temporary file, or -1
 */
struct outfile {
	char *final;
	char *tmp;
	int fd;
};

/* Temporary files to remove if we die from a signal or an error. */
static struct outfile *live_outputs[2];

#if HAVE_PKCS11_ENGINE
static struct engine_st *pkcs11_engine;	/* ENGINE */
#endif

/**
 * error() - print "sign-ebpf: <message>" on stderr
 * @fmt: printf format of the message, without the trailing newline
 */
static void __printf(1, 2) error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * ossl_errors() - print and clear OpenSSL's error queue
 *
 * Each queued error is printed on its own line below the plain-language
 * message that the caller printed with error().
 */
static void ossl_errors(void)
{
	unsigned long e;
	const char *data;
	int flags;
	char buf[256];

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags))) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, PROG ":   openssl: %s%s%s\n", buf,
			(flags & ERR_TXT_STRING) && *data ? ": " : "",
			(flags & ERR_TXT_STRING) ? data : "");
	}
}

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
 * read_full() - read exactly @len bytes at offset @off
 * @fd: file descriptor
 * @buf: destination
 * @len: number of bytes
 * @off: file offset in bytes
 *
 * Return: 0 on success, -1 with errno set (EIO for a short file).
 */
static int read_full(int fd, void *buf, size_t len, off_t off)
{
	__u8 *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

/**
 * read_file() - read a whole file into memory, with a size cap
 * @path: file to read ("-" is not special)
 * @what: what the file is, for messages ("payload", "certificate", ...)
 * @cap: largest accepted size in bytes
 * @lenp: out: number of bytes read
 *
 * Reads with read(2) until end of file, so pipes work too.  Empty files
 * and files larger than @cap are refused.
 *
 * Return: a malloc()ed buffer, or NULL after printing the cause.
 */
static __u8 *read_file(const char *path, const char *what, size_t cap,
		       size_t *lenp)
{
	size_t len = 0, size = 4096;
	__u8 *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	buf = malloc(size);
	if (!buf) {
		error("out of memory reading %s %s", what, path);
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == size) {
			__u8 *nbuf;

			if (size > cap) {
				error("%s %s is larger than %zu bytes", what, path, cap);
				goto fail;
			}
			size *= 2;
			nbuf = realloc(buf, size);
			if (!nbuf) {
				error("out of memory reading %s %s", what, path);
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error("cannot read %s %s: %s", what, path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > cap) {
		error("%s %s is larger than %zu bytes", what, path, cap);
		goto fail;
	}
	if (len == 0) {
		error("%s %s is empty", what, path);
		goto fail;
	}
	close(fd);
	*lenp = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/**
 * get_digest() - map a hash name from the command line to a digest
 * @name: "sha256", "sha384" or "sha512"
 *
 * Only the digests the Hornet test kernel is configured to verify are
 * accepted; checking the name before fetching keeps aliases ("SHA2-256",
 * "sha3-256", ...) from slipping through.
 *
 * Return: the fetched digest (free with EVP_MD_free()), or NULL.
 */
static EVP_MD *get_digest(const char *name)
{
	static const char * const ok[] = { "sha256", "sha384", "sha512" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(name, ok[i]))
			return EVP_MD_fetch(NULL, name, NULL);
	error("unsupported hash algorithm '%s' (use sha256, sha384 or sha512)", name);
	return NULL;
}

/**
 * load_cert() - read an X.509 certificate, PEM or DER
 * @path: certificate file
 *
 * The encoding is chosen by content: a "-----BEGIN" line means PEM,
 * anything else is parsed as DER.
 *
 * Return: the certificate, or NULL after printing the cause.
 */
static X509 *load_cert(const char *path)
{
	const unsigned char *p;
	X509 *cert = NULL;
	__u8 *buf;
	size_t len;

	buf = read_file(path, "certificate", MAX_SMALL_FILE, &len);
	if (!buf)
		return NULL;
	if (memmem(buf, len, "-----BEGIN", 10)) {
		BIO *b = BIO_new_mem_buf(buf, (int)len);

		if (b)
			cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		p = buf;
		cert = d2i_X509(NULL, &p, (long)len);
	}
	free(buf);
	if (!cert) {
		error("cannot parse certificate %s (not a PEM or DER X.509 certificate)",
		      path);
		ossl_errors();
	}
	return cert;
}

/**
 * struct pin_ctx - passphrase state shared with the OpenSSL callbacks
 * @pin: value of KBUILD_SIGN_PIN, or NULL when unset
 * @asked: number of times OpenSSL asked for a passphrase
 */
struct pin_ctx {
	const char *pin;
	int asked;
};

/**
 * decoder_pass_cb() - OSSL_PASSPHRASE_CALLBACK returning KBUILD_SIGN_PIN
 * @pass: destination buffer
 * @pass_size: size of @pass in bytes
 * @pass_len: out: length of the passphrase in bytes
 * @params: unused
 * @arg: struct pin_ctx
 *
 * Return: 1 when a passphrase was supplied, 0 when there is none.
 */
static int decoder_pass_cb(char *pass, size_t pass_size, size_t *pass_len,
			   const OSSL_PARAM params[], void *arg)
{
	struct pin_ctx *pc = arg;
	size_t len;

	(void)params;
	pc->asked++;
	if (!pc->pin)
		return 0;
	len = strlen(pc->pin);
	if (len > pass_size)
		return 0;
	memcpy(pass, pc->pin, len);
	*pass_len = len;
	return 1;
}

/**
 * pem_pass_cb() - pem_password_cb returning KBUILD_SIGN_PIN
 * @buf: destination buffer
 * @size: size of @buf in bytes
 * @rwflag: unused
 * @u: struct pin_ctx
 *
 * Used to build the UI method handed to OSSL_STORE (PKCS#11 providers).
 *
 * Return: length of the PIN, or -1 when there is none.
 */
static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pin_ctx *pc = u;
	size_t len;

	(void)rwflag;
	pc->asked++;
	if (!pc->pin)
		return -1;
	len = strlen(pc->pin);
	if (len > (size_t)size)
		return -1;
	memcpy(buf, pc->pin, len);
	return (int)len;
}

/**
 * load_key_file() - decode a private key file
 * @path: PEM (or DER) private key, possibly encrypted
 * @pc: passphrase state
 *
 * Whether the passphrase callback ran tells a wrong or missing passphrase
 * apart from a file that is not a private key at all.
 *
 * Return: the key, or NULL after printing the cause.
 */
static EVP_PKEY *load_key_file(const char *path, struct pin_ctx *pc)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	__u8 *buf;
	const unsigned char *p;
	size_t len;
	int ok = 0;

	buf = read_file(path, "private key", MAX_SMALL_FILE, &len);
	if (!buf)
		return NULL;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL,
					     EVP_PKEY_KEYPAIR, NULL, NULL);
	if (dctx && OSSL_DECODER_CTX_set_passphrase_cb(dctx, decoder_pass_cb, pc)) {
		p = buf;
		ok = OSSL_DECODER_from_data(dctx, &p, &len);
	}
	OSSL_DECODER_CTX_free(dctx);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (ok && pkey)
		return pkey;
	EVP_PKEY_free(pkey);
	if (pc->asked && !pc->pin)
		error("private key %s is encrypted and KBUILD_SIGN_PIN is not set", path);
	else if (pc->asked)
		error("cannot decrypt private key %s: wrong passphrase in KBUILD_SIGN_PIN",
		      path);
	else
		error("cannot load private key %s: bad key file (not a PEM or DER private key)",
		      path);
	ossl_errors();
	return NULL;
}

/**
 * load_key_store() - open a pkcs11: URI through an OpenSSL 3 provider
 * @uri: PKCS#11 URI (RFC 7512)
 * @pc: passphrase state, the PIN is handed out through a UI method
 *
 * Tries to load a provider named "pkcs11" (for example pkcs11-provider) in
 * addition to those the OpenSSL configuration activates, then asks
 * OSSL_STORE for the first private key behind @uri.  Failures are quiet:
 * the caller falls back to the engine.
 *
 * Return: the key, or NULL.
 */
static EVP_PKEY *load_key_store(const char *uri, struct pin_ctx *pc)
{
	OSSL_STORE_CTX *store;
	EVP_PKEY *pkey = NULL;
	UI_METHOD *ui;

	ERR_set_mark();
	OSSL_PROVIDER_try_load(NULL, "pkcs11", 1);
	ui = UI_UTIL_wrap_read_pem_callback(pem_pass_cb, 0);
	store = ui ? OSSL_STORE_open_ex(uri, NULL, NULL, ui, pc, NULL, NULL, NULL) : NULL;
	if (store) {
		OSSL_STORE_expect(store, OSSL_STORE_INFO_PKEY);
		while (!pkey && !OSSL_STORE_eof(store)) {
			OSSL_STORE_INFO *info = OSSL_STORE_load(store);

			if (!info)
				continue;
			if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
				pkey = OSSL_STORE_INFO_get1_PKEY(info);
			OSSL_STORE_INFO_free(info);
		}
		OSSL_STORE_close(store);
	}
	UI_destroy_method(ui);
	ERR_pop_to_mark();
	return pkey;
}

#if HAVE_PKCS11_ENGINE
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/**
 * load_key_engine() - open a pkcs11: URI through the pkcs11 engine
 * @uri: PKCS#11 URI
 * @pc: passphrase state; the PIN is given to the engine with its PIN command
 *
 * The engine (libp11) loads the PKCS#11 module named by PKCS11_MODULE_PATH,
 * by default p11-kit-proxy, which sees every module p11-kit knows.  The PIN
 * is set with the engine's PIN command and also answers any PIN request
 * through our UI method, so the engine never prompts on the terminal.
 * The engine stays initialised until release_engine(), because the key uses
 * it.
 *
 * Return: the key, or NULL after printing the cause.
 */
static EVP_PKEY *load_key_engine(const char *uri, struct pin_ctx *pc)
{
	UI_METHOD *ui;
	EVP_PKEY *pkey;
	ENGINE *e;

	ENGINE_load_builtin_engines();
	e = ENGINE_by_id("pkcs11");
	if (!e) {
		error("cannot load %s: no PKCS#11 provider and no pkcs11 engine", uri);
		error("(install libengine-pkcs11-openssl or a pkcs11 provider)");
		ossl_errors();
		return NULL;
	}
	if (pc->pin && !ENGINE_ctrl_cmd_string(e, "PIN", pc->pin, 0)) {
		error("pkcs11 engine refused the PIN");
		goto fail;
	}
	if (!ENGINE_init(e)) {
		error("cannot initialise the pkcs11 engine");
		goto fail;
	}
	/* Our UI method: the PIN comes from KBUILD_SIGN_PIN, never a prompt. */
	ui = UI_UTIL_wrap_read_pem_callback(pem_pass_cb, 0);
	pkey = ui ? ENGINE_load_private_key(e, uri, ui, pc) : NULL;
	UI_destroy_method(ui);
	if (!pkey) {
		ENGINE_finish(e);
		error("cannot load private key %s: %s, no such token or object, or token error",
		      uri, pc->pin ? "wrong PIN in KBUILD_SIGN_PIN" : "KBUILD_SIGN_PIN is not set");
		goto fail;
	}
	pkcs11_engine = e;
	return pkey;
fail:
	ossl_errors();
	ENGINE_free(e);
	return NULL;
}

/**
 * release_engine() - drop the engine references taken by load_key_engine()
 */
static void release_engine(void)
{
	if (pkcs11_engine) {
		ENGINE_finish(pkcs11_engine);
		ENGINE_free(pkcs11_engine);
		pkcs11_engine = NULL;
	}
}

#pragma GCC diagnostic pop
#else
static EVP_PKEY *load_key_engine(const char *uri, struct pin_ctx *pc)
{
	(void)pc;
	error("cannot load %s: no PKCS#11 provider, and this OpenSSL has no engine support",
	      uri);
	return NULL;
}

static void release_engine(void)
{
}
#endif

/**
 * load_key() - load the signing key from a file or a pkcs11: URI
 * @spec: file name or "pkcs11:..." URI
 *
 * The passphrase of an encrypted key file, or the token PIN, is taken from
 * the environment variable KBUILD_SIGN_PIN, as for scripts/sign-file.
 *
 * Return: the key, or NULL after printing the cause.
 */
static EVP_PKEY *load_key(const char *spec)
{
	struct pin_ctx pc = { .pin = getenv("KBUILD_SIGN_PIN") };
	EVP_PKEY *pkey;

	if (strncmp(spec, "pkcs11:", 7))
		return load_key_file(spec, &pc);
	pkey = load_key_store(spec, &pc);
	if (pkey)
		return pkey;
	return load_key_engine(spec, &pc);
}

/**
 * sign_payload() - make the detached CMS signature of the payload
 * @pkey: private key
 * @cert: certificate matching @pkey
 * @md: digest
 * @payload: payload bytes
 * @len: payload length in bytes
 * @use_keyid: identify the signer by subject key identifier
 * @derp: out: malloc()ed DER encoding
 * @der_len: out: its length in bytes
 *
 * The SignedData has content type data, no content (detached), no
 * certificates, no signed attributes and no S/MIME capabilities; the
 * payload is hashed as is (binary, no MIME canonicalisation).
 *
 * Return: 0, or -1 after printing the cause.
 */
static int sign_payload(EVP_PKEY *pkey, X509 *cert, const EVP_MD *md,
			const __u8 *payload, size_t len, bool use_keyid,
			__u8 **derp, size_t *der_len)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_NOCERTS |
				   CMS_NOATTR | CMS_NOSMIMECAP | CMS_PARTIAL;
	CMS_ContentInfo *cms;
	BIO *in = NULL;
	unsigned char *der = NULL;
	int n = -1;

	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!cms)
		goto fail;
	if (!CMS_add1_signer(cms, cert, pkey, md,
			     flags | (use_keyid ? CMS_USE_KEYID : 0)))
		goto fail;
	in = BIO_new_mem_buf(payload, (int)len);
	if (!in || CMS_final(cms, in, NULL, flags) != 1)
		goto fail;
	n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0)
		goto fail;
	if ((size_t)n > HORNET_MAX_SIG_LEN - 1) {
		error("signature is %d bytes, the kernel accepts at most %u", n,
		      HORNET_MAX_SIG_LEN - 1);
		goto out;
	}
	*derp = malloc(n);
	if (!*derp)
		goto fail;
	memcpy(*derp, der, n);
	*der_len = n;
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return 0;
fail:
	error("signing failed (key or token error)");
	ossl_errors();
out:
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return -1;
}

/* ---- Output files ------------------------------------------------------ */

/**
 * cleanup_outputs() - remove every temporary file still registered
 *
 * Async-signal-safe: only close() and unlink() are called.
 */
static void cleanup_outputs(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(live_outputs); i++) {
		struct outfile *o = live_outputs[i];

		if (!o)
			continue;
		if (o->fd >= 0)
			close(o->fd);
		if (o->tmp)
			unlink(o->tmp);
	}
}

/**
 * on_signal() - SIGINT/SIGTERM/SIGHUP handler
 * @sig: the signal
 *
 * Removes the temporary files, then dies from the same signal so the exit
 * status tells the caller what happened.  Destinations are untouched: they
 * are only ever replaced by rename().
 */
static void on_signal(int sig)
{
	cleanup_outputs();
	signal(sig, SIG_DFL);
	raise(sig);
}

/**
 * track_output() - register or unregister an output for cleanup
 * @o: output file
 * @on: register when true, unregister when false
 */
static void track_output(struct outfile *o, bool on)
{
	sigset_t all, old;
	size_t i;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < ARRAY_SIZE(live_outputs); i++) {
		if (on && !live_outputs[i]) {
			live_outputs[i] = o;
			break;
		}
		if (!on && live_outputs[i] == o) {
			live_outputs[i] = NULL;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/**
 * dir_of() - directory part of a path
 * @path: file path
 *
 * Return: malloc()ed directory name ("." for a bare file name), or NULL.
 */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

/**
 * out_open() - start writing @final through a temporary file
 * @o: output file to initialise
 * @final: destination path; a symbolic link is followed so that the file it
 *	   names is replaced, not the link
 * @mode: permission bits for the new file
 *
 * The temporary file is created with mkstemp() next to the destination so
 * that rename() is atomic.  A read-only or full file system fails here or
 * in out_write(), before the destination is touched.
 *
 * Return: 0, or -1 after printing the cause.
 */
static int out_open(struct outfile *o, const char *final, mode_t mode)
{
	char *real, *dir;

	o->fd = -1;
	o->tmp = NULL;
	real = realpath(final, NULL);
	o->final = real ? real : strdup(final);
	if (!o->final) {
		error("out of memory");
		return -1;
	}
	dir = dir_of(o->final);
	if (!dir || asprintf(&o->tmp, "%s/.sign-ebpf.XXXXXX", dir) < 0) {
		free(dir);
		o->tmp = NULL;
		error("out of memory");
		return -1;
	}
	track_output(o, true);
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		error("cannot create a temporary file in %s for %s: %s%s", dir, o->final,
		      strerror(errno),
		      errno == EROFS ? " (read-only destination)" : "");
		free(o->tmp);
		o->tmp = NULL;
		free(dir);
		track_output(o, false);
		return -1;
	}
	free(dir);
	if (fchmod(o->fd, mode) < 0) {
		error("cannot set the mode of %s: %s", o->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * write_error() - report a failed write on an output
 * @o: output file
 * @err: errno value
 */
static void write_error(struct outfile *o, int err)
{
	error("cannot write %s (temporary %s): %s%s", o->final, o->tmp,
	      strerror(err), err == ENOSPC ? " (disk full)" :
	      err == EROFS ? " (read-only destination)" : "");
}

/**
 * out_write() - append bytes to an output
 * @o: output file
 * @buf: bytes
 * @len: number of bytes
 *
 * Return: 0, or -1 after printing the cause (ENOSPC: disk full).
 */
static int out_write(struct outfile *o, const void *buf, size_t len)
{
	const __u8 *p = buf;

	while (len) {
		ssize_t n = write(o->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			write_error(o, errno);
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * out_commit() - flush, close and rename an output into place
 * @o: output file
 *
 * The data is fsync()ed before the rename and the directory after it, so
 * after a crash the destination is either the old file or the new one.
 *
 * Return: 0, or -1 after printing the cause.
 */
static int out_commit(struct outfile *o)
{
	off_t end;
	char *dir;
	int dfd;

	end = lseek(o->fd, 0, SEEK_CUR);
	if (end < 0 || ftruncate(o->fd, end) < 0 || fsync(o->fd) < 0) {
		write_error(o, errno);
		return -1;
	}
	if (close(o->fd) < 0) {
		o->fd = -1;
		write_error(o, errno);
		return -1;
	}
	o->fd = -1;
	if (rename(o->tmp, o->final) < 0) {
		error("cannot replace %s: %s%s", o->final, strerror(errno),
		      errno == EROFS ? " (read-only destination)" :
		      errno == EPERM ? " (immutable or append-only destination?)" : "");
		return -1;
	}
	track_output(o, false);
	free(o->tmp);
	o->tmp = NULL;
	dir = dir_of(o->final);
	dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	return 0;
}

/**
 * out_abort() - discard an output: close and remove its temporary file
 * @o: output file (may never have been opened)
 */
static void out_abort(struct outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp) {
		unlink(o->tmp);
		track_output(o, false);
		free(o->tmp);
		o->tmp = NULL;
	}
}

/**
 * out_free() - release the memory of an output
 * @o: output file, committed or aborted
 */
static void out_free(struct outfile *o)
{
	free(o->final);
	o->final = NULL;
}

/**
 * copy_prefix() - stream the first @len bytes of @fd into an output
 * @fd: source file
 * @path: source path, for messages
 * @len: number of bytes to copy
 * @o: output file
 *
 * Uses one COPY_BUF_SIZE buffer whatever the file size.  Blocks that are
 * all zero are skipped with lseek() instead of written, so a sparse loader
 * stays sparse and does not fill the disk.
 *
 * Return: 0, or -1 after printing the cause.
 */
static int copy_prefix(int fd, const char *path, off_t len, struct outfile *o)
{
	static __u8 buf[COPY_BUF_SIZE];
	off_t off = 0;

	while (off < len) {
		size_t want = len - off < (off_t)sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error("cannot read loader %s: %s", path,
			      n < 0 ? strerror(errno) : "file shrank while signing");
			return -1;
		}
		if (buf[0] == 0 && !memcmp(buf, buf + 1, n - 1)) {
			if (lseek(o->fd, n, SEEK_CUR) < 0) {
				write_error(o, errno);
				return -1;
			}
		} else if (out_write(o, buf, n) < 0) {
			return -1;
		}
		off += n;
	}
	return 0;
}

/* ---- Trailer ----------------------------------------------------------- */

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
 * parse_trailer() - find and bounds-check the Hornet trailer of a file
 * @fd: open file
 * @size: file size in bytes
 * @sig_off: out: offset of the DER blob (TRAILER_OK only)
 * @sig_len: out: length of the DER blob in bytes (TRAILER_OK only)
 * @why: out: reason for TRAILER_BAD / TRAILER_IOERR
 *
 * Applies the kernel's rules in the kernel's order: magic, id_type == 2,
 * every other field zero, 0 < sig_len <= 65536, sig_len <= bytes before the
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
		*why = "sig_len is larger than 65536";
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

/* ---- Signature table --------------------------------------------------- */

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
 * 1 <= sig_len <= 65536 and its digest differs from every earlier entry's;
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
static enum trailer_state parse_loader(int fd, off_t size, struct loader_sigs *ls,
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
 * Return: 0, or -1 after printing the cause.
 */
static int load_sigs(int fd, const char *path, struct loader_sigs *ls)
{
	unsigned int i;

	for (i = 0; i < ls->n; i++) {
		struct sig_slot *s = &ls->sig[i];

		if (s->der)
			continue;
		s->der = malloc(s->len);
		if (!s->der) {
			error("out of memory reading loader %s", path);
			return -1;
		}
		if (read_full(fd, s->der, s->len, s->off) < 0) {
			error("cannot read loader %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/**
 * free_sigs() - release the DER blobs held by @ls
 * @ls: signatures; left with no slot
 */
static void free_sigs(struct loader_sigs *ls)
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
static int find_sig(const struct loader_sigs *ls, const __u8 *digest)
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
 * the footer and the table magic.
 *
 * Return: 0, or -1 after printing the cause.
 */
static int write_sigs(struct outfile *o, const struct loader_sigs *ls)
{
	struct hornet_sig_entry ent;
	struct hornet_sig_footer ft;
	struct hornet_siginfo si;
	unsigned int i;

	if (ls->n == 0)
		return 0;
	if (ls->n == 1) {
		build_siginfo(&si, ls->sig[0].len);
		if (out_write(o, ls->sig[0].der, ls->sig[0].len) < 0 ||
		    out_write(o, &si, sizeof(si)) < 0 ||
		    out_write(o, HORNET_MAGIC, HORNET_MAGIC_LEN) < 0)
			return -1;
		return 0;
	}
	if (ls->n > HORNET_MAX_SIGS) {
		error("internal error: %u signatures", ls->n);
		return -1;
	}
	for (i = 0; i < ls->n; i++) {
		if (!ls->sig[i].has_digest) {
			error("internal error: payload of signature %u unknown", i);
			return -1;
		}
		if (out_write(o, ls->sig[i].der, ls->sig[i].len) < 0)
			return -1;
	}
	for (i = 0; i < ls->n; i++) {
		memset(&ent, 0, sizeof(ent));
		memcpy(ent.digest, ls->sig[i].digest, SHA256_LEN);
		put_be32(ent.sig_len, ls->sig[i].len);
		if (out_write(o, &ent, sizeof(ent)) < 0)
			return -1;
	}
	memset(&ft, 0, sizeof(ft));
	put_be32(ft.nr_entries, ls->n);
	if (out_write(o, &ft, sizeof(ft)) < 0 ||
	    out_write(o, HORNET_TABLE_MAGIC, HORNET_TABLE_MAGIC_LEN) < 0)
		return -1;
	return 0;
}

/**
 * sha256_of() - SHA-256 of a buffer, with OpenSSL's EVP interface
 * @buf: bytes
 * @len: number of bytes
 * @digest: out: SHA256_LEN bytes
 *
 * Return: 0, or -1 after printing the cause.
 */
static int sha256_of(const __u8 *buf, size_t len, __u8 *digest)
{
	unsigned int n = 0;

	if (EVP_Digest(buf, len, digest, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_LEN) {
		error("cannot compute a SHA-256 digest");
		ossl_errors();
		return -1;
	}
	return 0;
}

/**
 * to_hex() - lower-case hexadecimal form of a SHA-256 digest
 * @digest: SHA256_LEN bytes
 * @hex: out: 2 * SHA256_LEN + 1 bytes, NUL-terminated
 */
static void to_hex(const __u8 *digest, char *hex)
{
	static const char xd[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = xd[digest[i] >> 4];
		hex[2 * i + 1] = xd[digest[i] & 15];
	}
	hex[2 * SHA256_LEN] = '\0';
}

/* ---- Signing ----------------------------------------------------------- */

/**
 * enum sign_mode - what the command line asks for
 * @MODE_SIGN: positional form: sign an unsigned loader; with -r replace its
 *	       signature (in a table: the one for this payload)
 * @MODE_ADD: --add, add a signature for another payload
 * @MODE_REPLACE: --replace, replace the signature for this payload
 * @MODE_REMOVE: --remove, remove the signature for this payload
 * @MODE_LIST: --list, list the signatures
 * @MODE_VERIFY: --verify, check a payload's signature as the kernel does
 */
enum sign_mode {
	MODE_SIGN,
	MODE_ADD,
	MODE_REPLACE,
	MODE_REMOVE,
	MODE_LIST,
	MODE_VERIFY,
};

/**
 * struct sign_opts - command line of the signing and editing modes
 * @mode: MODE_SIGN, MODE_ADD, MODE_REPLACE or MODE_REMOVE
 * @hash: digest name (not for MODE_REMOVE)
 * @key: key file or pkcs11: URI (not for MODE_REMOVE)
 * @cert: certificate file (not for MODE_REMOVE)
 * @payload: payload file
 * @loader: loader executable
 * @dest: output path (NULL: edit @loader in place)
 * @existing: --existing, the payload the single signature of @loader
 *	      covers (MODE_ADD only, may be NULL)
 * @keep_p7s: -p, also write <dest>.p7s
 * @detached_only: -d, write only <dest>.p7s (MODE_SIGN only)
 * @use_keyid: -k, subject key identifier as signer id
 * @replace: -r, replace an existing signature (MODE_SIGN only)
 */
struct sign_opts {
	enum sign_mode mode;
	const char *hash, *key, *cert, *payload, *loader, *dest, *existing;
	bool keep_p7s, detached_only, use_keyid, replace;
};

/**
 * write_p7s() - write the detached signature to a file, atomically
 * @o: output to use (committed by the caller)
 * @base: path the ".p7s" suffix is appended to
 * @der: DER blob
 * @der_len: its length in bytes
 *
 * Return: 0, or -1 after printing the cause.
 */
static int write_p7s(struct outfile *o, const char *base, const __u8 *der,
		     size_t der_len)
{
	mode_t mask = umask(0);
	char *path;
	int ret;

	umask(mask);
	if (asprintf(&path, "%s.p7s", base) < 0) {
		error("out of memory");
		return -1;
	}
	ret = out_open(o, path, 0666 & ~mask);
	free(path);
	if (ret < 0)
		return -1;
	return out_write(o, der, der_len);
}

static bool check_cms(const char *loader, const __u8 *der, size_t der_len,
		      X509 *cert, const __u8 *payload, size_t payload_len);
static int recover_digest(const __u8 *der, size_t der_len, X509 *cert,
			  __u8 *digest, const char **why);

/**
 * open_loader() - open a loader to edit and read all its signatures
 * @path: loader
 * @st: out: its status (mode, owner, size)
 * @ls: out: its signatures, DER blobs in memory (at most 1 MiB)
 *
 * A loader that ends in a malformed trailer or table is refused, naming
 * the problem: editing it would mean guessing where the executable ends.
 *
 * Return: the open file descriptor, or -1 after printing the cause.
 */
static int open_loader(const char *path, struct stat *st, struct loader_sigs *ls)
{
	const char *why = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) < 0) {
		error("cannot open loader %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		error("loader %s is not a regular file", path);
		goto fail;
	}
	switch (parse_loader(fd, st->st_size, ls, &why)) {
	case TRAILER_NONE:
	case TRAILER_OK:
		break;
	case TRAILER_IOERR:
		error("cannot read loader %s: %s", path, why);
		goto fail;
	case TRAILER_BAD:
		error("loader %s ends with a malformed Hornet signature%s (%s)", path,
		      ls->format == FMT_TABLE ? " table" : "", why);
		error("refusing to touch it");
		goto fail;
	}
	if (load_sigs(fd, path, ls) < 0)
		goto fail;
	return fd;
fail:
	free_sigs(ls);
	if (fd >= 0)
		close(fd);
	return -1;
}

/**
 * learn_single_digest() - find out which payload a single signature covers
 * @so: command line (MODE_ADD)
 * @ls: signatures of a FMT_SINGLE loader, DER blob in memory
 * @digest: SHA-256 of the payload being added
 * @cert: certificate of the signature being added
 *
 * The single-signature trailer does not record its payload, but a table
 * entry needs its SHA-256.  With --existing, it is the SHA-256 of that
 * file, over which the signature must verify with @cert as the kernel
 * would check it; without, it is recovered from the signature itself when
 * @cert made it with RSA and sha256 (recover_digest()).  On success the
 * digest is stored in slot 0.
 *
 * Return: 0; -1 after printing the cause when the digest is unknown or is
 * @digest (the payload already has a signature).
 */
static int learn_single_digest(const struct sign_opts *so, struct loader_sigs *ls,
			       const __u8 *digest, X509 *cert)
{
	struct sig_slot *s = &ls->sig[0];
	const char *why = NULL;
	size_t old_len;
	__u8 *old;
	bool ok;

	if (so->existing) {
		old = read_file(so->existing, "payload", HORNET_MAX_PAYLOAD, &old_len);
		if (!old)
			return -1;
		ok = !sha256_of(old, old_len, s->digest) &&
		     check_cms(so->loader, s->der, s->len, cert, old, old_len);
		free(old);
		if (!ok) {
			error("the signature of %s does not verify over --existing %s with %s",
			      so->loader, so->existing, so->cert);
			return -1;
		}
	} else if (recover_digest(s->der, s->len, cert, s->digest, &why) < 0) {
		error("loader %s has a single signature, which does not record its payload",
		      so->loader);
		error("its SHA-256 cannot be recovered (%s): name that payload with --existing",
		      why);
		return -1;
	}
	s->has_digest = true;
	if (!memcmp(s->digest, digest, SHA256_LEN)) {
		error("loader %s already has a signature for payload %s", so->loader,
		      so->payload);
		error("(-r or --replace replaces it)");
		return -1;
	}
	return 0;
}

/**
 * plan_edit() - decide which signature slot an edit fills or removes
 * @so: command line
 * @ls: signatures of the loader, DER blobs in memory
 * @digest: SHA-256 of the payload
 * @cert: certificate of the new signature (NULL for MODE_REMOVE)
 *
 * In a table the payload's slot is the entry with @digest.  The single
 * trailer does not record its payload: like the kernel, which tries its
 * one signature for every payload, -r, --replace and --remove take it
 * whatever payload it covers, and --add learns its digest first.
 *
 * Return: the slot index (@ls->n for a new signature), or -1 after
 * printing why the edit is refused: the positional form on a signed loader
 * without -r; --add for a payload that has a signature, or to a table of
 * HORNET_MAX_SIGS; -r or --replace or --remove for a payload without one.
 */
static int plan_edit(const struct sign_opts *so, struct loader_sigs *ls,
		     const __u8 *digest, X509 *cert)
{
	char hex[2 * SHA256_LEN + 1];
	int i;

	switch (ls->format) {
	case FMT_UNSIGNED:
		if (so->mode == MODE_SIGN || so->mode == MODE_ADD)
			return 0;
		error("loader %s is not signed: no signature to %s", so->loader,
		      so->mode == MODE_REMOVE ? "remove" : "replace");
		return -1;
	case FMT_SINGLE:
		if (so->mode == MODE_ADD)
			return learn_single_digest(so, ls, digest, cert) < 0 ? -1 : 1;
		if (so->mode == MODE_SIGN && !so->replace) {
			error("loader %s is already signed (-r replaces the signature)",
			      so->loader);
			error("(--add adds one for another payload)");
			return -1;
		}
		return 0;
	case FMT_TABLE:
		break;
	}
	if (so->mode == MODE_SIGN && !so->replace) {
		error("loader %s is already signed: a table of %u signatures", so->loader,
		      ls->n);
		error("(-r replaces the one for this payload, --add adds one for another payload)");
		return -1;
	}
	to_hex(digest, hex);
	i = find_sig(ls, digest);
	if (so->mode == MODE_ADD) {
		if (i >= 0) {
			error("loader %s already has a signature for payload %s",
			      so->loader, so->payload);
			error("(entry %d, sha256 %s; -r or --replace replaces it)", i, hex);
			return -1;
		}
		if (ls->n >= HORNET_MAX_SIGS) {
			error("loader %s already carries %u signatures, the most a table holds",
			      so->loader, ls->n);
			return -1;
		}
		return (int)ls->n;
	}
	if (i < 0) {
		error("loader %s has no signature for payload %s (sha256 %s)%s",
		      so->loader, so->payload, hex,
		      so->mode == MODE_REMOVE ? "" : "; --add adds one");
		return -1;
	}
	return i;
}

/**
 * apply_edit() - put a new signature into a slot, or remove the slot
 * @ls: signatures
 * @slot: index from plan_edit(); @ls->n appends a signature
 * @digest: SHA-256 of the payload (ignored when removing)
 * @der: new DER blob, ownership passes to @ls; NULL removes the slot
 * @der_len: its length in bytes
 *
 * Removing keeps the order of the other signatures; replacing keeps the
 * slot's place.
 */
static void apply_edit(struct loader_sigs *ls, unsigned int slot,
		       const __u8 *digest, __u8 *der, size_t der_len)
{
	struct sig_slot *s = &ls->sig[slot];

	if (slot < ls->n)
		free(s->der);
	if (!der) {
		memmove(s, s + 1, (ls->n - slot - 1) * sizeof(*s));
		ls->n--;
		return;
	}
	if (slot == ls->n)
		ls->n++;
	memcpy(s->digest, digest, SHA256_LEN);
	s->has_digest = true;
	s->off = -1;
	s->len = (__u32)der_len;
	s->der = der;
}

/**
 * do_sign() - the signing and editing modes
 * @so: parsed command line (MODE_SIGN, MODE_ADD, MODE_REPLACE, MODE_REMOVE)
 *
 * Everything that can fail for a reason the user can fix (hash, payload,
 * certificate, key, key/certificate match, malformed or already signed
 * loader, payload with or without a signature, full table) is checked
 * before the first output file is created, and so is the new signature
 * itself (check_cms()).  The loader is then rewritten as its unsigned
 * bytes followed by the edited set of signatures (write_sigs()).
 *
 * Return: process exit code.
 */
static int do_sign(const struct sign_opts *so)
{
	struct outfile out = { .fd = -1 }, p7s = { .fd = -1 };
	const char *dest = so->dest ? so->dest : so->loader;
	bool removing = so->mode == MODE_REMOVE;
	__u8 *payload = NULL, *der = NULL;
	struct loader_sigs ls = { 0 };
	size_t payload_len, der_len = 0;
	__u8 digest[SHA256_LEN];
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	EVP_MD *md = NULL;
	int ret = EXIT_REJECT, fd = -1, slot = 0;
	struct stat st = { 0 };

	if (!removing) {
		md = get_digest(so->hash);
		if (!md)
			return EXIT_REJECT;
	}
	payload = read_file(so->payload, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	if (!payload || sha256_of(payload, payload_len, digest) < 0)
		goto out;
	if (!removing) {
		cert = load_cert(so->cert);
		if (!cert)
			goto out;
		if (so->use_keyid && !X509_get0_subject_key_id(cert)) {
			error("-k: certificate %s has no subject key identifier", so->cert);
			goto out;
		}
		pkey = load_key(so->key);
		if (!pkey)
			goto out;
		if (X509_check_private_key(cert, pkey) != 1) {
			error("key %s and certificate %s do not match (key/cert mismatch)",
			      so->key, so->cert);
			ERR_clear_error();
			goto out;
		}
	}

	if (!so->detached_only) {
		fd = open_loader(so->loader, &st, &ls);
		if (fd < 0)
			goto out;
		slot = plan_edit(so, &ls, digest, cert);
		if (slot < 0)
			goto out;
	}

	if (!removing) {
		if (sign_payload(pkey, cert, md, payload, payload_len, so->use_keyid,
				 &der, &der_len) < 0)
			goto out;
		/*
		 * Check our own output the way the kernel will: catches keys
		 * the kernel cannot use (Ed25519, RSA-PSS) and faulty tokens
		 * before anything is written.
		 */
		if (!check_cms(dest, der, der_len, cert, payload, payload_len)) {
			error("the new signature would not be accepted by the kernel");
			error("nothing written");
			goto out;
		}
	}

	if (so->detached_only || so->keep_p7s) {
		if (write_p7s(&p7s, dest, der, der_len) < 0)
			goto out;
	}
	if (!so->detached_only) {
		apply_edit(&ls, slot, digest, der, der_len);
		der = NULL;
		if (out_open(&out, dest, st.st_mode & 07777) < 0)
			goto out;
		/* chown() clears set-user-ID bits: set the mode again after it. */
		if (!so->dest && geteuid() == 0 &&
		    (fchown(out.fd, st.st_uid, st.st_gid) < 0 ||
		     fchmod(out.fd, st.st_mode & 07777) < 0)) {
			error("cannot set the owner of %s: %s", out.tmp, strerror(errno));
			goto out;
		}
		if (copy_prefix(fd, so->loader, ls.keep, &out) < 0 ||
		    write_sigs(&out, &ls) < 0)
			goto out;
	}
	/* Everything is written; only renames remain. */
	if (p7s.fd >= 0 && out_commit(&p7s) < 0)
		goto out;
	if (out.fd >= 0 && out_commit(&out) < 0)
		goto out;
	ret = 0;
out:
	out_abort(&p7s);
	out_abort(&out);
	out_free(&p7s);
	out_free(&out);
	if (fd >= 0)
		close(fd);
	free_sigs(&ls);
	free(der);
	free(payload);
	EVP_PKEY_free(pkey);
	X509_free(cert);
	EVP_MD_free(md);
	release_engine();
	return ret;
}

/* ---- Verification ------------------------------------------------------ */

/**
 * reject() - report why the kernel would refuse a signed loader
 * @loader: loader path
 * @err: name of the errno the kernel returns (see Hornet.rst)
 * @fmt: printf format of the reason
 */
static void __printf(3, 4) reject(const char *loader, const char *err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s: REJECTED (kernel: %s): ", loader, err);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
static int der_next(const __u8 **p, const __u8 *end, __u8 *tag,
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
static int der_versions(const __u8 *der, size_t len, int *sd_ver, int *si_ver)
{
	const __u8 *p = der, *end = der + len, *v;
	size_t vl;
	__u8 tag;

	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x30)	/* ContentInfo */
		return -1;
	p = v;
	end = v + vl;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x06)	/* contentType */
		return -1;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0xa0)	/* [0] content */
		return -1;
	p = v;
	end = v + vl;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x30)	/* SignedData */
		return -1;
	p = v;
	end = v + vl;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x02 || vl != 1)
		return -1;
	*sd_ver = v[0];
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x31)	/* digestAlgorithms */
		return -1;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x30)	/* encapContentInfo */
		return -1;
	do {							/* certs, crls */
		if (der_next(&p, end, &tag, &v, &vl))
			return -1;
	} while (tag == 0xa0 || tag == 0xa1);
	if (tag != 0x31)					/* signerInfos */
		return -1;
	p = v;
	end = v + vl;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x30)	/* SignerInfo */
		return -1;
	p = v;
	end = v + vl;
	if (der_next(&p, end, &tag, &v, &vl) || tag != 0x02 || vl != 1)
		return -1;
	*si_ver = v[0];
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
static bool check_cms(const char *loader, const __u8 *der, size_t der_len,
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
static int recover_digest(const __u8 *der, size_t der_len, X509 *cert,
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

/**
 * do_verify() - the --verify mode
 * @cert_path: certificate the kernel trusts
 * @payload_path: payload the loader passes to BPF_PROG_LOAD
 * @loader: signed loader
 *
 * Reads only the trailer or table and the one signature the kernel would
 * select, as the kernel does: the single signature whatever the payload,
 * or the table entry for the payload's SHA-256 (a table is checked as a
 * whole first).  Prints "<loader>: OK" on success, otherwise the reason
 * and the errno the kernel would return.
 *
 * Return: 0 when the kernel would accept, EXIT_REJECT otherwise.
 */
static int do_verify(const char *cert_path, const char *payload_path,
		     const char *loader)
{
	char hex[2 * SHA256_LEN + 1], where[64] = "";
	__u8 *payload = NULL, *der = NULL;
	__u8 digest[SHA256_LEN];
	const char *why = NULL;
	struct loader_sigs ls;
	struct sig_slot *s;
	size_t payload_len;
	X509 *cert = NULL;
	int ret = EXIT_REJECT, fd, i = 0;
	struct stat st;

	fd = open(loader, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		error("cannot open loader %s: %s", loader, strerror(errno));
		goto out;
	}
	cert = load_cert(cert_path);
	if (!cert)
		goto out;
	payload = read_file(payload_path, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	if (!payload || sha256_of(payload, payload_len, digest) < 0)
		goto out;
	switch (parse_loader(fd, st.st_size, &ls, &why)) {
	case TRAILER_NONE:
		reject(loader, "ENODATA", "no Hornet signature");
		goto out;
	case TRAILER_BAD:
		reject(loader, "EBADMSG", "malformed %s: %s",
		       ls.format == FMT_TABLE ? "signature table" : "trailer", why);
		goto out;
	case TRAILER_IOERR:
		error("cannot read loader %s: %s", loader, why);
		goto out;
	case TRAILER_OK:
		break;
	}
	if (ls.format == FMT_TABLE) {
		i = find_sig(&ls, digest);
		if (i < 0) {
			to_hex(digest, hex);
			reject(loader, "ENODATA",
			       "no signature for this payload (sha256 %s) in its table of %u",
			       hex, ls.n);
			goto out;
		}
		snprintf(where, sizeof(where), ", table entry %d of %u", i, ls.n);
	}
	s = &ls.sig[i];
	if (s->len > HORNET_MAX_SIG_LEN - 1) {
		/* lib/asn1_decoder.c refuses inputs above 65535 bytes. */
		reject(loader, "EBADMSG", "sig_len %u exceeds the kernel ASN.1 decoder's limit",
		       s->len);
		goto out;
	}
	der = malloc(s->len);
	if (!der) {
		error("out of memory");
		goto out;
	}
	if (read_full(fd, der, s->len, s->off) < 0) {
		error("cannot read loader %s: %s", loader, strerror(errno));
		goto out;
	}
	if (!check_cms(loader, der, s->len, cert, payload, payload_len))
		goto out;
	printf("%s: OK (signature by the given certificate over %zu payload bytes%s)\n",
	       loader, payload_len, where);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(der);
	free(payload);
	X509_free(cert);
	return ret;
}

/**
 * do_list() - the --list mode
 * @loader: loader to list
 *
 * Prints a header line naming the format and the number of signatures,
 * "format: unsigned, 0 signatures", "format: single, 1 signature" or
 * "format: table v1, <n> signatures" ("1 signature" for a table of one,
 * which the kernel accepts but sign-ebpf never writes), then one line per
 * signature in
 * entry order: "<index> <payload sha256, 64 hex digits> <DER length in
 * bytes>".  The single-signature trailer does not record its payload, so
 * its digest is printed as "-".  Nothing is verified; a malformed trailer
 * or table is reported with the kernel's rule it breaks.
 *
 * Return: 0, or EXIT_REJECT after printing the cause.
 */
static int do_list(const char *loader)
{
	char hex[2 * SHA256_LEN + 1];
	const char *why = NULL;
	struct loader_sigs ls;
	unsigned int i;
	struct stat st;
	int fd, ret = EXIT_REJECT;

	fd = open(loader, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		error("cannot open loader %s: %s", loader, strerror(errno));
		goto out;
	}
	switch (parse_loader(fd, st.st_size, &ls, &why)) {
	case TRAILER_NONE:
	case TRAILER_OK:
		break;
	case TRAILER_IOERR:
		error("cannot read loader %s: %s", loader, why);
		goto out;
	case TRAILER_BAD:
		error("loader %s ends with a malformed Hornet signature%s (%s)", loader,
		      ls.format == FMT_TABLE ? " table" : "", why);
		goto out;
	}
	switch (ls.format) {
	case FMT_UNSIGNED:
		printf("format: unsigned, 0 signatures\n");
		break;
	case FMT_SINGLE:
		printf("format: single, 1 signature\n");
		printf("0 - %u\n", ls.sig[0].len);
		break;
	case FMT_TABLE:
		printf("format: table v1, %u signature%s\n", ls.n, ls.n == 1 ? "" : "s");
		for (i = 0; i < ls.n; i++) {
			to_hex(ls.sig[i].digest, hex);
			printf("%u %s %u\n", i, hex, ls.sig[i].len);
		}
		break;
	}
	if (fflush(stdout) == EOF) {
		error("cannot write the list: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * print_usage() - print the command line summary
 * @f: stdout for --help, stderr after a usage error
 */
static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [-p] [-d] [-k] [-r] <hash-algo> <key> <x509-cert> <payload>\n"
		"                 <loader> [<dest>]\n"
		"       " PROG " --add [--existing <payload>] [-p] [-k] <hash-algo> <key>\n"
		"                 <x509-cert> <payload> <loader> [<dest>]\n"
		"       " PROG " --replace [-p] [-k] <hash-algo> <key> <x509-cert> <payload>\n"
		"                 <loader> [<dest>]\n"
		"       " PROG " --remove <payload> <loader> [<dest>]\n"
		"       " PROG " --list <loader>\n"
		"       " PROG " --verify <x509-cert> <payload> <signed-loader>\n"
		"\n"
		"  <hash-algo>  sha256, sha384 or sha512\n"
		"  <key>        PEM/DER private key file or pkcs11: URI (PIN/passphrase from KBUILD_SIGN_PIN)\n"
		"  <x509-cert>  signer certificate, PEM or DER\n"
		"  <payload>    loader instructions + loader map data (extract-skel.sh output)\n"
		"  <loader>     executable to sign; edited in place unless <dest> is given\n"
		"  -p           also write the detached signature to <dest or loader>.p7s\n"
		"  -d           write only the detached signature <dest or loader>.p7s\n"
		"  -k           identify the signer by subject key identifier\n"
		"  -r           replace an existing Hornet signature instead of refusing\n"
		"               (in a signature table: the one for <payload>)\n"
		"  --add        add a signature for another payload (at most 16); refused\n"
		"               when <payload> already has one\n"
		"  --existing   with --add to a loader with one signature: the payload that\n"
		"               signature covers (needed unless <x509-cert> made it with\n"
		"               RSA and sha256)\n"
		"  --replace    replace the signature for <payload>; refused when it has none\n"
		"  --remove     remove the signature for <payload>; removing the last one\n"
		"               gives back the unsigned loader\n"
		"  --list       print the format, then one line per signature: index,\n"
		"               payload SHA-256 (\"-\" when not recorded), DER length\n"
		"  --verify     check the signature for <payload> the way the kernel does;\n"
		"               exit 0 if it would be accepted\n"
		"One signature is written as a single trailer, 2 to 16 as a signature table.\n"
		"Exit status: 0 success, 1 failure or rejection, 2 bad command line.\n");
}

/**
 * main() - parse the command line and run the requested mode
 * @argc: argument count
 * @argv: arguments, see print_usage()
 *
 * At most one of --add, --replace, --remove, --list and --verify; -d and
 * -r only in the positional form, --existing only with --add, no option
 * with --remove, --list or --verify.
 *
 * Return: 0 on success; 1 when signing or editing failed or --verify
 * rejected the loader; 2 for a bad command line.
 */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "add", no_argument, NULL, 'A' },
		{ "replace", no_argument, NULL, 'R' },
		{ "remove", no_argument, NULL, 'D' },
		{ "list", no_argument, NULL, 'L' },
		{ "verify", no_argument, NULL, 'V' },
		{ "existing", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sign_opts so = { .mode = MODE_SIGN };
	int opt, n, nmodes = 0;
	struct sigaction sa;
	bool opts;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	while ((opt = getopt_long(argc, argv, "pdkrh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			so.keep_p7s = true;
			break;
		case 'd':
			so.detached_only = true;
			break;
		case 'k':
			so.use_keyid = true;
			break;
		case 'r':
			so.replace = true;
			break;
		case 'E':
			so.existing = optarg;
			break;
		case 'A':
		case 'R':
		case 'D':
		case 'L':
		case 'V':
			so.mode = opt == 'A' ? MODE_ADD : opt == 'R' ? MODE_REPLACE :
				  opt == 'D' ? MODE_REMOVE : opt == 'L' ? MODE_LIST :
				  MODE_VERIFY;
			nmodes++;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	n = argc - optind;
	opts = so.keep_p7s || so.detached_only || so.use_keyid || so.replace ||
	       so.existing;
	if (nmodes > 1)
		goto usage;
	switch (so.mode) {
	case MODE_VERIFY:
		if (n != 3 || opts)
			goto usage;
		return do_verify(argv[optind], argv[optind + 1], argv[optind + 2]);
	case MODE_LIST:
		if (n != 1 || opts)
			goto usage;
		return do_list(argv[optind]);
	case MODE_REMOVE:
		if ((n != 2 && n != 3) || opts)
			goto usage;
		so.payload = argv[optind];
		so.loader = argv[optind + 1];
		so.dest = n == 3 ? argv[optind + 2] : NULL;
		return do_sign(&so);
	case MODE_ADD:
	case MODE_REPLACE:
		if (so.detached_only || so.replace ||
		    (so.existing && so.mode != MODE_ADD))
			goto usage;
		break;
	case MODE_SIGN:
		if (so.existing)
			goto usage;
		break;
	}
	if (n != 5 && n != 6)
		goto usage;
	so.hash = argv[optind];
	so.key = argv[optind + 1];
	so.cert = argv[optind + 2];
	so.payload = argv[optind + 3];
	so.loader = argv[optind + 4];
	so.dest = n == 6 ? argv[optind + 5] : NULL;
	return do_sign(&so);
usage:
	print_usage(stderr);
	return EXIT_USAGE;
}
