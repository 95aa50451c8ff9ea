// SPDX-License-Identifier: GPL-2.0
/*
 * The in-guest driver of the pinning benchmark (bench/run-bench.sh): for
 * each buffer, every method of hugesg_bench.ko registers and releases the
 * same buffer several times; the median times and the figures of the first
 * run are printed as CSV rows on stdout, notes on stderr.
 *
 * usage: bench [--small] [--reps N] [--clock wall|icount]
 *   --small  only the 2 MiB buffer (a quick check for `make test`)
 *   --clock  else $HUGESG_BENCH_CLOCK, else hugesg_bench.clock= on the
 *            kernel command line, else "wall"
 * Defaults may also come from the kernel command line (see below).
 *
 * Every buffer is a hugetlb memfd mapped shared and populated, so that the
 * memfd method pins the very pages the others pin through the mapping.
 *
 * Then (not with --small) the hugesg-fpga engine streams through a 64 MiB
 * ring of 2 MiB pages, as a hugepage table and as descriptors, every word
 * verified in place, against a plain memcpy() of the same size: rows
 * "stream,KERNEL,CLOCK,MODE,BYTES,STREAM_NS,MEMCPY_NS".
 */
#include <sys/utsname.h>

#include <time.h>

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

static const char *const method_names[HUGESG_BENCH_NR_METHODS] = {
	[HUGESG_BENCH_SEED_GUP] = "seed_gup",
	[HUGESG_BENCH_PIN_ALL] = "pin_all",
	[HUGESG_BENCH_RDMA_CHUNKED] = "rdma_chunked",
	[HUGESG_BENCH_IOURING_COALESCE] = "iouring_coalesce",
	[HUGESG_BENCH_MEMFD_FOLIOS] = "memfd_folios",
	[HUGESG_BENCH_HUGESG_HUGE] = "hugesg_huge",
	[HUGESG_BENCH_HUGESG_AUTO] = "hugesg_auto",
};

struct buffer {
	size_t page_size;
	size_t len;
	unsigned int mfd_flags;
};

static const struct buffer buffers[] = {
	{ SZ_2M, SZ_2M, MFD_HUGE_2MB },
	{ SZ_2M, 64 * MiB, MFD_HUGE_2MB },
	{ SZ_2M, GiB, MFD_HUGE_2MB },
	{ GiB, GiB, MFD_HUGE_1GB },
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

static void row_prefix(const char *method, const struct buffer *b)
{
	printf("%s,%s,%s,%zu,%zu,", kernel, clock_name, method, b->page_size,
	       b->len);
}

/* Run one method @reps times on the buffer at @p (memfd @mfd). */
static void run_method(int dev, int method, const struct buffer *b, void *p,
		       int mfd, int reps)
{
	uint64_t reg[MAX_REPS], unreg[MAX_REPS];
	struct hugesg_bench_run first = { 0 };
	long vm_pins = 0;
	int i;

	for (i = 0; i < reps; i++) {
		struct hugesg_bench_run r = {
			.start = (uintptr_t)p,
			.len = b->len,
			.memfd = mfd,
			.method = method,
			.max_segment = MAX_SEGMENT,
			.dma = i == 0,
		};
		long before = pins_acquired();

		if (ioctl(dev, HUGESG_BENCH_RUN, &r)) {
			if (errno != EOPNOTSUPP) {
				fprintf(stderr, "bench: %s on %zu bytes of %zu-byte pages: %s\n",
					method_names[method], b->len,
					b->page_size, strerror(errno));
				failures++;
			} else {
				fprintf(stderr, "bench: %s: not in this kernel\n",
					method_names[method]);
			}
			row_prefix(method_names[method], b);
			printf(",,,,,,\n");
			fflush(stdout);
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
	row_prefix(method_names[method], b);
	printf("%llu,%llu,%llu,%llu,%llu,%llu,%lld\n",
	       (unsigned long long)median(reg, reps),
	       (unsigned long long)median(unreg, reps),
	       (unsigned long long)first.transient_bytes,
	       (unsigned long long)first.persistent_bytes,
	       (unsigned long long)first.sg_entries,
	       (unsigned long long)first.dma_segments,
	       (long long)(first.pins >= 0 ? first.pins : vm_pins));
	fflush(stdout);
}

static void run_buffer(int dev, const struct buffer *b, int reps)
{
	int mfd = memfd_create("hugesg_bench", MFD_HUGETLB | b->mfd_flags);
	void *p;
	int m;

	if (mfd < 0 || ftruncate(mfd, b->len)) {
		fprintf(stderr, "bench: memfd of %zu bytes of %zu-byte pages: %s\n",
			b->len, b->page_size, strerror(errno));
		failures++;
		if (mfd >= 0)
			close(mfd);
		return;
	}
	p = mmap(NULL, b->len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, mfd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "bench: mmap of %zu bytes of %zu-byte pages: %s\n",
			b->len, b->page_size, strerror(errno));
		failures++;
		close(mfd);
		return;
	}
	memset(p, 0x5a, b->len);
	for (m = 0; m < HUGESG_BENCH_NR_METHODS; m++)
		run_method(dev, m, b, p, mfd, reps);
	munmap(p, b->len);
	close(mfd);
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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
	printf("kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins\n");
	fflush(stdout);
	held = pins_held();
	for (i = 0; i < (small ? 1 : (int)(sizeof(buffers) / sizeof(buffers[0]))); i++)
		run_buffer(dev, &buffers[i], reps);
	close(dev);
	if (!small)
		run_streams();
	if (pins_held() != held) {
		fprintf(stderr, "bench: %ld pins held at the end, %ld at the start\n",
			pins_held(), held);
		failures++;
	}
	return failures ? 1 : 0;
}
