/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the driver suites: /dev/hugesg requests with the size field
 * filled, and the deterministic pattern of the hugesg-fpga engine.
 */
#ifndef HUGESG_DRVLIB_H
#define HUGESG_DRVLIB_H

#include "testlib.h"

static inline int hsg_open(void)
{
	return open("/dev/hugesg", O_RDWR);
}

static inline int hsg_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* Register [p, p + len) for @engine; returns the handle or -errno. */
static inline int hsg_register(int fd, const void *p, size_t len,
			       unsigned int flags, unsigned int engine,
			       struct hugesg_register *out)
{
	struct hugesg_register r = {
		.size = sizeof(r), .flags = flags, .addr = (uintptr_t)p,
		.len = len, .engine = engine,
	};
	int ret = hsg_ioctl(fd, HUGESG_IOC_REGISTER, &r);

	if (out)
		*out = r;
	return ret ? ret : (int)r.handle;
}

/*
 * Register [p, p + len) for device @device (0: the first of @engine);
 * returns the handle or -errno.
 */
static inline int hsg_register_on(int fd, const void *p, size_t len,
				  unsigned int flags, unsigned int engine,
				  uint32_t device, struct hugesg_register *out)
{
	struct hugesg_register r = {
		.size = sizeof(r), .flags = flags, .addr = (uintptr_t)p,
		.len = len, .engine = engine, .device = device,
	};
	int ret = hsg_ioctl(fd, HUGESG_IOC_REGISTER, &r);

	if (out)
		*out = r;
	return ret ? ret : (int)r.handle;
}

/*
 * The devices, in the order of their ids (HUGESG_IOC_DEVICE from 0 on):
 * up to @max into @devs; returns how many there are, or -errno.
 */
static inline int hsg_list_devices(struct hugesg_device *devs, int max)
{
	struct hugesg_device d;
	uint32_t id = 0;
	int fd = hsg_open(), n = 0, ret;

	if (fd < 0)
		return -errno;
	for (;;) {
		d = (struct hugesg_device){ .size = sizeof(d), .id = id };
		ret = hsg_ioctl(fd, HUGESG_IOC_DEVICE, &d);
		if (ret)
			break;
		if (n < max)
			devs[n] = d;
		n++;
		id = d.id + 1;
	}
	close(fd);
	return ret == -ENOENT ? n : ret;
}

/* The ids of the devices of @engine, up to @max; how many, or -errno. */
static inline int hsg_engine_ids(unsigned int engine, uint32_t *ids, int max)
{
	struct hugesg_device devs[16];
	int i, k = 0, n = hsg_list_devices(devs, 16);

	for (i = 0; i < n && i < 16; i++)
		if (devs[i].engine == engine && k < max)
			ids[k++] = devs[i].id;
	return n < 0 ? n : k;
}

/* "dddd:bb:ss.f" of @d, as sysfs names it, into @buf (16 bytes). */
static inline char *hsg_pci_name(const struct hugesg_device *d, char *buf)
{
	snprintf(buf, 16, "%04x:%02x:%02x.%x", d->pci_domain, d->pci_bus,
		 d->pci_slot, d->pci_func);
	return buf;
}

/*
 * The PCI address of device @id into @buf (16 bytes); 0, -ENODEV when no
 * device has that id, or -errno.
 */
static inline int hsg_device_pci(uint32_t id, char *buf)
{
	struct hugesg_device d = { .size = sizeof(d), .id = id };
	int fd = hsg_open(), ret;

	if (fd < 0)
		return -errno;
	ret = hsg_ioctl(fd, HUGESG_IOC_DEVICE, &d);
	close(fd);
	if ((!ret && d.id != id) || ret == -ENOENT)
		ret = -ENODEV;
	if (!ret)
		hsg_pci_name(&d, buf);
	return ret;
}

/*
 * The ids of the rig's two hugesg-fpga boards (tests/vm/rig-lib.sh boots
 * them in every guest), in order, into @ids[2]; fails the test otherwise.
 */
static inline void two_fpga_boards(uint32_t *ids)
{
	int n = hsg_engine_ids(HUGESG_ENGINE_FPGA, ids, 2);

	if (n != 2)
		fail_msg("the rig boots two hugesg-fpga boards, DEVICE lists %d", n);
	assert_true(ids[0] < ids[1]);
}

/* INFO's bits of the engines behind a translating IOMMU, or -errno. */
static inline int hsg_iommu_bits(void)
{
	struct hugesg_info info = { .size = sizeof(info) };
	int fd = hsg_open(), ret;

	if (fd < 0)
		return -errno;
	ret = hsg_ioctl(fd, HUGESG_IOC_INFO, &info);
	close(fd);
	return ret ? ret : (int)info.iommu;
}

/*
 * Whether edu (28 address bits) reaches the hugepage pools: only behind a
 * translating IOMMU.  In the rig's configuration guests without one
 * (noiommu, swiotlb, passthrough) the pools lie above 256 MiB and edu's
 * registrations are -ERANGE (drv_stream's test_edu_bus_addresses_fit_28_bits
 * asserts which), so a test that needs an edu copy skips there.
 */
static inline int edu_reaches_pools(void)
{
	int bits = hsg_iommu_bits();

	return bits > 0 && (bits & (1 << HUGESG_ENGINE_EDU));
}

#define skip_unless_edu_reaches_pools()					\
	do {								\
		if (!edu_reaches_pools()) {				\
			print_message("# edu has no IOMMU here (%s guest): its 28 bits do not reach the pools\n", \
				      rig_config());			\
			skip();						\
		}							\
	} while (0)

static inline int hsg_unregister(int fd, unsigned int handle)
{
	struct hugesg_unregister u = { .size = sizeof(u), .handle = handle };

	return hsg_ioctl(fd, HUGESG_IOC_UNREGISTER, &u);
}

static inline int hsg_stream(int fd, unsigned int handle, unsigned int mode,
			     uint64_t seed, uint64_t limit)
{
	struct hugesg_stream s = {
		.size = sizeof(s), .handle = handle, .mode = mode,
		.seed = seed, .limit = limit,
	};

	return hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s);
}

static inline int hsg_ring(int fd, unsigned long cmd, uint64_t bytes,
			   unsigned int timeout_ms, struct hugesg_ring *st)
{
	*st = (struct hugesg_ring){ .size = sizeof(*st), .min_bytes = bytes,
				    .timeout_ms = timeout_ms };
	return hsg_ioctl(fd, cmd, st);
}

/* Words of [p, p + len) that differ from the pattern of stream offset o. */
static inline uint64_t pattern_errors(const uint64_t *p, size_t len,
				      uint64_t o, uint64_t seed)
{
	uint64_t bad = 0;
	size_t i;

	for (i = 0; i < len / 8; i++)
		bad += p[i] != ((o + 8 * i) ^ seed);
	return bad;
}

/*
 * Consume a stream of @total bytes from the ring @ring (@ring_len bytes),
 * verifying every word.  Returns the mismatching words, or -errno.
 */
static inline int64_t consume_stream(int fd, const char *ring, size_t ring_len,
				     uint64_t total, uint64_t seed,
				     struct hugesg_ring *st)
{
	uint64_t done = 0, bad = 0;
	int ret;

	while (done < total) {
		uint64_t avail, pos, n;

		ret = hsg_ring(fd, HUGESG_IOC_RING_WAIT, 8, 10000, st);
		if (ret)
			return ret;
		avail = st->write_ptr - done;
		if (!avail)
			return st->state == HUGESG_RING_RUNNING ? -EAGAIN : -EIO;
		while (avail) {
			pos = done % ring_len;
			n = avail < ring_len - pos ? avail : ring_len - pos;
			bad += pattern_errors((const uint64_t *)(ring + pos), n,
					      done, seed);
			ret = hsg_ring(fd, HUGESG_IOC_RING_ACK, n, 0, st);
			if (ret)
				return ret;
			done += n;
			avail -= n;
		}
	}
	return (int64_t)bad;
}


/*
 * A child that streams endlessly into a ring of @len bytes until it is
 * killed, at @rate bytes per millisecond of device time (0: full speed).
 */
/* FNV-1a-64 over @len bytes, continuing from @h (the device's checksum). */
static inline uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV1A_INIT 0xcbf29ce484222325ULL

/*
 * Play @total bytes of the pattern out through a to-device stream already
 * started on @ring: wait for room, write the pattern in place (the word at
 * stream offset @corrupt_at, if not UINT64_MAX, flipped), hand it over;
 * then wait until the device consumed it all.  Returns the FNV-1a-64 of
 * what was handed over, the checksum the device must report; 0 on a failed
 * call (with *@st as it was).
 */
static inline uint64_t produce_stream(int fd, char *ring, size_t ring_len,
				      uint64_t total, uint64_t seed,
				      uint64_t corrupt_at, struct hugesg_ring *st)
{
	uint64_t done = 0, h = FNV1A_INIT, piece = ring_len / 4, room, n, i;

	while (done < total) {
		n = total - done < piece ? total - done : piece;
		if (hsg_ring(fd, HUGESG_IOC_RING_WAIT, n, 10000, st))
			return 0;
		room = ring_len - (st->write_ptr - st->read_ptr);
		if (st->write_ptr != done || room < n)
			return 0;
		for (i = 0; i < n; i += 8) {
			uint64_t o = done + i, w = o ^ seed;

			if (o == corrupt_at)
				w = ~w;
			memcpy(ring + o % ring_len, &w, 8);
		}
		/* the piece may wrap: sum it in stream order */
		for (i = 0; i < n; i += 8)
			h = fnv1a(h, ring + (done + i) % ring_len, 8);
		if (hsg_ring(fd, HUGESG_IOC_RING_ACK, n, 0, st))
			return 0;
		done += n;
	}
	while (st->state == HUGESG_RING_RUNNING)
		if (hsg_ring(fd, HUGESG_IOC_RING_WAIT, ring_len, 10000, st))
			return 0;
	return h;
}

/*
 * The stream mode for a test that may use either: a hugepage table needs
 * DMA segments of whole hugepages, and where every DMA bounces (the rig's
 * swiotlb guest) they are 256 KiB, so STREAM_START in table mode is
 * -EINVAL there (drv_stream's test_stream_1g_through_2m_hugepage_table
 * asserts it) and descriptors are used instead.
 */
static inline unsigned int any_mode(unsigned int mode)
{
	return rig_config_is("swiotlb") ? HUGESG_STREAM_DESC : mode;
}

/*
 * A child that plays the pattern out to the device for ever (a to-device
 * stream of @len bytes of 2 MiB pages), signalling @ready once it runs;
 * it never returns: the test kills it.
 */
static inline void streaming_child_to_device(int ready, size_t len)
{
	struct hugesg_stream s = { .size = sizeof(s),
				   .mode = any_mode(HUGESG_STREAM_TABLE),
				   .flags = HUGESG_STREAM_TO_DEVICE, .seed = 2 };
	struct tstate t = { 0 };
	struct hugesg_ring st;
	char *ring = map_huge(&t, len, 21);
	int fd = hsg_open(), h;

	h = hsg_register(fd, ring, len, HUGESG_HUGE, HUGESG_ENGINE_FPGA, NULL);
	s.handle = h;
	if (!ring || h <= 0 || hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		if (hsg_ring(fd, HUGESG_IOC_RING_WAIT, len / 4, 1000, &st) == 0)
			hsg_ring(fd, HUGESG_IOC_RING_ACK, len / 4, 0, &st);
}

static inline void streaming_child_len(int ready, uint64_t rate, size_t len)
{
	struct hugesg_stream s = { .size = sizeof(s),
				   .mode = any_mode(HUGESG_STREAM_TABLE),
				   .seed = 1, .rate = rate };
	struct tstate t = { 0 };
	struct hugesg_ring st;
	char *ring = map_huge(&t, len, 21);
	int fd = hsg_open(), h;

	h = hsg_register(fd, ring, len, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	s.handle = h;
	if (!ring || h <= 0 || hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;) {
		if (hsg_ring(fd, HUGESG_IOC_RING_WAIT, 8, 1000, &st) == 0 &&
		    st.write_ptr > st.read_ptr)
			hsg_ring(fd, HUGESG_IOC_RING_ACK,
				 (st.write_ptr - st.read_ptr) & ~7ULL, 0, &st);
	}
}

/* streaming_child_len() with a 64 MiB ring */
static inline void streaming_child(int ready, uint64_t rate)
{
	streaming_child_len(ready, rate, 64 * MiB);
}

/*
 * After a process holding registrations died: give the driver's release up
 * to a second to run, then the pins held and the free 2 MiB pool must be
 * back at @pins and @pool.
 */
static inline void assert_released(long pins, long pool)
{
	int i;

	for (i = 0; i < 50 && (pins_held() != pins || pool_free(SZ_2M) != pool); i++)
		usleep(20000);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(pool_free(SZ_2M), pool);
}

/* An edu copy between two registered buffers of @fd; 0 or -errno. */
static inline int hsg_edu_copy(int fd, unsigned int src, uint64_t src_off,
			       unsigned int dst, uint64_t dst_off, uint64_t len)
{
	struct hugesg_transfer x = {
		.size = sizeof(x), .engine = HUGESG_ENGINE_EDU,
		.src_handle = src, .dst_handle = dst,
		.src_offset = src_off, .dst_offset = dst_off, .len = len,
	};

	return hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x);
}

/*
 * Files of /dev/hugesg open in the whole system: each holds a reference
 * on hugesg_drv.ko (the misc device's fops owner), nothing else does.
 * Registrations live in their file, so none is left once this is back.
 */
static inline long hsg_files_open(void)
{
	return read_long("/sys/module/hugesg_drv/refcnt");
}

/*
 * Take every free hugepage of @page_size, fill it with a pattern, wait a
 * second, check that no byte changed, give the pages back.
 */
static inline void assert_free_hugepages_untouched(unsigned long page_size)
{
	long n = pool_free(page_size);
	size_t len = n * page_size, i;
	int shift = __builtin_ctzl(page_size);
	uint64_t *p;

	assert_true(n > 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_HUGETLB | (shift << MAP_HUGE_SHIFT) | MAP_POPULATE, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(pool_free(page_size), 0);
	for (i = 0; i < len / 8; i++)
		p[i] = 0x5a5a5a5a5a5a5a5aULL ^ i;
	sleep(1);
	for (i = 0; i < len / 8; i++)
		if (p[i] != (0x5a5a5a5a5a5a5a5aULL ^ i))
			fail_msg("byte changed at offset %zu of the free %lu kB pages",
				 i * 8, page_size / KiB);
	munmap(p, len);
}

/* The same for the 2 MiB pages. */
static inline void assert_free_pages_untouched(void)
{
	assert_free_hugepages_untouched(SZ_2M);
}

/*
 * Wait (up to 10 s) until task @tid sleeps inside an ioctl: its
 * /proc/<tid>/syscall names ioctl (16 on x86-64) and, unless @state is 0,
 * its state in /proc/<tid>/stat is @state ('S': an interruptible wait).
 * 0 once it does, -1 if it never did.
 */
static inline int wait_in_ioctl(int tid, char state)
{
	char path[64], buf[512], *p;
	int i, nr;
	FILE *f;

	for (i = 0; i < 10000; i++, usleep(1000)) {
		snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
		f = fopen(path, "r");
		if (!f)
			return -1;
		if (fscanf(f, "%d", &nr) != 1)
			nr = -1;
		fclose(f);
		if (nr != 16)
			continue;
		if (!state)
			return 0;
		snprintf(path, sizeof(path), "/proc/%d/stat", tid);
		f = fopen(path, "r");
		if (!f)
			return -1;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && p[1] == ' ' && p[2] == state)
			return 0;
	}
	return -1;
}

#endif /* HUGESG_DRVLIB_H */
