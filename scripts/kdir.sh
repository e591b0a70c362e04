#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel build directory to build against: the running kernel's
# when its headers are installed, else the newest Debian 6.12 headers, or
# with "6.1"/"6.12" as $1 the newest installed headers of that series.
set -eu
series=${1:-}
if [ -z "$series" ] && [ -d "/lib/modules/$(uname -r)/build" ]; then
	echo "/lib/modules/$(uname -r)/build"
	exit 0
fi
case "${series:-6.12}" in
6.1)	pat='linux-headers-6.1.0-*-amd64' ;;
6.12)	pat='linux-headers-6.12.*-amd64' ;;
*)	echo "kdir.sh: unknown series $series" >&2; exit 1 ;;
esac
d=$(ls -d /usr/src/$pat 2>/dev/null | sort -V | tail -n 1)
[ -n "$d" ] || { echo "kdir.sh: no $pat (run scripts/deps.sh)" >&2; exit 1; }
echo "$d"
