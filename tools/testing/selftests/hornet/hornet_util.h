/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the Hornet selftests and their loaders: writing a whole buffer,
 * and the failure line "<program>: <step>: <ERRNO> (<n>)" that the tests
 * match. A loader defines HORNET_LOADER_NAME before including it; without
 * it, the program's own name is printed.
 */
#ifndef HORNET_UTIL_H
#define HORNET_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef HORNET_LOADER_NAME
#define HORNET_LOADER_NAME program_invocation_short_name
#endif

/* Write all @len bytes of @buf to @fd: 0 or a negative errno. */
static inline int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Print "<loader>: <step>: <ERRNO> (<n>)" and return the errno (EIO if 0);
 * @err may be negative.
 */
static inline int fail(const char *step, int err)
{
	if (err < 0)
		err = -err;
	if (!err)
		err = EIO;
	printf("%s: %s: %s (%d)\n", HORNET_LOADER_NAME, step,
	       strerrorname_np(err) ?: "?", err);
	fflush(stdout);
	return err;
}

#endif /* HORNET_UTIL_H */
