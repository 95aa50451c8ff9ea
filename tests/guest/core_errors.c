// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to the in-kernel API: each case gets its errno from each entry
 * point (table, managed buffer, hugepage array), and afterwards nothing is
 * pinned and nothing charged to VmPin.
 */
#include "testlib.h"

enum mem {
	M_HUGE,			/* 4 x 2 MiB hugetlb pages */
	M_NORMAL,		/* 8 MiB of ordinary pages */
	M_HOLE,			/* nothing mapped */
	M_PROT_NONE,		/* hugetlb, PROT_NONE */
	M_PFNMAP,		/* remap_pfn_range(): VM_IO | VM_PFNMAP */
	M_RO_HUGE,		/* hugetlb, read-only */
	M_RO_NORMAL,		/* ordinary, read-only */
	M_HUGE_THEN_HOLE,	/* 3 hugepages, then a hole */
	M_HUGE_THEN_NORMAL,	/* 3 hugepages, then ordinary pages */
	M_NORMAL_THEN_HUGE,	/* ordinary pages, then 3 hugepages */
	M_KERNEL,		/* a kernel address */
	M_IO_PAGE,		/* vm_insert_page() into VM_IO: ordinary pte */
};

struct bad {
	const char *what;
	enum mem mem;
	unsigned long len;	/* 0: the whole 8 MiB; ~0: wraps */
	unsigned int flags;
	unsigned int max_segment;
	int err;
	int tables_only;	/* not for hugesg_get_user_hugepages_fast() */
};

#define WRAPS (~0UL)
#define TO_TOP (~0UL - 1)	/* marker: runs to ~0UL without wrapping */
#define PAST_LIMIT (~0UL - 2)	/* marker: ends one byte past TASK_SIZE */
#define TASK_SIZE_4L 0x7ffffffff000UL	/* x86-64, 4-level page tables */
#define ZERO_LEN 1UL		/* marker, see bad_len() */

static const struct bad bads[] = {
	{ "len 0", M_HUGE, ZERO_LEN, HUGESG_HUGE, SZ_2M, EINVAL, 0 },
	{ "start + len wraps", M_HUGE, WRAPS, HUGESG_HUGE, SZ_2M, EINVAL, 0 },
	{ "a range to the top of the address space", M_HUGE, TO_TOP, HUGESG_HUGE, SZ_2M, EFAULT, 0 },
	{ "a range to the top, ordinary pages", M_NORMAL, TO_TOP, HUGESG_AUTO, SZ_2M, EFAULT, 0 },
	{ "a range past the user-space limit", M_HUGE, PAST_LIMIT, HUGESG_HUGE, SZ_2M, EFAULT, 0 },
	{ "unknown flag", M_HUGE, 0, HUGESG_HUGE | 0x8, SZ_2M, EINVAL, 0 },
	{ "mode 3", M_HUGE, 0, 3, SZ_2M, EINVAL, 0 },
	{ "max_segment 0", M_HUGE, 0, HUGESG_HUGE, 0, EINVAL, 1 },
	{ "max_segment < PAGE_SIZE", M_HUGE, 0, HUGESG_HUGE, 4095, EINVAL, 1 },
	{ "HUGE on ordinary pages", M_NORMAL, 0, HUGESG_HUGE, SZ_2M, EINVAL, 0 },
	{ "NORMAL on hugetlb pages", M_HUGE, 0, HUGESG_NORMAL, SZ_2M, EINVAL, 0 },
	{ "HUGE on hugepages then ordinary", M_HUGE_THEN_NORMAL, 0, HUGESG_HUGE, 4096, EINVAL, 0 },
	{ "NORMAL on ordinary then hugepages", M_NORMAL_THEN_HUGE, 0, HUGESG_NORMAL, 4096, EINVAL, 0 },
	{ "a hole", M_HOLE, 0, HUGESG_AUTO, SZ_2M, EFAULT, 0 },
	{ "hugepages then a hole", M_HUGE_THEN_HOLE, 0, HUGESG_HUGE, 4096, EFAULT, 0 },
	{ "PROT_NONE", M_PROT_NONE, 0, HUGESG_HUGE, SZ_2M, EFAULT, 0 },
	{ "VM_IO/VM_PFNMAP", M_PFNMAP, 4096, HUGESG_AUTO, SZ_2M, EFAULT, 0 },
	{ "VM_IO with an ordinary page", M_IO_PAGE, 4096, HUGESG_AUTO, SZ_2M, EFAULT, 0 },
	{ "WRITE on read-only hugepages", M_RO_HUGE, 0, HUGESG_HUGE | HUGESG_WRITE, SZ_2M, EFAULT, 0 },
	{ "WRITE on read-only ordinary pages", M_RO_NORMAL, 0, HUGESG_NORMAL | HUGESG_WRITE, SZ_2M, EFAULT, 1 },
	{ "a kernel address", M_KERNEL, 0, HUGESG_AUTO, SZ_2M, EFAULT, 0 },
};

struct api {
	const char *name;
	unsigned long cmd;
	int hugepages_only;	/* hugesg_get_user_hugepages_fast() */
};

static const struct api apis[] = {
	{ "sg_alloc_table_from_user_pages", HUGESG_TEST_SG_ALLOC, 0 },
	{ "buf_pin", HUGESG_TEST_BUF_PIN, 0 },
	{ "get_user_hugepages_fast", HUGESG_TEST_GET_HUGEPAGES, 1 },
};

struct row {
	const struct bad *bad;
	const struct api *api;
	char name[160];
};

#define NBADS (sizeof(bads) / sizeof(bads[0]))
#define NAPIS (sizeof(apis) / sizeof(apis[0]))
static struct row rows[NBADS * NAPIS + 4];
static struct hugesg_test_entry entries[8192];

/* A page the test driver maps with remap_pfn_range(): VM_IO | VM_PFNMAP. */
static void *pfnmap(struct tstate *t)
{
	return track(t, mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			     t->fd, 0), 4096);
}

static char *make_mem(struct tstate *t, enum mem mem)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p;

	switch (mem) {
	case M_HUGE:
		return map_huge(t, 8 * MiB, 21);
	case M_NORMAL:
		return map_anon(t, 8 * MiB, 0);
	case M_HOLE:
		p = mmap(NULL, 8 * MiB, PROT_NONE, anon, -1, 0);
		munmap(p, 8 * MiB);
		return p;
	case M_PROT_NONE:
		p = map_huge(t, 8 * MiB, 21);
		return p && !mprotect(p, 8 * MiB, PROT_NONE) ? p : NULL;
	case M_PFNMAP:
		return pfnmap(t);
	case M_RO_HUGE:
		return track(t, mmap(NULL, 8 * MiB, PROT_READ, anon | MAP_HUGETLB |
				     MAP_HUGE_2M | MAP_POPULATE, -1, 0), 8 * MiB);
	case M_RO_NORMAL:
		return track(t, mmap(NULL, 8 * MiB, PROT_READ,
				     anon | MAP_POPULATE, -1, 0), 8 * MiB);
	case M_HUGE_THEN_HOLE:
		p = map_huge(t, 8 * MiB, 21);
		return p && !munmap(p + 6 * MiB, SZ_2M) ? p : NULL;
	case M_HUGE_THEN_NORMAL:
		p = map_huge(t, 8 * MiB, 21);
		return p && mmap(p + 6 * MiB, SZ_2M, PROT_READ | PROT_WRITE,
				 anon | MAP_FIXED | MAP_POPULATE, -1, 0) != MAP_FAILED ?
			p : NULL;
	case M_NORMAL_THEN_HUGE:
		p = map_huge(t, 8 * MiB, 21);
		return p && mmap(p, SZ_2M, PROT_READ | PROT_WRITE,
				 anon | MAP_FIXED | MAP_POPULATE, -1, 0) != MAP_FAILED ?
			p : NULL;
	case M_KERNEL:
		return (char *)0xffff888000000000UL;
	case M_IO_PAGE:
		return track(t, mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				     MAP_SHARED, t->fd, 4096), 4096);
	}
	return NULL;
}

static void test_bad_input(void **state)
{
	struct tstate *t = *state;
	const struct row *row = (const struct row *)t->arg;
	const struct bad *b = row->bad;
	unsigned long len = b->len;
	unsigned int flags = b->flags;
	long pins;
	char *p;

	p = make_mem(t, b->mem);
	assert_non_null(p);
	if (len == 0)
		len = 8 * MiB;
	else if (len == ZERO_LEN)
		len = 0;
	else if (len == WRAPS)
		len = ~(uintptr_t)p + 2;
	else if (len == TO_TOP)
		len = ~0UL - (uintptr_t)p;
	else if (len == PAST_LIMIT)
		len = TASK_SIZE_4L + 1 - (uintptr_t)p;
	if (row->api->hugepages_only && (flags & HUGESG_MODE_MASK) == HUGESG_AUTO)
		flags = (flags & ~HUGESG_MODE_MASK) | HUGESG_HUGE;
	pins = pins_held();
	assert_int_equal(treq(t, row->api->cmd, p, len, b->max_segment, flags,
			      entries, 8192, NULL), -b->err);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(vmpin_kb(), 0);
}

/* Only hugesg_get_user_hugepages_fast(): flags it refuses, an empty array. */
static void test_hugepages_bad_mode(void **state)
{
	struct tstate *t = *state;
	const struct row *row = (const struct row *)t->arg;
	char *p = make_mem(t, M_HUGE);
	long pins = pins_held();
	size_t nr = 8192;

	assert_non_null(p);
	if (!strcmp(row->name, "get_user_hugepages_fast: zero-sized array is EINVAL"))
		nr = 0;
	assert_int_equal(treq(t, HUGESG_TEST_GET_HUGEPAGES, p, 8 * MiB, 0,
			      row->bad ? row->bad->flags : HUGESG_HUGE,
			      entries, nr, NULL), -EINVAL);
	assert_int_equal(pins_held(), pins);
}

static const struct bad mode_normal = { .flags = HUGESG_NORMAL };
static const struct bad mode_auto = { .flags = HUGESG_AUTO };

static int row_setup(void **state)
{
	const void *row = *state;

	if (tstate_setup(state))
		return -1;
	((struct tstate *)*state)->arg = row;
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[NBADS * NAPIS + 4];
	size_t n = 0, i, j;

	for (i = 0; i < NBADS; i++) {
		for (j = 0; j < NAPIS; j++) {
			struct row *r = &rows[n];

			if (bads[i].tables_only && apis[j].hugepages_only)
				continue;
			r->bad = &bads[i];
			r->api = &apis[j];
			snprintf(r->name, sizeof(r->name), "%s: %s is %s",
				 apis[j].name, bads[i].what,
				 bads[i].err == EINVAL ? "EINVAL" : "EFAULT");
			tests[n] = (struct CMUnitTest){ r->name, test_bad_input,
				row_setup, tstate_teardown, r };
			n++;
		}
	}
	rows[n].bad = &mode_normal;
	snprintf(rows[n].name, sizeof(rows[n].name),
		 "get_user_hugepages_fast: NORMAL mode is EINVAL");
	rows[n + 1].bad = &mode_auto;
	snprintf(rows[n + 1].name, sizeof(rows[n + 1].name),
		 "get_user_hugepages_fast: AUTO mode is EINVAL");
	snprintf(rows[n + 2].name, sizeof(rows[n + 2].name),
		 "get_user_hugepages_fast: zero-sized array is EINVAL");
	for (i = n; i < n + 3; i++)
		tests[i] = (struct CMUnitTest){ rows[i].name,
			test_hugepages_bad_mode, row_setup, tstate_teardown,
			&rows[i] };
	n += 3;
	return _cmocka_run_group_tests("core_errors", tests, n, NULL, NULL);
}
