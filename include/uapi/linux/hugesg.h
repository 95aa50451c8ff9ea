/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hugesg user-space ABI: the flags that say how a buffer is backed and used,
 * and the ioctls of the reference driver's /dev/hugesg.
 *
 * Every ioctl argument is a struct that starts with a __u32 size, and the
 * ioctl's command carries the same number in its size bits: the caller sets
 * both to the sizeof() of the struct it was built with (the HUGESG_IOC_*
 * below do, for the structs of this header; HUGESG_IOC_SIZED() gives the
 * command for another size).  All structs are fixed-size with explicit
 * padding, the same on 32- and 64-bit user space.  The driver knows a command
 * by its type, number and direction (-ENOTTY otherwise), then:
 *
 *  - a size below the struct's first version (HUGESG_*_SIZE_VER1), or a size
 *    field that is not the command's size, is -EINVAL; above 4096, -E2BIG;
 *  - a struct larger than the driver's own is accepted if every byte the
 *    driver does not know is zero, -E2BIG otherwise; a smaller one is read
 *    as if the fields it lacks were zero, and zero in a new field always
 *    means the behaviour of the version before;
 *  - reserved fields (pad) and out-fields must be zero on input (-EINVAL),
 *    but for HUGESG_IOC_INFO, which takes nothing in and overwrites its
 *    out-fields whatever they held;
 *  - the driver writes back at most the caller's size, and only _IOWR
 *    commands write back.
 *
 * Between versions, therefore:
 *
 *  - a newer caller on an older driver: its larger struct works as long as
 *    the fields that driver lacks are left zero, and those of them that are
 *    out-fields come back zero (the driver does not write them).  If it sets
 *    one, the call is -E2BIG and changes nothing: the caller may retry with
 *    the older size in both places, HUGESG_IOC_SIZED(cmd, older size), where
 *    it cannot ask for what is new.  HUGESG_IOC_INFO's abi_version tells it
 *    beforehand.  The driver of hugesg 1.0.0 knew each command only with its
 *    first version's size: any other size is -ENOTTY there, to be handled
 *    like -E2BIG; it has no HUGESG_IOC_DEVICE (-ENOTTY) either.
 *  - an older caller on a newer driver: the driver sees the smaller size,
 *    takes every newer field as zero, behaves as the older version did and
 *    writes back only the fields the caller's struct has.
 */
#ifndef _UAPI_LINUX_HUGESG_H
#define _UAPI_LINUX_HUGESG_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* How the range must be backed: exactly one of these three ... */
#define HUGESG_NORMAL		0x0	/* ordinary pages only, no hugetlb page */
#define HUGESG_HUGE		0x1	/* hugetlb pages only (any hugepage size) */
#define HUGESG_AUTO		0x2	/* either, decided page by page */
#define HUGESG_MODE_MASK	0x3
/* ... optionally with: */
#define HUGESG_WRITE		0x4	/* the device writes: pin writable, dirty on release */
#define HUGESG_FLAGS_MASK	(HUGESG_MODE_MASK | HUGESG_WRITE)

#define HUGESG_ABI_VERSION	2

/* Engines: the DMA devices the driver drives. */
#define HUGESG_ENGINE_FPGA	1	/* hugesg-fpga SG-DMA engine, PCI 1234:4853 */
#define HUGESG_ENGINE_EDU	2	/* QEMU's edu device, PCI 1234:11e8 */

/* A file may hold this many registrations at once (-ENOSPC beyond). */
#define HUGESG_MAX_REGISTRATIONS 64

struct hugesg_info {
	__u32 size;
	__u32 abi_version;	/* out: HUGESG_ABI_VERSION */
	__u32 engines;		/* out: bit (1 << HUGESG_ENGINE_x) per engine found */
	__u32 iommu;		/* out: same bits, for engines behind a translating IOMMU */
	__u32 max_registrations; /* out */
	__u32 pad;
	/* version 2 (HUGESG_INFO_SIZE_VER2) */
	__u32 nr_devices;	/* out: devices the driver drives, as DEVICE lists them */
	__u32 pad2;
};

/*
 * Devices.  Every device an engine drives (a board: one PCI function) has
 * an id, given when its engine's driver binds it (at load, in PCI order,
 * the engines of one type after the other: the hugesg-fpga boards first)
 * and never given to another device while hugesg_drv.ko stays loaded: a
 * device that is unbound and bound again gets a new one.  Ids start at 1.
 *
 * DEVICE reports the device of the smallest id that is at least @id (0:
 * the first device), or fails with -ENOENT when there is none: a caller
 * lists every device by starting at 0 and asking again at the id reported
 * plus 1, and finds device n by asking for n and checking that the id
 * reported is n.  A device being removed is not reported.  @id is in and
 * out; every other field but @size is out and must come in zero (-EINVAL).
 */
#define HUGESG_DEVICE_READY	1	/* maps buffers, runs jobs */
#define HUGESG_DEVICE_WEDGED	2	/* did not confirm a stop: maps no new buffer */

#define HUGESG_IOMMU_NONE	0	/* no translating IOMMU: DMA is direct (or bounced) */
#define HUGESG_IOMMU_STRICT	1	/* translating, unmaps invalidate at once */
#define HUGESG_IOMMU_LAZY	2	/* translating, unmaps invalidate in batches */

struct hugesg_device {
	__u32 size;
	__u32 id;		/* in: the least id wanted (0: any); out: the device's */
	__u32 engine;		/* out: HUGESG_ENGINE_x */
	__u32 state;		/* out: HUGESG_DEVICE_x */
	__u32 iommu;		/* out: HUGESG_IOMMU_x */
	__u32 pci_domain;	/* out: PCI address domain:bus:slot.func */
	__u8 pci_bus;		/* out */
	__u8 pci_slot;		/* out */
	__u8 pci_func;		/* out */
	__u8 pad;
	__u32 pad2;
};

/*
 * REGISTER pins the buffer (errors as hugesg_buf_pin()) and maps it for the
 * engine's device: -ENODEV when the device is gone, -EIO when it is wedged,
 * -ERANGE when no IOMMU translates for a device of fewer than 32 address
 * bits and a page lies beyond them (edu without an IOMMU, memory above
 * 256 MiB), -ENOMEM when the DMA layer cannot map it (out of IOVA space,
 * or of swiotlb's bounce buffers where DMA bounces).
 *
 * The device: @device 0 (and every caller of the first version, whose
 * struct has no @device) takes the first device of @engine, -ENODEV when
 * there is none.  Otherwise @device names the device of that id (see
 * HUGESG_IOC_DEVICE), which must be of @engine: -ENODEV when no device has
 * that id (never given, or the device was removed, also while the call
 * runs), -EINVAL when it is a device of another engine.  Written back: the
 * id of the device that maps the buffer.  Every job on the buffer runs on
 * that device: a stream through it as its ring, a copy from or to it.
 */
struct hugesg_register {
	__u32 size;
	__u32 flags;		/* in: HUGESG_NORMAL/HUGE/AUTO, | HUGESG_WRITE */
	__u64 addr;		/* in: user address of the buffer */
	__u64 len;		/* in: its length in bytes */
	/*
	 * in: longest sg entry; above what the device takes in one DMA
	 * segment, or the DMA layer maps in one piece (256 KiB through
	 * swiotlb): -E2BIG.  0: that limit, rounded down to a multiple of
	 * 1 GiB (else 2 MiB, else a page), so no hugepage is ever cut.
	 */
	__u32 max_segment;
	__u32 engine;		/* in: HUGESG_ENGINE_x whose device maps the buffer */
	__u32 handle;		/* out: names the buffer in this file */
	__u32 nr_entries;	/* out: entries of its sg table */
	__u32 nr_dma_segments;	/* out: DMA segments once mapped */
	__u32 pad;
	/*
	 * out: one per pin held: per hugepage, per ordinary page; where the
	 * kernel pins (hugesg.kernel_pin=1), per run of pages of a folio
	 */
	__u64 nr_pins;
	__u64 pinned_bytes;	/* out: memory held pinned (whole hugepages) */
	__u64 page_sizes;	/* out: bit n set: the buffer has 2^n byte pages */
	/* version 2 (HUGESG_REGISTER_SIZE_VER2) */
	__u32 device;		/* in: 0 or a device id; out: the device's id */
	__u32 pad2;
};

struct hugesg_unregister {
	__u32 size;
	__u32 handle;
};

struct hugesg_segment {
	__u64 dma_addr;
	__u64 len;
};

/*
 * The DMA segments of a registered buffer (bus address and length of each,
 * in order, as the device sees them), for CAP_SYS_RAWIO only (-EPERM).
 * The first min(count, segments) are written to @segs; @count comes back
 * as the buffer's number of segments, which may be more than were written.
 * -ENOENT: no such handle in this file; -EINVAL: @pad not zero; -ENODEV:
 * the device was removed (the buffer is no longer mapped); -EFAULT: @segs
 * not writable; -ENOMEM.  A destination that faults holds up only this
 * file.
 */
struct hugesg_segments {
	__u32 size;
	__u32 handle;
	__u32 count;		/* in: room in @segs; out: the buffer's segments */
	__u32 pad;
	__u64 segs;		/* in: user pointer to struct hugesg_segment[count] */
};

/* Stream modes of the hugesg-fpga engine */
#define HUGESG_STREAM_TABLE	0	/* hugepage table in the device's BAR */
#define HUGESG_STREAM_DESC	1	/* descriptor chain in host memory */
/* Stream flags */
/* to the device: it reads the ring, checks and checksums what it reads */
#define HUGESG_STREAM_TO_DEVICE	0x1

/*
 * Start the file's stream (one per file) through a registered buffer used
 * as a ring, stream byte o at buffer offset o % len, on the device the
 * buffer was registered for (REGISTER's @device; each device runs one
 * stream at a time, -EBUSY for another file's).  From the device (the
 * default; the buffer registered with HUGESG_WRITE): the device writes at
 * offset o (a multiple of 8) the 64-bit little-endian word o ^ seed.  To
 * the device (HUGESG_STREAM_TO_DEVICE; the buffer registered without
 * HUGESG_WRITE, mapped DMA_TO_DEVICE, else -EINVAL): the caller produces
 * into the ring and hands each piece over with RING_ACK; the device reads
 * it, checks every word against o ^ seed (mismatches) and sums all bytes
 * (checksum: FNV-1a-64 in stream order, docs/hugesg-fpga.md).
 *
 * Errors: -ENOENT: no such handle in this file; -EBUSY: this file has a
 * stream already, or the engine streams for another file; -ENODEV: the
 * device is gone; -EIO: the engine is wedged (it ignored a stop and a
 * reset); -E2BIG: more table pages than the device holds (4096) or more
 * DMA segments than a descriptor chain takes (65536); -ENOMEM; -EINVAL:
 * an unknown flag or mode; a buffer of an engine without streams (edu);
 * from the device a buffer without HUGESG_WRITE, to it one with; a limit,
 * buffer address or length not a multiple of 8; an irq_threshold beyond
 * the ring; in table mode a page_shift that is not the buffer's one page
 * size (or outside 12..30), or a buffer not aligned to its pages; in
 * descriptor mode a page_shift other than 0.
 */
struct hugesg_stream {
	__u32 size;
	__u32 handle;		/* the ring buffer */
	__u32 mode;		/* HUGESG_STREAM_TABLE or _DESC */
	/* table mode: log2 of the table's page, the buffer's one page size */
	__u32 page_shift;	/* 0: the buffer's page size */
	__u32 flags;		/* HUGESG_STREAM_* */
	/*
	 * bytes between data interrupts, at most the ring (0: ring / 8);
	 * also what poll() waits for: it reports the ring ready (POLLIN, to
	 * the device POLLOUT) once this much is ready, or the stream ended
	 */
	__u32 irq_threshold;
	__u64 seed;
	__u64 limit;		/* bytes to move; 0: until stopped */
	__u64 rate;		/* bytes per millisecond of device time; 0: full speed */
};

/* Ring states */
#define HUGESG_RING_RUNNING	1
#define HUGESG_RING_DONE	2	/* limit reached */
#define HUGESG_RING_STOPPED	3
#define HUGESG_RING_ERROR	4	/* DMA error: see dma_errors */

/*
 * RING_WAIT: wait until @min_bytes (at most the ring size) are ready to
 * consume, or the stream ends, or @timeout_ms passes (-ETIMEDOUT, with the
 * out fields filled all the same), then report.  RING_ACK: the caller has
 * consumed @min_bytes more (a multiple of 8, at most what is ready); the
 * device may overwrite them.  To the device, RING_WAIT waits for @min_bytes
 * of room (what the device consumed), and RING_ACK hands @min_bytes more
 * that the caller produced to the device (at most the room there is, and
 * not past the limit; else -EINVAL).  STREAM_STOP: stop the stream (also
 * after it is done), wait for the device to confirm, report the final
 * state; a to-device stream is DONE once the device consumed the limit,
 * and its checksum and mismatches are then final.  All
 * report the state in the out fields.  A stream's limit must be a multiple
 * of 8, and so must the ring buffer's address and length.  A RING_WAIT
 * whose stream is stopped meanwhile (STREAM_STOP by another thread of the
 * file) fails with -ECANCELED, its out fields untouched; one whose device
 * goes away fails with -ENODEV.  Without a stream in the file all three
 * are -EINVAL; RING_WAIT with @min_bytes above the ring size is -EINVAL,
 * and one interrupted by a signal -EINTR (not restarted).  STREAM_STOP
 * after the device went away is -ENODEV, out fields untouched, and the
 * file has no stream any more.
 */
struct hugesg_ring {
	__u32 size;
	__u32 timeout_ms;	/* in (WAIT) */
	__u64 min_bytes;	/* in: WAIT: bytes wanted; ACK: bytes consumed */
	/*
	 * out: from the device, bytes it produced and bytes acknowledged;
	 * to the device, bytes handed over and bytes it consumed
	 */
	__u64 write_ptr;
	__u64 read_ptr;
	__u64 ring_size;	/* out */
	__u64 overruns;		/* out: times the device found the ring full */
	/* out: to-device streams (from the device: the FNV-1a start value) */
	__u64 checksum;
	__u64 mismatches;	/* out: to-device words differing from the pattern */
	__u64 dma_errors;	/* out */
	__u32 state;		/* out: HUGESG_RING_* */
	__u32 pad;
};

/*
 * A device-mediated copy between two registered buffers of this file, both
 * registered for one device of the engine named (edu), @len bytes from
 * @src_offset in the source to @dst_offset in the target (registered with
 * HUGESG_WRITE).  One copy at a time runs on the device; the others queue,
 * their timeout_ms counting from the call.  Errors: -ENOENT: a handle not
 * in this file; -EINVAL: @pad set, an engine without copies or not the
 * buffers', @len 0, a range beyond a buffer, a target without
 * HUGESG_WRITE, the buffers on two engines or two devices; -ETIMEDOUT:
 * timeout_ms passed (also while queued), or a DMA of the device did not
 * complete (the engine is wedged from then on); -EINTR: a fatal signal;
 * -ENODEV: the device is gone; -EIO: the engine is wedged.
 * A copy that fails may have copied a part; how much is not reported.
 */
struct hugesg_transfer {
	__u32 size;
	__u32 engine;		/* HUGESG_ENGINE_EDU */
	__u32 src_handle;
	__u32 dst_handle;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 len;
	__u32 timeout_ms;	/* 0: no limit */
	__u32 pad;
};

/*
 * The size of each struct's first version (HUGESG_ABI_VERSION 1; struct
 * hugesg_device: 2): the least any caller may pass.  Fields are only ever
 * added at the end; HUGESG_*_SIZE_VER2 is where those of
 * HUGESG_ABI_VERSION 2 end.
 */
#define HUGESG_INFO_SIZE_VER1		24
#define HUGESG_REGISTER_SIZE_VER1	72
#define HUGESG_UNREGISTER_SIZE_VER1	8
#define HUGESG_SEGMENTS_SIZE_VER1	24
#define HUGESG_STREAM_SIZE_VER1		48
#define HUGESG_RING_SIZE_VER1		80
#define HUGESG_TRANSFER_SIZE_VER1	48
#define HUGESG_DEVICE_SIZE_VER1		32

#define HUGESG_INFO_SIZE_VER2		32
#define HUGESG_REGISTER_SIZE_VER2	80

/* The command @cmd (a HUGESG_IOC_*) for an argument of @size bytes. */
#define HUGESG_IOC_SIZED(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

#define HUGESG_IOC_MAGIC	0xb6
#define HUGESG_IOC_INFO		_IOWR(HUGESG_IOC_MAGIC, 0, struct hugesg_info)
#define HUGESG_IOC_REGISTER	_IOWR(HUGESG_IOC_MAGIC, 1, struct hugesg_register)
#define HUGESG_IOC_UNREGISTER	_IOW(HUGESG_IOC_MAGIC, 2, struct hugesg_unregister)
#define HUGESG_IOC_SEGMENTS	_IOWR(HUGESG_IOC_MAGIC, 3, struct hugesg_segments)
#define HUGESG_IOC_STREAM_START	_IOW(HUGESG_IOC_MAGIC, 4, struct hugesg_stream)
#define HUGESG_IOC_STREAM_STOP	_IOWR(HUGESG_IOC_MAGIC, 5, struct hugesg_ring)
#define HUGESG_IOC_RING_WAIT	_IOWR(HUGESG_IOC_MAGIC, 6, struct hugesg_ring)
#define HUGESG_IOC_RING_ACK	_IOWR(HUGESG_IOC_MAGIC, 7, struct hugesg_ring)
#define HUGESG_IOC_TRANSFER	_IOW(HUGESG_IOC_MAGIC, 8, struct hugesg_transfer)
#define HUGESG_IOC_DEVICE	_IOWR(HUGESG_IOC_MAGIC, 9, struct hugesg_device)

#endif /* _UAPI_LINUX_HUGESG_H */
