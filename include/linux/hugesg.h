/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugesg - pin hugepage-backed user buffers for scatter-gather DMA with one
 * pin and one scatterlist entry per hugepage.
 *
 * Every pin is FOLL_PIN | FOLL_LONGTERM (see
 * Documentation/core-api/pin_user_pages.rst).  No page is ever mapped into
 * kernel virtual memory: the tables are for DMA only.
 */
#ifndef _LINUX_HUGESG_H
#define _LINUX_HUGESG_H

#include <linux/types.h>
#include <linux/scatterlist.h>
#include <uapi/linux/hugesg.h>

struct device;
struct page;
struct mm_struct;

long hugesg_get_user_hugepages_fast(unsigned long start, unsigned long len,
				    unsigned int flags, struct page **hpages,
				    unsigned long nr_hpages);
void hugesg_put_user_hugepages(struct page **hpages, unsigned long nr_hpages,
			       bool dirty);

int hugesg_sg_alloc_table_from_user_pages(struct sg_table *sgt,
					  unsigned long start,
					  unsigned long len,
					  unsigned int max_segment,
					  unsigned int flags, gfp_t gfp_mask);
void hugesg_sg_free_table_user_pages(struct sg_table *sgt, bool dirty);

/**
 * struct hugesg_buf - a pinned user buffer, managed (see hugesg_buf_pin())
 * @sgt: the scatter-gather table of the buffer, for dma_map_sgtable()
 * @start: user virtual address of the first byte
 * @len: length in bytes
 * @flags: HUGESG_* flags it was pinned with
 * @max_segment: the longest entry allowed in @sgt
 * @pinned_bytes: memory held pinned (whole hugepages), charged to @mm
 * @nr_pins: pins held (one per occurrence of a hugepage in the range, one
 *	per ordinary page; where the kernel pins, HUGESG_KERNEL_PIN in
 *	compat.h, one per folio range: see hugesg_buf_pin())
 * @page_sizes: bitmap of the page sizes met (bit n set: a 2^n byte page)
 * @mm: the mm that was charged; held with mmgrab() until unpin
 */
struct hugesg_buf {
	struct sg_table sgt;
	unsigned long start;
	unsigned long len;
	unsigned int flags;
	unsigned int max_segment;
	u64 pinned_bytes;
	unsigned long nr_pins;
	unsigned long page_sizes;
	struct mm_struct *mm;
};

struct hugesg_buf *hugesg_buf_pin(unsigned long start, unsigned long len,
				  unsigned int max_segment, unsigned int flags);
void hugesg_buf_unpin(struct hugesg_buf *buf);

long hugesg_dma_page_table(struct sg_table *sgt, unsigned int shift,
			   u64 *table, unsigned long max);

u64 hugesg_dma_segment_limit(struct device *dev);
unsigned int hugesg_max_segment_round(u64 limit);
unsigned int hugesg_dma_max_segment(struct device *dev);

/*
 * The names of the LKML proposal ("Proposal of improvement for DMA - direct
 * passing of hugepages to the SG list", 2021), unless the kernel being built
 * against ever provides them itself (HUGESG_HAVE_KERNEL_* come from a probe
 * of its headers, kernel/features.mk).
 */
#ifndef HUGESG_HAVE_KERNEL_GET_USER_HUGEPAGES_FAST
static inline long get_user_hugepages_fast(unsigned long start,
					   unsigned long len,
					   unsigned int flags,
					   struct page **hpages,
					   unsigned long nr_hpages)
{
	return hugesg_get_user_hugepages_fast(start, len, flags, hpages,
					      nr_hpages);
}
#endif

#ifndef HUGESG_HAVE_KERNEL_SG_ALLOC_TABLE_FROM_USER_PAGES
static inline int sg_alloc_table_from_user_pages(struct sg_table *sgt,
						 unsigned long start,
						 unsigned long len,
						 unsigned int max_segment,
						 unsigned int flags,
						 gfp_t gfp_mask)
{
	return hugesg_sg_alloc_table_from_user_pages(sgt, start, len,
						     max_segment, flags,
						     gfp_mask);
}
#endif

#ifndef HUGESG_HAVE_KERNEL_SG_FREE_TABLE_USER_PAGES
static inline void sg_free_table_user_pages(struct sg_table *sgt, bool dirty)
{
	hugesg_sg_free_table_user_pages(sgt, dirty);
}
#endif

#endif /* _LINUX_HUGESG_H */
