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

/* Temporary files to remove if we die from a signal or an error. */
static struct outfile *live_outputs[2];

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
 * out_init() - remove the temporary files when SIGINT, SIGTERM or SIGHUP
 *	kills sign-ebpf
 */
void out_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
int out_open(struct outfile *o, const char *final, mode_t mode)
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
int out_write(struct outfile *o, const void *buf, size_t len)
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
int out_commit(struct outfile *o)
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
void out_abort(struct outfile *o)
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
void out_free(struct outfile *o)
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
int copy_prefix(int fd, const char *path, off_t len, struct outfile *o)
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
