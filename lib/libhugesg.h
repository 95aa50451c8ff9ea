/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libhugesg: user-space side of the hugesg driver (/dev/hugesg).
 *
 * Hugepage buffers, the driver's ioctls (include/uapi/linux/hugesg.h,
 * installed beside this header as hugesg/hugesg.h) and the helpers around
 * them: consuming the FPGA stream ring in place and checking its pattern.
 *
 * Conventions: every function that can fail returns 0 (or a non-negative
 * value where documented) on success and a negative errno on failure; after
 * a failure hsg_last_error() gives a sentence saying what went wrong and
 * what to do about it.  Calls whose ioctl has many inputs take the uapi
 * struct itself, filled by the caller; the library always sets its .size.
 * The driver is an ordinary file descriptor from hsg_open(); each of its
 * devices (boards) has an id, which hsg_devices() lists.
 */
#ifndef LIBHUGESG_H
#define LIBHUGESG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/*
 * The /dev/hugesg ABI.  Installed, it sits beside this header in
 * $(includedir)/hugesg/ and is found there first; in the source tree it is
 * include/uapi/linux/hugesg.h, found through -Iinclude/uapi/linux.
 */
#include "hugesg.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HSG_API __attribute__((visibility("default")))
#else
#define HSG_API
#endif

#define HSG_PAGE_2M	(UINT64_C(1) << 21)
#define HSG_PAGE_1G	(UINT64_C(1) << 30)
#define HSG_DEFAULT_DEVICE "/dev/hugesg"

/* ---- errors ------------------------------------------------------------ */

/* The message of the last failure in the calling thread ("" if none). */
HSG_API const char *hsg_last_error(void);

/* ---- sizes -------------------------------------------------------------- */

/*
 * Parse a byte count: decimal digits with an optional binary suffix k, M, G
 * or T (any case, optionally followed by "B" or "iB").  -EINVAL on a bad
 * string, -ERANGE when it does not fit in 64 bits.
 */
HSG_API int hsg_parse_size(const char *s, uint64_t *out);

/*
 * Write @bytes into @buf in the shortest exact form hsg_parse_size() reads
 * back ("2M", "1G", "1536K", "100").  Returns @buf.
 */
HSG_API char *hsg_format_size(uint64_t bytes, char *buf, size_t n);

/* ---- hugepage pools ------------------------------------------------------ */

struct hsg_pool {
	uint64_t page_size;	/* bytes */
	long total;		/* nr_hugepages */
	long free;		/* free_hugepages */
};

/* Facts of the pool of @page_size pages.  -ENOENT if the kernel has none. */
HSG_API int hsg_pool(uint64_t page_size, struct hsg_pool *pool);

/*
 * Every pool under /sys/kernel/mm/hugepages, smallest page first: fills up
 * to @max entries and returns how many pools exist (may exceed @max).
 */
HSG_API int hsg_pools(struct hsg_pool *pools, int max);

/* ---- hugepage buffers ------------------------------------------------------ */

enum hsg_kind {
	HSG_ANON,	/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB */
	HSG_MEMFD,	/* memfd_create(MFD_HUGETLB), MAP_SHARED */
};

struct hsg_buf {
	void *addr;		/* aligned to page_size */
	size_t len;		/* a multiple of page_size */
	uint64_t page_size;
	enum hsg_kind kind;
	int memfd;		/* HSG_MEMFD: the file, else -1 */
};

/*
 * Map @len bytes (rounded up to whole pages) of hugepages of @page_size
 * (HSG_PAGE_2M or HSG_PAGE_1G), populated: every page is checked to be
 * present.  -ENOMEM when the pool is short, with the command that fixes it
 * in hsg_last_error().  @b is zeroed (memfd = -1) on failure.
 */
HSG_API int hsg_buf_alloc(struct hsg_buf *b, size_t len, uint64_t page_size,
			  enum hsg_kind kind);

/* Unmap and close; safe on a zeroed or already freed buffer. */
HSG_API void hsg_buf_free(struct hsg_buf *b);

/* ---- the stream pattern ---------------------------------------------------- */

/*
 * The FPGA pattern: the 64-bit little-endian word at stream byte offset o is
 * o ^ seed.  @data holds the stream bytes from @stream_off (a multiple of 8)
 * on; @len is rounded down to whole words.
 */
HSG_API void hsg_pattern_fill(void *data, size_t len, uint64_t stream_off,
			      uint64_t seed);

/*
 * Count the words of @data that differ from the pattern.  @first_bad (may be
 * NULL) gets the stream offset of the first one, UINT64_MAX if none.
 */
HSG_API uint64_t hsg_pattern_verify(const void *data, size_t len,
				    uint64_t stream_off, uint64_t seed,
				    uint64_t *first_bad);

/* The FNV-1a-64 offset basis: the checksum of an empty stream. */
#define HSG_FNV1A_INIT UINT64_C(0xcbf29ce484222325)

/*
 * FNV-1a-64 of @len bytes at @data, in order, continuing from @h
 * (HSG_FNV1A_INIT to begin): what hugesg-fpga reports as the checksum of
 * the bytes a to-device stream gave it.
 */
HSG_API uint64_t hsg_fnv1a(uint64_t h, const void *data, size_t len);

/* ---- ring arithmetic (no device) -------------------------------------------- */

/*
 * Called per contiguous piece of ring data: @data in the ring, @len bytes,
 * holding stream bytes from @stream_off.  Return 0 to go on, or a negative
 * errno to stop.
 */
typedef int (*hsg_chunk_fn)(const void *data, size_t len, uint64_t stream_off,
			    void *arg);

/*
 * Call @fn on the stream bytes [@pos, @pos + @n) of a ring of @ring_size
 * bytes at @ring (byte o lives at o % ring_size): once, or twice when they
 * wrap.  -EINVAL if @n > @ring_size; else 0 or the first error of @fn.
 */
HSG_API int hsg_ring_chunks(const void *ring, uint64_t ring_size, uint64_t pos,
			    uint64_t n, hsg_chunk_fn fn, void *arg);

/* ---- the device ---------------------------------------------------------------- */

/* Open @path (NULL: /dev/hugesg).  Returns the fd or a negative errno. */
HSG_API int hsg_open(const char *path);
HSG_API int hsg_close(int fd);

/* Whether /sys/module/@name exists (e.g. "hugesg", "hugesg_drv"). */
HSG_API bool hsg_module_loaded(const char *name);

/* "fpga", "edu", or "unknown". */
HSG_API const char *hsg_engine_name(unsigned int engine);

/*
 * HUGESG_IOC_INFO: ABI version, engines found, which are behind an IOMMU,
 * the number of devices (0 from a driver of ABI version 1, which has
 * only the struct's first version).
 */
HSG_API int hsg_info(int fd, struct hugesg_info *info);

/* ---- devices (boards) ------------------------------------------------------ */

/*
 * Every device the driver drives (HUGESG_IOC_DEVICE), in the order of their
 * ids: fills up to @max entries and returns how many there are (may exceed
 * @max).  -ENOTTY from a driver of ABI version 1, which cannot tell its
 * devices apart.
 */
HSG_API int hsg_devices(int fd, struct hugesg_device *devs, int max);

/*
 * The device of id @id (an id that hsg_devices() reported).  -ENODEV when
 * no device has it now (never given, or that device was removed: ids are
 * not given again).
 */
HSG_API int hsg_device(int fd, uint32_t id, struct hugesg_device *dev);

/*
 * The device @name names, as a user writes it: its id ("2") or its PCI
 * address ("0000:00:04.0", or "00:04.0" for domain 0).  With @engine
 * non-zero it must be a device of that engine.  -EINVAL for a name that
 * is neither, -ENODEV when no device has it, -EINVAL when the device is of
 * another engine; hsg_last_error() says which, and where to look.
 */
HSG_API int hsg_device_find(int fd, const char *name, unsigned int engine,
			    struct hugesg_device *dev);

/* The PCI address of @dev, "dddd:bb:ss.f", into @buf.  Returns @buf. */
HSG_API char *hsg_device_pci_name(const struct hugesg_device *dev, char *buf,
				  size_t n);

/* "strict", "lazy" or "none" (HUGESG_IOMMU_*); "unknown" otherwise. */
HSG_API const char *hsg_iommu_name(unsigned int iommu);

/* "ready" or "wedged" (HUGESG_DEVICE_*); "unknown" otherwise. */
HSG_API const char *hsg_device_state_name(unsigned int state);

/* ---- registrations and jobs ------------------------------------------------ */

/*
 * HUGESG_IOC_REGISTER the buffer [@addr, @addr + @len) for the first device
 * of @engine with @flags (HUGESG_HUGE etc., | HUGESG_WRITE if the device
 * writes it).  @reg gets the handle and the facts (entries, pins, page
 * sizes, and the device's id where the driver reports it).
 */
HSG_API int hsg_register(int fd, const void *addr, size_t len,
			 unsigned int flags, unsigned int engine,
			 struct hugesg_register *reg);

/*
 * hsg_register() for the device of id @device (0: the first of @engine),
 * which must be of @engine: -ENODEV when no device has that id, -EINVAL
 * when it is of another engine.  Every job on the buffer runs on that
 * device: a stream with it as its ring, a copy from or to it.
 */
HSG_API int hsg_register_device(int fd, const void *addr, size_t len,
				unsigned int flags, unsigned int engine,
				uint32_t device, struct hugesg_register *reg);

/* HUGESG_IOC_UNREGISTER. */
HSG_API int hsg_unregister(int fd, uint32_t handle);

/*
 * HUGESG_IOC_SEGMENTS (needs CAP_SYS_RAWIO): fill up to *@count segments;
 * *@count becomes the buffer's number of segments (may exceed the room).
 */
HSG_API int hsg_segments(int fd, uint32_t handle, struct hugesg_segment *segs,
			 uint32_t *count);

/* HUGESG_IOC_STREAM_START with the caller's @s (handle, mode, seed, ...). */
HSG_API int hsg_stream_start(int fd, struct hugesg_stream *s);

/* HUGESG_IOC_STREAM_STOP; @st (may be NULL) gets the final ring state. */
HSG_API int hsg_stream_stop(int fd, struct hugesg_ring *st);

/*
 * HUGESG_IOC_RING_WAIT for @min_bytes ready (or the end of the stream), at
 * most @timeout_ms (0: no limit; -ETIMEDOUT, with @st filled too); at most
 * the ring's size.  @st gets the ring state.
 */
HSG_API int hsg_ring_wait(int fd, uint64_t min_bytes, uint32_t timeout_ms,
			  struct hugesg_ring *st);

/* HUGESG_IOC_RING_ACK @bytes (a multiple of 8) consumed.  @st gets the state. */
HSG_API int hsg_ring_ack(int fd, uint64_t bytes, struct hugesg_ring *st);

/*
 * Wait as hsg_ring_wait(), hand all ready bytes in place to @fn (one call
 * per contiguous piece of the ring at @ring), then acknowledge them.  @st
 * gets the state after the ack; st->read_ptr says how far the stream is
 * consumed.  Nothing is acknowledged if @fn fails.
 */
HSG_API int hsg_ring_consume(int fd, const void *ring, uint64_t min_bytes,
			     uint32_t timeout_ms, hsg_chunk_fn fn, void *arg,
			     struct hugesg_ring *st);

/*
 * Called per contiguous piece of room in a to-device ring: produce @len
 * bytes at @data, stream bytes from @stream_off on.  Return 0 or a negative
 * errno to stop.
 */
typedef int (*hsg_fill_fn)(void *data, size_t len, uint64_t stream_off,
			   void *arg);

/*
 * A to-device stream's producer step: wait as hsg_ring_wait() for
 * @min_bytes of room, have @fn fill the room there is (at most @max_bytes,
 * rounded down to whole words; one call per contiguous piece of the ring at
 * @ring) and hand it to the device (RING_ACK).  @st gets the state after
 * the hand-over: st->write_ptr says how far the stream is produced.  Nothing
 * is handed over if @fn fails.
 */
HSG_API int hsg_ring_produce(int fd, void *ring, uint64_t min_bytes,
			     uint64_t max_bytes, uint32_t timeout_ms,
			     hsg_fill_fn fn, void *arg, struct hugesg_ring *st);

/* HUGESG_IOC_TRANSFER: the device copies as the caller's @t says. */
HSG_API int hsg_transfer(int fd, struct hugesg_transfer *t);

#ifdef __cplusplus
}
#endif

#endif /* LIBHUGESG_H */
