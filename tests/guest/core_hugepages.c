// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_get_user_hugepages_fast(): one pin and one page pointer per
 * hugepage, in address order, an error for anything but hugetlb memory.
 */
#include "testlib.h"

static struct hugesg_test_entry e[1024];

static int get(struct tstate *t, const void *p, size_t len, unsigned int flags,
	       size_t nr, struct hugesg_test_req *r)
{
	return treq(t, HUGESG_TEST_GET_HUGEPAGES, p, len, 0, flags, e, nr, r);
}

static void test_2m_pages_one_pin_each(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 8 * SZ_2M, 21);
	long pins = pins_held();
	unsigned int i;

	assert_non_null(p);
	assert_int_equal(get(t, p, 8 * SZ_2M, HUGESG_HUGE, 1024, &r), 0);
	assert_int_equal(r.nents, 8);
	assert_int_equal(pins_held() - pins, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(e[i].len, SZ_2M);
		assert_int_equal(e[i].phys % SZ_2M, 0);
	}
	trelease(t, HUGESG_TEST_PUT_HUGEPAGES);
	assert_int_equal(pins_held(), pins);
}

static void test_1g_page_one_pin(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, GiB, 30);
	long pins = pins_held();

	assert_non_null(p);
	assert_int_equal(get(t, p, GiB, HUGESG_HUGE | HUGESG_WRITE, 1024, &r), 0);
	assert_int_equal(r.nents, 1);
	assert_int_equal(e[0].len, GiB);
	assert_int_equal(e[0].phys % GiB, 0);
	assert_int_equal(pins_held() - pins, 1);
	trelease(t, HUGESG_TEST_PUT_HUGEPAGES);
	assert_int_equal(pins_held(), pins);
}

static void test_mixed_sizes_in_address_order(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_mixed(t, 3);
	long pins = pins_held();

	assert_non_null(p);
	assert_int_equal(get(t, p, 3 * SZ_2M + GiB, HUGESG_HUGE, 1024, &r), 0);
	assert_int_equal(r.nents, 4);
	assert_int_equal(e[0].len, SZ_2M);
	assert_int_equal(e[2].len, SZ_2M);
	assert_int_equal(e[3].len, GiB);
	assert_int_equal(pins_held() - pins, 4);
}

static void test_unaligned_range_pins_overlapped_pages(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 4 * SZ_2M, 21);
	long pins = pins_held();

	assert_non_null(p);
	/* from inside page 0 to inside page 2: three pages */
	assert_int_equal(get(t, p + 12345, 2 * SZ_2M, HUGESG_HUGE, 1024, &r), 0);
	assert_int_equal(r.nents, 3);
	assert_int_equal(pins_held() - pins, 3);
}

static void test_one_byte_pins_one_page(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 2 * SZ_2M, 21);

	assert_non_null(p);
	assert_int_equal(get(t, p + SZ_2M + 7, 1, HUGESG_HUGE, 1024, &r), 0);
	assert_int_equal(r.nents, 1);
	assert_int_equal(e[0].len, SZ_2M);
}

static void test_short_array_returns_fewer(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 4 * SZ_2M, 21);
	long pins = pins_held();

	assert_non_null(p);
	assert_int_equal(get(t, p, 4 * SZ_2M, HUGESG_HUGE, 2, &r), 0);
	assert_int_equal(r.nents, 2);
	assert_int_equal(pins_held() - pins, 2);
}

static void test_ordinary_memory_is_einval(void **state)
{
	struct tstate *t = *state;
	char *p = map_anon(t, 4 * SZ_2M, 0);
	long pins = pins_held();

	assert_non_null(p);
	assert_int_equal(get(t, p, 4 * SZ_2M, HUGESG_HUGE, 1024, NULL), -EINVAL);
	assert_int_equal(pins_held(), pins);
}

static void test_hugepages_then_ordinary_unpins_all(void **state)
{
	struct tstate *t = *state;
	char *p = map_mixed(t, 4);
	long pins = pins_held();

	assert_non_null(p);
	/* replace the last 2 MiB page by ordinary memory: error, no pin left */
	assert_ptr_equal(mmap(p + 3 * SZ_2M, SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			      MAP_POPULATE, -1, 0), p + 3 * SZ_2M);
	assert_int_equal(get(t, p, 4 * SZ_2M, HUGESG_HUGE, 1024, NULL), -EINVAL);
	assert_int_equal(pins_held(), pins);
}

static void test_pool_is_whole_after_put(void **state)
{
	struct tstate *t = *state;
	long before = pool_free(SZ_2M);
	char *p = map_huge(t, 16 * SZ_2M, 21);

	assert_non_null(p);
	assert_int_equal(pool_free(SZ_2M), before - 16);
	assert_int_equal(get(t, p, 16 * SZ_2M, HUGESG_HUGE, 1024, NULL), 0);
	assert_int_equal(munmap(p, 16 * SZ_2M), 0);
	t->nmaps--;
	/* unmapped but pinned: the pages stay out of the pool */
	assert_int_equal(pool_free(SZ_2M), before - 16);
	trelease(t, HUGESG_TEST_PUT_HUGEPAGES);
	assert_int_equal(pool_free(SZ_2M), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_2m_pages_one_pin_each),
		T(test_1g_page_one_pin),
		T(test_mixed_sizes_in_address_order),
		T(test_unaligned_range_pins_overlapped_pages),
		T(test_one_byte_pins_one_page),
		T(test_short_array_returns_fewer),
		T(test_ordinary_memory_is_einval),
		T(test_hugepages_then_ordinary_unpins_all),
		T(test_pool_is_whole_after_put),
	};

	return cmocka_run_group_tests_name("core_hugepages", tests, NULL, NULL);
}
