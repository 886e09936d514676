/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the Hornet selftest loaders: make the N-th fault
 * site that the calling thread passes in one system call fail, through
 * /proc/thread-self/fail-nth (Documentation/fault-injection/
 * fault-injection.rst). Which sites count (slab and page allocations,
 * hornet_read_exe()) is set up in debugfs by hornet_fault_test; only this
 * thread is affected.
 *
 * A loop arms N = 1, 2, ... before the same system call until a call
 * passes fewer than N sites: that call ran without a fault and must
 * succeed. Every other call must succeed or fail with an errno of @ok.
 */
#ifndef HORNET_FAULT_H
#define HORNET_FAULT_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* More sites than any one load or run passes: the loop ends before. */
#define FAULT_MAX_SITES	100000

static int fault_fd = -1;

/* Arm the @n-th fault site of this thread: 0, or a negative errno. */
static inline int fault_arm(unsigned int n)
{
	char buf[16];
	int len;

	if (fault_fd < 0) {
		fault_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (fault_fd < 0)
			return -errno;
	}
	len = snprintf(buf, sizeof(buf), "%u", n);
	return pwrite(fault_fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * Disarm: 1 if the armed fault was injected (the count reached 0), 0 if
 * the call passed fewer sites, or a negative errno.
 */
static inline int fault_disarm(void)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(fault_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	if (pwrite(fault_fd, "0", 1, 0) != 1)
		return -errno;
	return strtoul(buf, NULL, 10) == 0;
}

/* Outcomes of a fault loop, by errno (0: success). */
struct fault_counts {
	unsigned int sites;	/* faults injected */
	unsigned int n[134];	/* by errno; index 0 counts successes */
	unsigned int other;	/* errnos beyond the table */
	char odd[1024];		/* "SITE:ERRNO" of each unexpected outcome */
	size_t odd_len;
};

/* Is @err (0, or a negative errno) none of success and @ok (0-terminated)? */
static inline bool fault_odd(int err, const int *ok)
{
	if (err < 0)
		err = -err;
	while (err && *ok && *ok != err)
		ok++;
	return err && !*ok;
}

/* Count the outcome @err of fault site @site. */
static inline void fault_count(struct fault_counts *c, unsigned int site,
			       int err, const int *ok)
{
	if (err < 0)
		err = -err;
	c->sites++;
	if (err < (int)ARRAY_SIZE(c->n))
		c->n[err]++;
	else
		c->other++;
	if (fault_odd(err, ok) && c->odd_len < sizeof(c->odd) - 32)
		c->odd_len += snprintf(c->odd + c->odd_len,
				       sizeof(c->odd) - c->odd_len, " %u:%s",
				       site, strerrorname_np(err) ?: "?");
}

/*
 * Print the kernel's stack for each injected fault (verbose 2) or
 * nothing (0): a loop replays an unexpected outcome once with it on, so
 * that the console names the site.
 */
static inline void fault_verbose(bool on)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc",
					     "fail_function" };
	char path[80];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose",
			 attrs[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, on ? "2" : "0", 1) != 1)
			perror(path);
		close(fd);
	}
}

/*
 * Print "<who>: faults <what>: <sites> sites: ok=a ENOMEM=b ..." and
 * return 0 if every outcome is a success or an errno of @ok, else
 * EXIT_FAULT_ERRNO.
 */
#define EXIT_FAULT_ERRNO	248

static inline int fault_report(const char *who, const char *what,
			       const struct fault_counts *c)
{
	unsigned int e;

	printf("%s: faults %s: %u sites: ok=%u", who, what, c->sites, c->n[0]);
	for (e = 1; e < ARRAY_SIZE(c->n); e++)
		if (c->n[e])
			printf(" %s=%u", strerrorname_np(e) ?: "?", c->n[e]);
	if (c->other)
		printf(" other=%u", c->other);
	if (c->odd_len || c->other)
		printf(" (unexpected at site:errno%s)", c->odd);
	printf("\n");
	fflush(stdout);
	return c->odd_len || c->other ? EXIT_FAULT_ERRNO : 0;
}

#endif /* HORNET_FAULT_H */
