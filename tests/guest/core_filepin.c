// SPDX-License-Identifier: GPL-2.0
/*
 * Shared hugetlb mappings (memfd, hugetlbfs, shared anonymous, SysV SHM)
 * pinned through their file where hugesg.ko is built to (compat.h,
 * HUGESG_FILE_PIN; the test driver reports it and counts the hugepages
 * pinned that way), through GUP elsewhere: either way the table equals the
 * oracle's, the pins are one per hugepage, the errors are GUP's, and the
 * pool's counters (free, reserved) move as a fault would move them.
 * Private mappings are pinned through GUP on every kernel.
 */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "testlib.h"

#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif

#define MAX_ENTRIES 4096

static struct hugesg_test_entry got[MAX_ENTRIES], want[MAX_ENTRIES];

/* Hugepages pinned through a file so far; *chosen: that path is built. */
static long file_pins(struct tstate *t, int *chosen)
{
	struct hugesg_test_req r = { 0 };

	assert_int_equal(treq(t, HUGESG_TEST_FILE_PINS, NULL, 0, 0, 0, NULL,
			      0, &r), 0);
	if (chosen)
		*chosen = r.flags == 1;
	return (long)r.nents;
}

/* What file_pins() must have grown by since @before, for @n hugepages. */
static void assert_file_pins(struct tstate *t, long before, long n)
{
	int chosen;
	long now = file_pins(t, &chosen);

	assert_int_equal(now - before, chosen ? n : 0);
}

static long pool_resv(void)
{
	return read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages");
}

/*
 * The table for [p, p + len) with @flags and a 2 MiB segment limit against
 * the oracle's; @hpages pins held, @fpins of them through the file where
 * that path is built.  The oracle runs second, so on an unpopulated range
 * it sees what the first pin filled in.
 */
static void check_table(struct tstate *t, const char *p, size_t len,
			unsigned int flags, long hpages, long fpins_want)
{
	struct hugesg_test_req a = { 0 }, b = { 0 };
	long pins = pins_held(), fpins = file_pins(t, NULL);
	unsigned int i;

	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, len, SZ_2M, flags,
			      got, MAX_ENTRIES, &a), 0);
	assert_int_equal(pins_held() - pins, hpages);
	assert_file_pins(t, fpins, fpins_want);
	assert_int_equal(treq(t, HUGESG_TEST_ORACLE, p, len, SZ_2M,
			      flags & HUGESG_WRITE, want, MAX_ENTRIES, &b), 0);
	assert_int_equal(a.nents, b.nents);
	for (i = 0; i < a.nents; i++) {
		if (got[i].phys != want[i].phys || got[i].len != want[i].len)
			fail_msg("entry %u: (%#llx, %llu), oracle (%#llx, %llu)",
				 i, (unsigned long long)got[i].phys,
				 (unsigned long long)got[i].len,
				 (unsigned long long)want[i].phys,
				 (unsigned long long)want[i].len);
	}
	trelease(t, HUGESG_TEST_SG_FREE);
	assert_int_equal(pins_held(), pins);
}

/* The same for a shared mapping: every hugepage through the file. */
static void check_shared(struct tstate *t, const char *p, size_t len,
			 unsigned int flags, long hpages)
{
	check_table(t, p, len, flags, hpages, hpages);
}

/* A hugetlb memfd of @size bytes mapped with @prot, shared, not populated. */
static char *map_memfd(struct tstate *t, size_t size, size_t maplen, int prot)
{
	int fd = memfd_huge(size);
	char *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, maplen, prot, MAP_SHARED, fd, 0);
	close(fd);
	return track(t, p, maplen);
}

static void test_memfd_populated_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, 8 * MiB);

	assert_non_null(p);
	check_shared(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
}

static void test_hugetlbfs_file_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_hugetlbfs_shared(t, 8 * MiB);

	assert_non_null(p);
	check_shared(t, p + 5000, 8 * MiB - 10000, HUGESG_AUTO | HUGESG_WRITE,
		     4);
}

static void test_shared_anonymous_matches_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = track(t, mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB |
				MAP_HUGE_2M | MAP_POPULATE, -1, 0), 8 * MiB);

	assert_non_null(p);
	check_shared(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
}

static void test_sysv_shm_matches_oracle(void **state)
{
	struct tstate *t = *state;
	int id = shmget(IPC_PRIVATE, 8 * MiB, IPC_CREAT | SHM_HUGETLB | 0600);
	char *p;

	if (id < 0 && errno == ENOSYS)
		skip();		/* a kernel without SysV IPC: the debug kernel */
	assert_true(id >= 0);
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	assert_true(p != (char *)-1);
	touch(p, 8 * MiB);
	check_shared(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
	assert_int_equal(shmdt(p), 0);
}

static void test_unpopulated_memfd_fills_as_a_fault(void **state)
{
	struct tstate *t = *state;
	long free0 = pool_free(SZ_2M), resv0 = pool_resv();
	char *p = map_memfd(t, 8 * MiB, 8 * MiB, PROT_READ | PROT_WRITE);

	assert_non_null(p);
	/* mmap reserved 4 pages and took none */
	assert_int_equal(pool_resv(), resv0 + 4);
	assert_int_equal(pool_free(SZ_2M), free0);
	check_shared(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4);
	/* the pin filled the file: 4 pages taken, their reservations used */
	assert_int_equal(pool_free(SZ_2M), free0 - 4);
	assert_int_equal(pool_resv(), resv0);
	assert_int_equal(munmap(p, 8 * MiB), 0);
	t->nmaps--;
	/* the memfd was closed: unmapped, its pages go back */
	assert_int_equal(pool_free(SZ_2M), free0);
	assert_int_equal(pool_resv(), resv0);
}

static void test_unpopulated_half_fills_only_the_hole(void **state)
{
	struct tstate *t = *state;
	long free0 = pool_free(SZ_2M), resv0 = pool_resv();
	char *p = map_memfd(t, 8 * MiB, 8 * MiB, PROT_READ | PROT_WRITE);

	assert_non_null(p);
	touch(p + 2 * SZ_2M, 2 * SZ_2M);
	assert_int_equal(pool_resv(), resv0 + 2);
	check_shared(t, p + SZ_2M, 3 * SZ_2M, HUGESG_HUGE, 3);
	assert_int_equal(pool_free(SZ_2M), free0 - 3);
	assert_int_equal(pool_resv(), resv0 + 1);
}

static void test_read_only_mapping_pins_without_write(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd(t, 8 * MiB, 8 * MiB, PROT_READ);

	assert_non_null(p);
	check_shared(t, p, 8 * MiB, HUGESG_HUGE, 4);
}

static void test_read_only_mapping_with_write_is_efault(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, 8 * MiB);
	long pins, fpins;

	assert_non_null(p);
	assert_int_equal(mprotect(p + 4 * MiB, 4 * MiB, PROT_READ), 0);
	pins = pins_held();
	fpins = file_pins(t, NULL);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 8 * MiB, SZ_2M,
			      HUGESG_HUGE | HUGESG_WRITE, got, MAX_ENTRIES,
			      NULL), -EFAULT);
	assert_int_equal(pins_held(), pins);
	/* the writable half went through the file before the fault */
	assert_file_pins(t, fpins, 2);
}

static void test_prot_none_is_efault(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, 8 * MiB);
	long pins, fpins;

	assert_non_null(p);
	assert_int_equal(mprotect(p, 8 * MiB, PROT_NONE), 0);
	pins = pins_held();
	fpins = file_pins(t, NULL);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 8 * MiB, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, NULL), -EFAULT);
	assert_int_equal(pins_held(), pins);
	assert_file_pins(t, fpins, 0);
}

static void test_past_end_of_file_is_efault(void **state)
{
	struct tstate *t = *state;
	/* 2 pages of file under 4 pages of read-only mapping: SIGBUS past */
	char *p = map_memfd(t, 2 * SZ_2M, 4 * SZ_2M, PROT_READ);
	long pins, fpins;

	assert_non_null(p);
	pins = pins_held();
	fpins = file_pins(t, NULL);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 4 * SZ_2M, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, NULL), -EFAULT);
	assert_int_equal(pins_held(), pins);
	assert_file_pins(t, fpins, 2);
	/* the file's own pages pin */
	check_shared(t, p, 2 * SZ_2M, HUGESG_HUGE, 2);
}

static void test_same_hugepages_twice_pin_twice(void **state)
{
	struct tstate *t = *state;
	char *base = track(t, mmap(NULL, 5 * SZ_2M, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
			   5 * SZ_2M);
	int fd = memfd_huge(2 * SZ_2M);
	char *a;

	assert_non_null(base);
	assert_true(fd >= 0);
	a = (char *)(((uintptr_t)base + SZ_2M - 1) & ~(SZ_2M - 1));
	/* the file's two hugepages at [a, a + 4M) and [a + 4M, a + 8M) */
	assert_ptr_equal(mmap(a, 2 * SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED, fd, 0), a);
	assert_ptr_equal(mmap(a + 2 * SZ_2M, 2 * SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED, fd, 0), a + 2 * SZ_2M);
	close(fd);
	check_shared(t, a + 4096, 4 * SZ_2M - 8192, HUGESG_HUGE | HUGESG_WRITE,
		     4);
}

/* One hugepage: one GUP call costs less than the file's lookup. */
static void test_one_hugepage_stretch_keeps_gup(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, SZ_2M);

	assert_non_null(p);
	check_table(t, p + 100, SZ_2M - 200, HUGESG_HUGE | HUGESG_WRITE, 1, 0);
}

/* More hugepages than the stack's batch: one array of them, one call. */
static void test_many_hugepages_match_oracle(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd(t, 80 * SZ_2M, 80 * SZ_2M, PROT_READ | PROT_WRITE);

	assert_non_null(p);
	touch(p, 40 * SZ_2M);
	check_shared(t, p, 80 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE, 80);
}

static void test_private_hugetlb_keeps_gup(void **state)
{
	struct tstate *t = *state;
	char *p = map_huge(t, 8 * MiB, 21);
	long fpins = file_pins(t, NULL);
	struct hugesg_test_req r = { 0 };

	assert_non_null(p);
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, p, 8 * MiB, SZ_2M,
			      HUGESG_HUGE | HUGESG_WRITE, got, MAX_ENTRIES, &r),
			 0);
	assert_int_equal(r.nents, 4);
	assert_int_equal(file_pins(t, NULL), fpins);
	trelease(t, HUGESG_TEST_SG_FREE);
}

static void test_private_file_mapping_pins_its_copies(void **state)
{
	struct tstate *t = *state;
	int fd = memfd_huge(8 * MiB);
	char *s, *p;
	long fpins;

	assert_true(fd >= 0);
	s = track(t, mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED |
			  MAP_POPULATE, fd, 0), 8 * MiB);
	p = track(t, mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			  fd, 0), 8 * MiB);
	close(fd);
	assert_non_null(s);
	assert_non_null(p);
	/* copy-on-write: the private pages are not the file's */
	touch(p, 8 * MiB);
	fpins = file_pins(t, NULL);
	check_table(t, p, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE, 4, 0);
	assert_int_equal(file_pins(t, NULL), fpins);
	/* the file's first page is not the private copy of it */
	assert_int_equal(treq(t, HUGESG_TEST_SG_ALLOC, s, SZ_2M, SZ_2M,
			      HUGESG_HUGE, got, MAX_ENTRIES, NULL), 0);
	assert_true(got[0].phys != want[0].phys);
	trelease(t, HUGESG_TEST_SG_FREE);
}

static void test_shared_then_private_in_one_range(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd_huge(t, 4 * SZ_2M);

	assert_non_null(p);
	/* the last two pages become private hugetlb memory */
	assert_ptr_equal(mmap(p + 2 * SZ_2M, 2 * SZ_2M, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			      MAP_HUGE_2M | MAP_POPULATE | MAP_FIXED, -1, 0),
			 p + 2 * SZ_2M);
	check_table(t, p, 4 * SZ_2M, HUGESG_HUGE, 4, 2);
}

static void test_buf_pin_counts_file_pins(void **state)
{
	struct tstate *t = *state;
	char *p = map_memfd(t, 8 * MiB, 8 * MiB, PROT_READ | PROT_WRITE);
	long fpins = file_pins(t, NULL), vmpin = vmpin_kb();
	struct hugesg_test_req r = { 0 };

	assert_non_null(p);
	assert_int_equal(treq(t, HUGESG_TEST_BUF_PIN, p + 100, 6 * MiB, SZ_2M,
			      HUGESG_HUGE | HUGESG_WRITE, got, MAX_ENTRIES, &r),
			 0);
	assert_int_equal(r.nr_pins, 4);
	assert_int_equal(r.pinned_bytes, 8 * MiB);
	assert_int_equal(vmpin_kb() - vmpin, 8 * MiB / KiB);
	assert_file_pins(t, fpins, 4);
	trelease(t, HUGESG_TEST_BUF_UNPIN);
	assert_int_equal(vmpin_kb(), vmpin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_memfd_populated_matches_oracle),
		T(test_hugetlbfs_file_matches_oracle),
		T(test_shared_anonymous_matches_oracle),
		T(test_sysv_shm_matches_oracle),
		T(test_unpopulated_memfd_fills_as_a_fault),
		T(test_unpopulated_half_fills_only_the_hole),
		T(test_read_only_mapping_pins_without_write),
		T(test_read_only_mapping_with_write_is_efault),
		T(test_prot_none_is_efault),
		T(test_past_end_of_file_is_efault),
		T(test_same_hugepages_twice_pin_twice),
		T(test_one_hugepage_stretch_keeps_gup),
		T(test_many_hugepages_match_oracle),
		T(test_private_hugetlb_keeps_gup),
		T(test_private_file_mapping_pins_its_copies),
		T(test_shared_then_private_in_one_range),
		T(test_buf_pin_counts_file_pins),
	};

	return cmocka_run_group_tests_name("core_filepin", tests, NULL, NULL);
}
