// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_hostile: a client that misbehaves on purpose, to show that goslab
 * reports what it does and keeps working.  attack= picks the misdeed:
 *
 *   overflow  write 4 bytes past the requested size, then free
 *             (debug mode Z reports it at the free)
 *   uaf       write into an object after freeing it, then allocate until
 *             the slot comes back (debug mode P reports it there)
 *
 * Each prints "goslab_hostile: <attack> at <address>" first, so a test can
 * match goslab's report against it.  The module always loads.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <goslab.h>

static char *attack = "overflow";
module_param(attack, charp, 0444);
MODULE_PARM_DESC(attack, "overflow or uaf");

static void do_overflow(void)
{
	u8 *p = goslab_alloc(100, GFP_KERNEL);

	if (!p)
		return;
	pr_info("goslab_hostile: overflow at %px\n", p + 100);
	/* Deliberately past the 100 bytes asked for, inside the 112 slot. */
	memset(p + 100, 'x', 4);
	goslab_free(p);
}

static void do_uaf(void)
{
	const unsigned int nr = 256;
	u8 *p = goslab_alloc(200, GFP_KERNEL);
	void **objs;
	unsigned int i;

	if (!p)
		return;
	goslab_free(p);
	pr_info("goslab_hostile: uaf at %px\n", p + 10);
	/* Deliberately after the free. */
	WRITE_ONCE(p[10], 0x42);
	objs = kcalloc(nr, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return;
	for (i = 0; i < nr; i++) {
		objs[i] = goslab_alloc(200, GFP_KERNEL);
		if (objs[i] == p)
			break;
	}
	for (; (int)i >= 0; i--)
		if (i < nr)
			goslab_free(objs[i]);
	kfree(objs);
}

static int __init goslab_hostile_init(void)
{
	if (!strcmp(attack, "overflow"))
		do_overflow();
	else if (!strcmp(attack, "uaf"))
		do_uaf();
	else
		return -EINVAL;
	return 0;
}

static void __exit goslab_hostile_exit(void)
{
}

module_init(goslab_hostile_init);
module_exit(goslab_hostile_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab hostile client: misuse that goslab must report");
