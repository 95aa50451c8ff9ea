# SPDX-License-Identifier: GPL-2.0
# hugesg: top-level build.  `make` builds the modules for the running kernel
# (when its headers are installed) and the user-space programs; `make test`
# runs the whole suite in QEMU guests; `make demo` runs the main job.

KERNELS ?= 5.10 6.1 6.12
KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= gcc
CFLAGS ?= -O2
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(CFLAGS)
GUEST_OUT := build/guest
GUEST_TESTS := $(patsubst tests/guest/%.c,$(GUEST_OUT)/%,$(wildcard tests/guest/*.c))
GUEST_SCRIPTS := $(patsubst tests/guest/%.sh,$(GUEST_OUT)/%,$(wildcard tests/guest/*.sh))

.PHONY: all deps modules modules-in guest-tests test demo bench clean

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
# in a copy of the sources at $(SRC) for the kernel tree $(KDIR).
modules-in:
	$(MAKE) -C $(KDIR) M=$(SRC)/kernel W=1 C=1 modules
	$(MAKE) -C $(KDIR) M=$(SRC)/tests/kmod W=1 C=1 \
		KBUILD_EXTRA_SYMBOLS=$(SRC)/kernel/Module.symvers modules

guest-tests: $(GUEST_TESTS) $(GUEST_SCRIPTS) $(TOOLS_OUTPUTS)

$(GUEST_OUT)/%: tests/guest/%.c build/lib/libhugesg.a $(wildcard tests/guest/*.h include/uapi/linux/*.h tests/kmod/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Iinclude/uapi -Itests/guest -Itests/kmod -Ilib -o $@ $< \
		build/lib/libhugesg.a -lcmocka

$(GUEST_OUT)/%: tests/guest/%.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

# Packages from Debian's mirrors, installed when missing (needs root).
deps:
	@tests/vm/install-deps.sh

test: deps
	tests/vm/run-suite.sh $(KERNELS)

demo: deps
	tests/vm/run-demo.sh $(firstword $(KERNELS))

# The methods drivers use today against hugesg: bench/results.csv and
# bench/pin-cost.png (6.12 first, then 6.1, unless KERNELS is given).
bench: deps
	bench/run-bench.sh $(if $(filter-out file,$(origin KERNELS)),$(KERNELS),6.12 6.1)

clean:
	rm -rf build
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null
	rm -f kernel/*.o kernel/*.ko kernel/*.mod* kernel/.*.cmd kernel/Module.symvers kernel/modules.order
