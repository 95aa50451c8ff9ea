# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
# libhugesg, included by the top-level Makefile (paths relative to the top):
#   make lib            build/lib/libhugesg.{a,so.1,so} and build/lib/hugesg.pc
#   make install-lib    into $(DESTDIR)$(PREFIX) (default /usr/local), the
#                       headers libhugesg.h and hugesg.h into include/hugesg/

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
LIB_VERSION := 1.1.0
LIB_SONAME := libhugesg.so.1
LIB_OUT := build/lib
# CPPFLAGS, CFLAGS and LDFLAGS from the environment are honoured (dpkg's
# hardening flags in the Debian package); -Werror stays.
# In the tree, for every user-space program: libhugesg.h includes "hugesg.h"
# (the ABI, installed beside it in $(INCLUDEDIR)/hugesg/), found here in
# include/uapi/linux; <linux/hugesg.h> still names the same file.
LIB_INCLUDES := -Iinclude/uapi -Iinclude/uapi/linux -Ilib
LIB_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 $(LIB_INCLUDES) \
	$(CPPFLAGS) $(CFLAGS)
LIB_HEADERS := lib/libhugesg.h include/uapi/linux/hugesg.h
LIB_OUTPUTS := $(LIB_OUT)/libhugesg.a $(LIB_OUT)/$(LIB_SONAME) \
	$(LIB_OUT)/libhugesg.so $(LIB_OUT)/hugesg.pc

# sed script filling hugesg.pc.in
LIB_PC_SED = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|'

.PHONY: lib install-lib

lib: $(LIB_OUTPUTS)

# One position-independent object serves both the archive and the .so;
# only the functions marked HSG_API in libhugesg.h are exported.
$(LIB_OUT)/libhugesg.o: lib/libhugesg.c $(LIB_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(LIB_OUT)/libhugesg.a: $(LIB_OUT)/libhugesg.o
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_OUT)/$(LIB_SONAME): $(LIB_OUT)/libhugesg.o
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,-z,defs $(LDFLAGS) -o $@ $^

$(LIB_OUT)/libhugesg.so: $(LIB_OUT)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $@

$(LIB_OUT)/hugesg.pc: lib/hugesg.pc.in
	@mkdir -p $(dir $@)
	sed $(LIB_PC_SED) $< > $@

# The .pc is written again here so that it names the PREFIX of the install.
install-lib: $(LIB_OUTPUTS)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/hugesg
	install -m 644 $(LIB_OUT)/libhugesg.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_OUT)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libhugesg.so
	sed $(LIB_PC_SED) lib/hugesg.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/hugesg.pc
	install -m 644 lib/libhugesg.h include/uapi/linux/hugesg.h $(DESTDIR)$(INCLUDEDIR)/hugesg/
