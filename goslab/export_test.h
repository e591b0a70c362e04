/* SPDX-License-Identifier: GPL-2.0 */
/*
 * export_test: what the KUnit suites need from inside goslab and nothing
 * else does (Go's export_test.go).  Built only with the KUnit option.
 */
#ifndef _GOSLAB_EXPORT_TEST_H
#define _GOSLAB_EXPORT_TEST_H

struct mspan;
struct mcentral;

void export_commit_remote(void);
struct mspan *span_of_heap(unsigned long p);
void export_nmi_enter(void);
void export_nmi_exit(void);
unsigned int export_set_share(struct mcentral *c, unsigned int objs);
unsigned int *export_share_off(void);
void export_share_restore(void *saved);

#endif /* _GOSLAB_EXPORT_TEST_H */
