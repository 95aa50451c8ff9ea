// SPDX-License-Identifier: GPL-2.0
/*
 * The release of a pinned hugepage whose pin is its last reference, as after
 * kill -9: the process's mapping is gone and the page is surplus (the pool
 * was shrunk while it was in use), so the first unpin hands it back to the
 * page allocator at once.  When max_segment splits the hugepage over several
 * entries, the rest of its entries must not be read as the ordinary pages
 * the freed memory now looks like: the pins released equal the pins taken,
 * and the pool ends whole.
 */
#include "testlib.h"

#define NHUGE 2
#define HSYS "/sys/kernel/mm/hugepages/hugepages-2048kB/"

static struct hugesg_test_entry entries[64];

static long sysfs_long(const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), HSYS "%s", name);
	return read_long(path);
}

static void set_nr_hugepages(long n)
{
	char val[32];

	snprintf(val, sizeof(val), "%ld", n);
	assert_int_equal(write_str(HSYS "nr_hugepages", val), 0);
}

/*
 * Pin NHUGE private hugepages with @cmd, each split over two entries
 * (max_segment 1 MiB), unmap them, make them surplus, release with
 * @release: every pin taken is released, none more.
 */
static void check_surplus_release(struct tstate *t, unsigned long cmd,
				  unsigned long release)
{
	long nr = sysfs_long("nr_hugepages");
	long free_before = sysfs_long("free_hugepages");
	long pins = pins_held(), in_use;
	struct hugesg_test_req r;
	char *p;

	assert_true(nr > NHUGE && free_before >= NHUGE);
	p = mmap(NULL, NHUGE * SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
		 MAP_POPULATE, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(treq(t, cmd, p, NHUGE * SZ_2M, MiB, HUGESG_HUGE |
			      HUGESG_WRITE, entries, 64, &r), 0);
	if (cmd == HUGESG_TEST_SG_ALLOC)
		assert_int_equal(r.nents, 2 * NHUGE);
	assert_int_equal(pins_held() - pins, NHUGE);
	assert_int_equal(munmap(p, NHUGE * SZ_2M), 0);

	/* shrink the pool below its use: our pinned pages become surplus */
	in_use = nr - sysfs_long("free_hugepages");
	set_nr_hugepages(in_use - NHUGE);
	assert_int_equal(sysfs_long("surplus_hugepages"), NHUGE);

	trelease(t, release);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(sysfs_long("surplus_hugepages"), 0);

	set_nr_hugepages(nr);
	assert_int_equal(sysfs_long("nr_hugepages"), nr);
	assert_int_equal(sysfs_long("free_hugepages"), free_before);
}

static void test_table_of_surplus_split_hugepages_releases_each_pin_once(void **state)
{
	check_surplus_release(*state, HUGESG_TEST_SG_ALLOC, HUGESG_TEST_SG_FREE);
}

static void test_buffer_of_surplus_split_hugepages_releases_each_pin_once(void **state)
{
	check_surplus_release(*state, HUGESG_TEST_BUF_PIN, HUGESG_TEST_BUF_UNPIN);
}

/* The same, released by close() (the driver's release path). */
static void test_close_releases_surplus_split_hugepages_once(void **state)
{
	struct tstate *t = *state;
	long nr = sysfs_long("nr_hugepages");
	long free_before = sysfs_long("free_hugepages");
	long pins = pins_held();
	char *p = mmap(NULL, NHUGE * SZ_2M, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
		       MAP_POPULATE, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, NHUGE * SZ_2M,
			      64 * KiB, HUGESG_HUGE, entries, 64, NULL), 0);
	assert_int_equal(munmap(p, NHUGE * SZ_2M), 0);
	set_nr_hugepages(nr - sysfs_long("free_hugepages") - NHUGE);
	assert_int_equal(sysfs_long("surplus_hugepages"), NHUGE);
	close(t->fd);
	t->fd = open("/dev/hugesg_test", O_RDWR);
	assert_true(t->fd >= 0);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(sysfs_long("surplus_hugepages"), 0);
	set_nr_hugepages(nr);
	assert_int_equal(sysfs_long("free_hugepages"), free_before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_of_surplus_split_hugepages_releases_each_pin_once,
						tstate_setup, tstate_teardown),
		cmocka_unit_test_setup_teardown(test_buffer_of_surplus_split_hugepages_releases_each_pin_once,
						tstate_setup, tstate_teardown),
		cmocka_unit_test_setup_teardown(test_close_releases_surplus_split_hugepages_once,
						tstate_setup, tstate_teardown),
	};

	return cmocka_run_group_tests_name("core_surplus", tests, NULL, NULL);
}
