# SPDX-License-Identifier: GPL-2.0
# The hugesg command-line tool, included by the top-level Makefile after
# lib/lib.mk.  Linked statically against libhugesg.a (and libc) so that it
# runs in a minimal guest.
#   make tools          build/tools/hugesg

TOOLS_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iinclude/uapi -Ilib
TOOLS_OUTPUTS := build/tools/hugesg

.PHONY: tools

tools: $(TOOLS_OUTPUTS)

build/tools/hugesg: tools/hugesg.c build/lib/libhugesg.a lib/libhugesg.h include/uapi/linux/hugesg.h
	@mkdir -p $(dir $@)
	$(CC) $(TOOLS_CFLAGS) -static -o $@ $< build/lib/libhugesg.a
