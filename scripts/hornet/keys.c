// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf: the certificate and the private key, from a file or a
 * pkcs11: URI, with the passphrase or PIN from KBUILD_SIGN_PIN
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>

#include "sign-ebpf.h"

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

#if HAVE_PKCS11_ENGINE
static struct engine_st *pkcs11_engine;	/* ENGINE */
#endif

/**
 * load_cert() - read an X.509 certificate, PEM or DER
 * @path: certificate file
 *
 * The encoding is chosen by content: a "-----BEGIN" line means PEM,
 * anything else is parsed as DER.  Dies when the file cannot be read or
 * parsed.
 *
 * Return: the certificate.
 */
X509 *load_cert(const char *path)
{
	const unsigned char *p;
	X509 *cert = NULL;
	__u8 *buf;
	size_t len;

	buf = read_file(path, "certificate", MAX_SMALL_FILE, &len);
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
	if (!cert)
		die_ossl("cannot parse certificate %s (not a PEM or DER X.509 certificate)",
			 path);
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
 * copy_pin() - hand KBUILD_SIGN_PIN to OpenSSL, and count that it asked
 * @pc: passphrase state
 * @buf: destination buffer, not NUL-terminated by this function
 * @size: size of @buf in bytes
 *
 * The body of both passphrase callbacks below, which differ only in the
 * calling convention OpenSSL gives them.
 *
 * Return: length of the PIN in bytes, or -1 when it is unset or longer
 * than @size.
 */
static int copy_pin(struct pin_ctx *pc, char *buf, size_t size)
{
	size_t len;

	pc->asked++;
	if (!pc->pin)
		return -1;
	len = strlen(pc->pin);
	if (len > size)
		return -1;
	memcpy(buf, pc->pin, len);
	return (int)len;
}

/*
 * The OSSL_PASSPHRASE_CALLBACK of the key file decoder.  Wrapping
 * pem_pass_cb() instead (OSSL_DECODER_CTX_set_pem_password_cb()) would go
 * through a UI method, which queues an "interrupted or cancelled" error
 * when there is no PIN.
 */
static int decoder_pass_cb(char *pass, size_t pass_size, size_t *pass_len,
			   const OSSL_PARAM params[], void *arg)
{
	int len = copy_pin(arg, pass, pass_size);

	(void)params;
	if (len < 0)
		return 0;
	*pass_len = len;
	return 1;
}

/* The pem_password_cb of the UI method given to OSSL_STORE and the engine. */
static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	return copy_pin(u, buf, size);
}

/**
 * load_key_file() - decode a private key file
 * @path: PEM (or DER) private key, possibly encrypted
 * @pc: passphrase state
 *
 * Whether the passphrase callback ran tells a wrong or missing passphrase
 * apart from a file that is not a private key at all.  Dies when the file
 * cannot be read or decoded.
 *
 * Return: the key.
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
		die_ossl("private key %s is encrypted and KBUILD_SIGN_PIN is not set", path);
	if (pc->asked)
		die_ossl("cannot decrypt private key %s: wrong passphrase in KBUILD_SIGN_PIN",
			 path);
	die_ossl("cannot load private key %s: bad key file (not a PEM or DER private key)",
		 path);
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
 * release_engine() - drop the engine references taken by load_key_engine()
 *
 * An atexit() handler, registered after OpenSSL's own, so it runs first.
 */
static void release_engine(void)
{
	ENGINE_finish(pkcs11_engine);
	ENGINE_free(pkcs11_engine);
}

/**
 * load_key_engine() - open a pkcs11: URI through the pkcs11 engine
 * @uri: PKCS#11 URI
 * @pc: passphrase state; the PIN is given to the engine with its PIN command
 *
 * The engine (libp11) loads the PKCS#11 module named by PKCS11_MODULE_PATH,
 * by default p11-kit-proxy, which sees every module p11-kit knows.  The PIN
 * is set with the engine's PIN command and also answers any PIN request
 * through our UI method, so the engine never prompts on the terminal.
 * The engine stays initialised until release_engine() runs at exit,
 * because the key uses it.  Dies when there is no pkcs11 engine, it refuses
 * the PIN or cannot be initialised, or it cannot load the key.
 *
 * Return: the key.
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
		die_ossl("(install libengine-pkcs11-openssl or a pkcs11 provider)");
	}
	if (pc->pin && !ENGINE_ctrl_cmd_string(e, "PIN", pc->pin, 0))
		die_ossl("pkcs11 engine refused the PIN");
	if (!ENGINE_init(e))
		die_ossl("cannot initialise the pkcs11 engine");
	/* Our UI method: the PIN comes from KBUILD_SIGN_PIN, never a prompt. */
	ui = UI_UTIL_wrap_read_pem_callback(pem_pass_cb, 0);
	pkey = ui ? ENGINE_load_private_key(e, uri, ui, pc) : NULL;
	UI_destroy_method(ui);
	if (!pkey) {
		ENGINE_finish(e);
		die_ossl("cannot load private key %s: %s, no such token or object, or token error",
			 uri, pc->pin ? "wrong PIN in KBUILD_SIGN_PIN" :
			 "KBUILD_SIGN_PIN is not set");
	}
	pkcs11_engine = e;
	atexit(release_engine);
	return pkey;
}

#pragma GCC diagnostic pop
#else
static EVP_PKEY *load_key_engine(const char *uri, struct pin_ctx *pc)
{
	(void)pc;
	die("cannot load %s: no PKCS#11 provider, and this OpenSSL has no engine support",
	    uri);
}
#endif

/**
 * load_key() - load the signing key from a file or a pkcs11: URI
 * @spec: file name or "pkcs11:..." URI
 *
 * The passphrase of an encrypted key file, or the token PIN, is taken from
 * the environment variable KBUILD_SIGN_PIN, as for scripts/sign-file.
 * Dies when the key cannot be loaded.
 *
 * Return: the key.
 */
EVP_PKEY *load_key(const char *spec)
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
