/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture most Hornet selftests share, "hornet".
 *
 * Hornet checks a PKCS#7 signature appended to the executable of the task
 * that calls BPF_PROG_LOAD. Every test therefore runs a *copy* of a loader
 * program (built and signed at build time, or crafted from the signed copy
 * at run time) and reads the verdict from the loader's exit status, which
 * is the errno of the step that failed.
 *
 * The companions (hornet_counter_loader*, hornet_counter.payload) are found
 * next to the test's executable (self->dir); crafted copies go to a fresh
 * directory under $HORNET_TMPDIR (default /tmp), self->tmp. Sparse holes
 * keep the huge copies cheap. Include it after common.h.
 */
#ifndef HORNET_SELFTEST_FIXTURE_H
#define HORNET_SELFTEST_FIXTURE_H

FIXTURE(hornet) {
	char dir[1024];
	char tmp[1024];
	struct meminfo before, after;
};

FIXTURE_SETUP(hornet)
{
	if (!hornet_active())
		SKIP(return, "Hornet is not an active LSM");
	ASSERT_EQ(0, exe_dir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, make_tmpdir(self->tmp, sizeof(self->tmp)));
}

FIXTURE_TEARDOWN(hornet)
{
	remove_tmpdir(self->tmp);
}

#endif /* HORNET_SELFTEST_FIXTURE_H */
