/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hugesg-fpga: emulated FPGA scatter-gather DMA acquisition engine.
 *
 * A PCI device (1234:4853) that streams a known data pattern into a ring
 * of host memory (generator, DIR=0) or reads and verifies a ring filled by
 * the driver (checker, DIR=1).  The ring is described either by a table of
 * hugepage bus addresses held in BAR0 or by a chain of descriptors in host
 * memory.  Every memory access of the engine is a PCI DMA, so it goes
 * through an emulated IOMMU when there is one.
 *
 * The register map and the exact semantics are documented in
 * hugesg_fpga_regs.h, which is shared with the Linux driver.
 *
 * All device state is accessed under the BQL only (MMIO handlers and the
 * QEMU_CLOCK_VIRTUAL timer), so a stop request in the MMIO write handler
 * always finds the engine between two chunks.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"

#include "hugesg_fpga_regs.h"

#define TYPE_HUGESG_FPGA "hugesg-fpga"
OBJECT_DECLARE_SIMPLE_TYPE(HugesgFpgaState, HUGESG_FPGA)

/* Delay between two ticks when RATE == 0 (as fast as possible) */
#define HSGF_FAST_TICK_NS       (20 * SCALE_US)
/* Normal tick period when RATE != 0, and retry period after a DMA error */
#define HSGF_SLOW_TICK_NS       SCALE_MS
/* Registers below this offset are 32 bits wide, the others 64 bits */
#define HSGF_REG64_START        HSGF_REG_DESC_ADDR
#define HSGF_REG64_END          (HSGF_REG_SCRATCH + 8)

typedef struct HsgfSeg {
    uint64_t addr;      /* bus address of the segment data */
    uint64_t len;       /* bytes */
    uint64_t desc;      /* MODE=DESC: bus address of its descriptor */
    uint64_t next;      /* MODE=DESC: next field as fetched at start */
    uint32_t flags;     /* MODE=DESC: flags field as fetched at start */
} HsgfSeg;

struct HugesgFpgaState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    QEMUTimer timer;

    /* properties */
    bool ignore_stop;
    bool ignore_reset;
    bool ignore_bus_master;

    /* guest visible registers */
    uint32_t ctrl;
    uint32_t status;
    uint32_t irq_status;
    uint32_t irq_mask;
    uint32_t error_cause;
    uint32_t seg_count;
    uint32_t table_count;
    uint32_t page_shift;
    uint64_t desc_addr;
    uint64_t dev_ptr;
    uint64_t host_ptr;
    uint64_t stream_limit;
    uint64_t overruns;
    uint64_t seed;
    uint64_t rate;
    uint64_t irq_threshold;
    uint64_t checksum;
    uint64_t mismatches;
    uint64_t dma_errors;
    uint64_t error_addr;
    uint64_t bytes_done;
    uint64_t first_mismatch;
    uint64_t ring_size;
    uint64_t scratch;
    uint64_t table[HSGF_TABLE_ENTRIES];

    /* engine state, latched by a start */
    bool running;
    bool runaway;           /* ignore-stop swallowed a stop request */
    bool dir_read;          /* DIR=1: checker */
    bool desc_mode;         /* MODE=DESC */
    bool busy;              /* inside the engine: guards DMA re-entrancy */
    uint64_t run_seed;
    HsgfSeg *segs;
    uint32_t nsegs;
    uint32_t segs_alloc;
    uint32_t seg_idx;       /* current segment ... */
    uint64_t seg_off;       /* ... and offset in it: DEV_PTR % ring_size */
    bool seg_fetched;       /* MODE=DESC: current descriptor re-fetched */
    uint64_t last_data_ptr; /* DEV_PTR at the last DATA interrupt */
    uint64_t credit;        /* RATE budget, bytes */
    int64_t last_tick_ns;

    uint8_t *buf;           /* HSGF_CHUNK_MAX bytes of bounce buffer */
};

/* Interrupts */

static void hsgf_update_irq(HugesgFpgaState *s, bool notify)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    bool pending = s->irq_status & s->irq_mask;

    if (msi_enabled(pdev)) {
        pci_set_irq(pdev, 0);
        if (pending && notify) {
            msi_notify(pdev, 0);
        }
    } else {
        pci_set_irq(pdev, pending);
    }
}

static void hsgf_raise(HugesgFpgaState *s, uint32_t bits)
{
    uint32_t newly = bits & ~s->irq_status;

    s->irq_status |= bits;
    hsgf_update_irq(s, newly & s->irq_mask);
}

/* Engine state changes */

static void hsgf_halt(HugesgFpgaState *s)
{
    timer_del(&s->timer);
    s->running = false;
    s->runaway = false;
    s->status &= ~(HSGF_STATUS_RUNNING | HSGF_STATUS_FULL |
                   HSGF_STATUS_EMPTY);
    s->status |= HSGF_STATUS_STOPPED;
}

/* A configuration error: the engine does not run (any more). */
static void hsgf_fail(HugesgFpgaState *s, uint32_t cause, uint64_t addr)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s: error cause %u, address 0x%" PRIx64
                  "\n", TYPE_HUGESG_FPGA, cause, addr);
    s->error_cause = cause;
    s->error_addr = addr;
    s->status |= HSGF_STATUS_ERROR;
    hsgf_halt(s);
    hsgf_raise(s, HSGF_IRQ_ERROR);
}

/*
 * A failed DMA access.  Halts the engine unless ignore-stop is on and the
 * engine is running, in which case the next tick tries again.
 */
static void hsgf_dma_error(HugesgFpgaState *s, uint32_t cause, uint64_t addr)
{
    s->dma_errors++;
    s->error_cause = cause;
    s->error_addr = addr;
    s->status |= HSGF_STATUS_ERROR;
    if (!(s->ignore_stop && s->running)) {
        hsgf_halt(s);
    }
    hsgf_raise(s, HSGF_IRQ_ERROR);
}

static void hsgf_reset_regs(HugesgFpgaState *s)
{
    hsgf_halt(s);
    s->ctrl = 0;
    s->status = HSGF_STATUS_STOPPED;
    s->irq_status = 0;
    s->irq_mask = 0;
    s->error_cause = HSGF_ERR_NONE;
    s->seg_count = 0;
    s->table_count = 0;
    s->page_shift = HSGF_PAGE_SHIFT_RESET;
    s->desc_addr = 0;
    s->dev_ptr = 0;
    s->host_ptr = 0;
    s->stream_limit = 0;
    s->overruns = 0;
    s->seed = 0;
    s->rate = 0;
    s->irq_threshold = 0;
    s->checksum = 0;
    s->mismatches = 0;
    s->dma_errors = 0;
    s->error_addr = 0;
    s->bytes_done = 0;
    s->first_mismatch = UINT64_MAX;
    s->ring_size = 0;
    s->scratch = 0;
    memset(s->table, 0, sizeof(s->table));
    s->nsegs = 0;
    hsgf_update_irq(s, false);
}

static HsgfSeg *hsgf_new_seg(HugesgFpgaState *s)
{
    if (s->nsegs == s->segs_alloc) {
        s->segs_alloc = MAX(64, s->segs_alloc * 2);
        s->segs = g_renew(HsgfSeg, s->segs, s->segs_alloc);
    }
    return &s->segs[s->nsegs++];
}

static bool hsgf_load_table(HugesgFpgaState *s)
{
    uint64_t page_mask;
    uint32_t i;

    if (s->table_count < 1 || s->table_count > HSGF_TABLE_ENTRIES ||
        s->page_shift < HSGF_PAGE_SHIFT_MIN ||
        s->page_shift > HSGF_PAGE_SHIFT_MAX) {
        hsgf_fail(s, HSGF_ERR_BAD_TABLE, 0);
        return false;
    }
    page_mask = (1ULL << s->page_shift) - 1;
    for (i = 0; i < s->table_count; i++) {
        HsgfSeg *seg;

        if (s->table[i] & page_mask) {
            s->seg_count = i;
            hsgf_fail(s, HSGF_ERR_BAD_ENTRY, s->table[i]);
            return false;
        }
        seg = hsgf_new_seg(s);
        seg->addr = s->table[i];
        seg->len = 1ULL << s->page_shift;
        seg->desc = 0;
        seg->next = 0;
        seg->flags = 0;
    }
    s->ring_size = (uint64_t)s->table_count << s->page_shift;
    return true;
}

/*
 * One DMA access.  A device that ignores bus-master disable (test only)
 * sends it anyway: past the PCI command register's gate, straight to the
 * IOMMU, which is then the only thing between it and memory.
 */
static MemTxResult hsgf_dma_rw(HugesgFpgaState *s, uint64_t addr, void *buf,
                               uint64_t len, bool is_write)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (s->ignore_bus_master) {
        return address_space_rw(pci_device_iommu_address_space(pdev), addr,
                                MEMTXATTRS_UNSPECIFIED, buf, len, is_write);
    }
    return is_write ? pci_dma_write(pdev, addr, buf, len)
                    : pci_dma_read(pdev, addr, buf, len);
}

/* Fetch one descriptor by DMA; false (and error raised) on a DMA failure. */
static bool hsgf_fetch_desc(HugesgFpgaState *s, uint64_t at, HsgfSeg *seg)
{
    uint8_t d[HSGF_DESC_SIZE];

    if (hsgf_dma_rw(s, at, d, sizeof(d), false) != MEMTX_OK) {
        hsgf_dma_error(s, HSGF_ERR_DMA_DESC, at);
        return false;
    }
    seg->addr = ldq_le_p(d + HSGF_DESC_ADDR);
    seg->len = (uint32_t)ldl_le_p(d + HSGF_DESC_LEN);
    seg->flags = (uint32_t)ldl_le_p(d + HSGF_DESC_FLAGS);
    seg->next = ldq_le_p(d + HSGF_DESC_NEXT);
    seg->desc = at;
    return true;
}

static bool hsgf_desc_valid(const HsgfSeg *seg)
{
    return seg->len != 0 && !(seg->len % HSGF_ALIGN) &&
           !(seg->addr % HSGF_ALIGN);
}

/* Walk the descriptor chain once to latch it and compute the ring size. */
static bool hsgf_load_chain(HugesgFpgaState *s)
{
    uint64_t at = s->desc_addr;
    uint64_t total = 0;

    for (;;) {
        HsgfSeg *seg;

        if (s->nsegs == HSGF_DESC_MAX || at % HSGF_ALIGN) {
            hsgf_fail(s, HSGF_ERR_BAD_CHAIN, at);
            return false;
        }
        seg = hsgf_new_seg(s);
        if (!hsgf_fetch_desc(s, at, seg)) {
            return false;
        }
        if (!hsgf_desc_valid(seg)) {
            hsgf_fail(s, HSGF_ERR_BAD_DESC, at);
            return false;
        }
        total += seg->len;
        if (seg->flags & HSGF_DESC_F_LAST) {
            break;
        }
        at = seg->next;
    }
    s->ring_size = total;
    return true;
}

static void hsgf_start(HugesgFpgaState *s)
{
    bool ok;

    s->dir_read = s->ctrl & HSGF_CTRL_DIR;
    s->desc_mode = s->ctrl & HSGF_CTRL_MODE;
    s->run_seed = s->seed;
    s->status &= ~(HSGF_STATUS_RUNNING | HSGF_STATUS_STOPPED |
                   HSGF_STATUS_DONE | HSGF_STATUS_ERROR | HSGF_STATUS_FULL |
                   HSGF_STATUS_EMPTY | HSGF_STATUS_STOP_IGNORED);
    s->runaway = false;
    s->dev_ptr = 0;
    s->host_ptr = 0;
    s->overruns = 0;
    s->checksum = HSGF_FNV1A_INIT;
    s->mismatches = 0;
    s->first_mismatch = UINT64_MAX;
    s->dma_errors = 0;
    s->error_addr = 0;
    s->error_cause = HSGF_ERR_NONE;
    s->ring_size = 0;
    s->seg_count = 0;
    s->nsegs = 0;

    if (s->stream_limit % HSGF_ALIGN) {
        hsgf_fail(s, HSGF_ERR_BAD_LIMIT, 0);
        return;
    }

    s->busy = true;
    ok = s->desc_mode ? hsgf_load_chain(s) : hsgf_load_table(s);
    s->busy = false;
    if (!ok) {
        return;
    }

    s->seg_count = s->nsegs;
    s->seg_idx = 0;
    s->seg_off = 0;
    s->seg_fetched = true;      /* the chain walk just fetched it */
    s->last_data_ptr = 0;
    s->credit = 0;
    s->last_tick_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    s->running = true;
    s->status |= HSGF_STATUS_RUNNING;
    timer_mod(&s->timer, s->last_tick_ns);
}

/* Data movement */

/* Bytes the engine may move now according to the pointers. */
static uint64_t hsgf_flow_avail(HugesgFpgaState *s)
{
    uint64_t used;

    if (s->dir_read) {
        return s->host_ptr > s->dev_ptr ? s->host_ptr - s->dev_ptr : 0;
    }
    if (s->host_ptr > s->dev_ptr) {
        return 0;
    }
    used = s->dev_ptr - s->host_ptr;
    return used < s->ring_size ? s->ring_size - used : 0;
}

/* Byte budget of this tick. */
static uint64_t hsgf_budget(HugesgFpgaState *s, int64_t now)
{
    int64_t elapsed = now - s->last_tick_ns;

    s->last_tick_ns = now;
    if (!s->rate) {
        return HSGF_CHUNK_MAX;
    }
    elapsed = MAX((int64_t)0, MIN(elapsed, (int64_t)NANOSECONDS_PER_SECOND));
    s->credit += muldiv64(MIN(s->rate, (uint64_t)HSGF_CHUNK_MAX * 1000),
                          elapsed, SCALE_MS);
    s->credit = MIN(s->credit, (uint64_t)HSGF_CHUNK_MAX);
    return s->credit;
}

static int64_t hsgf_period(HugesgFpgaState *s)
{
    if (!s->rate) {
        return HSGF_FAST_TICK_NS;
    }
    if (s->rate <= HSGF_CHUNK_MAX) {
        return HSGF_SLOW_TICK_NS;
    }
    return MAX((uint64_t)HSGF_FAST_TICK_NS,
               (uint64_t)HSGF_CHUNK_MAX * SCALE_MS / s->rate);
}

/*
 * Make sure the current segment is usable.  In MODE=DESC the descriptor is
 * re-fetched by DMA when the engine enters it.
 */
static bool hsgf_enter_seg(HugesgFpgaState *s)
{
    HsgfSeg *seg = &s->segs[s->seg_idx];
    HsgfSeg cur;

    if (!s->desc_mode || s->seg_fetched) {
        return true;
    }
    if (!hsgf_fetch_desc(s, seg->desc, &cur)) {
        return false;
    }
    if (cur.len != seg->len || cur.flags != seg->flags ||
        (!(cur.flags & HSGF_DESC_F_LAST) && cur.next != seg->next)) {
        hsgf_fail(s, HSGF_ERR_DESC_CHANGED, seg->desc);
        return false;
    }
    if (!hsgf_desc_valid(&cur)) {
        hsgf_fail(s, HSGF_ERR_BAD_DESC, seg->desc);
        return false;
    }
    seg->addr = cur.addr;
    s->seg_fetched = true;
    return true;
}

static void hsgf_advance(HugesgFpgaState *s, uint64_t n)
{
    s->dev_ptr += n;
    s->bytes_done += n;
    s->seg_off += n;
    if (s->seg_off == s->segs[s->seg_idx].len) {
        s->seg_off = 0;
        s->seg_idx = (s->seg_idx + 1) % s->nsegs;
        s->seg_fetched = false;
    }
}

static void hsgf_fill(HugesgFpgaState *s, uint64_t n)
{
    uint64_t o = s->dev_ptr;
    uint64_t i;

    for (i = 0; i < n; i += 8) {
        stq_le_p(s->buf + i, (o + i) ^ s->run_seed);
    }
}

static void hsgf_check(HugesgFpgaState *s, uint64_t n)
{
    uint64_t o = s->dev_ptr;
    uint64_t h = s->checksum;
    uint64_t i;

    for (i = 0; i < n; i += 8) {
        const uint8_t *p = s->buf + i;
        int b;

        if (ldq_le_p(p) != ((o + i) ^ s->run_seed)) {
            if (!s->mismatches) {
                s->first_mismatch = o + i;
            }
            s->mismatches++;
        }
        for (b = 0; b < 8; b++) {
            h ^= p[b];
            h *= HSGF_FNV1A_PRIME;
        }
    }
    s->checksum = h;
}

/*
 * Move n bytes between the bounce buffer and bus address bus, split at
 * HSGF_DMA_PIECE boundaries so that a failure is located precisely.
 * Returns the bytes moved before the first failure.
 */
static uint64_t hsgf_xfer(HugesgFpgaState *s, uint64_t bus, uint64_t n)
{
    uint64_t done = 0;

    if (!s->dir_read) {
        hsgf_fill(s, n);
    }
    while (done < n) {
        uint64_t at = bus + done;
        uint64_t piece = MIN(n - done,
                             HSGF_DMA_PIECE - (at & (HSGF_DMA_PIECE - 1)));
        MemTxResult r;

        r = hsgf_dma_rw(s, at, s->buf + done, piece, !s->dir_read);
        if (r != MEMTX_OK) {
            hsgf_dma_error(s, HSGF_ERR_DMA_DATA, at);
            break;
        }
        done += piece;
    }
    if (s->dir_read) {
        hsgf_check(s, done);
    }
    return done;
}

static void hsgf_tick(void *opaque)
{
    HugesgFpgaState *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    uint64_t budget, moved = 0;
    bool wait = false, failed = false, done;

    if (!s->running) {
        return;
    }
    budget = hsgf_budget(s, now);

    s->busy = true;
    while (moved + HSGF_ALIGN <= budget && s->running) {
        uint64_t n = budget - moved;
        uint64_t xfered;
        HsgfSeg *seg;

        if (!s->runaway) {
            uint64_t avail;

            if (s->stream_limit) {
                if (s->dev_ptr >= s->stream_limit) {
                    break;
                }
                n = MIN(n, s->stream_limit - s->dev_ptr);
            }
            avail = hsgf_flow_avail(s);
            if (avail < HSGF_ALIGN) {
                wait = true;
                break;
            }
            n = MIN(n, avail);
        }
        if (!hsgf_enter_seg(s)) {
            failed = true;
            break;
        }
        seg = &s->segs[s->seg_idx];
        n = MIN(n, seg->len - s->seg_off) & ~(uint64_t)(HSGF_ALIGN - 1);
        if (!n) {
            break;
        }
        xfered = hsgf_xfer(s, seg->addr + s->seg_off, n);
        if (xfered) {
            hsgf_advance(s, xfered);
            moved += xfered;
        }
        if (xfered < n) {
            failed = true;
            break;
        }
    }
    s->busy = false;

    if (s->rate) {
        s->credit -= MIN(s->credit, moved);
    }

    done = s->running && !s->runaway && s->stream_limit &&
           s->dev_ptr >= s->stream_limit;

    if (moved) {
        s->status &= ~(HSGF_STATUS_FULL | HSGF_STATUS_EMPTY);
    }
    if (s->running && wait) {
        if (s->dir_read) {
            s->status |= HSGF_STATUS_EMPTY;
        } else if (!(s->status & HSGF_STATUS_FULL)) {
            s->status |= HSGF_STATUS_FULL;
            s->overruns++;
            hsgf_raise(s, HSGF_IRQ_OVERRUN);
        }
    }

    if (s->dev_ptr != s->last_data_ptr &&
        (s->dev_ptr - s->last_data_ptr >= s->irq_threshold || wait || done ||
         !s->running)) {
        s->last_data_ptr = s->dev_ptr;
        hsgf_raise(s, HSGF_IRQ_DATA);
    }

    if (!s->running) {
        return;             /* halted by an error */
    }
    if (done) {
        hsgf_halt(s);
        s->status |= HSGF_STATUS_DONE;
        hsgf_raise(s, HSGF_IRQ_DONE);
        return;
    }
    if (failed) {
        timer_mod(&s->timer, now + HSGF_SLOW_TICK_NS);
    } else if (!wait) {
        timer_mod(&s->timer, now + hsgf_period(s));
    }
    /* else: a HOST_PTR write resumes the engine */
}

/* Register access */

/* Wake an engine that waits for HOST_PTR (FULL/EMPTY). */
static void hsgf_kick(HugesgFpgaState *s)
{
    if (s->running && !timer_pending(&s->timer)) {
        timer_mod(&s->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    }
}

static void hsgf_host_ptr_write(HugesgFpgaState *s, uint64_t val)
{
    s->host_ptr = val & ~(uint64_t)(HSGF_ALIGN - 1);
    hsgf_kick(s);
}

static void hsgf_ctrl_write(HugesgFpgaState *s, uint32_t val)
{
    bool was_run = s->ctrl & HSGF_CTRL_RUN;

    if (val & HSGF_CTRL_RESET) {
        if (s->running && s->ignore_reset) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: RESET ignored (ignore-reset)\n",
                          TYPE_HUGESG_FPGA);
            return;
        }
        hsgf_reset_regs(s);
        return;
    }

    s->ctrl = val & (HSGF_CTRL_RUN | HSGF_CTRL_MODE | HSGF_CTRL_DIR);
    if (val & HSGF_CTRL_RUN) {
        if (!s->running) {
            hsgf_start(s);
        }
        return;
    }
    if (!s->running && !was_run) {
        return;
    }
    if (s->running && s->ignore_stop) {
        /* a runaway ignores flow control: it never waits for HOST_PTR */
        s->runaway = true;
        s->status |= HSGF_STATUS_STOP_IGNORED;
        hsgf_kick(s);
        return;
    }
    hsgf_halt(s);
    hsgf_raise(s, HSGF_IRQ_STOPPED);
}

/* The 64-bit value of the naturally aligned 8-byte slot at addr. */
static uint64_t hsgf_slot_read(HugesgFpgaState *s, hwaddr addr)
{
    if (addr >= HSGF_TABLE_OFFSET) {
        return s->table[(addr - HSGF_TABLE_OFFSET) / HSGF_TABLE_ENTRY_SIZE];
    }
    switch (addr) {
    case HSGF_REG_ID:
        return HSGF_ID_VALUE | (uint64_t)HSGF_VERSION_VALUE << 32;
    case HSGF_REG_CTRL:
        return s->ctrl | (uint64_t)s->status << 32;
    case HSGF_REG_IRQ_STATUS:
        return s->irq_status | (uint64_t)s->irq_mask << 32;
    case HSGF_REG_ERROR_CAUSE:
        return s->error_cause | (uint64_t)s->seg_count << 32;
    case HSGF_REG_TABLE_COUNT:
        return s->table_count | (uint64_t)s->page_shift << 32;
    case HSGF_REG_DESC_ADDR:
        return s->desc_addr;
    case HSGF_REG_DEV_PTR:
        return s->dev_ptr;
    case HSGF_REG_HOST_PTR:
        return s->host_ptr;
    case HSGF_REG_STREAM_LIMIT:
        return s->stream_limit;
    case HSGF_REG_OVERRUNS:
        return s->overruns;
    case HSGF_REG_SEED:
        return s->seed;
    case HSGF_REG_RATE:
        return s->rate;
    case HSGF_REG_IRQ_THRESHOLD:
        return s->irq_threshold;
    case HSGF_REG_CHECKSUM:
        return s->checksum;
    case HSGF_REG_MISMATCHES:
        return s->mismatches;
    case HSGF_REG_DMA_ERRORS:
        return s->dma_errors;
    case HSGF_REG_ERROR_ADDR:
        return s->error_addr;
    case HSGF_REG_BYTES_DONE:
        return s->bytes_done;
    case HSGF_REG_FIRST_MISMATCH:
        return s->first_mismatch;
    case HSGF_REG_RING_SIZE:
        return s->ring_size;
    case HSGF_REG_SCRATCH:
        return s->scratch;
    default:
        return 0;
    }
}

static void hsgf_write32(HugesgFpgaState *s, hwaddr addr, uint32_t val)
{
    switch (addr) {
    case HSGF_REG_CTRL:
        hsgf_ctrl_write(s, val);
        break;
    case HSGF_REG_IRQ_STATUS:
        s->irq_status &= ~val;
        hsgf_update_irq(s, true);
        break;
    case HSGF_REG_IRQ_MASK:
        s->irq_mask = val & HSGF_IRQ_ALL;
        hsgf_update_irq(s, true);
        break;
    case HSGF_REG_TABLE_COUNT:
        s->table_count = val;
        break;
    case HSGF_REG_PAGE_SHIFT:
        s->page_shift = val;
        break;
    default:
        /* RO or undefined */
        break;
    }
}

/* addr is the (8-aligned) offset of a 64-bit register or table entry */
static void hsgf_write64(HugesgFpgaState *s, hwaddr addr, uint64_t val)
{
    if (addr >= HSGF_TABLE_OFFSET) {
        s->table[(addr - HSGF_TABLE_OFFSET) / HSGF_TABLE_ENTRY_SIZE] = val;
        return;
    }
    switch (addr) {
    case HSGF_REG_DESC_ADDR:
        s->desc_addr = val;
        break;
    case HSGF_REG_HOST_PTR:
        hsgf_host_ptr_write(s, val);
        break;
    case HSGF_REG_STREAM_LIMIT:
        s->stream_limit = val;
        break;
    case HSGF_REG_SEED:
        s->seed = val;
        break;
    case HSGF_REG_RATE:
        s->rate = val;
        break;
    case HSGF_REG_IRQ_THRESHOLD:
        s->irq_threshold = val;
        break;
    case HSGF_REG_SCRATCH:
        s->scratch = val;
        break;
    default:
        /* RO or undefined */
        break;
    }
}

static bool hsgf_is_reg64(hwaddr addr)
{
    return addr >= HSGF_TABLE_OFFSET ||
           (addr >= HSGF_REG64_START && addr < HSGF_REG64_END);
}

static uint64_t hsgf_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    HugesgFpgaState *s = opaque;
    uint64_t v = hsgf_slot_read(s, addr & ~7ULL);

    if (size == 8) {
        return v;
    }
    return (uint32_t)(v >> ((addr & 4) * 8));
}

static void hsgf_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    HugesgFpgaState *s = opaque;
    hwaddr slot = addr & ~7ULL;

    if (s->busy) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write 0x%" HWADDR_PRIx
                      " by its own DMA ignored\n", TYPE_HUGESG_FPGA, addr);
        return;
    }
    if (!hsgf_is_reg64(slot)) {
        if (size == 8) {
            hsgf_write32(s, slot, val);
            hsgf_write32(s, slot + 4, val >> 32);
        } else {
            hsgf_write32(s, addr, val);
        }
        return;
    }
    if (size == 4) {
        uint64_t old = hsgf_slot_read(s, slot);

        if (addr & 4) {
            val = (old & 0xffffffffULL) | (val << 32);
        } else {
            val = (old & ~0xffffffffULL) | (uint32_t)val;
        }
    }
    hsgf_write64(s, slot, val);
}

static const MemoryRegionOps hsgf_mmio_ops = {
    .read = hsgf_mmio_read,
    .write = hsgf_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* Device glue */

static void hsgf_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                              int len)
{
    pci_default_write_config(pdev, addr, val, len);
    /* MSI may have been switched on or off: move the level accordingly */
    hsgf_update_irq(HUGESG_FPGA(pdev), false);
}

static void hsgf_realize(PCIDevice *pdev, Error **errp)
{
    HugesgFpgaState *s = HUGESG_FPGA(pdev);

    pci_config_set_interrupt_pin(pdev->config, 1);
    if (msi_init(pdev, 0, HSGF_MSI_VECTORS, true, false, errp)) {
        return;
    }
    memory_region_init_io(&s->mmio, OBJECT(s), &hsgf_mmio_ops, s,
                          "hugesg-fpga-mmio", HSGF_BAR0_SIZE);
    pci_register_bar(pdev, HSGF_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);
    timer_init_ns(&s->timer, QEMU_CLOCK_VIRTUAL, hsgf_tick, s);
    s->buf = g_malloc(HSGF_CHUNK_MAX);
    hsgf_reset_regs(s);
}

static void hsgf_exit(PCIDevice *pdev)
{
    HugesgFpgaState *s = HUGESG_FPGA(pdev);

    timer_del(&s->timer);
    msi_uninit(pdev);
    g_free(s->buf);
    s->buf = NULL;
    g_free(s->segs);
    s->segs = NULL;
    s->nsegs = s->segs_alloc = 0;
}

static void hsgf_qdev_reset(DeviceState *dev)
{
    hsgf_reset_regs(HUGESG_FPGA(dev));
}

static const VMStateDescription vmstate_hsgf = {
    .name = TYPE_HUGESG_FPGA,
    .unmigratable = 1,
};

static Property hsgf_properties[] = {
    DEFINE_PROP_BOOL("ignore-stop", HugesgFpgaState, ignore_stop, false),
    DEFINE_PROP_BOOL("ignore-reset", HugesgFpgaState, ignore_reset, false),
    DEFINE_PROP_BOOL("ignore-bus-master", HugesgFpgaState, ignore_bus_master,
                     false),
    DEFINE_PROP_END_OF_LIST(),
};

static void hsgf_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = hsgf_realize;
    k->exit = hsgf_exit;
    k->config_write = hsgf_config_write;
    k->vendor_id = HSGF_PCI_VENDOR_ID;
    k->device_id = HSGF_PCI_DEVICE_ID;
    k->revision = HSGF_PCI_REVISION;
    k->class_id = HSGF_PCI_CLASS;
    dc->desc = "hugesg FPGA scatter-gather DMA acquisition engine";
    dc->reset = hsgf_qdev_reset;
    dc->vmsd = &vmstate_hsgf;
    device_class_set_props(dc, hsgf_properties);
    object_class_property_set_description(klass, "ignore-stop",
        "test only: ignore CTRL.RUN=0 and keep DMAing (runaway engine)");
    object_class_property_set_description(klass, "ignore-reset",
        "test only: ignore CTRL.RESET while running");
    object_class_property_set_description(klass, "ignore-bus-master",
        "test only: keep DMAing when bus mastering is disabled (only the "
        "IOMMU stops it)");
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo hsgf_info = {
    .name = TYPE_HUGESG_FPGA,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(HugesgFpgaState),
    .class_init = hsgf_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void hsgf_register_types(void)
{
    type_register_static(&hsgf_info);
}

type_init(hsgf_register_types)
