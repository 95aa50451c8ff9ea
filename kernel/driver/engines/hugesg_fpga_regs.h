/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugesg-fpga: register map of the emulated FPGA scatter-gather DMA
 * acquisition engine.
 *
 * Shared by the Linux driver (kernel/) and the QEMU device model
 * (qemu/hugesg-fpga.c).  Plain integer #defines only: no includes, no types.
 *
 * Conventions
 * -----------
 * - BAR0 is 64 KiB of MMIO.  Accesses must be 32 or 64 bits wide and
 *   naturally aligned; other accesses are rejected by the device (writes
 *   are dropped, reads return an undefined value).
 * - 64-bit registers are little endian and may also be accessed as two
 *   32-bit halves (low half at the register offset, high half at +4).
 *   When WRITING a 64-bit register as two halves, write the low half first
 *   and the high half second (lo_hi_writeq); each half takes effect at
 *   once.  For READ_PTR this order is the safe one: the transient value can
 *   only be smaller than both the old and the new value.
 * - A 64-bit access to a pair of 32-bit registers (e.g. 0x010) accesses
 *   both: low half = lower offset.
 * - Undefined offsets read as 0 and ignore writes.
 * - "RO" registers ignore writes.  "W1C" bits are cleared by writing 1.
 * - All lengths, stream offsets, pointers and buffer addresses are in bytes
 *   and must be multiples of 8 (HSGF_ALIGN).
 *
 * The engine
 * ----------
 * The ring is a list of segments in bus-address space: either the hugepage
 * table in BAR0 (MODE=TABLE) or a chain of descriptors in host memory
 * (MODE=DESC).  ring_size = sum of the segment lengths; the stream byte
 * offset o lives at ring position (o % ring_size).
 *
 * Two free-running 64-bit byte pointers, both reset to 0 by a start (RUN):
 *   DEV_PTR  (0x030, RO, also called WRITE_PTR): owned by the device.
 *   HOST_PTR (0x038, RW, also called READ_PTR):  owned by the driver.
 *
 * DIR=0 (generator, device writes memory):
 *   the device produces at DEV_PTR (= WRITE_PTR) and the driver consumes up
 *   to HOST_PTR (= READ_PTR).  The device never overwrites unconsumed data:
 *   it only writes while DEV_PTR - HOST_PTR < ring_size.  When the ring is
 *   full it sets STATUS.FULL, counts one OVERRUN (one per stall, not per
 *   tick), raises IRQ OVERRUN and waits; a HOST_PTR write that frees space
 *   resumes it.  A HOST_PTR outside [DEV_PTR - ring_size, DEV_PTR] means
 *   "no free space".  The 64-bit LE word at stream offset o is (o ^ SEED).
 *
 * DIR=1 (checker, device reads memory):
 *   the roles swap.  The driver is the producer: it fills the ring and
 *   publishes how far it has filled by writing HOST_PTR (= READ_PTR
 *   register; think "host write pointer" here).  The device consumes from
 *   DEV_PTR (= WRITE_PTR register; "device read pointer") up to HOST_PTR,
 *   so the driver may refill ring space below DEV_PTR.  When
 *   DEV_PTR == HOST_PTR it sets STATUS.EMPTY and waits; a HOST_PTR write
 *   resumes it.  A HOST_PTR below DEV_PTR means "nothing available".
 *   For every consumed word w at stream offset o:
 *     MISMATCHES += (w != (o ^ SEED)), FIRST_MISMATCH latches the first o,
 *     CHECKSUM = FNV-1a-64 over all consumed bytes in stream order
 *     (offset basis HSGF_FNV1A_INIT, prime HSGF_FNV1A_PRIME:
 *      h ^= byte; h *= prime).  CHECKSUM of an empty stream = HSGF_FNV1A_INIT.
 *
 * STREAM_LIMIT (bytes, 0 = endless): once DEV_PTR reaches it the engine
 * finishes: STATUS.DONE|STOPPED, RUNNING cleared, IRQ DONE (plus IRQ DATA
 * if DEV_PTR moved since the last DATA irq).
 *
 * Pacing: a QEMU virtual-clock timer; each tick moves at most
 * HSGF_CHUNK_MAX bytes.  RATE = bytes per millisecond of guest (virtual)
 * time; 0 = as fast as the emulation allows.
 *
 * Starting (CTRL.RUN written 1 while not RUNNING): latches CTRL.MODE/DIR,
 * TABLE_COUNT, PAGE_SHIFT, the table, DESC_ADDR and SEED; clears DEV_PTR,
 * HOST_PTR, OVERRUNS, CHECKSUM (to HSGF_FNV1A_INIT), MISMATCHES,
 * FIRST_MISMATCH (to all-ones), DMA_ERRORS, ERROR_ADDR, ERROR_CAUSE and
 * STATUS.DONE/ERROR/STOPPED/FULL/EMPTY; validates the configuration.  In
 * MODE=DESC it walks the descriptor chain once by DMA to compute ring_size.
 * A bad configuration gives STATUS.ERROR|STOPPED, ERROR_CAUSE, IRQ ERROR and
 * no data DMA.  Writing RUN=1 while RUNNING is ignored (no restart).
 *
 * Stopping (CTRL.RUN written 0 while RUNNING, or while CTRL.RUN read 1):
 * synchronous.  When the MMIO write returns the engine is idle,
 * STATUS.STOPPED is set and IRQ STOPPED is raised; no DMA is issued until
 * the next start.
 *
 * STATUS.STOPPED means "idle, no DMA until the next start".  It is set at
 * reset, after a stop, after DONE and after an error halt.
 *
 * DMA errors (every engine memory access is a PCI DMA, through the IOMMU
 * if there is one; data DMA is split at 4 KiB bus-address boundaries):
 * DMA_ERRORS++, ERROR_ADDR = first bus address of the failing access,
 * ERROR_CAUSE, STATUS.ERROR, IRQ ERROR, then halt (STATUS.STOPPED,
 * RUNNING cleared).  Bytes before the failing 4 KiB piece were transferred
 * and are accounted in DEV_PTR.
 *
 * Interrupts: MSI (1 vector) when the driver enabled it, else INTx (pin A,
 * level = (IRQ_STATUS & IRQ_MASK) != 0).  An MSI is sent when an enabled
 * bit becomes pending, and after any IRQ_STATUS/IRQ_MASK write that leaves
 * an enabled bit pending.
 *
 * Test-only QEMU properties (default off):
 *   ignore-stop=on: CTRL.RUN=0 is ignored while RUNNING: STOPPED is NOT set,
 *     no STOPPED irq, STATUS.STOP_IGNORED is set, and from then on the engine
 *     is a runaway: it ignores HOST_PTR flow control and STREAM_LIMIT and
 *     keeps DMAing around the ring every tick.  DMA errors do not halt it:
 *     it retries every tick (each failure counted, ERROR irq re-raised once
 *     the driver has cleared it).  CTRL.RESET and a PCI/system reset still
 *     stop it.
 *   ignore-reset=on: additionally CTRL.RESET is ignored while RUNNING.
 */
#ifndef HUGESG_FPGA_REGS_H
#define HUGESG_FPGA_REGS_H

/* PCI identity */
#define HSGF_PCI_VENDOR_ID		0x1234
#define HSGF_PCI_DEVICE_ID		0x4853
#define HSGF_PCI_REVISION		0x01
#define HSGF_PCI_CLASS			0x1180	/* signal processing: other (DAQ) */
#define HSGF_BAR_REGS			0	/* BAR0: registers + table */
#define HSGF_BAR0_SIZE			0x10000	/* 64 KiB */
#define HSGF_MSI_VECTORS		1

/* Identification */
#define HSGF_REG_ID			0x000	/* RO 32 */
#define HSGF_ID_VALUE			0x48534746	/* 'HSGF' */
#define HSGF_REG_VERSION		0x004	/* RO 32: major << 16 | minor */
#define HSGF_VERSION_VALUE		0x00010000	/* 1.0 */

/* Control: RW 32.  Reads back MODE/DIR/RUN as last written; RESET reads 0. */
#define HSGF_REG_CTRL			0x008
#define HSGF_CTRL_RUN			(1u << 0)	/* 1: start, 0: stop */
#define HSGF_CTRL_MODE			(1u << 1)
#define HSGF_CTRL_MODE_TABLE		0		/* hugepage table ring */
#define HSGF_CTRL_MODE_DESC		(1u << 1)	/* descriptor chain ring */
#define HSGF_CTRL_DIR			(1u << 2)
#define HSGF_CTRL_DIR_TO_MEM		0		/* generator: dev writes */
#define HSGF_CTRL_DIR_FROM_MEM		(1u << 2)	/* checker: dev reads */
#define HSGF_CTRL_RESET			(1u << 31)	/* self-clearing */

/* Status: RO 32.  Reset value HSGF_STATUS_STOPPED. */
#define HSGF_REG_STATUS			0x00c
#define HSGF_STATUS_RUNNING		(1u << 0)	/* engine active */
#define HSGF_STATUS_STOPPED		(1u << 1)	/* idle: no DMA until start */
#define HSGF_STATUS_DONE		(1u << 2)	/* STREAM_LIMIT reached */
#define HSGF_STATUS_ERROR		(1u << 3)	/* see ERROR_CAUSE */
#define HSGF_STATUS_FULL		(1u << 4)	/* DIR=0: ring full, waiting */
#define HSGF_STATUS_EMPTY		(1u << 5)	/* DIR=1: no data, waiting */
#define HSGF_STATUS_STOP_IGNORED	(1u << 6)	/* ignore-stop: runaway */

/* Interrupts: IRQ_STATUS is W1C, IRQ_MASK is RW (1 = enabled), reset 0 */
#define HSGF_REG_IRQ_STATUS		0x010
#define HSGF_REG_IRQ_MASK		0x014
/*
 * DEV_PTR moved >= IRQ_THRESHOLD since the last DATA irq, or moved and
 * the engine waits (FULL/EMPTY)
 */
#define HSGF_IRQ_DATA			(1u << 0)
#define HSGF_IRQ_DONE			(1u << 1)
#define HSGF_IRQ_STOPPED		(1u << 2)	/* stop request completed */
#define HSGF_IRQ_ERROR			(1u << 3)
#define HSGF_IRQ_OVERRUN		(1u << 4)	/* DIR=0 stall on full ring */
#define HSGF_IRQ_ALL			0x1f

/* RO 32: why STATUS.ERROR was set (last error) */
#define HSGF_REG_ERROR_CAUSE		0x018
#define HSGF_ERR_NONE			0
#define HSGF_ERR_DMA_DATA		1	/* data DMA failed (ERROR_ADDR) */
#define HSGF_ERR_DMA_DESC		2	/* descriptor fetch failed (ERROR_ADDR) */
#define HSGF_ERR_BAD_TABLE		3	/* TABLE_COUNT/PAGE_SHIFT out of range */
/*
 * table entry not aligned to 1 << PAGE_SHIFT; ERROR_ADDR = entry value,
 * SEG_COUNT = entry index
 */
#define HSGF_ERR_BAD_ENTRY		4
/*
 * descriptor addr/len invalid (len 0 or not multiple of 8); ERROR_ADDR =
 * descriptor bus address
 */
#define HSGF_ERR_BAD_DESC		5
/*
 * DESC_ADDR/next not 8-aligned or no LAST within HSGF_DESC_MAX;
 * ERROR_ADDR = offending descriptor address
 */
#define HSGF_ERR_BAD_CHAIN		6
#define HSGF_ERR_BAD_LIMIT		7	/* STREAM_LIMIT not a multiple of 8 */
/* len/flags/next of a descriptor changed while running; ERROR_ADDR = it */
#define HSGF_ERR_DESC_CHANGED		8

/*
 * RO 32: number of ring segments latched at start (table entries or
 * descriptors in the chain)
 */
#define HSGF_REG_SEG_COUNT		0x01c

/* Hugepage table mode */
#define HSGF_REG_TABLE_COUNT		0x020	/* RW 32: entries, 1..4096, reset 0 */
#define HSGF_REG_PAGE_SHIFT		0x024	/* RW 32: log2 page size, reset 21 */
#define HSGF_PAGE_SHIFT_MIN		12	/* 4 KiB */
#define HSGF_PAGE_SHIFT_MAX		30	/* 1 GiB */
#define HSGF_PAGE_SHIFT_RESET		21	/* 2 MiB */
#define HSGF_TABLE_OFFSET		0x8000	/* RW 64 x 4096: page bus addresses */
#define HSGF_TABLE_ENTRIES		4096
#define HSGF_TABLE_ENTRY_SIZE		8
#define HSGF_TABLE_ENTRY(i)		(HSGF_TABLE_OFFSET + (i) * HSGF_TABLE_ENTRY_SIZE)

/* Descriptor mode */
/* RW 64: bus addr of first descriptor, 8-aligned */
#define HSGF_REG_DESC_ADDR		0x028

/* Ring pointers (bytes, free-running, reset to 0 by a start) */
#define HSGF_REG_DEV_PTR		0x030	/* RO 64 */
#define HSGF_REG_WRITE_PTR		HSGF_REG_DEV_PTR
#define HSGF_REG_HOST_PTR		0x038	/* RW 64, bits 2:0 ignored (read 0) */
#define HSGF_REG_READ_PTR		HSGF_REG_HOST_PTR

#define HSGF_REG_STREAM_LIMIT		0x040	/* RW 64: total bytes, 0 = endless */
#define HSGF_REG_OVERRUNS		0x048	/* RO 64: full-ring stalls (DIR=0) */
#define HSGF_REG_SEED			0x050	/* RW 64: pattern word = o ^ SEED */
#define HSGF_REG_RATE			0x058	/* RW 64: bytes per ms, 0 = max */
/* RW 64: bytes per DATA irq (0: every tick that moved data) */
#define HSGF_REG_IRQ_THRESHOLD		0x060
#define HSGF_REG_CHECKSUM		0x068	/* RO 64: DIR=1 FNV-1a-64 */
#define HSGF_REG_MISMATCHES		0x070	/* RO 64: DIR=1 bad words */
#define HSGF_REG_DMA_ERRORS		0x078	/* RO 64: failed DMA accesses */
#define HSGF_REG_ERROR_ADDR		0x080	/* RO 64: bus addr of last failure */
/* RO 64: bytes transferred since reset (all runs, data only) */
#define HSGF_REG_BYTES_DONE		0x088
/* RO 64: DIR=1 stream offset of the first bad word, all-ones if none */
#define HSGF_REG_FIRST_MISMATCH		0x090
#define HSGF_REG_RING_SIZE		0x098	/* RO 64: ring size latched at start */
#define HSGF_REG_SCRATCH		0x0a0	/* RW 64: no effect, reset 0 */

/* Descriptor (MODE=DESC), in host memory, little endian, 32 bytes */
#define HSGF_DESC_SIZE			32
#define HSGF_DESC_ADDR			0	/* u64: buffer bus address, 8-aligned */
#define HSGF_DESC_LEN			8	/* u32: bytes, > 0, multiple of 8 */
#define HSGF_DESC_FLAGS			12	/* u32 */
#define HSGF_DESC_F_LAST		(1u << 0)	/* wrap to DESC_ADDR after this */
#define HSGF_DESC_NEXT			16	/* u64: next descriptor (ignored if LAST) */
#define HSGF_DESC_RSVD			24	/* u64: reserved, write 0 */
#define HSGF_DESC_MAX			65536	/* max descriptors in a chain */

/*
 * While running, the device re-fetches each descriptor (by DMA) when the
 * engine enters it, and uses the fetched addr; len, flags and next must not
 * change (HSGF_ERR_DESC_CHANGED).  So descriptors must stay mapped until
 * STATUS.STOPPED.
 */

/* Misc constants */
#define HSGF_ALIGN			8
#define HSGF_CHUNK_MAX			(256 * 1024)	/* bytes per timer tick */
#define HSGF_DMA_PIECE			4096	/* DMA split at bus-address 4K bounds */
#define HSGF_FNV1A_INIT			0xcbf29ce484222325ull
#define HSGF_FNV1A_PRIME		0x00000100000001b3ull

#endif /* HUGESG_FPGA_REGS_H */
