// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf - sign an eBPF light-skeleton loader for the Hornet LSM
 *
 * Usage:
 *	sign-ebpf [-p] [-d] [-k] [-r] <hash-algo> <key> <x509-cert> <payload>
 *		  <loader> [<dest>]
 *	sign-ebpf --verify <x509-cert> <payload> <signed-loader>
 *
 * The signature is a detached CMS (PKCS#7) SignedData over the payload
 * (the loader instructions followed by the loader map's data, see
 * extract-skel.sh), DER encoded, content type "data", with no embedded
 * certificates and no signed attributes.  It is appended to the loader,
 * followed by a 12 byte struct module_signature and a 26 byte magic string:
 *
 *	[ loader ][ DER ][ module_signature ][ "~eBPF signature appended~\n" ]
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

/* ---- Signing ----------------------------------------------------------- */

/**
 * struct sign_opts - command line of the signing mode
 * @hash: digest name
 * @key: key file or pkcs11: URI
 * @cert: certificate file
 * @payload: payload file
 * @loader: loader executable
 * @dest: output path (NULL: sign @loader in place)
 * @keep_p7s: -p, also write <dest>.p7s
 * @detached_only: -d, write only <dest>.p7s
 * @use_keyid: -k, subject key identifier as signer id
 * @replace: -r, replace an existing signature
 */
struct sign_opts {
	const char *hash, *key, *cert, *payload, *loader, *dest;
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

/**
 * do_sign() - the signing mode
 * @so: parsed command line
 *
 * Everything that can fail for a reason the user can fix (hash, payload,
 * certificate, key, key/certificate match, already signed loader) is
 * checked before the first output file is created, and so is the new
 * signature itself (check_cms()).
 *
 * Return: process exit code.
 */
static int do_sign(const struct sign_opts *so)
{
	struct outfile out = { .fd = -1 }, p7s = { .fd = -1 };
	const char *dest = so->dest ? so->dest : so->loader;
	__u8 *payload = NULL, *der = NULL;
	size_t payload_len, der_len;
	struct hornet_siginfo si;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	EVP_MD *md;
	off_t keep = 0;
	int ret = EXIT_REJECT, fd = -1;
	struct stat st = { 0 };

	md = get_digest(so->hash);
	if (!md)
		return EXIT_REJECT;
	payload = read_file(so->payload, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	if (!payload)
		goto out;
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

	if (!so->detached_only) {
		const char *why = NULL;
		off_t sig_off;
		__u32 sig_len;

		fd = open(so->loader, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			error("cannot open loader %s: %s", so->loader, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			error("loader %s is not a regular file", so->loader);
			goto out;
		}
		keep = st.st_size;
		switch (parse_trailer(fd, st.st_size, &sig_off, &sig_len, &why)) {
		case TRAILER_NONE:
			break;
		case TRAILER_IOERR:
			error("cannot read loader %s: %s", so->loader, why);
			goto out;
		case TRAILER_BAD:
			error("loader %s ends with a malformed Hornet signature (%s)",
			      so->loader, why);
			error("refusing to touch it");
			goto out;
		case TRAILER_OK:
			if (!so->replace) {
				error("loader %s is already signed (-r replaces the signature)",
				      so->loader);
				goto out;
			}
			keep = sig_off;
			break;
		}
	}

	if (sign_payload(pkey, cert, md, payload, payload_len, so->use_keyid,
			 &der, &der_len) < 0)
		goto out;
	/*
	 * Check our own output the way the kernel will: catches keys the
	 * kernel cannot use (Ed25519, RSA-PSS) and faulty tokens before
	 * anything is written.
	 */
	if (!check_cms(dest, der, der_len, cert, payload, payload_len)) {
		error("the new signature would not be accepted by the kernel; nothing written");
		goto out;
	}

	if (so->detached_only || so->keep_p7s) {
		if (write_p7s(&p7s, dest, der, der_len) < 0)
			goto out;
	}
	if (!so->detached_only) {
		build_siginfo(&si, der_len);
		if (out_open(&out, dest, st.st_mode & 07777) < 0)
			goto out;
		/* chown() clears set-user-ID bits: set the mode again after it. */
		if (!so->dest && geteuid() == 0 &&
		    (fchown(out.fd, st.st_uid, st.st_gid) < 0 ||
		     fchmod(out.fd, st.st_mode & 07777) < 0)) {
			error("cannot set the owner of %s: %s", out.tmp, strerror(errno));
			goto out;
		}
		if (copy_prefix(fd, so->loader, keep, &out) < 0 ||
		    out_write(&out, der, der_len) < 0 ||
		    out_write(&out, &si, sizeof(si)) < 0 ||
		    out_write(&out, HORNET_MAGIC, HORNET_MAGIC_LEN) < 0)
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
 * Checks, in order: the blob parses as CMS, fills sig_len exactly and is
 * canonical DER (it re-encodes to the same bytes); it is SignedData with
 * versions (1, 1) or (3, 3); content type data; detached; exactly one
 * SignerInfo; no signed attributes; digest sha256/384/512; signature
 * algorithm rsaEncryption or ecdsa-with-SHA256/384/512; the signer
 * identifier (issuer+serial for version 1, SKID for version 3) names @cert
 * byte for byte; an embedded certificate with the same identifier carries
 * the same public key (the kernel verifies with the embedded one too); and
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
	if (p != der + der_len) {
		reject(loader, "EBADMSG", "%zu bytes after the PKCS#7 object inside sig_len",
		       (size_t)(der + der_len - p));
		goto out;
	}
	relen = i2d_CMS_ContentInfo(cms, &re);
	if (relen != (int)der_len || memcmp(re, der, der_len)) {
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
 * do_verify() - the --verify mode
 * @cert_path: certificate the kernel trusts
 * @payload_path: payload the loader passes to BPF_PROG_LOAD
 * @loader: signed loader
 *
 * Reads only the trailer and the signature from @loader, as the kernel
 * does.  Prints "<loader>: OK" on success, otherwise the reason and the
 * errno the kernel would return.
 *
 * Return: 0 when the kernel would accept, EXIT_REJECT otherwise.
 */
static int do_verify(const char *cert_path, const char *payload_path,
		     const char *loader)
{
	__u8 *payload = NULL, *der = NULL;
	const char *why = NULL;
	size_t payload_len;
	X509 *cert = NULL;
	__u32 sig_len;
	int ret = EXIT_REJECT, fd;
	struct stat st;
	off_t sig_off;

	fd = open(loader, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		error("cannot open loader %s: %s", loader, strerror(errno));
		goto out;
	}
	cert = load_cert(cert_path);
	if (!cert)
		goto out;
	payload = read_file(payload_path, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	if (!payload)
		goto out;
	switch (parse_trailer(fd, st.st_size, &sig_off, &sig_len, &why)) {
	case TRAILER_NONE:
		reject(loader, "ENODATA", "no Hornet signature");
		goto out;
	case TRAILER_BAD:
		reject(loader, "EBADMSG", "malformed trailer: %s", why);
		goto out;
	case TRAILER_IOERR:
		error("cannot read loader %s: %s", loader, why);
		goto out;
	case TRAILER_OK:
		break;
	}
	if (sig_len > HORNET_MAX_SIG_LEN - 1) {
		/* lib/asn1_decoder.c refuses inputs above 65535 bytes. */
		reject(loader, "EBADMSG", "sig_len %u exceeds the kernel ASN.1 decoder's limit",
		       sig_len);
		goto out;
	}
	der = malloc(sig_len);
	if (!der) {
		error("out of memory");
		goto out;
	}
	if (read_full(fd, der, sig_len, sig_off) < 0) {
		error("cannot read loader %s: %s", loader, strerror(errno));
		goto out;
	}
	if (!check_cms(loader, der, sig_len, cert, payload, payload_len))
		goto out;
	printf("%s: OK (signature by the given certificate over %zu payload bytes)\n",
	       loader, payload_len);
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
 * print_usage() - print the command line summary
 * @f: stdout for --help, stderr after a usage error
 */
static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [-p] [-d] [-k] [-r] <hash-algo> <key> <x509-cert> <payload>\n"
		"                 <loader> [<dest>]\n"
		"       " PROG " --verify <x509-cert> <payload> <signed-loader>\n"
		"\n"
		"  <hash-algo>  sha256, sha384 or sha512\n"
		"  <key>        PEM/DER private key file or pkcs11: URI (PIN/passphrase from KBUILD_SIGN_PIN)\n"
		"  <x509-cert>  signer certificate, PEM or DER\n"
		"  <payload>    loader instructions + loader map data (extract-skel.sh output)\n"
		"  <loader>     executable to sign; signed in place unless <dest> is given\n"
		"  -p           also write the detached signature to <dest or loader>.p7s\n"
		"  -d           write only the detached signature <dest or loader>.p7s\n"
		"  -k           identify the signer by subject key identifier\n"
		"  -r           replace an existing Hornet signature instead of refusing\n"
		"  --verify     check a signed loader the way the kernel does; exit 0 if it\n"
		"               would be accepted\n"
		"Exit status: 0 success, 1 failure or rejection, 2 bad command line.\n");
}

/**
 * main() - parse the command line and run the signing or --verify mode
 * @argc: argument count
 * @argv: arguments, see print_usage()
 *
 * Return: 0 on success; 1 when signing failed or --verify rejected the
 * loader; 2 for a bad command line.
 */
int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sign_opts so = { 0 };
	bool verify = false;
	struct sigaction sa;
	int opt, n;

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
		case 'V':
			verify = true;
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
	if (verify) {
		if (n != 3 || so.keep_p7s || so.detached_only || so.use_keyid || so.replace) {
			print_usage(stderr);
			return EXIT_USAGE;
		}
		return do_verify(argv[optind], argv[optind + 1], argv[optind + 2]);
	}
	if (n != 5 && n != 6) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	so.hash = argv[optind];
	so.key = argv[optind + 1];
	so.cert = argv[optind + 2];
	so.payload = argv[optind + 3];
	so.loader = argv[optind + 4];
	so.dest = n == 6 ? argv[optind + 5] : NULL;
	return do_sign(&so);
}
