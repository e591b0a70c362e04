#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest test: goslab.ko loads, /sys/kernel/debug/goslab/sizeclasses shows
# Go's 67 real size classes (a header line, then one line per class whose
# first two fields are the class number and its object size), and the
# module unloads cleanly.
# shellcheck source=scripts/guest/lib.sh disable=SC2119 # goslab_load takes optional args
. /tests/lib.sh

if ! goslab_load; then
	fail load-insmod "insmod $GOSLAB_MODDIR/goslab.ko failed"
	exit 0
fi
pass load-insmod

f=$GOSLAB_DEBUGFS/sizeclasses
if [ ! -r "$f" ]; then
	fail load-sizeclasses "$f missing"
else
	cat "$f" >/tmp/sizeclasses
	# Skip the header (first line) and blank lines; classes must run
	# 1..67 in order, 24 bytes must be one of them, 32768 the last.
	why=$(awk '
		NR == 1 { next }
		NF == 0 { next }
		{
			n++
			if ($1 != n && !bad)
				bad = "line " NR ": class " $1 ", expected " n
			if ($2 == 24)
				has24 = 1
			last = $2
		}
		END {
			if (bad)
				print bad
			else if (n != 67)
				print n " class lines, expected 67"
			else if (!has24)
				print "no 24-byte class"
			else if (last != 32768)
				print "last class is " last " bytes, expected 32768"
		}' /tmp/sizeclasses)
	if [ -z "$why" ]; then
		pass load-sizeclasses
	else
		fail load-sizeclasses "$why"
		sed 's/^/  | /' /tmp/sizeclasses | head -n 5
	fi
fi

if rmmod goslab; then
	pass load-rmmod
else
	fail load-rmmod "rmmod goslab failed"
	exit 0
fi

if [ -e "$GOSLAB_DEBUGFS" ]; then
	fail load-debugfs-removed "$GOSLAB_DEBUGFS still exists after rmmod"
else
	pass load-debugfs-removed
fi

# A second load/unload cycle must work just as well.
if goslab_load && [ -r "$f" ] && rmmod goslab; then
	pass load-reload
else
	fail load-reload "second insmod/rmmod cycle failed"
fi
