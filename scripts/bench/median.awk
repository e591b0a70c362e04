# SPDX-License-Identifier: GPL-2.0
#
# median(s): the median of the space-separated numbers in s.  Shared by
# the bench reports (awk -f median.awk -f - ...): Debian's mawk has no
# -e, so a library function goes in a file of its own.
function median(s,    a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
