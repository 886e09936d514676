// SPDX-License-Identifier: GPL-2.0
/*
 * Hornet selftests: the keyrings. Keys that join the secondary trusted
 * keyring at run time, certificates that cannot join, blacklisted and
 * revoked signers, a blacklisted payload.
 */
#include "common.h"
#include "hornet_fixture.h"

/*
 * Keyrings (lab/keys.sh). The kernel trusts the signing CA. A key that CA
 * signed is refused until its certificate joins .secondary_trusted_keys
 * at run time, and accepted after. A certificate no trusted key signed
 * cannot join, nor can a blacklisted one (CONFIG_SYSTEM_BLACKLIST_HASH_LIST
 * "tbs:" entry), whose signatures stay refused. A payload whose digest is
 * blacklisted ("bin:") is refused although validly signed.
 */
TEST_F(hornet, keyring_secondary_key_joins)
{
	char path[PATH_MAX];
	struct run_result res;
	long keyring = secondary_keyring();

	ASSERT_LT(0, keyring) {
		TH_LOG("no .secondary_trusted_keys in /proc/keys");
	}
	companion(path, sizeof(path), self->dir, LOADER ".secondary");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENOKEY, &res);
	ASSERT_EQ(0, add_cert(self->dir, "secondary_cert.der", keyring));
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, 0, &res);
}

TEST_F(hornet, keyring_untrusted_cert_cannot_join)
{
	long keyring = secondary_keyring();

	ASSERT_LT(0, keyring);
	ASSERT_EQ(-ENOKEY, add_cert(self->dir, "untrusted_cert.der", keyring));
}

TEST_F(hornet, keyring_blacklisted_signer_refused)
{
	char path[PATH_MAX];
	struct run_result res;
	long keyring = secondary_keyring();

	ASSERT_LT(0, keyring);
	ASSERT_EQ(-EKEYREJECTED,
		  add_cert(self->dir, "blacklisted_cert.der", keyring));
	companion(path, sizeof(path), self->dir, LOADER ".blacklisted");
	run_logged(_metadata, &res, NULL, NULL, path, "run", NULL);
	expect_errno(_metadata, ENOKEY, &res);
}

TEST_F(hornet, keyring_blacklisted_payload_refused)
{
	char path[PATH_MAX];
	struct run_result res;

	snprintf(path, sizeof(path), "%s/raw/blacklisted_payload.signed",
		 self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "blacklisted_payload",
		   NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

/*
 * Signed by a key the signing CA signed and that has joined
 * .secondary_trusted_keys, but whose certificate is on the revocation list
 * (CONFIG_SYSTEM_REVOCATION_KEYS): refused.
 */
TEST_F(hornet, keyring_revoked_signer_refused)
{
	char path[PATH_MAX];
	struct run_result res;
	long keyring = secondary_keyring();

	ASSERT_LT(0, keyring);
	ASSERT_EQ(0, add_cert(self->dir, "revoked_cert.der", keyring));
	snprintf(path, sizeof(path), "%s/raw/map_fd.revoked", self->dir);
	run_logged(_metadata, &res, NULL, NULL, path, "map_fd", NULL);
	expect_errno(_metadata, EKEYREJECTED, &res);
}

TEST_HARNESS_MAIN
