// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg: command-line tool of the hugesg driver (/dev/hugesg).
 *
 *   hugesg info      hugepage pools, modules, the driver, its devices, IOMMU
 *   hugesg stream    FPGA pattern into a hugepage ring, verified in place
 *   hugesg copy      device-mediated copy between two hugepage buffers
 *
 * Exit codes:
 *   0  success
 *   1  verification failure (data differs from the pattern)
 *   2  usage error
 *   3  environment problem: no hugepages, no device or module, no engine
 *   4  device or DMA error, or timeout
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libhugesg.h"

enum { EX_OK, EX_MISMATCH, EX_USAGE, EX_ENV, EX_DEVICE };

#define DEFAULT_SEED	UINT64_C(0x5eed0f4a6e5e9d11)
#define WAIT_MS		10000	/* RING_WAIT at full speed */

static const char exit_codes[] =
	"Exit codes: 0 success, 1 verification failure, 2 usage error,\n"
	"3 environment problem (no hugepages, no device/module, no engine),\n"
	"4 device/DMA error or timeout.\n";

static const char main_help[] =
	"usage: hugesg [--help] COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  info     hugepage pools, driver, and every device: engine, PCI address, IOMMU, state\n"
	"  stream   stream the FPGA pattern into a hugepage ring and verify it in place\n"
	"  copy     copy between two hugepage buffers through the edu device, verify it\n"
	"\n"
	"Run 'hugesg COMMAND --help' for the options of a command.\n";

static const char info_help[] =
	"usage: hugesg info\n"
	"\n"
	"Show the hugepage pools of every size, whether the modules hugesg and\n"
	"hugesg_drv are loaded and /dev/hugesg exists, the ABI version, the\n"
	"engines found with whether each is behind a translating IOMMU, and every\n"
	"device (board) with its id, engine, PCI address, IOMMU mode (strict,\n"
	"lazy, or none: DMA direct) and state (ready, or wedged: it did not stop).\n"
	"The id or PCI address is what --device of the other commands takes.\n"
	"Exits 3 when hugesg cannot work here: no driver, no engine, no hugepages.\n";

static const char stream_help[] =
	"usage: hugesg stream [OPTIONS]\n"
	"\n"
	"Register a ring of hugepages with the FPGA engine, stream its pattern\n"
	"(the 64-bit word at stream offset o is o ^ seed) and verify every word\n"
	"in place before acknowledging it.  With --to-device the other way: the\n"
	"pattern is produced into the ring in place and handed to the device,\n"
	"which checks every word and sums every byte; its checksum must equal\n"
	"the one computed here.\n"
	"\n"
	"  --size BYTES     ring size (default 64M); suffixes k, M, G\n"
	"  --total BYTES    bytes to stream (default 1G)\n"
	"  --page 2M|1G     hugepage size (default 2M)\n"
	"  --mode table|desc  hugepage table in the BAR, or descriptors in memory\n"
	"  --seed N         pattern seed (default 0x5eed0f4a6e5e9d11)\n"
	"  --rate BYTES     bytes per millisecond of device time (default: full speed)\n"
	"  --memfd          memfd_create(MFD_HUGETLB) ring instead of anonymous\n"
	"  --to-device      play the pattern out to the device instead\n"
	"  --device ID|PCI  the hugesg-fpga board, by id or PCI address as\n"
	"                   'hugesg info' lists it (default: the first)\n"
	"  --quiet          no progress on stderr\n"
	"\n"
	"Prints 'stream: N bytes verified, M mismatches, ...' on stdout.\n";

static const char copy_help[] =
	"usage: hugesg copy [--engine edu] [--device ID|PCI] [--size BYTES] [--page 2M|1G]\n"
	"                   [--offset N]\n"
	"\n"
	"Fill a hugepage buffer with the pattern, have the device copy --size bytes\n"
	"(default 16k) from --offset (default: across the first hugepage boundary)\n"
	"into a second buffer at the same offset, and verify the copy and the bytes\n"
	"around it.  Sizes and offsets: multiples of 8, suffixes k, M, G.  --device\n"
	"picks the edu device by id or PCI address as 'hugesg info' lists it\n"
	"(default: the first).\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("hugesg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hugesg %s--help'.\n", cmd);
	return EX_USAGE;
}

/* The exit code for a failure with @err (a negative errno). */
static int exit_code(int err)
{
	switch (-err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case ENOMEM:
	case EPERM:
	case EACCES:
	case ENOTTY:
		return EX_ENV;
	default:
		return EX_DEVICE;
	}
}

/* Print the library's message; the exit code for @err. */
static int lib_failure(int err)
{
	fprintf(stderr, "hugesg: %s\n", hsg_last_error());
	return exit_code(err);
}

/* A command's help with the exit codes, on stdout. */
static int help(const char *text)
{
	printf("%s\n%s", text, exit_codes);
	return EX_OK;
}

static int size_arg(const char *cmd, const char *opt, const char *arg, uint64_t *v)
{
	if (hsg_parse_size(arg, v))
		return usage_error(cmd, "%s: %s", opt, hsg_last_error());
	return EX_OK;
}

static int page_arg(const char *cmd, const char *arg, uint64_t *page)
{
	if (size_arg(cmd, "--page", arg, page))
		return EX_USAGE;
	if (*page != HSG_PAGE_2M && *page != HSG_PAGE_1G)
		return usage_error(cmd, "--page must be 2M or 1G, not '%s'", arg);
	return EX_OK;
}

static const char *page_name(uint64_t page)
{
	return page == HSG_PAGE_1G ? "1G" : "2M";
}

/*
 * Open the driver and check that it has @engine and, with @device (a
 * user's --device, NULL: the first of @engine), that device: *@id gets
 * its id, 0 for the first.  An exit code: a --device that is no id or
 * PCI address, or names a device of another engine, is a usage error.
 */
static int open_engine(unsigned int engine, const char *device, int *fd,
		       uint32_t *id)
{
	struct hugesg_device dev;
	struct hugesg_info info;
	int rc;

	*id = 0;
	*fd = hsg_open(NULL);
	if (*fd < 0)
		return lib_failure(*fd);
	rc = hsg_info(*fd, &info);
	if (!rc && device) {
		rc = hsg_device_find(*fd, device, engine, &dev);
		*id = dev.id;
	}
	if (rc) {
		hsg_close(*fd);
		if (rc == -EINVAL)
			return usage_error(engine == HUGESG_ENGINE_EDU ? "copy " : "stream ",
					   "--device: %s", hsg_last_error());
		return lib_failure(rc);
	}
	if (!(info.engines & (1U << engine))) {
		fprintf(stderr, "hugesg: no %s engine found: add it to the machine (QEMU: -device %s)\n",
			hsg_engine_name(engine),
			engine == HUGESG_ENGINE_FPGA ? "hugesg-fpga" : "edu");
		hsg_close(*fd);
		return EX_ENV;
	}
	return EX_OK;
}

/* ---- info ---------------------------------------------------------------- */

static bool show_pools(void)
{
	struct hsg_pool pools[8];
	char name[16];
	bool any = false;
	int i, n = hsg_pools(pools, 8);

	printf("hugepage pools:\n");
	for (i = 0; i < n && i < 8; i++) {
		printf("  %-5s %ld total, %ld free\n",
		       hsg_format_size(pools[i].page_size, name, sizeof(name)),
		       pools[i].total, pools[i].free);
		any |= pools[i].total > 0;
	}
	if (!any)
		printf("  none reserved: echo N > /proc/sys/vm/nr_hugepages, or hugepagesz=1G hugepages=N at boot\n");
	return any;
}

/* Every device: id, engine, PCI address, IOMMU mode, state. */
static void show_devices(int fd)
{
	struct hugesg_device devs[64];
	char pci[32];
	int i, n = hsg_devices(fd, devs, 64);

	if (n < 0) {
		printf("devices: %s\n", hsg_last_error());
		return;
	}
	printf("devices: %d\n", n);
	for (i = 0; i < n && i < 64; i++)
		printf("  device %u: %-4s %s, IOMMU %s, %s\n", devs[i].id,
		       hsg_engine_name(devs[i].engine),
		       hsg_device_pci_name(&devs[i], pci, sizeof(pci)),
		       hsg_iommu_name(devs[i].iommu),
		       hsg_device_state_name(devs[i].state));
	if (n > 64)
		printf("  and %d more\n", n - 64);
}

static bool show_device(void)
{
	struct hugesg_info info;
	unsigned int e;
	int fd, rc;

	printf("module hugesg: %s\n", hsg_module_loaded("hugesg") ? "loaded" : "not loaded");
	printf("module hugesg_drv: %s\n", hsg_module_loaded("hugesg_drv") ? "loaded" : "not loaded");
	fd = hsg_open(NULL);
	if (fd < 0) {
		printf("%s: %s\n", fd == -ENOENT ? "driver: not loaded" : "device", hsg_last_error());
		return false;
	}
	rc = hsg_info(fd, &info);
	if (rc) {
		hsg_close(fd);
		printf("device " HSG_DEFAULT_DEVICE ": %s\n", hsg_last_error());
		return false;
	}
	printf("device " HSG_DEFAULT_DEVICE ": ABI version %u (this tool: %u), up to %u registrations per file\n",
	       info.abi_version, HUGESG_ABI_VERSION, info.max_registrations);
	for (e = HUGESG_ENGINE_FPGA; e <= HUGESG_ENGINE_EDU; e++)
		printf("engine %s: %s\n", hsg_engine_name(e),
		       !(info.engines & (1U << e)) ? "not found" :
		       info.iommu & (1U << e) ? "found, behind a translating IOMMU" :
		       "found, no translating IOMMU (bus addresses are physical)");
	show_devices(fd);
	hsg_close(fd);
	if (info.abi_version != HUGESG_ABI_VERSION)
		printf("ABI mismatch: build the driver and this tool from the same tree\n");
	return info.engines && info.abi_version == HUGESG_ABI_VERSION;
}

static int cmd_info(int argc, char **argv)
{
	bool pools_ok, dev_ok;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		return help(info_help);
	}
	if (argc > 1)
		return usage_error("info ", "unexpected argument '%s'", argv[1]);
	pools_ok = show_pools();
	dev_ok = show_device();
	return pools_ok && dev_ok ? EX_OK : EX_ENV;
}

/* ---- stream ---------------------------------------------------------------- */

struct stream_opts {
	uint64_t size, total, page, seed, rate;
	unsigned int mode;
	bool memfd, quiet, to_device;
	const char *device;	/* --device, NULL: the first */
};

struct verify {
	uint64_t seed, mismatches, first_bad;
};

static int verify_chunk(const void *data, size_t len, uint64_t off, void *arg)
{
	struct verify *v = arg;
	uint64_t first, bad = hsg_pattern_verify(data, len, off, v->seed, &first);

	if (bad && !v->mismatches)
		v->first_bad = first;
	v->mismatches += bad;
	return 0;
}

struct progress {
	bool tty, quiet;
	double t0, last;
	uint64_t total;
};

static double mb_per_s(uint64_t bytes, double t0)
{
	double dt = now_s() - t0;

	return dt > 0 ? bytes / 1e6 / dt : 0;
}

/* A bar on a terminal, a line per second otherwise, nothing if quiet. */
static void progress(struct progress *p, const struct hugesg_ring *st, bool final)
{
	static const char bar[] = "##############################";
	int width = sizeof(bar) - 1, fill;
	double now = now_s(), frac = (double)st->read_ptr / p->total;

	if (p->quiet || (!final && now - p->last < (p->tty ? 0.2 : 1.0)))
		return;
	p->last = now;
	if (!p->tty) {
		if (!final)
			fprintf(stderr, "progress: %" PRIu64 " of %" PRIu64 " bytes, %.1f MB/s, %" PRIu64 " overruns\n",
				(uint64_t)st->read_ptr, p->total, mb_per_s(st->read_ptr, p->t0),
				(uint64_t)st->overruns);
		return;
	}
	fill = (int)(frac * width);
	fprintf(stderr, "\r[%.*s%*s] %3.0f%% %8.1f MB/s %" PRIu64 " overruns%s",
		fill, bar, width - fill, "", frac * 100, mb_per_s(st->read_ptr, p->t0),
		(uint64_t)st->overruns, final ? "\n" : "");
}

/* RING_WAIT's timeout: long enough for a wait of @bytes at the set rate. */
static uint32_t wait_ms(uint64_t bytes, uint64_t rate)
{
	uint64_t ms = rate ? 2 * (bytes / rate) + WAIT_MS : WAIT_MS;

	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Stream o->total bytes through the ring, verifying; 0 or -errno. */
static int run_stream(int fd, const struct hsg_buf *ring, uint32_t handle,
		      const struct stream_opts *o, struct verify *v,
		      struct hugesg_ring *st)
{
	struct hugesg_stream s = {
		.handle = handle,
		.mode = o->mode,
		.seed = o->seed,
		.limit = o->total,
		.rate = o->rate,
	};
	struct progress p = {
		.tty = isatty(STDERR_FILENO), .quiet = o->quiet,
		.t0 = now_s(), .total = o->total,
	};
	uint64_t want;
	int rc = hsg_stream_start(fd, &s);

	while (!rc && st->read_ptr < o->total) {
		want = o->total - st->read_ptr;
		if (want > ring->len / 4)
			want = ring->len / 4;
		rc = hsg_ring_consume(fd, ring->addr, want, wait_ms(want, o->rate),
				      verify_chunk, v, st);
		if (rc)
			break;
		progress(&p, st, false);
		if (st->state == HUGESG_RING_ERROR) {
			fprintf(stderr, "%shugesg: the engine stopped on %" PRIu64 " DMA errors: see dmesg\n",
				p.tty && p.last ? "\n" : "", (uint64_t)st->dma_errors);
			return -EIO;
		}
		if (st->state != HUGESG_RING_RUNNING && st->write_ptr == st->read_ptr &&
		    st->read_ptr < o->total) {
			fprintf(stderr, "%shugesg: the stream ended after %" PRIu64 " of %" PRIu64 " bytes\n",
				p.tty && p.last ? "\n" : "", (uint64_t)st->read_ptr, o->total);
			return -EIO;
		}
	}
	if (rc) {
		fprintf(stderr, "%shugesg: %s\n", p.tty && p.last ? "\n" : "", hsg_last_error());
		hsg_stream_stop(fd, NULL);
		return rc;
	}
	progress(&p, st, true);
	return 0;
}

/*
 * The stream's ring on the FPGA engine's file @fd: allocated, registered
 * for device @id (0: the first hugesg-fpga) with @flags (HUGESG_WRITE when
 * the device writes it) and, for a hugepage
 * table, checked to have DMA segments of whole pages.  0 or an exit code;
 * the caller frees @ring and closes @fd either way.
 */
static int stream_ring(const struct stream_opts *o, int fd, uint32_t id,
		       unsigned int flags, struct hsg_buf *ring,
		       struct hugesg_register *reg)
{
	int rc = hsg_buf_alloc(ring, o->size, o->page, o->memfd ? HSG_MEMFD : HSG_ANON);

	if (!rc)
		rc = hsg_register_device(fd, ring->addr, ring->len, HUGESG_HUGE | flags,
					 HUGESG_ENGINE_FPGA, id, reg);
	if (rc)
		return lib_failure(rc);
	/*
	 * A hugepage table names one bus address per page: DMA segments
	 * shorter than the pages (bounced through swiotlb, or a device's
	 * segment limit below them) cannot be described by one.
	 */
	if (o->mode == HUGESG_STREAM_TABLE &&
	    reg->nr_dma_segments > ring->len / o->page) {
		fprintf(stderr, "hugesg: the ring's %u DMA segments are shorter than its %s pages (the DMA layer bounces or splits them, as with swiotlb and no IOMMU): no hugepage table can describe it; use --mode desc\n",
			reg->nr_dma_segments, page_name(o->page));
		return EX_DEVICE;
	}
	return EX_OK;
}

static int do_stream(const struct stream_opts *o)
{
	struct verify v = { .seed = o->seed, .first_bad = UINT64_MAX };
	struct hugesg_ring st = { 0 };
	struct hugesg_register reg;
	struct hsg_buf ring;
	uint32_t id;
	double t0;
	int fd, rc;

	rc = open_engine(HUGESG_ENGINE_FPGA, o->device, &fd, &id);
	if (rc)
		return rc;
	rc = stream_ring(o, fd, id, HUGESG_WRITE, &ring, &reg);
	if (rc)
		goto out_fd;
	t0 = now_s();
	rc = run_stream(fd, &ring, reg.handle, o, &v, &st);
	if (rc) {
		rc = exit_code(rc);	/* run_stream() said why */
		goto out_fd;
	}
	printf("stream: %" PRIu64 " bytes verified, %" PRIu64 " mismatches, %" PRIu64
	       " overruns, %.1f MB/s, mode %s, page %s, device %u\n",
	       (uint64_t)st.read_ptr, v.mismatches, (uint64_t)st.overruns,
	       mb_per_s(st.read_ptr, t0),
	       o->mode == HUGESG_STREAM_DESC ? "desc" : "table", page_name(o->page),
	       reg.device);
	if (v.mismatches)
		fprintf(stderr, "hugesg: first mismatch at stream offset 0x%" PRIx64 "\n",
			v.first_bad);
	rc = v.mismatches ? EX_MISMATCH : EX_OK;
out_fd:
	hsg_close(fd);	/* releases the registration */
	hsg_buf_free(&ring);
	return rc;
}

struct produce {
	uint64_t seed, checksum;
};

/* Produce the pattern into the ring's room, summing what is handed over. */
static int produce_chunk(void *data, size_t len, uint64_t off, void *arg)
{
	struct produce *pr = arg;

	hsg_pattern_fill(data, len, off, pr->seed);
	pr->checksum = hsg_fnv1a(pr->checksum, data, len);
	return 0;
}

/*
 * Play o->total bytes of the pattern out through the ring; then wait for
 * the device to have consumed them all.  0 or -errno.
 */
static int run_stream_to_device(int fd, const struct hsg_buf *ring,
				uint32_t handle, const struct stream_opts *o,
				struct produce *pr, struct hugesg_ring *st)
{
	struct hugesg_stream s = {
		.handle = handle, .mode = o->mode, .flags = HUGESG_STREAM_TO_DEVICE,
		.seed = o->seed, .limit = o->total, .rate = o->rate,
	};
	struct progress p = {
		.tty = isatty(STDERR_FILENO), .quiet = o->quiet,
		.t0 = now_s(), .total = o->total,
	};
	uint64_t want, piece = ring->len / 4;
	int rc = hsg_stream_start(fd, &s);

	while (!rc && st->write_ptr < o->total) {
		want = o->total - st->write_ptr < piece ? o->total - st->write_ptr : piece;
		rc = hsg_ring_produce(fd, ring->addr, want, want,
				      wait_ms(want, o->rate), produce_chunk, pr, st);
		if (!rc && st->state == HUGESG_RING_ERROR) {
			fprintf(stderr, "%shugesg: the engine stopped on %" PRIu64 " DMA errors: see dmesg\n",
				p.tty && p.last ? "\n" : "", (uint64_t)st->dma_errors);
			return -EIO;
		}
		if (!rc)
			progress(&p, st, false);
	}
	/* all handed over: wait until the device consumed it all */
	while (!rc && st->state == HUGESG_RING_RUNNING)
		rc = hsg_ring_wait(fd, st->ring_size, wait_ms(st->ring_size, o->rate), st);
	if (rc) {
		fprintf(stderr, "%shugesg: %s\n", p.tty && p.last ? "\n" : "", hsg_last_error());
		hsg_stream_stop(fd, NULL);
		return rc;
	}
	progress(&p, st, true);
	return 0;
}

static int do_stream_to_device(const struct stream_opts *o)
{
	struct produce pr = { .seed = o->seed, .checksum = HSG_FNV1A_INIT };
	struct hugesg_ring st = { 0 };
	struct hugesg_register reg;
	struct hsg_buf ring;
	uint32_t id;
	bool ok;
	double t0;
	int fd, rc;

	rc = open_engine(HUGESG_ENGINE_FPGA, o->device, &fd, &id);
	if (rc)
		return rc;
	/* the device only reads it: no HUGESG_WRITE, mapped DMA_TO_DEVICE */
	rc = stream_ring(o, fd, id, 0, &ring, &reg);
	if (rc)
		goto out_fd;
	t0 = now_s();
	rc = run_stream_to_device(fd, &ring, reg.handle, o, &pr, &st);
	if (rc) {
		rc = exit_code(rc);
		goto out_fd;
	}
	rc = hsg_stream_stop(fd, &st);
	if (rc) {
		rc = lib_failure(rc);
		goto out_fd;
	}
	ok = st.state == HUGESG_RING_DONE && st.read_ptr == o->total &&
	     !st.mismatches && st.checksum == pr.checksum;
	printf("stream: %" PRIu64 " bytes verified by the device, %" PRIu64
	       " mismatches, checksum %s (%#" PRIx64 "), %.1f MB/s, to device, mode %s, page %s, device %u\n",
	       (uint64_t)st.read_ptr, (uint64_t)st.mismatches,
	       st.checksum == pr.checksum ? "equal" : "DIFFERS", (uint64_t)st.checksum,
	       mb_per_s(st.read_ptr, t0),
	       o->mode == HUGESG_STREAM_DESC ? "desc" : "table", page_name(o->page),
	       reg.device);
	if (!ok)
		fprintf(stderr, "hugesg: the device consumed %" PRIu64 " of %" PRIu64
			" bytes (state %u), checksum %#" PRIx64 ", expected %#" PRIx64 "\n",
			(uint64_t)st.read_ptr, o->total, st.state, (uint64_t)st.checksum,
			pr.checksum);
	rc = ok ? EX_OK : EX_MISMATCH;
out_fd:
	hsg_close(fd);
	hsg_buf_free(&ring);
	return rc;
}

static int cmd_stream(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "total", required_argument, NULL, 't' },
		{ "page", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'S' },
		{ "rate", required_argument, NULL, 'r' },
		{ "memfd", no_argument, NULL, 'M' },
		{ "to-device", no_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct stream_opts o = {
		.size = 64 << 20, .total = 1 << 30, .page = HSG_PAGE_2M,
		.seed = DEFAULT_SEED, .mode = HUGESG_STREAM_TABLE,
	};
	char *end;
	int c, rc = EX_OK;

	while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			rc = size_arg("stream ", "--size", optarg, &o.size);
			break;
		case 't':
			rc = size_arg("stream ", "--total", optarg, &o.total);
			break;
		case 'r':
			rc = size_arg("stream ", "--rate", optarg, &o.rate);
			break;
		case 'p':
			rc = page_arg("stream ", optarg, &o.page);
			break;
		case 'm':
			if (!strcmp(optarg, "table") || !strcmp(optarg, "desc"))
				o.mode = !strcmp(optarg, "desc") ? HUGESG_STREAM_DESC : HUGESG_STREAM_TABLE;
			else
				rc = usage_error("stream ", "--mode must be table or desc");
			break;
		case 'S':
			errno = 0;
			o.seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg)
				rc = usage_error("stream ", "--seed: bad number '%s'", optarg);
			break;
		case 'M':
			o.memfd = true;
			break;
		case 'T':
			o.to_device = true;
			break;
		case 'd':
			o.device = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			return help(stream_help);
		default:	/* getopt_long() said why */
			fprintf(stderr, "Try 'hugesg stream --help'.\n");
			return EX_USAGE;
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return usage_error("stream ", "unexpected argument '%s'", argv[optind]);
	if (!o.size || !o.total || o.total % 8)
		return usage_error("stream ", "--size and --total must be non-zero, --total a multiple of 8");
	return o.to_device ? do_stream_to_device(&o) : do_stream(&o);
}

/* ---- copy ------------------------------------------------------------------ */

#define GUARD 4096
#define FILL 0xa5

struct copy_opts {
	uint64_t size, page, offset;
	const char *device;	/* --device, NULL: the first */
};

/* Bytes of [@from, @to) of the destination that are not FILL any more. */
static uint64_t count_changed(const unsigned char *p, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (; from < to; from++)
		n += p[from] != FILL;
	return n;
}

/* Copy, then compare the copy with the pattern and its surroundings. */
static int copy_and_check(int fd, const struct hsg_buf *dst, uint32_t src_h,
			  uint32_t dst_h, const struct copy_opts *o)
{
	struct hugesg_transfer t = {
		.engine = HUGESG_ENGINE_EDU,
		.src_handle = src_h,
		.dst_handle = dst_h,
		.src_offset = o->offset,
		.dst_offset = o->offset,
		.len = o->size,
		.timeout_ms = WAIT_MS + o->size / 4096 * 500,
	};
	uint64_t end = o->offset + o->size, first, bad, around;
	double t0 = now_s();
	int rc = hsg_transfer(fd, &t);

	if (rc)
		return lib_failure(rc);
	bad = hsg_pattern_verify((char *)dst->addr + o->offset, o->size, o->offset,
				 DEFAULT_SEED, &first);
	around = count_changed(dst->addr, o->offset > GUARD ? o->offset - GUARD : 0, o->offset) +
		 count_changed(dst->addr, end, end + GUARD < dst->len ? end + GUARD : dst->len);
	printf("copy: %" PRIu64 " bytes via edu, offset 0x%" PRIx64 ", %" PRIu64
	       " mismatches, %" PRIu64 " bytes around it changed, %.1f MB/s, page %s\n",
	       o->size, o->offset, bad, around, mb_per_s(o->size, t0), page_name(o->page));
	if (bad)
		fprintf(stderr, "hugesg: first mismatch at offset 0x%" PRIx64 "\n", first);
	return bad || around ? EX_MISMATCH : EX_OK;
}

static int do_copy(const struct copy_opts *o)
{
	struct hugesg_register src_r, dst_r;
	struct hsg_buf src, dst = { .memfd = -1 };
	size_t len = o->offset + o->size;
	uint32_t id;
	int fd, rc;

	rc = open_engine(HUGESG_ENGINE_EDU, o->device, &fd, &id);
	if (rc)
		return rc;
	rc = hsg_buf_alloc(&src, len, o->page, HSG_ANON);
	if (!rc)
		rc = hsg_buf_alloc(&dst, len, o->page, HSG_ANON);
	if (!rc) {
		hsg_pattern_fill(src.addr, src.len, 0, DEFAULT_SEED);
		memset(dst.addr, FILL, dst.len);
		rc = hsg_register_device(fd, src.addr, src.len, HUGESG_HUGE,
					 HUGESG_ENGINE_EDU, id, &src_r);
	}
	/* both on the device the first went to */
	if (!rc)
		rc = hsg_register_device(fd, dst.addr, dst.len, HUGESG_HUGE | HUGESG_WRITE,
					 HUGESG_ENGINE_EDU, src_r.device, &dst_r);
	rc = rc ? lib_failure(rc) : copy_and_check(fd, &dst, src_r.handle, dst_r.handle, o);
	hsg_close(fd);	/* releases the registrations */
	hsg_buf_free(&dst);
	hsg_buf_free(&src);
	return rc;
}

static int cmd_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "device", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' },
		{ "page", required_argument, NULL, 'p' },
		{ "offset", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct copy_opts o = { .size = 16 << 10, .page = HSG_PAGE_2M, .offset = UINT64_MAX };
	int c, rc = EX_OK;

	while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (strcmp(optarg, "edu"))
				rc = usage_error("copy ", "--engine: only edu copies");
			break;
		case 'd':
			o.device = optarg;
			break;
		case 's':
			rc = size_arg("copy ", "--size", optarg, &o.size);
			break;
		case 'p':
			rc = page_arg("copy ", optarg, &o.page);
			break;
		case 'o':
			rc = size_arg("copy ", "--offset", optarg, &o.offset);
			break;
		case 'h':
			return help(copy_help);
		default:	/* getopt_long() said why */
			fprintf(stderr, "Try 'hugesg copy --help'.\n");
			return EX_USAGE;
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return usage_error("copy ", "unexpected argument '%s'", argv[optind]);
	if (o.offset == UINT64_MAX)	/* half the copy on each side of a boundary */
		o.offset = o.size / 2 < o.page ? o.page - (o.size / 2 & ~UINT64_C(7)) : o.page / 2;
	if (!o.size || o.size % 8 || o.offset % 8 || o.offset + o.size > (UINT64_C(1) << 40))
		return usage_error("copy ", "--size and --offset must be multiples of 8, size non-zero");
	return do_copy(&o);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "info", cmd_info },
		{ "stream", cmd_stream },
		{ "copy", cmd_copy },
	};
	char name[32];
	size_t i;

	if (argc < 2)
		return usage_error("", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(main_help);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		snprintf(name, sizeof(name), "hugesg %s", cmds[i].name);
		argv[1] = name;	/* for getopt_long()'s messages */
		return cmds[i].fn(argc - 1, argv + 1);
	}
	return usage_error("", "unknown command '%s'", argv[1]);
}
