// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libhugesg: hugepage buffers, the /dev/hugesg ioctls and the stream ring
 * helpers.  See libhugesg.h for the contract of every function.
 */
#include <ctype.h>
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhugesg.h"

#define SYSFS_HUGEPAGES "/sys/kernel/mm/hugepages"
#define MAX_POOLS 16

static _Thread_local char err_msg[512];

const char *hsg_last_error(void)
{
	return err_msg;
}

/* Record the message of a failure; returns -@err. */
__attribute__((format(printf, 2, 3)))
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	return -err;
}

/* ---- sizes ---------------------------------------------------------------- */

int hsg_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	const char *u;
	char *end;
	uint64_t v;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		goto range;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (end[0] == 'i' && end[1] == 'B')
			end += 2;
		else if (end[0] == 'B')
			end++;
	}
	if (*end)
		goto bad;
	if (shift && v > UINT64_MAX >> shift)
		goto range;
	*out = v << shift;
	return 0;
bad:
	return fail(EINVAL, "bad size '%s': use digits with an optional k, M, G or T suffix (e.g. 64M)",
		    s ? s : "");
range:
	return fail(ERANGE, "size '%s' does not fit in 64 bits", s);
}

/* "2M" (short) or "2 MiB" (long); bytes when not a whole number of KiB. */
static char *fmt_size(uint64_t v, char *buf, size_t n, bool long_form)
{
	static const char units[] = "KMGT";
	int i = -1;

	while (i < 3 && v && !(v & 1023)) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%" PRIu64 "%s", v, long_form ? " bytes" : "");
	else
		snprintf(buf, n, "%" PRIu64 "%s%c%s", v, long_form ? " " : "",
			 units[i], long_form ? "iB" : "");
	return buf;
}

char *hsg_format_size(uint64_t bytes, char *buf, size_t n)
{
	return fmt_size(bytes, buf, n, false);
}

/* ---- hugepage pools ---------------------------------------------------------- */

/* A number from a file, -1 if it cannot be read. */
static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static long pool_value(uint64_t page_size, const char *file)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS_HUGEPAGES "/hugepages-%" PRIu64 "kB/%s",
		 page_size >> 10, file);
	return read_long(path);
}

int hsg_pool(uint64_t page_size, struct hsg_pool *pool)
{
	char name[32];

	pool->page_size = page_size;
	pool->total = pool_value(page_size, "nr_hugepages");
	pool->free = pool_value(page_size, "free_hugepages");
	if (pool->total < 0 || pool->free < 0)
		return fail(ENOENT, "this kernel has no %s hugepages (no " SYSFS_HUGEPAGES
			    "/hugepages-%" PRIu64 "kB)%s",
			    fmt_size(page_size, name, sizeof(name), true), page_size >> 10,
			    page_size >= HSG_PAGE_1G ?
			    ": they need the CPU flag pdpe1gb (QEMU: -cpu max or +pdpe1gb), then reserve some at boot with `hugepagesz=1G hugepages=N` on the kernel command line" :
			    "");
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int hsg_pools(struct hsg_pool *pools, int max)
{
	uint64_t sizes[MAX_POOLS], kb;
	DIR *d = opendir(SYSFS_HUGEPAGES);
	struct dirent *e;
	int n = 0, i;

	if (!d)
		return fail(errno, "cannot read " SYSFS_HUGEPAGES ": %s (is the kernel built with CONFIG_HUGETLBFS?)",
			    strerror(errno));
	while ((e = readdir(d)) && n < MAX_POOLS)
		if (sscanf(e->d_name, "hugepages-%" SCNu64 "kB", &kb) == 1)
			sizes[n++] = kb << 10;
	closedir(d);
	qsort(sizes, n, sizeof(sizes[0]), cmp_u64);
	for (i = 0; i < n && i < max; i++)
		hsg_pool(sizes[i], &pools[i]);
	return n;
}

/* The default hugepage size (Hugepagesize in /proc/meminfo), 0 if unknown. */
static uint64_t default_page_size(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	uint64_t kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %" SCNu64 " kB", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/* @need pages of @page could not be had: say so, with the fix; -ENOMEM. */
static int pool_short(uint64_t page, long need)
{
	char lng[32], shrt[16];
	struct hsg_pool p;
	long want;

	if (hsg_pool(page, &p))
		return -ENOENT;
	fmt_size(page, lng, sizeof(lng), true);
	fmt_size(page, shrt, sizeof(shrt), false);
	want = p.total + need - (p.free < need ? p.free : 0);
	if (page >= HSG_PAGE_1G)
		return fail(ENOMEM, "%s %s hugepage%s (need %ld, %ld free of %ld): reserve some at boot with `hugepagesz=%s hugepages=%ld` on the kernel command line",
			    p.free ? "not enough free" : "no free", lng, p.free ? "s" : "",
			    need, p.free, p.total, shrt, want);
	if (page == default_page_size())
		return fail(ENOMEM, "%s %s hugepage%s (need %ld, %ld free of %ld): reserve more with `echo %ld > /proc/sys/vm/nr_hugepages`",
			    p.free ? "not enough free" : "no free", lng, p.free ? "s" : "",
			    need, p.free, p.total, want);
	return fail(ENOMEM, "%s %s hugepage%s (need %ld, %ld free of %ld): reserve more with `echo %ld > " SYSFS_HUGEPAGES "/hugepages-%" PRIu64 "kB/nr_hugepages`",
		    p.free ? "not enough free" : "no free", lng, p.free ? "s" : "",
		    need, p.free, p.total, want, page >> 10);
}

/* ---- hugepage buffers ---------------------------------------------------------- */

/* A failed mmap or memfd_create: blame the pool unless it is clearly not that. */
static int alloc_fail(const struct hsg_buf *b, const char *what, int err)
{
	long need = (long)(b->len / b->page_size);
	char name[32];
	struct hsg_pool p;

	if (err == ENOMEM || hsg_pool(b->page_size, &p) || p.free < need)
		return pool_short(b->page_size, need);
	return fail(err, "%s of %ld %s hugepages failed: %s", what, need,
		    fmt_size(b->page_size, name, sizeof(name), true), strerror(err));
}

static int map_huge(struct hsg_buf *b)
{
	int huge = __builtin_ctzll(b->page_size) << MAP_HUGE_SHIFT;
	int flags = MAP_POPULATE, fd = -1;
	void *p;

	if (b->kind == HSG_MEMFD) {
		b->memfd = memfd_create("hugesg", MFD_CLOEXEC | MFD_HUGETLB | huge);
		if (b->memfd < 0)
			return alloc_fail(b, "memfd_create(MFD_HUGETLB)", errno);
		if (ftruncate(b->memfd, b->len))
			return alloc_fail(b, "ftruncate of the hugetlb memfd", errno);
		fd = b->memfd;
		flags |= MAP_SHARED;
	} else {
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | huge;
	}
	p = mmap(NULL, b->len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		return alloc_fail(b, "mmap", errno);
	b->addr = p;
	return 0;
}

/* MAP_POPULATE fails silently: check that every hugepage is present. */
static int check_backed(const struct hsg_buf *b)
{
	size_t i, n = b->len / b->page_size;
	unsigned char v;

	if ((uintptr_t)b->addr & (b->page_size - 1))
		return fail(EINVAL, "the kernel mapped the hugepages at %p, not aligned to their size",
			    b->addr);
	for (i = 0; i < n; i++)
		if (mincore((char *)b->addr + i * b->page_size, 1, &v) || !(v & 1))
			return pool_short(b->page_size, (long)n);
	return 0;
}

int hsg_buf_alloc(struct hsg_buf *b, size_t len, uint64_t page_size,
		  enum hsg_kind kind)
{
	int rc;

	memset(b, 0, sizeof(*b));
	b->memfd = -1;
	if (page_size != HSG_PAGE_2M && page_size != HSG_PAGE_1G)
		return fail(EINVAL, "hugepage size must be 2M or 1G");
	if (kind != HSG_ANON && kind != HSG_MEMFD)
		return fail(EINVAL, "unknown buffer kind %d", (int)kind);
	if (!len || len > SIZE_MAX - page_size)
		return fail(EINVAL, "bad buffer length %zu", len);
	b->len = (len + page_size - 1) & ~(size_t)(page_size - 1);
	b->page_size = page_size;
	b->kind = kind;
	rc = map_huge(b);
	if (!rc)
		rc = check_backed(b);
	if (rc)
		hsg_buf_free(b);
	return rc;
}

void hsg_buf_free(struct hsg_buf *b)
{
	if (b->addr)
		munmap(b->addr, b->len);
	if (b->memfd >= 0)
		close(b->memfd);
	memset(b, 0, sizeof(*b));
	b->memfd = -1;
}

/* ---- the stream pattern ------------------------------------------------------------- */

void hsg_pattern_fill(void *data, size_t len, uint64_t stream_off, uint64_t seed)
{
	unsigned char *p = data;
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = htole64((stream_off + i) ^ seed);
		memcpy(p + i, &w, 8);
	}
}

uint64_t hsg_pattern_verify(const void *data, size_t len, uint64_t stream_off,
			    uint64_t seed, uint64_t *first_bad)
{
	const unsigned char *p = data;
	uint64_t bad = 0, first = UINT64_MAX, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		if (le64toh(w) != ((stream_off + i) ^ seed) && !bad++)
			first = stream_off + i;
	}
	if (first_bad)
		*first_bad = first;
	return bad;
}

/* ---- ring arithmetic ----------------------------------------------------------------- */

uint64_t hsg_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

int hsg_ring_chunks(const void *ring, uint64_t ring_size, uint64_t pos,
		    uint64_t n, hsg_chunk_fn fn, void *arg)
{
	const char *base = ring;
	uint64_t at, len;
	int rc = 0;

	if (n > ring_size)
		return fail(EINVAL, "%" PRIu64 " bytes ready but the ring holds %" PRIu64
			    ": driver bug, report it", n, ring_size);
	while (n && !rc) {
		at = pos % ring_size;
		len = ring_size - at < n ? ring_size - at : n;
		rc = fn(base + at, len, pos, arg);
		pos += len;
		n -= len;
	}
	return rc;
}

/* ---- the device ------------------------------------------------------------------------- */

bool hsg_module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !strchr(name, '/') && !access(path, F_OK);
}

const char *hsg_engine_name(unsigned int engine)
{
	switch (engine) {
	case HUGESG_ENGINE_FPGA:
		return "fpga";
	case HUGESG_ENGINE_EDU:
		return "edu";
	default:
		return "unknown";
	}
}

int hsg_open(const char *path)
{
	int fd, err;

	if (!path)
		path = HSG_DEFAULT_DEVICE;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = errno;
	if (err == ENOENT && hsg_module_loaded("hugesg_drv"))
		return fail(err, "%s does not exist though hugesg_drv is loaded: mount devtmpfs on /dev (mount -t devtmpfs dev /dev)",
			    path);
	if (err == ENOENT || err == ENXIO || err == ENODEV)
		return fail(err, "%s does not exist: load hugesg_drv.ko (insmod hugesg.ko; insmod hugesg_drv.ko)",
			    path);
	if (err == EACCES || err == EPERM)
		return fail(err, "no permission to open %s: run as root or give your user access to it",
			    path);
	return fail(err, "cannot open %s: %s", path, strerror(err));
}

int hsg_close(int fd)
{
	if (close(fd))
		return fail(errno, "close of the hugesg device failed: %s", strerror(errno));
	return 0;
}

/* What to do about an ioctl's errno. */
static const char *ioctl_advice(int err)
{
	switch (err) {
	case ENOTTY:
		return "the driver does not know this ioctl: build the driver and this program from the same tree";
	case EPERM:
	case EACCES:
		return "run as root (listing DMA segments needs CAP_SYS_RAWIO)";
	case ENODEV:
		return "that engine or device is not present (or was removed): see `hugesg info` and the machine's PCI devices";
	case ENOSPC:
		return "too many buffers registered on this file: unregister some";
	case EBUSY:
		return "busy: a stream already runs on this file, or the buffer is in use";
	case ETIMEDOUT:
		return "the device did not finish in time: it may be stalled, or the rate too low";
	case EIO:
		return "the device reported a DMA error: see the kernel log (dmesg)";
	case ENOMEM:
		return "out of memory, over the locked-memory limit (raise it: ulimit -l) or out of bounce buffers (swiotlb)";
	case ERANGE:
		return "the device cannot reach this memory: no IOMMU translates for it and its DMA mask is shorter than the memory's addresses (boot with the IOMMU on: intel_iommu=on)";
	case ENOENT:
		return "no such handle: register the buffer first";
	case EINVAL:
		return "the driver rejected the arguments (flags, backing, alignment, offsets, size, or a device of another engine): see dmesg";
	default:
		return "see the kernel log (dmesg)";
	}
}

static int xioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	int err;

	if (!ioctl(fd, cmd, arg))
		return 0;
	err = errno;
	return fail(err, "%s failed: %s: %s", what, strerror(err), ioctl_advice(err));
}

/*
 * xioctl() of a struct that grew since the first version: the driver of
 * hugesg 1.0.0 knows each command only at the first version's size
 * @ver1 (-ENOTTY at any other).  When every byte past @ver1 is zero (the
 * caller asks nothing new), such a driver is asked again at that size,
 * and leaves those bytes zero.
 */
static int grown_ioctl(int fd, unsigned long cmd, void *arg, uint32_t ver1,
		       const char *what)
{
	uint32_t *size = arg, full = *size, i;
	const unsigned char *p = arg;
	int rc;

	if (!ioctl(fd, cmd, arg))
		return 0;
	if (errno != ENOTTY)
		return xioctl(fd, cmd, arg, what);
	for (i = ver1; i < full; i++)
		if (p[i])
			return xioctl(fd, cmd, arg, what);
	*size = ver1;
	rc = xioctl(fd, HUGESG_IOC_SIZED(cmd, ver1), arg, what);
	*size = full;
	return rc;
}

int hsg_info(int fd, struct hugesg_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return grown_ioctl(fd, HUGESG_IOC_INFO, info, HUGESG_INFO_SIZE_VER1,
			   "HUGESG_IOC_INFO");
}

int hsg_register_device(int fd, const void *addr, size_t len,
			unsigned int flags, unsigned int engine,
			uint32_t device, struct hugesg_register *reg)
{
	*reg = (struct hugesg_register){
		.size = sizeof(*reg),
		.flags = flags,
		.addr = (uintptr_t)addr,
		.len = len,
		.engine = engine,
		.device = device,
	};
	return grown_ioctl(fd, HUGESG_IOC_REGISTER, reg, HUGESG_REGISTER_SIZE_VER1,
			   "HUGESG_IOC_REGISTER");
}

int hsg_register(int fd, const void *addr, size_t len, unsigned int flags,
		 unsigned int engine, struct hugesg_register *reg)
{
	return hsg_register_device(fd, addr, len, flags, engine, 0, reg);
}

/* ---- devices ------------------------------------------------------------------ */

/* HUGESG_IOC_DEVICE: the device of the least id at least @id; 0 or -errno. */
static int device_at(int fd, uint32_t id, struct hugesg_device *dev)
{
	*dev = (struct hugesg_device){ .size = sizeof(*dev), .id = id };
	if (!ioctl(fd, HUGESG_IOC_DEVICE, dev))
		return dev->id >= id ? 0 :
		       fail(EIO, "HUGESG_IOC_DEVICE reported device %u when asked for %u or later: driver bug, report it",
			    dev->id, id);
	if (errno == ENOENT)
		return -ENOENT;
	if (errno == ENOTTY)
		return fail(ENOTTY, "the driver has no HUGESG_IOC_DEVICE (ABI version 1): it cannot tell its devices apart; build the driver and this program from the same tree");
	return fail(errno, "HUGESG_IOC_DEVICE failed: %s: %s", strerror(errno),
		    ioctl_advice(errno));
}

int hsg_devices(int fd, struct hugesg_device *devs, int max)
{
	struct hugesg_device d;
	uint32_t id = 0;
	int n = 0, rc;

	while (!(rc = device_at(fd, id, &d))) {
		if (n < max)
			devs[n] = d;
		n++;
		if (d.id == UINT32_MAX)
			break;
		id = d.id + 1;
	}
	return rc && rc != -ENOENT ? rc : n;
}

int hsg_device(int fd, uint32_t id, struct hugesg_device *dev)
{
	int rc = id ? device_at(fd, id, dev) : -ENOENT;

	if (rc && rc != -ENOENT)
		return rc;
	if (rc || dev->id != id)
		return fail(ENODEV, "no device %u (ids start at 1; a device removed or bound again has a new one): `hugesg info` lists the devices",
			    id);
	return 0;
}

char *hsg_device_pci_name(const struct hugesg_device *dev, char *buf, size_t n)
{
	snprintf(buf, n, "%04x:%02x:%02x.%x", dev->pci_domain, dev->pci_bus,
		 dev->pci_slot, dev->pci_func);
	return buf;
}

const char *hsg_iommu_name(unsigned int iommu)
{
	switch (iommu) {
	case HUGESG_IOMMU_NONE:
		return "none";
	case HUGESG_IOMMU_STRICT:
		return "strict";
	case HUGESG_IOMMU_LAZY:
		return "lazy";
	default:
		return "unknown";
	}
}

const char *hsg_device_state_name(unsigned int state)
{
	switch (state) {
	case HUGESG_DEVICE_READY:
		return "ready";
	case HUGESG_DEVICE_WEDGED:
		return "wedged";
	default:
		return "unknown";
	}
}

/* A PCI address "dddd:bb:ss.f" or "bb:ss.f" into @want's fields. */
static bool parse_pci(const char *s, struct hugesg_device *want)
{
	unsigned int dom = 0, bus, slot, fn;
	int end = -1;

	if (strspn(s, "0123456789abcdefABCDEF:.") != strlen(s))
		return false;
	if (sscanf(s, "%x:%x:%x.%x%n", &dom, &bus, &slot, &fn, &end) != 4 || s[end]) {
		end = -1;
		dom = 0;
		if (sscanf(s, "%x:%x.%x%n", &bus, &slot, &fn, &end) != 3 || s[end])
			return false;
	}
	if (!isxdigit((unsigned char)*s) || bus > 0xff || slot > 0x1f || fn > 7)
		return false;
	want->pci_domain = dom;
	want->pci_bus = bus;
	want->pci_slot = slot;
	want->pci_func = fn;
	return true;
}

int hsg_device_find(int fd, const char *name, unsigned int engine,
		    struct hugesg_device *dev)
{
	struct hugesg_device want = { 0 };
	unsigned long long id;
	char *end, pci[32];
	bool by_id;
	int rc;

	errno = 0;
	id = name && isdigit((unsigned char)*name) ? strtoull(name, &end, 10) : 0;
	by_id = name && isdigit((unsigned char)*name) && !*end;
	if (by_id && (errno || !id || id > UINT32_MAX))
		return fail(ENODEV, "no device %s (ids start at 1): `hugesg info` lists the devices",
			    name);
	if (!by_id && !(name && parse_pci(name, &want)))
		return fail(EINVAL, "bad device '%s': give its id or its PCI address as `hugesg info` lists them (e.g. 2 or 0000:00:04.0)",
			    name ? name : "");
	if (by_id) {
		rc = hsg_device(fd, (uint32_t)id, dev);
		if (rc)
			return rc;
	} else {
		for (id = 0; !(rc = device_at(fd, (uint32_t)id, dev)); id = dev->id + 1ULL) {
			if (dev->pci_domain == want.pci_domain && dev->pci_bus == want.pci_bus &&
			    dev->pci_slot == want.pci_slot && dev->pci_func == want.pci_func)
				break;
			if (dev->id == UINT32_MAX) {
				rc = -ENOENT;
				break;
			}
		}
		if (rc == -ENOENT)
			return fail(ENODEV, "no device at PCI address %s that hugesg drives: `hugesg info` lists the devices",
				    name);
		if (rc)
			return rc;
	}
	if (engine && dev->engine != engine)
		return fail(EINVAL, "device %s (%s) is an %s device, not %s: `hugesg info` lists the devices",
			    name, hsg_device_pci_name(dev, pci, sizeof(pci)),
			    hsg_engine_name(dev->engine), hsg_engine_name(engine));
	return 0;
}

int hsg_unregister(int fd, uint32_t handle)
{
	struct hugesg_unregister u = { .size = sizeof(u), .handle = handle };

	return xioctl(fd, HUGESG_IOC_UNREGISTER, &u, "HUGESG_IOC_UNREGISTER");
}

int hsg_segments(int fd, uint32_t handle, struct hugesg_segment *segs,
		 uint32_t *count)
{
	struct hugesg_segments s = {
		.size = sizeof(s),
		.handle = handle,
		.count = *count,
		.segs = (uintptr_t)segs,
	};
	int rc = xioctl(fd, HUGESG_IOC_SEGMENTS, &s, "HUGESG_IOC_SEGMENTS");

	if (!rc)
		*count = s.count;
	return rc;
}

int hsg_stream_start(int fd, struct hugesg_stream *s)
{
	s->size = sizeof(*s);
	return xioctl(fd, HUGESG_IOC_STREAM_START, s, "HUGESG_IOC_STREAM_START");
}

/*
 * The ioctls on struct hugesg_ring; @st gets the out fields, which the
 * driver also reports with -ETIMEDOUT.
 */
static int ring_ioctl(int fd, unsigned long cmd, uint64_t bytes,
		      uint32_t timeout_ms, struct hugesg_ring *st, const char *what)
{
	struct hugesg_ring r = {
		.size = sizeof(r),
		.timeout_ms = timeout_ms,
		.min_bytes = bytes,
	};
	int rc = xioctl(fd, cmd, &r, what);

	if ((!rc || rc == -ETIMEDOUT) && st)
		*st = r;
	return rc;
}

int hsg_stream_stop(int fd, struct hugesg_ring *st)
{
	return ring_ioctl(fd, HUGESG_IOC_STREAM_STOP, 0, 0, st, "HUGESG_IOC_STREAM_STOP");
}

int hsg_ring_wait(int fd, uint64_t min_bytes, uint32_t timeout_ms,
		  struct hugesg_ring *st)
{
	int rc = ring_ioctl(fd, HUGESG_IOC_RING_WAIT, min_bytes, timeout_ms, st,
			    "HUGESG_IOC_RING_WAIT");

	if (rc == -ETIMEDOUT)
		fail(ETIMEDOUT, "no %" PRIu64 " bytes of stream within %u ms: the device is stalled, or the rate too low",
		     min_bytes, timeout_ms);
	return rc;
}

int hsg_ring_ack(int fd, uint64_t bytes, struct hugesg_ring *st)
{
	return ring_ioctl(fd, HUGESG_IOC_RING_ACK, bytes, 0, st, "HUGESG_IOC_RING_ACK");
}

int hsg_ring_produce(int fd, void *ring, uint64_t min_bytes,
		     uint64_t max_bytes, uint32_t timeout_ms, hsg_fill_fn fn,
		     void *arg, struct hugesg_ring *st)
{
	uint64_t room, n, at, len, pos;
	char *base = ring;
	int rc = hsg_ring_wait(fd, min_bytes, timeout_ms, st);

	if (rc)
		return rc;
	/* to the device: write_ptr handed over, read_ptr consumed */
	if (st->write_ptr - st->read_ptr > st->ring_size)
		return fail(EINVAL, "%" PRIu64 " bytes in flight but the ring holds %" PRIu64
			    ": driver bug, report it",
			    (uint64_t)(st->write_ptr - st->read_ptr), (uint64_t)st->ring_size);
	room = st->ring_size - (st->write_ptr - st->read_ptr);
	n = (room < max_bytes ? room : max_bytes) & ~UINT64_C(7);
	if (!n)
		return 0;
	for (pos = st->write_ptr, len = 0; pos < st->write_ptr + n && !rc; pos += len) {
		at = pos % st->ring_size;
		len = st->ring_size - at < st->write_ptr + n - pos ?
		      st->ring_size - at : st->write_ptr + n - pos;
		rc = fn(base + at, len, pos, arg);
	}
	if (rc)
		return rc;
	return hsg_ring_ack(fd, n, st);
}

int hsg_ring_consume(int fd, const void *ring, uint64_t min_bytes,
		     uint32_t timeout_ms, hsg_chunk_fn fn, void *arg,
		     struct hugesg_ring *st)
{
	uint64_t n;
	int rc = hsg_ring_wait(fd, min_bytes, timeout_ms, st);

	if (rc)
		return rc;
	n = st->write_ptr - st->read_ptr;
	if (!n)
		return 0;
	rc = hsg_ring_chunks(ring, st->ring_size, st->read_ptr, n, fn, arg);
	if (rc)
		return rc;
	return hsg_ring_ack(fd, n, st);
}

int hsg_transfer(int fd, struct hugesg_transfer *t)
{
	t->size = sizeof(*t);
	return xioctl(fd, HUGESG_IOC_TRANSFER, t, "HUGESG_IOC_TRANSFER");
}
