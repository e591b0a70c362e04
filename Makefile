# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of goslab.ko and its client modules, plus the project's
# test, run and benchmark targets.  Every target that needs packages calls
# scripts/deps.sh first, so a fresh Debian machine needs no manual step.
#
# Objects never land in the source tree: the sources are mirrored into
# build/<kernel release>/ and Kbuild runs there.  That keeps builds for
# several kernels apart and keeps the tree clean for the KUnit staging,
# where the same sources are built inside a kernel tree.

KDIR ?= $(shell sh scripts/deps.sh && sh scripts/kdir.sh)
KREL = $(shell sh scripts/krel.sh $(KDIR))
BDIR = $(CURDIR)/build/$(KREL)
MODCONF := CONFIG_GOSLAB=m CONFIG_GOSLAB_EXAMPLE=m
SRCS := Kbuild goslab include kunit clients
# What Kbuild writes next to the sources: never deleted by the mirror.
BUILT := '*.o' '.*.cmd' '.*.d' '*.ko' '*.mod' '*.mod.c' '*.a' \
	 modules.order Module.symvers '.tmp*'

.PHONY: all modules clean deps check kunit kunit-lean kunit-kcsan vm-test run \
	sizeclasses install \
	dkms-test lint ext4-test \
	check-sizeclasses torture bench fuzz fuzz-check

all: modules

modules:
	@mkdir -p $(BDIR)
	@rsync -a --delete $(addprefix --exclude=,$(BUILT)) $(SRCS) $(BDIR)/
	$(MAKE) -C $(KDIR) M=$(BDIR) $(MODCONF) modules
	@echo "built: $(BDIR)/goslab.ko"

deps:
	sh scripts/deps.sh

# Install goslab.ko (alone: the clients are tests) for KDIR's kernel
# (modules_install + depmod), and the
# header and Module.symvers where a client's build finds them:
# /usr/src/goslab/include/goslab.h and /usr/src/goslab/<release>/.
# INSTALL_MOD_PATH and DESTDIR stage it elsewhere.
GS_SHARE = $(DESTDIR)/usr/src/goslab
IDIR = $(BDIR)-install
install:
	@mkdir -p $(IDIR)
	@rsync -a --delete $(addprefix --exclude=,$(BUILT)) $(SRCS) $(IDIR)/
	$(MAKE) -C $(KDIR) M=$(IDIR) CONFIG_GOSLAB=m modules
	$(MAKE) -C $(KDIR) M=$(IDIR) INSTALL_MOD_DIR=extra \
		CONFIG_MODULE_SIG_ALL= \
		$(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)) \
		modules_install
	install -D -m 0644 include/goslab.h $(GS_SHARE)/include/goslab.h
	install -D -m 0644 $(IDIR)/Module.symvers \
		$(GS_SHARE)/$(KREL)/Module.symvers
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KREL)

# checkpatch --strict, sparse, W=1 on both kernels, kernel-doc.
lint:
	sh scripts/lint.sh

# DKMS and make install against the stock 6.12 and 6.1 kernels.
dkms-test:
	sh scripts/dkms-test.sh

# Regenerate the checked-in size-class table.
sizeclasses:
	python3 scripts/mksizeclasses.py goslab

check-sizeclasses:
	python3 scripts/mksizeclasses.py --check goslab

kunit:
	sh scripts/kunit.sh

kunit-lean:
	GOSLAB_KUNIT_CONFIG=lean sh scripts/kunit.sh

kunit-kcsan:
	GOSLAB_KUNIT_CONFIG=kcsan sh scripts/kunit.sh

vm-test:
	sh scripts/vm-test.sh

# ext4, jbd2 and mbcache from linux-source-6.12 built with
# include/goslab_kmalloc.h, a file workload on them in the stock 6.12 VM,
# e2fsck of its disk on the host.
ext4-test:
	sh scripts/ext4-test.sh

# The long torture run (>= 10 million operations) in the stock-kernel VM.
torture:
	sh scripts/torture.sh

run:
	sh scripts/vm-run.sh

bench:
	sh scripts/bench.sh

check:
	sh scripts/check.sh

# libFuzzer + ASan/UBSan on the pure logic (fuzz/): FUZZ_TIME seconds per
# harness (default 300).  fuzz-check is make check's short, fixed form.
fuzz:
	sh scripts/fuzz.sh

fuzz-check:
	sh scripts/fuzz.sh --check

# Everything a build, a test or a tool left behind; the tree is then as
# cloned (kernel trees and KUnit builds live in ~/.cache/goslab).
clean:
	rm -rf build scripts/__pycache__ .checkpatch-camelcase.*
