/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the KUnit tests (hugesg_kunit.c) and the program that loads
 * them (tests/guest/debug_kunit.c): where the loader maps the memory whose
 * pages the unpin-walker tests pin.  The tests run in kernel threads that
 * borrow the loader's mm; module parameters cannot carry the addresses,
 * because KUnit runs the suites before the parameters are parsed.
 */
#ifndef _HUGESG_KUNIT_H
#define _HUGESG_KUNIT_H

/* Two 2 MiB hugetlb pages, populated. */
#define HUGESG_KUNIT_HUGE_ADDR		0x7e0000000000UL
#define HUGESG_KUNIT_HUGE_LEN		(4UL << 20)
/* Eight ordinary pages, populated. */
#define HUGESG_KUNIT_NORMAL_ADDR	0x7e0040000000UL
#define HUGESG_KUNIT_NORMAL_PAGES	8

#endif /* _HUGESG_KUNIT_H */
