// SPDX-License-Identifier: GPL-2.0
/*
 * goslab_deferred: frees goslab cannot do at once, on a stock kernel.
 *
 * NMI (x86): an NMI handler (register_nmi_handler()) frees objects of
 * every kind in a real NMI, raised by an NMI IPI to this CPU sent with
 * interrupts off: the objects must still be live when the NMI is over and
 * interrupts are still off (the frees are deferred), and freed once
 * interrupts are on again.  RCU: goslab_free_rcu() and the head-less form,
 * then goslab_rcu_barrier(): all freed; and objects left queued at load,
 * for the guest script to unload goslab under (the unload must wait for
 * them, not report them leaked).  Each check prints
 * "goslab_deferred: PASS name" or "FAIL name: why"; the load fails with
 * -EIO if any check failed.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/rcupdate.h>
#include <linux/smp.h>
#include <linux/slab.h>
#ifdef CONFIG_X86_LOCAL_APIC
#include <asm/apic.h>
#include <asm/nmi.h>
#endif

#include <goslab.h>

#include "gs_check.h"

static unsigned int rcu_left = 3000;
module_param(rcu_left, uint, 0444);
MODULE_PARM_DESC(rcu_left, "objects left queued for an RCU free at load");

struct gd_obj {
	struct rcu_head rcu;
	u8 data[48];
};

#ifdef CONFIG_X86_LOCAL_APIC

#define GD_ROUNDS	16
#define GD_KINDS	6

static void *gd_objs[GD_ROUNDS][GD_KINDS];
static int gd_round = -1;		/* the round the next NMI frees */
static int gd_cpu;			/* the CPU it is sent to */
static bool gd_was_nmi[GD_ROUNDS];
static bool gd_live_in_nmi[GD_ROUNDS];

static int gd_nmi(unsigned int type, struct pt_regs *regs)
{
	int r = READ_ONCE(gd_round);
	unsigned int k;
	bool live = true;

	if (r < 0 || smp_processor_id() != READ_ONCE(gd_cpu))
		return NMI_DONE;
	gd_was_nmi[r] = in_nmi();
	for (k = 0; k < GD_KINDS; k++)
		goslab_free(gd_objs[r][k]);
	for (k = 0; k < GD_KINDS; k++)
		live &= goslab_owns(gd_objs[r][k]);
	gd_live_in_nmi[r] = live;
	WRITE_ONCE(gd_round, -1);
	return NMI_HANDLED;
}

static void *gd_alloc(unsigned int k)
{
	static const size_t sizes[GD_KINDS] = { 24, 200, 5, 1000, 5000, 40000 };

	return k == 2 ? goslab_alloc_noscan(sizes[k], GFP_KERNEL) :
			goslab_alloc(sizes[k], GFP_KERNEL);
}

/* Is every object of round @r freed?  Waits up to a second for it. */
static bool gd_freed(int r)
{
	unsigned int k, tries;

	for (tries = 0; tries < 1000; tries++) {
		for (k = 0; k < GD_KINDS; k++)
			if (goslab_owns(gd_objs[r][k]))
				break;
		if (k == GD_KINDS)
			return true;
		usleep_range(1000, 2000);
	}
	return false;
}

static void gd_nmi_test(void)
{
	unsigned int k, spins, arrived = 0, deferred = 0, freed = 0, nmi = 0;
	unsigned long flags;
	bool still_live;
	int r, err;

	for (r = 0; r < GD_ROUNDS; r++) {
		for (k = 0; k < GD_KINDS; k++) {
			gd_objs[r][k] = gd_alloc(k);
			if (!gd_objs[r][k]) {
				CHECK("nmi-alloc", 0, "allocation failed");
				return;
			}
		}
	}
	err = register_nmi_handler(NMI_LOCAL, gd_nmi, 0, "goslab_deferred");
	if (err) {
		CHECK("nmi-handler", 0, "register_nmi_handler: %d", err);
		return;
	}
	for (r = 0; r < GD_ROUNDS; r++) {
		local_irq_save(flags);
		WRITE_ONCE(gd_cpu, smp_processor_id());
		WRITE_ONCE(gd_round, r);
		apic->send_IPI(smp_processor_id(), NMI_VECTOR);
		for (spins = 0; READ_ONCE(gd_round) >= 0 && spins < 1000000;
		     spins++)
			cpu_relax();
		still_live = true;
		for (k = 0; k < GD_KINDS; k++)
			still_live &= goslab_owns(gd_objs[r][k]);
		if (READ_ONCE(gd_round) >= 0) {
			WRITE_ONCE(gd_round, -1);
			local_irq_restore(flags);
			continue;
		}
		local_irq_restore(flags);
		arrived++;
		nmi += gd_was_nmi[r];
		deferred += gd_live_in_nmi[r] && still_live;
		freed += gd_freed(r);
	}
	unregister_nmi_handler(NMI_LOCAL, "goslab_deferred");
	CHECK("nmi-arrived", arrived == GD_ROUNDS, "%u of %u NMIs arrived",
	      arrived, GD_ROUNDS);
	CHECK("nmi-in-nmi", nmi == arrived, "in_nmi() in %u of %u", nmi,
	      arrived);
	CHECK("nmi-deferred", deferred == arrived,
	      "objects live until interrupts were on in %u of %u rounds",
	      deferred, arrived);
	CHECK("nmi-freed", freed == arrived,
	      "objects freed after the NMI in %u of %u rounds", freed,
	      arrived);
	/* An NMI that never came leaves its objects: free them here. */
	for (r = 0; r < GD_ROUNDS; r++)
		for (k = 0; k < GD_KINDS; k++)
			if (goslab_owns(gd_objs[r][k]))
				goslab_free(gd_objs[r][k]);
}

#else

static void gd_nmi_test(void)
{
	pr_info("goslab_deferred: no NMI test: not x86 with a local APIC\n");
}

#endif /* CONFIG_X86_LOCAL_APIC */

#define GD_RCU	1000

static void gd_rcu_test(void)
{
	static struct gd_obj *p[GD_RCU];
	unsigned int i, live = 0;

	for (i = 0; i < GD_RCU; i++) {
		p[i] = goslab_alloc(sizeof(*p[i]), GFP_KERNEL);
		if (!p[i]) {
			CHECK("rcu-alloc", 0, "allocation %u failed", i);
			while (i--)
				goslab_free(p[i]);
			return;
		}
	}
	for (i = 0; i < GD_RCU; i++) {
		if (i % 2)
			goslab_free_rcu(p[i], rcu);
		else
			goslab_free_rcu_mightsleep(p[i]);
	}
	goslab_rcu_barrier();
	for (i = 0; i < GD_RCU; i++)
		live += goslab_owns(p[i]);
	CHECK("rcu-barrier", !live, "%u of %u objects live after the barrier",
	      live, GD_RCU);

	/* Left queued: goslab's unload must wait for them. */
	for (i = 0; i < rcu_left; i++) {
		struct gd_obj *o = goslab_alloc(sizeof(*o), GFP_KERNEL);

		if (!o)
			break;
		goslab_free_rcu(o, rcu);
	}
	CHECK("rcu-left", i == rcu_left, "%u of %u queued", i, rcu_left);
}

static int __init goslab_deferred_init(void)
{
	gd_nmi_test();
	gd_rcu_test();
	return gs_check_done();
}

static void __exit goslab_deferred_exit(void)
{
}

module_init(goslab_deferred_init);
module_exit(goslab_deferred_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("goslab client: frees from NMI and RCU frees on a stock kernel");
