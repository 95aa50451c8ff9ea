# SPDX-License-Identifier: GPL-2.0
# The hugesg command-line tool, included by the top-level Makefile after
# lib/lib.mk.  Linked statically against libhugesg.a (and libc) so that it
# runs in a minimal guest; the installed one is linked against
# libhugesg.so.1 (TOOLS_LINK=shared, as in the Debian package) or not.
#   make tools          build/tools/hugesg (static)
#   make tools-shared   build/tools/shared/hugesg (needs libhugesg.so.1)
#   make install-tools  $(DESTDIR)$(BINDIR)/hugesg, static unless TOOLS_LINK=shared

BINDIR ?= $(PREFIX)/bin
TOOLS_LINK ?= static
TOOLS_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 $(LIB_INCLUDES) \
	$(CPPFLAGS) $(CFLAGS)
TOOLS_OUTPUTS := build/tools/hugesg
TOOLS_DEPS := tools/hugesg.c lib/libhugesg.h include/uapi/linux/hugesg.h

.PHONY: tools tools-shared install-tools

tools: $(TOOLS_OUTPUTS)

tools-shared: build/tools/shared/hugesg

build/tools/hugesg: $(TOOLS_DEPS) build/lib/libhugesg.a
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -static $(LDFLAGS) -o $@ $< build/lib/libhugesg.a

build/tools/shared/hugesg: $(TOOLS_DEPS) build/lib/libhugesg.so
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) $(LDFLAGS) -o $@ $< -Lbuild/lib -lhugesg

install-tools: build/tools/$(if $(filter shared,$(TOOLS_LINK)),shared/)hugesg
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $< $(DESTDIR)$(BINDIR)/hugesg
