// SPDX-License-Identifier: GPL-2.0
/*
 * libhugesg without the driver: size parsing, the stream pattern and its
 * verifier, the ring's wrap-around arithmetic (a simulated producer), the
 * hugepage buffers (2 MiB anonymous and memfd, one 1 GiB page), the advice
 * when a pool is short, the message when /dev/hugesg is missing, and how a
 * user names a device.
 * Tests that need hugepages skip when the pool is too small.
 */
#include "testlib.h"
#include "libhugesg.h"

#define SEED UINT64_C(0x0123456789abcdef)

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 },
		{ "64M", 64 << 20 }, { "2m", 2 << 20 }, { "1G", 1 << 30 },
		{ "3GiB", UINT64_C(3) << 30 }, { "2MB", 2 << 20 }, { "1T", UINT64_C(1) << 40 },
	};
	static const char *const bad[] = { "", "abc", "12x", "-1", " 4", "4 k", "4kk", "1Gb" };
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(hsg_parse_size(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hsg_parse_size(bad[i], &v), -EINVAL);
		assert_non_null(strstr(hsg_last_error(), "suffix"));
	}
	assert_int_equal(hsg_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(hsg_parse_size("99999999999999999999", &v), -ERANGE);
}

static void test_format_size_round_trips(void **state)
{
	static const uint64_t sizes[] = { 0, 100, 1536 << 10, 2 << 20, 1 << 30, 4097 };
	char buf[32];
	uint64_t v;
	size_t i;

	(void)state;
	assert_string_equal(hsg_format_size(HSG_PAGE_2M, buf, sizeof(buf)), "2M");
	assert_string_equal(hsg_format_size(HSG_PAGE_1G, buf, sizeof(buf)), "1G");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(hsg_parse_size(hsg_format_size(sizes[i], buf, sizeof(buf)), &v), 0);
		assert_int_equal(v, sizes[i]);
	}
}

static void test_pattern_is_offset_xor_seed_little_endian(void **state)
{
	unsigned char w[16];

	(void)state;
	hsg_pattern_fill(w, sizeof(w), 0x100, 0);
	assert_int_equal(w[0], 0x00);
	assert_int_equal(w[1], 0x01);
	assert_int_equal(w[8], 0x08);
	assert_int_equal(w[9], 0x01);
	hsg_pattern_fill(w, sizeof(w), 0, SEED);
	assert_int_equal(w[0], 0xef);
	assert_int_equal(w[7], 0x01);
}

static void test_verifier_finds_one_corrupted_word(void **state)
{
	const size_t len = MiB;
	const uint64_t base = 0x40000000, bad_at = 12345 * 8;
	unsigned char *p = malloc(len);
	uint64_t first;

	(void)state;
	assert_non_null(p);
	hsg_pattern_fill(p, len, base, SEED);
	assert_int_equal(hsg_pattern_verify(p, len, base, SEED, &first), 0);
	assert_int_equal(first, UINT64_MAX);
	p[bad_at + 3] ^= 0x10;	/* one bit of one word */
	assert_int_equal(hsg_pattern_verify(p, len, base, SEED, &first), 1);
	assert_int_equal(first, base + bad_at);
	/* the wrong seed or the wrong offset: every word differs */
	assert_int_equal(hsg_pattern_verify(p, len, base, SEED + 1, NULL), len / 8);
	assert_int_equal(hsg_pattern_verify(p, len, base + 8, SEED, &first), len / 8);
	assert_int_equal(first, base + 8);
	free(p);
}

/* Records the pieces hsg_ring_chunks() hands out. */
struct chunks {
	int n, fail_at;
	const void *data[4];
	size_t len[4];
	uint64_t off[4];
};

static int record(const void *data, size_t len, uint64_t off, void *arg)
{
	struct chunks *c = arg;

	if (c->n == c->fail_at)
		return -EPIPE;
	c->data[c->n] = data;
	c->len[c->n] = len;
	c->off[c->n++] = off;
	return 0;
}

static void test_ring_chunks_wrap_around(void **state)
{
	static char ring[4096];
	struct chunks c = { .fail_at = -1 };
	uint64_t pos = 3 * 4096 + 4000;

	(void)state;
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), pos, 200, record, &c), 0);
	assert_int_equal(c.n, 2);
	assert_ptr_equal(c.data[0], ring + 4000);
	assert_int_equal(c.len[0], 96);
	assert_int_equal(c.off[0], pos);
	assert_ptr_equal(c.data[1], ring);
	assert_int_equal(c.len[1], 104);
	assert_int_equal(c.off[1], pos + 96);
}

static void test_ring_chunks_edges(void **state)
{
	static char ring[4096];
	struct chunks c = { .fail_at = -1 };

	(void)state;
	/* up to the end of the ring exactly: one piece */
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 4000, 96, record, &c), 0);
	assert_int_equal(c.n, 1);
	/* a whole ring from its start, and from its middle */
	c.n = 0;
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 8192, 4096, record, &c), 0);
	assert_int_equal(c.n, 1);
	assert_ptr_equal(c.data[0], ring);
	c.n = 0;
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 2048, 4096, record, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.len[0] + c.len[1], 4096);
	/* nothing ready: no call */
	c.n = 0;
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 100, 0, record, &c), 0);
	assert_int_equal(c.n, 0);
	/* more than the ring holds */
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 0, 4097, record, &c), -EINVAL);
	assert_int_equal(c.n, 0);
	/* the callback's error stops the walk */
	c.fail_at = 1;
	assert_int_equal(hsg_ring_chunks(ring, sizeof(ring), 4000, 200, record, &c), -EPIPE);
	assert_int_equal(c.n, 1);
}

struct verify {
	uint64_t bad, first;
};

static int verify_piece(const void *data, size_t len, uint64_t off, void *arg)
{
	struct verify *v = arg;
	uint64_t first, bad = hsg_pattern_verify(data, len, off, SEED, &first);

	if (bad && !v->bad)
		v->first = first;
	v->bad += bad;
	return 0;
}

/*
 * What the device and hsg_ring_consume() do, without either: a producer
 * writes the pattern into the ring in uneven bursts, the consumer verifies
 * what is ready in place.  One word is corrupted on its way in.
 */
static void test_ring_consume_simulated(void **state)
{
	const uint64_t ring_size = 64 * KiB, total = 4 * MiB, bad_at = 3 * MiB + 8 * 777;
	unsigned char *ring = malloc(ring_size);
	struct verify v = { 0 };
	uint64_t wr = 0, rd = 0, n, at;
	unsigned int burst = 1;

	(void)state;
	assert_non_null(ring);
	while (rd < total) {
		burst = burst * 1103515245 + 12345;
		n = (burst >> 8) % (ring_size - (wr - rd) + 1) & ~UINT64_C(7);
		if (n > total - wr)
			n = total - wr;
		for (; n; n -= 8, wr += 8) {
			at = wr % ring_size;
			hsg_pattern_fill(ring + at, 8, wr, SEED);
			if (wr == bad_at)
				ring[at] ^= 1;
		}
		assert_int_equal(hsg_ring_chunks(ring, ring_size, rd, wr - rd, verify_piece, &v), 0);
		rd = wr;
	}
	assert_int_equal(v.bad, 1);
	assert_int_equal(v.first, bad_at);
	free(ring);
}

static long free_pages(uint64_t page_size)
{
	struct hsg_pool p;

	return hsg_pool(page_size, &p) ? -1 : p.free;
}

/* 2 MiB pages of @kind: rounded, aligned, populated, given back on free. */
static void alloc_2m(enum hsg_kind kind)
{
	long before = free_pages(HSG_PAGE_2M);
	struct hsg_buf b;

	if (before < 2)
		skip();
	assert_int_equal(hsg_buf_alloc(&b, 2 * MiB + 1, HSG_PAGE_2M, kind), 0);
	assert_int_equal(b.len, 4 * MiB);
	assert_int_equal(b.page_size, HSG_PAGE_2M);
	assert_int_equal((uintptr_t)b.addr % (2 * MiB), 0);
	assert_true(kind == HSG_MEMFD ? b.memfd >= 0 : b.memfd == -1);
	assert_int_equal(free_pages(HSG_PAGE_2M), before - 2);	/* populated */
	hsg_pattern_fill(b.addr, b.len, 0, SEED);
	assert_int_equal(hsg_pattern_verify(b.addr, b.len, 0, SEED, NULL), 0);
	hsg_buf_free(&b);
	assert_null(b.addr);
	assert_int_equal(free_pages(HSG_PAGE_2M), before);
	hsg_buf_free(&b);	/* twice is harmless */
}

static void test_alloc_2m_anon(void **state)
{
	(void)state;
	alloc_2m(HSG_ANON);
}

static void test_alloc_2m_memfd(void **state)
{
	(void)state;
	alloc_2m(HSG_MEMFD);
}

static void test_alloc_1g(void **state)
{
	long before = free_pages(HSG_PAGE_1G);
	struct hsg_buf b;

	(void)state;
	if (before < 1)
		skip();
	assert_int_equal(hsg_buf_alloc(&b, 4096, HSG_PAGE_1G, HSG_ANON), 0);
	assert_int_equal(b.len, GiB);
	assert_int_equal((uintptr_t)b.addr % GiB, 0);
	assert_int_equal(free_pages(HSG_PAGE_1G), before - 1);
	((volatile char *)b.addr)[GiB - 1] = 1;
	hsg_buf_free(&b);
	assert_int_equal(free_pages(HSG_PAGE_1G), before);
}

static void test_too_many_1g_pages_says_hugepagesz(void **state)
{
	long avail = free_pages(HSG_PAGE_1G);
	struct hsg_buf b;
	int rc;

	(void)state;
	rc = hsg_buf_alloc(&b, (avail < 0 ? 1 : avail + 1) * GiB, HSG_PAGE_1G, HSG_ANON);
	assert_true(rc == -ENOMEM || rc == -ENOENT);
	assert_null(b.addr);
	assert_non_null(strstr(hsg_last_error(), "hugepagesz=1G"));
	if (avail >= 0)
		assert_non_null(strstr(hsg_last_error(), "free of"));
	assert_int_equal(free_pages(HSG_PAGE_1G), avail);
}

static void test_too_many_2m_pages_says_nr_hugepages(void **state)
{
	long avail = free_pages(HSG_PAGE_2M);
	struct hsg_buf b;

	(void)state;
	if (avail < 0)
		skip();
	assert_int_equal(hsg_buf_alloc(&b, (avail + 1) * 2 * MiB, HSG_PAGE_2M, HSG_MEMFD),
			 -ENOMEM);
	assert_non_null(strstr(hsg_last_error(), "nr_hugepages"));
	assert_int_equal(b.memfd, -1);
	assert_int_equal(free_pages(HSG_PAGE_2M), avail);
}

static void test_alloc_rejects_other_page_sizes(void **state)
{
	struct hsg_buf b;

	(void)state;
	assert_int_equal(hsg_buf_alloc(&b, MiB, 4096, HSG_ANON), -EINVAL);
	assert_int_equal(hsg_buf_alloc(&b, 0, HSG_PAGE_2M, HSG_ANON), -EINVAL);
}

static void test_pools_sorted(void **state)
{
	struct hsg_pool p[8];
	int i, n = hsg_pools(p, 8);

	(void)state;
	assert_true(n >= 1);
	for (i = 0; i < n && i < 8; i++) {
		assert_true(p[i].total >= p[i].free && p[i].free >= 0);
		if (i)
			assert_true(p[i].page_size > p[i - 1].page_size);
	}
}

static void test_open_missing_device(void **state)
{
	(void)state;
	assert_int_equal(hsg_open("/nonexistent/hugesg"), -ENOENT);
	assert_non_null(strstr(hsg_last_error(), "/nonexistent/hugesg"));
	assert_non_null(strstr(hsg_last_error(), "hugesg_drv"));
	if (access(HSG_DEFAULT_DEVICE, F_OK) == 0)
		return;
	assert_int_equal(hsg_open(NULL), -ENOENT);
	assert_non_null(strstr(hsg_last_error(), "load hugesg_drv.ko"));
}

/*
 * Naming a device as a user does, before the driver is asked: a name that
 * is no id or PCI address is -EINVAL and says so; a well-formed one goes
 * to the driver (here a closed descriptor: -EBADF); no id is 0 or above
 * 32 bits (-ENODEV).  And the names of a device's address, IOMMU mode and
 * state.
 */
static void test_device_names(void **state)
{
	static const char *const bad[] = { "", "board2", "-1", "0x2", "00:04",
					   "00: 04.0", "00:+4.0", "00:04.8",
					   "00:20.0", "100:04.0", "0000:00:04.0.1" };
	static const char *const good[] = { "2", "00:04.0", "0000:00:04.0",
					    "1:0a:1f.7", "ABCD:FF:00.0" };
	struct hugesg_device d = { .pci_domain = 0x1, .pci_bus = 0x0a,
				   .pci_slot = 0x1f, .pci_func = 7 };
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hsg_device_find(-1, bad[i], 0, &d) != -EINVAL)
			fail_msg("'%s' is taken for a device name", bad[i]);
		assert_non_null(strstr(hsg_last_error(), "bad device"));
	}
	assert_int_equal(hsg_device_find(-1, NULL, 0, &d), -EINVAL);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (hsg_device_find(-1, good[i], 0, &d) != -EBADF)
			fail_msg("'%s' is not taken for a device name", good[i]);
	assert_int_equal(hsg_device_find(-1, "0", 0, &d), -ENODEV);
	assert_int_equal(hsg_device_find(-1, "4294967296", 0, &d), -ENODEV);
	assert_int_equal(hsg_device(-1, 0, &d), -ENODEV);
	d = (struct hugesg_device){ .pci_domain = 0x1, .pci_bus = 0x0a,
				    .pci_slot = 0x1f, .pci_func = 7 };
	assert_string_equal(hsg_device_pci_name(&d, buf, sizeof(buf)), "0001:0a:1f.7");
	assert_string_equal(hsg_iommu_name(HUGESG_IOMMU_NONE), "none");
	assert_string_equal(hsg_iommu_name(HUGESG_IOMMU_STRICT), "strict");
	assert_string_equal(hsg_iommu_name(HUGESG_IOMMU_LAZY), "lazy");
	assert_string_equal(hsg_iommu_name(99), "unknown");
	assert_string_equal(hsg_device_state_name(HUGESG_DEVICE_READY), "ready");
	assert_string_equal(hsg_device_state_name(HUGESG_DEVICE_WEDGED), "wedged");
	assert_string_equal(hsg_device_state_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_format_size_round_trips),
		cmocka_unit_test(test_pattern_is_offset_xor_seed_little_endian),
		cmocka_unit_test(test_verifier_finds_one_corrupted_word),
		cmocka_unit_test(test_ring_chunks_wrap_around),
		cmocka_unit_test(test_ring_chunks_edges),
		cmocka_unit_test(test_ring_consume_simulated),
		cmocka_unit_test(test_alloc_2m_anon),
		cmocka_unit_test(test_alloc_2m_memfd),
		cmocka_unit_test(test_alloc_1g),
		cmocka_unit_test(test_too_many_1g_pages_says_hugepagesz),
		cmocka_unit_test(test_too_many_2m_pages_says_nr_hugepages),
		cmocka_unit_test(test_alloc_rejects_other_page_sizes),
		cmocka_unit_test(test_pools_sorted),
		cmocka_unit_test(test_open_missing_device),
		cmocka_unit_test(test_device_names),
	};

	return cmocka_run_group_tests_name("lib_unit", tests, NULL, NULL);
}
