// SPDX-License-Identifier: GPL-2.0
/*
 * export_test: hooks for the KUnit suites (see export_test.h), linked only
 * into a kernel built with CONFIG_GOSLAB_KUNIT_TEST.  An observer: it may
 * use every layer.  report_get_last() is report.c's, under the same option.
 */
#include <linux/preempt.h>

#include "export_test.h"
#include "mcache.h"

/**
 * mcache_commit_remote_this - count the current context's batched frees now
 *
 * For tests that must see every free counted.
 */
void mcache_commit_remote_this(void)
{
	preempt_disable();
	mcache_commit_remote(mcache_this());
	preempt_enable();
}
