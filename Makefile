# SPDX-License-Identifier: GPL-2.0
# hugesg: top-level build.  `make` builds the modules for the running kernel
# (when its headers are installed) and the user-space programs; `make test`
# runs the whole suite in QEMU guests; `make demo` runs the main job.

KERNELS ?= 5.10 6.1 6.12 7.x
KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= gcc
CFLAGS ?= -O2
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CFLAGS)
GUEST_OUT := build/guest
GUEST_TESTS := $(patsubst tests/guest/%.c,$(GUEST_OUT)/%,$(wildcard tests/guest/*.c))
GUEST_SCRIPTS := $(patsubst tests/guest/%.sh,$(GUEST_OUT)/%,$(wildcard tests/guest/*.sh))

.PHONY: all deps modules modules-in guest-tests test test-debug test-upstream check matrix demo bench clean

all: modules lib tools

include lib/lib.mk
include tools/tools.mk

modules:
	@if [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules; \
	else \
		echo "no kernel headers at $(KDIR): set KDIR=, or use 'make test' (QEMU)"; \
	fi

# Used by the rig: build every module, warnings on (W=1) and sparse (C=1),
# in a copy of the sources at $(SRC) for the kernel tree $(KDIR) (without
# VERSION: the modules' version is given).
modules-in:
	$(MAKE) -C $(KDIR) M=$(SRC)/kernel W=1 C=1 HUGESG_VERSION=$(VERSION) modules
	$(MAKE) -C $(KDIR) M=$(SRC)/tests/kmod W=1 C=1 \
		KBUILD_EXTRA_SYMBOLS=$(SRC)/kernel/Module.symvers modules

guest-tests: $(GUEST_TESTS) $(GUEST_SCRIPTS) $(TOOLS_OUTPUTS)

$(GUEST_OUT)/%: tests/guest/%.c build/lib/libhugesg.a $(wildcard tests/guest/*.h include/uapi/linux/*.h tests/kmod/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(LIB_INCLUDES) -Itests/guest -Itests/kmod -o $@ $< \
		build/lib/libhugesg.a -lcmocka

$(GUEST_OUT)/%: tests/guest/%.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

# Packages from Debian's mirrors, installed when missing (needs root).
deps:
	@tests/vm/install-deps.sh

# KERNELS=all: every series, 5.10 6.1 6.12 7.x (7.x's modules are built in
# a sid chroot, docs/portability.md).
test: deps
	tests/vm/run-suite.sh $(KERNELS)

# Build only: the modules with W=1 and sparse for every series (or KERNELS),
# one verdict per kernel, no guest.
matrix: deps
	HUGESG_BUILD_ONLY=1 tests/vm/run-suite.sh \
		$(if $(filter-out file,$(origin KERNELS)),$(KERNELS),all)

# The debug lane: the whole suite on a 6.1 kernel built with KASAN, kmemleak,
# lockdep, DMA-API debugging and fault injection (tests/debug, cached), plus
# KUnit, a fault-injection pass, a kmemleak scan and the lane's negative checks.
test-debug: deps
	tests/vm/run-suite.sh debug

# The upstream lane: Debian's 7.2 with the patch series of upstream/
# (tests/upstream, cached; a changed patch rebuilds only what it touched),
# the whole suite on it with its KUnit suites and the series' mm selftests,
# and make bench's methods, quickly (tests/upstream/run.sh).
test-upstream: deps
	tests/upstream/run.sh

# The whole test suite, CI's command: make test, make test-debug,
# make test-pkg and make test-upstream (tests/check.sh).
check: deps
	tests/check.sh

demo: deps
	tests/vm/run-demo.sh $(if $(filter-out file,$(origin KERNELS)),$(firstword $(KERNELS)),6.1)

# The methods drivers use today against hugesg: bench/results.csv and
# bench/pin-cost.png (6.1, 6.12, 7.x, and ours: 7.2-iommufd and upstream, the
# kernel of the upstream series of issue 14: tests/vm/kernel.sh,
# unless KERNELS is given).
bench: deps
	bench/run-bench.sh $(if $(filter-out file,$(origin KERNELS)),$(KERNELS),6.1 6.12 7.x 7.2-iommufd upstream)

# The crash tests at length, on one kernel (6.1 unless KERNELS is given):
# drv_kill_loop with 500 kill -9 trials and drv_concurrency for 300 s of
# guest time (hugesg_rig.stress=1 on the guest's command line); then, in a
# guest of its own, the core fuzzer with FUZZ_CALLS calls (a random seed
# each run unless HUGESG_APPEND gives hugesg_rig.fuzz_seed=).
FUZZ_CALLS ?= 200000
STRESS_KERNELS = $(if $(filter-out file,$(origin KERNELS)),$(KERNELS),6.1)
.PHONY: stress
stress: deps
	rc=0; \
	HUGESG_APPEND="$(HUGESG_APPEND) hugesg_rig.stress=1" \
	HUGESG_SUITES="drv_kill_loop drv_concurrency" \
	HUGESG_VM_TIMEOUT=$${HUGESG_VM_TIMEOUT:-3600} \
		tests/vm/run-suite.sh $(STRESS_KERNELS) || rc=1; \
	HUGESG_APPEND="$(HUGESG_APPEND) hugesg_rig.stress=1 hugesg_rig.fuzz_calls=$(FUZZ_CALLS)" \
	HUGESG_SUITES="core_fuzz" \
	HUGESG_VM_TIMEOUT=$${HUGESG_VM_TIMEOUT:-7200} \
		tests/vm/run-suite.sh $(STRESS_KERNELS) || rc=1; \
	exit $$rc

# ---- DKMS and Debian packages (docs/packaging.md) ---------------------------
# VERSION names the DKMS source tree and the packages (debian/changelog
# must agree: debian/rules checks).
VERSION := $(shell cat $(CURDIR)/VERSION 2>/dev/null)
DKMS_SRC = $(DESTDIR)/usr/src/hugesg-$(VERSION)
DKMS_KERNELS ?= $(shell uname -r)
# what `make deb` builds from, copied into build/deb/hugesg-$(VERSION)
DEB_TREE := Makefile VERSION dkms.conf README.md debian docs include kernel lib tools

.PHONY: dkms-src dkms-install dkms-uninstall deb test-pkg

# The DKMS source tree, sources only: dkms.conf, VERSION (the modules'
# MODULE_VERSION, read by kernel/Kbuild), kernel/ (Kbuild, features.mk,
# compat.h and the folders of KERNEL_DIRS), include/.
KERNEL_DIRS := kernel/lib kernel/driver kernel/driver/engines
dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kernel $(addprefix $(DKMS_SRC)/,$(KERNEL_DIRS)) \
		$(DKMS_SRC)/include/linux $(DKMS_SRC)/include/uapi/linux
	install -m 644 VERSION $(DKMS_SRC)/
	install -m 644 kernel/Kbuild kernel/features.mk kernel/*.h $(DKMS_SRC)/kernel/
	for d in $(KERNEL_DIRS); do \
		install -m 644 $$d/*.c $$d/*.h $(DKMS_SRC)/$$d/ || exit 1; \
	done
	install -m 644 include/linux/*.h $(DKMS_SRC)/include/linux/
	install -m 644 include/uapi/linux/*.h $(DKMS_SRC)/include/uapi/linux/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf

# As root: register, build and install the modules for DKMS_KERNELS (default:
# the running kernel), replacing an earlier `make dkms-install` of VERSION.
dkms-install: dkms-uninstall
	$(MAKE) dkms-src DESTDIR=
	dkms add hugesg/$(VERSION)
	for k in $(DKMS_KERNELS); do \
		dkms build hugesg/$(VERSION) -k $$k && \
		dkms install hugesg/$(VERSION) -k $$k || exit 1; \
	done

dkms-uninstall:
	@if dpkg-query -S /usr/src/hugesg-$(VERSION)/dkms.conf >/dev/null 2>&1; then \
		echo "hugesg-$(VERSION) is installed by a package: apt remove hugesg-dkms"; \
		exit 1; \
	fi
	if dkms status hugesg/$(VERSION) 2>/dev/null | grep -q .; then \
		dkms remove hugesg/$(VERSION) --all; \
	fi
	rm -rf /usr/src/hugesg-$(VERSION)

# hugesg-dkms, libhugesg1, libhugesg-dev and hugesg-tools into build/deb/,
# built by dpkg-buildpackage in a copy of the tree.
deb:
	rm -rf build/deb
	mkdir -p build/deb/hugesg-$(VERSION)
	tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
		$(DEB_TREE) | tar -xf - -C build/deb/hugesg-$(VERSION)
	cd build/deb/hugesg-$(VERSION) && dpkg-buildpackage -b -us -uc

# The packages: lintian, DKMS in a bookworm chroot for two kernels, the
# installed modules and tool in a guest.
test-pkg: deps
	tests/pkg/run-pkg-test.sh

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null
	find kernel \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
	rm -f kernel/Module.symvers kernel/modules.order
