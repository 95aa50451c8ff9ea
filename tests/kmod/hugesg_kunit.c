// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of hugesg.ko's internal helpers (kernel/lib/hugesg_internal.h):
 * the scatterlist builder and the unpin walker; and of the max_segment
 * helpers of its API (include/linux/hugesg.h).  Built only for kernels with
 * CONFIG_KUNIT (the debug kernel of `make test-debug`), loaded by
 * tests/guest/debug_kunit, which maps the user memory the walker tests pin.
 *
 * The builder is checked against lib/scatterlist.c itself: the same pages
 * given to sg_alloc_table_from_pages_segment() must give the same entries
 * in the same chunk layout, and sg_free_table() must free the builder's
 * table (KASAN and kmemleak watch that).  The walker is checked on real pins
 * of hugetlb pages, counted on the page.
 */
#include <kunit/test.h>
#include <linux/hugesg.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/vmstat.h>

#include "hugesg_kunit.h"
#include "../../kernel/compat.h"
#include "../../kernel/lib/hugesg_internal.h"

/* A block of 2^order order-0 pages, each with its own reference. */
static struct page *kunit_pages(struct kunit *test, unsigned int order)
{
	struct page *pages = alloc_pages(GFP_KERNEL, order);

	KUNIT_ASSERT_NOT_NULL(test, pages);
	split_page(pages, order);
	return pages;
}

static void kunit_pages_free(struct page *pages, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++)
		__free_page(pages + i);
}

/* Same entries, same chunk layout: walk both raw, following the chains. */
static void expect_same_table(struct kunit *test, struct sg_table *got,
			      struct sg_table *want)
{
	struct scatterlist *p = got->sgl, *q = want->sgl;
	unsigned int n = 0;

	KUNIT_EXPECT_EQ(test, got->nents, want->nents);
	KUNIT_EXPECT_EQ(test, got->orig_nents, want->orig_nents);
	while (p && q) {
		KUNIT_ASSERT_EQ(test, sg_is_chain(p), sg_is_chain(q));
		if (sg_is_chain(p)) {
			KUNIT_EXPECT_EQ(test, n % (SG_MAX_SINGLE_ALLOC - 1), 0u);
			p = sg_chain_ptr(p);
			q = sg_chain_ptr(q);
			continue;
		}
		KUNIT_EXPECT_PTR_EQ(test, sg_page(p), sg_page(q));
		KUNIT_EXPECT_EQ(test, p->offset, q->offset);
		KUNIT_EXPECT_EQ(test, p->length, q->length);
		KUNIT_ASSERT_EQ(test, sg_is_last(p), sg_is_last(q));
		n++;
		if (sg_is_last(p))
			break;
		p++;
		q++;
	}
	KUNIT_EXPECT_EQ(test, n, want->orig_nents);
}

/*
 * Build from @n pages, each added alone, and compare with the table
 * lib/scatterlist.c makes of the same page array.
 */
static void check_against_scatterlist(struct kunit *test, struct page **pages,
				      unsigned int n, unsigned int offset,
				      unsigned long len, unsigned int max_seg)
{
	struct hugesg_sg_builder b;
	struct sg_table got, want;
	unsigned int i;

	hugesg_sgb_init(&b, &got, len, offset, max_seg, GFP_KERNEL);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(pages[i]),
						     1, false), 0);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
	KUNIT_ASSERT_EQ(test, hugesg_sg_table_from_pages(&want, pages, n,
							 offset, len, max_seg,
							 GFP_KERNEL), 0);
	expect_same_table(test, &got, &want);
	sg_free_table(&got);
	sg_free_table(&want);
}

static void sgb_contiguous_pages_are_one_entry(struct kunit *test)
{
	struct page *block = kunit_pages(test, 4), *pages[16];
	struct hugesg_sg_builder b;
	struct sg_table sgt;
	unsigned int i;

	for (i = 0; i < 16; i++)
		pages[i] = block + i;
	hugesg_sgb_init(&b, &sgt, 16 * PAGE_SIZE, 0, UINT_MAX & PAGE_MASK,
			GFP_KERNEL);
	for (i = 0; i < 16; i++)
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(pages[i]),
						     1, false), 0);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
	KUNIT_EXPECT_EQ(test, sgt.nents, 1u);
	KUNIT_EXPECT_EQ(test, sgt.sgl->length, 16 * PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, sg_is_last(sgt.sgl));
	sg_free_table(&sgt);
	check_against_scatterlist(test, pages, 16, 0, 16 * PAGE_SIZE,
				  UINT_MAX & PAGE_MASK);
	kunit_pages_free(block, 4);
}

static void sgb_max_segment_splits_a_run(struct kunit *test)
{
	struct page *block = kunit_pages(test, 4), *pages[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		pages[i] = block + i;
	check_against_scatterlist(test, pages, 16, 0, 16 * PAGE_SIZE,
				  4 * PAGE_SIZE);
	check_against_scatterlist(test, pages, 16, 0, 16 * PAGE_SIZE,
				  5 * PAGE_SIZE);
	kunit_pages_free(block, 4);
}

static void sgb_offset_and_tail_are_clipped(struct kunit *test)
{
	struct page *block = kunit_pages(test, 2), *pages[3];
	struct hugesg_sg_builder b;
	struct sg_table sgt;
	unsigned int i;

	/* pages 0, 2, 1: three entries */
	pages[0] = block;
	pages[1] = block + 2;
	pages[2] = block + 1;
	hugesg_sgb_init(&b, &sgt, 3 * PAGE_SIZE - 300, 100, PAGE_SIZE * 16,
			GFP_KERNEL);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(pages[i]),
						     1, false), 0);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
	KUNIT_ASSERT_EQ(test, sgt.nents, 3u);
	KUNIT_EXPECT_EQ(test, sgt.sgl[0].offset, 100u);
	KUNIT_EXPECT_EQ(test, sgt.sgl[0].length, PAGE_SIZE - 100);
	KUNIT_EXPECT_EQ(test, sgt.sgl[1].length, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, sgt.sgl[2].offset, 0u);
	KUNIT_EXPECT_EQ(test, sgt.sgl[2].length, PAGE_SIZE - 200);
	sg_free_table(&sgt);
	check_against_scatterlist(test, pages, 3, 100, 3 * PAGE_SIZE - 300,
				  PAGE_SIZE * 16);
	kunit_pages_free(block, 2);
}

/* Entry counts around the chunk size of lib/scatterlist.c */
static const unsigned int sgb_counts[] = {
	1, SG_MAX_SINGLE_ALLOC - 1, SG_MAX_SINGLE_ALLOC, SG_MAX_SINGLE_ALLOC + 1,
	2 * SG_MAX_SINGLE_ALLOC - 2, 2 * SG_MAX_SINGLE_ALLOC - 1,
	2 * SG_MAX_SINGLE_ALLOC, 3 * SG_MAX_SINGLE_ALLOC + 7,
};

static void sgb_count_desc(const unsigned int *count, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u entries", *count);
}

KUNIT_ARRAY_PARAM(sgb_count, sgb_counts, sgb_count_desc);

/* Every other page of a block: each page is an entry of its own. */
static void sgb_chunk_layout_matches_sg_alloc_table(struct kunit *test)
{
	unsigned int n = *(const unsigned int *)test->param_value, i;
	struct page *block = kunit_pages(test, 10), **pages;

	KUNIT_ASSERT_LE(test, 2 * n, 1024u);
	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++)
		pages[i] = block + 2 * i;
	check_against_scatterlist(test, pages, n, 0, n * PAGE_SIZE,
				  PAGE_SIZE * 16);
	kunit_pages_free(block, 10);
}

/* A hugepage added as one run follows max_segment like its 512 pages do. */
static void sgb_huge_run_splits_like_pages(struct kunit *test)
{
	unsigned int order = ilog2(SZ_2M / PAGE_SIZE), n = 1U << order, i;
	struct page *block = kunit_pages(test, order), **pages;
	unsigned int segs[] = { UINT_MAX & PAGE_MASK, SZ_1M, SZ_64K };
	struct hugesg_sg_builder b;
	struct sg_table got, want;
	unsigned int s;

	pages = kunit_kcalloc(test, n, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < n; i++)
		pages[i] = block + i;
	for (s = 0; s < ARRAY_SIZE(segs); s++) {
		hugesg_sgb_init(&b, &got, (unsigned long)n << PAGE_SHIFT, 0,
				segs[s], GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(block), n,
						     true), 0);
		KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
		KUNIT_ASSERT_EQ(test,
				hugesg_sg_table_from_pages(&want, pages, n, 0,
							   (unsigned long)n << PAGE_SHIFT,
							   segs[s], GFP_KERNEL), 0);
		expect_same_table(test, &got, &want);
		sg_free_table(&got);
		sg_free_table(&want);
	}
	kunit_pages_free(block, order);
}

/*
 * A pin on an ordinary page, as GUP takes it (a FOLL_PIN reference counts
 * GUP_PIN_COUNTING_BIAS, and the node counts the acquisition), so that
 * unpin_user_page() can release it.
 */
static void fake_pin(struct page *page)
{
	page_ref_add(page, GUP_PIN_COUNTING_BIAS);
	mod_node_page_state(page_pgdat(page), NR_FOLL_PIN_ACQUIRED, 1);
}

/* abort() releases the pins of the entries and of the pending one. */
static void sgb_abort_unpins_and_frees(struct kunit *test)
{
	unsigned int n = 2 * SG_MAX_SINGLE_ALLOC + 3, i;
	struct page *block = kunit_pages(test, 10);
	struct hugesg_sg_builder b;
	struct sg_table sgt;

	hugesg_sgb_init(&b, &sgt, n * PAGE_SIZE, 0, PAGE_SIZE * 16, GFP_KERNEL);
	for (i = 0; i < n; i++) {
		fake_pin(block + 2 * i);
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(block + 2 * i),
						     1, false), 0);
	}
	KUNIT_EXPECT_EQ(test, sgt.nents, n - 1);	/* the last is pending */
	hugesg_sgb_abort(&b);
	KUNIT_EXPECT_NULL(test, sgt.sgl);
	KUNIT_EXPECT_EQ(test, sgt.nents, 0u);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, page_ref_count(block + 2 * i), 1);
	kunit_pages_free(block, 10);
}

/*
 * A table reserved for @bound entries, built from @n discontiguous pages
 * (every other page of a block): the entries are lib/scatterlist.c's, and
 * the table stays where it was reserved unless @n is over @bound.
 */
static void check_reserved(struct kunit *test, unsigned int bound,
			   unsigned int n)
{
	struct page *block = kunit_pages(test, 4), *pages[8];
	struct hugesg_sg_builder b;
	struct sg_table got, want;
	struct scatterlist *reserved;
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, 8u);
	for (i = 0; i < n; i++)
		pages[i] = block + 2 * i;
	hugesg_sgb_init(&b, &got, n * PAGE_SIZE, 0, UINT_MAX & PAGE_MASK,
			GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_reserve(&b, bound), 0);
	reserved = got.sgl;
	KUNIT_EXPECT_NOT_NULL(test, reserved);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(pages[i]),
						     1, false), 0);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
	if (n <= bound)
		KUNIT_EXPECT_PTR_EQ(test, got.sgl, reserved);
	else
		KUNIT_EXPECT_PTR_NE(test, got.sgl, reserved);
	KUNIT_ASSERT_EQ(test, hugesg_sg_table_from_pages(&want, pages, n, 0,
							 n * PAGE_SIZE,
							 UINT_MAX & PAGE_MASK,
							 GFP_KERNEL), 0);
	expect_same_table(test, &got, &want);
	sg_free_table(&got);	/* KASAN and kmemleak watch this free */
	sg_free_table(&want);
	kunit_pages_free(block, 4);
}

/* A bounded table is one allocation, filled in place, end marked. */
static void sgb_reserved_table_is_filled_in_place(struct kunit *test)
{
	check_reserved(test, 8, 5);
	check_reserved(test, 5, 5);
	check_reserved(test, 1, 1);
}

/* More entries than the bound: they move into a page chunk, same table. */
static void sgb_reserve_exceeded_moves_to_a_chunk(struct kunit *test)
{
	check_reserved(test, 3, 5);
	check_reserved(test, 1, 2);
}

/* No bound, or one a page chunk holds anyway: nothing is reserved. */
static void sgb_reserve_large_or_unknown_is_a_no_op(struct kunit *test)
{
	struct hugesg_sg_builder b;
	struct sg_table sgt;

	hugesg_sgb_init(&b, &sgt, PAGE_SIZE, 0, PAGE_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, hugesg_sgb_reserve(&b, 0), 0);
	KUNIT_EXPECT_NULL(test, sgt.sgl);
	KUNIT_EXPECT_EQ(test, hugesg_sgb_reserve(&b, SG_MAX_SINGLE_ALLOC), 0);
	KUNIT_EXPECT_NULL(test, sgt.sgl);
	KUNIT_EXPECT_FALSE(test, b.exact);
}

/* abort() of a reserved table unpins its entries and frees it. */
static void sgb_reserved_abort_unpins_and_frees(struct kunit *test)
{
	struct page *block = kunit_pages(test, 3);
	struct hugesg_sg_builder b;
	struct sg_table sgt;
	unsigned int i;

	hugesg_sgb_init(&b, &sgt, 4 * PAGE_SIZE, 0, PAGE_SIZE * 16,
			GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, hugesg_sgb_reserve(&b, 4), 0);
	for (i = 0; i < 4; i++) {
		fake_pin(block + 2 * i);
		KUNIT_ASSERT_EQ(test, hugesg_sgb_add(&b, page_to_pfn(block + 2 * i),
						     1, false), 0);
	}
	hugesg_sgb_abort(&b);
	KUNIT_EXPECT_NULL(test, sgt.sgl);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, page_ref_count(block + 2 * i), 1);
	kunit_pages_free(block, 3);
}

static struct kunit_case sgb_cases[] = {
	KUNIT_CASE(sgb_contiguous_pages_are_one_entry),
	KUNIT_CASE(sgb_max_segment_splits_a_run),
	KUNIT_CASE(sgb_offset_and_tail_are_clipped),
	KUNIT_CASE_PARAM(sgb_chunk_layout_matches_sg_alloc_table,
			 sgb_count_gen_params),
	KUNIT_CASE(sgb_huge_run_splits_like_pages),
	KUNIT_CASE(sgb_abort_unpins_and_frees),
	KUNIT_CASE(sgb_reserved_table_is_filled_in_place),
	KUNIT_CASE(sgb_reserve_exceeded_moves_to_a_chunk),
	KUNIT_CASE(sgb_reserve_large_or_unknown_is_a_no_op),
	KUNIT_CASE(sgb_reserved_abort_unpins_and_frees),
	{}
};

static struct kunit_suite sgb_suite = {
	.name = "hugesg_sgbuild",
	.test_cases = sgb_cases,
};

/*
 * The unpin walker, on pins of the loader's pages.  suite_init runs in the
 * loader's own context (finit_module()); each case runs in a kernel thread
 * that borrows the loader's mm to pin.
 */
static struct mm_struct *walker_mm;

static int walker_suite_init(struct kunit_suite *suite)
{
	if (current->mm && !(current->flags & PF_KTHREAD)) {
		walker_mm = current->mm;
		mmget(walker_mm);
	}
	return 0;
}

static void walker_suite_exit(struct kunit_suite *suite)
{
	if (walker_mm)
		mmput(walker_mm);
	walker_mm = NULL;
}

/*
 * Pin the page at @addr of the loader's memory, borrowing its mm only for
 * the call: an assertion that fails ends the test's thread, which must not
 * happen while it uses someone else's mm.
 */
static struct page *pin_at(struct kunit *test, unsigned long addr)
{
	struct page *page;
	int ret;

	if (!walker_mm)
		kunit_skip(test, "no user memory: load through debug_kunit");
	kthread_use_mm(walker_mm);
	ret = pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	kthread_unuse_mm(walker_mm);
	KUNIT_ASSERT_EQ(test, ret, 1);
	return page;
}

/* One pin, the hugepage split over two adjacent entries: one unpin. */
static void walker_split_hugepage_unpins_once(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *head = pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	int before = hugesg_hugepage_pincount(head) - 1;
	unsigned long pfn = page_to_pfn(head);

	KUNIT_ASSERT_TRUE(test, hugesg_page_is_hugetlb(head));
	hugesg_unpin_extent(&st, pfn, 0, SZ_1M);
	hugesg_unpin_extent(&st, pfn + (SZ_1M >> PAGE_SHIFT), 0, SZ_1M);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before);
}

/* Two pins, the hugepage twice in the range: two unpins. */
static void walker_second_occurrence_unpins_again(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *head = pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	int before = hugesg_hugepage_pincount(head) - 1;
	unsigned long pfn = page_to_pfn(head);

	pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	hugesg_unpin_extent(&st, pfn, 0, SZ_2M);
	hugesg_unpin_extent(&st, pfn, 0, SZ_2M);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before);
}

/*
 * Two pins from the middle of the page (a range that starts inside it, then
 * the page again): the first extent starts inside, the second at its start.
 */
static void walker_extent_inside_hugepage_unpins_once(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *head = pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	int before = hugesg_hugepage_pincount(head) - 1;
	unsigned long pfn = page_to_pfn(head);

	pin_at(test, HUGESG_KUNIT_HUGE_ADDR + SZ_1M);
	hugesg_unpin_extent(&st, pfn + (SZ_1M >> PAGE_SHIFT), 100,
			    SZ_1M - 100);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before + 1);
	hugesg_unpin_extent(&st, pfn, 0, SZ_2M);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before);
}

/* Both hugepages in one walk, each split in two: one unpin each. */
static void walker_two_hugepages_split(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *a = pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	struct page *b = pin_at(test, HUGESG_KUNIT_HUGE_ADDR + SZ_2M);
	int before_a = hugesg_hugepage_pincount(a) - 1;
	int before_b = hugesg_hugepage_pincount(b) - 1;
	unsigned long half = SZ_1M >> PAGE_SHIFT;

	hugesg_unpin_extent(&st, page_to_pfn(a), 0, SZ_1M);
	hugesg_unpin_extent(&st, page_to_pfn(a) + half, 0, SZ_1M);
	hugesg_unpin_extent(&st, page_to_pfn(b), 0, SZ_1M);
	hugesg_unpin_extent(&st, page_to_pfn(b) + half, 0, SZ_1M);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(a), before_a);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(b), before_b);
}

/* Ordinary pages: one unpin per page, whatever the extents' offsets. */
static void walker_ordinary_pages_unpin_each(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *pages[HUGESG_KUNIT_NORMAL_PAGES];
	int refs[HUGESG_KUNIT_NORMAL_PAGES];
	unsigned int i;

	for (i = 0; i < HUGESG_KUNIT_NORMAL_PAGES; i++) {
		pages[i] = pin_at(test, HUGESG_KUNIT_NORMAL_ADDR + i * PAGE_SIZE);
		KUNIT_ASSERT_FALSE(test, hugesg_page_is_hugetlb(pages[i]));
		refs[i] = page_ref_count(pages[i]) - GUP_PIN_COUNTING_BIAS;
	}
	for (i = 0; i < HUGESG_KUNIT_NORMAL_PAGES; i++)
		hugesg_unpin_extent(&st, page_to_pfn(pages[i]), i ? 0 : 100,
				    i ? PAGE_SIZE : PAGE_SIZE - 100);
	for (i = 0; i < HUGESG_KUNIT_NORMAL_PAGES; i++)
		KUNIT_EXPECT_EQ(test, page_ref_count(pages[i]), refs[i]);
}

/*
 * An ordinary page that continues the previous entry, physically below the
 * hugepage unpinned last (hugepages sit high in memory, ordinary pages
 * often below them): it is unpinned, not taken for the rest of that
 * hugepage.
 */
static void walker_ordinary_page_below_last_hugepage_unpins(struct kunit *test)
{
	struct page *page = pin_at(test, HUGESG_KUNIT_NORMAL_ADDR);
	int ref = page_ref_count(page) - GUP_PIN_COUNTING_BIAS;
	phys_addr_t phys = PFN_PHYS(page_to_pfn(page));
	struct hugesg_unpin_state st = {
		.have_prev = true,
		.prev_end = phys,
		.huge_start = phys + PAGE_SIZE,
		.huge_end = phys + PAGE_SIZE + SZ_2M,
	};

	KUNIT_ASSERT_FALSE(test, hugesg_page_is_hugetlb(page));
	hugesg_unpin_extent(&st, page_to_pfn(page), 0, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), ref);
}

/*
 * Hugepage unpins are gathered: none is dropped before the batch is full
 * or flushed, each once.  The hugepage pinned once per occurrence, one
 * more occurrence than a batch holds.
 */
static void walker_gathers_hugepages_until_flush(struct kunit *test)
{
	struct hugesg_unpin_state st = { };
	struct page *head = pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	int before = hugesg_hugepage_pincount(head) - 1;
	unsigned long pfn = page_to_pfn(head);
	unsigned int i;

	for (i = 1; i <= HUGESG_UNPIN_BATCH; i++)
		pin_at(test, HUGESG_KUNIT_HUGE_ADDR);
	for (i = 0; i < HUGESG_UNPIN_BATCH - 1; i++)
		hugesg_unpin_extent(&st, pfn, 0, SZ_2M);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head),
			before + HUGESG_UNPIN_BATCH + 1);
	hugesg_unpin_extent(&st, pfn, 0, SZ_2M);	/* the batch is full */
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before + 1);
	hugesg_unpin_extent(&st, pfn, 0, SZ_2M);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before + 1);
	hugesg_unpin_flush(&st);
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before);
	hugesg_unpin_flush(&st);	/* nothing left: no unpin */
	KUNIT_EXPECT_EQ(test, hugesg_hugepage_pincount(head), before);
}

static struct kunit_case walker_cases[] = {
	KUNIT_CASE(walker_split_hugepage_unpins_once),
	KUNIT_CASE(walker_second_occurrence_unpins_again),
	KUNIT_CASE(walker_extent_inside_hugepage_unpins_once),
	KUNIT_CASE(walker_two_hugepages_split),
	KUNIT_CASE(walker_ordinary_pages_unpin_each),
	KUNIT_CASE(walker_ordinary_page_below_last_hugepage_unpins),
	KUNIT_CASE(walker_gathers_hugepages_until_flush),
	{}
};

static struct kunit_suite walker_suite = {
	.name = "hugesg_unpin_walker",
	.suite_init = walker_suite_init,
	.suite_exit = walker_suite_exit,
	.test_cases = walker_cases,
};

/*
 * hugesg_max_segment_round(): a limit rounded down to whole 1 GiB, else
 * 2 MiB, else 4 KiB pages.
 */
struct round_case {
	u64 limit;
	unsigned int want;
	const char *what;
};

static const struct round_case round_cases[] = {
	{ U64_MAX, 3U << 30, "no limit (dma_max_mapping_size() behind an IOMMU)" },
	{ 1ULL << 32, 3U << 30, "4 GiB" },
	{ UINT_MAX, 3U << 30, "UINT_MAX (4 GiB - 1), the engines' limit" },
	{ 3ULL << 30, 3U << 30, "3 GiB" },
	{ SZ_1G, SZ_1G, "1 GiB" },
	{ SZ_1G - 1, SZ_1G - SZ_2M, "1 GiB - 1" },
	{ SZ_2M + SZ_1M, SZ_2M, "3 MiB" },
	{ SZ_2M, SZ_2M, "2 MiB" },
	{ SZ_2M - 1, SZ_2M - PAGE_SIZE, "2 MiB - 1" },
	{ SZ_256K, SZ_256K, "256 KiB (swiotlb's)" },
	{ SZ_256K + 100, SZ_256K, "256 KiB + 100" },
	{ SZ_64K, SZ_64K, "64 KiB (a PCI device's default)" },
	{ PAGE_SIZE, PAGE_SIZE, "a page" },
	{ PAGE_SIZE - 1, PAGE_SIZE - 1, "below a page: as it is" },
	{ 0, 0, "0" },
};

static void round_case_desc(const struct round_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->what);
}

KUNIT_ARRAY_PARAM(round, round_cases, round_case_desc);

static void max_segment_round_cuts_no_hugepage(struct kunit *test)
{
	const struct round_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hugesg_max_segment_round(c->limit), c->want);
}

/*
 * Give the entries of @sgt the bus addresses dma-direct gives physically
 * contiguous memory from @phys without an IOMMU (each entry where the one
 * before it ended, nothing merged), then list its device pages of
 * 1 << @shift bytes: hugesg_dma_page_table()'s result.  The addresses come
 * from the lengths: the struct pages of the entries are not looked at.
 */
static long direct_page_table(struct sg_table *sgt, u64 phys,
			      unsigned int shift, u64 *table, unsigned long max)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = phys;
		sg_dma_len(sg) = sg->length;
		phys += sg->length;
	}
	return hugesg_dma_page_table(sgt, shift, table, max);
}

/*
 * 5 GiB of physically contiguous hugepages (1 GiB pages, or 2 MiB pages
 * side by side) from 4 GiB, each added as the pin path adds a hugepage,
 * with the default max_segment of a device whose limit is UINT_MAX.
 * Every entry is whole hugepages (3 GiB, then 2 GiB), so the table
 * describes the buffer page by page; the limit itself, UINT_MAX rounded
 * to pages, would end the first entry 4 KiB short of 4 GiB, inside a
 * hugepage.  5 GiB of contiguous hugepages cost more than a guest has:
 * the builder only computes with the pfns (pfn_to_page(), no
 * struct page is read), and nothing is pinned or released through them.
 */
static void default_max_segment_keeps_hugepages_whole(struct kunit *test)
{
	static const unsigned int shifts[] = { PUD_SHIFT, PMD_SHIFT };
	u64 phys = 4ULL << 30;
	unsigned long base = PHYS_PFN(phys), len = 5UL << 30;
	unsigned int max_segment = hugesg_max_segment_round(UINT_MAX);
	unsigned int s, i, hpages, cut, nents, first;
	struct hugesg_sg_builder b;
	struct scatterlist *sg;
	struct sg_table sgt;
	u64 *table;
	long n;

	table = kunit_kcalloc(test, len >> PMD_SHIFT, sizeof(*table),
			      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, table);
	for (s = 0; s < ARRAY_SIZE(shifts); s++) {
		unsigned long hsize = 1UL << shifts[s];

		hpages = len >> shifts[s];
		hugesg_sgb_init(&b, &sgt, len, 0, max_segment, GFP_KERNEL);
		for (i = 0; i < hpages; i++)
			KUNIT_ASSERT_EQ(test,
					hugesg_sgb_add(&b, base + i * (hsize >> PAGE_SHIFT),
						       hsize >> PAGE_SHIFT, true), 0);
		KUNIT_ASSERT_EQ(test, hugesg_sgb_finish(&b), 0);
		cut = 0;
		for_each_sgtable_sg(&sgt, sg, i)
			cut += sg->length % hsize ? 1 : 0;
		nents = sgt.nents;
		first = sgt.sgl->length;
		n = direct_page_table(&sgt, phys, shifts[s], table, hpages);
		sg_free_table(&sgt);
		/*
		 * asserts, after the free: the first difference ends the case
		 * with one message (a case's log holds 512 bytes on 6.1)
		 */
		KUNIT_ASSERT_EQ(test, cut, 0u);	/* entries that cut a hugepage */
		KUNIT_ASSERT_EQ(test, nents, 2u);
		KUNIT_ASSERT_EQ(test, first, 3U << 30);
		KUNIT_ASSERT_EQ(test, n, (long)hpages);
		for (i = 0; i < hpages; i++)
			KUNIT_ASSERT_EQ(test, table[i], phys + (u64)i * hsize);
	}
}

static struct kunit_case max_segment_cases[] = {
	KUNIT_CASE_PARAM(max_segment_round_cuts_no_hugepage, round_gen_params),
	KUNIT_CASE(default_max_segment_keeps_hugepages_whole),
	{}
};

static struct kunit_suite max_segment_suite = {
	.name = "hugesg_max_segment",
	.test_cases = max_segment_cases,
};

kunit_test_suites(&sgb_suite, &walker_suite, &max_segment_suite);

MODULE_DESCRIPTION("hugesg: KUnit tests of the table builder and the unpin walker");
MODULE_LICENSE("GPL");
HUGESG_IMPORT_KUNIT_NS();
