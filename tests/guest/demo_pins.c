// SPDX-License-Identifier: GPL-2.0
/*
 * Part of `make demo` (tests/guest/demo.sh): pin 1 GiB of 2 MiB hugepages
 * and one 1 GiB hugepage the old way (a pin on every 4 KiB page, then
 * sg_alloc_table_from_pages_segment()) and with hugesg, and show pins,
 * entries and time side by side.  TAP output: each claim is checked.
 */
#include <time.h>

#include "testlib.h"

#define MAX_ENTRIES (300 * 1024)

static struct hugesg_test_entry *a, *b;
static int n_test, n_fail;

static void check(int ok, const char *what)
{
	n_test++;
	n_fail += !ok;
	printf("%sok %d - %s\n", ok ? "" : "not ", n_test, what);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long acquired(void)
{
	pins_held();	/* folds the per-CPU counters */
	return read_counter("/proc/vmstat", "nr_foll_pin_acquired");
}

static void compare(struct tstate *t, const char *title, char *p, size_t len,
		    long hugepages)
{
	struct hugesg_test_req ra, rb;
	long pins_old, pins_new;
	double t_old, t_new;
	int same = 1;
	unsigned int i;

	printf("# %s\n", title);
	pins_old = acquired();
	t_old = now_ms();
	check(!treq(t, HUGESG_TEST_ORACLE, p, len, 1U << 21, HUGESG_WRITE, b,
		    MAX_ENTRIES, &rb), "old way: pin every 4 KiB page, build the table");
	t_old = now_ms() - t_old;
	pins_old = acquired() - pins_old;

	pins_new = acquired();
	t_new = now_ms();
	check(!treq(t, HUGESG_TEST_SG_ALLOC, p, len, 1U << 21,
		    HUGESG_HUGE | HUGESG_WRITE, a, MAX_ENTRIES, &ra),
	      "hugesg: sg_alloc_table_from_user_pages(HUGESG_HUGE)");
	t_new = now_ms() - t_new;
	pins_new = acquired() - pins_new;
	trelease(t, HUGESG_TEST_SG_FREE);

	for (i = 0; i < ra.nents && same; i++)
		same = a[i].phys == b[i].phys && a[i].len == b[i].len;
	printf("#   %-44s %8s %8s %10s\n", "", "pins", "entries", "time");
	printf("#   %-44s %8ld %8llu %8.1fms\n",
	       "old: pin_user_pages + sg_alloc_table_from_pages", pins_old,
	       (unsigned long long)rb.nents, t_old);
	printf("#   %-44s %8ld %8llu %8.1fms\n", "hugesg_sg_alloc_table_from_user_pages",
	       pins_new, (unsigned long long)ra.nents, t_new);
	printf("#   page array the old way keeps: %zu KiB; hugesg: none\n",
	       len / 4096 * sizeof(void *) / 1024);
	check(pins_new == hugepages, "hugesg takes one pin per hugepage");
	check(pins_old == (long)(len / 4096), "the old way takes one per 4 KiB page");
	check(ra.nents == rb.nents && same, "both tables list the same (address, length) entries");
}

int main(void)
{
	struct tstate *t;
	char *p;

	a = calloc(MAX_ENTRIES, sizeof(*a));
	b = calloc(MAX_ENTRIES, sizeof(*b));
	if (!a || !b || tstate_setup((void **)&t))
		return 1;
	printf("# hugesg demo: hugepage pools: 2 MiB %ld free, 1 GiB %ld free\n",
	       pool_free(SZ_2M), pool_free(GiB));
	p = map_huge(t, GiB, 21);
	check(p != NULL, "map 1 GiB of 2 MiB hugepages");
	if (p)
		compare(t, "1 GiB of 2 MiB hugepages, max_segment 2 MiB", p, GiB, 512);
	if (p)
		munmap(p, GiB);
	t->nmaps = 0;
	p = map_huge(t, GiB, 30);
	check(p != NULL, "map one 1 GiB hugepage");
	if (p)
		compare(t, "one 1 GiB hugepage, max_segment 2 MiB", p, GiB, 1);
	check(tstate_teardown((void **)&t) == 0, "nothing left pinned");
	printf("1..%d\n# demo verdict: %s\n", n_test, n_fail ? "FAILED" : "OK");
	return n_fail != 0;
}
