// SPDX-License-Identifier: GPL-2.0
/*
 * The debug and upstream lanes: load the KUnit tests of hugesg.ko's internals
 * (tests/kmod/hugesg_kunit.ko) and report each KUnit case as a TAP test.
 * This process is the one that loads the module, so the KUnit suites run
 * while its memory is mapped: two 2 MiB hugepages and eight ordinary pages
 * at the addresses of hugesg_kunit.h, which the unpin-walker tests pin.
 * A case KUnit skips is a failure here: the memory is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testlib.h"
#include "hugesg_kunit.h"
#include "kunit_tap.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static void *map_at(unsigned long addr, size_t len, int extra)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
		       MAP_POPULATE | extra, -1, 0);

	if (p == MAP_FAILED || p != (void *)addr)
		return NULL;
	memset(p, 0x3c, len);
	return p;
}

int main(void)
{
	long pins = pins_held();
	void *huge, *normal;
	int fd, ret;

	huge = map_at(HUGESG_KUNIT_HUGE_ADDR, HUGESG_KUNIT_HUGE_LEN,
		      MAP_HUGETLB | MAP_HUGE_2M);
	normal = map_at(HUGESG_KUNIT_NORMAL_ADDR,
			HUGESG_KUNIT_NORMAL_PAGES * SZ_4K, 0);
	tap(huge && normal, "the walker tests' memory is mapped", NULL);

	fd = open("/modules/hugesg_kunit.ko", O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -1 : (int)syscall(SYS_finit_module, fd, "", 0);
	tap(ret == 0, "hugesg_kunit.ko loads (KUnit runs its suites)",
	    ret ? strerror(errno) : NULL);
	if (fd >= 0)
		close(fd);
	if (ret == 0) {
		report_suite("hugesg_sgbuild");
		report_suite("hugesg_unpin_walker");
		report_suite("hugesg_max_segment");
		ret = (int)syscall(SYS_delete_module, "hugesg_kunit", O_NONBLOCK);
		tap(ret == 0, "hugesg_kunit.ko unloads", ret ? strerror(errno) : NULL);
	}
	if (huge)
		munmap(huge, HUGESG_KUNIT_HUGE_LEN);
	if (normal)
		munmap(normal, HUGESG_KUNIT_NORMAL_PAGES * SZ_4K);
	tap(pins_held() == pins, "no pin is left after the KUnit run", NULL);
	printf("1..%d\n", ntests);
	return 0;
}
