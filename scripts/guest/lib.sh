# SPDX-License-Identifier: GPL-2.0
#
# Helpers for guest tests (sourced by /init and by every /tests/test-*.sh);
# the contract is described in scripts/guest/init.

# shellcheck disable=SC2034 # used by the scripts that source this file
GOSLAB_MODDIR=/lib/modules/goslab
# shellcheck disable=SC2034
GOSLAB_DEBUGFS=/sys/kernel/debug/goslab

pass() {
	echo "GOSLAB-CHECK PASS $1"
}

# fail <name> <why...>
fail() {
	_lib_name=$1
	shift
	echo "GOSLAB-CHECK FAIL $_lib_name: $*"
}

# check <name> <command...>: PASS if the command succeeds.
check() {
	_lib_name=$1
	shift
	if "$@"; then
		pass "$_lib_name"
	else
		fail "$_lib_name" "failed: $*"
	fi
}

goslab_loaded() {
	[ -d /sys/module/goslab ]
}

# goslab_load [module parameters...]: insmod goslab.ko unless it is loaded.
goslab_load() {
	goslab_loaded || insmod "$GOSLAB_MODDIR/goslab.ko" "$@"
}

goslab_unload() {
	! goslab_loaded || rmmod goslab
}

# client_load <name> [parameters...]: insmod $GOSLAB_MODDIR/<name>.ko.
client_load() {
	_lib_name=$1
	shift
	insmod "$GOSLAB_MODDIR/$_lib_name.ko" "$@"
}
