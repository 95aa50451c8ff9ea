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

#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/hugesg.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "hugesg_internal.h"

/* Ordinary pages are pinned in batches whose page array fills one page. */
#define HUGESG_BATCH	(PAGE_SIZE / sizeof(struct page *))

/* The arguments every entry point shares: -EINVAL when they are bad. */
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

/*
 * After every argument check: a range must lie below the user-space limit,
 * as GUP requires (-EFAULT otherwise).  A range that ran to the top of the
 * address space without wrapping would make every "end rounded up to a
 * page" past it zero.
 */
static int hugesg_check_limit(unsigned long start, unsigned long len)
{
	return start + len > TASK_SIZE ? -EFAULT : 0;
}

/* What the VMAs of a range say before anything is pinned. */
struct hugesg_vma_scan {
	unsigned long io_start;		/* first VM_IO/VM_PFNMAP byte, or end */
	unsigned long file_start;	/* first shared hugetlb byte, or end */
	unsigned long pages;		/* hugepages + ordinary pages */
	unsigned long normal_pages;	/* the ordinary ones */
	u64 pin_bytes;			/* what the pins will hold */
};

/*
 * Look the range's VMAs up once: where the first VM_IO or VM_PFNMAP mapping
 * starts (GUP-fast pins such a mapping's ptes when they are ordinary pages,
 * vm_insert_page(), although the memory belongs to a driver), and how much
 * memory the pins will hold: whole hugepages for hugetlb mappings, the
 * range's own pages elsewhere (and how many pages that is, which bounds
 * the table's entries); and where the first shared hugetlb mapping of
 * more than one hugepage of the range starts, on kernels that pin those
 * through their file (compat.h, HUGESG_FILE_PIN).  Holes are left to the pin, which reports them.  A
 * snapshot: the caller pins after the lock is dropped, so a process
 * that remaps the range meanwhile is charged for what it really pinned (see
 * hugesg_buf_pin()), and a page pinned from a mapping swapped in meanwhile
 * is held by its pin like any other.
 */
static int hugesg_scan_vmas(unsigned long start, unsigned long end,
			    struct hugesg_vma_scan *scan)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr = start;

	scan->io_start = end;
	scan->file_start = end;
	scan->pages = 0;
	scan->normal_pages = 0;
	scan->pin_bytes = 0;
	if (!mm)
		return -EFAULT;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (addr < end) {
		unsigned long vend, lo, hi;

		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start >= end)
			break;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
			scan->io_start = max(vma->vm_start, addr & PAGE_MASK);
			break;
		}
		vend = min(vma->vm_end, end);
		lo = max(vma->vm_start, addr);
		if (is_vm_hugetlb_page(vma)) {
			unsigned long hsize = huge_page_size(hstate_vma(vma));

			hi = ALIGN(vend, hsize);
			lo = ALIGN_DOWN(lo, hsize);
			scan->pages += (hi - lo) / hsize;
			if (HUGESG_FILE_PIN && (vma->vm_flags & VM_MAYSHARE) &&
			    hi - lo > hsize && scan->file_start == end)
				scan->file_start = max(vma->vm_start, addr) &
						   PAGE_MASK;
		} else {
			hi = PAGE_ALIGN(vend);
			lo &= PAGE_MASK;
			scan->pages += (hi - lo) >> PAGE_SHIFT;
			scan->normal_pages += (hi - lo) >> PAGE_SHIFT;
		}
		scan->pin_bytes += hi - lo;
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
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
 * Pins each hugetlb page that overlaps [@start, @start + @len) once per
 * occurrence in the range (FOLL_PIN | FOLL_LONGTERM; a hugepage mapped
 * twice in the range is stored and pinned twice), whatever its size (2 MiB
 * and 1 GiB pages may be mixed), so the caller needs one page pointer per
 * hugepage instead of one per 4 KiB page.  The pages are not mapped into
 * the kernel.  Release them with hugesg_put_user_hugepages().
 * Context: process, may sleep.
 *
 * Return: the number of hugepages pinned, fewer than the range holds only
 * when @nr_hpages is smaller (the range is then pinned from its start and
 * not looked at past the last hugepage stored); or a negative errno with
 * nothing left pinned: -EINVAL for bad arguments (zero or wrapping length,
 * unknown flags, a mode other than %HUGESG_HUGE, no array) or a page of the
 * range that is not a hugetlb page; -EFAULT for a range that reaches past
 * the user address space (TASK_SIZE), a hole, PROT_NONE, a VM_IO or
 * VM_PFNMAP mapping (whatever its ptes map), with %HUGESG_WRITE memory the
 * process may not write, or no user memory at all (a kernel thread); it
 * may fail with -EINTR when a fatal signal is pending.  Bad arguments are
 * reported first, then a range past TASK_SIZE; then, when the range holds
 * several of the faults above, the first in address order decides.  The
 * mappings are looked up once, before pinning: one that the caller's own
 * threads swap in during the call is pinned as GUP finds it (the pin holds
 * its page like any other).
 *
 * On a kernel that has pin_user_folio_ranges_fast() (compat.h,
 * HUGESG_KERNEL_PIN) the hugepages are pinned through it, up to 16 per
 * call instead of one GUP call each, with the same pins (one per
 * occurrence), results and errors.
 */
long hugesg_get_user_hugepages_fast(unsigned long start, unsigned long len,
				    unsigned int flags, struct page **hpages,
				    unsigned long nr_hpages)
{
	unsigned int gup_flags = hugesg_gup_flags(flags);
	unsigned long addr = start, end = start + len;
	struct hugesg_vma_scan scan;
	unsigned long n = 0;
	int ret;

	ret = hugesg_check_range(start, len, flags);
	if (ret)
		return ret;
	if ((flags & HUGESG_MODE_MASK) != HUGESG_HUGE || !hpages || !nr_hpages)
		return -EINVAL;
	ret = hugesg_check_limit(start, len);
	if (ret)
		return ret;
	ret = hugesg_scan_vmas(start, end, &scan);
	if (ret)
		return ret;

	while (addr < end && n < nr_hpages) {
		struct page *page;
		unsigned long size;

		if (addr >= scan.io_start) {
			ret = -EFAULT;
			goto err;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err;
		}
		if (HUGESG_KERNEL_PIN) {
			unsigned long next;
			long got;

			got = hugesg_kernel_pin_heads(addr & PAGE_MASK,
						      PAGE_ALIGN(min(end,
								     scan.io_start)),
						      gup_flags, hpages + n,
						      nr_hpages - n, &next);
			if (got < 0) {
				ret = got;
				goto err;
			}
			n += got;
			addr = next;
			continue;
		}
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
 * Charge @npages to @mm's pinned_vm against RLIMIT_MEMLOCK (unless the
 * caller has CAP_IPC_LOCK), as ib_umem_get() does: before pinning, so that
 * no request over the limit holds its pages.
 */
static int hugesg_charge(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (atomic64_add_return(npages, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

/*
 * What a build has pinned so far.  For hugesg_buf_pin(), also what it has
 * charged to @charge_mm: the pins may hold more than the range's mappings
 * said before pinning (another thread remapped the range meanwhile), and
 * each pin beyond the charge is charged as it is taken, or the build fails
 * with -ENOMEM, so no more than one page or one batch of pages (ordinary
 * pages, or hugepages pinned through their file) is ever held over the
 * limit, and only until the build has undone itself.
 */
struct hugesg_pin_stats {
	u64 pinned_bytes;
	unsigned long nr_pins;
	unsigned long page_sizes;
	struct mm_struct *charge_mm;
	unsigned long charged;		/* pages charged to @charge_mm */
};

static int hugesg_count(struct hugesg_pin_stats *stats, unsigned long size)
{
	unsigned long held;

	stats->pinned_bytes += size;
	stats->nr_pins++;
	stats->page_sizes |= size;
	held = stats->pinned_bytes >> PAGE_SHIFT;
	if (!stats->charge_mm || held <= stats->charged)
		return 0;
	if (hugesg_charge(stats->charge_mm, held - stats->charged))
		return -ENOMEM;
	stats->charged = held;
	return 0;
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

	ret = hugesg_sgb_add(b, page_to_pfn(first), 1, false);
	if (ret)
		return ret;
	ret = hugesg_count(stats, PAGE_SIZE);
	if (ret)
		return ret;

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
			ret = hugesg_sgb_add(b, page_to_pfn(batch[i]), 1, false);
			if (!ret)
				ret = hugesg_count(stats, PAGE_SIZE);
			if (ret) {
				unpin_user_pages(batch + i + 1, got - i - 1);
				return ret;
			}
		}
		pos += (unsigned long)got << PAGE_SHIFT;
	}
	return pos - addr;
}

/*
 * Shared hugetlb pages are pinned through the file a batch at a time: on
 * the stack up to HUGESG_FILE_BATCH, in an array of one page when the
 * stretch holds more.
 */
#define HUGESG_FILE_BATCH	32
#define HUGESG_FILE_BATCH_MAX	(PAGE_SIZE / sizeof(struct page *))

/* A stretch of a shared hugetlb mapping, to be pinned through its file. */
struct hugesg_file_span {
	struct file *file;		/* referenced */
	loff_t pos;			/* file offset of the stretch's start */
	unsigned long end;		/* user address where it ends */
	unsigned int shift;		/* log2 of its hugepage size */
};

/*
 * Can the pages at @addr (page aligned), up to @end, be pinned through the
 * file the mapping maps, with the same outcome as GUP?  Only where the
 * mapping is a shared hugetlb mapping whose pages are the file's page cache
 * (VM_MAYSHARE: memfd, hugetlbfs, shared anonymous, SysV SHM), that GUP
 * would pin as asked (VM_WRITE for %HUGESG_WRITE, else VM_READ; no VM_IO or
 * VM_PFNMAP), that userfaultfd does not watch (GUP would wait for its
 * handler on a hole), and only within the file's size (past it GUP faults
 * with SIGBUS).  Anything else is left to GUP, which gives its own answer;
 * so is a stretch of one hugepage, which one GUP call pins for less than
 * a lookup and a memfd_pin_folios() call.
 * Returns 1 with @span filled in (the file referenced), 0 when GUP pins the
 * range until @span->end, or -EINTR.
 */
static int hugesg_file_span(unsigned long addr, unsigned long end,
			    unsigned int flags, struct hugesg_file_span *span)
{
	vm_flags_t need = (flags & HUGESG_WRITE) ? VM_WRITE : VM_READ;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	loff_t eof;
	int ret = 0;

	span->end = end;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		span->end = vma ? min(vma->vm_start, end) : end;
		goto out;
	}
	span->end = min(vma->vm_end, end);
	if (!is_vm_hugetlb_page(vma) || !vma->vm_file ||
	    !(vma->vm_flags & VM_MAYSHARE) ||
	    (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
	    (vma->vm_flags & need) != need || userfaultfd_armed(vma))
		goto out;
	span->pos = ((loff_t)vma->vm_pgoff << PAGE_SHIFT) +
		    (addr - vma->vm_start);
	eof = i_size_read(file_inode(vma->vm_file));
	if (span->pos >= eof)
		goto out;
	if (eof - span->pos < (loff_t)(span->end - addr))
		span->end = addr + (eof - span->pos);
	span->shift = huge_page_shift(hstate_vma(vma));
	if (span->end - ALIGN_DOWN(addr, 1UL << span->shift) <=
	    1UL << span->shift)
		goto out;
	span->file = get_file(vma->vm_file);
	ret = 1;
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Pin the shared hugetlb pages from @addr (page aligned) to @end through
 * their file, if hugesg_file_span() says so, and add them, one pin and
 * one run per hugepage as the GUP path adds them.  Returns the bytes
 * consumed (0: none), with *@gup_end set where GUP is to take over; or a
 * negative errno.  Should the file refuse (a hole it cannot fill, a
 * truncation since the lookup), GUP takes the rest, so that the error is
 * the one GUP gives.
 */
static long hugesg_add_file(struct hugesg_sg_builder *b, unsigned long addr,
			    unsigned long end, unsigned int flags,
			    struct hugesg_pin_stats *stats,
			    unsigned long *gup_end)
{
	struct page *stack[HUGESG_FILE_BATCH], **heads = stack;
	unsigned int max = ARRAY_SIZE(stack);
	struct hugesg_file_span span;
	unsigned long pos = addr, size, nr;
	long ret, n, i;

	ret = hugesg_file_span(addr, end, flags, &span);
	*gup_end = span.end;
	if (ret <= 0)
		return ret;
	size = 1UL << span.shift;
	nr = (ALIGN(span.end, size) - ALIGN_DOWN(addr, size)) >> span.shift;
	if (nr > max) {
		unsigned int want = min_t(unsigned long, nr,
					  HUGESG_FILE_BATCH_MAX);

		heads = kmalloc_array(want, sizeof(*heads), b->gfp);
		if (heads)
			max = want;
		else
			heads = stack;
	}
	ret = 0;
	while (pos < span.end) {
		loff_t off = span.pos + (pos - addr);

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		n = hugesg_pin_file(span.file, off,
				    off + (PAGE_ALIGN(span.end) - pos) - 1,
				    heads, max);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			unsigned long npages, pfn;

			npages = (min(ALIGN_DOWN(pos, size) + size,
				      PAGE_ALIGN(span.end)) - pos) >> PAGE_SHIFT;
			pfn = page_to_pfn(heads[i]) +
			      ((pos & (size - 1)) >> PAGE_SHIFT);
			ret = hugesg_sgb_add(b, pfn, npages, true);
			if (!ret)
				ret = hugesg_count(stats, size);
			if (ret) {
				hugesg_unpin_heads(heads + i + 1, n - i - 1,
						   false);
				goto out;
			}
			pos += npages << PAGE_SHIFT;
		}
		cond_resched();
	}
out:
	if (heads != stack)
		kfree(heads);
	fput(span.file);
	return ret ? ret : pos - addr;
}

/*
 * Check the arguments and look at the VMAs: what hugesg_build() needs
 * before it pins.  0 or the errno every entry point documents.
 */
static int hugesg_prepare(unsigned long start, unsigned long len,
			  unsigned int max_segment, unsigned int flags,
			  struct hugesg_vma_scan *scan)
{
	int ret = hugesg_check_range(start, len, flags);

	if (ret)
		return ret;
	if (max_segment < PAGE_SIZE)
		return -EINVAL;
	ret = hugesg_check_limit(start, len);
	if (ret)
		return ret;
	return hugesg_scan_vmas(start, start + len, scan);
}

/*
 * The entries to reserve for the table of [@start, @start + @len), from
 * the scan: at most one per page (hugepage or ordinary page) where each is
 * discontiguous with the one before, plus one per max_segment cut (holes
 * the scan did not count fail the build anyway).  A range of hugepages
 * only reserves no more than a kmalloc()'d table can hold: contiguous
 * hugepages merge, so their table usually ends much shorter than its
 * bound, and one that does not fit moves into page chunks once.  A range
 * with ordinary pages reserves only a bound that fits (above it,
 * hugesg_sgb_reserve() reserves nothing and the table is built in page
 * chunks from the start).
 */
static unsigned long hugesg_max_entries(unsigned long start, unsigned long len,
					unsigned int max_segment,
					const struct hugesg_vma_scan *scan)
{
	unsigned long npages = (PAGE_ALIGN(start + len) - (start & PAGE_MASK)) >>
			       PAGE_SHIFT;
	unsigned long bound = scan->pages + npages / (max_segment >> PAGE_SHIFT)
			      + 1;

	if (!scan->normal_pages)
		bound = min_t(unsigned long, bound, SG_MAX_SINGLE_ALLOC - 1);
	return bound;
}

static int hugesg_build(struct sg_table *sgt, unsigned long start,
			unsigned long len, unsigned int max_segment,
			unsigned int flags, gfp_t gfp,
			const struct hugesg_vma_scan *scan,
			struct hugesg_pin_stats *stats)
{
	unsigned int mode = flags & HUGESG_MODE_MASK;
	unsigned long addr = start & PAGE_MASK, end = start + len;
	unsigned long file_start = scan->file_start, gup_end = 0;
	struct hugesg_sg_builder b;
	struct page **batch = NULL;
	int ret;

	hugesg_sgb_init(&b, sgt, len, offset_in_page(start), max_segment, gfp);
	ret = hugesg_sgb_reserve(&b, hugesg_max_entries(start, len, max_segment,
							scan));
	if (ret)
		return ret;
	if (mode == HUGESG_NORMAL)
		file_start = end;

	while (addr < end) {
		struct page *page;
		unsigned long size, npages;
		long done;

		cond_resched();
		if (addr >= scan->io_start) {
			ret = -EFAULT;
			goto err;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err;
		}
		if (addr >= file_start && addr >= gup_end) {
			done = hugesg_add_file(&b, addr, min(end, scan->io_start),
					       flags, stats, &gup_end);
			if (done < 0) {
				ret = done;
				goto err;
			}
			if (done) {
				addr += done;
				continue;
			}
		}
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
			done = hugesg_add_normal(&b, batch, page, addr,
						 min(end, scan->io_start),
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
		ret = hugesg_sgb_add(&b, page_to_pfn(page), npages, true);
		if (ret)
			goto err;
		ret = hugesg_count(stats, size);
		if (ret)
			goto err;
		addr += npages << PAGE_SHIFT;
	}

	ret = hugesg_sgb_finish(&b);
	if (ret)
		goto err;
	kfree(batch);
	return 0;

err:
	hugesg_sgb_abort(&b);
	kfree(batch);
	stats->pinned_bytes = 0;
	stats->nr_pins = 0;
	stats->page_sizes = 0;
	return ret;
}

/*
 * The table of [@start, @start + @len) built by the kernel's own
 * sg_alloc_table_from_user_pages() (compat.h, HUGESG_KERNEL_PIN), after
 * hugesg_prepare().  GUP-fast pins the ordinary pages of a VM_IO mapping
 * (vm_insert_page()) as it pins any, so the kernel is given only what lies
 * before the first VM_IO or VM_PFNMAP mapping of the scan: an error of its
 * own there comes first in address order, else the range is -EFAULT.
 */
static int hugesg_kernel_build(struct sg_table *sgt, unsigned long start,
			       unsigned long len, unsigned int max_segment,
			       unsigned int flags, gfp_t gfp,
			       const struct hugesg_vma_scan *scan)
{
	int ret;

	if (scan->io_start >= start + len)
		return hugesg_kernel_sg_alloc(sgt, start, len, max_segment,
					      flags, gfp);
	if (scan->io_start > start) {
		ret = hugesg_kernel_sg_alloc(sgt, start, scan->io_start - start,
					     max_segment, flags, gfp);
		if (ret)
			return ret;
		hugesg_kernel_sg_free(sgt, false);
		memset(sgt, 0, sizeof(*sgt));
	}
	return -EFAULT;
}

/*
 * What a table built by the kernel holds (HUGESG_KERNEL_PIN), from its
 * entries: each hugetlb page whole per occurrence, each ordinary page, and
 * the pins, one per folio range by the rule of the kernel's
 * sg_free_table_user_pages() (walking the pages in address order, a page
 * starts a range unless it is the next page of the folio of the page
 * before it).  The pins hold the folios: none is split or freed meanwhile.
 */
static void hugesg_count_table(struct sg_table *sgt,
			       struct hugesg_pin_stats *stats)
{
	struct page *prev_head = NULL;
	unsigned long prev_end = 0;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		unsigned long pfn = page_to_pfn(sg_page(sg)) +
				    (sg->offset >> PAGE_SHIFT);
		unsigned long last = page_to_pfn(sg_page(sg)) +
				     ((sg->offset + sg->length - 1) >>
				      PAGE_SHIFT);

		while (pfn <= last) {
			struct page *head = compound_head(pfn_to_page(pfn));
			unsigned long size = hugesg_compound_size(head);
			unsigned long n = min(page_to_pfn(head) +
					      (size >> PAGE_SHIFT) - pfn,
					      last - pfn + 1);
			bool huge = hugesg_page_is_hugetlb(head);

			if (head != prev_head || pfn != prev_end) {
				stats->nr_pins++;
				if (huge) {
					stats->pinned_bytes += size;
					stats->page_sizes |= size;
				}
			}
			if (!huge) {
				stats->pinned_bytes += n << PAGE_SHIFT;
				stats->page_sizes |= PAGE_SIZE;
			}
			prev_head = head;
			prev_end = pfn + n;
			pfn += n;
		}
	}
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
 * Pins the range (FOLL_PIN | FOLL_LONGTERM): a hugetlb page once per
 * occurrence in the range, an ordinary page once per 4 KiB page, and
 * builds a table whose entries cover exactly [@start, @start + @len) in
 * address order, each physically contiguous and at most @max_segment long.
 * Contiguous pages are merged as sg_alloc_table_from_pages_segment()
 * merges the same pages, so both give the same (physical address, length)
 * list; with @max_segment equal to the hugepage size, a hugepage-aligned
 * buffer gets one entry per hugepage.  No page array is allocated
 * (transient memory is one page at most: for ordinary pages, and for a
 * shared hugetlb mapping of more than 32 hugepages pinned through its
 * file), and
 * no page is mapped into the kernel.  A table of hugepages is one allocation
 * of its bound or of SG_MAX_SINGLE_ALLOC - 1 entries, whichever is less
 * (a single 1 GiB page: one small kmalloc()), moved into page chunks only
 * when it has more entries than that.
 *
 * On kernels where compat.h chooses it (HUGESG_FILE_PIN), the pages of a
 * shared hugetlb mapping (memfd, hugetlbfs file, shared anonymous, SysV
 * SHM) are pinned through the mapping's file with memfd_pin_folios()
 * instead of page table walks, with GUP's outcome: the same pins and
 * table, the same errors (a mapping GUP would refuse, a page past the end
 * of the file, or one the file cannot supply, is left to GUP, which
 * reports it), and a page not yet in the file filled in from the
 * mapping's reservation as a fault fills it, except that it comes from the
 * calling CPU's node whatever the mapping's NUMA policy.  Private mappings
 * and mappings watched by userfaultfd are always pinned through GUP.
 * Free with hugesg_sg_free_table_user_pages(), never sg_free_table() alone.
 * Context: process, may sleep.
 *
 * Return: 0, or a negative errno with nothing pinned and @sgt empty:
 * -EINVAL for bad arguments (zero or wrapping length, unknown flags,
 * @max_segment < PAGE_SIZE) or memory that does not match the mode;
 * -EFAULT for a range that reaches past the user address space
 * (TASK_SIZE), a hole, PROT_NONE, a VM_IO or VM_PFNMAP mapping (whatever
 * its ptes map), with %HUGESG_WRITE memory the process may not write, or
 * no user memory at all (a kernel thread); -ENOMEM; it may fail with
 * -EINTR when a fatal signal is pending; any other error of
 * pin_user_pages_fast() is passed on.  Bad arguments are reported first,
 * then a range past TASK_SIZE; then, when the range holds several of the
 * faults above, the first in address order decides.  The mappings are
 * looked up once, before pinning: one that the caller's own threads swap
 * in during the call is pinned as GUP finds it (the pin holds its page
 * like any other).  A shared hugetlb mapping pinned through its file is
 * looked up once more, when the build reaches it: should those threads
 * unmap or remap it while its pages are being pinned, the pages pinned
 * are the file's pages it mapped when looked up, as if the pin had come
 * first.
 *
 * On a kernel that has sg_alloc_table_from_user_pages() itself (compat.h,
 * HUGESG_KERNEL_PIN) this function keeps its argument checks and its look
 * at the mappings (a VM_IO or VM_PFNMAP mapping is -EFAULT whatever its
 * ptes map, the errors come in the order above) and has the kernel's
 * function pin and build the table.  The entries are the same; the pins
 * are the kernel's: one per folio range (a maximal run of pages of one
 * folio at consecutive addresses), so an ordinary page of a THP or other
 * large folio is no longer pinned once per 4 KiB page, while a hugetlb
 * page is still pinned once per occurrence; shared hugetlb mappings are
 * pinned through GUP, and the table and the transient array of ranges
 * (24 bytes per range) are the kernel's allocations.
 */
int hugesg_sg_alloc_table_from_user_pages(struct sg_table *sgt,
					  unsigned long start,
					  unsigned long len,
					  unsigned int max_segment,
					  unsigned int flags, gfp_t gfp_mask)
{
	struct hugesg_pin_stats stats = { };
	struct hugesg_vma_scan scan;
	int ret;

	memset(sgt, 0, sizeof(*sgt));
	ret = hugesg_prepare(start, len, max_segment, flags, &scan);
	if (ret)
		return ret;
	if (HUGESG_KERNEL_PIN)
		return hugesg_kernel_build(sgt, start, len, max_segment, flags,
					   gfp_mask, &scan);
	return hugesg_build(sgt, start, len, max_segment, flags, gfp_mask,
			    &scan, &stats);
}
EXPORT_SYMBOL_GPL(hugesg_sg_alloc_table_from_user_pages);

/**
 * hugesg_sg_free_table_user_pages() - unpin and free a table built by
 *	hugesg_sg_alloc_table_from_user_pages()
 * @sgt: the table; it must not be DMA-mapped any more
 * @dirty: mark the pages dirty first (the device wrote into them)
 *
 * Releases every pin the allocation took (a hugepage once per occurrence
 * in the range, however many entries it was split over), then frees the
 * table.  On a kernel that pins itself (HUGESG_KERNEL_PIN) that is the
 * kernel's sg_free_table_user_pages(): one unpin per folio range.
 */
void hugesg_sg_free_table_user_pages(struct sg_table *sgt, bool dirty)
{
	struct hugesg_unpin_state st = { .dirty = dirty };
	struct scatterlist *sg;
	unsigned int i;

	if (HUGESG_KERNEL_PIN) {
		hugesg_kernel_sg_free(sgt, dirty);
		return;
	}
	for_each_sgtable_sg(sgt, sg, i)
		hugesg_unpin_extent(&st, page_to_pfn(sg_page(sg)), sg->offset,
				    sg->length);
	hugesg_unpin_flush(&st);
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
 * that runs after the process has exited.  The charge is made before
 * anything is pinned, from the range's mappings (a hugetlb mapping counts
 * its hugepages whole), so a request over the limit pins nothing.  Should
 * the caller's own threads remap the range during the call, each pin
 * beyond the charge is charged as it is taken (or the call fails with
 * -ENOMEM and undoes itself): at most one hugepage, one batch of
 * ordinary pages or one batch of hugepages pinned through their file (a
 * page of pointers' worth) is ever held over the limit, and only until
 * then; a charge left over is returned once the pins are taken.  The
 * buffer and its table are allocated with __GFP_ACCOUNT (charged to the
 * caller's memory cgroup).
 *
 * On a kernel that pins itself (HUGESG_KERNEL_PIN, see
 * hugesg_sg_alloc_table_from_user_pages()) the charge is still made from
 * the scan before anything is pinned, so a request over the limit still
 * pins nothing; but the kernel's function pins the whole range in one
 * call, and what it holds is counted from the table once it returns: a
 * range remapped during the call to hold more may have the whole range
 * pinned over the limit, until the call uncharges and unpins it and
 * returns -ENOMEM.  @nr_pins of the buffer then counts the pins held, one
 * per folio range (recounted from the table by the kernel's rule), not one
 * per ordinary page; @pinned_bytes and @page_sizes are the same as
 * elsewhere.
 *
 * Return: the buffer, whose @sgt is ready for dma_map_sgtable(); or
 * ERR_PTR() of -EINVAL, -EFAULT, -EINTR (see the table function; -EFAULT
 * also when called from a kernel thread, which has no user memory), or
 * -ENOMEM for an allocation failure or RLIMIT_MEMLOCK exceeded (checked
 * after the arguments, before the memory is looked at page by page);
 * nothing is left pinned or charged on failure.
 */
struct hugesg_buf *hugesg_buf_pin(unsigned long start, unsigned long len,
				  unsigned int max_segment, unsigned int flags)
{
	struct mm_struct *mm = current->mm;
	struct hugesg_pin_stats stats = { .charge_mm = mm };
	struct hugesg_vma_scan scan;
	struct hugesg_buf *buf;
	unsigned long held;
	int ret;

	if (!mm)
		return ERR_PTR(-EFAULT);
	ret = hugesg_prepare(start, len, max_segment, flags, &scan);
	if (ret)
		return ERR_PTR(ret);
	stats.charged = scan.pin_bytes >> PAGE_SHIFT;
	ret = hugesg_charge(mm, stats.charged);
	if (ret)
		return ERR_PTR(ret);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	if (HUGESG_KERNEL_PIN) {
		ret = hugesg_kernel_build(&buf->sgt, start, len, max_segment,
					  flags, GFP_KERNEL_ACCOUNT, &scan);
		if (ret)
			goto err_free;
		hugesg_count_table(&buf->sgt, &stats);
		/* the range was remapped since the scan to hold more */
		held = stats.pinned_bytes >> PAGE_SHIFT;
		if (held > stats.charged) {
			ret = hugesg_charge(mm, held - stats.charged);
			if (ret) {
				hugesg_kernel_sg_free(&buf->sgt, false);
				goto err_free;
			}
			stats.charged = held;
		}
	} else {
		ret = hugesg_build(&buf->sgt, start, len, max_segment, flags,
				   GFP_KERNEL_ACCOUNT, &scan, &stats);
		if (ret)
			goto err_free;
	}
	/* the range was remapped since the scan to hold less: uncharge that */
	held = stats.pinned_bytes >> PAGE_SHIFT;
	if (held < stats.charged) {
		atomic64_sub(stats.charged - held, &mm->pinned_vm);
		stats.charged = held;
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
err_uncharge:
	atomic64_sub(stats.charged, &mm->pinned_vm);
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
 * @shift: log2 of the device's page size (21 for 2 MiB, 30 for 1 GiB), at
 *	least PAGE_SHIFT and below 63
 * @table: receives one bus address per page, in order
 * @max: room in @table
 *
 * For devices that describe memory as a table of equal pages (a hugepage
 * table in a BAR, say) rather than a list of segments.  Works on the DMA
 * segments, so the result is the same whether or not an IOMMU merged
 * entries: a merged segment yields one address per page it spans.
 *
 * Return: the number of pages, -EINVAL for a @shift out of range or when a
 * DMA segment does not start on or does not span whole pages of
 * 1 << @shift bytes (the memory is not
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

/**
 * hugesg_dma_segment_limit() - the longest sg entry a device can take
 * @dev: the device that will map the buffers
 *
 * What @dev takes in one DMA segment (dma_get_max_seg_size()) and what the
 * DMA layer can map for it in one piece (dma_max_mapping_size(): 256 KiB
 * where it bounces through swiotlb), whichever is smaller.  A longer entry
 * would fail to map, or be mapped against the device's word.  Pass the
 * limit to hugesg_max_segment_round() for a max_segment that also cuts no
 * hugepage, or take hugesg_dma_max_segment(), which does both.
 * Context: any.
 *
 * Return: the limit in bytes.
 */
u64 hugesg_dma_segment_limit(struct device *dev)
{
	return min_t(u64, dma_get_max_seg_size(dev), dma_max_mapping_size(dev));
}
EXPORT_SYMBOL_GPL(hugesg_dma_segment_limit);

/**
 * hugesg_max_segment_round() - a max_segment within a limit that cuts no
 *	hugepage
 * @limit: the longest entry allowed, in bytes (any value)
 *
 * @limit, at most UINT_MAX (max_segment is an unsigned int), rounded down
 * to a multiple of the largest size among PUD_SIZE (1 GiB on x86-64),
 * PMD_SIZE (2 MiB) and PAGE_SIZE that it holds.  A table built with it
 * never ends an entry inside a hugepage, even where hugepages are
 * physically contiguous over more than @limit (the default limit of a
 * device, UINT_MAX, is no multiple of any hugepage size): every entry of a
 * buffer of hugepages, aligned to them, is then a whole number of its
 * hugepages, and hugesg_dma_page_table() can describe it by their size.
 * Rounding to 1 GiB needs no knowledge of the buffer's page sizes; the
 * cost is at most one more entry per 3 GiB of contiguous memory.
 * Context: any.
 *
 * Return: the rounded limit: 3 GiB for UINT_MAX or more, 2 MiB for 3 MiB,
 * 256 KiB for 256 KiB; a @limit below PAGE_SIZE as it is (which the pin
 * functions refuse with -EINVAL: such a device takes no page in one piece).
 */
unsigned int hugesg_max_segment_round(u64 limit)
{
	static const unsigned int shifts[] = { PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT };
	unsigned int i;

	limit = min_t(u64, limit, UINT_MAX);
	for (i = 0; i < ARRAY_SIZE(shifts); i++)
		if (limit >= 1ULL << shifts[i])
			return round_down(limit, 1ULL << shifts[i]);
	return limit;
}
EXPORT_SYMBOL_GPL(hugesg_max_segment_round);

/**
 * hugesg_dma_max_segment() - the max_segment to pin buffers with for a device
 * @dev: the device that will map the buffers
 *
 * hugesg_max_segment_round() of hugesg_dma_segment_limit(): the longest
 * entries @dev and the DMA layer take, cut at no hugepage.  What to pass to
 * hugesg_buf_pin() or hugesg_sg_alloc_table_from_user_pages() when the
 * device has no segment size of its own to ask for.  Call it after the
 * device's DMA limits are set (dma_set_mask_and_coherent(),
 * dma_set_max_seg_size()).
 * Context: any.
 *
 * Return: the max_segment in bytes; below PAGE_SIZE only for a device
 * that takes less than a page in one piece.
 */
unsigned int hugesg_dma_max_segment(struct device *dev)
{
	return hugesg_max_segment_round(hugesg_dma_segment_limit(dev));
}
EXPORT_SYMBOL_GPL(hugesg_dma_max_segment);

/*
 * kernel_pin (read only, /sys/module/hugesg/parameters/): 1 when the
 * kernel's own sg_alloc_table_from_user_pages() and
 * pin_user_folio_ranges_fast() pin (compat.h, HUGESG_KERNEL_PIN), with one
 * pin per folio range, so that a user can tell which pins a buffer holds.
 */
static int hugesg_param_read_only(const char *val,
				  const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops hugesg_read_only_bool = {
	.set = hugesg_param_read_only,
	.get = param_get_bool,
};

static bool hugesg_kernel_pin = HUGESG_KERNEL_PIN;
module_param_cb(kernel_pin, &hugesg_read_only_bool, &hugesg_kernel_pin, 0444);
MODULE_PARM_DESC(kernel_pin,
		 "1: the kernel's sg_alloc_table_from_user_pages() pins, one pin per folio range (read only)");

MODULE_DESCRIPTION("Pin hugepage-backed user buffers for scatter-gather DMA");
MODULE_LICENSE("GPL");
MODULE_VERSION(HUGESG_VERSION);
