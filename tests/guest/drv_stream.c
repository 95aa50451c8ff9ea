// SPDX-License-Identifier: GPL-2.0
/*
 * The reference driver with real bus masters behind the IOMMU: hugesg-fpga
 * streams through a hugepage table and through descriptors, every byte
 * verified; edu copies across hugepage boundaries; a streaming process
 * killed with SIGKILL leaves nothing pinned and nothing written afterwards.
 * The rig's two hugesg-fpga boards are listed with their PCI addresses and
 * stream at once, each verified on its own.
 */
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "drvlib.h"

static void test_iommu_translates_for_both_engines(void **state)
{
	struct hugesg_info info = { .size = sizeof(info) };
	int fd = hsg_open();

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.abi_version, HUGESG_ABI_VERSION);
	assert_int_equal(info.engines & (1 << HUGESG_ENGINE_FPGA), 1 << HUGESG_ENGINE_FPGA);
	assert_int_equal(info.engines & (1 << HUGESG_ENGINE_EDU), 1 << HUGESG_ENGINE_EDU);
	/* the configuration guests without a translating IOMMU say so */
	assert_int_equal(info.iommu, rig_iommu_translates() ? info.engines : 0);
	close(fd);
}

/* The number in sysfs file @file of PCI device @bdf ("0x1234"), or -1. */
static long pci_attr(const char *bdf, const char *file)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%li", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The name of the driver bound to PCI device @bdf into @buf, or "". */
static char *pci_driver(const char *bdf, char *buf, size_t len)
{
	char path[128], link[256];
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	p = strrchr(link, '/');
	snprintf(buf, len, "%s", p ? p + 1 : "");
	return buf;
}

/*
 * DEVICE lists every device: the rig's two hugesg-fpga boards and edu,
 * as many as INFO counts, ids rising, each at a PCI address that sysfs
 * knows with the engine's PCI ids and bound to the engine's driver, in the
 * rig's IOMMU mode (strict, or none where no IOMMU translates) and ready.
 * On 5.10 the driver cannot tell that the IOMMU is strict (compat.h) and
 * says lazy, as docs/driver-guide.md documents.
 */
static void test_every_device_listed_with_its_pci_address(void **state)
{
	static const struct {
		unsigned int engine;
		long device;
		const char *driver;
	} want[] = {
		{ HUGESG_ENGINE_FPGA, 0x4853, "hugesg-fpga" },
		{ HUGESG_ENGINE_EDU, 0x11e8, "hugesg-edu" },
	};
	struct hugesg_info info = { .size = sizeof(info) };
	struct hugesg_device d[16];
	int fd = hsg_open(), n, i, k, per[2] = { 0 };
	unsigned int want_iommu = HUGESG_IOMMU_NONE;
	char bdf[16], drv[64];
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	if (rig_iommu_translates())
		want_iommu = strncmp(u.release, "5.10.", 5) ? HUGESG_IOMMU_STRICT :
			     HUGESG_IOMMU_LAZY;
	n = hsg_list_devices(d, 16);
	assert_true(n > 0 && n <= 16);
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.nr_devices, n);
	close(fd);
	for (i = 0; i < n; i++) {
		hsg_pci_name(&d[i], bdf);
		print_message("# device %u: engine %u at %s, iommu %u, state %u\n",
			      d[i].id, d[i].engine, bdf, d[i].iommu, d[i].state);
		assert_true(i == 0 || d[i].id > d[i - 1].id);
		for (k = 0; k < 2 && want[k].engine != d[i].engine; k++)
			;
		assert_true(k < 2);
		per[k]++;
		assert_int_equal(pci_attr(bdf, "vendor"), 0x1234);
		assert_int_equal(pci_attr(bdf, "device"), want[k].device);
		assert_string_equal(pci_driver(bdf, drv, sizeof(drv)), want[k].driver);
		assert_int_equal(d[i].iommu, want_iommu);
		assert_int_equal(d[i].state, HUGESG_DEVICE_READY);
		assert_int_equal(d[i].pad, 0);
		assert_int_equal(d[i].pad2, 0);
	}
	assert_int_equal(per[0], 2);
	assert_int_equal(per[1], 1);
	/* two boards, two addresses */
	for (i = 1; i < n; i++)
		assert_true(memcmp(&d[i].pci_domain, &d[i - 1].pci_domain, 8));
}

/*
 * The bus address each engine is given, for every DMA segment, checked from
 * outside the driver against the physical address of the byte the segment
 * starts at (the test driver reports the hugepages' physical addresses).
 * Behind the IOMMU it is never the physical address, so an identity
 * mapping would fail; without one (noiommu, passthrough) it is exactly the
 * physical address; with every DMA bounced (swiotlb) it never is.
 */
static void check_segments(struct tstate *t, unsigned int engine)
{
	skip_unless_root("HUGESG_IOC_SEGMENTS needs CAP_SYS_RAWIO");
	struct hugesg_segment seg[64];
	struct hugesg_segments sq = { .size = sizeof(sq), .count = 64,
				      .segs = (uintptr_t)seg };
	int identity = !rig_iommu_translates() && !rig_config_is("swiotlb");
	struct hugesg_test_entry e[8];
	char *p = map_huge(t, 8 * SZ_2M, 21);
	int fd = hsg_open(), h;
	uint64_t off = 0;
	unsigned int i;

	assert_non_null(p);
	assert_int_equal(treq(t, HUGESG_TEST_GET_HUGEPAGES, p, 8 * SZ_2M, 0,
			      HUGESG_HUGE, e, 8, NULL), 0);
	h = hsg_register(fd, p, 8 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
			 engine, NULL);
	assert_true(h > 0);
	sq.handle = h;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_SEGMENTS, &sq), 0);
	assert_true(sq.count >= 1 && sq.count <= 64);
	for (i = 0; i < sq.count; i++) {
		uint64_t phys = e[off / SZ_2M].phys + off % SZ_2M;

		if ((seg[i].dma_addr == phys) != identity)
			fail_msg("engine %u segment %u: bus address %#llx, physical %#llx (%s guest)",
				 engine, i, (unsigned long long)seg[i].dma_addr,
				 (unsigned long long)phys, rig_config());
		off += seg[i].len;
	}
	assert_int_equal(off, 8 * SZ_2M);
	close(fd);
	trelease(t, HUGESG_TEST_PUT_HUGEPAGES);
}

static void test_fpga_bus_addresses_are_iovas(void **state)
{
	check_segments(*state, HUGESG_ENGINE_FPGA);
}

static void test_edu_bus_addresses_are_iovas(void **state)
{
	skip_unless_edu_reaches_pools();
	check_segments(*state, HUGESG_ENGINE_EDU);
}

/*
 * edu drives 28 address bits (the rig no longer widens QEMU's default
 * dma_mask): every bus address it is given lies below 256 MiB.  Without an
 * IOMMU that translates for it, a buffer with a page above 256 MiB is
 * refused with -ERANGE, nothing left pinned, and without a kernel report
 * (swiotlb's bounce buffer lies out of its reach too: it WARNed, before).
 */
static void check_edu_fits_28_bits(struct tstate *t, char *p, size_t len,
				   unsigned int flags)
{
	skip_unless_root("HUGESG_IOC_SEGMENTS needs CAP_SYS_RAWIO");
	struct hugesg_segment seg[64];
	struct hugesg_segments sq = { .size = sizeof(sq), .count = 64,
				      .segs = (uintptr_t)seg };
	struct hugesg_test_entry e[8];
	uint64_t top = 0;
	long pins = pins_held();
	int fd = hsg_open(), h;
	unsigned int i;

	assert_int_equal(treq(t, HUGESG_TEST_GET_HUGEPAGES, p, len, 0,
			      HUGESG_HUGE, e, 8, NULL), 0);
	for (i = 0; i < len / SZ_2M; i++)
		if (e[i].phys + e[i].len > top)
			top = e[i].phys + e[i].len;
	trelease(t, HUGESG_TEST_PUT_HUGEPAGES);
	h = hsg_register(fd, p, len, flags, HUGESG_ENGINE_EDU, NULL);
	if (!edu_reaches_pools() && top > 1ULL << 28) {
		print_message("# no IOMMU, a page ends at %#llx: %d\n",
			      (unsigned long long)top, h);
		assert_int_equal(h, -ERANGE);
		close(fd);
		assert_int_equal(pins_held(), pins);
		return;
	}
	assert_true(h > 0);
	sq.handle = h;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_SEGMENTS, &sq), 0);
	assert_true(sq.count >= 1 && sq.count <= 64);
	for (i = 0; i < sq.count; i++)
		assert_true(seg[i].dma_addr + seg[i].len <= 1ULL << 28);
	close(fd);
}

static void test_edu_bus_addresses_fit_28_bits(void **state)
{
	struct tstate *t = *state;
	char *src = map_huge(t, 8 * MiB, 21), *dst = map_huge(t, 8 * MiB, 21);

	assert_non_null(src);
	assert_non_null(dst);
	check_edu_fits_28_bits(t, src, 8 * MiB, HUGESG_HUGE);
	check_edu_fits_28_bits(t, dst, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE);
}

/* A stream of @total bytes ended as it should, and stops cleanly. */
static void assert_stream_done(int fd, struct hugesg_ring *st, uint64_t total)
{
	assert_int_equal(st->write_ptr, total);
	assert_int_equal(st->state, HUGESG_RING_DONE);
	assert_int_equal(st->dma_errors, 0);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, st), 0);
}

static void stream_and_verify(struct tstate *t, char *ring, size_t ring_len,
			      unsigned int mode, uint64_t total)
{
	struct hugesg_register r;
	struct hugesg_ring st;
	uint64_t seed = 0x5eed0000cafe1234ULL;
	int fd = hsg_open(), h;
	long pins = pins_held();
	int64_t bad;

	(void)t;
	assert_true(fd >= 0);
	h = hsg_register(fd, ring, ring_len, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, &r);
	assert_true(h > 0);
	print_message("# ring: %u sg entries, %u DMA segments after the IOMMU\n",
		      r.nr_entries, r.nr_dma_segments);
	if (mode != any_mode(mode)) {
		/* bounced DMA: 256 KiB segments make no hugepage table */
		assert_int_equal(hsg_stream(fd, h, mode, seed, total), -EINVAL);
		mode = any_mode(mode);
	}
	assert_int_equal(hsg_stream(fd, h, mode, seed, total), 0);
	bad = consume_stream(fd, ring, ring_len, total, seed, &st);
	print_message("# %s: %llu bytes, %lld mismatches, %llu overruns, state %u\n",
		      mode == HUGESG_STREAM_TABLE ? "table" : "descriptors",
		      (unsigned long long)st.write_ptr, (long long)bad,
		      (unsigned long long)st.overruns, st.state);
	assert_int_equal(bad, 0);
	assert_stream_done(fd, &st, total);
	close(fd);
	assert_int_equal(pins_held(), pins);
}

/*
 * A stream on one board, in a thread of its own with a file of its own:
 * registered for @device, started, then (once the other board's stream is
 * started too: @started) consumed and verified against its own seed, or,
 * to the device, produced and checked by that device.  No cmocka assert
 * here: the results are checked by the caller's thread.
 */
struct board_job {
	uint32_t device;
	bool to_device;
	uint64_t seed, total;
	char *ring;
	size_t ring_len;
	pthread_barrier_t *started;
	int err;		/* out: 0, or the -errno of the first failure */
	uint32_t reg_device;	/* out: the device REGISTER reports */
	int64_t mismatches;	/* out: from the device, words found wrong here */
	uint64_t expected;	/* out: to the device, the checksum it must give */
	struct hugesg_ring st;	/* out: the state at STREAM_STOP */
};

static void *board_job_run(void *arg)
{
	struct board_job *j = arg;
	struct hugesg_stream s = { .size = sizeof(s),
				   .mode = any_mode(HUGESG_STREAM_TABLE),
				   .flags = j->to_device ? HUGESG_STREAM_TO_DEVICE : 0,
				   .seed = j->seed, .limit = j->total };
	struct hugesg_register r = { 0 };
	int fd = hsg_open(), h;

	h = hsg_register_on(fd, j->ring, j->ring_len,
			    HUGESG_HUGE | (j->to_device ? 0 : HUGESG_WRITE),
			    HUGESG_ENGINE_FPGA, j->device, &r);
	j->err = fd < 0 ? -EBADF : h < 0 ? h : 0;
	j->reg_device = r.device;
	s.handle = h;
	if (!j->err)
		j->err = hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s);
	/* both run before either is consumed (also on a failure here) */
	pthread_barrier_wait(j->started);
	if (!j->err && j->to_device) {
		j->expected = produce_stream(fd, j->ring, j->ring_len, j->total,
					     j->seed, UINT64_MAX, &j->st);
		j->err = j->expected ? 0 : -EIO;
	} else if (!j->err) {
		j->mismatches = consume_stream(fd, j->ring, j->ring_len, j->total,
					       j->seed, &j->st);
		j->err = j->mismatches < 0 ? (int)j->mismatches : 0;
	}
	if (!j->err)
		j->err = hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &j->st);
	close(fd);
	return NULL;
}

/*
 * Two streams at once, one on each hugesg-fpga board, 256 MiB each through
 * a 32 MiB ring, with seeds of their own: each is verified on its own (from
 * the device, every word here; to the device, that device's checksum equals
 * what its thread handed over, no mismatch), ended DONE on the board it was
 * registered for, and nothing stays pinned.
 */
static void two_boards_at_once(struct tstate *t, bool to_device)
{
	struct board_job j[2];
	pthread_barrier_t started;
	pthread_t th[2];
	long pins = pins_held();
	uint32_t ids[2];
	int i;

	two_fpga_boards(ids);
	assert_int_equal(pthread_barrier_init(&started, NULL, 2), 0);
	for (i = 0; i < 2; i++) {
		j[i] = (struct board_job){
			.device = ids[i], .to_device = to_device,
			.seed = 0xb0a4d0000000ULL + 0x1111 * (i + 1),
			.total = 256 * MiB, .ring = map_huge(t, 32 * MiB, 21),
			.ring_len = 32 * MiB, .started = &started,
		};
		assert_non_null(j[i].ring);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, board_job_run, &j[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&started);
	for (i = 0; i < 2; i++) {
		print_message("# board %u%s: err %d, %llu bytes, %lld mismatches here, %llu by the device, checksum %#llx (expected %#llx), %llu overruns, state %u\n",
			      ids[i], to_device ? " (to device)" : "", j[i].err,
			      (unsigned long long)j[i].st.read_ptr,
			      (long long)j[i].mismatches,
			      (unsigned long long)j[i].st.mismatches,
			      (unsigned long long)j[i].st.checksum,
			      (unsigned long long)j[i].expected,
			      (unsigned long long)j[i].st.overruns, j[i].st.state);
		assert_int_equal(j[i].err, 0);
		assert_int_equal(j[i].reg_device, ids[i]);
		assert_int_equal(j[i].st.state, HUGESG_RING_DONE);
		assert_int_equal(j[i].st.read_ptr, j[i].total);
		assert_int_equal(j[i].st.dma_errors, 0);
		assert_int_equal(j[i].mismatches, 0);
		if (to_device) {
			assert_int_equal(j[i].st.mismatches, 0);
			assert_int_equal(j[i].st.checksum, j[i].expected);
		}
	}
	/* each board summed its own stream, not the other's */
	if (to_device)
		assert_int_not_equal(j[0].expected, j[1].expected);
	assert_int_equal(pins_held(), pins);
}

static void test_two_boards_stream_at_once(void **state)
{
	two_boards_at_once(*state, false);
}

static void test_two_boards_stream_to_device_at_once(void **state)
{
	two_boards_at_once(*state, true);
}

static void test_stream_1g_through_2m_hugepage_table(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, 64 * MiB, 21);

	assert_non_null(ring);
	stream_and_verify(t, ring, 64 * MiB, HUGESG_STREAM_TABLE, GiB);
}

/*
 * To the device: the ring registered without HUGESG_WRITE (mapped
 * DMA_TO_DEVICE), the pattern produced into it in place and handed over
 * piece by piece; the device checks every word and sums every byte.  With
 * @corrupt_at a stream offset, that one word is flipped on its way: the
 * device must find exactly it.
 */
static void to_device_and_verify(char *ring, size_t ring_len, unsigned int mode,
				 uint64_t total, uint64_t corrupt_at)
{
	struct hugesg_stream s = { .size = sizeof(s), .mode = mode,
				   .flags = HUGESG_STREAM_TO_DEVICE,
				   .seed = 0x70de71ce, .limit = total };
	struct hugesg_register r;
	struct hugesg_ring st;
	int fd = hsg_open(), h;
	long pins = pins_held();
	uint64_t sum;

	assert_true(fd >= 0);
	h = hsg_register(fd, ring, ring_len, HUGESG_HUGE, HUGESG_ENGINE_FPGA, &r);
	assert_true(h > 0);
	s.handle = h;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s), 0);
	sum = produce_stream(fd, ring, ring_len, total, s.seed, corrupt_at, &st);
	print_message("# to device, %s: %llu bytes consumed, %llu mismatches, checksum %#llx (expected %#llx), state %u\n",
		      mode == HUGESG_STREAM_TABLE ? "table" : "descriptors",
		      (unsigned long long)st.read_ptr,
		      (unsigned long long)st.mismatches,
		      (unsigned long long)st.checksum, (unsigned long long)sum,
		      st.state);
	assert_true(sum != 0);
	assert_int_equal(st.state, HUGESG_RING_DONE);
	assert_int_equal(st.read_ptr, total);
	assert_int_equal(st.write_ptr, total);
	assert_int_equal(st.dma_errors, 0);
	assert_int_equal(st.mismatches, corrupt_at == UINT64_MAX ? 0 : 1);
	assert_int_equal(st.checksum, sum);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	assert_int_equal(st.checksum, sum);
	close(fd);
	assert_int_equal(pins_held(), pins);
}

static void test_to_device_1g_through_2m_hugepage_table(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, 64 * MiB, 21);

	assert_non_null(ring);
	to_device_and_verify(ring, 64 * MiB, any_mode(HUGESG_STREAM_TABLE), GiB,
			     UINT64_MAX);
}

static void test_to_device_through_descriptors_on_1g_page(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, GiB, 30);
	size_t len = rig_config_is("swiotlb") ? 256 * MiB : GiB;

	assert_non_null(ring);
	to_device_and_verify(ring, len, HUGESG_STREAM_DESC, GiB + 64 * MiB,
			     UINT64_MAX);
}

/* One word flipped on its way: the device counts it, the sums differ. */
static void test_to_device_finds_a_flipped_word(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, 8 * MiB, 21);

	assert_non_null(ring);
	to_device_and_verify(ring, 8 * MiB, any_mode(HUGESG_STREAM_TABLE),
			     32 * MiB, 20 * MiB + 4096);
}

/* (where every DMA bounces, a ring of 256 MiB: the bounce buffers hold 512) */
static void test_stream_through_descriptors_on_1g_page(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, GiB, 30);
	size_t len = rig_config_is("swiotlb") ? 256 * MiB : GiB;

	assert_non_null(ring);
	stream_and_verify(t, ring, len, HUGESG_STREAM_DESC, GiB + 64 * MiB);
}

/*
 * Where every DMA bounces (the swiotlb guest, 512 MiB of bounce buffers), a
 * buffer larger than them cannot be mapped: REGISTER is -ENOMEM, and
 * nothing stays pinned or mapped.  Elsewhere: skipped.
 */
static void test_buffer_beyond_bounce_buffers_is_enomem(void **state)
{
	struct tstate *t = *state;
	char *ring;
	long pins = pins_held();
	int fd, h;

	if (!rig_config_is("swiotlb"))
		skip();
	ring = map_huge(t, GiB, 30);
	fd = hsg_open();
	assert_non_null(ring);
	rig_expect("begin", "swiotlb-full");
	h = hsg_register(fd, ring, GiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	rig_expect("end", "swiotlb-full");
	assert_int_equal(h, -ENOMEM);
	assert_int_equal(pins_held(), pins);
	/* and what fits still works */
	h = hsg_register(fd, ring, 256 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	close(fd);
	assert_int_equal(pins_held(), pins);
}

/*
 * Paced well below what the consumer verifies (icount ties the device's
 * virtual time to the guest's instructions), the ring never fills: no
 * overrun at all.
 */
static void test_paced_stream_has_no_overrun(void **state)
{
	struct tstate *t = *state;
	struct hugesg_stream s = { .size = sizeof(s),
				   .mode = any_mode(HUGESG_STREAM_TABLE),
				   .seed = 42, .limit = 64 * MiB, .rate = 16 * KiB };
	char *ring = map_huge(t, 16 * MiB, 21);
	struct hugesg_ring st;
	int fd = hsg_open();

	assert_non_null(ring);
	s.handle = hsg_register(fd, ring, 16 * MiB, HUGESG_HUGE | HUGESG_WRITE,
				HUGESG_ENGINE_FPGA, NULL);
	assert_true((int)s.handle > 0);
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(consume_stream(fd, ring, 16 * MiB, 64 * MiB, 42, &st), 0);
	assert_int_equal(st.overruns, 0);
	assert_int_equal(st.write_ptr, 64 * MiB);
	close(fd);
}

/*
 * Consumed in small pieces while the device writes on, through descriptors
 * (which need no 2 MiB DMA segments): every word verifies.  Where DMA
 * bounces (swiotlb=force), a sync of the whole ring at RING_ACK copied the
 * CPU's stale copy over what the device wrote after the last RING_WAIT;
 * only the acknowledged bytes may go back.  Paced, so that the ring never
 * fills: a full ring would hold the device still between WAIT and ACK.
 */
static void test_small_acks_while_device_writes_ahead(void **state)
{
	struct tstate *t = *state;
	const uint64_t piece = 64 * KiB, total = 16 * MiB, seed = 0xac4;
	struct hugesg_stream s = { .size = sizeof(s), .mode = HUGESG_STREAM_DESC,
				   .seed = seed, .limit = total, .rate = 16 * KiB };
	char *ring = map_huge(t, 4 * MiB, 21);
	struct hugesg_ring st;
	uint64_t done, bad = 0;
	int fd = hsg_open(), h;

	assert_non_null(ring);
	h = hsg_register(fd, ring, 4 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	s.handle = h;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s), 0);
	for (done = 0; done < total; done += piece) {
		assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_WAIT, piece, 10000, &st), 0);
		assert_int_equal(st.read_ptr, done);
		assert_true(st.write_ptr - done >= piece);
		bad += pattern_errors((const uint64_t *)(ring + done % (4 * MiB)),
				      piece, done, seed);
		assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_ACK, piece, 0, &st), 0);
	}
	print_message("# %llu words wrong in %llu bytes consumed 64 KiB at a time\n",
		      (unsigned long long)bad, (unsigned long long)total);
	assert_int_equal(bad, 0);
	assert_stream_done(fd, &st, total);
	close(fd);
}

/*
 * max_segment against what the DMA layer maps in one piece: where DMA
 * bounces that is 256 KiB, so an explicit 2 MiB is -E2BIG and the default
 * (0) gives 256 KiB entries that map and stream (it was UINT_MAX, and
 * 2 MiB entries then overflowed swiotlb); behind the IOMMU 2 MiB works.
 */
static void test_max_segment_within_what_the_dma_layer_maps(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, 8 * MiB, 21);
	struct hugesg_register r = { .size = sizeof(r),
				     .flags = HUGESG_HUGE | HUGESG_WRITE,
				     .len = 8 * MiB, .engine = HUGESG_ENGINE_FPGA,
				     .max_segment = SZ_2M };
	int bounce = rig_config_is("swiotlb"), fd = hsg_open();
	struct hugesg_ring st;

	assert_non_null(ring);
	r.addr = (uintptr_t)ring;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_REGISTER, &r),
			 bounce ? -E2BIG : 0);
	/* (not mapped twice at once: DMA-API debugging reports overlaps) */
	if (!bounce)
		assert_int_equal(hsg_unregister(fd, r.handle), 0);
	r = (struct hugesg_register){ .size = sizeof(r), .flags = r.flags,
				      .addr = r.addr, .len = r.len,
				      .engine = r.engine };
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_REGISTER, &r), 0);
	if (bounce)
		assert_int_equal(r.nr_entries, 8 * MiB / (256 * KiB));
	else	/* physically contiguous hugepages may merge */
		assert_true(r.nr_entries >= 1 && r.nr_entries <= 4);
	assert_int_equal(hsg_stream(fd, r.handle, HUGESG_STREAM_DESC, 3, 8 * MiB), 0);
	assert_int_equal(consume_stream(fd, ring, 8 * MiB, 8 * MiB, 3, &st), 0);
	close(fd);
}

/* poll(): readable once data is there, and once the stream has ended. */
static void test_poll_reports_data_and_end(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, 8 * MiB, 21);
	struct pollfd pfd = { .events = POLLIN };
	struct hugesg_ring st;
	int h;

	pfd.fd = hsg_open();
	assert_non_null(ring);
	h = hsg_register(pfd.fd, ring, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & POLLHUP);	/* no stream yet */
	assert_int_equal(hsg_stream(pfd.fd, h, any_mode(HUGESG_STREAM_TABLE), 7,
				    4 * MiB), 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(hsg_ring(pfd.fd, HUGESG_IOC_RING_WAIT, 4 * MiB, 5000, &st), 0);
	assert_int_equal(st.state, HUGESG_RING_DONE);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(pattern_errors((const uint64_t *)ring, 4 * MiB, 0, 7), 0);
	close(pfd.fd);
}

static void edu_copy(struct tstate *t, size_t len, size_t src_off,
		     size_t dst_off)
{
	char *src = map_huge(t, 4 * SZ_2M, 21), *dst = map_huge(t, 4 * SZ_2M, 21);
	struct hugesg_transfer x = { .size = sizeof(x), .engine = HUGESG_ENGINE_EDU,
				     .src_offset = src_off, .dst_offset = dst_off,
				     .len = len };
	int fd = hsg_open();
	size_t i;

	assert_non_null(src);
	assert_non_null(dst);
	for (i = 0; i < 4 * SZ_2M; i++) {
		src[i] = (char)(i * 7 + 3);
		dst[i] = 0x5a;
	}
	x.src_handle = hsg_register(fd, src, 4 * SZ_2M, HUGESG_HUGE,
				    HUGESG_ENGINE_EDU, NULL);
	x.dst_handle = hsg_register(fd, dst, 4 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_EDU, NULL);
	assert_true((int)x.src_handle > 0 && (int)x.dst_handle > 0);
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x), 0);
	close(fd);
	assert_memory_equal(dst + dst_off, src + src_off, len);
	assert_int_equal(dst[dst_off - 1], 0x5a);
	assert_int_equal(dst[dst_off + len], 0x5a);
}

static void test_edu_copies_across_hugepage_boundaries(void **state)
{
	struct tstate *t = *state;
	static const size_t sizes[] = { 8, 4096, 12345, 3 * 4096 + 100, 65536 };
	size_t i;

	skip_unless_edu_reaches_pools();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		edu_copy(t, sizes[i], SZ_2M - 1000 - i, 2 * SZ_2M - 5000 + i);
}

/* kill -9 at a random moment of a stream: no pin left, no free page changed */
static void kill_while_streaming(int to_device)
{
	long pins = pins_held(), before = pool_free(SZ_2M);
	int pipefd[2], status;
	struct timespec delay;
	char c;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (!pid)
		to_device ? streaming_child_to_device(pipefd[1], 16 * MiB) :
			    streaming_child(pipefd[1], 0);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	srand(time(NULL));
	delay = (struct timespec){ 0, (rand() % 200 + 1) * 1000000L };
	nanosleep(&delay, NULL);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_released(pins, before);
	assert_free_pages_untouched();
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_kill_while_streaming_leaves_no_trace(void **state)
{
	(void)state;
	kill_while_streaming(0);
}

static void test_kill_while_streaming_to_device_leaves_no_trace(void **state)
{
	(void)state;
	kill_while_streaming(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_iommu_translates_for_both_engines),
		T(test_every_device_listed_with_its_pci_address),
		T(test_fpga_bus_addresses_are_iovas),
		T(test_edu_bus_addresses_are_iovas),
		T(test_edu_bus_addresses_fit_28_bits),
		T(test_stream_1g_through_2m_hugepage_table),
		T(test_stream_through_descriptors_on_1g_page),
		T(test_buffer_beyond_bounce_buffers_is_enomem),
		T(test_to_device_1g_through_2m_hugepage_table),
		T(test_to_device_through_descriptors_on_1g_page),
		T(test_to_device_finds_a_flipped_word),
		T(test_two_boards_stream_at_once),
		T(test_two_boards_stream_to_device_at_once),
		T(test_paced_stream_has_no_overrun),
		T(test_small_acks_while_device_writes_ahead),
		T(test_max_segment_within_what_the_dma_layer_maps),
		T(test_poll_reports_data_and_end),
		T(test_edu_copies_across_hugepage_boundaries),
		T(test_kill_while_streaming_leaves_no_trace),
		T(test_kill_while_streaming_to_device_leaves_no_trace),
	};

	return cmocka_run_group_tests_name("drv_stream", tests, NULL, NULL);
}
