#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release a build directory is for: /lib/modules/<rel>/build
# or /usr/src/linux-headers-<rel>.
d=${1%/}
case "$d" in
*/build) d=${d%/build} ;;
esac
basename "$d" | sed 's/^linux-headers-//'
