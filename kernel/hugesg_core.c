// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg: pin a hugepage-backed user buffer for scatter-gather DMA with one
 * pin and one scatterlist entry per hugepage.
 *
 * A hugetlb page is pinned once, through its first page in the range
 * (pin_user_pages_fast() with nr_pages = 1), however many 4 KiB pages of it
 * the range covers.  The scatterlist is built while pinning, without a page
 * array: the table itself is the record of the pins, and the free walks it to
 * unpin.  No page is ever mapped into kernel virtual memory (no kmap, no
 * vmap): the pages are only handed to the DMA API.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugesg.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"

/* Ordinary pages are pinned in batches whose page array fills one page. */
#define HUGESG_BATCH	(PAGE_SIZE / sizeof(struct page *))

static int hugesg_check_range(unsigned long start, unsigned long len,
			      unsigned int flags)
{
	if (!len || start + len < start)
		return -EINVAL;
	if (flags & ~HUGESG_FLAGS_MASK)
		return -EINVAL;
	if ((flags & HUGESG_MODE_MASK) == HUGESG_MODE_MASK)
		return -EINVAL;
	return 0;
}

static unsigned int hugesg_gup_flags(unsigned int flags)
{
	return FOLL_LONGTERM | ((flags & HUGESG_WRITE) ? FOLL_WRITE : 0);
}

/* Pin the one page at @addr; 0 or a negative errno. */
static int hugesg_pin_one(unsigned long addr, unsigned int gup_flags,
			  struct page **page)
{
	int ret = pin_user_pages_fast(addr & PAGE_MASK, 1, gup_flags, page);

	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -EFAULT;
}

/**
 * hugesg_put_user_hugepages() - unpin hugepages pinned by
 *	hugesg_get_user_hugepages_fast()
 * @hpages: the head pages it stored
 * @nr_hpages: how many it returned
 * @dirty: mark each hugepage dirty first (the device wrote into it)
 */
void hugesg_put_user_hugepages(struct page **hpages, unsigned long nr_hpages,
			       bool dirty)
{
	unpin_user_pages_dirty_lock(hpages, nr_hpages, dirty);
}
EXPORT_SYMBOL_GPL(hugesg_put_user_hugepages);

/**
 * hugesg_get_user_hugepages_fast() - pin the hugetlb pages of a user range
 * @start: user address of the first byte (any alignment)
 * @len: length in bytes (any)
 * @flags: %HUGESG_HUGE, optionally with %HUGESG_WRITE
 * @hpages: receives the head page of each hugepage, in address order
 * @nr_hpages: room in @hpages
 *
 * Pins each hugetlb page that overlaps [@start, @start + @len) exactly once
 * (FOLL_PIN | FOLL_LONGTERM), whatever its size (2 MiB and 1 GiB pages may
 * be mixed), so the caller needs one page pointer per hugepage instead of
 * one per 4 KiB page.  The pages are not mapped into the kernel.  Release
 * them with hugesg_put_user_hugepages().  Context: process, may sleep.
 *
 * Return: the number of hugepages pinned, fewer than the range holds only
 * when @nr_hpages is smaller; or a negative errno with nothing left pinned:
 * -EINVAL for bad arguments or a page of the range that is not a hugetlb
 * page, -EFAULT for a hole, PROT_NONE, VM_IO/VM_PFNMAP memory or, with
 * %HUGESG_WRITE, memory the process may not write.
 */
long hugesg_get_user_hugepages_fast(unsigned long start, unsigned long len,
				    unsigned int flags, struct page **hpages,
				    unsigned long nr_hpages)
{
	unsigned int gup_flags = hugesg_gup_flags(flags);
	unsigned long addr = start, end = start + len;
	unsigned long n = 0;
	int ret;

	ret = hugesg_check_range(start, len, flags);
	if (ret)
		return ret;
	if ((flags & HUGESG_MODE_MASK) != HUGESG_HUGE || !hpages || !nr_hpages)
		return -EINVAL;

	while (addr < end && n < nr_hpages) {
		struct page *page;
		unsigned long size;

		ret = hugesg_pin_one(addr, gup_flags, &page);
		if (ret)
			goto err;
		if (!hugesg_page_is_hugetlb(page)) {
			unpin_user_page(page);
			ret = -EINVAL;
			goto err;
		}
		page = compound_head(page);
		size = hugesg_compound_size(page);
		hpages[n++] = page;
		addr = ALIGN_DOWN(addr, size) + size;
	}
	return n;

err:
	hugesg_put_user_hugepages(hpages, n, false);
	return ret;
}
EXPORT_SYMBOL_GPL(hugesg_get_user_hugepages_fast);

/*
 * Releasing the pins a table records.  Ordinary pages were pinned once per
 * 4 KiB page, and no page is shared by two entries (entries split on page
 * boundaries).  A hugetlb page was pinned once per occurrence in the range,
 * but may be split over several consecutive entries by max_segment: an entry
 * that starts exactly where the previous one ended, inside a hugepage,
 * continues that occurrence and must not unpin it again.  A second
 * occurrence of the same hugepage always starts at its first byte.
 */
struct hugesg_unpin_state {
	phys_addr_t prev_end;
	bool have_prev;
	bool dirty;
};

static void hugesg_unpin_extent(struct hugesg_unpin_state *st,
				unsigned long pfn, unsigned int offset,
				unsigned int len)
{
	phys_addr_t pos = PFN_PHYS(pfn) + offset, end = pos + len;
	bool continues = st->have_prev && pos == st->prev_end;

	while (pos < end) {
		struct page *page = pfn_to_page(PHYS_PFN(pos));

		if (hugesg_page_is_hugetlb(page)) {
			struct page *head = compound_head(page);
			phys_addr_t hstart = PFN_PHYS(page_to_pfn(head));
			phys_addr_t hend = hstart + hugesg_compound_size(head);

			if (!(continues && pos != hstart))
				unpin_user_pages_dirty_lock(&head, 1, st->dirty);
			pos = min(hend, end);
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
		continues = false;
	}
	st->prev_end = end;
	st->have_prev = true;
}

/*
 * Building the table without a page array and without knowing the number of
 * entries in advance.  The result has exactly the layout sg_alloc_table()
 * gives for that number of entries, so sg_free_table() frees it: chunks of
 * SG_MAX_SINGLE_ALLOC entries from the page allocator (registered with
 * kmemleak, as sg_kmalloc() does), chained through their last entry, and a
 * last chunk of exactly the entries left, from kmalloc() unless it is full.
 * While building, every chunk is a full page; sg_builder_finish() moves the
 * entries of a partial last chunk into one of exact size.  This mirrors
 * __sg_alloc_table()/__sg_free_table() of lib/scatterlist.c, unchanged from
 * 5.10 to 6.12; a change there shows in the suites as a bad free (the
 * tables of core_sgtable span many chunks).
 *
 * Entries are merged exactly as sg_alloc_table_from_pages_segment() merges
 * a page array: a page joins the pending entry when its pfn follows the
 * entry's last one and the entry holds fewer than max_segment / PAGE_SIZE
 * pages; the first entry starts at the offset of the range in its page, and
 * the last one ends with the range.
 */
struct hugesg_sg_builder {
	struct sg_table *sgt;
	struct scatterlist *chunk;	/* current chunk (a page) */
	struct scatterlist *prev_chunk;	/* the chunk chained to it */
	unsigned int used;		/* entries used in @chunk */
	gfp_t gfp;
	unsigned long max_pages;	/* max_segment in pages */
	unsigned long remaining;	/* bytes of the range not in an entry */
	unsigned int offset;		/* offset of the pending entry */
	unsigned long pfn;		/* first pfn of the pending entry */
	unsigned long npages;		/* its pages; 0: no pending entry */
};

static struct scatterlist *sg_builder_chunk_alloc(gfp_t gfp)
{
	struct scatterlist *sg = (void *)__get_free_page(gfp);

	if (!sg)
		return NULL;
	kmemleak_alloc(sg, PAGE_SIZE, 1, gfp);
	sg_init_table(sg, SG_MAX_SINGLE_ALLOC);
	return sg;
}

static void sg_builder_chunk_free(struct scatterlist *sg)
{
	kmemleak_free(sg);
	free_page((unsigned long)sg);
}

static int sg_builder_emit(struct hugesg_sg_builder *b)
{
	unsigned long bytes = (b->npages << PAGE_SHIFT) - b->offset;
	struct scatterlist *sg;

	if (!b->chunk) {
		b->chunk = sg_builder_chunk_alloc(b->gfp);
		if (!b->chunk)
			return -ENOMEM;
		b->sgt->sgl = b->chunk;
	} else if (b->used == SG_MAX_SINGLE_ALLOC) {
		/* full: its last entry moves on and becomes the chain link */
		struct scatterlist *next = sg_builder_chunk_alloc(b->gfp);
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
static int sg_builder_add(struct hugesg_sg_builder *b, unsigned long pfn,
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
				int ret = sg_builder_emit(b);

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

static int sg_builder_finish(struct hugesg_sg_builder *b)
{
	struct scatterlist *exact, *sg;
	unsigned int i;
	int ret;

	if (b->npages) {
		ret = sg_builder_emit(b);
		if (ret)
			return ret;
	}
	b->sgt->orig_nents = b->sgt->nents;
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
	sg_builder_chunk_free(b->chunk);
	b->chunk = NULL;
	return 0;
}

/* Undo an unfinished build: unpin what the entries and the pending hold. */
static void sg_builder_abort(struct hugesg_sg_builder *b)
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
	for (chunk = b->sgt->sgl; chunk; chunk = next) {
		next = chunk == b->chunk ? NULL :
			sg_chain_ptr(&chunk[SG_MAX_SINGLE_ALLOC - 1]);
		sg_builder_chunk_free(chunk);
	}
	memset(b->sgt, 0, sizeof(*b->sgt));
}

struct hugesg_pin_stats {
	u64 pinned_bytes;
	unsigned long nr_pins;
	unsigned long page_sizes;
};

static void hugesg_count(struct hugesg_pin_stats *stats, unsigned long size)
{
	stats->pinned_bytes += size;
	stats->nr_pins++;
	stats->page_sizes |= size;
}

/*
 * Pin the ordinary pages from @addr (whose first page, @first, is pinned
 * already) to the end of its batch window or of the range, and add them.
 * A window is aligned to HUGESG_BATCH pages: on x86 that is the smallest
 * hugepage size, and hugetlb mappings are aligned to their page size, so a
 * window that starts with an ordinary page holds no hugetlb page.  Where
 * that does not hold (a hugetlb page shows up in the batch), the batch is
 * cut before it.  Returns the bytes consumed or a negative errno.
 */
static long hugesg_add_normal(struct hugesg_sg_builder *b, struct page **batch,
			      struct page *first, unsigned long addr,
			      unsigned long end, unsigned int flags,
			      struct hugesg_pin_stats *stats)
{
	unsigned long wend = min(ALIGN(addr + 1, HUGESG_BATCH << PAGE_SHIFT),
				 PAGE_ALIGN(end));
	unsigned long pos = addr + PAGE_SIZE;
	int ret, got, i;

	ret = sg_builder_add(b, page_to_pfn(first), 1, false);
	if (ret)
		return ret;
	hugesg_count(stats, PAGE_SIZE);

	while (pos < wend) {
		got = pin_user_pages_fast(pos, (wend - pos) >> PAGE_SHIFT,
					  hugesg_gup_flags(flags), batch);
		if (got <= 0)
			return got ? got : -EFAULT;
		for (i = 0; i < got; i++) {
			if (hugesg_page_is_hugetlb(batch[i])) {
				unpin_user_pages(batch + i, got - i);
				if ((flags & HUGESG_MODE_MASK) != HUGESG_AUTO)
					return -EINVAL;
				return pos + ((unsigned long)i << PAGE_SHIFT) - addr;
			}
			ret = sg_builder_add(b, page_to_pfn(batch[i]), 1, false);
			if (ret) {
				unpin_user_pages(batch + i + 1, got - i - 1);
				return ret;
			}
			hugesg_count(stats, PAGE_SIZE);
		}
		pos += (unsigned long)got << PAGE_SHIFT;
	}
	return pos - addr;
}

static int hugesg_build(struct sg_table *sgt, unsigned long start,
			unsigned long len, unsigned int max_segment,
			unsigned int flags, gfp_t gfp,
			struct hugesg_pin_stats *stats)
{
	unsigned int mode = flags & HUGESG_MODE_MASK;
	unsigned long addr = start & PAGE_MASK, end = start + len;
	struct hugesg_sg_builder b = {
		.sgt = sgt,
		.gfp = gfp,
		.max_pages = max_segment >> PAGE_SHIFT,
		.remaining = len,
		.offset = offset_in_page(start),
	};
	struct page **batch = NULL;
	int ret;

	memset(sgt, 0, sizeof(*sgt));
	memset(stats, 0, sizeof(*stats));
	ret = hugesg_check_range(start, len, flags);
	if (ret)
		return ret;
	if (!b.max_pages)
		return -EINVAL;

	while (addr < end) {
		struct page *page;
		unsigned long size, npages;
		long done;

		cond_resched();
		ret = hugesg_pin_one(addr, hugesg_gup_flags(flags), &page);
		if (ret)
			goto err;

		if (!hugesg_page_is_hugetlb(page)) {
			if (mode == HUGESG_HUGE) {
				unpin_user_page(page);
				ret = -EINVAL;
				goto err;
			}
			if (!batch) {
				batch = kmalloc_array(HUGESG_BATCH, sizeof(*batch),
						      gfp);
				if (!batch) {
					unpin_user_page(page);
					ret = -ENOMEM;
					goto err;
				}
			}
			done = hugesg_add_normal(&b, batch, page, addr, end,
						 flags, stats);
			if (done < 0) {
				ret = done;
				goto err;
			}
			addr += done;
			continue;
		}

		if (mode == HUGESG_NORMAL) {
			unpin_user_page(page);
			ret = -EINVAL;
			goto err;
		}
		size = hugesg_compound_size(page);
		npages = (min(ALIGN_DOWN(addr, size) + size, PAGE_ALIGN(end)) -
			  addr) >> PAGE_SHIFT;
		ret = sg_builder_add(&b, page_to_pfn(page), npages, true);
		if (ret)
			goto err;
		hugesg_count(stats, size);
		addr += npages << PAGE_SHIFT;
	}

	ret = sg_builder_finish(&b);
	if (ret)
		goto err;
	kfree(batch);
	return 0;

err:
	sg_builder_abort(&b);
	kfree(batch);
	memset(stats, 0, sizeof(*stats));
	return ret;
}

/**
 * hugesg_sg_alloc_table_from_user_pages() - pin a user range and describe it
 *	in a scatter-gather table
 * @sgt: the table to fill (its old content is ignored)
 * @start: user address of the first byte (any alignment)
 * @len: length in bytes (any)
 * @max_segment: the longest entry allowed; rounded down to PAGE_SIZE
 * @flags: %HUGESG_NORMAL, %HUGESG_HUGE or %HUGESG_AUTO, optionally with
 *	%HUGESG_WRITE
 * @gfp_mask: for the table's allocations
 *
 * Pins the range (FOLL_PIN | FOLL_LONGTERM): a hugetlb page once, an
 * ordinary page once per 4 KiB page, and builds a table whose entries cover
 * exactly [@start, @start + @len) in address order, each physically
 * contiguous and at most @max_segment long.  Contiguous pages are merged as
 * sg_alloc_table_from_pages_segment() merges the same pages, so both give
 * the same (physical address, length) list; with @max_segment equal to the
 * hugepage size, a hugepage-aligned buffer gets one entry per hugepage.  No
 * page array is allocated (transient memory is one page at most, and only
 * for ordinary pages), and no page is mapped into the kernel.
 * Free with hugesg_sg_free_table_user_pages(), never sg_free_table() alone.
 * Context: process, may sleep.
 *
 * Return: 0, or a negative errno with nothing pinned and @sgt empty:
 * -EINVAL for bad arguments (zero or wrapping length, unknown flags,
 * @max_segment < PAGE_SIZE) or memory that does not match the mode,
 * -EFAULT for a hole, PROT_NONE, VM_IO/VM_PFNMAP memory or, with
 * %HUGESG_WRITE, memory the process may not write, -ENOMEM; any other
 * error of pin_user_pages_fast() is passed on.
 */
int hugesg_sg_alloc_table_from_user_pages(struct sg_table *sgt,
					  unsigned long start,
					  unsigned long len,
					  unsigned int max_segment,
					  unsigned int flags, gfp_t gfp_mask)
{
	struct hugesg_pin_stats stats;

	return hugesg_build(sgt, start, len, max_segment, flags, gfp_mask,
			    &stats);
}
EXPORT_SYMBOL_GPL(hugesg_sg_alloc_table_from_user_pages);

/**
 * hugesg_sg_free_table_user_pages() - unpin and free a table built by
 *	hugesg_sg_alloc_table_from_user_pages()
 * @sgt: the table; it must not be DMA-mapped any more
 * @dirty: mark the pages dirty first (the device wrote into them)
 *
 * Releases every pin the allocation took, once per hugepage even when
 * several entries share it, then frees the table.
 */
void hugesg_sg_free_table_user_pages(struct sg_table *sgt, bool dirty)
{
	struct hugesg_unpin_state st = { .dirty = dirty };
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		hugesg_unpin_extent(&st, page_to_pfn(sg_page(sg)), sg->offset,
				    sg->length);
	sg_free_table(sgt);
}
EXPORT_SYMBOL_GPL(hugesg_sg_free_table_user_pages);

/**
 * hugesg_buf_pin() - pin a user buffer of the current process for a device
 * @start: user address of the first byte
 * @len: length in bytes
 * @max_segment: the longest scatterlist entry allowed (>= PAGE_SIZE)
 * @flags: as for hugesg_sg_alloc_table_from_user_pages()
 *
 * The managed form of hugesg_sg_alloc_table_from_user_pages(), in the manner
 * of RDMA's ib_umem_get(): the memory held pinned (whole hugepages) is
 * charged to the current mm's pinned_vm (VmPin) against RLIMIT_MEMLOCK,
 * unless the caller has CAP_IPC_LOCK, and that mm is held (mmgrab()), so
 * hugesg_buf_unpin() uncharges the right account even from a release()
 * that runs after the process has exited.  The charge is made once the
 * pinned size is known, so a request over the limit is refused only after
 * its pages were pinned (and then released).
 *
 * Return: the buffer, whose @sgt is ready for dma_map_sgtable(); or
 * ERR_PTR() of -EINVAL, -EFAULT (see the table function; also when called
 * from a kernel thread, which has no user memory), or -ENOMEM for an
 * allocation failure or RLIMIT_MEMLOCK exceeded; nothing is left pinned or
 * charged on failure.
 */
struct hugesg_buf *hugesg_buf_pin(unsigned long start, unsigned long len,
				  unsigned int max_segment, unsigned int flags)
{
	struct mm_struct *mm = current->mm;
	struct hugesg_pin_stats stats;
	struct hugesg_buf *buf;
	unsigned long npages, limit;
	int ret;

	if (!mm)
		return ERR_PTR(-EFAULT);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	ret = hugesg_build(&buf->sgt, start, len, max_segment, flags,
			   GFP_KERNEL, &stats);
	if (ret)
		goto err_free;

	npages = stats.pinned_bytes >> PAGE_SHIFT;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	if (atomic64_add_return(npages, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		hugesg_sg_free_table_user_pages(&buf->sgt, false);
		ret = -ENOMEM;
		goto err_free;
	}
	mmgrab(mm);
	buf->mm = mm;
	buf->start = start;
	buf->len = len;
	buf->flags = flags;
	buf->max_segment = max_segment & PAGE_MASK;
	buf->pinned_bytes = stats.pinned_bytes;
	buf->nr_pins = stats.nr_pins;
	buf->page_sizes = stats.page_sizes;
	return buf;

err_free:
	kfree(buf);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(hugesg_buf_pin);

/**
 * hugesg_buf_unpin() - release a buffer pinned by hugesg_buf_pin()
 * @buf: the buffer (NULL or an error pointer is ignored); its table must no
 *	longer be DMA-mapped and no device may access it any more
 *
 * Unpins the pages (dirtying them when pinned with %HUGESG_WRITE), frees the
 * table, uncharges the mm the pin was charged to and drops it.  May run
 * after the process that pinned has exited.
 */
void hugesg_buf_unpin(struct hugesg_buf *buf)
{
	if (IS_ERR_OR_NULL(buf))
		return;
	hugesg_sg_free_table_user_pages(&buf->sgt, buf->flags & HUGESG_WRITE);
	atomic64_sub(buf->pinned_bytes >> PAGE_SHIFT, &buf->mm->pinned_vm);
	mmdrop(buf->mm);
	kfree(buf);
}
EXPORT_SYMBOL_GPL(hugesg_buf_unpin);

/**
 * hugesg_dma_page_table() - list the bus address of each device page of a
 *	DMA-mapped table
 * @sgt: a table mapped with dma_map_sgtable()
 * @shift: log2 of the device's page size (21 for 2 MiB, 30 for 1 GiB)
 * @table: receives one bus address per page, in order
 * @max: room in @table
 *
 * For devices that describe memory as a table of equal pages (a hugepage
 * table in a BAR, say) rather than a list of segments.  Works on the DMA
 * segments, so the result is the same whether or not an IOMMU merged
 * entries: a merged segment yields one address per page it spans.
 *
 * Return: the number of pages, -EINVAL when a DMA segment does not start on
 * or does not span whole pages of 1 << @shift bytes (the memory is not
 * hugepages of that size, or the buffer is not aligned to them), -E2BIG
 * when there are more than @max pages.
 */
long hugesg_dma_page_table(struct sg_table *sgt, unsigned int shift,
			   u64 *table, unsigned long max)
{
	u64 size = 1ULL << shift, off;
	struct scatterlist *sg;
	unsigned long n = 0;
	unsigned int i;

	if (shift < PAGE_SHIFT || shift >= 63)
		return -EINVAL;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);

		if ((addr & (size - 1)) || (len & (size - 1)) || !len)
			return -EINVAL;
		for (off = 0; off < len; off += size) {
			if (n == max)
				return -E2BIG;
			table[n++] = addr + off;
		}
	}
	return n;
}
EXPORT_SYMBOL_GPL(hugesg_dma_page_table);

MODULE_DESCRIPTION("Pin hugepage-backed user buffers for scatter-gather DMA");
MODULE_LICENSE("GPL");
