// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg: the scatterlist builder and the unpin walker, the two halves of a
 * table that is its own record of the pins it holds.
 */
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "compat.h"
#include "hugesg_internal.h"

/*
 * Releasing the pins a table records.  Ordinary pages were pinned once per
 * 4 KiB page, and no page is shared by two entries (entries split on page
 * boundaries).  A hugetlb page was pinned once per occurrence in the range,
 * but may be split over several consecutive entries by max_segment: an entry
 * that starts exactly where the previous one ended, inside a hugepage,
 * continues that occurrence and must not unpin it again.  A second
 * occurrence of the same hugepage always starts at its first byte.
 *
 * The occurrence is unpinned at its first entry, and that pin may have been
 * the page's last reference (the process is gone and the page is surplus):
 * it is then back in the page allocator, and its struct page describes
 * whatever it has become.  So the walker decides that an entry continues an
 * occurrence from its own record (where the hugepage it unpinned last lies):
 * an entry that starts where the previous one ended, strictly inside that
 * hugepage, continues it, and the walker skips that part without looking
 * at the page.  Any other entry, also one of ordinary pages at a lower
 * physical address or a new occurrence at the hugepage's first byte, is
 * unpinned as it comes.  It reads a struct page only while the pin it is
 * about to drop still holds it.
 *
 * Ordinary pages are unpinned a contiguous run at a time
 * (unpin_user_page_range_dirty_lock()); hugepages are gathered,
 * HUGESG_UNPIN_BATCH at a time, and unpinned together by
 * hugesg_unpin_flush() (unpin_folios() where the kernel has it), which the
 * walk's owner calls once more at the end.  A gathered hugepage is still
 * pinned, so the rule above holds: the walker may read its struct page
 * (a second occurrence of it) until the flush.
 */

void hugesg_unpin_flush(struct hugesg_unpin_state *st)
{
	if (st->nheads)
		hugesg_unpin_heads(st->heads, st->nheads, st->dirty);
	st->nheads = 0;
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_unpin_flush);

void hugesg_unpin_extent(struct hugesg_unpin_state *st, unsigned long pfn,
			 unsigned int offset, unsigned int len)
{
	phys_addr_t pos = PFN_PHYS(pfn) + offset, end = pos + len;

	if (st->have_prev && pos == st->prev_end && pos > st->huge_start &&
	    pos < st->huge_end)
		pos = min(st->huge_end, end);
	st->prev_end = end;
	st->have_prev = true;

	while (pos < end) {
		struct page *page = pfn_to_page(PHYS_PFN(pos));
		unsigned long size;
		struct page *head = hugesg_hugetlb_head(page, &size);

		if (head) {
			st->huge_start = PFN_PHYS(page_to_pfn(head));
			st->huge_end = st->huge_start + size;
			st->heads[st->nheads++] = head;
			if (st->nheads == HUGESG_UNPIN_BATCH)
				hugesg_unpin_flush(st);
			pos = min(st->huge_end, end);
		} else {
			unsigned long first = PHYS_PFN(pos);
			unsigned long last = PHYS_PFN(end - 1);
			unsigned long n = 1;

			while (first + n <= last &&
			       !hugesg_page_is_hugetlb(pfn_to_page(first + n)))
				n++;
			hugesg_unpin_page_range(page, n, st->dirty);
			pos = min(PFN_PHYS(first + n), end);
		}
	}
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_unpin_extent);

/*
 * Building the table without a page array and without knowing the number of
 * entries in advance.  The result has exactly the layout sg_alloc_table()
 * gives for that number of entries, so sg_free_table() frees it: chunks of
 * SG_MAX_SINGLE_ALLOC entries from the page allocator (registered with
 * kmemleak, as sg_kmalloc() does), chained through their last entry, and a
 * last chunk of exactly the entries left, from kmalloc() unless it is full.
 * While building, every chunk is a full page; hugesg_sgb_finish() moves the
 * entries of a partial last chunk into one of exact size.  This mirrors
 * __sg_alloc_table()/__sg_free_table() of lib/scatterlist.c, unchanged from
 * 5.10 to 7.2; a change there shows in the suites as a bad free (the
 * tables of core_sgtable span many chunks).
 *
 * When the caller can bound the number of entries below
 * SG_MAX_SINGLE_ALLOC (hugesg_sgb_reserve()), the table is one kmalloc()
 * of the bound instead, allocated before the first entry and never moved:
 * sg_free_table() kfree()s a table of fewer than SG_MAX_SINGLE_ALLOC
 * entries whatever its allocated size, so hugesg_sgb_finish() only marks
 * the last entry used as the end.  Should the bound be exceeded after all
 * (the range was remapped since it was looked at), the entries move into a
 * page chunk and the build goes on as above.
 *
 * Entries are merged exactly as sg_alloc_table_from_pages_segment() merges
 * a page array: a page joins the pending entry when its pfn follows the
 * entry's last one and the entry holds fewer than max_segment / PAGE_SIZE
 * pages; the first entry starts at the offset of the range in its page, and
 * the last one ends with the range.
 */

/*
 * Start a table of @len bytes whose first byte is at @offset in its first
 * page, entries at most @max_segment (rounded down to pages) long.
 */
void hugesg_sgb_init(struct hugesg_sg_builder *b, struct sg_table *sgt,
		     unsigned long len, unsigned int offset,
		     unsigned int max_segment, gfp_t gfp)
{
	memset(sgt, 0, sizeof(*sgt));
	*b = (struct hugesg_sg_builder) {
		.sgt = sgt,
		.gfp = gfp,
		.max_pages = max_segment >> PAGE_SHIFT,
		.remaining = len,
		.offset = offset,
	};
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_sgb_init);

static struct scatterlist *hugesg_sgb_chunk_alloc(gfp_t gfp)
{
	struct scatterlist *sg = (void *)__get_free_page(gfp);

	if (!sg)
		return NULL;
	kmemleak_alloc(sg, PAGE_SIZE, 1, gfp);
	sg_init_table(sg, SG_MAX_SINGLE_ALLOC);
	return sg;
}

static void hugesg_sgb_chunk_free(struct scatterlist *sg)
{
	kmemleak_free(sg);
	free_page((unsigned long)sg);
}

/*
 * Reserve a table of at most @max_entries entries (0: unknown), before the
 * first hugesg_sgb_add().  0 or -ENOMEM.
 */
int hugesg_sgb_reserve(struct hugesg_sg_builder *b, unsigned long max_entries)
{
	if (!max_entries || max_entries >= SG_MAX_SINGLE_ALLOC)
		return 0;
	b->chunk = kmalloc_array(max_entries, sizeof(*b->chunk), b->gfp);
	if (!b->chunk)
		return -ENOMEM;
	sg_init_table(b->chunk, max_entries);
	b->sgt->sgl = b->chunk;
	b->cap = max_entries;
	b->exact = true;
	return 0;
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_sgb_reserve);

/* The reserved table is full: its entries move into a page chunk. */
static int hugesg_sgb_unreserve(struct hugesg_sg_builder *b)
{
	struct scatterlist *next = hugesg_sgb_chunk_alloc(b->gfp);
	unsigned int i;

	if (!next)
		return -ENOMEM;
	for (i = 0; i < b->used; i++)
		sg_set_page(&next[i], sg_page(&b->chunk[i]), b->chunk[i].length,
			    b->chunk[i].offset);
	kfree(b->chunk);
	b->chunk = next;
	b->sgt->sgl = next;
	b->cap = SG_MAX_SINGLE_ALLOC;
	b->exact = false;
	return 0;
}

static int hugesg_sgb_emit(struct hugesg_sg_builder *b)
{
	unsigned long bytes = (b->npages << PAGE_SHIFT) - b->offset;
	struct scatterlist *sg;

	if (!b->chunk) {
		b->chunk = hugesg_sgb_chunk_alloc(b->gfp);
		if (!b->chunk)
			return -ENOMEM;
		b->sgt->sgl = b->chunk;
		b->cap = SG_MAX_SINGLE_ALLOC;
	} else if (b->exact && b->used == b->cap) {
		int ret = hugesg_sgb_unreserve(b);

		if (ret)
			return ret;
	} else if (b->used == SG_MAX_SINGLE_ALLOC) {
		/* full: its last entry moves on and becomes the chain link */
		struct scatterlist *next = hugesg_sgb_chunk_alloc(b->gfp);
		struct scatterlist *last = &b->chunk[SG_MAX_SINGLE_ALLOC - 1];

		if (!next)
			return -ENOMEM;
		sg_set_page(next, sg_page(last), last->length, last->offset);
		sg_chain(b->chunk, SG_MAX_SINGLE_ALLOC, next);
		b->prev_chunk = b->chunk;
		b->chunk = next;
		b->used = 1;
	}
	sg = &b->chunk[b->used++];
	sg_set_page(sg, pfn_to_page(b->pfn), min(b->remaining, bytes),
		    b->offset);
	b->sgt->nents++;
	b->remaining -= min(b->remaining, bytes);
	b->offset = 0;
	b->npages = 0;
	return 0;
}

/*
 * Add @npages physically contiguous pinned pages from @pfn.  On failure
 * the pages not taken into the pending entry are unpinned here: one pin for
 * a hugetlb run (@huge) of which nothing was taken, else one per page.
 */
int hugesg_sgb_add(struct hugesg_sg_builder *b, unsigned long pfn,
			  unsigned long npages, bool huge)
{
	bool taken = false;

	while (npages) {
		unsigned long n;

		if (b->npages && pfn == b->pfn + b->npages &&
		    b->npages < b->max_pages) {
			n = min(npages, b->max_pages - b->npages);
			b->npages += n;
		} else {
			if (b->npages) {
				int ret = hugesg_sgb_emit(b);

				if (ret) {
					if (!huge)
						hugesg_unpin_page_range(pfn_to_page(pfn),
									npages, false);
					else if (!taken)
						unpin_user_page(pfn_to_page(pfn));
					return ret;
				}
			}
			n = min(npages, b->max_pages);
			b->pfn = pfn;
			b->npages = n;
		}
		taken = true;
		pfn += n;
		npages -= n;
	}
	return 0;
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_sgb_add);

int hugesg_sgb_finish(struct hugesg_sg_builder *b)
{
	struct scatterlist *exact, *sg;
	unsigned int i;
	int ret;

	if (b->npages) {
		ret = hugesg_sgb_emit(b);
		if (ret)
			return ret;
	}
	b->sgt->orig_nents = b->sgt->nents;
	if (b->exact) {
		sg_mark_end(&b->chunk[b->used - 1]);
		b->chunk = NULL;
		return 0;
	}
	if (b->used == SG_MAX_SINGLE_ALLOC) {
		sg_mark_end(&b->chunk[b->used - 1]);
		return 0;
	}
	exact = kmalloc_array(b->used, sizeof(*exact), b->gfp);
	if (!exact)
		return -ENOMEM;
	sg_init_table(exact, b->used);
	for (i = 0; i < b->used; i++) {
		sg = &b->chunk[i];
		sg_set_page(&exact[i], sg_page(sg), sg->length, sg->offset);
	}
	if (b->prev_chunk)
		sg_chain(b->prev_chunk, SG_MAX_SINGLE_ALLOC, exact);
	else
		b->sgt->sgl = exact;
	hugesg_sgb_chunk_free(b->chunk);
	b->chunk = NULL;
	return 0;
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_sgb_finish);

/* Undo an unfinished build: unpin what the entries and the pending hold. */
void hugesg_sgb_abort(struct hugesg_sg_builder *b)
{
	struct hugesg_unpin_state st = { };
	struct scatterlist *sg = b->sgt->sgl, *chunk, *next;
	unsigned int i;

	for (i = 0; i < b->sgt->nents; i++, sg = sg_next(sg))
		hugesg_unpin_extent(&st, page_to_pfn(sg_page(sg)), sg->offset,
				    sg->length);
	if (b->npages)
		hugesg_unpin_extent(&st, b->pfn, b->offset,
				    min_t(unsigned long, b->remaining,
					  (b->npages << PAGE_SHIFT) - b->offset));
	hugesg_unpin_flush(&st);
	if (b->exact) {
		kfree(b->chunk);
		memset(b->sgt, 0, sizeof(*b->sgt));
		return;
	}
	for (chunk = b->sgt->sgl; chunk; chunk = next) {
		next = chunk == b->chunk ? NULL :
			sg_chain_ptr(&chunk[SG_MAX_SINGLE_ALLOC - 1]);
		hugesg_sgb_chunk_free(chunk);
	}
	memset(b->sgt, 0, sizeof(*b->sgt));
}
HUGESG_EXPORT_FOR_KUNIT(hugesg_sgb_abort);
