/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels hugesg supports lives here, and only
 * here.  Each shim names the version and the upstream change it bridges.
 * The choice is made by feature, not by version number: HUGESG_HAVE_* are
 * set by kernel/features.mk from the headers of the kernel being built for.
 */
#ifndef _HUGESG_COMPAT_H
#define _HUGESG_COMPAT_H

#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/scatterlist.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/hugesg.h>

/*
 * Is this page part of a hugetlbfs page?  PageHuge() is an exported function
 * up to 6.8 and an inline folio_test_hugetlb() wrapper since, so the same
 * call works everywhere.
 */
static inline bool hugesg_page_is_hugetlb(struct page *page)
{
	return PageHuge(page);
}

/*
 * Size in bytes of the (compound) page that @page belongs to.  Folios came
 * in 5.16 ("mm: Introduce struct folio", 7b230db3b8d3, with folio_size());
 * before, page_size() of the compound head gives the same.
 */
static inline unsigned long hugesg_compound_size(struct page *page)
{
#ifdef HUGESG_HAVE_FOLIO_SIZE
	return folio_size(page_folio(page));
#else
	return page_size(compound_head(page));
#endif
}

/*
 * The head of the hugetlb page that @page belongs to, with its size in
 * @size; NULL when @page is not part of a hugetlb page.  One look at the
 * page's folio instead of three (PageHuge(), compound_head(), the size).
 * folio_test_hugetlb() is in 6.1's headers, not in 5.10's; without it,
 * the compound head gives the same.
 */
static inline struct page *hugesg_hugetlb_head(struct page *page,
					       unsigned long *size)
{
#ifdef HUGESG_HAVE_FOLIO_TEST_HUGETLB
	struct folio *folio = page_folio(page);

	if (!folio_test_hugetlb(folio))
		return NULL;
	*size = folio_size(folio);
	return &folio->page;
#else
	if (!PageHuge(page))
		return NULL;
	page = compound_head(page);
	*size = page_size(page);
	return page;
#endif
}

/*
 * Do @a and @b belong to the same (compound) page?  page_folio() came with
 * folios in 5.16 ("mm: Introduce struct folio", 7b230db3b8d3); before, their
 * compound heads are the same page.
 */
static inline bool hugesg_same_compound(struct page *a, struct page *b)
{
#ifdef HUGESG_HAVE_PAGE_FOLIO
	return page_folio(a) == page_folio(b);
#else
	return compound_head(a) == compound_head(b);
#endif
}

/*
 * Unpin @npages consecutive ordinary pages from @page.
 * unpin_user_page_range_dirty_lock() came in 5.12 ("mm/gup: add a range
 * variant of unpin_user_pages_dirty_lock()", 458a4f788f86); before, one page
 * at a time.
 */
static inline void hugesg_unpin_page_range(struct page *page,
					   unsigned long npages, bool dirty)
{
#ifdef HUGESG_HAVE_UNPIN_RANGE
	unpin_user_page_range_dirty_lock(page, npages, dirty);
#else
	unsigned long pfn = page_to_pfn(page);

	while (npages--) {
		page = pfn_to_page(pfn++);
		unpin_user_pages_dirty_lock(&page, 1, dirty);
	}
#endif
}

/*
 * Shared hugetlb mappings are pinned through their file with
 * memfd_pin_folios() ("mm/gup: introduce memfd_pin_folios() for pinning
 * memfd folios", 6.11): one call finds (or allocates) a batch of folios in
 * the page cache, where GUP walks the page tables once per hugepage.  It is
 * chosen only where it is correct.  Up to 6.15 a hole in the file is filled
 * by memfd_alloc_folio() from alloc_hugetlb_folio_reserve(), which takes a
 * page out of resv_huge_pages without a reservation of its own: on a range
 * nobody had touched, HugePages_Rsvd goes wrong (underflows; a VM_BUG_ON
 * with CONFIG_DEBUG_VM).  Fixed in 6.16 by "mm/memfd: reserve hugetlb
 * folios before allocation" (memfd_alloc_folio() reserves the page with
 * hugetlb_reserve_pages() first) and "mm/hugetlb: don't crash when
 * allocating a folio if there are no resv"; the same series ("mm/hugetlb:
 * make hugetlb_reserve_pages() return nr of entries updated") made
 * hugetlb_reserve_pages() return a long, which is what features.mk probes
 * (COUNTED_HUGETLB_RESERVE).  Debian's 6.12 (6.12.117) has none of the
 * three (its memfd_alloc_folio() reserves nothing): of our kernels, 7.x
 * pins through the file, 5.10 to 6.12 through GUP.
 */
#if defined(HUGESG_HAVE_MEMFD_PIN_FOLIOS) && \
	defined(HUGESG_HAVE_COUNTED_HUGETLB_RESERVE)
#define HUGESG_FILE_PIN	1
#else
#define HUGESG_FILE_PIN	0
#endif

/*
 * Pin the hugepages of @file that hold the bytes [@start, @end] (@end
 * inclusive), at most @max, and store their head pages in @heads in file
 * order.  The number pinned, or a negative errno (-EOPNOTSUPP where the
 * file is not pinned through, above).  The folio array memfd_pin_folios()
 * fills is @heads itself, turned into head pages in place.
 */
static inline long hugesg_pin_file(struct file *file, loff_t start,
				   loff_t end, struct page **heads,
				   unsigned int max)
{
#if HUGESG_FILE_PIN
	struct folio **folios = (struct folio **)heads;
	pgoff_t offset;
	long i, n;

	n = memfd_pin_folios(file, start, end, folios, max, &offset);
	for (i = 0; i < n; i++)
		heads[i] = folio_page(folios[i], 0);
	return n;
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * Unpin @n hugepages by their head pages, one pin each.  unpin_folios()
 * (6.11, with memfd_pin_folios()) drops them without looking a page up
 * again; before, unpin_user_pages() does the same through each page's
 * folio.  @heads is turned into a folio array in place.
 */
static inline void hugesg_unpin_heads(struct page **heads, unsigned long n,
				      bool dirty)
{
	if (dirty) {
		unpin_user_pages_dirty_lock(heads, n, true);
		return;
	}
#ifdef HUGESG_HAVE_UNPIN_FOLIOS
	{
		struct folio **folios = (struct folio **)heads;
		unsigned long i;

		for (i = 0; i < n; i++)
			folios[i] = page_folio(heads[i]);
		unpin_folios(folios, n);
	}
#else
	unpin_user_pages(heads, n);
#endif
}

/*
 * Kernels that pin user memory for DMA themselves, one pin per run of
 * pages of a folio: pin_user_folio_ranges_fast() and unpin_folio_ranges()
 * in mm/gup.c, and over them sg_alloc_table_from_user_pages() and
 * sg_free_table_user_pages() in lib/scatterlist.c (the upstream series of
 * issue 14, "mm/gup: add pin_user_folio_ranges_fast()" and
 * "lib/scatterlist: add sg_alloc_table_from_user_pages()"; in no released
 * kernel yet: our 7.2-upstream).  Where all of them are there, hugesg.ko
 * pins through them (HUGESG_KERNEL_PIN) and keeps of its own only the
 * argument checks, the VMA scan and the RLIMIT_MEMLOCK accounting; on
 * every other kernel the functions below are never called (-EOPNOTSUPP).
 * The kernel's SG_USER_PAGES_* flags are hugesg's values, so that a driver
 * may pass HUGESG_* flags to the kernel's function (linux/hugesg.h).
 */
#if defined(HUGESG_HAVE_FOLIO_RANGES) && \
	defined(HUGESG_HAVE_KERNEL_SG_ALLOC_TABLE_FROM_USER_PAGES) && \
	defined(HUGESG_HAVE_KERNEL_SG_FREE_TABLE_USER_PAGES)
#define HUGESG_KERNEL_PIN	1
#else
#define HUGESG_KERNEL_PIN	0
#endif

#ifdef SG_USER_PAGES_WRITE
static_assert(HUGESG_NORMAL == SG_USER_PAGES_NORMAL);
static_assert(HUGESG_HUGE == SG_USER_PAGES_HUGE);
static_assert(HUGESG_AUTO == SG_USER_PAGES_AUTO);
static_assert(HUGESG_WRITE == SG_USER_PAGES_WRITE);
static_assert(HUGESG_MODE_MASK == SG_USER_PAGES_MODE_MASK);
static_assert(HUGESG_FLAGS_MASK == SG_USER_PAGES_FLAGS_MASK);
#endif

static inline int hugesg_kernel_sg_alloc(struct sg_table *sgt,
					 unsigned long start,
					 unsigned long len,
					 unsigned int max_segment,
					 unsigned int flags, gfp_t gfp)
{
#if HUGESG_KERNEL_PIN
	return sg_alloc_table_from_user_pages(sgt, start, len, max_segment,
					      flags, gfp);
#else
	return -EOPNOTSUPP;
#endif
}

static inline void hugesg_kernel_sg_free(struct sg_table *sgt, bool dirty)
{
#if HUGESG_KERNEL_PIN
	sg_free_table_user_pages(sgt, dirty);
#endif
}

/* Folio ranges pinned by one call of hugesg_kernel_pin_heads(). */
#define HUGESG_RANGE_BATCH	16

/*
 * Pin the hugetlb pages of [@start, @end) (page aligned) with one call of
 * pin_user_folio_ranges_fast(), at most @max of them (and at most
 * HUGESG_RANGE_BATCH), and store their head pages in @heads in address
 * order: one pin per occurrence of a hugepage, as a range of a hugetlb
 * folio is a whole occurrence of it or its start.  *@next is set where the
 * next call is to start: past the last hugepage stored, whose pin holds
 * all of it even where the range stopped inside it.  The number stored
 * (at least 1), or a negative errno with nothing pinned: -EINVAL for a
 * page that is not a hugetlb page, GUP's error for the first page.
 */
static inline long hugesg_kernel_pin_heads(unsigned long start,
					   unsigned long end,
					   unsigned int gup_flags,
					   struct page **heads,
					   unsigned long max,
					   unsigned long *next)
{
#if HUGESG_KERNEL_PIN
	struct folio_range r[HUGESG_RANGE_BATCH];
	unsigned long addr = start, size;
	long i, n;

	n = pin_user_folio_ranges_fast(start, end - start, gup_flags, r,
				       min_t(unsigned long, max,
					     ARRAY_SIZE(r)));
	if (n <= 0)
		return n ? n : -EFAULT;
	for (i = 0; i < n; i++) {
		if (!folio_test_hugetlb(r[i].folio)) {
			unpin_folio_ranges(r, n, false);
			return -EINVAL;
		}
		heads[i] = folio_page(r[i].folio, 0);
		addr += r[i].length;
	}
	size = folio_size(r[n - 1].folio);
	*next = ALIGN_DOWN(addr - 1, size) + size;
	return n;
#else
	return -EOPNOTSUPP;
#endif
}

/*
 * The reference that the tests compare against: a page array turned into a
 * table with a segment limit.  sg_alloc_table_from_pages_segment() came in
 * 5.15 ("lib/scatterlist: Provide a dedicated function to support table
 * append", 90e7a6de6275); before, __sg_alloc_table_from_pages() did the same
 * and returned the last entry.
 */
static inline int hugesg_sg_table_from_pages(struct sg_table *sgt,
					     struct page **pages,
					     unsigned int n_pages,
					     unsigned int offset,
					     unsigned long size,
					     unsigned int max_segment,
					     gfp_t gfp)
{
#ifdef HUGESG_HAVE_SG_SEGMENT
	return sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset,
						 size, max_segment, gfp);
#else
	return PTR_ERR_OR_ZERO(__sg_alloc_table_from_pages(sgt, pages, n_pages,
							   offset, size,
							   max_segment, NULL,
							   0, gfp));
#endif
}

/*
 * Legacy INTx interrupts: PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8
 * ("PCI: Replace PCI_IRQ_LEGACY with PCI_IRQ_INTX", 58ba1a0a7fd8) and the
 * old name later removed.
 */
#ifdef PCI_IRQ_INTX
#define HUGESG_PCI_IRQ_INTX	PCI_IRQ_INTX
#else
#define HUGESG_PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/*
 * Does an IOMMU translate the device's DMA, and does it invalidate at once
 * on unmap (strict), so that a device that keeps going after an unmap is
 * blocked?  Lazy invalidation got its own domain type, IOMMU_DOMAIN_DMA_FQ,
 * in 5.15 ("iommu: Introduce explicit type for non-strict DMA domains",
 * 7b8d4d6a1c3b).  Up to 5.12 a domain could be asked for its
 * DOMAIN_ATTR_DMA_USE_FLUSH_QUEUE, which "iommu: remove
 * DOMAIN_ATTR_DMA_USE_FLUSH_QUEUE" (a250c23f15c2) took away in 5.13, but
 * not every driver answers: 5.10's Intel driver keeps its own flush queue,
 * strict only with intel_iommu=strict (iommu.strict applies to x86 from
 * that 5.13 change on), and does not say.  Where nothing tells, strict is
 * not assumed.
 */
static inline bool hugesg_iommu_translates(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	return dom && (dom->type & __IOMMU_DOMAIN_PAGING);
}

static inline bool hugesg_iommu_strict(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
#if !defined(IOMMU_DOMAIN_DMA_FQ) && defined(HUGESG_HAVE_DOMAIN_ATTR_FQ)
	int fq;
#endif

	if (!dom || dom->type != IOMMU_DOMAIN_DMA)
		return false;
#if defined(IOMMU_DOMAIN_DMA_FQ)
	return true;
#elif defined(HUGESG_HAVE_DOMAIN_ATTR_FQ)
	return !iommu_domain_get_attr(dom, DOMAIN_ATTR_DMA_USE_FLUSH_QUEUE,
				      &fq) && !fq;
#else
	return false;
#endif
}

/*
 * A device's longest DMA segment.  dma_set_max_seg_size() returns void since
 * 6.11 ("dma-mapping: don't return errors from dma_set_max_seg_size",
 * 334304ac2bac); before, it could fail (no dma_parms).
 */
static inline int hugesg_dma_set_max_seg_size(struct device *dev,
					      unsigned int size)
{
#ifdef HUGESG_HAVE_VOID_SET_MAX_SEG_SIZE
	dma_set_max_seg_size(dev, size);
	return 0;
#else
	return dma_set_max_seg_size(dev, size);
#endif
}

/*
 * The table builder and the unpin walker (hugesg_internal.h) are exported
 * to the KUnit tests of tests/kmod/hugesg_kunit.c only, and only on kernels
 * built with KUnit.  EXPORT_SYMBOL_IF_KUNIT() and <kunit/visibility.h> came
 * in 6.2 ("kunit: add macro to allow conditionally exposing static symbols
 * to tests"); before, the same export is spelled out.  The namespace
 * became a string literal in 6.13 ("module: Convert symbol namespace to
 * string literal"), which changes how the tests import it.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#ifdef HUGESG_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#define HUGESG_EXPORT_FOR_KUNIT(sym)	EXPORT_SYMBOL_IF_KUNIT(sym)
#else
#define HUGESG_EXPORT_FOR_KUNIT(sym)	\
	EXPORT_SYMBOL_NS_GPL(sym, EXPORTED_FOR_KUNIT_TESTING)
#endif
#else
#define HUGESG_EXPORT_FOR_KUNIT(sym)
#endif
#ifdef HUGESG_HAVE_STRING_NS
#define HUGESG_IMPORT_KUNIT_NS()	\
	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define HUGESG_IMPORT_KUNIT_NS()	\
	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

/*
 * Pins held on a hugepage (the KUnit tests count them).  Up to 6.1 in the
 * first tail page's compound_pincount (head_compound_pincount()); the
 * folio conversions of 6.2-6.3 moved it into folio->_pincount and removed
 * the helper.
 */
static inline int hugesg_hugepage_pincount(struct page *head)
{
#ifdef HUGESG_HAVE_HEAD_COMPOUND_PINCOUNT
	return head_compound_pincount(head);
#else
	return atomic_read(&page_folio(head)->_pincount);
#endif
}

/*
 * Set flags of a VMA being mapped (the test driver's VM_IO mapping).
 * vm_flags became read-only in 6.3, written only through vm_flags_set()
 * ("mm: introduce vma->vm_flags wrapper functions", bc292ab00f6c).
 */
static inline void hugesg_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
#ifdef HUGESG_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _HUGESG_COMPAT_H */
