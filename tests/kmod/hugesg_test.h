/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only interface of hugesg_test.ko (/dev/hugesg_test): drives the
 * in-kernel API of hugesg.ko from a user process, and reports physical
 * addresses, which is why it must never be loaded outside the test guest.
 */
#ifndef _HUGESG_TEST_H
#define _HUGESG_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct hugesg_test_entry {
	__u64 phys;
	__u64 len;
};

struct hugesg_test_req {
	__u64 start;		/* user range */
	__u64 len;
	__u32 flags;		/* HUGESG_* */
	__u32 max_segment;
	__u64 entries;		/* out: struct hugesg_test_entry[max_entries] */
	__u64 max_entries;	/* also nr_hpages for GET_HUGEPAGES */
	__u64 nents;		/* out: entries in the table / hugepages pinned */
	__u64 pinned_bytes;	/* out (BUF_PIN) */
	__u64 nr_pins;		/* out (BUF_PIN) */
	__u64 page_sizes;	/* out (BUF_PIN): bit n = a 2^n byte page */
	__u32 dirty;		/* in, for the releases */
	__u32 pad;
};

/*
 * The task name whose next dma_max_mapping_size() call sleeps for
 * /sys/module/hugesg_test/parameters/delay_dev_read_ms, once per write.
 */
#define HUGESG_TEST_DELAY_COMM	"hsg-delayed"

#define HUGESG_TEST_MAGIC	0xb7
/* hugesg_get_user_hugepages_fast(); held until PUT_HUGEPAGES or close */
#define HUGESG_TEST_GET_HUGEPAGES _IOWR(HUGESG_TEST_MAGIC, 1, struct hugesg_test_req)
#define HUGESG_TEST_PUT_HUGEPAGES _IOW(HUGESG_TEST_MAGIC, 2, struct hugesg_test_req)
/* hugesg_sg_alloc_table_from_user_pages(); held until SG_FREE or close */
#define HUGESG_TEST_SG_ALLOC	_IOWR(HUGESG_TEST_MAGIC, 3, struct hugesg_test_req)
#define HUGESG_TEST_SG_FREE	_IOW(HUGESG_TEST_MAGIC, 4, struct hugesg_test_req)
/* hugesg_buf_pin(); held until BUF_UNPIN or close */
#define HUGESG_TEST_BUF_PIN	_IOWR(HUGESG_TEST_MAGIC, 5, struct hugesg_test_req)
#define HUGESG_TEST_BUF_UNPIN	_IOW(HUGESG_TEST_MAGIC, 6, struct hugesg_test_req)
/*
 * The oracle: pin every 4 KiB page, sg_alloc_table_from_pages_segment(),
 * report the entries, free and unpin at once.
 */
#define HUGESG_TEST_ORACLE	_IOWR(HUGESG_TEST_MAGIC, 7, struct hugesg_test_req)
/*
 * Pins held in the whole system (nr_foll_pin_acquired - released), exact:
 * the global counters plus every CPU's delta not yet folded into them, in
 * nents (as a signed number).  For suites run as nobody, who may not write
 * vm.stat_refresh.
 */
#define HUGESG_TEST_PINS_HELD	_IOWR(HUGESG_TEST_MAGIC, 8, struct hugesg_test_req)
/*
 * The path taken: out @nents, the hugepages pinned so far through a file
 * (memfd_pin_folios()) by anyone; @flags, 1 where hugesg.ko pins shared
 * hugetlb mappings that way.
 */
#define HUGESG_TEST_FILE_PINS	_IOWR(HUGESG_TEST_MAGIC, 9, struct hugesg_test_req)

#endif /* _HUGESG_TEST_H */
