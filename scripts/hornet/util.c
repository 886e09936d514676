// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf: messages, reading files, SHA-256
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "sign-ebpf.h"

static void verror(const char *fmt, va_list ap)
{
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/**
 * error() - print "sign-ebpf: <message>" on stderr
 * @fmt: printf format of the message, without the trailing newline
 */
void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
}

/**
 * ossl_errors() - print and clear OpenSSL's error queue
 *
 * Each queued error is printed on its own line below the plain-language
 * message printed before it.
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
 * die() - print "sign-ebpf: <message>" on stderr and exit with EXIT_REJECT
 * @fmt: printf format of the message, without the trailing newline
 *
 * The atexit() handler of output.c removes the temporary files of the
 * outputs not yet committed; the destinations are untouched.
 */
void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	exit(EXIT_REJECT);
}

/**
 * die_ossl() - die(), printing OpenSSL's error queue below the message
 * @fmt: printf format of the message, without the trailing newline
 */
void die_ossl(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	ossl_errors();
	exit(EXIT_REJECT);
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
int read_full(int fd, void *buf, size_t len, off_t off)
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
 * Reads with read(2) until end of file, so pipes work too.  Dies when the
 * file cannot be opened or read, is empty or is larger than @cap, or when
 * memory runs out.
 *
 * Return: a malloc()ed buffer of *@lenp bytes.
 */
__u8 *read_file(const char *path, const char *what, size_t cap,
		size_t *lenp)
{
	size_t len = 0, size = 4096;
	__u8 *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s %s: %s", what, path, strerror(errno));
	buf = malloc(size);
	if (!buf)
		die("out of memory reading %s %s", what, path);
	for (;;) {
		ssize_t n;

		if (len == size) {
			if (size > cap)
				die("%s %s is larger than %zu bytes", what, path, cap);
			size *= 2;
			buf = realloc(buf, size);
			if (!buf)
				die("out of memory reading %s %s", what, path);
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read %s %s: %s", what, path, strerror(errno));
		if (n == 0)
			break;
		len += n;
	}
	if (len > cap)
		die("%s %s is larger than %zu bytes", what, path, cap);
	if (len == 0)
		die("%s %s is empty", what, path);
	close(fd);
	*lenp = len;
	return buf;
}

/**
 * sha256_of() - SHA-256 of a buffer, with OpenSSL's EVP interface
 * @buf: bytes
 * @len: number of bytes
 * @digest: out: SHA256_LEN bytes
 *
 * Dies when OpenSSL cannot compute it.
 */
void sha256_of(const __u8 *buf, size_t len, __u8 *digest)
{
	unsigned int n = 0;

	if (EVP_Digest(buf, len, digest, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_LEN)
		die_ossl("cannot compute a SHA-256 digest");
}

/**
 * to_hex() - lower-case hexadecimal form of a SHA-256 digest
 * @digest: SHA256_LEN bytes
 * @hex: out: 2 * SHA256_LEN + 1 bytes, NUL-terminated
 */
void to_hex(const __u8 *digest, char *hex)
{
	static const char xd[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = xd[digest[i] >> 4];
		hex[2 * i + 1] = xd[digest[i] & 15];
	}
	hex[2 * SHA256_LEN] = '\0';
}

/**
 * reject() - report why the kernel would refuse a signed loader
 * @loader: loader path
 * @err: name of the errno the kernel returns (see Hornet.rst)
 * @fmt: printf format of the reason
 */
void reject(const char *loader, const char *err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s: REJECTED (kernel: %s): ", loader, err);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
