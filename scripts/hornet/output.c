// SPDX-License-Identifier: GPL-2.0-only
/*
 * sign-ebpf: every output is written to a temporary file in the
 * destination's directory, flushed with fsync() and renamed over the
 * destination, so an interrupted or failed run never leaves a half-written
 * loader behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign-ebpf.h"

/*
 * The outputs of this run, a loader and a .p7s file at the most.  Until
 * out_commit() renames an output into place, its temporary file is
 * removed at exit and when a signal kills sign-ebpf.
 */
static struct outfile outputs[2];
static unsigned int nr_outputs;

/**
 * remove_temps() - remove the temporary files of the outputs not committed
 *
 * The atexit() handler, and called from on_signal(): async-signal-safe,
 * it only calls unlink().
 */
static void remove_temps(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(outputs); i++)
		if (outputs[i].tmp)
			unlink(outputs[i].tmp);
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
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

/**
 * out_init() - remove the temporary files at exit, and when SIGINT,
 *	SIGTERM or SIGHUP kills sign-ebpf
 */
void out_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(remove_temps);
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
 * @final: destination path; a symbolic link is followed so that the file it
 *	   names is replaced, not the link
 * @mode: permission bits for the new file
 *
 * The temporary file is created with mkstemp() next to the destination so
 * that rename() is atomic.  A read-only or full file system fails here or
 * in out_write(), before the destination is touched.  Dies when the
 * temporary file cannot be created or given @mode, or memory runs out.
 *
 * Return: the output, one of outputs[].
 */
struct outfile *out_open(const char *final, mode_t mode)
{
	struct outfile *o;
	char *real, *dir, *tmp;
	int err;

	if (nr_outputs == ARRAY_SIZE(outputs))
		die("internal error: more than %zu outputs", ARRAY_SIZE(outputs));
	o = &outputs[nr_outputs++];
	o->fd = -1;
	real = realpath(final, NULL);
	o->final = real ? real : strdup(final);
	dir = o->final ? dir_of(o->final) : NULL;
	if (!dir || asprintf(&tmp, "%s/.sign-ebpf.XXXXXX", dir) < 0)
		die("out of memory");
	/* Known to remove_temps() before the file exists. */
	o->tmp = tmp;
	o->fd = mkstemp(o->tmp);
	if (o->fd < 0) {
		err = errno;
		o->tmp = NULL;
		die("cannot create a temporary file in %s for %s: %s%s", dir, o->final,
		    strerror(err), err == EROFS ? " (read-only destination)" : "");
	}
	free(dir);
	if (fchmod(o->fd, mode) < 0)
		die("cannot set the mode of %s: %s", o->tmp, strerror(errno));
	return o;
}

/**
 * write_error() - die of a failed write on an output
 * @o: output file
 * @err: errno value
 */
static void __noreturn write_error(struct outfile *o, int err)
{
	die("cannot write %s (temporary %s): %s%s", o->final, o->tmp,
	    strerror(err), err == ENOSPC ? " (disk full)" :
	    err == EROFS ? " (read-only destination)" : "");
}

/**
 * out_write() - append bytes to an output
 * @o: output file
 * @buf: bytes
 * @len: number of bytes
 *
 * Dies when a write fails (ENOSPC: disk full).
 */
void out_write(struct outfile *o, const void *buf, size_t len)
{
	const __u8 *p = buf;

	while (len) {
		ssize_t n = write(o->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			write_error(o, errno);
		p += n;
		len -= n;
	}
}

/**
 * out_commit() - flush, close and rename an output into place
 * @o: output file
 *
 * The data is fsync()ed before the rename and the directory after it, so
 * after a crash the destination is either the old file or the new one.
 * Dies when the flush, the close or the rename fails.
 */
void out_commit(struct outfile *o)
{
	off_t end;
	char *dir, *tmp;
	int dfd;

	end = lseek(o->fd, 0, SEEK_CUR);
	if (end < 0 || ftruncate(o->fd, end) < 0 || fsync(o->fd) < 0)
		write_error(o, errno);
	if (close(o->fd) < 0)
		write_error(o, errno);
	o->fd = -1;
	if (rename(o->tmp, o->final) < 0)
		die("cannot replace %s: %s%s", o->final, strerror(errno),
		    errno == EROFS ? " (read-only destination)" :
		    errno == EPERM ? " (immutable or append-only destination?)" : "");
	tmp = o->tmp;
	o->tmp = NULL;
	free(tmp);
	dir = dir_of(o->final);
	dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
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
 * stays sparse and does not fill the disk.  Dies when a read or a write
 * fails, or the file is shorter than @len.
 */
void copy_prefix(int fd, const char *path, off_t len, struct outfile *o)
{
	static __u8 buf[COPY_BUF_SIZE];
	off_t off = 0;

	while (off < len) {
		size_t want = len - off < (off_t)sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("cannot read loader %s: %s", path,
			    n < 0 ? strerror(errno) : "file shrank while signing");
		if (buf[0] == 0 && !memcmp(buf, buf + 1, n - 1)) {
			if (lseek(o->fd, n, SEEK_CUR) < 0)
				write_error(o, errno);
		} else {
			out_write(o, buf, n);
		}
		off += n;
	}
}
