#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the goslab make targets need on a Debian 12 machine.
# Idempotent: a stamp records what was installed, so a second call costs
# one dpkg query.  Prints nothing on the fast path.
set -eu

pkgs_base="qemu-system-x86 busybox-static cpio bc flex bison libelf-dev \
libssl-dev xz-utils make gcc python3 kmod rsync sparse clang \
libclang-rt-14-dev gnuplot-nox dkms python3-docutils e2fsprogs libc6-dev"

# Newest Debian 6.12 (bookworm-backports/security) and 6.1 kernel ABIs that
# ship both an image and headers.
newest_abi() {
	# $1: extended regexp of the ABI string in "linux-headers-<ABI>-amd64"
	apt-cache pkgnames linux-headers- 2>/dev/null |
		grep -E "^linux-headers-$1-amd64\$" |
		sed -e 's/^linux-headers-//' -e 's/-amd64$//' | sort -V | tail -n 1
}

have_all() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || return 1
	done
}

need_update=0
if ! have_all $pkgs_base linux-source-6.12; then
	need_update=1
fi
if ! ls /boot/vmlinuz-6.12.*-amd64 >/dev/null 2>&1 ||
   ! ls /boot/vmlinuz-6.1.0-*-amd64 >/dev/null 2>&1 ||
   ! ls -d /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1 ||
   ! ls -d /usr/src/linux-headers-6.1.0-*-amd64 >/dev/null 2>&1; then
	need_update=1
fi
[ "$need_update" = 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing packages (apt-get update first)" >&2
apt-get update -q >/dev/null

abi612=$(newest_abi '6\.12\.[0-9]+\+deb12')
abi61=$(newest_abi '6\.1\.0-[0-9]+')
[ -n "$abi612" ] || { echo "deps: no 6.12 kernel in apt" >&2; exit 1; }
[ -n "$abi61" ] || { echo "deps: no 6.1 kernel in apt" >&2; exit 1; }

# --no-install-recommends keeps firmware and initramfs-tools' hooks out;
# the images are only booted by QEMU with our own initramfs.
apt-get install -y -q --no-install-recommends $pkgs_base linux-source-6.12 \
	"linux-image-$abi612-amd64-unsigned" "linux-headers-$abi612-amd64" \
	"linux-image-$abi61-amd64-unsigned" "linux-headers-$abi61-amd64" \
	>/dev/null
echo "deps: done (6.12: $abi612, 6.1: $abi61)" >&2
