// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: hornet_check_attr(), hornet_payload_size() and
 * hornet_payload_hdr() of security/hornet/hornet_parse.c, built for
 * userspace.
 *
 * Input: le32 insn_cnt, le32 nr_maps, then one le64 map size for each of
 * the first min(nr_maps, HORNET_MAX_MAPS + 1) maps, then the bytes of a
 * union bpf_attr (zeros where the input ends).
 *
 * Checked: hornet_payload_size() succeeds exactly when there are at most
 * HORNET_MAX_MAPS maps and the instructions and map contents total at most
 * HORNET_MAX_SIGNED bytes (summed without overflow here), and then returns
 * the exact payload length; it reads no size past nr_maps (the array is
 * its own allocation, one entry longer than the limit, so reading further
 * for a larger nr_maps is an ASan report). hornet_check_attr() accepts
 * exactly the attributes of a light-skeleton loader: the type
 * BPF_PROG_TYPE_SYSCALL, no flag but BPF_F_SLEEPABLE, and every field it
 * documents as refused zero; fields it documents as not refused change
 * nothing. hornet_payload_hdr() writes its 32 documented bytes.
 */
#include <errno.h>
#include <linux/bpf.h>

#include "fuzz.h"
#include "hornet.h"

/* The fields hornet_check_attr() documents as refused, all zero? */
static bool refused_fields_zero(const union bpf_attr *a)
{
	return !a->expected_attach_type && !a->attach_btf_id &&
	       !a->attach_prog_fd && !a->prog_btf_fd &&
	       !a->func_info_rec_size && !a->func_info &&
	       !a->func_info_cnt && !a->line_info_rec_size &&
	       !a->line_info && !a->line_info_cnt && !a->core_relo_cnt &&
	       !a->core_relos && !a->core_relo_rec_size &&
	       !a->prog_ifindex && !a->kern_version;
}

static void check_attr(const union bpf_attr *attr)
{
	union bpf_attr only = {};
	const char *why = NULL;
	bool loader;
	int err;

	err = hornet_check_attr(attr, &why);
	loader = attr->prog_type == BPF_PROG_TYPE_SYSCALL &&
		 !(attr->prog_flags & ~BPF_F_SLEEPABLE) &&
		 refused_fields_zero(attr);
	CHECK(err == 0 || err == -EPERM, "check_attr returned %d", err);
	CHECK(!err == loader, "check_attr %d for a %sloader", err,
	      loader ? "" : "non-");
	CHECK(err ? why != NULL : why == NULL, "reason %p with %d", why, err);

	/* The fields that are not refused, alone, are accepted. */
	only.prog_type = BPF_PROG_TYPE_SYSCALL;
	only.prog_flags = attr->prog_flags & BPF_F_SLEEPABLE;
	only.insn_cnt = attr->insn_cnt;
	only.insns = attr->insns;
	only.license = attr->license;
	only.log_level = attr->log_level;
	only.log_size = attr->log_size;
	only.log_buf = attr->log_buf;
	memcpy(only.prog_name, attr->prog_name, sizeof(only.prog_name));
	only.fd_array = attr->fd_array;
	why = NULL;
	CHECK(!hornet_check_attr(&only, &why) && !why,
	      "loader attributes refused: %s", why);
}

static void check_hdr(const union bpf_attr *attr, u32 nr_maps)
{
	struct hornet_payload_hdr *hdr = malloc(sizeof(*hdr));
	const u8 *p = (const u8 *)hdr;

	CHECK(hdr, "out of memory");
	hornet_payload_hdr(hdr, attr, nr_maps);
	CHECK(!memcmp(p, "HORNETPL", 8) && get_le32p(p + 8) == 1 &&
	      get_le32p(p + 12) == attr->prog_type &&
	      get_le32p(p + 16) == attr->expected_attach_type &&
	      get_le32p(p + 20) == attr->prog_flags &&
	      get_le32p(p + 24) == attr->insn_cnt &&
	      get_le32p(p + 28) == nr_maps, "header bytes");
	free(hdr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u32 insn_cnt, nr_maps, given, i;
	unsigned __int128 total;
	union bpf_attr attr;
	u64 *sizes, len = 0x5a5a5a5a5a5a5a5aULL;
	const char *why = NULL;
	bool fits;
	int err;

	insn_cnt = fuzz_le32(&in);
	nr_maps = fuzz_le32(&in);
	given = nr_maps < HORNET_MAX_MAPS + 1 ? nr_maps : HORNET_MAX_MAPS + 1;
	sizes = malloc((given ? given : 1) * sizeof(*sizes));
	CHECK(sizes, "out of memory");
	total = (unsigned __int128)insn_cnt * sizeof(struct bpf_insn);
	for (i = 0; i < given; i++) {
		sizes[i] = fuzz_le64(&in);
		total += sizes[i];
	}
	fuzz_take(&in, &attr, sizeof(attr));

	err = hornet_payload_size(insn_cnt, sizes, nr_maps, &len, &why);
	fits = nr_maps <= HORNET_MAX_MAPS && total <= HORNET_MAX_SIGNED;
	CHECK(err == 0 || err == -E2BIG, "payload_size returned %d", err);
	CHECK(!err == fits, "payload_size %d, %u maps, %llu bytes signed", err,
	      nr_maps, total > ~0ULL ? ~0ULL : (unsigned long long)total);
	if (err) {
		CHECK(why && len == 0x5a5a5a5a5a5a5a5aULL,
		      "error without a reason or with a length");
	} else {
		CHECK(len == sizeof(struct hornet_payload_hdr) +
			     (u64)nr_maps * sizeof(struct hornet_payload_map) +
			     (u64)insn_cnt * sizeof(struct bpf_insn),
		      "length %llu", (unsigned long long)len);
		CHECK(len <= sizeof(struct hornet_payload_hdr) +
			     HORNET_MAX_MAPS * sizeof(struct hornet_payload_map) +
			     HORNET_MAX_SIGNED, "length %llu over the bound",
		      (unsigned long long)len);
	}

	check_attr(&attr);
	check_hdr(&attr, nr_maps);
	free(sizes);
	return 0;
}
