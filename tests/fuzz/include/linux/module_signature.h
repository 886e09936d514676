/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 12-byte record of the module-signing trailer (see hornet.h and
 * Documentation/security/hornet.rst), with the kernel's field names.
 */
#ifndef HORNET_FUZZ_LINUX_MODULE_SIGNATURE_H
#define HORNET_FUZZ_LINUX_MODULE_SIGNATURE_H

#include <linux/types.h>

#define PKEY_ID_PKCS7 2

struct module_signature {
	u8 algo;
	u8 hash;
	u8 id_type;
	u8 signer_len;
	u8 key_id_len;
	u8 __pad[3];
	__be32 sig_len;
};

#endif
