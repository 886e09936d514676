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
 * The layout is documented in Documentation/security/hornet.rst.
 *
 * Every output is written to a temporary file in the destination's
 * directory, flushed with fsync() and renamed over the destination, so an
 * interrupted or failed run never leaves a half-written loader behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sign-ebpf.h"

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
 * @base: path the ".p7s" suffix is appended to
 * @der: DER blob
 * @der_len: its length in bytes
 *
 * Dies when the file cannot be written.
 *
 * Return: the output, for the caller to commit.
 */
static struct outfile *write_p7s(const char *base, const __u8 *der, size_t der_len)
{
	mode_t mask = umask(0);
	struct outfile *o;
	char *path;

	umask(mask);
	if (asprintf(&path, "%s.p7s", base) < 0)
		die("out of memory");
	o = out_open(path, 0666 & ~mask);
	free(path);
	out_write(o, der, der_len);
	return o;
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
 * @cert made it with RSA and sha256 (recover_digest()).  The digest is
 * stored in slot 0.
 *
 * Dies when the digest is unknown, or is @digest (the payload already has
 * a signature).
 */
static void learn_single_digest(const struct sign_opts *so, struct loader_sigs *ls,
				const __u8 *digest, X509 *cert)
{
	struct sig_slot *s = &ls->sig[0];
	const char *why = NULL;
	size_t old_len;
	__u8 *old;

	if (so->existing) {
		old = read_file(so->existing, "payload", HORNET_MAX_PAYLOAD, &old_len);
		sha256_of(old, old_len, s->digest);
		if (!check_cms(so->loader, s->der, s->len, cert, old, old_len))
			die("the signature of %s does not verify over --existing %s with %s",
			    so->loader, so->existing, so->cert);
		free(old);
	} else if (recover_digest(s->der, s->len, cert, s->digest, &why) < 0) {
		error("loader %s has a single signature, which does not record its payload",
		      so->loader);
		die("its SHA-256 cannot be recovered (%s): name that payload with --existing",
		    why);
	}
	s->has_digest = true;
	if (!memcmp(s->digest, digest, SHA256_LEN)) {
		error("loader %s already has a signature for payload %s", so->loader,
		      so->payload);
		die("(-r or --replace replaces it)");
	}
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
 * Dies, saying why, when the edit is refused: the positional form on a
 * signed loader without -r; --add for a payload that has a signature, or
 * to a table of HORNET_MAX_SIGS; -r or --replace or --remove for a payload
 * without one.
 *
 * Return: the slot index (@ls->n for a new signature).
 */
static unsigned int plan_edit(const struct sign_opts *so, struct loader_sigs *ls,
			      const __u8 *digest, X509 *cert)
{
	char hex[2 * SHA256_LEN + 1];
	int i;

	switch (ls->format) {
	case FMT_UNSIGNED:
		if (so->mode == MODE_SIGN || so->mode == MODE_ADD)
			return 0;
		die("loader %s is not signed: no signature to %s", so->loader,
		    so->mode == MODE_REMOVE ? "remove" : "replace");
	case FMT_SINGLE:
		if (so->mode == MODE_ADD) {
			learn_single_digest(so, ls, digest, cert);
			return 1;
		}
		if (so->mode == MODE_SIGN && !so->replace) {
			error("loader %s is already signed (-r replaces the signature)",
			      so->loader);
			die("(--add adds one for another payload)");
		}
		return 0;
	case FMT_TABLE:
		break;
	}
	if (so->mode == MODE_SIGN && !so->replace) {
		error("loader %s is already signed: a table of %u signatures", so->loader,
		      ls->n);
		die("(-r replaces the one for this payload, --add adds one for another payload)");
	}
	to_hex(digest, hex);
	i = find_sig(ls, digest);
	if (so->mode == MODE_ADD) {
		if (i >= 0) {
			error("loader %s already has a signature for payload %s",
			      so->loader, so->payload);
			die("(entry %d, sha256 %s; -r or --replace replaces it)", i, hex);
		}
		if (ls->n >= HORNET_MAX_SIGS)
			die("loader %s already carries %u signatures, the most a table holds",
			    so->loader, ls->n);
		return ls->n;
	}
	if (i < 0)
		die("loader %s has no signature for payload %s (sha256 %s)%s",
		    so->loader, so->payload, hex,
		    so->mode == MODE_REMOVE ? "" : "; --add adds one");
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
 * bytes followed by the edited set of signatures (write_sigs()).  Every
 * failure dies, and the temporary files go with it (output.c).
 *
 * Return: 0, or EXIT_REJECT when OpenSSL cannot fetch the digest.
 */
static int do_sign(const struct sign_opts *so)
{
	struct outfile *out = NULL, *p7s = NULL;
	const char *dest = so->dest ? so->dest : so->loader;
	bool removing = so->mode == MODE_REMOVE;
	struct loader_sigs ls = { 0 };
	size_t payload_len, der_len = 0;
	__u8 digest[SHA256_LEN];
	__u8 *payload, *der = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	EVP_MD *md = NULL;
	unsigned int slot = 0;
	struct stat st = { 0 };
	int fd = -1;

	if (!removing) {
		md = get_digest(so->hash);
		if (!md)
			return EXIT_REJECT;
	}
	payload = read_file(so->payload, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	sha256_of(payload, payload_len, digest);
	if (!removing) {
		cert = load_cert(so->cert);
		if (so->use_keyid && !X509_get0_subject_key_id(cert))
			die("-k: certificate %s has no subject key identifier", so->cert);
		pkey = load_key(so->key);
		if (X509_check_private_key(cert, pkey) != 1) {
			ERR_clear_error();
			die("key %s and certificate %s do not match (key/cert mismatch)",
			    so->key, so->cert);
		}
	}

	if (!so->detached_only) {
		fd = open_loader(so->loader, &st, &ls);
		slot = plan_edit(so, &ls, digest, cert);
	}

	if (!removing) {
		der = sign_payload(pkey, cert, md, payload, payload_len, so->use_keyid,
				   &der_len);
		/*
		 * Check our own output the way the kernel will: catches keys
		 * the kernel cannot use (Ed25519, RSA-PSS) and faulty tokens
		 * before anything is written.
		 */
		if (!check_cms(dest, der, der_len, cert, payload, payload_len)) {
			error("the new signature would not be accepted by the kernel");
			die("nothing written");
		}
	}

	if (so->detached_only || so->keep_p7s)
		p7s = write_p7s(dest, der, der_len);
	if (!so->detached_only) {
		apply_edit(&ls, slot, digest, der, der_len);
		der = NULL;
		out = out_open(dest, st.st_mode & 07777);
		/* chown() clears set-user-ID bits: set the mode again after it. */
		if (!so->dest && geteuid() == 0 &&
		    (fchown(out->fd, st.st_uid, st.st_gid) < 0 ||
		     fchmod(out->fd, st.st_mode & 07777) < 0))
			die("cannot set the owner of %s: %s", out->tmp, strerror(errno));
		copy_prefix(fd, so->loader, ls.keep, out);
		write_sigs(out, &ls);
	}
	/* Everything is written; only renames remain. */
	if (p7s)
		out_commit(p7s);
	if (out)
		out_commit(out);
	if (fd >= 0)
		close(fd);
	free_sigs(&ls);
	free(der);
	free(payload);
	EVP_PKEY_free(pkey);
	X509_free(cert);
	EVP_MD_free(md);
	return 0;
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
 * and the errno the kernel would return.  Dies when a file cannot be read
 * or the certificate parsed.
 *
 * Return: 0 when the kernel would accept, EXIT_REJECT otherwise.
 */
static int do_verify(const char *cert_path, const char *payload_path,
		     const char *loader)
{
	char hex[2 * SHA256_LEN + 1], where[64] = "";
	__u8 digest[SHA256_LEN];
	const char *why = NULL;
	struct loader_sigs ls;
	__u8 *payload, *der;
	struct sig_slot *s;
	size_t payload_len;
	int ret = EXIT_REJECT, fd, i = 0;
	struct stat st;
	X509 *cert;

	fd = open(loader, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open loader %s: %s", loader, strerror(errno));
	cert = load_cert(cert_path);
	payload = read_file(payload_path, "payload", HORNET_MAX_PAYLOAD, &payload_len);
	sha256_of(payload, payload_len, digest);
	switch (parse_loader(fd, st.st_size, &ls, &why)) {
	case TRAILER_NONE:
		reject(loader, "ENODATA", "no Hornet signature");
		goto out;
	case TRAILER_BAD:
		reject(loader, "EBADMSG", "malformed %s: %s",
		       ls.format == FMT_TABLE ? "signature table" : "trailer", why);
		goto out;
	case TRAILER_IOERR:
		die("cannot read loader %s: %s", loader, why);
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
	der = malloc(s->len);
	if (!der)
		die("out of memory");
	if (read_full(fd, der, s->len, s->off) < 0)
		die("cannot read loader %s: %s", loader, strerror(errno));
	if (check_cms(loader, der, s->len, cert, payload, payload_len)) {
		printf("%s: OK (signature by the given certificate over %zu payload bytes%s)\n",
		       loader, payload_len, where);
		ret = 0;
	}
	free(der);
out:
	close(fd);
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
 * or table is reported with the kernel's rule it breaks.  Dies when the
 * loader cannot be read, ends in a malformed trailer or table, or the
 * list cannot be written.
 *
 * Return: 0.
 */
static int do_list(const char *loader)
{
	char hex[2 * SHA256_LEN + 1];
	const char *why = NULL;
	struct loader_sigs ls;
	unsigned int i;
	struct stat st;
	int fd;

	fd = open(loader, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("cannot open loader %s: %s", loader, strerror(errno));
	switch (parse_loader(fd, st.st_size, &ls, &why)) {
	case TRAILER_NONE:
	case TRAILER_OK:
		break;
	case TRAILER_IOERR:
		die("cannot read loader %s: %s", loader, why);
	case TRAILER_BAD:
		die("loader %s ends with a malformed Hornet signature%s (%s)", loader,
		    ls.format == FMT_TABLE ? " table" : "", why);
	}
	close(fd);
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
	if (fflush(stdout) == EOF)
		die("cannot write the list: %s", strerror(errno));
	return 0;
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
	bool opts;

	out_init();

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
