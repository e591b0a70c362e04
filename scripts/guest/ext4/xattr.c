// SPDX-License-Identifier: GPL-2.0
/*
 * gsxattr: extended attributes for the ext4 guest workload, which busybox
 * has no applet for.  Built static on the host (scripts/ext4-test.sh), so
 * the busybox initramfs needs no C library.  One process handles many
 * files, forks being slow under QEMU TCG.
 *
 *   gsxattr set NAME VALUE FILE...    setxattr(), creating or replacing
 *   gsxattr check NAME VALUE FILE...  getxattr() gives exactly VALUE, and
 *                                     listxattr() names NAME
 *   gsxattr rm NAME FILE...           removexattr()
 *   gsxattr absent NAME FILE...       getxattr() fails with ENODATA
 *
 * VALUE "@N" is N bytes of a pattern (large values live in an xattr block
 * outside the inode, shared through mbcache).  Exit status 1 and a line
 * on stderr for the first file that fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static char buf[65536];

static const char *value_of(const char *arg, size_t *len)
{
	static char pat[65536];
	size_t i;

	if (arg[0] != '@') {
		*len = strlen(arg);
		return arg;
	}
	*len = strtoul(arg + 1, NULL, 10);
	if (*len > sizeof(pat))
		*len = sizeof(pat);
	for (i = 0; i < *len; i++)
		pat[i] = 'a' + i % 23;
	return pat;
}

static int listed(const char *file, const char *name)
{
	ssize_t n = listxattr(file, buf, sizeof(buf));
	ssize_t i;

	for (i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *name, *val = NULL;
	size_t len = 0;
	ssize_t got;
	int i, first;

	if (argc < 4)
		return 2;
	cmd = argv[1];
	name = argv[2];
	first = 3;
	if (!strcmp(cmd, "set") || !strcmp(cmd, "check")) {
		val = value_of(argv[3], &len);
		first = 4;
	}
	for (i = first; i < argc; i++) {
		const char *f = argv[i];

		if (!strcmp(cmd, "set")) {
			if (setxattr(f, name, val, len, 0)) {
				perror(f);
				return 1;
			}
		} else if (!strcmp(cmd, "check")) {
			got = getxattr(f, name, buf, sizeof(buf));
			if (got != (ssize_t)len || memcmp(buf, val, len) ||
			    !listed(f, name)) {
				fprintf(stderr, "%s: %s: got %zd bytes\n", f,
					name, got);
				return 1;
			}
		} else if (!strcmp(cmd, "rm")) {
			if (removexattr(f, name)) {
				perror(f);
				return 1;
			}
		} else if (!strcmp(cmd, "absent")) {
			if (getxattr(f, name, buf, sizeof(buf)) >= 0 ||
			    errno != ENODATA) {
				fprintf(stderr, "%s: %s still there\n", f, name);
				return 1;
			}
		} else {
			return 2;
		}
	}
	return 0;
}
