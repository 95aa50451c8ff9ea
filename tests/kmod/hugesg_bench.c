// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_bench: test-only benchmark of the ways a driver pins a user buffer
 * and builds its sg_table, against hugesg.
 *
 * /dev/hugesg_bench runs one registration and its release per ioctl, by one
 * of the methods below, each written here from its published description:
 *
 *  seed_gup		get_user_pages_fast() on every 4 KiB page,
 *			sg_alloc_table_from_pages(), the page array kept;
 *			release: sg_free_table() and put_page() on each page
 *  pin_all		pin_user_pages_fast(FOLL_LONGTERM) on every page,
 *			sg_alloc_table_from_pages_segment(), the page array
 *			kept; release: unpin_user_pages()
 *  rdma_chunked	as RDMA's ib_umem_get(): pins in chunks of one page of
 *			page pointers appended to the table with
 *			sg_alloc_append_table_from_pages(); release unpins
 *			the table's entries
 *  iouring_coalesce	as io_uring's buffer registration: pin every page,
 *			then keep one pin per folio and build the table from
 *			the folios
 *  memfd_folios		memfd_pin_folios() on the memfd behind the buffer
 *  hugesg_huge/_auto	hugesg_sg_alloc_table_from_user_pages()
 *  kernel_ranges	the kernel's pin_user_folio_ranges_fast() into an
 *			array of folio ranges kept, the table built from the
 *			ranges; release: sg_free_table(), unpin_folio_ranges()
 *  kernel_sg		the kernel's sg_alloc_table_from_user_pages();
 *			release: sg_free_table_user_pages()
 *			(both: kernels with the upstream series of issue 14)
 *
 * Registration and release are timed with ktime_get_ns(); the memory each
 * method allocates is counted here: what it frees before registration
 * returns is transient, what it keeps is persistent (with the table's
 * entries).  On request, the table is mapped for the hugesg-fpga device
 * (dma_map_sgtable(), untimed) to count the DMA segments.
 *
 * HUGESG_BENCH_PHASES times hugesg's own phases one by one on the same
 * buffer: the pin alone and its release, then the table (pin + build), its
 * map and unmap for hugesg-fpga, and its release (unpin + free).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugesg.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hugesg_bench.h"
#include "../../kernel/compat.h"

/*
 * The device the tables are mapped for: hugesg-fpga (64 address bits), not
 * edu, which drives 28 (a 256 MiB IOVA space: no 1 GiB buffer fits); both
 * sit behind the same IOMMU
 */
#define BENCH_DEV_VENDOR	0x1234
#define BENCH_DEV_DEVICE	0x4853
/* RDMA's ib_umem_get() pins a page of page pointers at a time */
#define BENCH_RDMA_CHUNK	(PAGE_SIZE / sizeof(struct page *))

/* the kernel's own table of user pages (kernel/features.mk) */
#if defined(HUGESG_HAVE_KERNEL_SG_ALLOC_TABLE_FROM_USER_PAGES) && \
	defined(HUGESG_HAVE_KERNEL_SG_FREE_TABLE_USER_PAGES)
#define BENCH_HAVE_KERNEL_SG
#endif

struct bench_reg {
	unsigned long start;
	unsigned long len;
	unsigned long npages;		/* 4 KiB pages of the range */
	unsigned int offset;		/* of the range in its first page */
	unsigned int max_segment;
	struct sg_table sgt;
#ifdef HUGESG_HAVE_SG_APPEND
	struct sg_append_table append;	/* rdma_chunked */
#endif
	struct page **pages;		/* kept page array, or folio heads */
	unsigned long nr;		/* entries of @pages (or @folios) */
#ifdef HUGESG_HAVE_MEMFD_PIN_FOLIOS
	struct folio **folios;		/* memfd_folios */
#endif
#ifdef HUGESG_HAVE_FOLIO_RANGES
	struct folio_range *ranges;	/* kernel_ranges: @nr of them */
#endif
	u64 transient;
	u64 persistent;
	s64 pins;
};

static struct pci_dev *bench_pdev;
static DEFINE_MUTEX(bench_lock);

static u64 bench_table_bytes(struct sg_table *sgt)
{
	return (u64)sgt->orig_nents * sizeof(struct scatterlist);
}

/* Take a reference (@pin false) or a long-term pin on every page. */
static int bench_get_all(struct bench_reg *r, bool pin, unsigned int gup_flags)
{
	unsigned long first = r->start & PAGE_MASK, done = 0;
	int ret;

	while (done < r->npages) {
		int n = min_t(unsigned long, r->npages - done, INT_MAX);
		unsigned long addr = first + (done << PAGE_SHIFT);

		if (pin)
			ret = pin_user_pages_fast(addr, n, gup_flags,
						  r->pages + done);
		else
			ret = get_user_pages_fast(addr, n, gup_flags,
						  r->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto release;
		}
		done += ret;
	}
	r->pins = done;
	return 0;

release:
	if (pin) {
		unpin_user_pages(r->pages, done);
	} else {
		while (done--)
			put_page(r->pages[done]);
	}
	return ret;
}

static int bench_alloc_pages(struct bench_reg *r)
{
	r->pages = kvmalloc_array(r->npages, sizeof(*r->pages), GFP_KERNEL);
	return r->pages ? 0 : -ENOMEM;
}

/* seed_gup: a reference on every page, the table with no segment limit */
static int seed_gup_register(struct bench_reg *r)
{
	unsigned long i;
	int ret;

	ret = bench_alloc_pages(r);
	if (ret)
		return ret;
	ret = bench_get_all(r, false, FOLL_WRITE);
	if (ret)
		goto free;
	ret = sg_alloc_table_from_pages(&r->sgt, r->pages, r->npages,
					r->offset, r->len, GFP_KERNEL);
	if (ret) {
		for (i = 0; i < r->npages; i++)
			put_page(r->pages[i]);
		goto free;
	}
	r->nr = r->npages;
	r->persistent = r->npages * sizeof(*r->pages) +
			bench_table_bytes(&r->sgt);
	return 0;

free:
	kvfree(r->pages);
	return ret;
}

static void seed_gup_unregister(struct bench_reg *r)
{
	unsigned long i;

	sg_free_table(&r->sgt);
	for (i = 0; i < r->nr; i++)
		put_page(r->pages[i]);
	kvfree(r->pages);
}

/* pin_all: a long-term pin on every page, the table with max_segment */
static int pin_all_register(struct bench_reg *r)
{
	int ret;

	ret = bench_alloc_pages(r);
	if (ret)
		return ret;
	ret = bench_get_all(r, true, FOLL_LONGTERM | FOLL_WRITE);
	if (ret)
		goto free;
	ret = hugesg_sg_table_from_pages(&r->sgt, r->pages, r->npages,
					 r->offset, r->len, r->max_segment,
					 GFP_KERNEL);
	if (ret) {
		unpin_user_pages(r->pages, r->npages);
		goto free;
	}
	r->nr = r->npages;
	r->persistent = r->npages * sizeof(*r->pages) +
			bench_table_bytes(&r->sgt);
	return 0;

free:
	kvfree(r->pages);
	return ret;
}

static void pin_all_unregister(struct bench_reg *r)
{
	sg_free_table(&r->sgt);
	unpin_user_pages(r->pages, r->nr);
	kvfree(r->pages);
}

#ifdef HUGESG_HAVE_SG_APPEND
/* Unpin what the entries of an append table describe. */
static void rdma_unpin_table(struct bench_reg *r)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(&r->append.sgt, sg, i)
		hugesg_unpin_page_range(sg_page(sg),
					DIV_ROUND_UP(sg->length, PAGE_SIZE),
					false);
}

/*
 * rdma_chunked: pin a page of page pointers at a time and append each chunk
 * to the table; the table is the only record of the pins.
 */
static int rdma_chunked_register(struct bench_reg *r)
{
	unsigned long addr = r->start & PAGE_MASK, left = r->npages;
	struct page **chunk;
	int ret = 0;

	chunk = (struct page **)__get_free_page(GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	r->transient = PAGE_SIZE;
	memset(&r->append, 0, sizeof(r->append));
	r->pins = 0;
	while (left) {
		int pinned = pin_user_pages_fast(addr,
						 min_t(unsigned long, left,
						       BENCH_RDMA_CHUNK),
						 FOLL_LONGTERM | FOLL_WRITE,
						 chunk);

		if (pinned <= 0) {
			ret = pinned ? pinned : -EFAULT;
			break;
		}
		r->pins += pinned;
		addr += (unsigned long)pinned << PAGE_SHIFT;
		left -= pinned;
		ret = sg_alloc_append_table_from_pages(&r->append, chunk,
						       pinned, 0,
						       (unsigned long)pinned << PAGE_SHIFT,
						       r->max_segment, left,
						       GFP_KERNEL);
		if (ret) {
			unpin_user_pages(chunk, pinned);
			break;
		}
	}
	free_page((unsigned long)chunk);
	if (ret) {
		rdma_unpin_table(r);
		sg_free_append_table(&r->append);
		return ret;
	}
	r->sgt = r->append.sgt;
	r->persistent = bench_table_bytes(&r->sgt);
	return 0;
}

static void rdma_chunked_unregister(struct bench_reg *r)
{
	rdma_unpin_table(r);
	sg_free_append_table(&r->append);
}
#endif /* HUGESG_HAVE_SG_APPEND */

/* Does page @i of @pages continue the run of page @i - 1 in its folio? */
static bool iouring_same_folio(struct page **pages, unsigned long i)
{
	return hugesg_same_compound(pages[i], pages[i - 1]) &&
	       page_to_pfn(pages[i]) == page_to_pfn(pages[i - 1]) + 1;
}

/*
 * iouring_coalesce: pin every page, then keep the first pin of each run of
 * pages of one folio and drop the others; the table has one entry per run
 * (split at max_segment), and the kept array one head per run.
 */
static int iouring_coalesce_register(struct bench_reg *r)
{
	unsigned long i, run, nruns = 0, nents = 0, left = r->len;
	unsigned int offset = r->offset;
	struct page **all;
	struct scatterlist *sg;
	int ret;

	ret = bench_alloc_pages(r);
	if (ret)
		return ret;
	ret = bench_get_all(r, true, FOLL_LONGTERM | FOLL_WRITE);
	all = r->pages;
	r->pages = NULL;
	if (ret)
		goto free_all;
	r->transient = r->npages * sizeof(*all);

	/* count the runs and the entries they need */
	for (i = 0; i < r->npages; i = run) {
		unsigned long bytes;

		for (run = i + 1; run < r->npages && iouring_same_folio(all, run);
		     run++)
			;
		bytes = min(((run - i) << PAGE_SHIFT) - offset, left);
		nents += DIV_ROUND_UP(bytes, r->max_segment);
		left -= bytes;
		offset = 0;
		nruns++;
	}
	r->pages = kvmalloc_array(nruns, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages) {
		ret = -ENOMEM;
		goto unpin_all;
	}
	ret = sg_alloc_table(&r->sgt, nents, GFP_KERNEL);
	if (ret)
		goto free_runs;

	/* keep one pin per run, describe the run */
	sg = r->sgt.sgl;
	left = r->len;
	offset = r->offset;
	for (i = 0; i < r->npages; i = run) {
		unsigned long bytes, pos;

		for (run = i + 1; run < r->npages && iouring_same_folio(all, run);
		     run++)
			;
		r->pages[r->nr++] = all[i];
		if (run - i > 1)
			unpin_user_pages(all + i + 1, run - i - 1);
		bytes = min(((run - i) << PAGE_SHIFT) - offset, left);
		left -= bytes;
		for (pos = 0; pos < bytes; pos += r->max_segment) {
			unsigned long at = offset + pos;

			sg_set_page(sg, all[i] + (at >> PAGE_SHIFT),
				    min_t(unsigned long, bytes - pos,
					  r->max_segment),
				    offset_in_page(at));
			sg = sg_next(sg);
		}
		offset = 0;
	}
	kvfree(all);
	r->persistent = r->nr * sizeof(*r->pages) + bench_table_bytes(&r->sgt);
	return 0;

free_runs:
	kvfree(r->pages);
	r->pages = NULL;
unpin_all:
	unpin_user_pages(all, r->npages);
free_all:
	kvfree(all);
	return ret;
}

static void iouring_coalesce_unregister(struct bench_reg *r)
{
	sg_free_table(&r->sgt);
	unpin_user_pages(r->pages, r->nr);
	kvfree(r->pages);
}

#ifdef HUGESG_HAVE_MEMFD_PIN_FOLIOS
/* memfd_folios: memfd_pin_folios() on a hugetlb memfd, one entry a folio */
static int memfd_folios_register(struct bench_reg *r, int fd)
{
	unsigned long i, max, nents = 0, left = r->len;
	struct scatterlist *sg;
	struct file *file;
	pgoff_t offset;
	long n;
	int ret;

	file = fget(fd);
	if (!file)
		return -EBADF;
	if (!is_file_hugepages(file)) {
		ret = -EINVAL;
		goto put_file;
	}
	max = DIV_ROUND_UP(r->len, huge_page_size(hstate_file(file)));
	r->folios = kvmalloc_array(max, sizeof(*r->folios), GFP_KERNEL);
	if (!r->folios) {
		ret = -ENOMEM;
		goto put_file;
	}
	n = memfd_pin_folios(file, 0, r->len - 1, r->folios, max, &offset);
	if (n <= 0) {
		ret = n ? n : -EFAULT;
		goto free;
	}
	r->nr = n;
	r->pins = n;
	for (i = 0; i < n; i++) {
		unsigned long bytes = min(folio_size(r->folios[i]) -
					  (i ? 0 : offset), left);

		nents += DIV_ROUND_UP(bytes, r->max_segment);
		left -= bytes;
	}
	ret = sg_alloc_table(&r->sgt, nents, GFP_KERNEL);
	if (ret)
		goto unpin;
	sg = r->sgt.sgl;
	left = r->len;
	for (i = 0; i < n; i++) {
		unsigned long skip = i ? 0 : offset, pos, bytes;

		bytes = min(folio_size(r->folios[i]) - skip, left);
		left -= bytes;
		for (pos = 0; pos < bytes; pos += r->max_segment) {
			unsigned long at = skip + pos;

			sg_set_page(sg, folio_page(r->folios[i], at >> PAGE_SHIFT),
				    min_t(unsigned long, bytes - pos,
					  r->max_segment),
				    offset_in_page(at));
			sg = sg_next(sg);
		}
	}
	fput(file);
	r->persistent = r->nr * sizeof(*r->folios) + bench_table_bytes(&r->sgt);
	return 0;

unpin:
	unpin_folios(r->folios, r->nr);
free:
	kvfree(r->folios);
put_file:
	fput(file);
	return ret;
}

static void memfd_folios_unregister(struct bench_reg *r)
{
	sg_free_table(&r->sgt);
	unpin_folios(r->folios, r->nr);
	kvfree(r->folios);
}
#endif /* HUGESG_HAVE_MEMFD_PIN_FOLIOS */

#ifdef HUGESG_HAVE_FOLIO_RANGES
/*
 * Double the room of the kept array of ranges (@cap); the old array is
 * transient memory of the registration.
 */
static int kernel_ranges_grow(struct bench_reg *r, unsigned long *cap)
{
	struct folio_range *ranges;

	ranges = kvmalloc_array(*cap * 2, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	memcpy(ranges, r->ranges, r->nr * sizeof(*ranges));
	kvfree(r->ranges);
	r->transient = max_t(u64, r->transient, *cap * sizeof(*ranges));
	r->ranges = ranges;
	*cap *= 2;
	return 0;
}

/* Write the entry of @npages pages from @pfn when @sg is not NULL. */
static void kernel_ranges_entry(struct scatterlist **sg, unsigned long pfn,
				unsigned long npages, unsigned int *offset,
				unsigned long *left)
{
	unsigned long len = min(*left, (npages << PAGE_SHIFT) - *offset);

	if (*sg) {
		sg_set_page(*sg, pfn_to_page(pfn), len, *offset);
		*sg = sg_next(*sg);
	}
	*left -= len;
	*offset = 0;
}

/*
 * The entries of the pinned ranges, as sg_alloc_table_from_pages_segment()
 * makes them of a page array: physically contiguous pages merged, across
 * ranges too, cut at max_segment.  Fills the table from @sg when it is not
 * NULL; returns the number of entries.
 */
static unsigned long kernel_ranges_entries(struct bench_reg *r,
					   struct scatterlist *sg)
{
	unsigned long max_pages = r->max_segment >> PAGE_SHIFT;
	unsigned long pfn = 0, npages = 0, nents = 0, left = r->len, i;
	unsigned int offset = r->offset;

	for (i = 0; i < r->nr; i++) {
		unsigned long rpfn = folio_pfn(r->ranges[i].folio) +
				     (r->ranges[i].offset >> PAGE_SHIFT);
		unsigned long rn = r->ranges[i].length >> PAGE_SHIFT;

		while (rn) {
			unsigned long take;

			if (npages && rpfn == pfn + npages &&
			    npages < max_pages) {
				take = min(rn, max_pages - npages);
				npages += take;
			} else {
				if (npages) {
					kernel_ranges_entry(&sg, pfn, npages,
							    &offset, &left);
					nents++;
				}
				pfn = rpfn;
				take = min(rn, max_pages);
				npages = take;
			}
			rpfn += take;
			rn -= take;
		}
	}
	if (npages) {
		kernel_ranges_entry(&sg, pfn, npages, &offset, &left);
		nents++;
	}
	return nents;
}

/*
 * kernel_ranges: the kernel's folio-range pin as a driver would use it.
 * One call of pin_user_folio_ranges_fast() over the whole range into an
 * array kept while registered, sized for a range of hugepages of 2 MiB or
 * more (one range per PMD, one more for a misaligned end) and doubled
 * should that not be enough; then the table from the ranges.
 */
static int kernel_ranges_register(struct bench_reg *r)
{
	unsigned long first = r->start & PAGE_MASK;
	unsigned long end = PAGE_ALIGN(r->start + r->len), addr = first;
	unsigned long cap, nents, i;
	int ret;

	cap = DIV_ROUND_UP(end - first, PMD_SIZE) + 1;
	r->ranges = kvmalloc_array(cap, sizeof(*r->ranges), GFP_KERNEL);
	if (!r->ranges)
		return -ENOMEM;
	r->nr = 0;
	while (addr < end) {
		long n;

		if (r->nr == cap) {
			ret = kernel_ranges_grow(r, &cap);
			if (ret)
				goto unpin;
		}
		n = pin_user_folio_ranges_fast(addr, end - addr,
					       FOLL_LONGTERM | FOLL_WRITE,
					       r->ranges + r->nr, cap - r->nr);
		if (n <= 0) {
			ret = n ? n : -EFAULT;
			goto unpin;
		}
		for (i = r->nr; i < r->nr + n; i++)
			addr += r->ranges[i].length;
		r->nr += n;
	}
	r->pins = r->nr;
	nents = kernel_ranges_entries(r, NULL);
	ret = sg_alloc_table(&r->sgt, nents, GFP_KERNEL);
	if (ret)
		goto unpin;
	kernel_ranges_entries(r, r->sgt.sgl);
	r->persistent = cap * sizeof(*r->ranges) + bench_table_bytes(&r->sgt);
	return 0;

unpin:
	unpin_folio_ranges(r->ranges, r->nr, false);
	kvfree(r->ranges);
	return ret;
}

static void kernel_ranges_unregister(struct bench_reg *r)
{
	sg_free_table(&r->sgt);
	unpin_folio_ranges(r->ranges, r->nr, false);
	kvfree(r->ranges);
}
#endif /* HUGESG_HAVE_FOLIO_RANGES */

#ifdef BENCH_HAVE_KERNEL_SG
/*
 * kernel_sg: the kernel's sg_alloc_table_from_user_pages() (every buffer
 * here is of hugetlb pages: SG_USER_PAGES_HUGE); the transient array of
 * ranges it allocates inside is not seen here (see its kernel-doc)
 */
static int kernel_sg_register(struct bench_reg *r)
{
	int ret;

	ret = sg_alloc_table_from_user_pages(&r->sgt, r->start, r->len,
					     r->max_segment,
					     SG_USER_PAGES_HUGE |
					     SG_USER_PAGES_WRITE, GFP_KERNEL);
	if (ret)
		return ret;
	r->persistent = bench_table_bytes(&r->sgt);
	r->pins = -1;	/* counted by the caller, from /proc/vmstat */
	return 0;
}
#endif /* BENCH_HAVE_KERNEL_SG */

/* hugesg: it allocates nothing here that outlives or precedes the table */
static int hugesg_register(struct bench_reg *r, unsigned int mode)
{
	int ret;

	ret = hugesg_sg_alloc_table_from_user_pages(&r->sgt, r->start, r->len,
						    r->max_segment,
						    mode | HUGESG_WRITE,
						    GFP_KERNEL);
	if (ret)
		return ret;
	r->persistent = bench_table_bytes(&r->sgt);
	r->pins = -1;	/* counted by the caller, from /proc/vmstat */
	return 0;
}

static int bench_register(struct bench_reg *r, u32 method, int fd)
{
	switch (method) {
	case HUGESG_BENCH_SEED_GUP:
		return seed_gup_register(r);
	case HUGESG_BENCH_PIN_ALL:
		return pin_all_register(r);
#ifdef HUGESG_HAVE_SG_APPEND
	case HUGESG_BENCH_RDMA_CHUNKED:
		return rdma_chunked_register(r);
#endif
	case HUGESG_BENCH_IOURING_COALESCE:
		return iouring_coalesce_register(r);
#ifdef HUGESG_HAVE_MEMFD_PIN_FOLIOS
	case HUGESG_BENCH_MEMFD_FOLIOS:
		return memfd_folios_register(r, fd);
#endif
	case HUGESG_BENCH_HUGESG_HUGE:
		return hugesg_register(r, HUGESG_HUGE);
	case HUGESG_BENCH_HUGESG_AUTO:
		return hugesg_register(r, HUGESG_AUTO);
#ifdef HUGESG_HAVE_FOLIO_RANGES
	case HUGESG_BENCH_KERNEL_RANGES:
		return kernel_ranges_register(r);
#endif
#ifdef BENCH_HAVE_KERNEL_SG
	case HUGESG_BENCH_KERNEL_SG:
		return kernel_sg_register(r);
#endif
	}
	return -EOPNOTSUPP;
}

static void bench_unregister(struct bench_reg *r, u32 method)
{
	switch (method) {
	case HUGESG_BENCH_SEED_GUP:
		seed_gup_unregister(r);
		break;
	case HUGESG_BENCH_PIN_ALL:
		pin_all_unregister(r);
		break;
#ifdef HUGESG_HAVE_SG_APPEND
	case HUGESG_BENCH_RDMA_CHUNKED:
		rdma_chunked_unregister(r);
		break;
#endif
	case HUGESG_BENCH_IOURING_COALESCE:
		iouring_coalesce_unregister(r);
		break;
#ifdef HUGESG_HAVE_MEMFD_PIN_FOLIOS
	case HUGESG_BENCH_MEMFD_FOLIOS:
		memfd_folios_unregister(r);
		break;
#endif
#ifdef HUGESG_HAVE_FOLIO_RANGES
	case HUGESG_BENCH_KERNEL_RANGES:
		kernel_ranges_unregister(r);
		break;
#endif
#ifdef BENCH_HAVE_KERNEL_SG
	case HUGESG_BENCH_KERNEL_SG:
		sg_free_table_user_pages(&r->sgt, false);
		break;
#endif
	default:
		hugesg_sg_free_table_user_pages(&r->sgt, false);
	}
}

/* Map the table for the device, count the DMA segments, unmap. */
static int bench_dma_segments(struct sg_table *sgt, u64 *segments)
{
	int ret;

	if (!bench_pdev)
		return -ENODEV;
	ret = dma_map_sgtable(&bench_pdev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		return ret;
	*segments = sgt->nents;
	dma_unmap_sgtable(&bench_pdev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	return 0;
}

static long bench_run(struct hugesg_bench_run *req)
{
	struct bench_reg r = {
		.start = req->start,
		.len = req->len,
		.offset = offset_in_page(req->start),
		.max_segment = req->max_segment & PAGE_MASK,
	};
	u64 t0, t1;
	int ret, dma_ret = 0;

	if (!r.len || r.start + r.len < r.start || !r.max_segment ||
	    req->method >= HUGESG_BENCH_NR_METHODS)
		return -EINVAL;
	r.npages = (PAGE_ALIGN(r.start + r.len) - (r.start & PAGE_MASK)) >>
		   PAGE_SHIFT;
	if (r.npages > UINT_MAX)
		return -E2BIG;

	t0 = ktime_get_ns();
	ret = bench_register(&r, req->method, req->memfd);
	t1 = ktime_get_ns();
	if (ret)
		return ret;
	req->register_ns = t1 - t0;
	req->transient_bytes = r.transient;
	req->persistent_bytes = r.persistent;
	req->sg_entries = r.sgt.orig_nents;
	req->pins = r.pins;
	req->dma_segments = 0;
	if (req->dma)
		dma_ret = bench_dma_segments(&r.sgt, &req->dma_segments);

	t0 = ktime_get_ns();
	bench_unregister(&r, req->method);
	t1 = ktime_get_ns();
	req->unregister_ns = t1 - t0;
	return dma_ret;
}

/* hugesg's phases, each timed on its own (HUGESG_BENCH_PHASES) */
static long bench_phases(struct hugesg_bench_phases *req)
{
	const unsigned int flags = HUGESG_HUGE | HUGESG_WRITE;
	struct sg_table sgt;
	struct page **hpages;
	unsigned long nr;
	u64 t0, t1;
	long got;
	int ret;

	if (!req->len || req->start + req->len < req->start || req->pad ||
	    !req->max_segment || req->page_size < PAGE_SIZE ||
	    !is_power_of_2(req->page_size))
		return -EINVAL;
	if (!bench_pdev)
		return -ENODEV;
	nr = DIV_ROUND_UP((req->start & (req->page_size - 1)) + req->len,
			  req->page_size);
	hpages = kvmalloc_array(nr, sizeof(*hpages), GFP_KERNEL);
	if (!hpages)
		return -ENOMEM;

	t0 = ktime_get_ns();
	got = hugesg_get_user_hugepages_fast(req->start, req->len, flags,
					     hpages, nr);
	t1 = ktime_get_ns();
	if (got < 0) {
		ret = got;
		goto free;
	}
	req->pin_ns = t1 - t0;
	req->nr_hugepages = got;
	t0 = ktime_get_ns();
	hugesg_put_user_hugepages(hpages, got, false);
	t1 = ktime_get_ns();
	req->unpin_ns = t1 - t0;
	if (got != nr) {
		ret = -EINVAL;
		goto free;
	}

	t0 = ktime_get_ns();
	ret = hugesg_sg_alloc_table_from_user_pages(&sgt, req->start, req->len,
						    req->max_segment & PAGE_MASK,
						    flags, GFP_KERNEL);
	t1 = ktime_get_ns();
	if (ret)
		goto free;
	req->table_ns = t1 - t0;
	t0 = ktime_get_ns();
	ret = dma_map_sgtable(&bench_pdev->dev, &sgt, DMA_BIDIRECTIONAL, 0);
	t1 = ktime_get_ns();
	if (!ret) {
		req->map_ns = t1 - t0;
		t0 = ktime_get_ns();
		dma_unmap_sgtable(&bench_pdev->dev, &sgt, DMA_BIDIRECTIONAL, 0);
		t1 = ktime_get_ns();
		req->unmap_ns = t1 - t0;
	}
	t0 = ktime_get_ns();
	hugesg_sg_free_table_user_pages(&sgt, false);
	t1 = ktime_get_ns();
	req->free_ns = t1 - t0;

free:
	kvfree(hpages);
	return ret;
}

static long bench_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union {
		struct hugesg_bench_run run;
		struct hugesg_bench_phases phases;
	} req;
	size_t size;
	long ret;

	switch (cmd) {
	case HUGESG_BENCH_RUN:
		size = sizeof(req.run);
		break;
	case HUGESG_BENCH_PHASES:
		size = sizeof(req.phases);
		break;
	default:
		return -ENOTTY;
	}
	if (copy_from_user(&req, uarg, size))
		return -EFAULT;
	mutex_lock(&bench_lock);
	if (cmd == HUGESG_BENCH_RUN)
		ret = bench_run(&req.run);
	else
		ret = bench_phases(&req.phases);
	mutex_unlock(&bench_lock);
	if (!ret && copy_to_user(uarg, &req, size))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = bench_ioctl,
};

static struct miscdevice bench_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hugesg_bench",
	.fops = &bench_fops,
	.mode = 0600,
};

static int __init bench_init(void)
{
	int ret;

	/* only its struct device, for the DMA API; nothing is set on it */
	bench_pdev = pci_get_device(BENCH_DEV_VENDOR, BENCH_DEV_DEVICE, NULL);
	ret = misc_register(&bench_dev);
	if (ret)
		pci_dev_put(bench_pdev);
	return ret;
}
module_init(bench_init);

static void __exit bench_exit(void)
{
	misc_deregister(&bench_dev);
	pci_dev_put(bench_pdev);
}
module_exit(bench_exit);

MODULE_DESCRIPTION("hugesg test-only benchmark of pinning methods: never load outside the test guest");
MODULE_LICENSE("GPL");
