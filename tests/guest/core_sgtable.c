// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_sg_alloc_table_from_user_pages() / hugesg_sg_free_table_user_pages():
 * the table equals, entry by entry (physical address, length), what
 * sg_alloc_table_from_pages_segment() builds from a pin on every 4 KiB page
 * (the oracle), for every kind of memory and several segment limits; the
 * pins held are one per hugepage, and none after the free.
 */
#include "testlib.h"

#define MAX_ENTRIES (300 * 1024)

static struct hugesg_test_entry *got, *want;
static const unsigned int segs[] = {
	4 * KiB, 64 * KiB, 2 * MiB, 0xffffffffu & ~4095u,
};

static int suite_setup(void **state)
{
	(void)state;
	got = calloc(MAX_ENTRIES, sizeof(*got));
	want = calloc(MAX_ENTRIES, sizeof(*want));
	return got && want ? 0 : -1;
}

static int suite_teardown(void **state)
{
	(void)state;
	free(got);
	free(want);
	return 0;
}

/*
 * The pins of a THP buffer: one per 4 KiB page, but where the kernel pins
 * (kernel_pin()): one per folio range, as many as the pages say.
 */
#define FOLIO_RANGES	(-1L)
#define THP_PINS(pages)	(kernel_pin() ? FOLIO_RANGES : (pages))

/*
 * The table for [p, p + len) against the oracle, for every segment limit;
 * @expected_pins may be FOLIO_RANGES.
 */
static void check_oracle(struct tstate *t, const char *p, size_t len,
			 unsigned int flags, long expected_pins)
{
	struct hugesg_test_req a, b;
	unsigned int i, s;
	long pins;

	for (s = 0; s < sizeof(segs) / sizeof(segs[0]); s++) {
		pins = pins_held();
		assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, len, segs[s],
				      flags, got, MAX_ENTRIES, &a), 0);
		assert_int_equal(pins_held() - pins,
				 expected_pins == FOLIO_RANGES ?
				 folio_ranges(p, len) : expected_pins);
		assert_int_equal(treq(t, HUGESG_TEST_ORACLE, p, len, segs[s],
				      flags & HUGESG_WRITE, want, MAX_ENTRIES,
				      &b), 0);
		assert_true(a.nents <= MAX_ENTRIES);
		assert_int_equal(a.nents, b.nents);
		for (i = 0; i < a.nents; i++) {
			if (got[i].phys != want[i].phys ||
			    got[i].len != want[i].len)
				fail_msg("max_segment %u entry %u: (%#llx, %llu), oracle (%#llx, %llu)",
					 segs[s], i,
					 (unsigned long long)got[i].phys,
					 (unsigned long long)got[i].len,
					 (unsigned long long)want[i].phys,
					 (unsigned long long)want[i].len);
			assert_true(got[i].len <= segs[s]);
		}
		trelease(t, HUGESG_TEST_SG_FREE);
		assert_int_equal(pins_held(), pins);
	}
}

static void test_2m_pages_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, 16 * MiB, 21);

	assert_non_null(p);
	check_oracle(t, p, 16 * MiB, HUGESG_HUGE, 8);
}

static void test_1g_page_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, GiB, 30);

	assert_non_null(p);
	check_oracle(t, p, GiB, HUGESG_HUGE | HUGESG_WRITE, 1);
}

static void test_mixed_2m_1g_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_mixed(t, 3);

	assert_non_null(p);
	check_oracle(t, p, 3 * SZ_2M + GiB, HUGESG_HUGE, 4);
}

static void test_unaligned_start_and_len_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, 4 * SZ_2M, 21);

	assert_non_null(p);
	/* offset 12345 in page 0 to 999 bytes past the start of page 3 */
	check_oracle(t, p + 12345, 3 * SZ_2M - 12345 + 999, HUGESG_HUGE, 4);
}

static void test_one_byte_is_one_entry(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, SZ_2M, 21);

	assert_non_null(p);
	check_oracle(t, p + 4097, 1, HUGESG_HUGE, 1);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p + 4097, 1, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, &r), 0);
	assert_int_equal(r.nents, 1);
	assert_int_equal(got[0].len, 1);
	assert_int_equal(got[0].phys % 4096, 1);
}

static void test_hugetlbfs_shared_file_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_hugetlbfs_shared(t, 8 * MiB);

	assert_non_null(p);
	check_oracle(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
}

static void test_memfd_hugetlb_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, 8 * MiB);

	assert_non_null(p);
	check_oracle(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
}

static void test_thp_with_normal_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_anon(t, 8 * MiB, 1);

	assert_non_null(p);
	check_oracle(t, p, 8 * MiB, HUGESG_NORMAL | HUGESG_WRITE,
		     THP_PINS(2048));
}

static void test_thp_with_auto_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_anon(t, 8 * MiB, 1);

	assert_non_null(p);
	check_oracle(t, p + 100, 8 * MiB - 200, HUGESG_AUTO, THP_PINS(2048));
}

static void test_small_pages_with_normal_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_anon(t, 4 * MiB, 0);

	assert_non_null(p);
	check_oracle(t, p + 3, 4 * MiB - 3, HUGESG_NORMAL, 1024);
}

static void test_auto_hugetlb_and_ordinary_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, 4 * SZ_2M, 21);

	assert_non_null(p);
	/* page 1 becomes ordinary memory: 3 hugepages + 512 pages */
	assert_ptr_equal(mmap(p + SZ_2M, SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			      MAP_POPULATE, -1, 0), p + SZ_2M);
	madvise(p + SZ_2M, SZ_2M, MADV_NOHUGEPAGE);
	check_oracle(t, p, 4 * SZ_2M, HUGESG_AUTO, 3 + 512);
}

static void test_hugepage_segments_one_entry_each(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 64 * MiB, 21);
	unsigned int i;

	assert_non_null(p);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 64 * MiB, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, &r), 0);
	assert_int_equal(r.nents, 32);
	for (i = 0; i < 32; i++) {
		assert_int_equal(got[i].len, SZ_2M);
		assert_int_equal(got[i].phys % SZ_2M, 0);
	}
}

static void test_1g_of_2m_pages_takes_512_pins(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, GiB, 21);

	assert_non_null(p);
	check_oracle(t, p, GiB, HUGESG_HUGE | HUGESG_WRITE, 512);
}

static void test_same_hugepage_twice_unpins_twice(void **state)
{
	struct tstate *t = *state;
	char *base = track(t, mmap(NULL, 3 * SZ_2M, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			   3 * SZ_2M);
	int fd = memfd_huge(SZ_2M);
	char *a;

	assert_non_null(base);
	assert_true(fd >= 0);
	a = (char *)(((uintptr_t)base + SZ_2M - 1) & ~(SZ_2M - 1));
	/* the same hugepage at [a, a + 2M) and [a + 2M, a + 4M) */
	assert_ptr_equal(mmap(a, SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0), a);
	assert_ptr_equal(mmap(a + SZ_2M, SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED | MAP_POPULATE, fd, 0),
			 a + SZ_2M);
	close(fd);
	check_oracle(t, a + 8192, 2 * SZ_2M - 8192, HUGESG_HUGE, 2);
}

static void test_pool_is_whole_after_free(void **state)
{
	struct tstate *t = *state;
	long before = pool_free(SZ_2M);
	char *p = map_huge(t, 32 * MiB, 21);

	assert_non_null(p);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 32 * MiB, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, NULL), 0);
	assert_int_equal(munmap(p, 32 * MiB), 0);
	t->nmaps--;
	assert_int_equal(pool_free(SZ_2M), before - 16);
	trelease(t, HUGESG_TEST_SG_FREE);
	assert_int_equal(pool_free(SZ_2M), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_2m_pages_match_oracle),
		T(test_1g_page_matches_oracle),
		T(test_mixed_2m_1g_match_oracle),
		T(test_unaligned_start_and_len_match_oracle),
		T(test_one_byte_is_one_entry),
		T(test_hugetlbfs_shared_file_matches_oracle),
		T(test_memfd_hugetlb_matches_oracle),
		T(test_thp_with_normal_matches_oracle),
		T(test_thp_with_auto_matches_oracle),
		T(test_small_pages_with_normal_match_oracle),
		T(test_auto_hugetlb_and_ordinary_match_oracle),
		T(test_hugepage_segments_one_entry_each),
		T(test_1g_of_2m_pages_takes_512_pins),
		T(test_same_hugepage_twice_unpins_twice),
		T(test_pool_is_whole_after_free),
	};

	return cmocka_run_group_tests_name("core_sgtable", tests, suite_setup,
					   suite_teardown);
}
