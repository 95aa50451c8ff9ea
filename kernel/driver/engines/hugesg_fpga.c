// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_drv: the hugesg-fpga engine, an FPGA SG-DMA acquisition engine
 * (PCI 1234:4853, register map in hugesg_fpga_regs.h) that streams into a
 * registered buffer used as a ring, described either as a hugepage table in
 * its BAR or as a descriptor chain in host memory.
 *
 * The interrupt handler keeps a snapshot of the device pointer and status,
 * so waiters and poll() never touch the device; everything else that
 * touches the device holds the engine lock and checks it was not removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "compat.h"
#include "../hugesg_drv.h"
#include "hugesg_fpga_regs.h"

#define HUGESG_FPGA_STOP_US	200000	/* how long a stop may take */

struct hugesg_fpga {
	struct hugesg_engine eng;
	struct pci_dev *pdev;
	void __iomem *regs;
	u64 *table;			/* scratch for the hugepage table */

	/* the running stream, under eng.lock */
	struct hugesg_file *owner;
	struct hugesg_reg *ring;
	void *desc;
	dma_addr_t desc_dma;
	size_t desc_size;
	u64 host_ptr;
	u64 threshold;
	u64 stream_gen;		/* streams started so far (eng.lock) */
	/*
	 * set at start, read by the waiters too: the direction (to the
	 * device: the CPU produces, host_ptr is what it handed over, the
	 * device consumes up to it), the ring's length and the limit
	 */
	bool to_dev;
	u64 ring_len;
	u64 limit;

	/*
	 * what the interrupt handler saw last, and whom it wakes (the
	 * owner's queue: see struct hugesg_file), under snap_lock
	 */
	spinlock_t snap_lock;
	u64 snap_dev_ptr;
	u32 snap_status;
	wait_queue_head_t *owner_wq;
};

static struct hugesg_fpga *to_fpga(struct hugesg_engine *eng)
{
	return container_of(eng, struct hugesg_fpga, eng);
}

static irqreturn_t hugesg_fpga_irq(int irq, void *data)
{
	struct hugesg_fpga *fp = data;
	u32 pending = readl(fp->regs + HSGF_REG_IRQ_STATUS);

	if (!pending || pending == ~0U)
		return IRQ_NONE;
	writel(pending, fp->regs + HSGF_REG_IRQ_STATUS);
	spin_lock(&fp->snap_lock);
	fp->snap_dev_ptr = readq(fp->regs + HSGF_REG_WRITE_PTR);
	fp->snap_status = readl(fp->regs + HSGF_REG_STATUS);
	if (fp->owner_wq)
		wake_up_interruptible_all(fp->owner_wq);
	spin_unlock(&fp->snap_lock);
	return IRQ_HANDLED;
}

/*
 * The ring's state, from the device (eng.lock held, not removed).  From
 * the device: write_ptr is what it produced, read_ptr what the caller
 * acknowledged; to the device: write_ptr is what the caller handed over,
 * read_ptr what the device consumed.
 */
static void hugesg_fpga_state(struct hugesg_fpga *fp, struct hugesg_ring *st)
{
	void __iomem *r = fp->regs;
	u32 status = readl(r + HSGF_REG_STATUS);
	u64 dev_ptr = readq(r + HSGF_REG_WRITE_PTR);

	st->write_ptr = fp->to_dev ? fp->host_ptr : dev_ptr;
	st->read_ptr = fp->to_dev ? dev_ptr : fp->host_ptr;
	st->ring_size = readq(r + HSGF_REG_RING_SIZE);
	st->overruns = readq(r + HSGF_REG_OVERRUNS);
	st->checksum = readq(r + HSGF_REG_CHECKSUM);
	st->mismatches = readq(r + HSGF_REG_MISMATCHES);
	st->dma_errors = readq(r + HSGF_REG_DMA_ERRORS);
	if (status & HSGF_STATUS_ERROR)
		st->state = HUGESG_RING_ERROR;
	else if (status & HSGF_STATUS_DONE)
		st->state = HUGESG_RING_DONE;
	else if (status & HSGF_STATUS_RUNNING)
		st->state = HUGESG_RING_RUNNING;
	else
		st->state = HUGESG_RING_STOPPED;
}

/*
 * Stop the engine and wait until it confirms (STATUS.STOPPED: no DMA until
 * the next start); if it does not, reset it; if that does not help either,
 * the engine is wedged: its bus mastering is cut (no DMA, and no MSI,
 * which is a DMA write, gets through any more) and its interrupts masked.
 * The IOMMU stays the backstop for a device that ignores that too.
 * Returns true when the device confirmed.
 */
static bool hugesg_fpga_halt(struct hugesg_fpga *fp)
{
	void __iomem *r = fp->regs;
	u32 status;

	writel(0, r + HSGF_REG_CTRL);
	if (!readl_poll_timeout(r + HSGF_REG_STATUS, status,
				status & HSGF_STATUS_STOPPED, 100,
				HUGESG_FPGA_STOP_US))
		return true;
	dev_err(&fp->pdev->dev, "engine did not stop (status %#x), resetting it\n",
		status);
	writel(HSGF_CTRL_RESET, r + HSGF_REG_CTRL);
	if (!readl_poll_timeout(r + HSGF_REG_STATUS, status,
				status & HSGF_STATUS_STOPPED, 100,
				HUGESG_FPGA_STOP_US))
		return true;
	dev_crit(&fp->pdev->dev, "engine ignores stop and reset: its buffers are unmapped%s\n",
		 fp->eng.iommu_strict ? " (a strict IOMMU blocks it)" :
		 " and stay pinned for good");
	fp->eng.wedged = true;
	writel(0, r + HSGF_REG_IRQ_MASK);
	pci_clear_master(fp->pdev);
	return false;
}

static int hugesg_fpga_load_table(struct hugesg_fpga *fp,
				  struct hugesg_reg *reg, unsigned int shift)
{
	struct hugesg_buf *buf = reg->buf;
	long n, i;
	u64 size;

	if (!shift)
		shift = buf->page_sizes ? __ffs(buf->page_sizes) : 0;
	if (shift < HSGF_PAGE_SHIFT_MIN || shift > HSGF_PAGE_SHIFT_MAX)
		return -EINVAL;
	size = 1ULL << shift;
	if (buf->page_sizes != size || (buf->start | buf->len) & (size - 1))
		return -EINVAL;
	n = hugesg_dma_page_table(&buf->sgt, shift, fp->table,
				  HSGF_TABLE_ENTRIES);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		writeq(fp->table[i], fp->regs + HSGF_TABLE_ENTRY(i));
	writel(n, fp->regs + HSGF_REG_TABLE_COUNT);
	writel(shift, fp->regs + HSGF_REG_PAGE_SHIFT);
	return 0;
}

/* One descriptor per DMA segment, chained in order, the last wrapping. */
static int hugesg_fpga_load_desc(struct hugesg_fpga *fp, struct hugesg_reg *reg)
{
	struct sg_table *sgt = &reg->buf->sgt;
	struct scatterlist *sg;
	unsigned int i;
	u8 *d;

	if (sgt->nents > HSGF_DESC_MAX)
		return -E2BIG;
	fp->desc_size = sgt->nents * HSGF_DESC_SIZE;
	fp->desc = dma_alloc_coherent(&fp->pdev->dev, fp->desc_size,
				      &fp->desc_dma, GFP_KERNEL);
	if (!fp->desc)
		return -ENOMEM;
	for_each_sgtable_dma_sg(sgt, sg, i) {
		bool last = i + 1 == sgt->nents;

		d = (u8 *)fp->desc + i * HSGF_DESC_SIZE;
		*(__le64 *)(d + HSGF_DESC_ADDR) = cpu_to_le64(sg_dma_address(sg));
		*(__le32 *)(d + HSGF_DESC_LEN) = cpu_to_le32(sg_dma_len(sg));
		*(__le32 *)(d + HSGF_DESC_FLAGS) =
			cpu_to_le32(last ? HSGF_DESC_F_LAST : 0);
		*(__le64 *)(d + HSGF_DESC_NEXT) = cpu_to_le64(last ? 0 :
			fp->desc_dma + (i + 1) * HSGF_DESC_SIZE);
		*(__le64 *)(d + HSGF_DESC_RSVD) = 0;
	}
	writeq(fp->desc_dma, fp->regs + HSGF_REG_DESC_ADDR);
	return 0;
}

/* Free the descriptors, unless a wedged device may still fetch them. */
static void hugesg_fpga_free_desc(struct hugesg_fpga *fp)
{
	if (fp->desc && (!fp->eng.wedged || fp->eng.iommu_strict))
		dma_free_coherent(&fp->pdev->dev, fp->desc_size, fp->desc,
				  fp->desc_dma);
	fp->desc = NULL;
}

/* The stream is over (eng.lock held): wake its owner's waiters. */
static void hugesg_fpga_clear(struct hugesg_fpga *fp)
{
	hugesg_fpga_free_desc(fp);
	spin_lock_irq(&fp->snap_lock);
	if (fp->owner_wq)
		wake_up_interruptible_all(fp->owner_wq);
	fp->owner_wq = NULL;
	spin_unlock_irq(&fp->snap_lock);
	fp->owner = NULL;
	fp->ring = NULL;
}

/*
 * Sync stream bytes [@from, @from + @n) of the ring for the CPU or the
 * device (@n at most the ring's length): the bytes that change hands,
 * where they are in the ring.
 */
static void hugesg_fpga_sync_ring(struct hugesg_reg *ring, u64 from, u64 n,
				  bool for_cpu)
{
	u64 len = ring->buf->len, pos, first;

	div64_u64_rem(from, len, &pos);
	n = min(n, len);
	first = min(n, len - pos);
	hugesg_reg_sync(ring, pos, first, for_cpu);
	if (n > first)
		hugesg_reg_sync(ring, 0, n - first, for_cpu);
}

static int hugesg_fpga_stream_start(struct hugesg_file *f, struct hugesg_reg *reg,
				    const struct hugesg_stream *req)
{
	struct hugesg_fpga *fp = to_fpga(reg->eng);
	bool to_dev = req->flags & HUGESG_STREAM_TO_DEVICE;
	struct hugesg_buf *buf = reg->buf;
	void __iomem *r;
	u32 ctrl, status;
	int ret;

	/*
	 * the device writes a ring it streams into (HUGESG_WRITE, mapped
	 * DMA_FROM_DEVICE) and reads one it streams from (mapped
	 * DMA_TO_DEVICE: registered without HUGESG_WRITE)
	 */
	if (req->flags & ~HUGESG_STREAM_TO_DEVICE ||
	    req->mode > HUGESG_STREAM_DESC ||
	    (to_dev ? reg->dir != DMA_TO_DEVICE : !(buf->flags & HUGESG_WRITE)) ||
	    (req->limit | buf->start | buf->len) & 7 ||
	    req->irq_threshold > buf->len)
		return -EINVAL;

	mutex_lock(&fp->eng.lock);
	r = fp->regs;
	if (fp->eng.removed || !reg->mapped) {
		ret = -ENODEV;
		goto out;
	}
	if (fp->owner || fp->eng.wedged) {
		ret = fp->eng.wedged ? -EIO : -EBUSY;
		goto out;
	}
	if (req->mode == HUGESG_STREAM_TABLE) {
		ret = hugesg_fpga_load_table(fp, reg, req->page_shift);
		ctrl = HSGF_CTRL_MODE_TABLE;
	} else {
		ret = req->page_shift ? -EINVAL : hugesg_fpga_load_desc(fp, reg);
		ctrl = HSGF_CTRL_MODE_DESC;
	}
	if (ret)
		goto out;

	/*
	 * the whole ring is the device's again (also after a last stream);
	 * to the device, each piece is synced as it is handed over
	 */
	if (!to_dev)
		hugesg_reg_sync(reg, 0, buf->len, false);
	fp->to_dev = to_dev;
	fp->ring_len = buf->len;
	fp->limit = req->limit;
	fp->host_ptr = 0;
	fp->threshold = req->irq_threshold ?: max_t(u64, buf->len / 8, 8);
	writeq(req->seed, r + HSGF_REG_SEED);
	writeq(req->limit, r + HSGF_REG_STREAM_LIMIT);
	writeq(req->rate, r + HSGF_REG_RATE);
	writeq(fp->threshold, r + HSGF_REG_IRQ_THRESHOLD);
	writel(HSGF_IRQ_ALL, r + HSGF_REG_IRQ_STATUS);
	writel(HSGF_IRQ_ALL, r + HSGF_REG_IRQ_MASK);
	spin_lock_irq(&fp->snap_lock);
	fp->snap_dev_ptr = 0;
	fp->snap_status = HSGF_STATUS_RUNNING;
	fp->owner_wq = &f->wq;
	spin_unlock_irq(&fp->snap_lock);
	WRITE_ONCE(fp->stream_gen, fp->stream_gen + 1);
	fp->owner = f;
	fp->ring = reg;

	ctrl |= to_dev ? HSGF_CTRL_DIR_FROM_MEM : HSGF_CTRL_DIR_TO_MEM;
	writel(ctrl | HSGF_CTRL_RUN, r + HSGF_REG_CTRL);
	status = readl(r + HSGF_REG_STATUS);
	if (status & HSGF_STATUS_ERROR) {
		/* the device refused the configuration: it did not start */
		dev_dbg(&fp->pdev->dev, "start refused, cause %u\n",
			readl(r + HSGF_REG_ERROR_CAUSE));
		hugesg_fpga_clear(fp);
		ret = -EINVAL;
		goto out;
	}
	reg->busy++;
	f->stream = &fp->eng;
	f->stream_reg = reg;
	kref_get(&fp->eng.ref);
out:
	mutex_unlock(&fp->eng.lock);
	return ret;
}

/* Stop the file's stream (f->lock held) and report its final state. */
static int hugesg_fpga_stream_stop(struct hugesg_file *f, struct hugesg_ring *st)
{
	struct hugesg_fpga *fp = to_fpga(f->stream);
	struct hugesg_reg *reg = f->stream_reg;
	int ret = 0;

	mutex_lock(&fp->eng.lock);
	if (fp->eng.removed) {
		/* remove() stopped it already */
		st->state = HUGESG_RING_STOPPED;
		ret = -ENODEV;
	} else if (fp->owner == f) {
		bool halted = hugesg_fpga_halt(fp);

		if (!halted && !fp->eng.iommu_strict)
			reg->quarantine = true;
		hugesg_fpga_state(fp, st);
		/*
		 * stopped: what it wrote since the last wait is the CPU's, as
		 * the final write_ptr reported here says (no wait follows)
		 */
		if (halted && !fp->to_dev)
			hugesg_fpga_sync_ring(fp->ring, st->read_ptr,
					      st->write_ptr - st->read_ptr, true);
		hugesg_fpga_clear(fp);
	}
	mutex_unlock(&fp->eng.lock);
	wake_up_interruptible_all(&f->wq);
	reg->busy--;
	f->stream = NULL;
	f->stream_reg = NULL;
	hugesg_engine_put(&fp->eng);
	return ret;
}

/*
 * What the caller may take at @dev_ptr: from the device, the bytes ready
 * to consume; to the device, the room to produce into (what the device
 * has not consumed yet stays in the ring).  READ_ONCE: a waiter reads
 * host_ptr while the caller's RING_ACK moves it.
 */
static u64 hugesg_fpga_ready_bytes(struct hugesg_fpga *fp, u64 dev_ptr)
{
	u64 host_ptr = READ_ONCE(fp->host_ptr);

	return fp->to_dev ? fp->ring_len - (host_ptr - dev_ptr) :
		dev_ptr - host_ptr;
}

static bool hugesg_fpga_ready(struct hugesg_fpga *fp, struct hugesg_file *f,
			      u64 gen, u64 min_bytes)
{
	bool ready;

	spin_lock_irq(&fp->snap_lock);
	ready = fp->eng.removed || fp->owner != f ||
		READ_ONCE(fp->stream_gen) != gen ||
		!(fp->snap_status & HSGF_STATUS_RUNNING) ||
		hugesg_fpga_ready_bytes(fp, fp->snap_dev_ptr) >= min_bytes;
	spin_unlock_irq(&fp->snap_lock);
	return ready;
}

static int hugesg_fpga_ring_wait(struct hugesg_file *f, struct hugesg_ring *st)
{
	long timeout = st->timeout_ms ? msecs_to_jiffies(st->timeout_ms) :
		MAX_SCHEDULE_TIMEOUT;
	struct hugesg_fpga *fp;
	u64 ring_len = 0, gen = 0;
	long left;
	int ret = 0;

	/* the file's stream now: f->stream is set and cleared under f->lock */
	mutex_lock(&f->lock);
	fp = f->stream ? to_fpga(f->stream) : NULL;
	if (fp) {
		kref_get(&fp->eng.ref);
		ring_len = f->stream_reg->buf->len;
		gen = READ_ONCE(fp->stream_gen);
	}
	mutex_unlock(&f->lock);
	if (!fp)
		return -EINVAL;
	if (st->min_bytes > ring_len) {
		ret = -EINVAL;
		goto out;
	}
	left = wait_event_interruptible_timeout(f->wq,
			hugesg_fpga_ready(fp, f, gen, st->min_bytes), timeout);
	if (left < 0) {
		ret = -EINTR;
		goto out;
	}
	/*
	 * The stream we waited on may be over: stopped by another thread of
	 * this file, and the engine perhaps streaming for another file
	 * already, or for this one again (a new stream, another ring), whose
	 * ring is none of the waiter's.
	 */
	mutex_lock(&fp->eng.lock);
	if (fp->eng.removed) {
		ret = -ENODEV;
	} else if (fp->owner != f || fp->stream_gen != gen) {
		ret = -ECANCELED;
	} else {
		hugesg_fpga_state(fp, st);
		/*
		 * what is ready to consume becomes the CPU's, nothing else;
		 * the device only reads a ring it streams from
		 */
		if (!fp->to_dev)
			hugesg_fpga_sync_ring(fp->ring, st->read_ptr,
					      st->write_ptr - st->read_ptr, true);
		if (!left && st->state == HUGESG_RING_RUNNING &&
		    hugesg_fpga_ready_bytes(fp, fp->to_dev ? st->read_ptr :
					    st->write_ptr) < st->min_bytes)
			ret = -ETIMEDOUT;
	}
	mutex_unlock(&fp->eng.lock);
out:
	hugesg_engine_put(&fp->eng);
	return ret;
}

/*
 * The caller hands min_bytes more to the device (f->lock held): from the
 * device, bytes it consumed, whose room the device may fill again; to the
 * device, bytes it produced, at most the room there is and no further
 * than the stream's limit.  Only those bytes are synced for the device.
 */
static int hugesg_fpga_ring_ack(struct hugesg_file *f, struct hugesg_ring *st)
{
	struct hugesg_fpga *fp = to_fpga(f->stream);
	int ret = 0;
	u64 dev_ptr;

	if (st->min_bytes & 7)
		return -EINVAL;
	mutex_lock(&fp->eng.lock);
	if (fp->eng.removed) {
		ret = -ENODEV;
		goto out;
	}
	dev_ptr = readq(fp->regs + HSGF_REG_WRITE_PTR);
	/*
	 * The ack may take up to what the device shows now; the interrupt
	 * handler's copy, from which waits and poll() count, must be as far
	 * before host_ptr moves, or host_ptr would pass it (the device raises
	 * no interrupt before irq_threshold bytes) and the ready bytes wrap.
	 */
	spin_lock_irq(&fp->snap_lock);
	if (dev_ptr > fp->snap_dev_ptr)
		fp->snap_dev_ptr = dev_ptr;
	spin_unlock_irq(&fp->snap_lock);
	if (st->min_bytes > hugesg_fpga_ready_bytes(fp, dev_ptr) ||
	    (fp->to_dev && fp->limit &&
	     st->min_bytes > fp->limit - fp->host_ptr)) {
		ret = -EINVAL;
		goto out;
	}
	hugesg_fpga_sync_ring(fp->ring, fp->host_ptr, st->min_bytes, false);
	WRITE_ONCE(fp->host_ptr, fp->host_ptr + st->min_bytes);
	lo_hi_writeq(fp->host_ptr, fp->regs + HSGF_REG_READ_PTR);
	hugesg_fpga_state(fp, st);
out:
	mutex_unlock(&fp->eng.lock);
	return ret;
}

static __poll_t hugesg_fpga_poll(struct hugesg_file *f, struct file *file,
				 poll_table *wait)
{
	struct hugesg_fpga *fp = to_fpga(f->stream);
	__poll_t ready = fp->to_dev ? EPOLLOUT | EPOLLWRNORM :
		EPOLLIN | EPOLLRDNORM;
	__poll_t mask = 0;

	poll_wait(file, &f->wq, wait);
	spin_lock_irq(&fp->snap_lock);
	if (fp->eng.removed || !(fp->snap_status & HSGF_STATUS_RUNNING))
		mask |= (ready & (EPOLLIN | EPOLLOUT)) | EPOLLHUP;
	else if (hugesg_fpga_ready_bytes(fp, fp->snap_dev_ptr) >= fp->threshold)
		mask |= ready;
	if (fp->snap_status & HSGF_STATUS_ERROR)
		mask |= EPOLLERR;
	spin_unlock_irq(&fp->snap_lock);
	return mask;
}

static void hugesg_fpga_free(struct hugesg_engine *eng)
{
	struct hugesg_fpga *fp = to_fpga(eng);

	kfree(fp->table);
	kfree(fp);
}

static const struct hugesg_engine_ops hugesg_fpga_ops = {
	.stream_start = hugesg_fpga_stream_start,
	.stream_stop = hugesg_fpga_stream_stop,
	.ring_wait = hugesg_fpga_ring_wait,
	.ring_ack = hugesg_fpga_ring_ack,
	.poll = hugesg_fpga_poll,
	.free = hugesg_fpga_free,
};

static int hugesg_fpga_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct hugesg_fpga *fp;
	u32 status;
	int ret;

	fp = kzalloc(sizeof(*fp), GFP_KERNEL);
	if (!fp)
		return -ENOMEM;
	fp->table = kcalloc(HSGF_TABLE_ENTRIES, sizeof(*fp->table), GFP_KERNEL);
	if (!fp->table) {
		ret = -ENOMEM;
		goto err_free;
	}
	fp->pdev = pdev;
	spin_lock_init(&fp->snap_lock);

	ret = hugesg_engine_pci_enable(pdev, "hugesg-fpga", HSGF_BAR_REGS,
				       hugesg_fpga_irq, fp, 64, &fp->regs);
	if (ret)
		goto err_free;
	if (readl(fp->regs + HSGF_REG_ID) != HSGF_ID_VALUE) {
		ret = -ENODEV;
		goto err_disable;
	}
	/* whatever it was doing stops before it may master the bus again */
	writel(HSGF_CTRL_RESET, fp->regs + HSGF_REG_CTRL);
	if (readl_poll_timeout(fp->regs + HSGF_REG_STATUS, status,
			       status & HSGF_STATUS_STOPPED, 100,
			       HUGESG_FPGA_STOP_US)) {
		dev_err(&pdev->dev, "engine does not reset (status %#x)\n",
			status);
		ret = -EIO;
		goto err_disable;
	}
	pci_set_master(pdev);

	fp->eng.type = HUGESG_ENGINE_FPGA;
	/* it only ever writes a buffer (streams to memory) */
	fp->eng.write_dir = DMA_FROM_DEVICE;
	fp->eng.dev = &pdev->dev;
	fp->eng.ops = &hugesg_fpga_ops;
	hugesg_engine_add(&fp->eng);
	pci_set_drvdata(pdev, fp);
	dev_info(&pdev->dev, "hugesg-fpga engine v%#x%s\n",
		 readl(fp->regs + HSGF_REG_VERSION),
		 fp->eng.iommu ? ", behind an IOMMU" : "");
	return 0;

err_disable:
	hugesg_engine_pci_disable(pdev, fp->regs, fp);
err_free:
	kfree(fp->table);
	kfree(fp);
	return ret;
}

/*
 * The device goes away: stop the stream, and if the device does not
 * confirm, cut its bus mastering; then unmap every buffer mapped for it.
 */
static void hugesg_fpga_remove(struct pci_dev *pdev)
{
	struct hugesg_fpga *fp = pci_get_drvdata(pdev);

	mutex_lock(&fp->eng.lock);
	spin_lock_irq(&fp->snap_lock);
	fp->eng.removed = true;
	spin_unlock_irq(&fp->snap_lock);
	if (fp->owner && !hugesg_fpga_halt(fp) && !fp->eng.iommu_strict)
		fp->ring->quarantine = true;
	hugesg_fpga_clear(fp);
	writel(0, fp->regs + HSGF_REG_IRQ_MASK);
	mutex_unlock(&fp->eng.lock);

	hugesg_engine_remove(&fp->eng);
	hugesg_engine_pci_disable(pdev, fp->regs, fp);
	hugesg_engine_put(&fp->eng);
}

static const struct pci_device_id hugesg_fpga_ids[] = {
	{ PCI_DEVICE(HSGF_PCI_VENDOR_ID, HSGF_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hugesg_fpga_ids);

struct pci_driver hugesg_fpga_driver = {
	.name = "hugesg-fpga",
	.id_table = hugesg_fpga_ids,
	.probe = hugesg_fpga_probe,
	.remove = hugesg_fpga_remove,
};
