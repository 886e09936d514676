// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hornet: /sys/kernel/security/hornet/, the one-way enforcing switch, the
 * success audit switch and the counters.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "hornet_lsm.h"

static ssize_t hornet_bool_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos, bool value)
{
	char tmp[2] = { value ? '1' : '0', '\n' };

	return simple_read_from_buffer(buf, count, ppos, tmp, sizeof(tmp));
}

static int hornet_bool_parse(const char __user *buf, size_t count,
			     bool *value)
{
	if (!capable(CAP_MAC_ADMIN))
		return -EPERM;
	return kstrtobool_from_user(buf, count, value);
}

static ssize_t hornet_enforce_read(struct file *file, char __user *buf,
				   size_t count, loff_t *ppos)
{
	return hornet_bool_read(file, buf, count, ppos, hornet_enforcing());
}

/*
 * Writing 1 switches enforcing mode on; writing 0 once it is on fails
 * with EPERM and changes nothing, as for module.sig_enforce.
 */
static ssize_t hornet_enforce_write(struct file *file, const char __user *buf,
				    size_t count, loff_t *ppos)
{
	bool on;
	int err;

	err = hornet_bool_parse(buf, count, &on);
	if (err)
		return err;
	if (!on)
		return hornet_enforcing() ? -EPERM : count;
	err = hornet_set_enforcing();
	return err ?: count;
}

static const struct file_operations hornet_enforce_fops = {
	.read = hornet_enforce_read,
	.write = hornet_enforce_write,
	.llseek = generic_file_llseek,
};

static ssize_t hornet_success_audit_read(struct file *file, char __user *buf,
					 size_t count, loff_t *ppos)
{
	return hornet_bool_read(file, buf, count, ppos, hornet_success_audit());
}

static ssize_t hornet_success_audit_write(struct file *file,
					  const char __user *buf, size_t count,
					  loff_t *ppos)
{
	bool on;
	int err;

	err = hornet_bool_parse(buf, count, &on);
	if (err)
		return err;
	hornet_set_success_audit(on);
	return count;
}

static const struct file_operations hornet_success_audit_fops = {
	.read = hornet_success_audit_read,
	.write = hornet_success_audit_write,
	.llseek = generic_file_llseek,
};

static int hornet_counters_open(struct inode *inode, struct file *file)
{
	return single_open(file, hornet_counters_show, NULL);
}

static const struct file_operations hornet_counters_fops = {
	.open = hornet_counters_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init hornet_securityfs_init(void)
{
	struct dentry *dir, *f;

	if (!hornet_enabled)
		return 0;
	dir = securityfs_create_dir("hornet", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	f = securityfs_create_file("enforce", 0600, dir, NULL,
				   &hornet_enforce_fops);
	if (IS_ERR(f))
		goto err;
	f = securityfs_create_file("success_audit", 0600, dir, NULL,
				   &hornet_success_audit_fops);
	if (IS_ERR(f))
		goto err;
	f = securityfs_create_file("counters", 0444, dir, NULL,
				   &hornet_counters_fops);
	if (IS_ERR(f))
		goto err;
	return 0;
err:
	securityfs_recursive_remove(dir);
	return PTR_ERR(f);
}

fs_initcall(hornet_securityfs_init);
