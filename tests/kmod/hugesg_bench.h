/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Test-only interface of hugesg_bench.ko (/dev/hugesg_bench): pin a user
 * buffer and build its sg_table by one of the methods drivers use, time the
 * registration and the release, and count what each method allocates and
 * pins.  Never load it outside the test guest.
 */
#ifndef _HUGESG_BENCH_H
#define _HUGESG_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

enum hugesg_bench_method {
	HUGESG_BENCH_SEED_GUP,		/* get_user_pages_fast + from_pages */
	HUGESG_BENCH_PIN_ALL,		/* pin_user_pages_fast + _segment */
	HUGESG_BENCH_RDMA_CHUNKED,	/* 512-page chunks, append table */
	HUGESG_BENCH_IOURING_COALESCE,	/* pin all, keep one pin per folio */
	HUGESG_BENCH_MEMFD_FOLIOS,	/* memfd_pin_folios() */
	HUGESG_BENCH_HUGESG_HUGE,	/* hugesg, HUGESG_HUGE */
	HUGESG_BENCH_HUGESG_AUTO,	/* hugesg, HUGESG_AUTO */
	HUGESG_BENCH_KERNEL_RANGES,	/* pin_user_folio_ranges_fast() */
	HUGESG_BENCH_KERNEL_SG,		/* sg_alloc_table_from_user_pages() */
	HUGESG_BENCH_NR_METHODS,
};

/* One registration and its release. */
struct hugesg_bench_run {
	__u64 start;		/* in: user address of the buffer */
	__u64 len;		/* in: its length */
	__s32 memfd;		/* in: the memfd behind it (MEMFD_FOLIOS) */
	__u32 method;		/* in: enum hugesg_bench_method */
	__u32 max_segment;	/* in: longest sg entry (except SEED_GUP) */
	__u32 dma;		/* in: also map (hugesg-fpga), count segments */
	__u64 register_ns;	/* out: pin + build the table */
	__u64 unregister_ns;	/* out: free the table + unpin */
	__u64 transient_bytes;	/* out: peak temporary memory of register */
	__u64 persistent_bytes;	/* out: kept while registered */
	__u64 sg_entries;	/* out: orig_nents */
	__u64 dma_segments;	/* out: nents after dma_map_sgtable() */
	__s64 pins;		/* out: references/pins taken; -1: not known */
};

/*
 * hugesg's own cost in phases, on one buffer of hugepages of @page_size
 * (HUGESG_HUGE | HUGESG_WRITE): the pin alone (get + put of the hugepages),
 * then the table (pin + table build, the map and unmap for hugesg-fpga, the
 * release of the table: unpin + free), each timed on its own.
 */
struct hugesg_bench_phases {
	__u64 start;		/* in: user address of the buffer */
	__u64 len;		/* in: its length */
	__u64 page_size;	/* in: its hugepage size */
	__u32 max_segment;	/* in: longest sg entry */
	__u32 pad;		/* in: zero */
	__u64 nr_hugepages;	/* out: hugepages pinned */
	__u64 pin_ns;		/* out: hugesg_get_user_hugepages_fast() */
	__u64 unpin_ns;		/* out: hugesg_put_user_hugepages() */
	__u64 table_ns;		/* out: hugesg_sg_alloc_table_from_user_pages() */
	__u64 map_ns;		/* out: dma_map_sgtable(), hugesg-fpga */
	__u64 unmap_ns;		/* out: dma_unmap_sgtable() */
	__u64 free_ns;		/* out: hugesg_sg_free_table_user_pages() */
};

#define HUGESG_BENCH_MAGIC	0xb8
/* -EOPNOTSUPP: the kernel lacks what the method needs */
#define HUGESG_BENCH_RUN	_IOWR(HUGESG_BENCH_MAGIC, 1, struct hugesg_bench_run)
/* -ENODEV: no hugesg-fpga device to map the table for */
#define HUGESG_BENCH_PHASES	_IOWR(HUGESG_BENCH_MAGIC, 2, struct hugesg_bench_phases)

#endif /* _HUGESG_BENCH_H */
