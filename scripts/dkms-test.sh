#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make dkms-test: prove the two ways a user installs goslab.
#
#  - DKMS: the sources are added as goslab/<version>, built for
#    Debian's 6.12 and 6.1 kernels with dkms build, and removed again;
#    each built goslab.ko must carry the right vermagic.
#  - make install, staged with INSTALL_MOD_PATH and DESTDIR in a scratch
#    directory: goslab.ko lands under lib/modules/<release>/extra, depmod
#    knows it, and the header and Module.symvers are where a client's
#    build looks for them.
#
# Prints "dkms: N passed, M failed" and appends "dkms N M" to
# $GOSLAB_RESULTS when set.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo" || exit 1
# shellcheck source=scripts/lib.sh
. "$repo/scripts/lib.sh"
results_init dkms
log=$repo/build/dkms
mkdir -p "$log"

sh scripts/deps.sh || { bad deps; finish; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src=/usr/src/goslab-$ver

# A copy of the sources DKMS builds from (builds never write into them).
dkms remove -m goslab -v "$ver" --all >/dev/null 2>&1
rm -rf "$src"
mkdir -p "$src"
cp -r Kbuild dkms.conf goslab include kunit clients "$src/"
if dkms add -m goslab -v "$ver" >"$log/add.txt" 2>&1; then
	ok dkms-add
else
	bad dkms-add "$log/add.txt"
	finish
fi
for series in 6.12 6.1; do
	kdir=$(sh scripts/kdir.sh "$series") || { bad "dkms-build-$series"; continue; }
	krel=$(sh scripts/krel.sh "$kdir")
	out=$log/build-$krel.txt
	ko=/var/lib/dkms/goslab/$ver/$krel/x86_64/module/goslab.ko
	if dkms build -m goslab -v "$ver" -k "$krel" >"$out" 2>&1 &&
	   [ -f "$ko" ] || [ -f "$ko.xz" ] || [ -f "$ko.zst" ]; then
		set -- "$ko"*
		ko=$1
		case $ko in
		*.xz) xz -dc "$ko" >"$log/goslab.ko" ;;
		*.zst) zstd -dcq "$ko" >"$log/goslab.ko" ;;
		*) cp "$ko" "$log/goslab.ko" ;;
		esac
		vm=$(modinfo -F vermagic "$log/goslab.ko" | cut -d' ' -f1)
		if [ "$vm" = "$krel" ]; then
			ok "dkms-build-$krel"
		else
			echo "vermagic $vm, wanted $krel" >>"$out"
			bad "dkms-build-$krel" "$out"
		fi
	else
		bad "dkms-build-$krel" "$out"
		find /var/lib/dkms/goslab -name make.log -exec tail -n 15 {} \; 2>/dev/null
	fi
done
if dkms remove -m goslab -v "$ver" --all >"$log/remove.txt" 2>&1; then
	ok dkms-remove
else
	bad dkms-remove "$log/remove.txt"
fi
rm -rf "$src"

# make install into a scratch root.
stage=$log/root
rm -rf "$stage"
for series in 6.12 6.1; do
	kdir=$(sh scripts/kdir.sh "$series") || continue
	krel=$(sh scripts/krel.sh "$kdir")
	out=$log/install-$krel.txt
	if make KDIR="$kdir" INSTALL_MOD_PATH="$stage" DESTDIR="$stage" \
		install >"$out" 2>&1 &&
	   ls "$stage/lib/modules/$krel/extra/goslab.ko"* >/dev/null 2>&1 &&
	   ! ls "$stage/lib/modules/$krel/extra/clients" >/dev/null 2>&1 &&
	   grep -q 'extra/goslab.ko' "$stage/lib/modules/$krel/modules.dep" &&
	   [ -f "$stage/usr/src/goslab/include/goslab.h" ] &&
	   grep -q goslab_alloc "$stage/usr/src/goslab/$krel/Module.symvers"; then
		ok "install-$krel"
	else
		bad "install-$krel" "$out"
	fi
done
finish
