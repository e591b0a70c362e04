# SPDX-License-Identifier: GPL-2.0
#
# The KTAP lines of a kernel log, for kunit.py parse (scripts/kunit.sh).
#
# kunit.py reads the KTAP stream out of the whole console log, and a line
# the kernel prints from elsewhere at the wrong moment breaks it: the PS/2
# mouse driver's "input: ImExPS/2 Generic Explorer Mouse ..." between a
# suite's "KTAP version 1" and its "# Subtest:" line made it count ten
# passing suites as crashed.  A KUnit run must not depend on what else the
# kernel prints, or when, so only lines KTAP defines are kept: version
# lines, plans, results, and "#" diagnostics (where KUnit's expectation
# messages start), without the printk timestamp.
{
	line = $0
	sub(/^\[[ 0-9.]+\] /, "", line)
	if (line ~ /^[ \t]*(KTAP version [0-9]+|TAP version [0-9]+|1\.\.[0-9]+|ok [0-9]+|not ok [0-9]+|#)/)
		print line
}
