// SPDX-License-Identifier: GPL-2.0
/*
 * The in-guest driver of the pinning benchmark (bench/run-bench.sh): for
 * each buffer, every method registers and releases the same buffer several
 * times; the median times and the figures of the first run are printed as
 * CSV rows on stdout, notes on stderr.
 *
 * usage: bench [--small] [--reps N] [--clock wall|icount]
 *   --small  only the 2 MiB buffers (a quick check for `make test`)
 *   --clock  else $HUGESG_BENCH_CLOCK, else hugesg_bench.clock= on the
 *            kernel command line, else "wall"
 * Defaults may also come from the kernel command line (see below).
 *
 * Every buffer exists twice: "shared", a hugetlb memfd mapped shared, so
 * that the memfd method pins the very pages the others pin through the
 * mapping, and "private", anonymous MAP_HUGETLB | MAP_PRIVATE (no memfd:
 * memfd_folios gets empty figures); both populated.
 *
 * The methods of hugesg_bench.ko run in the kernel and are timed there;
 * those of user space are timed here, clock_gettime(CLOCK_MONOTONIC)
 * around the ioctls, each with its IOMMU mapping:
 *   hugesg_drv   HUGESG_IOC_REGISTER + UNREGISTER of /dev/hugesg for the
 *                hugesg-fpga engine (edu drives 28 address bits: no 1 GiB
 *                buffer fits in its IOVA space; both behind the same IOMMU)
 *   vfio_type1   edu bound to vfio-pci, a type1 container,
 *                VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA; needs vfio-pci,
 *                built in or the modules in /modules/extra (order:
 *                /modules/extra/order), loaded here; the VFIO methods run
 *                after every other one, as they take edu from hugesg-edu
 *                (given back at the end)
 *   iommufd_map  edu bound to vfio-pci, its device cdev bound to
 *                /dev/iommu and attached to an IOAS; IOMMU_IOAS_MAP of the
 *                buffer + IOMMU_IOAS_UNMAP (before vfio_type1: the cdev and
 *                the group cannot both be in use)
 *   iommufd_map_file   the same with IOMMU_IOAS_MAP_FILE of the buffer's
 *                memfd (shared buffers; empty for private ones)
 *                Both empty where there is no /dev/iommu (Debian's kernels
 *                lack CONFIG_IOMMUFD: the series 7.2-iommufd has it)
 * Each checks that it pinned: the pins /proc/vmstat saw acquired during the
 * map (and the driver's own count for hugesg_drv); a method that pinned
 * nothing fails the run.
 *
 * hugesg's own cost in phases (HUGESG_BENCH_PHASES), rows
 * "phases,KERNEL,CLOCK,MAPPING,PAGE_SIZE,BYTES,HUGEPAGES,PIN_NS,UNPIN_NS,
 * TABLE_NS,MAP_NS,UNMAP_NS,FREE_NS,PINS" (medians; PINS: what /proc/vmstat
 * saw acquired in the first run, the pin alone and the table's).
 *
 * Then (not with --small) the hugesg-fpga engine streams through a 64 MiB
 * ring of 2 MiB pages, as a hugepage table and as descriptors, every word
 * verified in place, against a plain memcpy() of the same size: rows
 * "stream,KERNEL,CLOCK,MODE,BYTES,STREAM_NS,MEMCPY_NS".
 */
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <time.h>

#include <linux/vfio.h>

#include "drvlib.h"
#include "hugesg_bench.h"

#ifndef MFD_HUGE_1GB
#define MFD_HUGE_1GB (30U << 26)
#endif

#define MAX_REPS 32
/* one segment limit for every method but seed_gup (which has none): the
 * largest multiple of 2 MiB an unsigned int holds, so hugepages are never
 * split and a 1 GiB page is one entry */
#define MAX_SEGMENT 0xffe00000U
/* where vfio_type1 and iommufd map the buffer: aligned for the largest
 * page, in edu's IOMMU domain (which has the IOMMU's address width, not
 * edu's 28-bit DMA mask) */
#define VFIO_IOVA (4 * GiB)

/*
 * iommufd's ABI, which the host's 6.1 headers do not have: the ioctl
 * numbers and argument layouts of include/uapi/linux/iommufd.h (7.2) and
 * of the cdev ioctls of include/uapi/linux/vfio.h (since 6.6), under names
 * of our own.
 */
#define HSG_IOMMU_IOAS_ALLOC		_IO(';', 0x81)
#define HSG_IOMMU_IOAS_IOVA_RANGES	_IO(';', 0x84)
#define HSG_IOMMU_IOAS_MAP		_IO(';', 0x85)
#define HSG_IOMMU_IOAS_UNMAP		_IO(';', 0x86)
#define HSG_IOMMU_IOAS_MAP_FILE		_IO(';', 0x8f)
#define HSG_IOAS_MAP_FIXED_IOVA		(1U << 0)
#define HSG_IOAS_MAP_WRITEABLE		(1U << 1)
#define HSG_IOAS_MAP_READABLE		(1U << 2)
#define HSG_VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define HSG_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

struct hsg_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};

struct hsg_iova_range {
	uint64_t start, last;
};

struct hsg_ioas_iova_ranges {
	uint32_t size, ioas_id, num_iovas, reserved;
	uint64_t allowed_iovas, out_iova_alignment;
};

struct hsg_ioas_map {
	uint32_t size, flags, ioas_id, reserved;
	uint64_t user_va, length, iova;
};

struct hsg_ioas_map_file {
	uint32_t size, flags, ioas_id;
	int32_t fd;
	uint64_t start, length, iova;
};

struct hsg_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};

struct hsg_vfio_bind_iommufd {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
	uint64_t token_uuid_ptr;
};

struct hsg_vfio_attach_pt {
	uint32_t argsz, flags, pt_id, pasid;
};

static const char *const method_names[HUGESG_BENCH_NR_METHODS] = {
	[HUGESG_BENCH_SEED_GUP] = "seed_gup",
	[HUGESG_BENCH_PIN_ALL] = "pin_all",
	[HUGESG_BENCH_RDMA_CHUNKED] = "rdma_chunked",
	[HUGESG_BENCH_IOURING_COALESCE] = "iouring_coalesce",
	[HUGESG_BENCH_MEMFD_FOLIOS] = "memfd_folios",
	[HUGESG_BENCH_HUGESG_HUGE] = "hugesg_huge",
	[HUGESG_BENCH_HUGESG_AUTO] = "hugesg_auto",
	[HUGESG_BENCH_KERNEL_RANGES] = "kernel_ranges",
	[HUGESG_BENCH_KERNEL_SG] = "kernel_sg",
};

struct buffer {
	size_t page_size;
	size_t len;
	unsigned int mfd_flags;
	int map_huge;
};

static const struct buffer buffers[] = {
	{ SZ_2M, SZ_2M, MFD_HUGE_2MB, MAP_HUGE_2M },
	{ SZ_2M, 64 * MiB, MFD_HUGE_2MB, MAP_HUGE_2M },
	{ SZ_2M, GiB, MFD_HUGE_2MB, MAP_HUGE_2M },
	{ GiB, GiB, MFD_HUGE_1GB, MAP_HUGE_1G },
};

static const char *const mappings[] = { "shared", "private" };

/* a buffer mapped one way: memfd -1 for a private one */
struct mapped {
	const struct buffer *b;
	const char *mapping;
	void *p;
	int mfd;
};

static char kernel[128];
static char clock_name[16] = "wall";
static int failures;

/* Pins acquired in the whole system so far, per-CPU deltas folded first. */
static long pins_acquired(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "bench: stat_refresh: %s\n", strerror(errno));
		close(fd);
	}
	return read_counter("/proc/vmstat", "nr_foll_pin_acquired");
}

static long pins_released(void)
{
	pins_acquired();	/* (folds the deltas) */
	return read_counter("/proc/vmstat", "nr_foll_pin_released");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A row with no figures: the method cannot run here (reason on stderr). */
static void empty_row(const char *method, const struct mapped *m)
{
	printf("%s,%s,%s,%zu,%zu,,,,,,,,%s\n", kernel, clock_name, method,
	       m->b->page_size, m->b->len, m->mapping);
	fflush(stdout);
}

/*
 * A row with figures; a negative one is printed empty (not known for the
 * method), the times always.
 */
static void row(const char *method, const struct mapped *m, uint64_t reg_ns,
		uint64_t unreg_ns, const long long *fig)
{
	int i;

	printf("%s,%s,%s,%zu,%zu,%llu,%llu", kernel, clock_name, method,
	       m->b->page_size, m->b->len, (unsigned long long)reg_ns,
	       (unsigned long long)unreg_ns);
	for (i = 0; i < 5; i++) {
		if (fig[i] >= 0)
			printf(",%lld", fig[i]);
		else
			printf(",");
	}
	printf(",%s\n", m->mapping);
	fflush(stdout);
}

/* Run one method of the module @reps times on the buffer @m. */
static void run_method(int dev, int method, const struct mapped *m, int reps)
{
	uint64_t reg[MAX_REPS], unreg[MAX_REPS];
	struct hugesg_bench_run first = { 0 };
	long vm_pins = 0;
	int i;

	if (method == HUGESG_BENCH_MEMFD_FOLIOS && m->mfd < 0) {
		empty_row(method_names[method], m);
		return;
	}
	for (i = 0; i < reps; i++) {
		struct hugesg_bench_run r = {
			.start = (uintptr_t)m->p,
			.len = m->b->len,
			.memfd = m->mfd,
			.method = method,
			.max_segment = MAX_SEGMENT,
			.dma = i == 0,
		};
		long before = pins_acquired();

		if (ioctl(dev, HUGESG_BENCH_RUN, &r)) {
			if (errno != EOPNOTSUPP) {
				fprintf(stderr, "bench: %s on %zu bytes of %zu-byte pages, %s: %s\n",
					method_names[method], m->b->len,
					m->b->page_size, m->mapping,
					strerror(errno));
				failures++;
			} else {
				fprintf(stderr, "bench: %s: not in this kernel\n",
					method_names[method]);
			}
			empty_row(method_names[method], m);
			return;
		}
		if (i == 0) {
			first = r;
			vm_pins = pins_acquired() - before;
		}
		reg[i] = r.register_ns;
		unreg[i] = r.unregister_ns;
	}
	/*
	 * Pins: what the module counted for its own methods (get_user_pages
	 * references are not FOLL_PIN, /proc/vmstat does not see them), else
	 * the pins /proc/vmstat saw acquired during the run.
	 */
	if (first.pins >= 0 && method != HUGESG_BENCH_SEED_GUP &&
	    first.pins != vm_pins)
		fprintf(stderr, "bench: %s: module counted %lld pins, /proc/vmstat %ld\n",
			method_names[method], (long long)first.pins, vm_pins);
	if ((first.pins >= 0 ? first.pins : vm_pins) <= 0) {
		fprintf(stderr, "bench: %s, %s: pinned nothing\n",
			method_names[method], m->mapping);
		failures++;
	}
	row(method_names[method], m, median(reg, reps), median(unreg, reps),
	    (const long long[]){ first.transient_bytes, first.persistent_bytes,
				 first.sg_entries, first.dma_segments,
				 first.pins >= 0 ? first.pins : vm_pins });
}

/* The hugepages of a buffer (any alignment of a whole buffer) */
static long nr_hugepages(const struct mapped *m)
{
	return (long)(m->b->len / m->b->page_size);
}

/*
 * hugesg_drv: REGISTER + UNREGISTER on /dev/hugesg for hugesg-fpga, timed;
 * the driver's count of pins must be one per hugepage, and /proc/vmstat
 * must have seen them acquired in the REGISTER and released in the
 * UNREGISTER.
 */
static void run_hugesg_drv(const struct mapped *m, int reps)
{
	uint64_t reg[MAX_REPS], unreg[MAX_REPS], t;
	struct hugesg_register first = { 0 };
	long acq = 0, rel = 0;
	int fd = hsg_open(), i;

	if (fd < 0) {
		fprintf(stderr, "bench: hugesg_drv: /dev/hugesg: %s\n", strerror(errno));
		failures++;
		empty_row("hugesg_drv", m);
		return;
	}
	for (i = 0; i < reps; i++) {
		struct hugesg_register r = {
			.size = sizeof(r), .flags = HUGESG_HUGE | HUGESG_WRITE,
			.addr = (uintptr_t)m->p, .len = m->b->len,
			.max_segment = MAX_SEGMENT, .engine = HUGESG_ENGINE_FPGA,
		};
		struct hugesg_unregister u = { .size = sizeof(u) };
		long a0 = pins_acquired(), r0 = pins_released();
		int ret;

		t = now_ns();
		ret = ioctl(fd, HUGESG_IOC_REGISTER, &r);
		reg[i] = now_ns() - t;
		if (ret) {
			fprintf(stderr, "bench: hugesg_drv on %zu bytes of %zu-byte pages, %s: %s\n",
				m->b->len, m->b->page_size, m->mapping,
				strerror(errno));
			failures++;
			close(fd);
			empty_row("hugesg_drv", m);
			return;
		}
		if (i == 0) {
			acq = pins_acquired() - a0;
			first = r;
		}
		u.handle = r.handle;
		t = now_ns();
		ret = ioctl(fd, HUGESG_IOC_UNREGISTER, &u);
		unreg[i] = now_ns() - t;
		if (ret) {
			fprintf(stderr, "bench: hugesg_drv: UNREGISTER: %s\n",
				strerror(errno));
			failures++;
		}
		if (i == 0)
			rel = pins_released() - r0;
	}
	close(fd);
	if ((long)first.nr_pins != nr_hugepages(m) || acq != nr_hugepages(m) ||
	    rel != acq) {
		fprintf(stderr, "bench: hugesg_drv, %s: the driver counted %llu pins, /proc/vmstat %ld acquired, %ld released; %ld hugepages\n",
			m->mapping, (unsigned long long)first.nr_pins, acq, rel,
			nr_hugepages(m));
		failures++;
	}
	row("hugesg_drv", m, median(reg, reps), median(unreg, reps),
	    (const long long[]){ -1, -1, first.nr_entries,
				 first.nr_dma_segments, acq });
}

/* hugesg's own phases on the buffer @m, @reps times: a "phases" row */
static void run_phases(int dev, const struct mapped *m, int reps)
{
	uint64_t v[6][MAX_REPS];
	struct hugesg_bench_phases first = { 0 };
	long pins = 0;
	int i, k;

	for (i = 0; i < reps; i++) {
		struct hugesg_bench_phases ph = {
			.start = (uintptr_t)m->p, .len = m->b->len,
			.page_size = m->b->page_size, .max_segment = MAX_SEGMENT,
		};
		long before = pins_acquired();

		if (ioctl(dev, HUGESG_BENCH_PHASES, &ph)) {
			fprintf(stderr, "bench: phases on %zu bytes of %zu-byte pages, %s: %s\n",
				m->b->len, m->b->page_size, m->mapping,
				strerror(errno));
			failures++;
			return;
		}
		if (i == 0) {
			first = ph;
			pins = pins_acquired() - before;
		}
		v[0][i] = ph.pin_ns;
		v[1][i] = ph.unpin_ns;
		v[2][i] = ph.table_ns;
		v[3][i] = ph.map_ns;
		v[4][i] = ph.unmap_ns;
		v[5][i] = ph.free_ns;
	}
	/* the pin alone, then the table's: one pin a hugepage each */
	if ((long)first.nr_hugepages != nr_hugepages(m) ||
	    pins != 2 * nr_hugepages(m)) {
		fprintf(stderr, "bench: phases, %s: %llu hugepages pinned, /proc/vmstat %ld pins; %ld hugepages\n",
			m->mapping, (unsigned long long)first.nr_hugepages, pins,
			nr_hugepages(m));
		failures++;
	}
	printf("phases,%s,%s,%s,%zu,%zu,%llu", kernel, clock_name, m->mapping,
	       m->b->page_size, m->b->len,
	       (unsigned long long)first.nr_hugepages);
	for (k = 0; k < 6; k++)
		printf(",%llu", (unsigned long long)median(v[k], reps));
	printf(",%ld\n", pins);
	fflush(stdout);
}

/* Map buffer @b as @mapping (0 shared, 1 private) and populate it. */
static int map_buffer(const struct buffer *b, int mapping, struct mapped *m)
{
	*m = (struct mapped){ .b = b, .mapping = mappings[mapping], .mfd = -1 };
	if (mapping == 0) {
		m->mfd = memfd_create("hugesg_bench", MFD_HUGETLB | b->mfd_flags);
		if (m->mfd < 0 || ftruncate(m->mfd, b->len)) {
			fprintf(stderr, "bench: memfd of %zu bytes of %zu-byte pages: %s\n",
				b->len, b->page_size, strerror(errno));
			goto fail;
		}
		m->p = mmap(NULL, b->len, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, m->mfd, 0);
	} else {
		m->p = mmap(NULL, b->len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			    b->map_huge | MAP_POPULATE, -1, 0);
	}
	if (m->p == MAP_FAILED) {
		fprintf(stderr, "bench: mmap of %zu bytes of %zu-byte pages, %s: %s\n",
			b->len, b->page_size, m->mapping, strerror(errno));
		goto fail;
	}
	memset(m->p, 0x5a, b->len);
	return 0;

fail:
	failures++;
	if (m->mfd >= 0)
		close(m->mfd);
	return -1;
}

static void unmap_buffer(struct mapped *m)
{
	munmap(m->p, m->b->len);
	if (m->mfd >= 0)
		close(m->mfd);
}

static int nr_buffers(int small)
{
	return small ? 1 : (int)(sizeof(buffers) / sizeof(buffers[0]));
}

/* Every method but vfio_type1 on every buffer, both mappings. */
static void run_buffers(int dev, int small, int reps)
{
	struct mapped m;
	int i, k, meth;

	for (i = 0; i < nr_buffers(small); i++) {
		for (k = 0; k < 2; k++) {
			if (map_buffer(&buffers[i], k, &m))
				continue;
			for (meth = 0; meth < HUGESG_BENCH_NR_METHODS; meth++)
				run_method(dev, meth, &m, reps);
			run_hugesg_drv(&m, reps);
			run_phases(dev, &m, reps);
			unmap_buffer(&m);
		}
	}
}

/* ---- the VFIO methods: Documentation/driver-api/vfio.rst's examples, timed ---- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The number in a sysfs file, in any base ("0x1234"), or -1. */
static long read_number(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	long val = -1;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			val = strtol(buf, NULL, 0);
		fclose(f);
	}
	return val;
}

/* The edu device's PCI address (1234:11e8), or -1. */
static int find_edu(char *bdf, size_t size)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int ret = -1;

	while (d && (e = readdir(d))) {
		char path[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (read_number(path) != 0x1234)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (read_number(path) != 0x11e8)
			continue;
		if (strlen(e->d_name) >= size)
			continue;
		memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
		ret = 0;
		break;
	}
	if (d)
		closedir(d);
	return ret;
}

/* The name of the driver bound to @bdf, "" if none. */
static void bound_driver(const char *bdf, char *name, size_t size)
{
	char path[300], link[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(name, size, "%s", n > 0 ? strrchr(link, '/') + 1 : "");
}

/*
 * Bind @bdf to @driver: the override (or none, "\n"), unbind, probe.
 * Returns 0 when @want is bound then.
 */
static int rebind(const char *bdf, const char *override, const char *want)
{
	char path[300], drv[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (write_file(path, override))
		return -1;
	bound_driver(bdf, drv, sizeof(drv));
	if (*drv) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		if (write_file(path, bdf))
			return -1;
	}
	write_file("/sys/bus/pci/drivers_probe", bdf);
	bound_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, want)) {
		fprintf(stderr, "bench: %s bound to \"%s\", not %s\n", bdf, drv, want);
		return -1;
	}
	return 0;
}

/* Load the modules of /modules/extra in the order its file says. */
static int load_vfio_modules(void)
{
	char name[64], path[128];
	FILE *f = fopen("/modules/extra/order", "r");
	int ret = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%63s", name) == 1) {
		int fd;

		snprintf(path, sizeof(path), "/modules/extra/%s.ko", name);
		fd = open(path, O_RDONLY);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)) {
			fprintf(stderr, "bench: loading %s: %s\n", path, strerror(errno));
			ret = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	return ret;
}

/* A type1 container holding edu's group: the container's fd, or -1. */
static int vfio_container(const char *bdf, int *groupfd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[300], link[300];
	int container, group;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		fprintf(stderr, "bench: %s has no IOMMU group\n", bdf);
		return -1;
	}
	link[n] = 0;
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0 || ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		fprintf(stderr, "bench: /dev/vfio/vfio: no type1v2 container (%s)\n",
			strerror(errno));
		goto close_container;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	group = open(path, O_RDWR);
	if (group < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		goto close_container;
	}
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		fprintf(stderr, "bench: %s: not viable, or no type1v2 IOMMU set (%s)\n",
			path, strerror(errno));
		close(group);
		goto close_container;
	}
	*groupfd = group;
	return container;

close_container:
	if (container >= 0)
		close(container);
	return -1;
}

/*
 * A method that maps a buffer into edu's IOMMU domain at VFIO_IOVA through
 * @fd (the container, or /dev/iommu with the IOAS @id): map and unmap
 * return 0 when the whole buffer was (un)mapped; @file: it maps the
 * buffer's memfd (none behind a private buffer: empty figures).
 */
struct vfio_method {
	const char *name;
	int (*map)(int fd, uint32_t id, const struct mapped *m);
	int (*unmap)(int fd, uint32_t id, const struct mapped *m);
	int file;
};

static int type1_map(int fd, uint32_t id, const struct mapped *m)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)m->p, .iova = VFIO_IOVA, .size = m->b->len,
	};

	(void)id;
	return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int type1_unmap(int fd, uint32_t id, const struct mapped *m)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = VFIO_IOVA, .size = m->b->len,
	};

	(void)id;
	return ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap) || unmap.size != m->b->len;
}

static int ioas_map(int fd, uint32_t id, const struct mapped *m)
{
	struct hsg_ioas_map map = {
		.size = sizeof(map), .ioas_id = id,
		.flags = HSG_IOAS_MAP_FIXED_IOVA | HSG_IOAS_MAP_READABLE |
			 HSG_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)m->p, .length = m->b->len, .iova = VFIO_IOVA,
	};

	return ioctl(fd, HSG_IOMMU_IOAS_MAP, &map);
}

static int ioas_map_file(int fd, uint32_t id, const struct mapped *m)
{
	struct hsg_ioas_map_file map = {
		.size = sizeof(map), .ioas_id = id, .fd = m->mfd,
		.flags = HSG_IOAS_MAP_FIXED_IOVA | HSG_IOAS_MAP_READABLE |
			 HSG_IOAS_MAP_WRITEABLE,
		.start = 0, .length = m->b->len, .iova = VFIO_IOVA,
	};

	return ioctl(fd, HSG_IOMMU_IOAS_MAP_FILE, &map);
}

static int ioas_unmap(int fd, uint32_t id, const struct mapped *m)
{
	struct hsg_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = id, .iova = VFIO_IOVA,
		.length = m->b->len,
	};

	return ioctl(fd, HSG_IOMMU_IOAS_UNMAP, &unmap) || unmap.length != m->b->len;
}

static const struct vfio_method vfio_type1 = { "vfio_type1", type1_map, type1_unmap, 0 };
static const struct vfio_method iommufd_map = { "iommufd_map", ioas_map, ioas_unmap, 0 };
static const struct vfio_method iommufd_map_file = {
	"iommufd_map_file", ioas_map_file, ioas_unmap, 1
};

/*
 * The method @vm on the buffer @m: map + unmap, @reps times; the map must
 * acquire at least one pin per hugepage and at most one per 4 KiB page
 * (/proc/vmstat; type1 of 6.1 to 7.2 and iommufd of 7.2 take one per 4 KiB
 * page), the unmap release every one of them.
 */
static void run_vfio_method(const struct vfio_method *vm, int fd, uint32_t id,
			    const struct mapped *m, int reps)
{
	uint64_t reg[MAX_REPS], unreg[MAX_REPS], t;
	long acq = 0, rel = 0;
	int i;

	for (i = 0; i < reps; i++) {
		long a0 = pins_acquired(), r0 = pins_released();
		int ret;

		t = now_ns();
		ret = vm->map(fd, id, m);
		reg[i] = now_ns() - t;
		if (ret) {
			fprintf(stderr, "bench: %s on %zu bytes of %zu-byte pages, %s: map: %s\n",
				vm->name, m->b->len, m->b->page_size, m->mapping,
				strerror(errno));
			failures++;
			empty_row(vm->name, m);
			return;
		}
		if (i == 0)
			acq = pins_acquired() - a0;
		t = now_ns();
		ret = vm->unmap(fd, id, m);
		unreg[i] = now_ns() - t;
		if (ret) {
			fprintf(stderr, "bench: %s: unmap: %s, or not all of it\n",
				vm->name, strerror(errno));
			failures++;
		}
		if (i == 0)
			rel = pins_released() - r0;
	}
	if (acq < nr_hugepages(m) || acq > (long)(m->b->len / SZ_4K) ||
	    rel != acq) {
		fprintf(stderr, "bench: %s, %s: /proc/vmstat %ld pins acquired, %ld released; %ld hugepages\n",
			vm->name, m->mapping, acq, rel, nr_hugepages(m));
		failures++;
	}
	row(vm->name, m, median(reg, reps), median(unreg, reps),
	    (const long long[]){ -1, -1, -1, -1, acq });
}

/*
 * The @n methods @vms on every buffer, both mappings, through @fd and @id;
 * empty rows when @why says why they cannot run.
 */
static void run_vfio_buffers(const struct vfio_method *const *vms, int n,
			     int fd, uint32_t id, const char *why, int small,
			     int reps)
{
	struct mapped m;
	int i, k, j;

	for (i = 0; i < nr_buffers(small); i++) {
		for (k = 0; k < 2; k++) {
			m = (struct mapped){ .b = &buffers[i], .mapping = mappings[k] };
			if (!why && map_buffer(&buffers[i], k, &m))
				continue;
			for (j = 0; j < n; j++) {
				if (why || (vms[j]->file && m.mfd < 0))
					empty_row(vms[j]->name, &m);
				else
					run_vfio_method(vms[j], fd, id, &m, reps);
			}
			if (!why)
				unmap_buffer(&m);
		}
	}
}

/*
 * edu's VFIO device cdev bound to a new iommufd and attached to a new IOAS,
 * as Documentation/driver-api/vfio.rst's "Device cdev Example" does; the
 * IOAS must take VFIO_IOVA + 1 GiB.  Returns the iommufd (the IOAS in
 * @ioas, the cdev in @cdev), or -1.
 */
static int iommufd_attach(const char *bdf, uint32_t *ioas, int *cdev)
{
	struct hsg_vfio_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct hsg_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct hsg_vfio_attach_pt attach = { .argsz = sizeof(attach) };
	struct hsg_iova_range r[8];
	struct hsg_ioas_iova_ranges ranges = {
		.size = sizeof(ranges), .num_iovas = 8, .allowed_iovas = (uintptr_t)r,
	};
	char path[300], name[64] = "";
	struct dirent *e;
	DIR *d;
	int fd = -1, dev = -1;
	uint32_t i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "vfio", 4) && strlen(e->d_name) < sizeof(name))
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	if (!*name || (dev = open(path, O_RDWR)) < 0 ||
	    (fd = open("/dev/iommu", O_RDWR)) < 0) {
		fprintf(stderr, "bench: iommufd: %s (edu's cdev) or /dev/iommu: %s\n",
			*name ? path : "no vfio-dev", strerror(errno));
		goto fail;
	}
	bind.iommufd = fd;
	if (ioctl(dev, HSG_VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(fd, HSG_IOMMU_IOAS_ALLOC, &alloc)) {
		fprintf(stderr, "bench: iommufd: BIND_IOMMUFD or IOAS_ALLOC: %s\n",
			strerror(errno));
		goto fail;
	}
	attach.pt_id = alloc.out_ioas_id;
	ranges.ioas_id = alloc.out_ioas_id;
	if (ioctl(dev, HSG_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ||
	    ioctl(fd, HSG_IOMMU_IOAS_IOVA_RANGES, &ranges)) {
		fprintf(stderr, "bench: iommufd: ATTACH_IOMMUFD_PT or IOAS_IOVA_RANGES: %s\n",
			strerror(errno));
		goto fail;
	}
	for (i = 0; i < ranges.num_iovas && i < 8; i++)
		if (r[i].start <= VFIO_IOVA && r[i].last >= VFIO_IOVA + GiB - 1)
			break;
	if (i == ranges.num_iovas || i == 8) {
		fprintf(stderr, "bench: iommufd: edu's IOAS (%u ranges) does not take [%#llx, +1 GiB)\n",
			ranges.num_iovas, (unsigned long long)VFIO_IOVA);
		goto fail;
	}
	fprintf(stderr, "bench: iommufd: %s (edu, %s) attached to IOAS %u, IOVA [%#llx, %#llx] of %u ranges\n",
		path, bdf, alloc.out_ioas_id, (unsigned long long)r[i].start,
		(unsigned long long)r[i].last, ranges.num_iovas);
	*ioas = alloc.out_ioas_id;
	*cdev = dev;
	return fd;

fail:
	if (fd >= 0)
		close(fd);
	if (dev >= 0)
		close(dev);
	return -1;
}

/*
 * iommufd_map and iommufd_map_file on every buffer, edu bound to vfio-pci
 * at @bdf (NULL: not bound); empty where there is no /dev/iommu, and
 * iommufd_map_file empty for private buffers (no file behind them).  The
 * cdev is closed at the end, which detaches and unbinds it.
 */
static void run_iommufd(const char *bdf, int small, int reps)
{
	const char *why = NULL;
	int fd = -1, cdev = -1;
	uint32_t ioas = 0;

	if (access("/dev/iommu", F_OK))
		why = "no /dev/iommu (a kernel without CONFIG_IOMMUFD)";
	else if (!bdf)
		why = "edu is not bound to vfio-pci";
	else if ((fd = iommufd_attach(bdf, &ioas, &cdev)) < 0)
		why = "edu is not attached to an IOAS";
	if (why) {
		fprintf(stderr, "bench: iommufd_map, iommufd_map_file: %s\n", why);
		if (!access("/dev/iommu", F_OK))
			failures++;
	}
	run_vfio_buffers((const struct vfio_method *const[]){ &iommufd_map,
							       &iommufd_map_file },
			 2, fd, ioas, why, small, reps);
	if (cdev >= 0)
		close(cdev);
	if (fd >= 0)
		close(fd);
}

/*
 * The VFIO methods on every buffer: edu taken from hugesg_drv for vfio-pci
 * (built in, or loaded from /modules/extra), iommufd's first, then
 * vfio_type1, and edu given back at the end; empty rows where the guest
 * has no vfio-pci.
 */
static void run_vfio(int small, int reps)
{
	const char *why = NULL;
	int mods = !access("/modules/extra/order", F_OK), expected;
	int container = -1, group = -1, bound = 0;
	char bdf[64];

	if (mods && load_vfio_modules())
		why = "the vfio modules did not load";
	else if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		why = "no vfio-pci in this guest";
	else if (find_edu(bdf, sizeof(bdf)))
		why = "no edu device";
	else if (!(bound = !rebind(bdf, "vfio-pci", "vfio-pci")))
		why = "edu did not bind to vfio-pci";
	expected = mods || !access("/sys/bus/pci/drivers/vfio-pci", F_OK);
	run_iommufd(bound ? bdf : NULL, small, reps);
	if (!why && (container = vfio_container(bdf, &group)) < 0)
		why = "no type1 container for edu's group";
	if (why) {
		fprintf(stderr, "bench: vfio_type1: %s\n", why);
		if (expected)
			failures++;
	}
	run_vfio_buffers((const struct vfio_method *const[]){ &vfio_type1 }, 1,
			 container, 0, why, small, reps);
	if (group >= 0)
		close(group);
	if (container >= 0)
		close(container);
	if (bound && rebind(bdf, "\n", "hugesg-edu")) {
		fprintf(stderr, "bench: edu not given back to hugesg-edu\n");
		failures++;
	}
}

/*
 * Options on the kernel command line, for a guest whose init runs the
 * program without arguments: hugesg_bench.clock=NAME, hugesg_bench.reps=N,
 * hugesg_bench.small=1.
 */
static void options_from_cmdline(int *reps, int *small)
{
	char line[4096], *s;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		s = strstr(line, "hugesg_bench.clock=");
		if (s)
			sscanf(s + strlen("hugesg_bench.clock="), "%15[a-z0-9_]",
			       clock_name);
		s = strstr(line, "hugesg_bench.reps=");
		if (s)
			*reps = atoi(s + strlen("hugesg_bench.reps="));
		if (strstr(line, "hugesg_bench.small=1"))
			*small = 1;
	}
	fclose(f);
}

/* One verified stream of @total bytes through @ring; its time or 0. */
static uint64_t time_stream(char *ring, size_t ring_len, unsigned int mode,
			    uint64_t total)
{
	struct hugesg_ring st;
	uint64_t t0;
	int64_t bad;
	int fd = hsg_open(), h;

	h = hsg_register(fd, ring, ring_len, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	if (fd < 0 || h <= 0 || hsg_stream(fd, h, mode, 0x5eed, total)) {
		fprintf(stderr, "bench: stream setup failed\n");
		failures++;
		close(fd);
		return 0;
	}
	t0 = now_ns();
	bad = consume_stream(fd, ring, ring_len, total, 0x5eed, &st);
	t0 = now_ns() - t0;
	close(fd);
	if (bad) {
		fprintf(stderr, "bench: stream: %lld (mismatches or -errno)\n",
			(long long)bad);
		failures++;
		return 0;
	}
	return t0;
}

static void run_streams(void)
{
	const size_t ring_len = 64 * MiB, total = 512 * MiB;
	char *ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
			  MAP_POPULATE, -1, 0);
	char *dst = mmap(NULL, ring_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	static const char *const modes[] = { "table", "desc" };
	uint64_t copy_ns, t;
	size_t done;
	unsigned int m;

	if (ring == MAP_FAILED || dst == MAP_FAILED) {
		fprintf(stderr, "bench: stream buffers: %s\n", strerror(errno));
		failures++;
		return;
	}
	t = now_ns();
	for (done = 0; done < total; done += ring_len)
		memcpy(dst, ring, ring_len);
	copy_ns = now_ns() - t;
	for (m = 0; m < 2; m++) {
		t = time_stream(ring, ring_len, m, total);
		if (t)
			printf("stream,%s,%s,%s,%zu,%llu,%llu\n", kernel, clock_name,
			       modes[m], total, (unsigned long long)t,
			       (unsigned long long)copy_ns);
	}
	munmap(ring, ring_len);
	munmap(dst, ring_len);
}

int main(int argc, char **argv)
{
	int reps = 5, small = 0, dev, i;
	long held;
	const char *env = getenv("HUGESG_BENCH_CLOCK");
	struct utsname u;

	options_from_cmdline(&reps, &small);
	if (env && *env)
		snprintf(clock_name, sizeof(clock_name), "%s", env);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--small")) {
			small = 1;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--clock") && i + 1 < argc) {
			snprintf(clock_name, sizeof(clock_name), "%s", argv[++i]);
		} else {
			fprintf(stderr, "usage: bench [--small] [--reps N] [--clock wall|icount]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "bench: --reps between 1 and %d\n", MAX_REPS);
		return 2;
	}
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	dev = open("/dev/hugesg_bench", O_RDWR);
	if (dev < 0) {
		/* (a TAP skip: the rig may list this program as a suite) */
		printf("1..0 # SKIP /dev/hugesg_bench: %s (hugesg_bench.ko not loaded)\n",
		       strerror(errno));
		return 0;
	}
	fprintf(stderr, "bench: max_segment %#x (the largest 2 MiB multiple in 32 bits) for every method but seed_gup (none); %d runs each, median times\n",
		MAX_SEGMENT, reps);
	printf("kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins,mapping\n");
	fflush(stdout);
	held = pins_held();
	run_buffers(dev, small, reps);
	close(dev);
	/* last: they take edu from hugesg-edu (and give it back) */
	run_vfio(small, reps);
	if (!small)
		run_streams();
	if (pins_held() != held) {
		fprintf(stderr, "bench: %ld pins held at the end, %ld at the start\n",
			pins_held(), held);
		failures++;
	}
	return failures ? 1 : 0;
}
