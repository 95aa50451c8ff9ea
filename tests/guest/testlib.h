/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the in-guest suites: memory of every kind the API must
 * handle, the test driver's ioctls, and the kernel's own counters (pins held,
 * hugepage pools, VmPin).  Each suite is a cmocka program with TAP output.
 */
#ifndef HUGESG_TESTLIB_H
#define HUGESG_TESTLIB_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/hugesg.h>

#include "hugesg_test.h"

#define KiB (1UL << 10)
#define MiB (1UL << 20)
#define GiB (1UL << 30)
#define SZ_4K (4 * KiB)
#define SZ_2M (2 * MiB)

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#define MAP_HUGE_2M (21 << MAP_HUGE_SHIFT)
#define MAP_HUGE_1G (30 << MAP_HUGE_SHIFT)
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21U << 26)
#endif

/* Per-test state: the driver file and the mappings to undo in teardown. */
struct tstate {
	int fd;
	int nmaps;
	void *maps[16];
	size_t lens[16];
	long pins_at_start;
	const void *arg;	/* per-test data of table-driven suites */
};

static inline long read_counter(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ' ' || line[klen] == ':' || line[klen] == '\t')) {
			val = strtol(line + klen + 1 + strspn(line + klen + 1, " \t:"),
				     NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

/*
 * Pins held in the whole system: acquired minus released, after folding the
 * per-CPU deltas into the global counters (vm.stat_refresh, root only); as
 * nobody (the unpriv guest), the same sum from the test module.
 */
static inline long pins_held(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	struct hugesg_test_req r = { 0 };

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			return -1000000;
		close(fd);
		return read_counter("/proc/vmstat", "nr_foll_pin_acquired") -
		       read_counter("/proc/vmstat", "nr_foll_pin_released");
	}
	fd = open("/dev/hugesg_test", O_RDWR);
	if (fd < 0 || ioctl(fd, HUGESG_TEST_PINS_HELD, &r))
		r.nents = (uint64_t)-1000000;
	if (fd >= 0)
		close(fd);
	return (long)r.nents;
}

/*
 * Does hugesg.ko pin through the kernel's own sg_alloc_table_from_user_pages()
 * (hugesg.kernel_pin, a kernel with the upstream series of issue 14)?  Its
 * pins are then one per folio range: a run of pages of one folio at
 * consecutive addresses, so a THP is pinned once where hugesg pins it once
 * per 4 KiB page.
 */
static inline int kernel_pin(void)
{
	FILE *f = fopen("/sys/module/hugesg/parameters/kernel_pin", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y' || c == '1';
}

/*
 * The pins a kernel that pins by folio ranges holds on [@p, @p + @len), all
 * of it mapped and pinned: walking the pages in address order, a page
 * starts a range unless it is the next physical page and a tail page of a
 * compound page (then of the folio of the page before it).  From
 * /proc/self/pagemap and /proc/kpageflags (root); -1 when they cannot be
 * read.
 */
#define KPF_COMPOUND_TAIL_BIT	16
static inline long folio_ranges(const void *p, size_t len)
{
	uintptr_t first = (uintptr_t)p & ~(SZ_4K - 1);
	size_t n = ((uintptr_t)p + len + SZ_4K - 1 - first) / SZ_4K, i, j;
	uint64_t *pm = malloc(n * 8), *fl = malloc(n * 8);
	int pmfd = open("/proc/self/pagemap", O_RDONLY);
	int kffd = open("/proc/kpageflags", O_RDONLY);
	long ranges = -1;

	if (!pm || !fl || pmfd < 0 || kffd < 0 ||
	    pread(pmfd, pm, n * 8, first / SZ_4K * 8) != (ssize_t)(n * 8))
		goto out;
	for (i = 0; i < n; i++) {
		pm[i] &= (1ULL << 55) - 1;
		if (!pm[i])
			goto out;
	}
	/* the flags, one read per run of physically contiguous pages */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && pm[j] == pm[j - 1] + 1; j++)
			;
		if (pread(kffd, fl + i, (j - i) * 8, pm[i] * 8) !=
		    (ssize_t)((j - i) * 8))
			goto out;
	}
	ranges = 0;
	for (i = 0; i < n; i++)
		if (!i || pm[i] != pm[i - 1] + 1 ||
		    !(fl[i] & (1ULL << KPF_COMPOUND_TAIL_BIT)))
			ranges++;
out:
	if (pmfd >= 0)
		close(pmfd);
	if (kffd >= 0)
		close(kffd);
	free(pm);
	free(fl);
	return ranges;
}

static inline long vmpin_kb(void)
{
	return read_counter("/proc/self/status", "VmPin");
}

/*
 * The configuration of this guest, hugesg_rig.config=NAME on its command
 * line (tests/vm/run-suite.sh): "" in the rig's default guest (strict
 * IOMMU, persistent pools, root), else noiommu, passthrough, swiotlb,
 * surplus or unpriv.
 */
static inline const char *rig_config(void)
{
	static char name[32];
	static int done;
	char line[4096], *p;
	FILE *f;

	if (done)
		return name;
	done = 1;
	f = fopen("/proc/cmdline", "r");
	if (!f)
		return name;
	if (fgets(line, sizeof(line), f)) {
		p = strstr(line, "hugesg_rig.config=");
		if (p)
			sscanf(p + strlen("hugesg_rig.config="), "%31[a-z]", name);
	}
	fclose(f);
	return name;
}

static inline int rig_config_is(const char *name)
{
	return !strcmp(rig_config(), name);
}

/* Whether DMA goes through an IOMMU that translates (not identity). */
static inline int rig_iommu_translates(void)
{
	return !rig_config_is("noiommu") && !rig_config_is("swiotlb") &&
	       !rig_config_is("passthrough");
}

/* Skip a test that needs root (the unpriv guest runs the suites as nobody). */
#define skip_unless_root(why)						\
	do {								\
		if (geteuid()) {					\
			print_message("# needs root: %s\n", why);	\
			skip();						\
		}							\
	} while (0)

/* The number a sysfs or procfs file holds, or -1. */
static inline long read_long(const char *path)
{
	long val = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

static inline long pool_file(unsigned long page_size, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/%s",
		 page_size / KiB, name);
	return read_long(path);
}

/*
 * The hugepages of @page_size a mapping can still get: the free ones, and
 * where overcommit allows more than the pool (the rig's surplus guest)
 * those it may still allocate.  Taking one lowers it by one, its release
 * raises it again, whether the page was the pool's or surplus.
 */
static inline long pool_free(unsigned long page_size)
{
	long free = pool_file(page_size, "free_hugepages");
	long over = pool_file(page_size, "nr_overcommit_hugepages");
	long surplus = pool_file(page_size, "surplus_hugepages");

	if (free < 0)
		return -1;
	return free + (over > surplus ? over - surplus : 0);
}

/* The hugepages of @page_size in use: the pool's and surplus ones. */
static inline long pool_in_use(unsigned long page_size)
{
	return pool_file(page_size, "nr_hugepages") -
	       pool_file(page_size, "free_hugepages");
}

/*
 * Declare the kernel report (or the driver's alarm) that the next step
 * provokes on purpose: rig_expect("begin", TAG) before the step,
 * rig_expect("end", TAG) right after it.  TAG names the report: the log
 * scanner (tests/vm/scan-log.sh) takes its pattern from its table of
 * expected reports, fails on any other report inside the window, on a
 * window where the report never appeared and on an "end" whose TAG is not
 * open.  Keep the window to the provoking step: it hides nothing else, but
 * what happens in it is only checked against TAG's pattern.
 */
static inline void rig_expect(const char *what, const char *tag)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (f) {
		fprintf(f, "<4>hugesg-rig: expect-%s %s\n", what, tag);
		fclose(f);
	}
}

/*
 * The value of hugesg_rig.@name=VALUE on the kernel command line (the rig
 * passes HUGESG_APPEND there), or @def when it is not given.
 */
static inline unsigned long long rig_param(const char *name,
					   unsigned long long def)
{
	char line[4096], key[64], *tok, *save;
	unsigned long long val = def;
	size_t klen;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return def;
	klen = snprintf(key, sizeof(key), "hugesg_rig.%s=", name);
	if (fgets(line, sizeof(line), f))
		for (tok = strtok_r(line, "\n ", &save); tok;
		     tok = strtok_r(NULL, "\n ", &save))
			if (!strncmp(tok, key, klen))
				val = strtoull(tok + klen, NULL, 0);
	fclose(f);
	return val;
}

/* A seeded PRNG for the random-order tests (splitmix64): the next value. */
static inline uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* Write @val to the file @path (sysfs, debugfs, proc): 0 or -1. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static inline int tstate_setup(void **state)
{
	struct tstate *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	t->fd = open("/dev/hugesg_test", O_RDWR);
	if (t->fd < 0) {
		free(t);
		return -1;
	}
	t->pins_at_start = pins_held();
	*state = t;
	return 0;
}

/* Close (which releases all the driver holds), unmap, check nothing leaked. */
static inline int tstate_teardown(void **state)
{
	struct tstate *t = *state;
	long pins;
	int i;

	close(t->fd);
	for (i = 0; i < t->nmaps; i++)
		munmap(t->maps[i], t->lens[i]);
	pins = pins_held();
	if (pins != t->pins_at_start) {
		print_error("teardown: %ld pins held, %ld at start\n", pins,
			    t->pins_at_start);
		free(t);
		return -1;
	}
	free(t);
	return 0;
}

static inline void *track(struct tstate *t, void *p, size_t len)
{
	if (p == MAP_FAILED || !p)
		return NULL;
	t->maps[t->nmaps] = p;
	t->lens[t->nmaps++] = len;
	return p;
}

static inline void touch(void *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += SZ_4K)
		((volatile char *)p)[i] = 1;
}

/* Anonymous private hugetlb memory of page size 1 << shift, populated. */
static inline char *map_huge(struct tstate *t, size_t len, int shift)
{
	return track(t, mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			     MAP_POPULATE | (shift << MAP_HUGE_SHIFT), -1, 0),
		     len);
}

/* A shared mapping of a file on the mounted 2 MiB hugetlbfs. */
static inline char *map_hugetlbfs_shared(struct tstate *t, size_t len)
{
	char path[] = "/mnt/huge2m/testXXXXXX";
	int fd = mkstemp(path);
	char *p;

	if (fd < 0)
		return NULL;
	unlink(path);
	if (ftruncate(fd, len)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, 0);
	close(fd);
	return track(t, p, len);
}

static inline int memfd_huge(size_t len)
{
	int fd = memfd_create("hugesg", MFD_HUGETLB | MFD_HUGE_2MB);

	if (fd >= 0 && ftruncate(fd, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline char *map_memfd_huge(struct tstate *t, size_t len)
{
	int fd = memfd_huge(len);
	char *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, 0);
	close(fd);
	return track(t, p, len);
}

/* Ordinary anonymous memory, 2 MiB aligned, with or without THP. */
static inline char *map_anon(struct tstate *t, size_t len, int thp)
{
	char *p = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	track(t, p, len + SZ_2M);
	a = (char *)(((uintptr_t)p + SZ_2M - 1) & ~(SZ_2M - 1));
	madvise(a, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	touch(a, len);
	return a;
}

/*
 * Two adjacent hugetlb mappings: @n2m 2 MiB pages, then one 1 GiB page at a
 * 1 GiB-aligned address.  Returns the start of the 2 MiB part.
 */
static inline char *map_mixed(struct tstate *t, size_t n2m)
{
	size_t span = 3 * GiB;
	char *base = mmap(NULL, span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *g, *p;

	if (base == MAP_FAILED)
		return NULL;
	track(t, base, span);
	g = (char *)(((uintptr_t)base + GiB + GiB - 1) & ~(GiB - 1));
	p = mmap(g - n2m * SZ_2M, n2m * SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
		 MAP_POPULATE | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mmap(g, GiB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1G |
		 MAP_POPULATE | MAP_FIXED, -1, 0) == MAP_FAILED)
		return NULL;
	return p;
}

/* A request to the test driver; returns 0 or -errno. */
static inline int treq(struct tstate *t, unsigned long cmd, const void *start,
		       size_t len, unsigned int max_segment, unsigned int flags,
		       struct hugesg_test_entry *e, size_t max_entries,
		       struct hugesg_test_req *out)
{
	struct hugesg_test_req r = {
		.start = (uintptr_t)start,
		.len = len,
		.flags = flags,
		.max_segment = max_segment,
		.entries = (uintptr_t)e,
		.max_entries = max_entries,
	};

	if (ioctl(t->fd, cmd, &r))
		return -errno;
	if (out)
		*out = r;
	return 0;
}

static inline void trelease(struct tstate *t, unsigned long cmd)
{
	struct hugesg_test_req r = { 0 };

	assert_int_equal(ioctl(t->fd, cmd, &r), 0);
}

#endif /* HUGESG_TESTLIB_H */
