/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside hugesg.ko: the scatterlist builder and the unpin walker
 * (hugesg_sgbuild.c), used by the pinning code (hugesg_core.c) and, on
 * kernels with KUnit, by the unit tests of tests/kmod/hugesg_kunit.c.
 * Not an API: nothing here is exported to other modules otherwise.
 */
#ifndef _HUGESG_INTERNAL_H
#define _HUGESG_INTERNAL_H

#include <linux/scatterlist.h>
#include <linux/types.h>

/* Hugepages whose unpins the walker gathers into one call. */
#define HUGESG_UNPIN_BATCH	32

/*
 * Where the unpin walker stands: the end of the extent it walked last, the
 * physical range of the hugepage it unpinned last (whose struct page it
 * may no longer read), and the head pages of the hugepages it has still to
 * unpin, in one call, by hugesg_unpin_flush().
 */
struct hugesg_unpin_state {
	phys_addr_t prev_end;
	phys_addr_t huge_start;
	phys_addr_t huge_end;
	bool have_prev;
	bool dirty;
	unsigned int nheads;
	struct page *heads[HUGESG_UNPIN_BATCH];
};

/* A table being built: see hugesg_sgbuild.c. */
struct hugesg_sg_builder {
	struct sg_table *sgt;
	struct scatterlist *chunk;	/* current chunk */
	struct scatterlist *prev_chunk;	/* the chunk chained to it */
	unsigned int used;		/* entries used in @chunk */
	unsigned int cap;		/* entries @chunk holds */
	bool exact;			/* @chunk is the whole table, kmalloc'd */
	gfp_t gfp;
	unsigned long max_pages;	/* max_segment in pages */
	unsigned long remaining;	/* bytes of the range not in an entry */
	unsigned int offset;		/* offset of the pending entry */
	unsigned long pfn;		/* first pfn of the pending entry */
	unsigned long npages;		/* its pages; 0: no pending entry */
};

void hugesg_sgb_init(struct hugesg_sg_builder *b, struct sg_table *sgt,
		     unsigned long len, unsigned int offset,
		     unsigned int max_segment, gfp_t gfp);
int hugesg_sgb_reserve(struct hugesg_sg_builder *b, unsigned long max_entries);
int hugesg_sgb_add(struct hugesg_sg_builder *b, unsigned long pfn,
		   unsigned long npages, bool huge);
int hugesg_sgb_finish(struct hugesg_sg_builder *b);
void hugesg_sgb_abort(struct hugesg_sg_builder *b);
void hugesg_unpin_extent(struct hugesg_unpin_state *st, unsigned long pfn,
			 unsigned int offset, unsigned int len);
void hugesg_unpin_flush(struct hugesg_unpin_state *st);

#endif /* _HUGESG_INTERNAL_H */
